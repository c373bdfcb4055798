"""HTTP endpoints for topics added at run time (models/added_topics.py), of the active model.

    POST   /v1/topics        {"id"?, "name", "description", "examples": [...]} → 201, the topic
    GET    /v1/topics        the added topics
    DELETE /v1/topics/{id}   204, or 404 when there is no such added topic

An added topic is used by /v1/classify as soon as the POST has answered, and listed by
/v1/taxonomy with "added": true.
"""

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from api.auth import require
from api.dependencies import ActiveModel
from api.errors import error_response
from api.safe_json import SafeJsonRoute
from api.schemas import ErrorOut
from models.added_topics import (
    MAX_DESCRIPTION_CHARS,
    MAX_NAME_CHARS,
    MIN_EXAMPLES,
    RECOMMENDED_EXAMPLES,
    AddedTopicError,
)

router = APIRouter(tags=["topics"], route_class=SafeJsonRoute)
ANALYST = [Depends(require("analyst"))]
ERRORS = {s: {"model": ErrorOut} for s in (400, 404, 409, 422)}
_STATUS = {
    "invalid": (422, "invalid_topic"),
    "conflict": (409, "topic_exists"),
    "not_found": (404, "topic_not_found"),
    "broken": (503, "topics_file_broken"),  # fix or remove the file; nothing is lost
}


class TopicIn(BaseModel):
    """A new topic: its name, what it covers, and example texts (personal data is masked)."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(
        default=None,
        description="Latin id (a-z, 0-9, _ and -); made from the name when not given.",
        examples=["stray_dogs"],
    )
    name: str = Field(description=f"Display name, up to {MAX_NAME_CHARS} characters.")
    description: str = Field(
        default="", description=f"What the topic covers, up to {MAX_DESCRIPTION_CHARS} chars."
    )
    examples: list[str] = Field(
        description=f"At least {MIN_EXAMPLES} texts of the topic, {RECOMMENDED_EXAMPLES}+ advised."
    )


def _error(exc: AddedTopicError) -> JSONResponse:
    status, error = _STATUS.get(exc.kind, (422, "invalid_topic"))
    return error_response(status, error, str(exc))


@router.post("/v1/topics", status_code=201, responses=ERRORS, dependencies=ANALYST)
def add_topic(body: TopicIn, model: ActiveModel):
    try:
        topic, warnings = model.added_topics.add(
            body.name, body.description, body.examples, topic_id=body.id
        )
    except AddedTopicError as exc:
        return _error(exc)
    return JSONResponse(status_code=201, content={**topic.summary(), "warnings": warnings})


@router.get("/v1/topics", dependencies=ANALYST)
def list_topics(model: ActiveModel) -> dict:
    return {"model": model.name, "topics": [t.summary() for t in model.added_topics.current()]}


@router.delete("/v1/topics/{topic_id}", status_code=204, responses=ERRORS, dependencies=ANALYST)
def remove_topic(topic_id: str, model: ActiveModel):
    try:
        model.added_topics.remove(topic_id)
    except AddedTopicError as exc:
        return _error(exc)
    return Response(status_code=204)
