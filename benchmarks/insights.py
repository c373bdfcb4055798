"""Insights over a store of 100 000 messages: the time to build the pain map (and its outputs).

    .venv/bin/python benchmarks/insights.py [--messages 100000] [--db URL] [--runs 3]

Synthetic classified messages (tests/store_fixtures.py: random topics, services, channels,
aspects, urgency; ~400-character texts and ~1.5 KB classification records, as real ones) are
inserted straight into a SQLite store — no model runs — spread over two quarters
(2026-01-01 … 2026-06-30). The store is cached under $OTKLIK_HOME/bench/ and reused when it
already holds the requested number of messages.

Timed, in this process (first call cold, then the median of --runs):
  * painmap, last quarter: the period holds half of the store, the previous quarter the other
    half (what `otklik painmap --from 2026-04-01 --to 2026-06-30` does);
  * painmap, whole store: one period over all the messages (no previous data);
  * the outputs: JSON, PNG heatmap, XLSX, HTML;
  * `otklik painmap … -o FILE.png` end to end in a fresh process (interpreter start included).
The limit in issue 4 is 5 s for the pain map over 100 000 stored messages on 2 cores.

The FAQ part (grouping quality on ../shared/datasets/faq_rutube, time over 100 000 stored
messages) lives in benchmarks/faq.py.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import func, select  # noqa: E402

from insights.labels import Names  # noqa: E402
from insights.painmap import build_painmap  # noqa: E402
from insights.painmap_render import heatmap_png, to_html, to_json, write_xlsx  # noqa: E402
from insights.periods import make_period  # noqa: E402
from insights.store import Message, Store  # noqa: E402
from models.paths import otklik_home  # noqa: E402
from tests.store_fixtures import insert_synthetic  # noqa: E402

START = datetime(2026, 1, 1)
DAYS = 181


def prepared_store(url: str, messages: int) -> Store:
    store = Store(url)
    with store.session() as session:
        have = session.scalar(select(func.count()).select_from(Message))
    if have != messages:
        if have:
            raise SystemExit(f"{url} holds {have} messages, not {messages}: give another --db")
        started = time.perf_counter()
        insert_synthetic(store, messages, start=START, days=DAYS, seed=4)
        print(f"inserted {messages} synthetic messages in {time.perf_counter() - started:.1f} s",
              file=sys.stderr)  # fmt: skip
    return store


def timed(fn, runs: int) -> dict:
    started = time.perf_counter()
    result = fn()
    cold = time.perf_counter() - started
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return {"cold_s": round(cold, 3), "median_s": round(statistics.median(times), 3)}, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--db", default=None, help="SQLAlchemy URL (default: a cached SQLite)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    if args.db is None:
        path = otklik_home() / "bench" / f"insights-{args.messages}.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        args.db = f"sqlite:///{path}"
    store = prepared_store(args.db, args.messages)
    names = Names()
    quarter = make_period("2026-04-01", "2026-06-30")
    whole = make_period("2026-01-01", "2026-06-30")
    results: dict = {"messages": args.messages, "cpus": os.cpu_count(), "db": store.describe()}

    stats, pm = timed(lambda: build_painmap(store, quarter, names=names), args.runs)
    results["painmap_last_quarter"] = {**stats, "messages_in_period": pm.total,
                                       "cells": len(pm.cells)}  # fmt: skip
    stats, pm_all = timed(lambda: build_painmap(store, whole, names=names), args.runs)
    results["painmap_whole_store"] = {**stats, "messages_in_period": pm_all.total,
                                      "cells": len(pm_all.cells)}  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        results["render"] = {
            "json": timed(lambda: to_json(pm), args.runs)[0],
            "png": timed(lambda: heatmap_png(pm), args.runs)[0],
            "xlsx": timed(lambda: write_xlsx(pm, Path(tmp) / "m.xlsx"), args.runs)[0],
            "html": timed(lambda: to_html(pm), args.runs)[0],
        }
        command = [sys.executable, "-m", "api.cli", "painmap", "--db", args.db, "--from",
                   "2026-04-01", "--to", "2026-06-30", "-o", str(Path(tmp) / "m.png")]  # fmt: skip
        started = time.perf_counter()
        subprocess.run(command, cwd=REPO, check=True, capture_output=True)
        results["cli_painmap_png_s"] = round(time.perf_counter() - started, 3)
    store.close()
    print(json.dumps(results, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
