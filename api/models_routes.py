"""HTTP endpoints over the model registry: which models there are, which one answers.

    GET  /v1/models                 {"active": name, "models": [{name, version, path, active,
                                     loaded, task, mode, trained_at, base, metrics, ...}]}
    POST /v1/models/{name}/activate the new active model's description (as GET /v1/model);
                                    404 unknown name (details list the known names),
                                    422 the model does not load or work (the active one stays)

Activation loads the new model while the server keeps answering with the old one, then swaps.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from api.schemas import ErrorOut
from models.classifier import Classifier
from models.registry import BrokenModelError, ModelRegistry, UnknownModelError

log = logging.getLogger("otklik.api.models")
router = APIRouter(tags=["models"])


def get_registry(request: Request) -> ModelRegistry:
    return request.app.state.registry


Registry = Annotated[ModelRegistry, Depends(get_registry)]


def describe(registry: ModelRegistry, classifier: Classifier) -> dict:
    """What GET /v1/model says about a model, under the name the registry lists it by."""
    return {**classifier.describe(), "name": registry.name_of(classifier)}


def _error(status: int, error: str, message: str, details: list | None = None) -> JSONResponse:
    body = ErrorOut(error=error, message=message, details=details or [])
    return JSONResponse(status_code=status, content=body.model_dump())


@router.get("/v1/models")
def list_models(registry: Registry) -> dict:
    return registry.overview()


@router.post(
    "/v1/models/{name}/activate",
    responses={404: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)
def activate_model(name: str, registry: Registry):
    try:
        classifier = registry.activate(name)
    except UnknownModelError as exc:
        return _error(404, "unknown_model", str(exc), [{"name": known} for known in exc.known])
    except BrokenModelError as exc:
        log.warning("activation refused: %s", exc)
        details = [{"name": exc.name, "path": str(exc.path), "reason": exc.reason}]
        return _error(422, "model_unusable", str(exc), details)
    return describe(registry, classifier)


def include(app: FastAPI, registry: ModelRegistry) -> None:
    """Route the model endpoints; `app.state.registry` holds the active model."""
    app.state.registry = registry
    app.include_router(router)
