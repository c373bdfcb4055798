"""Limits without the encoder: the body limit on bytes read (chunked too), the per-key rate,
the request deadline, the scheduler's turns, /metrics behind admin, JSON log lines."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.limits import BodyLimit, Deadline, RateLimiter
from api.observability import JsonFormatter
from api.scheduler import BatchScheduler, DeadlineExceeded, QueueFull
from api.schemas import MAX_BODY_BYTES
from insights.keys import create_key
from insights.store import Store
from models.registry import ModelRegistry


@pytest.fixture()
def app(tmp_path):
    registry = ModelRegistry()
    registry.select(registry.chosen_entry())  # never loaded here
    app = create_app(registry=registry)
    app.state.store = Store(f"sqlite:///{tmp_path / 'otklik.db'}")
    yield app
    app.state.store.close()


def test_a_chunked_body_is_cut_at_the_limit(app):
    key, _ = create_key(app.state.store, "crm", ["system"])
    sent = {"chunks": 0}

    def body():
        for _ in range(200):  # 200 MB if it were all read
            sent["chunks"] += 1
            yield b"x" * (1024 * 1024)

    with TestClient(app) as client:
        response = client.post(
            "/v1/classify",
            content=body(),
            headers={"X-API-Key": key, "content-type": "application/json"},
        )
    assert response.status_code == 413 and response.json()["error"] == "payload_too_large"


def test_the_body_limit_reads_no_further_than_the_limit():
    """The middleware itself: it stops pulling chunks once past the limit."""
    pulled = {"bytes": 0}

    async def app(scope, receive, send):
        while True:
            message = await receive()
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    async def receive():
        pulled["bytes"] += 1024 * 1024
        return {"type": "http.request", "body": b"x" * (1024 * 1024), "more_body": True}

    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "headers": [(b"transfer-encoding", b"chunked")]}
    asyncio.run(BodyLimit(app, limit=MAX_BODY_BYTES)(scope, receive, send))
    assert sent[0]["status"] == 413
    assert pulled["bytes"] <= MAX_BODY_BYTES + 1024 * 1024


def test_declared_oversize_is_refused_before_reading(app):
    with TestClient(app) as client:
        response = client.post(
            "/v1/classify",
            content=b"{}",
            headers={"content-type": "application/json", "content-length": str(10**9)},
        )
    assert response.status_code == 413


def test_rate_limit_is_per_key_with_retry_after(app):
    app.state.rate_limiter = RateLimiter(rate=1.0, burst=3)
    first, _ = create_key(app.state.store, "a", ["analyst"])
    second, _ = create_key(app.state.store, "b", ["analyst"])
    with TestClient(app) as client:
        codes = [client.get("/v1/models", headers={"X-API-Key": first}).status_code
                 for _ in range(5)]  # fmt: skip
        limited = client.get("/v1/models", headers={"X-API-Key": first})
        other = client.get("/v1/models", headers={"X-API-Key": second})
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    assert limited.json()["error"] == "rate_limited"
    assert other.status_code == 200


def test_a_request_past_its_deadline_is_503():
    async def slow(scope, receive, send):
        await asyncio.sleep(5)

    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request", "body": b""}

    started = time.perf_counter()
    asyncio.run(Deadline(slow, seconds=0.2)({"type": "http"}, receive, send))
    assert time.perf_counter() - started < 2
    assert sent[0]["status"] == 503
    assert json.loads(sent[1]["body"])["error"] == "deadline_exceeded"


class CountingModel:
    """Stands in for the classifier: answers each text with its length, records batches."""

    def __init__(self, delay_per_char: float = 0.0) -> None:
        self.batches: list[list[str]] = []
        self.delay = delay_per_char

    def classify(self, texts):
        self.batches.append(list(texts))
        time.sleep(self.delay * sum(len(t) for t in texts))
        return [len(t) for t in texts]


def test_scheduler_micro_batches_and_keeps_order():
    scheduler = BatchScheduler()
    model = CountingModel()
    gate = threading.Event()
    model.classify = (lambda original: lambda texts: (gate.wait(), original(texts))[1])(
        model.classify
    )
    first = scheduler.submit(model, ["a"], time.monotonic() + 30)  # blocks the worker
    time.sleep(0.1)
    futures = [scheduler.submit(model, ["b" * n], time.monotonic() + 30) for n in range(1, 11)]
    gate.set()
    assert first.result(5) == [1]
    assert [f.result(5) for f in futures] == [[n] for n in range(1, 11)]
    assert len(model.batches) == 2 and len(model.batches[1]) == 10  # ten requests, one call
    scheduler.stop()


def test_a_big_batch_does_not_starve_a_small_request():
    scheduler = BatchScheduler()
    model = CountingModel(delay_per_char=2e-6)
    big = scheduler.submit(model, ["x" * 16_000] * 40, time.monotonic() + 60)
    time.sleep(0.05)
    began = time.perf_counter()
    small = scheduler.submit(model, ["short"], time.monotonic() + 60)
    assert small.result(10) == [5]
    waited = time.perf_counter() - began
    assert not big.done()  # the small one was answered while the big one still runs
    assert big.result(60) == [16_000] * 40
    assert waited < 0.5, waited  # 40 long texts take ≈ 1.3 s in all
    scheduler.stop()


def test_scheduler_refuses_too_much_and_drops_expired_work():
    scheduler = BatchScheduler()
    model = CountingModel()
    gate = threading.Event()
    model.classify = (lambda original: lambda texts: (gate.wait(), original(texts))[1])(
        model.classify
    )
    scheduler.submit(model, ["a"], time.monotonic() + 30)
    time.sleep(0.1)
    expired = scheduler.submit(model, ["b"], time.monotonic() - 1)
    scheduler.submit(model, ["c"] * 4000, time.monotonic() + 30)
    with pytest.raises(QueueFull):
        scheduler.submit(model, ["d"] * 200, time.monotonic() + 30)
    gate.set()
    with pytest.raises(DeadlineExceeded):
        expired.result(5)
    scheduler.stop(timeout=10)
    assert scheduler.pending_texts == 0  # stop() finished the accepted work


def test_metrics_need_admin_and_speak_prometheus(app):
    analyst, _ = create_key(app.state.store, "a", ["analyst"])
    admin, _ = create_key(app.state.store, "root", ["admin"])
    with TestClient(app) as client:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"X-API-Key": analyst}).status_code == 403
        client.get("/v1/health")
        response = client.get("/metrics", headers={"X-API-Key": admin})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/")
    text = response.text
    assert 'otklik_requests_total{method="GET",route="/v1/health",status="200"} 1.0' in text
    for name in ("otklik_request_seconds_bucket", "otklik_batch_size", "otklik_queue_texts",
                 "otklik_model_info{", "otklik_texts_classified_total"):  # fmt: skip
        assert name in text


def test_log_lines_are_json():
    record = logging.LogRecord("otklik.api", logging.INFO, __file__, 1, "classified items=%d",
                               (3,), None)  # fmt: skip
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "classified items=3" and line["level"] == "INFO"
    assert line["logger"] == "otklik.api" and line["time"].endswith("Z")
