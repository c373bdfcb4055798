"""FastAPI application: classification endpoints over the active model."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.insights_routes import include as include_insights
from api.models_routes import describe
from api.models_routes import include as include_models
from api.schemas import (
    MAX_BODY_BYTES,
    ClassifyRequest,
    ClassifyResponse,
    ErrorOut,
    ModelRef,
)
from api.topics_routes import include as include_topics
from models.classifier import Classifier
from models.registry import ModelRegistry

log = logging.getLogger("otklik.api")
API_VERSION = "1"


def _field_path(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body",)]
    path = ""
    for part in parts:
        path += f"[{part}]" if part.isdigit() else (f".{part}" if path else part)
    return path or "body"


def _validation_details(exc: RequestValidationError) -> list[dict]:
    details = []
    for error in exc.errors():
        message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
        kind = error.get("type", "")
        if kind == "json_invalid":
            message = "request body is not valid JSON"
        elif kind == "model_attributes_type":
            message = "request body must be a JSON object"
        details.append({"field": _field_path(tuple(error.get("loc", ()))), "message": message})
    return details


def get_classifier(request: Request) -> Classifier:
    """The registry's active classifier (loaded on first use); one reference per request."""
    return request.app.state.registry.current()


ActiveModel = Annotated[Classifier, Depends(get_classifier)]


def create_app(
    classifier: Classifier | None = None,
    model_dir: Path | None = None,
    registry: ModelRegistry | None = None,
) -> FastAPI:
    """The API over `registry`'s active model (a new registry if none is given).

    A given `classifier` becomes the active model; else `model_dir`, loaded on first use;
    else the registry's active model (the built-in default for a new registry).
    """
    app = FastAPI(
        title="otklik",
        version=API_VERSION,
        description="Классификация обращений, отзывов и публикаций на русском языке.",
    )
    registry = registry or ModelRegistry()
    if classifier is not None:
        registry.adopt(classifier)
    elif model_dir is not None:
        registry.select_path(Path(model_dir))
    include_models(app, registry)  # GET /v1/models, POST /v1/models/{name}/activate
    app.state.started = time.time()

    @app.middleware("http")
    async def limit_body(request: Request, call_next):
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return _error(413, "payload_too_large", f"body over {MAX_BODY_BYTES} bytes")
        return await call_next(request)

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = _validation_details(exc)
        status = (
            400 if any(d["message"] == "request body is not valid JSON" for d in details) else 422
        )
        message = "; ".join(f"{d['field']}: {d['message']}" for d in details)
        return _error(status, "invalid_request", message, details)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = str(exc.detail)
        if exc.status_code == 400 and "parsing the body" in message:
            message = "request body could not be parsed: send UTF-8 encoded JSON"
        return _error(exc.status_code, "http_error", message)

    @app.exception_handler(UnicodeDecodeError)
    async def on_bad_encoding(request: Request, exc: UnicodeDecodeError) -> JSONResponse:
        return _error(400, "invalid_encoding", "request body is not valid UTF-8")

    @app.post(
        "/v1/classify",
        response_model=ClassifyResponse,
        responses={400: {"model": ErrorOut}, 413: {"model": ErrorOut}, 422: {"model": ErrorOut}},
    )
    def classify(
        body: ClassifyRequest, model: ActiveModel, request: Request
    ) -> ClassifyResponse:
        messages = body.messages()
        started = time.perf_counter()
        results = model.classify([m.text for m in messages])
        log.info(
            "classified items=%d ms=%.1f model=%s",
            len(messages),
            (time.perf_counter() - started) * 1000,
            f"{model.name} {model.version}",
        )
        items = []
        for message, result in zip(messages, results, strict=True):
            out = result.to_dict(include_personal_data=body.include_personal_data)
            out["id"] = message.id
            items.append(out)
        name = request.app.state.registry.name_of(model)  # the model that answered
        return ClassifyResponse(model=ModelRef(name=name, version=model.version), items=items)

    @app.get("/v1/taxonomy")
    def taxonomy(model: ActiveModel) -> dict:
        return model.added_topics.extend_taxonomy(model.taxonomy.to_dict())  # + "added": true

    @app.get("/v1/model")
    def model_info(model: ActiveModel, request: Request) -> dict:
        return describe(request.app.state.registry, model)

    include_insights(app)  # store, ingest, pain map, metrics, FAQ (api/insights_routes.py)
    include_topics(app)  # POST/GET /v1/topics, DELETE /v1/topics/{id} (api/topics_routes.py)

    @app.get("/v1/health")
    def health(request: Request) -> dict:
        active = request.app.state.registry.active
        loaded = active.classifier is not None
        return {
            "status": "ok",
            "model_loaded": loaded,
            "model": active.version if loaded else None,
            "active_model": active.name,
            "uptime_s": round(time.time() - request.app.state.started, 1),
        }

    return app


def _error(status: int, error: str, message: str, details: list | None = None) -> JSONResponse:
    body = ErrorOut(error=error, message=message, details=details or [])
    return JSONResponse(status_code=status, content=body.model_dump())
