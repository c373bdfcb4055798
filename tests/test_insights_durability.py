"""A server killed (SIGKILL) in the middle of an ingest loses no acknowledged message.

The real server (`otklik serve`, default model) runs in a subprocess and is killed while it is
classifying a batch; every message it acknowledged before must be in the store.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from sqlalchemy import select, text

from insights.store import Message, Store

REPO = Path(__file__).resolve().parent.parent


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_killed_server_keeps_every_acknowledged_message(tmp_path):
    url = f"sqlite:///{tmp_path / 'otklik.db'}"
    port = _port()
    env = {**os.environ, "OTKLIK_DATABASE_URL": url, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port)], cwd=REPO, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    acknowledged: list[str] = []
    try:
        deadline = time.time() + 180
        while time.time() < deadline:
            try:
                if httpx.get(f"{base}/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise RuntimeError("server did not start")

        def send(batch: int) -> None:
            items = [
                {"id": f"b{batch}-{i}", "text": f"Обращение {batch}-{i}: во дворе дома {i} яма"}
                for i in range(50)
            ]
            response = httpx.post(f"{base}/v1/messages", json={"items": items}, timeout=120)
            if response.status_code == 200:
                acknowledged.extend(item["id"] for item in response.json()["items"])

        for batch in range(4):
            send(batch)
        in_flight = threading.Thread(target=lambda: _swallow(send, 99))
        in_flight.start()
        time.sleep(0.3)  # the model is busy classifying batch 99
        process.kill()
        process.wait(timeout=10)
        in_flight.join(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)

    assert len(acknowledged) == 200
    store = Store(url)
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    with store.session() as session:
        stored = set(session.scalars(select(Message.external_id)))
    assert set(acknowledged) <= stored
    store.close()


def _swallow(send, batch: int) -> None:
    try:
        send(batch)
    except httpx.TransportError:
        pass  # the server died under this request: it was never acknowledged
