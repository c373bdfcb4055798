"""The models: which there are, which one answers.

    GET  /v1/model                  the active model (loaded on first use)
    GET  /v1/models                 {"active": name, "models": [{name, version, active, loaded,
                                     task, mode, trained_at, base, metrics, ...}]}
    POST /v1/models/{name}/activate the new active model's description (as GET /v1/model);
                                    404 unknown name (details list the known names),
                                    422 the model does not load or work (the active one stays)

Activation loads the new model while the server keeps answering with the old one, then swaps.
No answer names a server path: directories are dropped and paths in messages are replaced.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Depends

from api.auth import require
from api.dependencies import ActiveModel, Registry
from api.errors import error_response
from api.redact import without_paths
from api.safe_json import SafeJsonRoute
from api.schemas import ErrorOut
from models.registry import BrokenModelError, UnknownModelError

log = logging.getLogger("otklik.api.models")
router = APIRouter(tags=["models"], route_class=SafeJsonRoute)


def describe(registry, classifier) -> dict:
    """What GET /v1/model says about a model, under the name the registry lists it by."""
    return without_paths({**classifier.describe(), "name": registry.name_of(classifier)}, registry)


@router.get("/v1/model", dependencies=[Depends(require("system", "analyst", "press"))])
def model_info(model: ActiveModel, registry: Registry) -> dict:
    return describe(registry, model)


@router.get("/v1/models", dependencies=[Depends(require("analyst"))])
def list_models(registry: Registry) -> dict:
    overview = registry.overview()
    for item in overview["models"]:
        item.pop("path", None)
    return without_paths(overview, registry)


@router.post(
    "/v1/models/{name}/activate",
    responses={404: {"model": ErrorOut}, 422: {"model": ErrorOut}},
    dependencies=[Depends(require("admin"))],
)
def activate_model(name: str, registry: Registry):
    try:
        classifier = registry.activate(name)
    except UnknownModelError as exc:
        details = [{"name": known} for known in exc.known]
        return error_response(404, "unknown_model", str(exc), details)
    except BrokenModelError as exc:
        log.warning("activation refused: %s", exc)
        kept = f"; the active model is still {exc.active!r}" if exc.active else ""
        message = f"model {exc.name!r} cannot be used: {exc.reason}{kept}"
        details = [{"name": exc.name, "reason": exc.reason}]
        return error_response(422, "model_unusable", *without_paths([message, details], registry))
    return describe(registry, classifier)
