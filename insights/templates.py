"""Answer templates per topic and type: kept (create, edit, retire), matched to a queued item
(best 3), filled from it (insights/placeholders.py), and listed for review when unused for
REVIEW_DAYS."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, insert, select, update

from insights.fields import utcnow
from insights.placeholders import KNOWN, Context, fill, unknown_placeholders
from insights.press_store import AnswerTemplate
from insights.store import Store

REVIEW_DAYS = 90
BEST = 3
MAX_BODY_CHARS = 5000


class TemplateError(ValueError):
    def __init__(self, status: int, message: str, message_ru: str) -> None:
        super().__init__(message)
        self.status, self.message, self.message_ru = status, message, message_ru


def to_dict(t: AnswerTemplate) -> dict:
    return {
        "id": t.id,
        "title": t.title,
        "topic": t.topic,
        "type": t.type,
        "body": t.body,
        "created_at": t.created_at.isoformat(),
        "created_by": t.created_by,
        "updated_at": t.updated_at.isoformat(),
        "retired_at": t.retired_at.isoformat() if t.retired_at else None,
        "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
        "use_count": t.use_count,
    }


def _check(title: str | None, body: str | None) -> None:
    if title is not None and not title.strip():
        raise TemplateError(422, "title is empty", "пустое название")
    if body is not None:
        if not body.strip():
            raise TemplateError(422, "body is empty", "пустой текст шаблона")
        if len(body) > MAX_BODY_CHARS:
            raise TemplateError(422, f"body over {MAX_BODY_CHARS} characters",
                                f"текст длиннее {MAX_BODY_CHARS} символов")  # fmt: skip
        unknown = unknown_placeholders(body)
        if unknown:
            names = ", ".join("{" + u + "}" for u in unknown)
            known = ", ".join("{" + k + "}" for k in KNOWN)
            raise TemplateError(422, f"unknown placeholders {names}; known: {known}",
                                f"неизвестные подстановки {names}; допустимы: {known}")  # fmt: skip


def create(
    store: Store, *, title: str, body: str, topic: str | None = None, type: str | None = None,
    author: str | None = None, now: datetime | None = None,
) -> dict:  # fmt: skip
    _check(title, body)
    now = now or utcnow()
    with store.session.begin() as session:
        pk = session.execute(
            insert(AnswerTemplate).values(
                title=title.strip(), body=body.strip(), topic=topic or None, type=type or None,
                created_at=now, created_by=author, updated_at=now, use_count=0,
            )  # fmt: skip
        ).inserted_primary_key[0]
    return get(store, pk)


def get(store: Store, template_id: int) -> dict:
    with store.session() as session:
        found = session.get(AnswerTemplate, template_id)
        if found is None:
            raise TemplateError(404, f"no template {template_id}", f"нет шаблона {template_id}")
        return to_dict(found)


def edit(store: Store, template_id: int, now: datetime | None = None, **changes) -> dict:
    changes = {k: v for k, v in changes.items() if k in ("title", "body", "topic", "type")}
    for key in ("title", "body"):
        if key in changes and changes[key] is None:
            raise TemplateError(422, f"{key} cannot be null", f"поле {key} не может быть пустым")
    _check(changes.get("title"), changes.get("body"))
    get(store, template_id)
    for key in ("topic", "type"):
        if key in changes:
            changes[key] = changes[key] or None
    with store.session.begin() as session:
        session.execute(
            update(AnswerTemplate)
            .where(AnswerTemplate.id == template_id)
            .values(**changes, updated_at=now or utcnow())
        )
    return get(store, template_id)


def retire(store: Store, template_id: int, now: datetime | None = None) -> dict:
    get(store, template_id)
    now = now or utcnow()
    with store.session.begin() as session:
        session.execute(
            update(AnswerTemplate)
            .where(AnswerTemplate.id == template_id, AnswerTemplate.retired_at.is_(None))
            .values(retired_at=now, updated_at=now)
        )
    return get(store, template_id)


def listing(store: Store, include_retired: bool = False) -> list[dict]:
    query = select(AnswerTemplate).order_by(AnswerTemplate.topic, AnswerTemplate.id)
    if not include_retired:
        query = query.where(AnswerTemplate.retired_at.is_(None))
    with store.session() as session:
        return [to_dict(t) for t in session.scalars(query)]


def for_review(store: Store, now: datetime | None = None, days: int = REVIEW_DAYS) -> list[dict]:
    """Templates in use that nobody used (or, if never used, created) `days` ago or earlier."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    last = func.coalesce(AnswerTemplate.last_used_at, AnswerTemplate.created_at)
    query = (
        select(AnswerTemplate)
        .where(AnswerTemplate.retired_at.is_(None), last < cutoff)
        .order_by(last)
    )
    with store.session() as session:
        return [to_dict(t) for t in session.scalars(query)]


def _score(t: dict, topic: str | None, mtype: str | None) -> float | None:
    """Topic match 2 (any-topic template 0.5), type match 1 (any-type 0.25); a template
    for another topic or type does not fit."""
    score = 0.0
    if t["topic"] is not None:
        if t["topic"] != topic:
            return None
        score += 2
    else:
        score += 0.5
    if t["type"] is not None:
        if t["type"] != mtype:
            return None
        score += 1
    else:
        score += 0.25
    return score


def best(templates: list[dict], topic: str | None, mtype: str | None, n: int = BEST) -> list:
    scored = [(s, t) for t in templates if (s := _score(t, topic, mtype)) is not None]
    scored.sort(key=lambda st: (-st[0], -st[1]["use_count"], st[1]["id"]))
    return [t for _, t in scored[:n]]


def drafts(templates: list[dict], item: dict, ctx: Context, n: int = BEST) -> list[dict]:
    """The best `n` templates for a queued item, each filled from the message."""
    out = []
    for t in best(templates, item.get("topic"), item.get("type"), n):
        text, fills = fill(t["body"], ctx)
        out.append({
            "template_id": t["id"], "title": t["title"], "text": text,
            "placeholders": [f.to_dict() for f in fills],
            "complete": all(f.status == "filled" for f in fills),
        })  # fmt: skip
    return out
