"""POST /v1/messages: a batch of messages validated, classified and stored (idempotent)."""

from __future__ import annotations

import logging
import time
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from api.dependencies import ActiveModel, StoreDep
from api.errors import error_response
from api.schemas import ErrorOut

log = logging.getLogger("otklik.api.insights")
router = APIRouter(tags=["insights"])
MAX_INGEST_ITEMS = 10_000


class IngestRequest(BaseModel):
    """A batch of messages (DESIGN.md «One message in»); only `text` is required per item."""

    model_config = ConfigDict(extra="forbid")

    source: str | None = Field(
        default=None,
        max_length=100,
        description="The sender system; ids are unique within a source (default: «default»).",
    )
    items: list[Any] = Field(
        min_length=1,
        max_length=MAX_INGEST_ITEMS,
        description=(
            "Messages: id, text, kind, channel, received_at, answered_at, extended, region, "
            "organization, service, touchpoint, outcome, csat, nps, ces, age, gender, "
            "social_status, client. Invalid items are reported by index; the others are stored."
        ),
    )


@router.post("/v1/messages", responses={422: {"model": ErrorOut}, 503: {"model": ErrorOut}})
def ingest_messages(body: IngestRequest, store: StoreDep, model: ActiveModel) -> JSONResponse:
    from insights.ingest import ingest_batch

    started = time.perf_counter()
    result = ingest_batch(store, model, body.items, source=body.source or "default")
    log.info(
        "ingested items=%d created=%d updated=%d unchanged=%d rejected=%d ms=%.0f model=%s",
        len(body.items),
        result.count("created"),
        result.count("updated"),
        result.count("unchanged"),
        len(result.rejected),
        (time.perf_counter() - started) * 1000,
        model.version,
    )
    if result.rejected and not result.items:
        details = [
            {"field": f"items[{row.index}].{p.field}", "message": p.message}
            for row in result.rejected
            for p in row.problems
        ]
        return error_response(422, "invalid_items", "no valid message in the batch", details)
    return JSONResponse(result.to_dict())
