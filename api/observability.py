"""Prometheus metrics of one app (GET /metrics, role admin) and JSON log lines.

Metrics: requests by route template and status, request latency, classifier batch sizes and
durations, texts classified, texts waiting in the scheduler, the active model. Labels carry
route templates («/v1/messages/{source}/{message_id}»), never ids or texts.
"""

from __future__ import annotations

import json
import logging
import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "otklik_requests", "HTTP requests answered", ["method", "route", "status"], registry=r
        )
        self.latency = Histogram(
            "otklik_request_seconds", "HTTP request latency", ["route"],
            buckets=LATENCY_BUCKETS, registry=r,
        )  # fmt: skip
        self.batch_size = Histogram(
            "otklik_batch_size", "texts per classifier call", buckets=BATCH_BUCKETS, registry=r
        )
        self.batch_seconds = Histogram(
            "otklik_batch_seconds", "classifier call duration", buckets=LATENCY_BUCKETS, registry=r
        )
        self.texts = Counter("otklik_texts_classified", "texts classified", registry=r)
        self.queue = Gauge("otklik_queue_texts", "texts accepted, not yet classified", registry=r)
        self.model = Gauge(
            "otklik_model_info", "the active model (value 1)", ["name", "version"], registry=r
        )

    def on_batch(self, size: int, seconds: float) -> None:
        self.batch_size.observe(size)
        self.batch_seconds.observe(seconds)
        self.texts.inc(size)

    def set_model(self, name: str, version: str | None) -> None:
        self.model.clear()
        self.model.labels(name=name, version=version or "not loaded").set(1)


class RequestMetrics:
    """ASGI middleware counting every answered request by route template and status."""

    def __init__(self, app, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 500}

        async def tracked(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            self.metrics.requests.labels(scope["method"], template, str(status["code"])).inc()
            self.metrics.latency.labels(template).observe(time.perf_counter() - started)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message (and the exception's type)."""

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and record.exc_info[0] is not None:
            out["exception"] = record.exc_info[0].__name__  # no traceback: it may quote input
        return json.dumps(out, ensure_ascii=False)


def json_logging(level: int = logging.INFO) -> None:
    """Every logger (uvicorn's too) writes JSON lines to stderr."""
    import sys

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.formatter.converter = time.gmtime
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
