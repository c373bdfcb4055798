"""Throughput and latency of the default model against plain transformers baselines.

All run in this one process, on the same texts, so the ratio survives a noisy machine; each
variant runs ``--repeats`` times, interleaved, and the fastest run counts.
Baselines: the same encoder through transformers.AutoModel, float32, mean pooling, batch 32,
the same 256-token limit as the default model —
  sorted    batches of texts sorted by length (what sentence-transformers does): the yardstick;
  in order  texts in their given order, padded to the longest in each batch.
Default: the encoder alone, and the whole classification (nlp + encoder + heads).
Also: how far a short text's scores move when it is classified beside long texts (must be 0).

    python benchmarks/throughput.py [--texts 512] [--runs 50] [--repeats 2] [--no-server]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from models.classifier import Classifier  # noqa: E402
from models.e5_convert import ensure_e5_small  # noqa: E402
from models.settings import settings  # noqa: E402

SHORT = "Во дворе не горит фонарь, просим починить"


def load_texts(limit: int) -> list[str]:
    """A realistic mix: long portal appeals and short tweets, else the project's examples."""
    shared = settings().datasets
    texts: list[str] = []
    for path in (
        shared / "appeals_kursk_2022" / "train.jsonl",
        shared / "sentirueval2015_tweets" / "test.jsonl",
    ):
        if path.exists():
            with path.open(encoding="utf-8") as handle:
                lines = [line for _, line in zip(range(limit // 2), handle, strict=False)]
            texts += [json.loads(line)["text"] for line in lines]
    if len(texts) < limit:
        for path in sorted((REPO / "datasets" / "examples").glob("*.jsonl")):
            with path.open(encoding="utf-8") as handle:
                texts += [json.loads(line)["text"] for line in handle]
    rng = np.random.default_rng(0)
    return [texts[i] for i in rng.permutation(len(texts))[:limit]]


class Baseline:
    def __init__(self, path: Path) -> None:
        from transformers import AutoModel, AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        self.model = AutoModel.from_pretrained(
            path, local_files_only=True, add_pooling_layer=False
        ).eval()

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        out = []
        with torch.inference_mode():
            for start in range(0, len(texts), batch_size):
                batch = ["query: " + t for t in texts[start : start + batch_size]]
                out.append(self._batch(batch))
        return np.vstack(out)

    def encode_sorted(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        """sentence-transformers' way: batches sorted by text length, order restored."""
        order = np.argsort([-len(t) for t in texts], kind="stable")
        vectors = self.encode([texts[i] for i in order], batch_size)
        out = np.empty_like(vectors)
        out[order] = vectors
        return out

    def _batch(self, batch: list[str]) -> np.ndarray:
        enc = self.tokenizer(
            batch, padding=True, truncation=True, max_length=256, return_tensors="pt"
        )
        hidden = self.model(**enc).last_hidden_state
        mask = enc["attention_mask"].unsqueeze(-1).float()
        pooled = (hidden * mask).sum(1) / mask.sum(1)
        return torch.nn.functional.normalize(pooled, dim=-1).numpy()


def timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def latency(fn, runs: int) -> tuple[float, float]:
    fn()  # warm-up
    samples = sorted(timed(fn) * 1000 for _ in range(runs))
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def server_rss_mb() -> float | None:
    """Resident memory of a real `otklik serve` after it has answered a batch."""
    import httpx

    port = 8765
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(600):
            try:
                httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        items = [{"text": t} for t in load_texts(256)]
        httpx.post(f"http://127.0.0.1:{port}/v1/classify", json={"items": items}, timeout=300)
        status = Path(f"/proc/{process.pid}/status").read_text()
        kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))
        return kb / 1024
    finally:
        process.terminate()
        process.wait(timeout=10)


def batch_shift(classifier: Classifier, texts: list[str]) -> tuple[int, float]:
    """Labels changed and the largest score moved: short texts alone vs beside long ones."""
    short = sorted(texts, key=len)[:20]
    long = sorted(texts, key=len)[-100:]
    alone = [classifier.classify([t])[0].to_dict() for t in short]
    mixed = [r.to_dict() for r in classifier.classify(long[:50] + short + long[50:])[50:70]]
    changed, moved = 0, 0.0
    for a, b in zip(alone, mixed, strict=True):
        changed += a["urgency"]["level"] != b["urgency"]["level"]
        changed += sum(a[head]["id"] != b[head]["id"] for head in ("topic", "sentiment", "type"))
        for head in ("topic", "sentiment", "type", "urgency"):
            moved = max(moved, abs(a[head]["score"] - b[head]["score"]))
        for x, y in zip(a["topics"], b["topics"], strict=True):
            changed += x["id"] != y["id"]
            moved = max(moved, abs(x["score"] - y["score"]))
    return changed, moved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--texts", type=int, default=512)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=2, help="interleaved runs; best counts")
    parser.add_argument("--no-server", action="store_true", help="skip the server memory check")
    args = parser.parse_args()

    texts = load_texts(args.texts)
    print(f"threads: {torch.get_num_threads()}, cpus: {os.cpu_count()}, texts: {len(texts)}")
    baseline = Baseline(ensure_e5_small())
    classifier = Classifier()
    encoder = classifier.encoder
    variants = {
        "baseline sorted (AutoModel fp32, batch 32)": (
            baseline.encode_sorted,
            lambda: baseline.encode([SHORT]),
        ),
        "baseline in order (AutoModel fp32, batch 32)": (
            baseline.encode,
            lambda: baseline.encode([SHORT]),
        ),
        f"otklik encoder only ({encoder.name})": (
            encoder.encode,
            lambda: encoder.encode([SHORT]),
        ),
        "otklik full classification": (
            classifier.classify,
            lambda: classifier.classify([SHORT]),
        ),
    }
    seconds = {name: float("inf") for name in variants}
    for _ in range(args.repeats):
        for name, (run, _single) in variants.items():
            seconds[name] = min(seconds[name], timed(run, texts))
    yardstick = seconds["baseline sorted (AutoModel fp32, batch 32)"]
    in_order = seconds["baseline in order (AutoModel fp32, batch 32)"]

    print(f"{'':46} {'texts/s':>8} {'×sorted':>8} {'×order':>7} {'p50 ms':>7} {'p95 ms':>7}")
    for name, (_run, single) in variants.items():
        p50, p95 = latency(single, args.runs)
        rate = len(texts) / seconds[name]
        print(
            f"{name:46} {rate:8.1f} {yardstick / seconds[name]:8.2f} "
            f"{in_order / seconds[name]:7.2f} {p50:7.1f} {p95:7.1f}"
        )

    float_vectors = baseline.encode(texts[:128])
    ours = encoder.encode(texts[:128])
    cosine = float(np.mean(np.sum(float_vectors * ours, axis=1)))
    print(f"mean cosine {encoder.name} vs fp32 embeddings (128 texts): {cosine:.5f}")
    changed, moved = batch_shift(classifier, texts)
    print(
        "20 shortest texts alone vs beside the 100 longest: "
        f"{changed} labels changed, largest score difference {moved:.2e}"
    )
    if not args.no_server:
        del baseline
        print(f"server resident memory after a 256-text batch: {server_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
