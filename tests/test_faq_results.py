"""FAQ groupings kept in the store: a repeated FAQ over unchanged questions is read, not
computed, and equals the computed one; any change of its inputs computes it anew."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import delete, func, select
from test_faq_features import MONTH, CountingEncoder, _questions

from insights import faq
from insights.bulk_ingest import ingest_classified
from insights.faq import KbEntry
from insights.faq_features import prepare
from insights.faq_results import FaqResult
from insights.faq_store import build_faq
from insights.store import Store


@pytest.fixture
def store(store_url) -> Store:
    store = Store(store_url)
    _questions(store, 40, datetime(2026, 9, 2), "cur")
    _questions(store, 20, datetime(2026, 8, 2), "prev")
    prepare(store, CountingEncoder())  # features at hand, as after ingest
    yield store
    store.close()


@pytest.fixture
def groupings(monkeypatch) -> list[int]:
    """How many times the grouping itself runs."""
    calls: list[int] = []
    group = faq.group_questions

    def counted(*args, **kwargs):
        calls.append(1)
        return group(*args, **kwargs)

    monkeypatch.setattr(faq, "group_questions", counted)
    return calls


def _kept(store: Store) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(FaqResult))


def test_a_repeated_faq_is_read_from_the_store_and_equals_the_computed_one(store, groupings):
    encoder = CountingEncoder()
    first = build_faq(store, encoder, MONTH)
    assert len(groupings) == 1 and _kept(store) == 1
    again = build_faq(store, encoder, MONTH)
    assert len(groupings) == 1  # read, not computed
    assert again == first
    smaller = build_faq(store, encoder, MONTH, top=2)  # another top from the same grouping
    assert len(groupings) == 1
    assert smaller["top"] == first["top"][:2] and smaller["clusters"] == first["clusters"]
    with store.session.begin() as session:
        session.execute(delete(FaqResult))
    assert build_faq(store, encoder, MONTH) == first  # computed afresh: the same
    assert len(groupings) == 2


@pytest.mark.parametrize("change", ["new question", "previous period", "region", "deleted"])
def test_a_change_of_the_questions_computes_the_grouping_again(store, groupings, change):
    encoder = CountingEncoder()
    before = build_faq(store, encoder, MONTH)
    if change == "new question":
        _questions(store, 1, datetime(2026, 9, 20), "late")
    elif change == "previous period":
        _questions(store, 5, datetime(2026, 8, 20), "late-prev")
    elif change == "region":  # a re-load of one question with another region: its update time
        row = {
            "id": "cur0", "kind": "question", "type": "question", "urgency": "low",
            "received_at": "2026-09-02T00:00:00", "topic": "social", "sentiment": "neutral",
            "masked_text": "Как оформить пособие на ребёнка? Случай 09-0.",
            "region": "Амурская область",
        }  # fmt: skip
        assert ingest_classified(store, iter([(1, row, None)]), source="test").stored == 1
    else:
        from insights.store import Message

        with store.session.begin() as session:
            session.execute(delete(Message).where(Message.external_id == "cur3"))
    prepare(store, encoder)
    after = build_faq(store, encoder, MONTH)
    assert len(groupings) == 2
    assert _kept(store) == 1  # the older result of the period is gone
    if change == "previous period":
        assert after["previous_questions"] == before["previous_questions"] + 5
    elif change == "region":
        regions = [c["regions"] for c in after["clusters"]]
        assert regions != [c["regions"] for c in before["clusters"]]
    else:
        assert after["questions"] != before["questions"]


def test_another_knowledge_base_or_encoder_is_another_grouping(store, groupings):
    encoder = CountingEncoder()
    build_faq(store, encoder, MONTH)
    kb = [KbEntry("faq-1", "Как оформить пособие на ребёнка?")]
    with_kb = build_faq(store, encoder, MONTH, kb=kb)
    assert len(groupings) == 2
    assert any(c["kb_match"] for c in with_kb["clusters"])
    other = CountingEncoder()
    other.name = "hash-64-other"
    prepare(store, other)
    build_faq(store, other, MONTH, kb=kb)
    assert len(groupings) == 3


def test_no_grouping_is_kept_while_its_features_were_being_computed(store_url, groupings):
    store = Store(store_url)
    _questions(store, 10, datetime(2026, 9, 2), "cur")
    encoder = CountingEncoder()
    build_faq(store, encoder, MONTH)  # computes and stores the features first
    assert _kept(store) == 0
    build_faq(store, encoder, MONTH)
    assert _kept(store) == 1 and len(groupings) == 2
    build_faq(store, encoder, MONTH)
    assert len(groupings) == 2
    store.close()


def test_a_period_over_the_limit_groups_its_latest_questions_and_says_how_many_it_has(
    store, monkeypatch
):
    from insights import faq_store
    from insights.report_render import faq_summary

    monkeypatch.setattr(faq_store, "MAX_QUESTIONS", 25)
    data = build_faq(store, CountingEncoder(), MONTH)
    assert (data["questions"], data["questions_total"]) == (25, 40)
    assert (data["previous_questions"], data["previous_questions_total"]) == (20, 20)
    assert sum(c["count"] for c in data["clusters"]) == 25
    members = {m for c in data["clusters"] for m in c["members"]}
    assert members == {f"cur{i}" for i in range(15, 40)}  # the latest 25 of cur0..cur39
    assert data["questions_limit"] == 25
    assert faq_summary(data) == (
        "Вопросов за период: 40 (в предыдущем: 20). Сгруппированы последние 25 и 20"
        " (не больше 25 за период); частоты — по ним."
    )
    kept = build_faq(store, CountingEncoder(), MONTH)  # read from the store: the same totals
    assert kept == data
    monkeypatch.setattr(faq_store, "MAX_QUESTIONS", 30)  # another limit: grouped anew
    assert build_faq(store, CountingEncoder(), MONTH)["questions"] == 30
