"""FastAPI application: the routers of api/routes over a model registry and a message store."""

from __future__ import annotations

import logging
import time
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request

from api import errors
from api.cross_site import CrossSiteGuard
from api.dependencies import open_store
from api.routes import (
    classify,
    faq,
    health,
    messages,
    metrics,
    models,
    painmap,
    taxonomy,
    templates,
    topics,
    triage,
    web,
)
from api.schemas import MAX_BODY_BYTES
from models.classifier import Classifier
from models.registry import ModelRegistry

log = logging.getLogger("otklik.api")
API_VERSION = "1"
ROUTERS = (classify, taxonomy, models, topics, messages, painmap, metrics, faq, health, triage,
           templates, web)  # fmt: skip


@asynccontextmanager
async def lifespan(app: FastAPI):
    try:
        open_store(app)
    except Exception as exc:  # the classification endpoints still serve
        log.error("message store unavailable at startup: %s", exc)
    yield


def create_app(
    classifier: Classifier | None = None,
    model_dir: Path | None = None,
    registry: ModelRegistry | None = None,
    database_url: str | None = None,
    no_auth: bool = False,
) -> FastAPI:
    """The API over `registry`'s active model (a new registry if none is given).

    A given `classifier` becomes the active model; else `model_dir`, loaded on first use;
    else the registry's active model (the built-in default for a new registry). The store is
    `database_url`, else the settings' (OTKLIK_DATABASE_URL or SQLite in OTKLIK_HOME).
    Every endpoint but /v1/health needs an API key with its role (api/auth.py); `no_auth`
    makes every caller the local user with all roles (`otklik serve --no-auth`, loopback only).
    """
    app = FastAPI(
        title="otklik",
        version=API_VERSION,
        description="Классификация обращений, отзывов и публикаций на русском языке.",
        lifespan=lifespan,
    )
    registry = registry or ModelRegistry()
    if classifier is not None:
        registry.adopt(classifier)
    elif model_dir is not None:
        registry.select_path(Path(model_dir))
    app.state.registry = registry
    app.state.database_url = database_url
    app.state.started = time.time()
    app.state.no_auth = no_auth

    @app.middleware("http")
    async def limit_body(request: Request, call_next):
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return errors.error_response(
                413, "payload_too_large", f"body over {MAX_BODY_BYTES} bytes"
            )
        return await call_next(request)

    app.add_middleware(CrossSiteGuard)
    errors.install(app)
    for module in ROUTERS:
        app.include_router(module.router)
    return app
