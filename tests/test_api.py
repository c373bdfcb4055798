"""The HTTP API through a real uvicorn server on loopback."""

from __future__ import annotations

import httpx
import pytest

from api.schemas import MAX_BATCH_ITEMS, MAX_TEXT_CHARS

LIFT = "В подъезде уже неделю не работает лифт, управляющая компания не берёт трубку"
CATTLE = "Подскажите, какие документы нужны для субсидии на покупку скота?"


@pytest.fixture
def post(server, auth):
    """POST /v1/classify with an admin key."""

    def send(body=None, **kwargs) -> httpx.Response:
        headers = {**auth, **kwargs.pop("headers", {})}
        url = f"{server}/v1/classify"
        return httpx.post(url, json=body, headers=headers, timeout=60, **kwargs)

    return send


def test_lift_complaint(post):
    response = post({"text": LIFT})
    assert response.status_code == 200, response.text
    body = response.json()
    item = body["items"][0]
    assert body["model"]["name"] and body["model"]["version"]
    assert item["topic"]["id"] == "housing_utilities"
    assert item["sentiment"]["id"] == "negative"
    assert item["type"]["id"] == "complaint"
    aspects = {a["id"] for a in item["aspects"]}
    assert {"waiting", "reachability"} <= aspects
    assert 0 < item["topic"]["score"] <= 1
    assert item["language"] == "ru"


def test_agriculture_question(post):
    item = post({"text": CATTLE}).json()["items"][0]
    assert item["topic"]["id"] == "agriculture"
    assert item["type"]["id"] == "question"


def test_batch_keeps_order_and_ids(post):
    items = [{"id": "a", "text": LIFT}, {"id": 7, "text": CATTLE}]
    body = post({"items": items}).json()
    assert [i["id"] for i in body["items"]] == ["a", 7]
    assert body["items"][1]["topic"]["id"] == "agriculture"


def test_personal_data_is_masked(post):
    text = "Меня зовут Петров Иван Сергеевич, тел. +7 (912) 345-67-89, нет отопления в квартире"
    item = post({"text": text}).json()["items"][0]
    assert "345-67-89" not in item["masked_text"]
    assert "Петров" not in item["masked_text"]
    assert "[ТЕЛЕФОН]" in item["masked_text"]
    assert all("Петров" not in str(e) for e in item["entities"])


def test_other_language_is_answered_and_flagged(post):
    item = post({"text": "The road near my house is full of potholes"}).json()["items"][0]
    assert item["language"] != "ru"
    assert any(w.startswith("language:") for w in item["warnings"])


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"text": ""}, "text", "empty"),
        ({"items": [{"text": "   \n\t"}]}, "items[0].text", "empty"),
        ({"items": [{"text": "ок"}, {"text": 5}]}, "items[1].text", "string"),
        ({"text": "а" * (MAX_TEXT_CHARS + 1)}, "text", str(MAX_TEXT_CHARS)),
        ({"items": [{"text": "x"}] * (MAX_BATCH_ITEMS + 1)}, "body", str(MAX_BATCH_ITEMS)),
        ({"items": []}, "body", "empty"),
        ({}, "body", "text"),
        ({"text": "ок", "colour": "red"}, "colour", "not permitted"),
        ([1, 2], "body", "object"),
    ],
)
def test_bad_input_is_a_clear_4xx(post, body, field, words):
    response = post(body)
    assert response.status_code == 422, response.text
    payload = response.json()
    assert payload["error"] == "invalid_request"
    assert any(d["field"] == field for d in payload["details"]), payload
    assert words.lower() in payload["message"].lower()


def test_malformed_json(server, auth):
    response = httpx.post(
        f"{server}/v1/classify",
        content=b'{"text": "oops"',
        headers={**auth, "content-type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 400
    assert "JSON" in response.json()["message"]


def test_non_utf8_body(server, auth):
    response = httpx.post(
        f"{server}/v1/classify",
        content='{"text": "привет"}'.encode("cp1251"),
        headers={**auth, "content-type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 400
    assert "UTF-8" in response.json()["message"] or "JSON" in response.json()["message"]


def test_service_endpoints(server, auth):
    health = httpx.get(f"{server}/v1/health").json()
    assert health["status"] == "ok"
    taxonomy = httpx.get(f"{server}/v1/taxonomy", headers=auth).json()
    topic_ids = {t["id"] for t in taxonomy["topics"]}
    assert {"roads", "housing_utilities", "agriculture", "culture", "employment"} <= topic_ids
    assert all(t["name"] for t in taxonomy["topics"])
    model = httpx.get(f"{server}/v1/model", headers=auth).json()
    assert set(model["heads"]) >= {"topic", "sentiment", "type", "aspects", "urgency"}
    assert httpx.get(f"{server}/docs").status_code == 200
    assert "/v1/classify" in httpx.get(f"{server}/openapi.json").json()["paths"]
