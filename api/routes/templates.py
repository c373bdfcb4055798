"""Answer templates: list, review (unused for 90 days), create, edit, retire."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from api.auth import Principal, require
from api.dependencies import StoreDep
from api.errors import error_response
from api.schemas import ErrorOut, RowId

router = APIRouter(tags=["press"])
Reader = Annotated[Principal, Depends(require("press", "analyst"))]
Writer = Annotated[Principal, Depends(require("press"))]
ERRORS = {404: {"model": ErrorOut}, 422: {"model": ErrorOut}}


class TemplateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=5000,
                      description="Text with placeholders: {имя}, {адрес}, {номер обращения}, "
                                  "{срок}, {срок ответа}, {тема}, {место}, {район}, "
                                  "{организация}, {дата}")  # fmt: skip
    topic: str | None = Field(default=None, max_length=100, description="Topic id; none: any")
    type: str | None = Field(default=None, max_length=40, description="Type id; none: any")


class TemplateEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=200)
    body: str | None = Field(default=None, min_length=1, max_length=5000)
    topic: str | None = Field(default=None, max_length=100)
    type: str | None = Field(default=None, max_length=40)


def _error(exc) -> JSONResponse:
    code = "not_found" if exc.status == 404 else "invalid_template"
    return error_response(exc.status, code, str(exc))


@router.get("/v1/templates", responses=ERRORS)
def list_templates(store: StoreDep, principal: Reader, include_retired: bool = False):
    from insights.templates import listing

    return JSONResponse({"templates": listing(store, include_retired)})


@router.get("/v1/templates/review", responses=ERRORS)
def templates_for_review(store: StoreDep, principal: Reader):
    from insights.templates import REVIEW_DAYS, for_review

    return JSONResponse({"days": REVIEW_DAYS, "templates": for_review(store)})


@router.post("/v1/templates", status_code=201, responses=ERRORS)
def create_template(body: TemplateIn, store: StoreDep, principal: Writer):
    from insights.templates import TemplateError, create

    try:
        made = create(store, title=body.title, body=body.body, topic=body.topic,
                      type=body.type, author=principal.name)  # fmt: skip
    except TemplateError as exc:
        return _error(exc)
    return JSONResponse(made, status_code=201)


@router.put("/v1/templates/{template_id}", responses=ERRORS)
def edit_template(template_id: RowId, body: TemplateEdit, store: StoreDep, principal: Writer):
    from insights.templates import TemplateError, edit

    try:
        return JSONResponse(edit(store, template_id, **body.model_dump(exclude_unset=True)))
    except TemplateError as exc:
        return _error(exc)


@router.post("/v1/templates/{template_id}/retire", responses=ERRORS)
def retire_template(template_id: RowId, store: StoreDep, principal: Writer):
    from insights.templates import TemplateError, retire

    try:
        return JSONResponse(retire(store, template_id))
    except TemplateError as exc:
        return _error(exc)
