"""FastAPI application: the routers of api/routes over a model registry and a message store."""

from __future__ import annotations

import logging
import time
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from api import errors
from api.cross_site import CrossSiteGuard
from api.dependencies import open_store
from api.limits import BodyLimit, Deadline, RateLimiter
from api.observability import Metrics, RequestMetrics
from api.routes import (
    classify,
    classify_file,
    explain,
    faq,
    health,
    messages,
    metrics,
    models,
    monitoring,
    painmap,
    taxonomy,
    templates,
    topics,
    triage,
    web,
)
from api.scheduler import BatchScheduler
from api.schemas import MAX_BODY_BYTES
from models.classifier import Classifier
from models.registry import ModelRegistry
from models.settings import settings

log = logging.getLogger("otklik.api")
API_VERSION = "1"
ROUTERS = (
    classify, classify_file, explain, taxonomy, models, topics, messages, painmap, metrics, faq,
    health, monitoring,
    triage, templates, web,
)  # fmt: skip


@asynccontextmanager
async def lifespan(app: FastAPI):
    try:
        open_store(app)
    except Exception as exc:  # the classification endpoints still serve
        log.error("message store unavailable at startup: %s", exc)
    yield
    app.state.scheduler.stop()  # uvicorn has let the accepted requests finish; end the worker


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
    app.state.metrics = Metrics()
    app.state.scheduler = BatchScheduler(on_batch=app.state.metrics.on_batch)
    app.state.rate_limiter = RateLimiter(settings().rate_limit, settings().rate_burst)

    # outermost last: the body limit and the deadline see every request first
    app.add_middleware(CrossSiteGuard)
    app.add_middleware(Deadline, seconds=settings().request_deadline_s)
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)
    app.add_middleware(RequestMetrics, metrics=app.state.metrics)
    errors.install(app)
    for module in ROUTERS:
        app.include_router(module.router)
    return app
