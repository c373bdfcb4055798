"""Answer templates and their placeholders, spike alerts and the report's answer-time section,
without a model or a server."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from store_fixtures import insert_rows

from insights import templates
from insights.deadlines import DeadlinePolicy
from insights.placeholders import Context, fill
from insights.press_report import answer_times
from insights.spikes import Rule, detect, spikes_between
from insights.store import Store
from insights.triage import Actor, change_status

NOW = datetime(2026, 12, 1, 12, 0)


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'press.db'}")
    yield s
    s.close()


def test_street_and_appeal_number_are_filled_what_is_missing_is_marked():
    ctx = Context(masked_text="Моё обращение № 12-345/2026 так и не решено: на улице Ленина "
                              "третью неделю нет уличного освещения.")  # fmt: skip
    text, fills = fill("Здравствуйте! По обращению {номер обращения} об освещении на {адрес} "
                       "работы выполнят до {срок}.", ctx)  # fmt: skip
    assert "12-345/2026" in text and "улице Ленина" in text
    assert "⟦срок: укажите⟧" in text
    assert {f.name: f.status for f in fills} == {
        "номер обращения": "filled", "адрес": "filled", "срок": "missing"}  # fmt: skip


def test_masked_personal_data_only_for_a_caller_allowed_to_see_it():
    raw = "Меня зовут Смирнова Ольга Петровна, живу по адресу ул. Гагарина, д. 7, кв. 3."
    masked = "Меня зовут [ФИО], живу по адресу [АДРЕС]."
    body = "Уважаемая {имя}! Проверим дом по адресу {адрес}."
    hidden, _ = fill(body, Context(masked_text=masked))
    assert "⟦имя: скрыто⟧" in hidden and "⟦адрес: скрыто⟧" in hidden
    assert "Смирнова" not in hidden and "Гагарина" not in hidden
    shown, fills = fill(body, Context(masked_text=masked, raw_text=raw))
    assert "Смирнова Ольга Петровна" in shown and "ул. Гагарина, д. 7" in shown
    assert all(f.status == "filled" for f in fills)


def test_templates_kept_matched_and_listed_for_review(store):
    old = NOW - timedelta(days=120)
    heat = templates.create(store, title="Отопление", topic="housing_utilities",
                            type="complaint", body="По адресу {адрес} отопление дадут до {срок}.",
                            now=old)  # fmt: skip
    generic = templates.create(store, title="Спасибо", body="Спасибо за обращение!", now=old)
    templates.create(store, title="Дороги", topic="roads", body="Ямы на {адрес} заделаем.",
                     now=NOW)  # fmt: skip
    topic_any_type = templates.create(store, title="ЖКХ", topic="housing_utilities",
                                      body="Передали в УК.", now=NOW)  # fmt: skip
    with pytest.raises(templates.TemplateError) as err:
        templates.create(store, title="x", body="Привет, {фамилия}!")
    assert err.value.status == 422 and "{фамилия}" in err.value.message_ru
    listing = templates.listing(store)
    found = templates.best(listing, "housing_utilities", "complaint")
    assert [t["id"] for t in found] == [heat["id"], topic_any_type["id"], generic["id"]]
    assert [t["id"] for t in templates.best(listing, "healthcare", "question")] == [generic["id"]]

    assert {t["id"] for t in templates.for_review(store, now=NOW)} == {heat["id"], generic["id"]}
    (pk,) = insert_rows(store, [{"url": "https://vk.com/wall-1_1", "channel": "social_vk",
                                 "received_at": NOW, "topic": "housing_utilities",
                                 "type": "complaint"}])  # fmt: skip
    actor = Actor("k1", "Иванова")
    change_status(store, pk, "in_work", actor, now=NOW)
    change_status(store, pk, "answered", actor, text="ok", template_id=heat["id"], now=NOW)
    assert {t["id"] for t in templates.for_review(store, now=NOW)} == {generic["id"]}
    assert templates.get(store, heat["id"])["use_count"] == 1

    edited = templates.edit(store, generic["id"], body="Благодарим за отзыв, {имя}!", now=NOW)
    assert edited["body"].startswith("Благодарим")
    templates.retire(store, generic["id"], now=NOW)
    assert generic["id"] not in {t["id"] for t in templates.listing(store)}
    assert generic["id"] in {t["id"] for t in templates.listing(store, include_retired=True)}
    with pytest.raises(templates.TemplateError) as err:
        templates.edit(store, 999, title="x")
    assert err.value.status == 404


def negative(n: int, at: datetime, topic: str, place: str) -> dict:
    return {"external_id": f"n{n}", "received_at": at, "published_at": at, "topic": topic,
            "city": place, "sentiment": "negative", "channel": "social_vk"}  # fmt: skip


def usual_stream(start: int) -> list[dict]:
    """Two negative messages a day about heating in one district for 14 days, and the same
    about roads in another, evenly spread."""
    rows = []
    for i in range(28):
        at = NOW - timedelta(hours=3) - timedelta(hours=12 * i + 5)
        rows.append(negative(start + i, at, "housing_utilities", "Ленинский район"))
        rows.append(negative(start + 100 + i, at, "roads", "Заречный район"))
    return rows


def test_planted_spike_raises_one_alert_naming_topic_and_place(store):
    planted = [negative(1000 + i, NOW - timedelta(minutes=3 * i), "housing_utilities",
                        "Ленинский район") for i in range(40)]  # fmt: skip  — 40 in 2 hours
    pks = insert_rows(store, usual_stream(0) + planted)
    alerts = detect(store, now=NOW)
    assert len(alerts) == 1
    alert = alerts[0]
    assert (alert["topic"], alert["place"]) == ("housing_utilities", "Ленинский район")
    assert alert["count"] == 40 and alert["usual_per_day"] == 2.0
    assert sorted(alert["message_ids"]) == sorted(pks[-40:])
    assert "3 ч" in alert["rule"] and "14 дн." in alert["rule"]
    spikes = spikes_between(store, NOW - timedelta(days=1), NOW + timedelta(hours=1))
    assert [(s["topic"], s["place"]) for s in spikes] == [("housing_utilities",
                                                           "Ленинский район")]  # fmt: skip


def test_a_flat_stream_of_the_same_size_raises_none(store):
    # the same 40 messages, spread evenly over the two weeks on top of the usual stream
    flat = [negative(1000 + i, NOW - timedelta(hours=8 * i + 1), "housing_utilities",
                     "Ленинский район") for i in range(40)]  # fmt: skip
    insert_rows(store, usual_stream(0) + flat)
    assert detect(store, now=NOW) == []
    # and a stream that has always been heavy: 4 an hour for two weeks (12 in any window)
    heavy = [negative(5000 + i, NOW - timedelta(minutes=15 * i), "roads", "Северный район")
             for i in range(4 * 24 * 15)]  # fmt: skip
    insert_rows(store, heavy)
    assert detect(store, now=NOW, rule=Rule()) == []


def test_answer_times_against_deadlines_by_channel(store):
    start = NOW - timedelta(days=1)
    pks = insert_rows(store, [
        {"url": "https://vk.com/a1", "channel": "social_vk", "kind": "comment", "official": True,
         "received_at": start, "published_at": start},
        {"url": "https://vk.com/a2", "channel": "social_vk", "kind": "mention",
         "received_at": start, "published_at": start},
        {"url": "https://t.me/c/3", "channel": "telegram", "kind": "mention",
         "received_at": start, "published_at": start},
        {"url": "https://t.me/c/4", "channel": "telegram", "kind": "mention",
         "received_at": NOW - timedelta(hours=1), "published_at": NOW - timedelta(hours=1)},
    ])  # fmt: skip
    actor = Actor("k1", "Иванова")
    for pk, minutes in ((pks[0], 60), (pks[1], 300)):
        change_status(store, pk, "in_work", actor, now=start)
        change_status(store, pk, "answered", actor, text="ok",
                      now=start + timedelta(minutes=minutes))  # fmt: skip
    rows = {r["channel"]: r for r in answer_times(store, DeadlinePolicy(), start, NOW, NOW)}
    vk, tg, everything = rows["social_vk"], rows["telegram"], rows["all"]
    assert (vk["on_time"], vk["late"], vk["deadline_hours"]) == (1, 1, [2.0, 4.0])
    assert vk["median_minutes"] == 180 and vk["on_time_share"] == 0.5
    assert (tg["overdue"], tg["pending"]) == (1, 1)
    assert everything["total"] == 4


def test_a_template_cannot_lose_its_title_or_body(tmp_path):
    from insights.store import Store
    from insights.templates import TemplateError, create, edit

    store = Store(f"sqlite:///{tmp_path / 'otklik.db'}")
    made = create(store, title="Лифт", body="Ремонт до {срок}.")
    for field in ("title", "body"):
        with pytest.raises(TemplateError) as caught:
            edit(store, made["id"], **{field: None})
        assert caught.value.status == 422
    assert edit(store, made["id"], topic=None)["title"] == "Лифт"
    store.close()
