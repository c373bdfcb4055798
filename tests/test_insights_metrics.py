"""Metrics of seed 000 §2.5 and seed 003 on hand-made classified rows (no model)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from store_fixtures import insert_rows

from insights.metrics import MetricsError, build_metrics, check_group_by
from insights.periods import make_period
from insights.store import Store

T = datetime(2026, 7, 1, 10, 0)
NOW = datetime(2026, 11, 1)


@pytest.fixture()
def metrics(store_url):
    store = Store(store_url)
    d, h = timedelta(days=1), timedelta(hours=1)
    rows = [
        # appeals (59-ФЗ: 30 days; 60 with an extension)
        {"channel": "website", "kind": "appeal", "answered_at": T + 10 * d},  # in time
        {"channel": "website", "kind": "appeal", "answered_at": T + 40 * d},  # late
        {"channel": "email", "kind": "appeal", "answered_at": T + 45 * d, "extended": True},
        {"channel": "email", "kind": "appeal"},  # unanswered, overdue by NOW
        # social media: 2 h for a comment, 4 h for a mention
        {"channel": "social_vk", "kind": "comment", "answered_at": T + 1 * h},  # in time
        {"channel": "social_vk", "kind": "comment", "answered_at": T + 3 * h},  # late
        {"channel": "telegram", "kind": "mention", "answered_at": T + 3 * h},  # in time
        # complaints: 2 satisfied, 1 unsatisfied, 1 without outcome (type or kind)
        {"channel": "phone", "type": "complaint", "outcome": "satisfied"},
        {"channel": "phone", "type": "complaint", "outcome": "satisfied"},
        {"channel": "phone", "kind": "complaint", "outcome": "unsatisfied"},
        {"channel": "phone", "type": "complaint"},
        # surveys
        {"channel": "survey", "kind": "survey_answer", "csat": 5, "nps": 10, "ces": 5},
        {"channel": "survey", "kind": "survey_answer", "csat": 4, "nps": 9, "ces": 4},
        {"channel": "survey", "kind": "survey_answer", "csat": 2, "nps": 3, "ces": 2},
        {"channel": "survey", "kind": "survey_answer", "csat": 3, "nps": 7, "ces": 1},
        # profiles
        {"channel": "reception", "age": 18, "gender": "female", "social_status": "пенсионер"},
        {"channel": "reception", "age": 30, "gender": "female", "social_status": "пенсионер"},
        {"channel": "reception", "age": 31, "gender": "male"},
        {"channel": "reception", "age": 90},
    ]
    for i, row in enumerate(rows):
        row.setdefault("received_at", T)
        row.setdefault("topic", "healthcare" if i % 2 else "roads")
        row.setdefault("region_name", "Республика Бурятия" if i < 10 else "Амурская область")
        row.setdefault("region_code", "RU-03" if i < 10 else "RU-28")
    rows.append({"received_at": T - timedelta(days=50), "channel": "website"})  # previous period
    insert_rows(store, rows)
    period = make_period("2026-07-01", "2026-09-30")
    result = build_metrics(store, period, group_by="channel", now=NOW)
    store.close()
    return result


def test_counts_and_shares(metrics):
    assert metrics["total"] == 19 and metrics["previous_total"] == 1
    assert metrics["change"] == pytest.approx(18.0)
    channels = {x["id"]: x for x in metrics["by_channel"]}
    assert channels["phone"]["count"] == 4
    assert channels["phone"]["share"] == pytest.approx(4 / 19, abs=1e-4)
    assert channels["phone"]["name"] == "Телефон"
    assert {x["id"] for x in metrics["by_topic"]} == {"roads", "healthcare"}
    assert metrics["by_region"][0]["name"] == "Республика Бурятия"
    assert sum(x["count"] for x in metrics["by_type"]) == 19


def test_response_time_and_deadlines(metrics):
    appeals = metrics["response_time"]["appeals"]
    # answered in 10, 40 (late) and 45 days (extended: in time); unanswered and overdue by
    # NOW: the email appeal, the four complaints, the four reception visits (not the surveys)
    assert appeals["messages"] == 12 and appeals["answered"] == 3
    assert appeals["overdue_unanswered"] == 9 and appeals["within_deadline"] == 2
    assert appeals["within_deadline_share"] == pytest.approx(2 / 12, abs=1e-4)
    assert appeals["median_days"] == pytest.approx(40.0)
    social = metrics["response_time"]["social_media"]
    assert social["answered"] == 3 and social["within_deadline"] == 2
    assert social["median_hours"] == pytest.approx(3.0)
    everything = metrics["response_time"]["all"]
    assert everything["p90_hours"] == pytest.approx(
        float(__import__("numpy").percentile([240, 960, 1080, 1, 3, 3], 90)), abs=0.01
    )
    assert metrics["response_time"]["deadlines"]["appeals_extended_days"] == 60


def test_complaints_and_surveys(metrics):
    c = metrics["complaints"]
    assert (c["total"], c["satisfied"], c["unsatisfied"], c["without_outcome"]) == (4, 2, 1, 1)
    assert c["satisfied_share"] == 0.5 and c["unsatisfied_share"] == 0.25
    s = metrics["surveys"]
    assert s["csat"]["value"] == 50.0  # two of four answered 4–5
    assert s["nps"]["value"] == 25.0  # 50 % promoters − 25 % detractors
    assert (s["nps"]["promoters"], s["nps"]["passives"], s["nps"]["detractors"]) == (2, 1, 1)
    assert s["ces"]["value"] == 3.0


def test_social_portrait(metrics):
    p = metrics["portrait"]
    bands = {b["band"]: b["count"] for b in p["age"]}
    assert bands["18–30"] == 2 and bands["31–40"] == 1 and bands["81–90"] == 1
    assert list(bands)[:2] == ["18–30", "31–40"] and len(bands) == 7
    assert {g["name"]: g["count"] for g in p["gender"]} == {"Женский": 2, "Мужской": 1}
    assert p["social_status"][0] == {"id": "пенсионер", "name": "пенсионер", "count": 2,
                                     "share": 1.0}  # fmt: skip


def test_group_by_channel(metrics):
    groups = {g["id"]: g for g in metrics["groups"]}
    assert metrics["group_by"] == "channel" and groups["survey"]["total"] == 4
    assert groups["survey"]["surveys"]["csat"]["value"] == 50.0
    assert groups["phone"]["complaints"]["total"] == 4
    assert check_group_by(None) is None
    with pytest.raises(MetricsError):
        check_group_by("weather")


DAY = timedelta(days=1)


def test_group_by_puts_messages_without_the_value_in_one_group(store_url):
    store = Store(store_url)
    rows = [
        {"received_at": T, "service": "МФЦ", "kind": "appeal", "answered_at": T + 1 * DAY},
        {"received_at": T, "service": None, "kind": "appeal"},
        {"received_at": T, "service": "", "kind": "complaint", "outcome": "satisfied"},
    ]
    insert_rows(store, rows)
    result = build_metrics(store, make_period("2026-07-01", "2026-07-31"), group_by="service",
                           now=NOW)  # fmt: skip
    store.close()
    groups = {g["id"]: g for g in result["groups"]}
    assert set(groups) == {"МФЦ", None}
    assert groups[None]["total"] == 2 and groups[None]["share"] == round(2 / 3, 4)
    assert groups[None]["complaints"]["satisfied"] == 1
    assert groups[None]["response_time"]["all"]["messages"] == 2
    assert groups["МФЦ"]["response_time"]["all"]["answered"] == 1
