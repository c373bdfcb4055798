"""HTTP endpoints of the store (in-process, real classifier, SQLite in tmp_path)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from store_fixtures import insert_rows

from api.app import create_app
from insights.keys import create_key
from insights.store import Store

ITEMS = [
    {"id": 1, "text": "В поликлинике невозможно записаться к врачу, талонов нет месяц.",
     "channel": "website", "received_at": "2026-07-05", "service": "Запись к врачу"},
    {"id": 2, "text": "Как получить компенсацию за капремонт пенсионеру?", "kind": "question",
     "channel": "hotline", "received_at": "2026-07-06", "region": "RU-44"},
    {"id": 3, "text": "Когда начнётся отопительный сезон?", "received_at": "2026-07-07",
     "kind": "question", "region": "Костромская область"},
]  # fmt: skip


@pytest.fixture()
def client(classifier, store_url):
    app = create_app(classifier=classifier)
    app.state.store = Store(store_url)
    key, _ = create_key(app.state.store, "tests", ["system", "analyst"])
    with TestClient(app, headers={"X-API-Key": key}) as client:
        yield client
    app.state.store.close()


def test_ingest_twice_and_bad_items(client):
    response = client.post("/v1/messages", json={"source": "crm", "items": ITEMS + ["x"]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["created"] == 3 and body["rejected"] == 1
    error = {"field": "item", "message": "item must be a JSON object"}
    assert body["errors"] == [{"index": 3, "id": None, "errors": [error]}]
    assert [i["status"] for i in body["items"]] == ["created"] * 3
    again = client.post("/v1/messages", json={"source": "crm", "items": ITEMS}).json()
    assert again["unchanged"] == 3 and again["created"] == 0

    bad = client.post(
        "/v1/messages", json={"items": [{"text": ""}, {"text": "ок", "received_at": "завтра"}]}
    )
    assert bad.status_code == 422
    fields = [d["field"] for d in bad.json()["details"]]
    assert fields == ["items[0].text", "items[1].received_at"]
    assert client.post("/v1/messages", json={"items": []}).status_code == 422
    assert client.post("/v1/messages", json={"text": "x"}).status_code == 422
    assert client.post(
        "/v1/messages", content=b"{not json", headers={"content-type": "application/json"}
    ).status_code == 400

    metrics = client.get("/v1/metrics", params={"from": "2026-07-01", "to": "2026-07-31"})
    assert metrics.status_code == 200 and metrics.json()["total"] == 3
    kostroma = client.get("/v1/metrics", params={"region": "Костромская область"}).json()
    assert kostroma["total"] == 2


def test_painmap_and_metrics_over_stored_rows(client):
    store = client.app.state.store
    t = datetime(2026, 7, 1)
    insert_rows(
        store,
        [
            {"received_at": t + timedelta(days=i), "service": "МФЦ", "channel": "website",
             "sentiment": "negative", "type": "complaint", "aspects": ["queues"],
             "masked_text": f"Очередь в МФЦ {i}"}
            for i in range(5)
        ],
    )  # fmt: skip
    response = client.get("/v1/painmap", params={"from": "2026-07-01", "to": "2026-09-30"})
    assert response.status_code == 200
    data = response.json()
    assert data["cells"][0]["negative"] == 5 and data["cells"][0]["rank"] == 1
    assert len(data["cells"][0]["quotes"]) == 3 and "приоритет" in data["formula_ru"]
    png = client.get("/v1/painmap", params={"format": "png", "to": "2026-09-30"})
    assert png.headers["content-type"] == "image/png" and png.content[:4] == b"\x89PNG"
    html = client.get("/v1/painmap", params={"format": "html"})
    assert "Карта болей" in html.text
    xlsx = client.get("/v1/painmap", params={"format": "xlsx", "group_by": "service"})
    assert xlsx.content[:2] == b"PK"
    grouped = client.get("/v1/metrics", params={"group_by": "channel"}).json()
    assert grouped["groups"][0]["id"] == "website"


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/painmap", {"from": "2026-02-30"}),
        ("/v1/painmap", {"group_by": "weather"}),
        ("/v1/painmap", {"format": "pdf"}),
        ("/v1/metrics", {"from": "2026-09-01", "to": "2026-08-01"}),
        ("/v1/metrics", {"group_by": "mood"}),
        ("/v1/faq", {"top": 0}),
    ],
)
def test_bad_queries_are_422(client, path, params):
    response = client.get(path, params=params)
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request" and response.json()["message"]


def test_an_unavailable_store_is_503_and_the_rest_still_works(classifier):
    app = create_app(classifier=classifier, database_url="nosuchdb://nowhere")
    with TestClient(app, headers={"X-API-Key": "otk_0123_key"}) as client:
        response = client.get("/v1/metrics")  # the key cannot even be checked: 503
        assert response.status_code == 503 and response.json()["error"] == "store_unavailable"
        assert client.get("/v1/health").json()["status"] == "ok"


def test_faq_over_the_store(client):
    questions = [
        "Как оформить единое пособие на ребёнка?",
        "Какие документы нужны для единого пособия на детей?",
        "Где подать заявление на единое пособие на ребенка?",
        "Когда включат отопление в этом году?",
        "Когда начнётся отопительный сезон?",
    ]
    items = [
        {"id": f"q{i}", "text": q, "kind": "question", "received_at": "2026-08-01",
         "region": "Бурятия" if i % 2 else "Амурская область"}
        for i, q in enumerate(questions)
    ]  # fmt: skip
    assert client.post("/v1/messages", json={"items": items}).status_code == 200
    response = client.get("/v1/faq", params={"from": "2026-07-01", "to": "2026-09-30"})
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["questions"] == 5
    members = sorted(m for c in data["clusters"] for m in c["members"])
    assert members == [f"q{i}" for i in range(5)]  # every question in exactly one group
    assert set(data["by_region"]) == {"Республика Бурятия", "Амурская область"}
