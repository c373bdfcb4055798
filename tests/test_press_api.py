"""The press desk over HTTP in-process (no model is loaded, no server): who may read and
change the queue, the status change recorded under the key's person, templates, errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from store_fixtures import insert_rows

from api.app import create_app
from insights.fields import utcnow
from insights.keys import create_key
from insights.store import Store


@pytest.fixture
def desk(tmp_path):
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    store = Store(url)
    now = utcnow()
    insert_rows(store, [
        {"external_id": "late", "url": "https://vk.com/wall-1_1", "channel": "social_vk",
         "kind": "mention", "received_at": now - timedelta(hours=5), "topic": "roads",
         "masked_text": "Яма на улице Ленина, обращение № 55-12 так и не рассмотрено"},
        {"external_id": "fresh", "url": "https://vk.com/wall-1_2", "channel": "social_vk",
         "kind": "comment", "official": True, "received_at": now, "topic": "roads"},
    ])  # fmt: skip
    keys = {
        "press": create_key(store, "Иванова (пресс-служба)", ["press"])[0],
        "analyst": create_key(store, "Аналитик", ["analyst"])[0],
        "system": create_key(store, "Портал", ["system"])[0],
    }
    with TestClient(create_app(database_url=url)) as client:
        yield client, keys
    store.close()


def h(key: str) -> dict:
    return {"X-API-Key": key}


def test_roles_read_and_write_the_queue(desk):
    client, keys = desk
    assert client.get("/v1/triage").status_code == 401
    assert client.get("/v1/triage", headers=h(keys["system"])).status_code == 403
    board = client.get("/v1/triage", headers=h(keys["analyst"])).json()
    assert [i["external_id"] for i in board["items"]] == ["late", "fresh"]
    assert board["items"][0]["overdue"] is True and board["counts"]["overdue_open"] == 1
    assert "3 ч" in board["spike_rule"]
    pk = board["items"][0]["id"]
    refused = client.post(f"/v1/triage/{pk}", json={"status": "in_work"},
                          headers=h(keys["analyst"]))  # fmt: skip
    assert refused.status_code == 403
    taken = client.post(f"/v1/triage/{pk}", json={"status": "in_work"}, headers=h(keys["press"]))
    assert taken.status_code == 200
    assert taken.json()["assignee"] == "Иванова (пресс-служба)"
    assert taken.json()["history"][0]["who"] == "Иванова (пресс-служба)"


def test_answer_from_a_filled_template(desk):
    client, keys = desk
    made = client.post("/v1/templates", headers=h(keys["press"]), json={
        "title": "Ямы", "topic": "roads",
        "body": "Спасибо! По обращению {номер обращения} ремонт на {адрес} — до {срок}.",
    })  # fmt: skip
    assert made.status_code == 201, made.text
    bad = client.post("/v1/templates", headers=h(keys["press"]),
                      json={"title": "x", "body": "{фамилия}"})  # fmt: skip
    assert bad.status_code == 422 and bad.json()["error"] == "invalid_template"
    pk = client.get("/v1/triage", headers=h(keys["press"])).json()["items"][0]["id"]
    item = client.get(f"/v1/triage/{pk}", headers=h(keys["press"])).json()
    draft = item["drafts"][0]
    assert "55-12" in draft["text"] and "улице Ленина" in draft["text"]
    assert "⟦срок: укажите⟧" in draft["text"] and draft["complete"] is False
    client.post(f"/v1/triage/{pk}", json={"status": "in_work"}, headers=h(keys["press"]))
    empty = client.post(f"/v1/triage/{pk}", json={"status": "answered", "text": ""},
                        headers=h(keys["press"]))  # fmt: skip
    assert empty.status_code == 422 and empty.json()["error"] == "answer_required"
    answer = draft["text"].replace("⟦срок: укажите⟧", "15 декабря")
    done = client.post(f"/v1/triage/{pk}", headers=h(keys["press"]), json={
        "status": "answered", "text": answer, "template_id": draft["template_id"]})  # fmt: skip
    assert done.status_code == 200 and done.json()["status"] == "answered"
    again = client.post(f"/v1/triage/{pk}", json={"status": "in_work"}, headers=h(keys["press"]))
    assert again.status_code == 409
    counts = client.get("/v1/triage", headers=h(keys["press"])).json()["counts"]
    assert counts["answered"] == 1 and counts["answered_late"] == 1
    used = client.get("/v1/templates", headers=h(keys["analyst"])).json()["templates"][0]
    assert used["use_count"] == 1


def test_bad_requests_are_4xx_json(desk):
    client, keys = desk
    press = h(keys["press"])
    assert client.get("/v1/triage?status=lost", headers=press).status_code == 422
    assert client.post("/v1/triage/9999", json={"status": "in_work"}, headers=press
                       ).status_code == 404  # fmt: skip
    assert client.post("/v1/triage/1", json={"status": "done"}, headers=press).status_code == 422
    broken = {**press, "content-type": "application/json"}
    assert client.post("/v1/triage/1", content=b"{", headers=broken).status_code == 400
    assert client.put("/v1/templates/77", json={"title": "x"}, headers=press).status_code == 404


def test_the_page_and_its_files_are_served_without_outside_links(desk):
    client, _ = desk
    page = client.get("/")
    assert page.status_code == 200 and 'lang="ru"' in page.text
    for name in ("app.js", "style.css"):
        asset = client.get(f"/web/{name}")
        assert asset.status_code == 200
        assert "http://" not in asset.text and "https://" not in asset.text
    assert "https://" not in page.text and "http://" not in page.text
    assert client.get("/web/../app.py").status_code == 404
