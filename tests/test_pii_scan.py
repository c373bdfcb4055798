"""After a demo run — `otklik demo`, then a server over the same store answering ingest of the
planted appeals (tests/data/pii_planted.jsonl), the pain map, the FAQ, metrics and message
reads — neither the logs nor the store (database and WAL files, byte for byte) hold raw
personal data: the demo's made-up contacts and every planted phone, e-mail, СНИЛС, ИНН,
passport, card and full name."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import httpx
import pytest
from conftest import REPO, key_headers

PLANTED = REPO / "tests" / "data" / "pii_planted.jsonl"
DEMO_CONTACTS = ["Колесникова Анна", "Дорофеев Игорь", "555-12-34", "700-11-22",
                 "demo.zhitel@example.ru", "Семёновой Галины"]  # fmt: skip
SCANNED_KINDS = {"PHONE", "EMAIL", "SNILS", "INN", "PASSPORT", "CARD", "PERSON"}


def planted_values() -> tuple[list[dict], list[str]]:
    rows = [json.loads(line) for line in PLANTED.read_text("utf-8").splitlines() if line]
    values = [item["text"] for row in rows for item in row["items"]
              if item["kind"] in SCANNED_KINDS and len(item["text"]) >= 6]  # fmt: skip
    return rows, values


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


@pytest.mark.slow
def test_logs_and_store_hold_no_raw_personal_data(tmp_path, start_server):
    db_path = tmp_path / "otklik.db"
    url = f"sqlite:///{db_path}"
    demo = subprocess.run(
        [sys.executable, "-m", "api.cli", "demo", "--db", url],
        cwd=REPO, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert demo.returncode == 0, demo.stderr[-2000:]
    rows, values = planted_values()
    items = [{"id": f"p{i}", "text": row["text"], "received_at": "2026-08-15"}
             for i, row in enumerate(rows)]  # fmt: skip
    with start_server({"OTKLIK_DATABASE_URL": url}) as (process, base, admin):
        analyst = key_headers(url, "analyst", "press", name="scan")
        with httpx.Client(base_url=base, timeout=300) as client:
            assert client.post("/v1/messages", json={"items": items}, headers=admin).is_success
            period = {"from": "2026-07-01", "to": "2026-09-30"}
            for path in ("/v1/painmap", "/v1/faq", "/v1/metrics"):
                assert client.get(path, params=period, headers=analyst).is_success, path
            assert client.get("/v1/messages/default/p0", headers=analyst).is_success
        process.terminate()
        process.wait(timeout=120)
        process.output.seek(0)
        logs = demo.stdout + demo.stderr + process.output.read()

    stored = b"".join(p.read_bytes() for p in tmp_path.glob("otklik.db*")).decode(
        "utf-8", errors="replace"
    )
    assert '"logger": "uvicorn.access"' in logs  # the server's JSON lines were scanned
    for where, content in (("logs", logs), ("store", stored)):
        found = [v for v in DEMO_CONTACTS + values  # whole words: «Петров», not «Петровское»
                 if re.search(rf"(?<!\w){re.escape(v)}(?!\w)", content)]  # fmt: skip
        assert not found, f"{where}: {found[:10]}"
        numbers = {digits(v) for v in values if len(digits(v)) >= 9}
        runs = [digits(run) for run in re.findall(r"\d[\d \-()]{7,}\d", content)]
        leaked = [n for n in numbers if any(n in run for run in runs)]
        assert not leaked, f"{where}: {leaked[:10]}"
