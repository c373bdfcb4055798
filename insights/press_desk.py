"""What the press desk's page and API show for the queue: the items with their best
templates, the alerts with their messages, the counts, the rules in force."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from insights import spikes, templates
from insights.deadlines import DeadlinePolicy
from insights.fields import utcnow
from insights.labels import Names
from insights.placeholders import Context
from insights.store import Message, MessageBody, Store
from insights.triage import QueueFilter, counts, get_item, queue


def policy_dict(policy: DeadlinePolicy) -> dict:
    wh = policy.working_hours
    return {
        "official_hours": policy.official_hours,
        "default_hours": policy.default_hours,
        "rules": [r.__dict__ for r in policy.rules],
        "working_hours": None if wh is None else {
            "start": wh.start.isoformat("minutes"), "end": wh.end.isoformat("minutes"),
            "days": sorted(wh.days), "utc_offset_hours": wh.utc_offset.total_seconds() / 3600,
        },
        "source": policy.source,
    }  # fmt: skip


def _alert_messages(store: Store, ids: list[int], limit: int = 50) -> list[dict]:
    with store.session() as session:
        rows = session.execute(
            select(Message.pk, Message.url, Message.channel, Message.published_at,
                   Message.received_at, MessageBody.masked_text)  # fmt: skip
            .join(MessageBody, MessageBody.message_pk == Message.pk)
            .where(Message.pk.in_(ids[:limit]))
            .order_by(Message.pk)
        ).all()
    return [
        {"id": pk, "url": url, "channel": channel,
         "published_at": (published or received).isoformat(), "text": text}
        for pk, url, channel, published, received, text in rows
    ]  # fmt: skip


def board(
    store: Store, policy: DeadlinePolicy, flt: QueueFilter, names: Names,
    now: datetime | None = None,
) -> dict:  # fmt: skip
    now = now or utcnow()
    items = queue(store, policy, flt, now)
    active = templates.listing(store)
    for item in items:
        item["topic_name"] = names.name("topic", item["topic"])
        item["templates"] = [
            {"id": t["id"], "title": t["title"]}
            for t in templates.best(active, item["topic"], item["type"])
        ]
    alerts = spikes.detect(store, now)
    for alert in alerts:
        alert["topic_name"] = names.name("topic", alert["topic"]) if alert["topic"] else None
        alert["messages"] = _alert_messages(store, alert["message_ids"])
    return {
        "now": now.isoformat(),
        "counts": counts(store, policy, now),
        "alerts": alerts,
        "spike_rule": spikes.Rule().describe(),
        "policy": policy_dict(policy),
        "items": items,
    }


def raw_text(store: Store, pk: int) -> str | None:
    with store.session() as session:
        return session.scalar(select(MessageBody.text).where(MessageBody.message_pk == pk))


def item_with_drafts(
    store: Store, policy: DeadlinePolicy, pk: int, names: Names, *, personal: bool,
    now: datetime | None = None,
) -> dict:  # fmt: skip
    """One item, its history and its best 3 filled drafts. `personal`: the caller may see
    personal data (names and house numbers come from the raw text, when it is stored)."""
    now = now or utcnow()
    item = get_item(store, policy, pk, now)
    item["topic_name"] = names.name("topic", item["topic"])
    deadline = datetime.fromisoformat(item["deadline"])
    ctx = Context(
        masked_text=item["text"],
        raw_text=raw_text(store, pk) if personal else None,
        topic_name=item["topic_name"],
        place=item["place"],
        published=datetime.fromisoformat(item["published_at"]).strftime("%d.%m.%Y"),
        deadline=deadline.strftime("%d.%m.%Y %H:%M"),
    )
    item["drafts"] = templates.drafts(templates.listing(store), item, ctx)
    return item
