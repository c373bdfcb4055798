"""Typed request and response bodies of the HTTP API (version 1)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

MAX_TEXT_CHARS = 20_000
MAX_BATCH_ITEMS = 256
MAX_BODY_BYTES = 8 * 1024 * 1024


def check_text(value: str) -> str:
    if not value.strip():
        raise ValueError("text is empty or whitespace only")
    if len(value) > MAX_TEXT_CHARS:
        raise ValueError(f"text is {len(value)} characters long; the limit is {MAX_TEXT_CHARS}")
    return value


class MessageIn(BaseModel):
    """One message to classify. Only `text` is required; metadata is echoed back."""

    model_config = ConfigDict(extra="forbid")

    id: str | int | None = Field(default=None, description="The sender system's own id.")
    text: str = Field(description=f"Message text, 1 to {MAX_TEXT_CHARS} characters.")
    kind: str | None = Field(default=None, examples=["appeal", "review", "post"])
    channel: str | None = Field(default=None, examples=["website", "social_vk"])
    region: str | None = None
    received_at: str | None = None

    @field_validator("text")
    @classmethod
    def text_not_blank(cls, value: str) -> str:
        return check_text(value)


class ClassifyRequest(BaseModel):
    """Either one message (`text`, optional `id`) or a batch (`items`)."""

    model_config = ConfigDict(extra="forbid")

    items: list[MessageIn] | None = Field(
        default=None, description=f"A batch of 1 to {MAX_BATCH_ITEMS} messages."
    )
    text: str | None = Field(default=None, description="A single text (instead of items).")
    id: str | int | None = None
    include_personal_data: bool = Field(
        default=False,
        description="Return persons' names and addresses in entities (masked otherwise).",
    )

    @field_validator("text")
    @classmethod
    def text_not_blank(cls, value: str | None) -> str | None:
        return None if value is None else check_text(value)

    @model_validator(mode="after")
    def one_form(self) -> ClassifyRequest:
        if self.items is None and self.text is None:
            raise ValueError("give either 'text' or 'items'")
        if self.items is not None and self.text is not None:
            raise ValueError("give either 'text' or 'items', not both")
        if self.items is not None:
            if not self.items:
                raise ValueError(f"items is empty; send 1 to {MAX_BATCH_ITEMS} messages")
            if len(self.items) > MAX_BATCH_ITEMS:
                raise ValueError(
                    f"items has {len(self.items)} messages; the limit is {MAX_BATCH_ITEMS}"
                )
        return self

    def messages(self) -> list[MessageIn]:
        if self.items is not None:
            return self.items
        return [MessageIn(id=self.id, text=self.text or "")]


class ScoredLabel(BaseModel):
    id: str
    name: str
    score: float


class UrgencyOut(BaseModel):
    level: str
    name: str
    score: float
    reasons: list[dict[str, str]]


class ClassificationOut(BaseModel):
    id: str | int | None
    topic: ScoredLabel
    topics: list[ScoredLabel]
    sentiment: ScoredLabel
    type: ScoredLabel
    aspects: list[ScoredLabel]
    urgency: UrgencyOut
    language: str
    entities: list[dict[str, Any]]
    places: dict[str, Any]
    masked_text: str
    pii: list[dict[str, Any]]
    warnings: list[str]


class ModelRef(BaseModel):
    name: str
    version: str


class ClassifyResponse(BaseModel):
    model: ModelRef
    items: list[ClassificationOut]


class ErrorOut(BaseModel):
    error: str
    message: str
    details: list[dict[str, Any]] = []


# A stored row's number in a path: what SQLite and PostgreSQL integers hold (else a 422, not 500)
MAX_ROW_ID = 2**63 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="The stored row's number")]
