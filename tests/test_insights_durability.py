"""A server killed (SIGKILL) in the middle of ingest loses and duplicates no acknowledged message.

The real server (`otklik serve`, default model) runs in a subprocess over one SQLite store and is
killed ten times at random points (seeded) while a client sends batches; it is restarted after
each kill. Every message acknowledged before a kill must be in the store exactly once, and the
store must pass SQLite's integrity check.
"""

from __future__ import annotations

import random
import threading
import time

import httpx
from sqlalchemy import func, select, text

from insights.store import Message, Store

KILLS = 10


def test_killed_server_keeps_every_acknowledged_message_once(tmp_path, start_server):
    url = f"sqlite:///{tmp_path / 'otklik.db'}"
    rng = random.Random(14)
    acknowledged: list[str] = []
    for kill in range(KILLS):
        with start_server({"OTKLIK_DATABASE_URL": url}) as (process, base, headers):
            stop = threading.Event()

            def client(kill: int = kill, stop: threading.Event = stop) -> None:
                batch = 0
                while not stop.is_set():
                    items = [
                        {"id": f"k{kill}-b{batch}-{i}",
                         "text": f"Обращение {kill}-{batch}-{i}: во дворе дома {i} яма"}
                        for i in range(rng.randint(5, 40))
                    ]  # fmt: skip
                    batch += 1
                    try:
                        response = httpx.post(f"{base}/v1/messages", json={"items": items},
                                              headers=headers, timeout=120)  # fmt: skip
                    except httpx.TransportError:
                        return  # the server died under this request: never acknowledged
                    if response.status_code == 200:
                        acknowledged.extend(item["id"] for item in response.json()["items"])

            sender = threading.Thread(target=client)
            sender.start()
            time.sleep(rng.uniform(0.3, 4.0))  # a random point of the ingest
            process.kill()
            process.wait(timeout=10)
            stop.set()
            sender.join(timeout=60)

    assert len(acknowledged) >= KILLS  # every round acknowledged something
    store = Store(url)
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    with store.session() as session:
        counts = dict(
            session.execute(
                select(Message.external_id, func.count()).group_by(Message.external_id)
            ).all()
        )
    missing = [i for i in acknowledged if i not in counts]
    assert not missing, missing[:5]
    assert all(counts[i] == 1 for i in acknowledged)
    store.close()
