"""A server killed (SIGKILL) in the middle of an ingest loses no acknowledged message.

The real server (`otklik serve`, default model) runs in a subprocess and is killed while it is
classifying a batch; every message it acknowledged before must be in the store.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
from sqlalchemy import select, text

from insights.store import Message, Store

REPO = Path(__file__).resolve().parent.parent


def test_killed_server_keeps_every_acknowledged_message(tmp_path, start_server):
    url = f"sqlite:///{tmp_path / 'otklik.db'}"
    acknowledged: list[str] = []
    with start_server({"OTKLIK_DATABASE_URL": url}) as (process, base, headers):

        def send(batch: int) -> None:
            items = [
                {"id": f"b{batch}-{i}", "text": f"Обращение {batch}-{i}: во дворе дома {i} яма"}
                for i in range(50)
            ]
            response = httpx.post(
                f"{base}/v1/messages", json={"items": items}, headers=headers, timeout=120
            )
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
