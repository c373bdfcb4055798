"""Limits on a real server: a 200 MB chunked body is refused with the server's memory bounded;
SIGTERM lets an accepted batch finish before the process exits."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import httpx
import pytest

LIFT = "В подъезде уже неделю не работает лифт, управляющая компания не берёт трубку"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.mark.slow
def test_chunked_flood_is_cut_and_sigterm_finishes_the_accepted_batch(start_server):
    with start_server() as (process, url, auth):
        httpx.post(f"{url}/v1/classify", json={"text": LIFT}, headers=auth, timeout=120)
        before = rss_mb(process.pid)

        def flood():
            for _ in range(200):
                yield b"[" * (1024 * 1024)

        try:
            response = httpx.post(
                f"{url}/v1/classify",
                content=flood(),
                headers={**auth, "content-type": "application/json"},
                timeout=120,
            )
            assert response.status_code == 413 and response.json()["error"] == "payload_too_large"
        except httpx.TransportError:
            pass  # the server may close the connection while the client is still sending
        assert rss_mb(process.pid) - before < 100, (before, rss_mb(process.pid))

        answer: dict = {}
        items = [{"id": i, "text": f"{LIFT} (дом {i})"} for i in range(64)]

        def send():
            answer["response"] = httpx.post(
                f"{url}/v1/classify", json={"items": items}, headers=auth, timeout=300
            )

        thread = threading.Thread(target=send)
        thread.start()
        time.sleep(0.5)  # accepted and being classified
        process.send_signal(signal.SIGTERM)
        thread.join(timeout=300)
        assert process.wait(timeout=120) in (0, -signal.SIGTERM)  # uvicorn re-raises it
        process.output.seek(0)
        assert "Finished server process" in process.output.read()
    response = answer["response"]
    assert response.status_code == 200, response.text
    assert [item["id"] for item in response.json()["items"]] == list(range(64))
