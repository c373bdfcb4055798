"""Does `otklik suggest` pick better rows to label than chance? A simulated labelling round.

    .venv/bin/python benchmarks/suggest.py [--seeds 10] [--start 100] [--add 200]

Data: ../shared/datasets/appeals_kursk_2022/train.jsonl (2000 appeals, label `category_code`,
17 classes, one of them 48 %); skipped with a note when absent. Embeddings: the default model's
encoder on the cleaned texts (cached under OTKLIK_HOME, tag "kursk").

A fixed held-out set of 500 rows. For every seed: 100 random labelled rows, a logistic
regression on their embeddings (a heads-only model, as `otklik train` fits), then `--add` rows
from the remaining 1400 chosen by each strategy get their true labels, the model is refitted
and scored on the held-out rows:

  random        uniform choice
  margin        the top rows by 1 − (p1 − p2), no diversity
  k-center      greedy core-set (Sener & Savarese 2018) from the labelled rows, no uncertainty
  suggest       training.suggest.select_for_labelling (margin pool 5n → weighted k-means)
  suggest 3n/10n  the same with a smaller / larger pool

Printed: accuracy and macro-F1 (mean ± sd over seeds), the paired gain over random, the number
of classes present in the labelled set, and duplicate texts / near-duplicates (cosine ≥ 0.97)
among the rows added.

Runtime on 2 shared cores: ~4 min to encode the 2000 texts the first time (cached after), then
~7 min for 10 seeds (mostly the logistic-regression fits); `--seeds 3` for a quicker look.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from models.settings import settings  # noqa: E402
from nlp.clean import clean_text  # noqa: E402
from training.suggest import (  # noqa: E402
    NEAR_DUPLICATE,
    normalise_text,
    select_for_labelling,
    uncertainty,
)

DATASETS = settings().datasets
DATA = DATASETS / "appeals_kursk_2022" / "train.jsonl"
HELD_OUT = 500
SPLIT_SEED = 20220


def fit(x: np.ndarray, y: np.ndarray):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=10.0, max_iter=3000).fit(x, y)


def k_center(x: np.ndarray, labelled: np.ndarray, pool: np.ndarray, n: int) -> list[int]:
    nearest = (1.0 - x[pool] @ x[labelled].T).min(axis=1)
    chosen: list[int] = []
    for _ in range(n):
        best = int(np.argmax(nearest))
        chosen.append(int(pool[best]))
        nearest = np.minimum(nearest, 1.0 - x[pool] @ x[pool[best]])
    return chosen


def strategies(keys: list[str]) -> dict[str, Callable]:
    def ours(factor: float):
        def pick(x, probs, labelled, pool, n, seed):
            chosen = select_for_labelling(
                probs, x[pool], n, seed=seed, keys=[keys[i] for i in pool], pool_factor=factor
            )
            return [int(pool[s.index]) for s in chosen]

        return pick

    return {
        "random": lambda x, probs, labelled, pool, n, seed: list(
            np.random.default_rng(seed).choice(pool, n, replace=False)
        ),
        "margin": lambda x, probs, labelled, pool, n, seed: [
            int(pool[i]) for i in np.argsort(-uncertainty(probs), kind="stable")[:n]
        ],
        "k-center": lambda x, probs, labelled, pool, n, seed: k_center(x, labelled, pool, n),
        "suggest": ours(5),
        "suggest 3n": ours(3),
        "suggest 10n": ours(10),
    }


def duplicates(x: np.ndarray, keys: list[str], rows: list[int]) -> tuple[int, int]:
    exact = len(rows) - len({keys[i] for i in rows})
    sims = x[rows] @ x[rows].T
    np.fill_diagonal(sims, 0)
    near = int((np.triu(sims) >= NEAR_DUPLICATE).sum())
    return exact, near


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--start", type=int, default=100)
    parser.add_argument("--add", type=int, default=200)
    args = parser.parse_args()
    if not DATA.exists():
        print(f"skipped: {DATA} not found")
        return 0
    from sklearn.metrics import accuracy_score, f1_score

    from models.classifier import Classifier
    from training.embeddings import embed_cached

    rows = [json.loads(line) for line in DATA.read_text("utf-8").splitlines() if line.strip()]
    texts = [clean_text(r["text"]) for r in rows]
    y = np.array([int(r["category_code"]) for r in rows])
    keys = [normalise_text(t) for t in texts]
    started = time.perf_counter()
    x = embed_cached(Classifier().encoder, texts, tag="kursk")
    print(
        f"{len(rows)} rows, {len(set(y))} classes;"
        f" embeddings in {time.perf_counter() - started:.0f} s"
    )

    order = np.random.default_rng(SPLIT_SEED).permutation(len(rows))
    test, rest = order[:HELD_OUT], order[HELD_OUT:]
    results: dict[str, list[tuple[float, float, int, int, int, float]]] = {}
    base: list[tuple[float, float]] = []
    for seed in range(args.seeds):
        shuffled = np.random.default_rng(seed).permutation(rest)
        labelled, pool = shuffled[: args.start], shuffled[args.start :]
        model = fit(x[labelled], y[labelled])
        predicted = model.predict(x[test])
        base.append(
            (accuracy_score(y[test], predicted), f1_score(y[test], predicted, average="macro"))
        )
        probs = model.predict_proba(x[pool])
        for name, pick in strategies(keys).items():
            t0 = time.perf_counter()
            added = pick(x, probs, labelled, pool, args.add, seed)
            spent = time.perf_counter() - t0
            assert len(set(added)) == args.add, name
            train = np.concatenate([labelled, np.array(added)])
            predicted = fit(x[train], y[train]).predict(x[test])
            exact, near = duplicates(x, keys, added)
            results.setdefault(name, []).append(
                (
                    accuracy_score(y[test], predicted),
                    f1_score(y[test], predicted, average="macro"),
                    len(set(y[train])),
                    exact,
                    near,
                    spent,
                )
            )

    def mean_sd(values) -> str:
        values = list(values)
        return f"{statistics.mean(values):.3f} ± {statistics.stdev(values):.3f}"

    print(
        f"\nstart {args.start} labelled → +{args.add}; held-out {HELD_OUT}; {args.seeds} seeds;"
        f" before adding: accuracy {mean_sd(b[0] for b in base)},"
        f" macro-F1 {mean_sd(b[1] for b in base)}"
    )
    random = results["random"]
    header = (
        f"{'strategy':<12} {'accuracy':>15} {'macro-F1':>15} {'Δacc vs rnd':>12} {'ΔF1 vs rnd':>11}"
    )
    print(header + f" {'classes':>8} {'dup':>5} {'near':>5} {'sec':>5}")
    for name, runs in results.items():

        def mean(column: int, runs=runs) -> float:
            return statistics.mean(r[column] for r in runs)

        d_acc = [r[0] - b[0] for r, b in zip(runs, random, strict=True)]
        d_f1 = [r[1] - b[1] for r, b in zip(runs, random, strict=True)]
        print(
            f"{name:<12} {mean_sd(r[0] for r in runs):>15} {mean_sd(r[1] for r in runs):>15}"
            f" {statistics.mean(d_acc):>+12.3f} {statistics.mean(d_f1):>+11.3f}"
            f" {mean(2):>8.1f} {mean(3):>5.1f} {mean(4):>5.1f} {mean(5):>5.2f}"
        )
        wins = sum(a > 0 for a in d_acc)
        if name != "random":
            print(f"{'':<12} accuracy better than random in {wins}/{len(d_acc)} seeds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
