"""The press desk's queue, without a model or a server: open-resource fields, deadlines,
ordering, the status machine and its history (SQLite through SQLAlchemy)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from store_fixtures import insert_rows

from insights.deadlines import DeadlineConfigError, DeadlinePolicy, parse_policy
from insights.fields import validate
from insights.store import Store
from insights.triage import Actor, QueueFilter, TriageError, change_status, counts, get_item, queue

NOW = datetime(2026, 12, 1, 12, 0)
PRESS = Actor("k1", "Пресс-секретарь Иванова")


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'press.db'}")
    yield s
    s.close()


def item(n: int, published: datetime, **extra) -> dict:
    return {
        "external_id": f"item{n}", "url": f"https://vk.com/wall-1_{n}", "channel": "social_vk",
        "kind": "mention", "received_at": published, "published_at": published, **extra,
    }  # fmt: skip


def test_export_row_with_russian_columns_becomes_an_open_resource_item():
    from api.insights_cli import column_mapping

    columns = ["Текст", "Ссылка", "Автор", "Дата публикации", "Аудитория", "Тип сообщения",
               "Площадка", "Официальное обращение", "Ссылка на пост"]  # fmt: skip
    mapping = column_mapping(columns, [])
    raw = ["Когда дадут отопление?", "HTTPS://www.VK.com/wall-1_5/?utm_source=x#reply",
           "@ivan_petrov", "01.12.2026 10:15", "1 200", "Комментарий", "ВКонтакте", "да",
           "https://vk.com/wall-1_1"]  # fmt: skip
    row = {mapping[c]: v for c, v in zip(columns, raw, strict=True)}
    message, problems = validate(row)
    assert problems == []
    meta = message.meta
    assert meta["url"] == "https://vk.com/wall-1_5"
    assert message.external_id == "https://vk.com/wall-1_5"
    assert meta["kind"] == "comment" and meta["channel"] == "social_vk"
    assert meta["reach"] == 1200 and meta["official"] is True
    assert meta["published_at"] == datetime(2026, 12, 1, 10, 15)
    assert meta["parent_url"] == "https://vk.com/wall-1_1"
    assert meta["author_masked"] == "@iv***"
    assert len(meta["author_hash"]) == 64
    assert "ivan_petrov" not in repr(meta)  # the handle itself goes no further
    again, _ = validate({"text": "x", "author": "IVAN_PETROV"})
    assert again.meta["author_hash"] == meta["author_hash"]


def test_bad_open_resource_fields_are_reported_by_field():
    message, problems = validate({"text": "x", "url": "vk.com/wall", "reach": "много",
                                  "official": "может быть"})  # fmt: skip
    assert message is None
    assert {p.field for p in problems} == {"url", "reach", "official"}


def test_five_near_their_deadline_come_first_in_deadline_order(store):
    rows = [item(i, NOW - timedelta(minutes=30)) for i in range(50)]  # 3.5 h left each
    near = [NOW - timedelta(hours=4) + timedelta(minutes=10 * k) for k in (3, 0, 4, 1, 2)]
    rows += [item(100 + k, t) for k, t in enumerate(near)]
    rows.append(item(200, NOW - timedelta(hours=5)))  # overdue by an hour
    insert_rows(store, rows)
    got = queue(store, DeadlinePolicy(), now=NOW)
    assert len(got) == 56
    assert got[0]["external_id"] == "item200" and got[0]["overdue"] is True
    first = got[1:6]
    assert [i["external_id"] for i in first] == ["item101", "item103", "item104", "item100",
                                                  "item102"]  # fmt: skip
    assert all(not i["overdue"] for i in got[1:])
    assert counts(store, DeadlinePolicy(), now=NOW)["overdue_open"] == 1


def test_an_official_comment_outranks_a_mention_of_the_same_minute(store):
    at = NOW - timedelta(minutes=20)
    insert_rows(store, [item(1, at, kind="mention", reach=90000, sentiment="negative"),
                        item(2, at, kind="comment", official=True)])  # fmt: skip
    got = queue(store, DeadlinePolicy(), now=NOW)
    assert [i["external_id"] for i in got] == ["item2", "item1"]
    assert got[0]["deadline_hours"] == 2 and got[1]["deadline_hours"] == 4


def test_within_one_slot_urgency_then_negativity_then_reach(store):
    at = NOW - timedelta(minutes=20)
    insert_rows(store, [
        item(1, at, reach=10), item(2, at, reach=5000),
        item(3, at, sentiment="negative", sentiment_score=0.95), item(4, at, urgency="high"),
    ])  # fmt: skip
    got = [i["external_id"] for i in queue(store, DeadlinePolicy(), now=NOW)]
    assert got == ["item4", "item3", "item2", "item1"]


def test_filters_and_items_outside_open_resources(store):
    insert_rows(store, [
        item(1, NOW, topic="roads", region_code="RU-49", region_name="Магаданская область"),
        item(2, NOW, topic="healthcare", channel="telegram"),
        {"external_id": "letter", "channel": "email", "received_at": NOW},  # not a press item
    ])  # fmt: skip
    policy = DeadlinePolicy()
    assert len(queue(store, policy, now=NOW)) == 2
    assert [i["external_id"] for i in queue(store, policy, QueueFilter(topic="roads"),
                                            now=NOW)] == ["item1"]  # fmt: skip
    assert [i["external_id"] for i in queue(store, policy, QueueFilter(channel="telegram"),
                                            now=NOW)] == ["item2"]  # fmt: skip
    assert [i["external_id"] for i in queue(store, policy, QueueFilter(region="RU-49"),
                                            now=NOW)] == ["item1"]  # fmt: skip


def test_status_machine_keeps_every_change(store):
    (pk,) = insert_rows(store, [item(1, NOW - timedelta(hours=1))])
    policy = DeadlinePolicy()
    with pytest.raises(TriageError) as err:
        change_status(store, pk, "answered", PRESS, text="Ответ", now=NOW)
    assert err.value.status == 409
    assert change_status(store, pk, "in_work", PRESS, now=NOW) == "new"
    taken = get_item(store, policy, pk, now=NOW)
    assert taken["status"] == "in_work" and taken["assignee"] == PRESS.name
    assert taken["taken_at"] == NOW.isoformat()
    other = Actor("k2", "Петров")
    with pytest.raises(TriageError) as err:
        change_status(store, pk, "in_work", other, now=NOW)  # already taken
    assert err.value.status == 409 and PRESS.name in err.value.message_ru
    with pytest.raises(TriageError) as err:
        change_status(store, pk, "answered", PRESS, text="  ", now=NOW)
    assert err.value.status == 422
    later = NOW + timedelta(minutes=30)
    change_status(store, pk, "answered", PRESS, text="Спасибо, передали в управляющую компанию.",
                  now=later)  # fmt: skip
    done = get_item(store, policy, pk, now=later)
    assert done["status"] == "answered" and done["answered_at"] == later.isoformat()
    assert done["answer_text"].startswith("Спасибо") and done["overdue"] is False
    assert [(h["who"], h["from"], h["to"]) for h in done["history"]] == [
        (PRESS.name, "new", "in_work"), (PRESS.name, "in_work", "answered")]  # fmt: skip
    assert done["history"][1]["at"] == later.isoformat()
    assert counts(store, policy, now=later)["answered"] == 1


def test_no_answer_needed_requires_a_reason_and_can_be_reopened(store):
    (pk,) = insert_rows(store, [item(1, NOW)])
    with pytest.raises(TriageError):
        change_status(store, pk, "no_answer_needed", PRESS, reason="", now=NOW)
    change_status(store, pk, "no_answer_needed", PRESS, reason="спам", now=NOW)
    assert queue(store, DeadlinePolicy(), now=NOW) == []
    change_status(store, pk, "new", PRESS, now=NOW)
    assert len(queue(store, DeadlinePolicy(), now=NOW)) == 1
    with pytest.raises(TriageError) as err:
        change_status(store, 999, "in_work", PRESS, now=NOW)
    assert err.value.status == 404


def test_deadlines_per_channel_and_kind_and_working_hours():
    policy = parse_policy({
        "rules": [{"channel": "open_resource", "kind": "review", "hours": 24},
                  {"kind": "review", "hours": 8}],
        "working_hours": {"start": "09:00", "end": "18:00", "days": [1, 2, 3, 4, 5],
                          "utc_offset_hours": 3},
    })  # fmt: skip
    assert policy.hours_for("open_resource", "review", False) == 24
    assert policy.hours_for("social_vk", "review", False) == 8
    assert policy.hours_for("social_vk", "comment", True) == 2
    assert policy.hours_for("social_vk", "mention", False) == 4
    friday_evening = datetime(2026, 12, 4, 14, 0)  # 17:00 local, one working hour left
    assert policy.deadline(friday_evening, "telegram", "mention", False) == datetime(
        2026, 12, 7, 9, 0)  # fmt: skip  — Monday 12:00 local
    with pytest.raises(DeadlineConfigError):
        parse_policy({"official_hours": -1})
