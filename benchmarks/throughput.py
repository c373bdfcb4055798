"""Throughput and latency of the default model against the plain transformers baseline.

Both run in this one process, on the same texts, so the ratio survives a noisy machine.
Baseline: the same encoder through transformers.AutoModel, float32, mean pooling, batch 32,
the same 256-token limit as the default model,
texts in their given order (padding to the longest in each batch).
Default: the whole classification (nlp + int8 encoder with length-sorted batches + heads).

    python benchmarks/throughput.py [--texts 512] [--runs 50]
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
                enc = self.tokenizer(
                    batch, padding=True, truncation=True, max_length=256, return_tensors="pt"
                )
                hidden = self.model(**enc).last_hidden_state
                mask = enc["attention_mask"].unsqueeze(-1).float()
                pooled = (hidden * mask).sum(1) / mask.sum(1)
                out.append(torch.nn.functional.normalize(pooled, dim=-1).numpy())
        return np.vstack(out)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--texts", type=int, default=512)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--no-server", action="store_true", help="skip the server memory check")
    args = parser.parse_args()

    texts = load_texts(args.texts)
    print(f"threads: {torch.get_num_threads()}, cpus: {os.cpu_count()}, texts: {len(texts)}")
    baseline = Baseline(ensure_e5_small())
    classifier = Classifier()
    encoder = classifier.encoder

    rows = []
    base_s = timed(baseline.encode, texts)
    enc_s = timed(encoder.encode, texts)
    full_s = timed(classifier.classify, texts)
    base_p50, base_p95 = latency(lambda: baseline.encode([SHORT]), args.runs)
    enc_p50, enc_p95 = latency(lambda: encoder.encode([SHORT]), args.runs)
    full_p50, full_p95 = latency(lambda: classifier.classify([SHORT]), args.runs)
    rows.append(("baseline (AutoModel fp32, batch 32)", base_s, base_p50, base_p95))
    rows.append((f"default encoder only ({encoder.name})", enc_s, enc_p50, enc_p95))
    rows.append(("default model, full classification", full_s, full_p50, full_p95))

    print(f"{'':44} {'texts/s':>9} {'×base':>6} {'p50 ms':>8} {'p95 ms':>8}")
    for name, seconds, p50, p95 in rows:
        rate = len(texts) / seconds
        print(f"{name:44} {rate:9.1f} {base_s / seconds:6.2f} {p50:8.1f} {p95:8.1f}")

    float_vectors = baseline.encode(texts[:128])
    int8_vectors = encoder.encode(texts[:128])
    cosine = float(np.mean(np.sum(float_vectors * int8_vectors, axis=1)))
    print(f"mean cosine int8 vs fp32 embeddings (128 texts): {cosine:.4f}")
    if not args.no_server:
        del baseline
        print(f"server resident memory after a 256-text batch: {server_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
