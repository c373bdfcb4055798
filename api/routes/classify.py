"""POST /v1/classify: one text or a batch in, one Classification record per text out."""

from __future__ import annotations

import logging
import time

from fastapi import APIRouter, Depends

from api.auth import require
from api.dependencies import ActiveModel, Registry, Scheduler
from api.safe_json import SafeJsonRoute
from api.schemas import ClassifyRequest, ClassifyResponse, ErrorOut, ModelRef
from models.settings import settings

log = logging.getLogger("otklik.api")
router = APIRouter(tags=["classify"], route_class=SafeJsonRoute)


@router.post(
    "/v1/classify",
    response_model=ClassifyResponse,
    responses={400: {"model": ErrorOut}, 413: {"model": ErrorOut}, 422: {"model": ErrorOut}},
    dependencies=[Depends(require("system"))],
)
async def classify(
    body: ClassifyRequest, model: ActiveModel, registry: Registry, scheduler: Scheduler
) -> ClassifyResponse:
    messages = body.messages()
    started = time.perf_counter()
    deadline = time.monotonic() + settings().request_deadline_s
    results = await scheduler.classify(model, [m.text for m in messages], deadline)
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
    name = registry.name_of(model)  # the model that answered
    return ClassifyResponse(model=ModelRef(name=name, version=model.version), items=items)
