"""The press desk's queue: GET /v1/triage (filters), GET /v1/triage/{id} (history, drafts),
POST /v1/triage/{id} (a status change by the person behind the API key)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from api.auth import Principal, require
from api.dependencies import NamesDep, StoreDep
from api.errors import error_response
from api.schemas import MAX_ROW_ID, ErrorOut, RowId

router = APIRouter(tags=["press"])
Reader = Annotated[Principal, Depends(require("press", "analyst"))]
Writer = Annotated[Principal, Depends(require("press"))]
ERRORS = {404: {"model": ErrorOut}, 409: {"model": ErrorOut}, 422: {"model": ErrorOut}}


class StatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["new", "in_work", "answered", "no_answer_needed"]
    text: str | None = Field(default=None, max_length=10_000, description="The answer posted")
    reason: str | None = Field(default=None, max_length=2_000, description="Why no answer")
    template_id: int | None = Field(
        default=None, ge=1, le=MAX_ROW_ID, description="The template the answer used"
    )


def _policy():
    from insights.deadlines import load_policy

    return load_policy()


def _triage_error(exc) -> JSONResponse:
    return error_response(exc.status, exc.code, exc.message)


@router.get("/v1/triage", responses=ERRORS)
def triage_board(
    store: StoreDep,
    names: NamesDep,
    principal: Reader,
    status: Annotated[str, Query(description="Comma-separated: new,in_work,answered,"
                                 "no_answer_needed; default: the open ones")] = "new,in_work",
    channel: Annotated[str | None, Query(max_length=60)] = None,
    topic: Annotated[str | None, Query(max_length=100)] = None,
    region: Annotated[str | None, Query(max_length=200)] = None,
    overdue: bool = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
):  # fmt: skip
    from insights.press_desk import board
    from insights.triage import STATUSES, QueueFilter

    wanted = tuple(s.strip() for s in status.split(",") if s.strip())
    unknown = [s for s in wanted if s not in STATUSES]
    if unknown or not wanted:
        known = ", ".join(STATUSES)
        return error_response(
            422, "invalid_request", f"unknown status {', '.join(unknown)}; known: {known}"
        )
    flt = QueueFilter(status=wanted, channel=channel, topic=topic, region=region,
                      overdue_only=overdue, limit=limit)  # fmt: skip
    return JSONResponse(board(store, _policy(), flt, names))


@router.get("/v1/triage/{item_id}", responses=ERRORS)
def triage_item(item_id: RowId, store: StoreDep, names: NamesDep, principal: Reader):
    from insights.press_desk import item_with_drafts
    from insights.triage import TriageError

    personal = "admin" in principal.roles
    try:
        item = item_with_drafts(store, _policy(), item_id, names, personal=personal)
    except TriageError as exc:
        return _triage_error(exc)
    return JSONResponse(item)


@router.post("/v1/triage/{item_id}", responses=ERRORS)
def change_triage_status(
    item_id: RowId, body: StatusChange, store: StoreDep, names: NamesDep, principal: Writer
):
    from insights.press_desk import item_with_drafts
    from insights.triage import Actor, TriageError, change_status

    actor = Actor(principal.key_id, principal.name)
    try:
        change_status(store, item_id, body.status, actor, text=body.text, reason=body.reason,
                      template_id=body.template_id)  # fmt: skip
        item = item_with_drafts(store, _policy(), item_id, names,
                                personal="admin" in principal.roles)  # fmt: skip
    except TriageError as exc:
        return _triage_error(exc)
    return JSONResponse(item)
