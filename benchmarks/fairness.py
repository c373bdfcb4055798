"""Fairness under load, against a real `otklik serve` on loopback (the issue 14 target).

1. yardstick: one client sends batches of 32 short appeals back to back → texts/s;
2. mixed: 20 clients each send one short appeal at a time (closed loop) for --seconds while
   one more client sends batches of 64 long appeals (16 000 characters) out of a set of 256.

Printed: errors, short-text latency p50/p99, the mixed run's aggregate texts/s (short texts
plus long texts answered within the window) and its ratio to the yardstick measured in the
same run; also the server's own count of texts classified in the window (GET /metrics).
Targets: 0 errors, short p99 ≤ 1 s, ratio ≥ 0.70.

    python benchmarks/fairness.py [--seconds 60] [--yardstick-seconds 20] [--clients 20]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from conftest import key_headers, running_server  # noqa: E402  (a real server on loopback)

LONG_CHARS = 16_000


def short_texts() -> list[str]:
    with (REPO / "datasets" / "demo" / "messages.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line)["text"] for line in handle]


def long_texts(shorts: list[str], count: int = 256) -> list[str]:
    rng = np.random.default_rng(0)
    out = []
    for _ in range(count):
        parts, size = [], 0
        while size < LONG_CHARS:
            part = shorts[int(rng.integers(len(shorts)))]
            parts.append(part)
            size += len(part) + 1
        out.append(" ".join(parts)[:LONG_CHARS])
    return out


def texts_classified(url: str, headers: dict) -> float | None:
    response = httpx.get(f"{url}/metrics", headers=headers, timeout=30)
    match = re.search(r"^otklik_texts_classified_total (\S+)$", response.text, re.M)
    return float(match.group(1)) if match else None


def yardstick(url: str, headers: dict, shorts: list[str], seconds: float) -> float:
    done, start, i = 0, time.perf_counter(), 0
    with httpx.Client(base_url=url, headers=headers, timeout=300) as client:
        while time.perf_counter() - start < seconds:
            batch = [{"text": shorts[(i + k) % len(shorts)]} for k in range(32)]
            i += 32
            response = client.post("/v1/classify", json={"items": batch})
            response.raise_for_status()
            done += 32
    return done / (time.perf_counter() - start)


def mixed(url: str, admin: dict, keys: list[dict], shorts: list[str], longs: list[str],
          seconds: float, clients: int) -> dict:  # fmt: skip
    stop = time.perf_counter() + seconds
    latencies: list[float] = []
    errors: list[str] = []
    long_done = [0]
    lock = threading.Lock()

    def short_client(n: int) -> None:
        i = n * 97
        with httpx.Client(base_url=url, headers=keys[n], timeout=300) as client:
            while time.perf_counter() < stop:
                text = shorts[i % len(shorts)]
                i += 1
                began = time.perf_counter()
                try:
                    response = client.post("/v1/classify", json={"text": text})
                    ok = response.status_code == 200
                    reason = f"{response.status_code} {response.text[:120]}"
                except httpx.HTTPError as exc:
                    ok, reason = False, repr(exc)
                with lock:
                    if ok:
                        latencies.append(time.perf_counter() - began)
                    else:
                        errors.append(reason)

    def long_client() -> None:
        i = 0
        with httpx.Client(base_url=url, headers=keys[clients], timeout=600) as client:
            while time.perf_counter() < stop:
                batch = [{"text": longs[(i + k) % len(longs)]} for k in range(64)]
                i += 64
                try:
                    response = client.post("/v1/classify", json={"items": batch})
                    ok = response.status_code == 200
                    reason = f"long {response.status_code} {response.text[:120]}"
                except httpx.HTTPError as exc:
                    ok, reason = False, f"long {exc!r}"
                with lock:
                    if not ok:
                        errors.append(reason)
                    elif time.perf_counter() <= stop:
                        long_done[0] += 64

    before = texts_classified(url, admin)
    threads = [threading.Thread(target=short_client, args=(n,)) for n in range(clients)]
    threads.append(threading.Thread(target=long_client))
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads[:-1]:
        thread.join()
    elapsed = time.perf_counter() - started
    after = texts_classified(url, admin)
    threads[-1].join()  # the long client's last batch must be answered too (0 errors)
    short_p = np.percentile(latencies, [50, 99]) if latencies else [float("nan")] * 2
    return {
        "elapsed": elapsed,
        "short_done": len(latencies),
        "long_done": long_done[0],
        "errors": errors,
        "p50": float(short_p[0]),
        "p99": float(short_p[1]),
        "server_texts": None if before is None or after is None else after - before,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--yardstick-seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=20)
    args = parser.parse_args()

    db = f"sqlite:///{tempfile.mkdtemp(prefix='otklik-fairness-')}/otklik.db"
    os.environ["OTKLIK_DATABASE_URL"] = db
    shorts = short_texts()
    longs = long_texts(shorts)
    with running_server({"OTKLIK_DATABASE_URL": db}) as (_, url, admin):
        keys = [key_headers(db, "system", name=f"client-{n}") for n in range(args.clients + 1)]
        httpx.post(f"{url}/v1/classify", json={"text": shorts[0]}, headers=admin, timeout=300)
        reference = yardstick(url, keys[0], shorts, args.yardstick_seconds)
        print(f"one client, batches of 32 short texts: {reference:.1f} texts/s")
        run = mixed(url, admin, keys, shorts, longs, args.seconds, args.clients)
    aggregate = (run["short_done"] + run["long_done"]) / run["elapsed"]
    print(f"mixed, {run['elapsed']:.0f} s: {args.clients} clients × 1 short text, 1 client × 64 "
          f"long texts ({LONG_CHARS} chars) per request")
    print(f"  errors: {len(run['errors'])}" + (f" (first: {run['errors'][0]})"
                                                if run["errors"] else ""))  # fmt: skip
    print(f"  short texts answered: {run['short_done']}, p50 {run['p50'] * 1000:.0f} ms, "
          f"p99 {run['p99'] * 1000:.0f} ms")
    print(f"  long texts answered in the window: {run['long_done']}")
    print(f"  aggregate: {aggregate:.1f} texts/s = {aggregate / reference:.2f} of one client's "
          f"batch throughput")
    if run["server_texts"] is not None:
        server_rate = run["server_texts"] / run["elapsed"]
        print(f"  server-side texts classified in the window: {server_rate:.1f} texts/s "
              f"= {server_rate / reference:.2f}")
    ok = not run["errors"] and run["p99"] <= 1.0 and aggregate / reference >= 0.70
    print("targets (0 errors, p99 ≤ 1 s, ≥ 0.70):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
