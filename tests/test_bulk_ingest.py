"""`ingest --classified` (insights.bulk_ingest) on both backends: rows as the archive job
writes them are stored with their texts and aspects, and in time order."""

from __future__ import annotations

import random
from datetime import datetime

from classified_fixtures import classified_rows
from sqlalchemy import func, select

from insights.bulk_ingest import ingest_classified
from insights.store import Message, MessageAspect, MessageBody, Store


def test_rows_in_random_order_are_stored_in_time_order(store_url):
    rows = list(classified_rows(300, seed=3, days=90))
    random.Random(0).shuffle(rows)
    for i in range(0, 300, 7):  # posts collected long after they were published
        rows[i]["published_at"] = f"2025-12-{1 + i % 28:02d}T10:00:00"
    store = Store(store_url)
    result = ingest_classified(
        store, ((n, row, None) for n, row in enumerate(rows, 1)), batch=120
    )
    assert result.stored == 300 and not result.rejected
    with store.session() as session:
        moments = session.execute(
            select(Message.pk, func.coalesce(Message.published_at, Message.received_at))
            .order_by(Message.pk)
        ).all()  # fmt: skip
        aspects = session.scalar(select(func.count()).select_from(MessageAspect))
        bodies = dict(
            session.execute(select(MessageBody.message_pk, MessageBody.masked_text)).all()
        )
        texts = dict(session.execute(select(Message.pk, Message.external_id)).all())
    store.close()
    # each batch written in time order, so a period's messages share table pages
    for start in range(0, 300, 120):
        batch = [moment for _, moment in moments[start : start + 120]]
        assert batch == sorted(batch)
        assert batch[0] < batch[-1]
    assert all(isinstance(m, datetime) for _, m in moments)
    assert aspects == sum(len(r["aspects"]) for r in rows)
    by_id = {r["id"]: r["masked_text"] for r in rows}
    assert all(bodies[pk] == by_id[external_id] for pk, external_id in texts.items())
