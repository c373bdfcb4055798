"""The press desk's triage queue: open-resource items ordered by what must be answered first,
their statuses (new → in_work → answered | no_answer_needed) and every change of them.

Order: the deadline (published_at, else received_at, plus the deadline of its channel and
kind, insights/deadlines.py) in slots of QUEUE_SLOT — overdue items first —, then urgency,
negativity, reach. Within one slot a more urgent, more negative, more widely read item
comes first; across slots the earlier deadline does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from insights.deadlines import DeadlinePolicy
from insights.fields import utcnow
from insights.open_resource import OPEN_RESOURCE_CHANNELS
from insights.press_store import AnswerTemplate, TriageEvent, TriageState
from insights.store import Message, MessageBody, Store

STATUSES = ("new", "in_work", "answered", "no_answer_needed")
OPEN = ("new", "in_work")
TRANSITIONS = {
    "new": frozenset({"in_work", "no_answer_needed"}),
    "in_work": frozenset({"answered", "no_answer_needed", "new"}),
    "no_answer_needed": frozenset({"new"}),  # reopened when the decision was wrong
    "answered": frozenset(),
}
QUEUE_SLOT = timedelta(minutes=5)
URGENCY_RANK = {"high": 2, "medium": 1, "low": 0}
MAX_ANSWER_CHARS = 10_000


class TriageError(Exception):
    """A change the queue refuses: `status` is the HTTP status, messages in English and
    Russian."""

    def __init__(self, status: int, code: str, message: str, message_ru: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.message_ru = status, code, message, message_ru


@dataclass(frozen=True)
class Actor:
    """The person behind the API key that made a change."""

    key_id: str | None
    name: str


@dataclass(frozen=True)
class QueueFilter:
    status: tuple[str, ...] = OPEN
    channel: str | None = None
    topic: str | None = None
    region: str | None = None
    overdue_only: bool = False
    limit: int = 200


def open_resource_clause():
    return or_(Message.url.is_not(None), Message.channel.in_(sorted(OPEN_RESOURCE_CHANNELS)))


def _columns():
    return (
        Message,
        MessageBody.masked_text,
        TriageState,
    )


def _negativity(message: Message) -> float:
    if message.sentiment == "negative":
        return message.sentiment_score
    if message.sentiment == "positive":
        return -message.sentiment_score
    return 0.0


def item_dict(
    message: Message, masked_text: str, state: TriageState | None, policy: DeadlinePolicy,
    now: datetime,
) -> dict:  # fmt: skip
    start = message.published_at or message.received_at
    deadline = policy.deadline(start, message.channel, message.kind, bool(message.official))
    status = state.status if state else "new"
    done_at = state.answered_at if state and status == "answered" else None
    open_ = status in OPEN
    overdue = (open_ and now > deadline) or (done_at is not None and done_at > deadline)
    return {
        "id": message.pk,
        "source": message.source,
        "external_id": message.external_id,
        "text": masked_text,
        "url": message.url,
        "parent_url": message.parent_url,
        "author": message.author_masked,
        "channel": message.channel,
        "kind": message.kind,
        "official": bool(message.official),
        "reach": message.reach,
        "published_at": start.isoformat(),
        "deadline": deadline.isoformat(),
        "deadline_hours": policy.hours_for(message.channel, message.kind, bool(message.official)),
        "seconds_left": int((deadline - now).total_seconds()) if open_ else None,
        "overdue": overdue,
        "topic": message.topic,
        "type": message.type,
        "sentiment": message.sentiment,
        "sentiment_score": round(message.sentiment_score, 3),
        "urgency": message.urgency,
        "region": message.region_name or message.region,
        "region_code": message.region_code,
        "place": message.city,
        "status": status,
        "assignee": state.assignee if state else None,
        "taken_at": state.taken_at.isoformat() if state and state.taken_at else None,
        "answered_at": done_at.isoformat() if done_at else None,
        "answer_text": state.answer_text if state else None,
        "reason": state.reason if state else None,
        "_sort": (
            (deadline - datetime(2000, 1, 1)) // QUEUE_SLOT,
            -URGENCY_RANK.get(message.urgency, 0),
            -_negativity(message),
            -(message.reach or 0),
            deadline,
            message.pk,
        ),
    }


def _base_query(flt: QueueFilter):
    query = (
        select(*_columns())
        .join(MessageBody, MessageBody.message_pk == Message.pk)
        .outerjoin(TriageState, TriageState.message_pk == Message.pk)
        .where(open_resource_clause())
    )
    status_clauses = [TriageState.status.in_(flt.status)]
    if "new" in flt.status:
        status_clauses.append(TriageState.status.is_(None))
    query = query.where(or_(*status_clauses))
    if flt.channel:
        query = query.where(Message.channel == flt.channel)
    if flt.topic:
        query = query.where(Message.topic == flt.topic)
    if flt.region:
        query = query.where(
            or_(Message.region_code == flt.region.upper(), Message.region_name == flt.region,
                Message.region == flt.region, Message.city == flt.region)  # fmt: skip
        )
    return query


def queue(
    store: Store, policy: DeadlinePolicy, flt: QueueFilter = QueueFilter(),
    now: datetime | None = None,
) -> list[dict]:  # fmt: skip
    """Items matching `flt`, most pressing first (see the module's docstring)."""
    now = now or utcnow()
    with store.session() as session:
        rows = session.execute(_base_query(flt)).all()
    items = [item_dict(m, text, state, policy, now) for m, text, state in rows]
    if flt.overdue_only:
        items = [i for i in items if i["overdue"]]
    items.sort(key=lambda i: i["_sort"])
    return [{k: v for k, v in i.items() if k != "_sort"} for i in items[: flt.limit]]


def counts(store: Store, policy: DeadlinePolicy, now: datetime | None = None) -> dict:
    """Items by status, and the overdue: open past the deadline, answered after it."""
    now = now or utcnow()
    everything = QueueFilter(status=STATUSES, limit=10**9)
    items = queue(store, policy, everything, now)
    out = {status: 0 for status in STATUSES}
    for item in items:
        out[item["status"]] += 1
    out["overdue_open"] = sum(1 for i in items if i["overdue"] and i["status"] in OPEN)
    out["answered_late"] = sum(1 for i in items if i["overdue"] and i["status"] == "answered")
    return out


def get_item(store: Store, policy: DeadlinePolicy, pk: int, now: datetime | None = None) -> dict:
    now = now or utcnow()
    with store.session() as session:
        row = session.execute(
            select(*_columns())
            .join(MessageBody, MessageBody.message_pk == Message.pk)
            .outerjoin(TriageState, TriageState.message_pk == Message.pk)
            .where(Message.pk == pk, open_resource_clause())
        ).first()
        if row is None:
            raise TriageError(404, "not_found", f"no queued item {pk}", f"нет элемента {pk}")
        events = session.scalars(
            select(TriageEvent).where(TriageEvent.message_pk == pk).order_by(TriageEvent.id)
        ).all()
    item = item_dict(*row, policy, now)
    item.pop("_sort")
    item["history"] = [
        {"at": e.at.isoformat(), "who": e.actor, "key_id": e.actor_key_id,
         "from": e.from_status, "to": e.to_status, "note": e.note}  # fmt: skip
        for e in events
    ]
    return item


def _check_change(current: TriageState | None, to: str, actor: Actor, text, reason) -> str:
    status = current.status if current else "new"
    if to not in STATUSES:
        raise TriageError(422, "invalid_status", f"unknown status {to!r}",
                          f"неизвестный статус «{to}»")  # fmt: skip
    if to not in TRANSITIONS[status]:
        who = f" ({current.assignee})" if current and current.assignee else ""
        raise TriageError(
            409, "invalid_transition", f"cannot go from {status} to {to}{who}",
            f"нельзя перевести из «{status}» в «{to}»{who}",
        )  # fmt: skip
    if to == "answered" and not (text and text.strip()):
        raise TriageError(422, "answer_required", "the text of the answer is required",
                          "нужен текст ответа")  # fmt: skip
    if to == "no_answer_needed" and not (reason and reason.strip()):
        raise TriageError(422, "reason_required", "say why no answer is needed",
                          "укажите, почему ответ не нужен")  # fmt: skip
    if text and len(text) > MAX_ANSWER_CHARS:
        raise TriageError(422, "answer_too_long", f"answer over {MAX_ANSWER_CHARS} characters",
                          f"ответ длиннее {MAX_ANSWER_CHARS} символов")  # fmt: skip
    return status


def _conflict() -> TriageError:
    return TriageError(
        409, "conflict", "changed by someone else; reload",
        "элемент только что изменил другой сотрудник; обновите страницу",
    )  # fmt: skip


def change_status(
    store: Store,
    pk: int,
    to: str,
    actor: Actor,
    *,
    text: str | None = None,
    reason: str | None = None,
    template_id: int | None = None,
    now: datetime | None = None,
) -> str:
    """Move item `pk` to status `to`; the change and who made it are kept. Returns the old
    status. A concurrent change of the same item loses with 409, not silently."""
    now = now or utcnow()
    with store.session.begin() as session:
        found = session.execute(
            select(Message.pk, TriageState)
            .outerjoin(TriageState, TriageState.message_pk == Message.pk)
            .where(Message.pk == pk, open_resource_clause())
        ).first()
        if found is None:
            raise TriageError(404, "not_found", f"no queued item {pk}", f"нет элемента {pk}")
        current = found[1]
        old = _check_change(current, to, actor, text, reason)
        values: dict = {"status": to, "updated_at": now}
        if to == "in_work":
            values.update(assignee=actor.name, assignee_key_id=actor.key_id, taken_at=now)
        elif to == "new":
            values.update(assignee=None, assignee_key_id=None, taken_at=None, reason=None)
        elif to == "answered":
            values.update(answered_at=now, answer_text=text.strip(), template_id=template_id)
        else:
            values.update(reason=reason.strip())
        if current is None:
            try:
                with session.begin_nested():
                    session.execute(insert(TriageState).values(message_pk=pk, **values))
            except IntegrityError as exc:
                raise _conflict() from exc
        else:
            done = session.execute(
                update(TriageState)
                .where(and_(TriageState.message_pk == pk, TriageState.status == old))
                .values(**values)
            )
            if done.rowcount != 1:
                raise _conflict()
        if to == "answered":
            session.execute(update(Message).where(Message.pk == pk).values(answered_at=now))
            if template_id is not None:
                session.execute(
                    update(AnswerTemplate)
                    .where(AnswerTemplate.id == template_id)
                    .values(last_used_at=now, use_count=AnswerTemplate.use_count + 1)
                )
        note = reason.strip() if to == "no_answer_needed" else None
        if to == "answered" and template_id is not None:
            note = f"template {template_id}"
        session.execute(
            insert(TriageEvent).values(
                message_pk=pk, actor=actor.name, actor_key_id=actor.key_id, at=now,
                from_status=old, to_status=to, note=note,
            )  # fmt: skip
        )
    return old


def history_count(store: Store) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(TriageEvent)) or 0
