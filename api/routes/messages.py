"""POST /v1/messages: a batch of messages validated, classified and stored (idempotent)."""

from __future__ import annotations

import logging
import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from api.auth import Principal, log_raw_read, require
from api.dependencies import ActiveModel, Scheduler, StoreDep
from api.errors import error_response
from api.safe_json import SafeJsonRoute
from api.schemas import ErrorOut
from models.settings import settings

log = logging.getLogger("otklik.api.insights")
router = APIRouter(tags=["insights"], route_class=SafeJsonRoute)
MAX_INGEST_ITEMS = 10_000


class ScheduledModel:
    """The classifier, with `classify` going through the batch scheduler (fair share)."""

    def __init__(self, model, scheduler, deadline: float) -> None:
        self._model, self._scheduler, self._deadline = model, scheduler, deadline

    def classify(self, texts):
        return self._scheduler.classify_sync(self._model, texts, self._deadline)

    def __getattr__(self, name: str):
        return getattr(self._model, name)


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


@router.post(
    "/v1/messages",
    responses={422: {"model": ErrorOut}, 503: {"model": ErrorOut}},
    dependencies=[Depends(require("system"))],
)
def ingest_messages(
    body: IngestRequest, store: StoreDep, model: ActiveModel, scheduler: Scheduler
) -> JSONResponse:
    from insights.ingest import ingest_batch

    started = time.perf_counter()
    deadline = time.monotonic() + settings().request_deadline_s
    scheduled = ScheduledModel(model, scheduler, deadline)  # shares the classifier's queue
    result = ingest_batch(store, scheduled, body.items, source=body.source or "default")
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


@router.get(
    "/v1/messages/{source}/{message_id}",
    responses={403: {"model": ErrorOut}, 404: {"model": ErrorOut}, 503: {"model": ErrorOut}},
)
def read_message(
    source: str,
    message_id: str,
    store: StoreDep,
    principal: Annotated[Principal, Depends(require("analyst", "press"))],
    raw: bool = False,
) -> JSONResponse:
    """A stored message: its masked text and classification. `raw=true` (admin only) adds the
    raw text when the store keeps it; each such read is logged (who, which message)."""
    from sqlalchemy import select

    from insights.store import Message, MessageBody

    if raw and "admin" not in principal.roles:
        return error_response(403, "forbidden", "the raw text is for the admin role only")
    with store.session() as session:
        row = session.execute(
            select(Message, MessageBody)
            .join(MessageBody, MessageBody.message_pk == Message.pk)
            .where(Message.source == source, Message.external_id == message_id)
        ).first()
    if row is None:
        return error_response(404, "message_not_found", "no such message in this source")
    message, body = row
    out = {
        "source": message.source,
        "id": message.external_id,
        "received_at": message.received_at.isoformat(),
        "masked_text": body.masked_text,
        "classification": body.classification,
    }
    if raw:
        out["text"] = body.text
        if body.text is not None:
            log_raw_read(principal, message.source, message.external_id)
    return JSONResponse(out)
