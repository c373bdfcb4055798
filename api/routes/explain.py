"""POST /v1/explain: a text's classification and the words that drove its topic (occlusion,
models/explain.py), over the masked text: `words[].spans` point into `explained_text`."""

from __future__ import annotations

import time

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.auth import require
from api.dependencies import ActiveModel, Scheduler
from api.errors import error_response
from api.safe_json import SafeJsonRoute
from api.schemas import ErrorOut, check_text
from models.explain import TopicProbe, contributions, distinct_words, without
from models.settings import settings

router = APIRouter(tags=["classify"], route_class=SafeJsonRoute)
PROBES: dict[int, TopicProbe] = {}  # one probe per loaded classifier: the scheduler batches by it


class ExplainRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="The text to classify and explain.")
    topic: str | None = Field(default=None, description="Topic id to explain (default: the top).")

    @field_validator("text")
    @classmethod
    def text_not_blank(cls, value: str) -> str:
        return check_text(value)


def _probe(model) -> TopicProbe:
    probe = PROBES.get(id(model))
    if probe is None or probe.classifier is not model:
        probe = PROBES[id(model)] = TopicProbe(model)
    return probe


@router.post(
    "/v1/explain",
    responses={413: {"model": ErrorOut}, 422: {"model": ErrorOut}},
    dependencies=[Depends(require("analyst", "system"))],
)
async def explain(body: ExplainRequest, model: ActiveModel, scheduler: Scheduler):
    deadline = time.monotonic() + settings().request_deadline_s
    probe = _probe(model)
    [record] = await scheduler.classify(model, [body.text], deadline)
    topic = body.topic or record.topic.id
    if topic not in probe.labels:
        if body.topic:
            return error_response(422, "unknown_topic", f"topic {topic!r} cannot be explained")
        ranked = [t.id for t in record.topics if t.id in probe.labels]  # an added topic on top
        topic = ranked[0] if ranked else probe.labels[0]
    out = record.to_dict()
    text = out["masked_text"]  # personal data never comes back, not even as a "word"
    words = distinct_words(text)
    probs = await scheduler.classify(probe, [text] + [without(text, w) for w in words], deadline)
    out["explained_topic"] = {
        "id": topic,
        "name": model.label_name("topic", topic),
        "score": round(probs[0].get(topic, 0.0), 4),
    }
    out["explained_text"] = text
    out["words"] = contributions(words, probs[0], probs[1:], topic)
    out["method"] = "occlusion: score = p(topic) − p(topic without the word)"
    return out
