"""Ingest with the real classifier: idempotent by (source, id), bad rows named and skipped,
only masked text stored unless configured, updates, reclassification."""

from __future__ import annotations

import zlib

import pytest
from sqlalchemy import func, select, update

from insights.ingest import ingest_batch, reclassify
from insights.store import Message, MessageAspect, MessageBody, Store
from models.settings import reload

GOOD = [
    {"id": "a1", "text": "Невозможно дозвониться в регистратуру поликлиники, трубку никто не"
     " берёт третий день. Мой телефон 8 914 555-12-34, Колесникова Анна Викторовна.",
     "kind": "complaint", "channel": "phone", "received_at": "2026-07-02T09:00",
     "region": "Бурятия", "service": "Запись к врачу"},
    {"id": "a2", "text": "Как оформить единое пособие на ребёнка?", "channel": "hotline",
     "received_at": "2026-07-03", "kind": "question"},
    {"id": "a3", "text": "Спасибо за ремонт дороги на улице Ленина в Костроме!",
     "channel": "social_vk", "kind": "comment", "received_at": "03.07.2026 12:00"},
]  # fmt: skip
BAD = [
    {"id": "b1", "text": "Нет горячей воды", "received_at": "вчера"},
    {"id": "b2", "text": "   ", "csat": 9},
]


@pytest.fixture()
def store(store_url):
    store = Store(store_url)
    yield store
    store.close()


def _count(store, table=Message) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(table))


def test_idempotent_batch_with_bad_rows(classifier, store):
    result = ingest_batch(store, classifier, GOOD + BAD, source="portal")
    assert result.count("created") == 3 and result.stored == 3
    rejected = {r.index: {p.field for p in r.problems} for r in result.rejected}
    assert rejected == {3: {"received_at"}, 4: {"text", "csat"}}
    assert result.rejected[0].id == "b1"

    again = ingest_batch(store, classifier, GOOD + BAD, source="portal")
    assert again.count("unchanged") == 3 and again.count("created") == 0
    assert _count(store) == 3 and _count(store, MessageBody) == 3

    other_source = ingest_batch(store, classifier, GOOD[:1], source="email-gateway")
    assert other_source.count("created") == 1 and _count(store) == 4

    with store.session() as session:
        message = session.scalars(select(Message).where(Message.external_id == "a1")).first()
        body = session.get(MessageBody, message.pk)
        aspects = session.scalars(
            select(MessageAspect.aspect).where(MessageAspect.message_pk == message.pk)
        ).all()
    assert message.model_version == classifier.version and message.model_name == classifier.name
    assert message.topic == "healthcare" and message.sentiment == "negative"
    assert message.region_code == "RU-03" and message.kind == "complaint"
    assert "reachability" in aspects
    assert body.text is None  # raw text is not kept by default (152-ФЗ)
    assert "555-12-34" not in body.masked_text and "Колесникова" not in body.masked_text
    assert body.classification["topic"]["id"] == "healthcare"


def test_duplicates_inside_one_batch_are_stored_once(classifier, store):
    result = ingest_batch(store, classifier, [GOOD[1], GOOD[1]])
    assert [i.status for i in result.items] == ["created", "duplicate_in_batch"]
    assert _count(store) == 1


def test_updates_metadata_and_reclassifies_a_changed_text(classifier, store):
    ingest_batch(store, classifier, GOOD)
    answered = {**GOOD[0], "answered_at": "2026-07-10", "outcome": "satisfied"}
    assert ingest_batch(store, classifier, [answered]).items[0].status == "updated"
    changed = {**GOOD[1], "text": "Во дворе стая бездомных собак бросается на детей."}
    assert ingest_batch(store, classifier, [changed]).items[0].status == "updated"
    with store.session() as session:
        rows = {m.external_id: m for m in session.scalars(select(Message))}
    assert rows["a1"].outcome == "satisfied" and rows["a1"].answered_at.day == 10
    assert rows["a2"].topic == "animals"
    assert _count(store) == 3


def test_raw_text_only_when_configured(classifier, store, monkeypatch):
    monkeypatch.setenv("OTKLIK_STORE_RAW_TEXT", "1")
    reload()  # settings are read once per process
    ingest_batch(store, classifier, GOOD[:1])
    with store.session() as session:
        assert "555-12-34" in session.scalars(select(MessageBody.text)).one()


def test_reclassify_brings_messages_up_to_the_active_model(classifier, store):
    ingest_batch(store, classifier, GOOD)
    with store.session.begin() as session:
        session.execute(update(Message).values(model_version="0.9", topic="other"))
    assert reclassify(store, classifier) == 3
    assert reclassify(store, classifier) == 0  # nothing stale left
    with store.session() as session:
        versions = set(session.scalars(select(Message.model_version)))
        topics = set(session.scalars(select(Message.topic)))
    assert versions == {classifier.version} and "healthcare" in topics


class CyclingClassifier:
    """The real classifier's records for a few texts, handed out by a hash of each text:
    the store logic at 10 000 rows without 10 000 model calls."""

    def __init__(self, classifier):
        self.name, self.version = classifier.name, classifier.version
        self.records = classifier.classify([row["text"] for row in GOOD])

    def classify(self, texts):
        return [self.records[zlib.crc32(t.encode()) % len(self.records)] for t in texts]


def test_the_same_ten_thousand_rows_twice_are_stored_once(classifier, store):
    fast = CyclingClassifier(classifier)
    rows = [
        {"id": f"m{i}", "text": f"Сообщение номер {i}: нет горячей воды",
         "received_at": "2026-07-01", "channel": "website"}
        for i in range(10_000)
    ]  # fmt: skip
    rows[1234]["received_at"] = "2026-13-01"
    first = ingest_batch(store, fast, rows)
    assert first.count("created") == 9_999 and [r.index for r in first.rejected] == [1234]
    second = ingest_batch(store, fast, rows)
    assert second.count("unchanged") == 9_999
    assert _count(store) == 9_999 and _count(store, MessageBody) == 9_999
