"""FAQ candidates over the store (planted growth) and the periodic справка; the demo set."""

from __future__ import annotations

import importlib.util
import json
from datetime import datetime, timedelta

import pytest
from store_fixtures import insert_rows

from insights.faq_store import build_faq
from insights.fields import validate
from insights.periods import make_period
from insights.report import build_report
from insights.report_render import conclusions, to_html
from insights.store import Store
from models.constants import DEMO_DIR, DEMO_FILE


def _demo_generator():
    """datasets/demo/make_demo.py: a script beside its data, not a package module."""
    spec = importlib.util.spec_from_file_location("make_demo", DEMO_DIR / "make_demo.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_demo = _demo_generator()
Q2, Q3, generate = make_demo.Q2, make_demo.Q3, make_demo.generate

ALLOWANCE = [
    "Как оформить единое пособие на ребёнка?",
    "Как подать заявление на единое пособие на ребенка?",
    "Подскажите, как оформить единое пособие на детей?",
]
TRANSPORT = [
    "Как оформить социальную транспортную карту?",
    "Где оформить социальную транспортную карту пенсионеру?",
    "Подскажите, как получить социальную транспортную карту?",
]


def _questions(texts, count, start, region):
    return [
        {"received_at": start + timedelta(days=i), "type": "question", "topic": "social_support",
         "masked_text": texts[i % len(texts)], "region_name": region}
        for i in range(count)
    ]  # fmt: skip


@pytest.fixture()
def store(store_url):
    store = Store(store_url)
    before, now = datetime(2026, 4, 5), datetime(2026, 7, 5)
    insert_rows(
        store,
        _questions(ALLOWANCE, 10, before, "Амурская область")
        + _questions(ALLOWANCE, 15, now, "Амурская область")  # +50 %
        + _questions(TRANSPORT, 10, before, "Костромская область")
        + _questions(TRANSPORT, 11, now, "Костромская область")  # +10 %
        + [
            {"received_at": now, "topic": "animals", "sentiment": "negative", "type": "complaint",
             "service": "Отлов", "aspects": ["result"], "masked_text": "Стая собак во дворе"}
        ],
    )  # fmt: skip
    yield store
    store.close()


def test_faq_flags_the_group_that_grew_over_30_percent(store, classifier):
    data = build_faq(store, classifier.encoder, make_period("2026-07-01", "2026-09-30"))
    assert data["questions"] == 26 and data["previous_questions"] == 20
    allowance = max(data["clusters"], key=lambda c: c["regions"].get("Амурская область", 0))
    transport = max(data["clusters"], key=lambda c: c["regions"].get("Костромская область", 0))
    assert allowance["count"] == 15 and allowance["campaign"] is True
    assert allowance["growth"] == pytest.approx(0.5)
    assert transport["count"] == 11 and transport["campaign"] is False
    assert data["by_region"]["Амурская область"][0]["id"] == allowance["id"]
    assert data["by_region"]["Костромская область"][0]["id"] == transport["id"]


def test_report_sections(store, classifier, tmp_path):
    report = build_report(store, make_period("2026-07-01", "2026-09-30"),
                          encoder=classifier.encoder)  # fmt: skip
    assert report.faq is not None and report.faq_error is None
    assert [t["name"] for t in report.new_topics()] == ["Животные"]
    lines = " ".join(conclusions(report))
    assert "поступило 27 сообщений" in lines and "Новые темы" in lines
    assert "нужна информационная кампания" in lines
    html = to_html(report)
    assert html.startswith("<!DOCTYPE html><html lang='ru'>")
    assert html.count("data:image/png;base64,") >= 4  # charts inline: self-contained
    assert "Как оформить единое пособие" in html and "Животные" in html


def test_demo_set_is_in_sync_and_carries_the_planted_trends():
    rows, kb = generate()
    shipped = [json.loads(line) for line in DEMO_FILE.read_text("utf-8").splitlines()]
    assert shipped == rows, "datasets/demo is stale: run python datasets/demo/make_demo.py"
    assert 1500 <= len(rows) <= 5000 and len({r["id"] for r in rows}) == len(rows)
    assert all(validate(r)[0] is not None for r in rows)

    def count(words, quarter):
        start, end = (q.isoformat() for q in quarter)
        return sum(
            1 for r in rows
            if start <= r["received_at"] < end and all(w in r["text"].lower() for w in words)
        )  # fmt: skip

    assert count(["единое пособие"], Q3) > 1.3 * count(["единое пособие"], Q2)
    assert count(["отопительный сезон"], Q2) == 0 < count(["отопительный сезон"], Q3)
    assert count(["собак"], Q2) == 0 < count(["собак"], Q3)
    def doctor(quarter):
        start, end = (q.isoformat() for q in quarter)
        return sum(
            1 for r in rows
            if start <= r["received_at"] < end and r.get("service") == "Запись к врачу"
            and r["kind"] != "survey_answer"
        )  # fmt: skip

    assert doctor(Q3) > 1.5 * doctor(Q2)  # the growing pain
    assert {e["faq_id"] for e in kb} >= {"kb-1", "kb-2"}


def test_weekly_counts_by_week_with_the_partial_week_in_the_last(store_url):
    from insights.report import _weekly

    store = Store(store_url)
    start = datetime(2026, 9, 1)  # September: 30 days, 5 weeks, the fifth of 2 days
    days = [0, 0.5, 6.99, 7, 13, 20, 27.9, 28, 29.99]  # weeks 1 1 1 2 2 3 4 5 5
    previous = [-1, -29.5]  # 2 August days: the previous period's 5th and 1st weeks
    insert_rows(store, [{"received_at": start + timedelta(days=d)} for d in days + previous])
    labels, now, before = _weekly(store, make_period("2026-09-01", "2026-09-30"), None)
    assert labels == ["1", "2", "3", "4", "5"]
    assert now == [3, 2, 1, 1, 2]
    assert before == [1, 0, 0, 0, 1]
    store.close()
