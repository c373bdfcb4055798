"""The FAQ's question features kept in the store: the same answer as computing them, the
encoder not run again, rows dropped with their message or when its text changes."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import delete, func, select
from store_fixtures import insert_rows
from test_faq import HashEncoder

from insights.bulk_ingest import ingest_classified
from insights.faq_features import QuestionFeatures, encoder_identity, prepare
from insights.faq_store import build_faq
from insights.periods import make_period
from insights.store import Message, Store

WORDINGS = [
    "Как оформить пособие на ребёнка?",
    "Как получить пособие на ребенка?",
    "Когда отремонтируют дорогу на улице Ленина?",
    "Почему не вывозят мусор во дворе?",
    "Где записаться к врачу через Госуслуги?",
]


class CountingEncoder(HashEncoder):
    """HashEncoder that counts the texts it is asked to encode."""

    name = "hash-64"

    def __init__(self) -> None:
        self.texts = 0

    def encode(self, texts, prefix=None):
        self.texts += len(texts)
        return super().encode(texts, prefix)


def _questions(store: Store, count: int, start: datetime, prefix: str) -> list[int]:
    rows = [
        {
            "external_id": f"{prefix}{i}",
            "kind": "question",
            "type": "question",
            "received_at": start + timedelta(hours=i),
            "region_name": ("Курская область", "Республика Бурятия")[i % 2],
            "masked_text": f"{WORDINGS[i % len(WORDINGS)]} Случай {start:%m}-{i}.",
        }
        for i in range(count)
    ]
    rows.append({"external_id": f"{prefix}-complaint", "kind": "complaint", "type": "complaint",
                 "received_at": start, "masked_text": "Жалоба, не вопрос"})  # fmt: skip
    return insert_rows(store, rows)


@pytest.fixture
def store(store_url) -> Store:
    store = Store(store_url)
    _questions(store, 40, datetime(2026, 9, 2), "cur")
    _questions(store, 20, datetime(2026, 8, 2), "prev")
    yield store
    store.close()


def _features(store: Store) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(QuestionFeatures))


def _clusters(data: dict) -> list[tuple]:
    return [(c["representative"], c["count"], sorted(c["members"])) for c in data["clusters"]]


MONTH = make_period("2026-09-01", "2026-09-30")


def test_the_faq_stores_what_it_computed_and_the_next_faq_reads_it(store):
    encoder = CountingEncoder()
    first = build_faq(store, encoder, MONTH)
    assert first["questions"] == 40 and first["previous_questions"] == 20
    assert encoder.texts == 60  # every distinct question of both periods, once
    assert _features(store) == 60  # the complaint gets none
    again = build_faq(store, encoder, MONTH)
    assert encoder.texts == 60  # nothing encoded the second time
    assert _clusters(again) == _clusters(first)
    assert [c["growth"] for c in again["clusters"]] == [c["growth"] for c in first["clusters"]]


def test_stored_features_give_the_same_answer_as_computing_them(store):
    computed = build_faq(store, CountingEncoder(), MONTH)  # stores them
    with store.session.begin() as session:
        stored = session.scalars(select(QuestionFeatures)).all()
        assert all(len(np.frombuffer(f.vector, np.float32)) == HashEncoder.dim for f in stored)
    reread = build_faq(store, CountingEncoder(), MONTH)
    assert _clusters(reread) == _clusters(computed)


def test_prepare_fills_only_what_is_missing_and_another_encoder_replaces_it(store):
    encoder = CountingEncoder()
    assert prepare(store, encoder) == 60
    assert prepare(store, encoder) == 0
    other = CountingEncoder()
    other.name = "hash-64-other"
    assert encoder_identity(other) != encoder_identity(encoder)
    assert prepare(store, other) == 60
    with store.session() as session:
        assert set(session.scalars(select(QuestionFeatures.encoder))) == {
            encoder_identity(other)
        }


def test_features_go_with_their_message(store):
    prepare(store, CountingEncoder())
    with store.session.begin() as session:
        session.execute(delete(Message).where(Message.external_id == "cur0"))
    assert _features(store) == 59


def test_a_bulk_reload_with_another_text_drops_the_old_features(store):
    prepare(store, CountingEncoder())
    row = {
        "id": "cur1", "kind": "question", "received_at": "2026-09-02T01:00:00",
        "masked_text": "Совсем другой вопрос про отопление?", "topic": "housing",
        "sentiment": "neutral", "type": "question", "urgency": "low",
    }  # fmt: skip
    result = ingest_classified(store, iter([(1, row, None)]), source="test")
    assert result.stored == 1
    with store.session() as session:
        pk = session.scalar(select(Message.pk).where(Message.external_id == "cur1"))
        assert session.get(QuestionFeatures, pk) is None
    encoder = CountingEncoder()
    build_faq(store, encoder, MONTH)
    assert encoder.texts == 1  # only the changed question is encoded again


def test_a_bulk_reload_with_the_same_text_keeps_the_features(store):
    """Re-scoring an archive re-loads every message with new labels: the questions' features
    stay, so the next FAQ does not encode them again."""
    row = {
        "id": "rescored", "kind": "question", "received_at": "2026-09-03T01:00:00",
        "masked_text": "Как оформить пособие на ребёнка? Случай заново.", "topic": "social",
        "sentiment": "neutral", "type": "question", "urgency": "low",
    }  # fmt: skip
    assert ingest_classified(store, iter([(1, row, None)]), source="test").stored == 1
    prepare(store, CountingEncoder())
    before = _features(store)
    again = {**row, "topic": "healthcare", "urgency": "high"}
    assert ingest_classified(store, iter([(1, again, None)]), source="test").stored == 1
    assert _features(store) == before
    with store.session() as session:
        topic = session.scalar(select(Message.topic).where(Message.external_id == "rescored"))
    assert topic == "healthcare"
    encoder = CountingEncoder()
    build_faq(store, encoder, MONTH)
    assert encoder.texts == 0
