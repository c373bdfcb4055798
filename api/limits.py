"""Limits every request meets: the body size counted on the bytes actually read (chunked
bodies too), a per-key request rate (429 + Retry-After), and a request deadline (503)."""

from __future__ import annotations

import asyncio
import math
import threading
import time

from api.errors import RateLimited, error_response
from api.schemas import MAX_BODY_BYTES


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    """ASGI middleware: 413 once a request body passes `limit` bytes, whatever its framing.

    A declared Content-Length over the limit is refused before reading; otherwise the bytes
    are counted as they arrive and reading stops at the limit (the rest is never buffered)."""

    def __init__(self, app, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_large = error_response(413, "payload_too_large", f"body over {self.limit} bytes")
        for name, value in scope.get("headers", ()):
            if name.lower() == b"content-length":
                declared = value.strip()
                if declared.isdigit() and int(declared) > self.limit:
                    await too_large(scope, receive, send)
                    return
        state = {"read": 0, "over": False, "started": False}

        async def counted():
            message = await receive()
            if message["type"] == "http.request":
                state["read"] += len(message.get("body", b""))
                if state["read"] > self.limit:
                    state["over"] = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message):
            if state["over"]:
                if message["type"] == "http.response.start" and not state["started"]:
                    state["started"] = True
                    await too_large(scope, receive, send)
                return  # the app's own answer to the broken read is replaced
            state["started"] = state["started"] or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, guarded_send)
        except BodyTooLarge:
            pass
        if state["over"] and not state["started"]:
            await too_large(scope, receive, send)


class RateLimiter:
    """A token bucket per key: `rate` requests per second on average, bursts up to `burst`."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> None:
        """Spend one request of `key`; RateLimited (with seconds to wait) when none is left."""
        if self.rate <= 0:
            return
        now = time.monotonic()
        with self._lock:
            tokens, at = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - at) * self.rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                raise RateLimited(math.ceil((1.0 - tokens) / self.rate))
            self._buckets[key] = (tokens - 1.0, now)


class Deadline:
    """ASGI middleware: a request still unanswered after `seconds` gets 503 and is cancelled
    (queued classification work of a cancelled request is dropped by the scheduler)."""

    def __init__(self, app, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or self.seconds <= 0:
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await asyncio.wait_for(self.app(scope, receive, tracked), self.seconds)
        except TimeoutError:
            if not started:
                response = error_response(
                    503, "deadline_exceeded", f"no answer within {self.seconds:g} s; retry later"
                )
                response.headers["Retry-After"] = "5"
                await response(scope, receive, send)
