"""GET /metrics: Prometheus text format (role admin): requests, latency, batches, queue, model."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.auth import require
from api.safe_json import SafeJsonRoute

router = APIRouter(tags=["monitoring"], route_class=SafeJsonRoute)


@router.get("/metrics", dependencies=[Depends(require("admin"))], response_class=Response)
def prometheus(request: Request) -> Response:
    state = request.app.state
    metrics = state.metrics
    metrics.queue.set(state.scheduler.pending_texts)
    active = state.registry.active
    metrics.set_model(active.name, active.version)
    return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)
