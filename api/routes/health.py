"""GET /v1/health: the service answers; whether and which model is loaded."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request

from api.safe_json import SafeJsonRoute

router = APIRouter(tags=["health"], route_class=SafeJsonRoute)


@router.get("/v1/health")
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
