"""How well `otklik train` learns an analyst's labels: heads and finetune vs TF-IDF + LR.

    .venv/bin/python benchmarks/retrain.py [--datasets kursk,tweets,rusentiment]
        [--modes baseline,heads,finetune] [--finetune-folds 1] [--epochs 3]
        [--train-layers 4] [--learning-rate 1e-4] [--class-weight auto|sqrt|balanced|none]

Every row is measured in the same run on the same splits:
* appeals_kursk_2022: 5-fold cross-validation (category_code: accuracy and macro-F1 over
  classes with ≥ 5 rows; executor: accuracy). Fine-tuning costs minutes per fold on 2 cores,
  so it runs on the first --finetune-folds folds and the table also gives the baseline on
  exactly those folds.
* sentirueval2015_tweets: train → test, macro-F1 over negative / neutral / positive.
* rusentiment: train → test, weighted F1 (5 classes). Non-commercial data: used here only to
  measure, never in the shipped model.
The baseline is word (1–2) + character (2–5) n-gram TF-IDF with logistic regression. `heads`
and `finetune` are exactly what `otklik train --mode …` runs (training/trainer.py); the
frozen embeddings come from a cache (training/embeddings.py), so their time is reported apart.
Skips cleanly when ../shared/datasets is absent.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from models.settings import settings  # noqa: E402

DATASETS = settings().datasets


@dataclass
class Split:
    train_texts: list[str]
    train_y: list[str]
    test_texts: list[str]
    test_y: list[str]


@dataclass
class Benchmark:
    name: str
    metrics: dict[str, Callable[[list[str], list[str]], float]]
    splits: list[Split]
    # what `otklik train --class-weight` an analyst picks for this metric: the default (sqrt)
    # for accuracy and macro-F1, the plain likelihood for weighted F1
    class_weight: str | None = "sqrt"
    results: dict[str, list[dict]] = field(default_factory=dict)  # method -> per split


def macro_f1_frequent(truth: list[str], predicted: list[str], min_rows: int = 5) -> float:
    counts: dict[str, int] = {}
    for t in truth:
        counts[t] = counts.get(t, 0) + 1
    labels = [label for label, n in counts.items() if n >= min_rows]
    return float(f1_score(truth, predicted, labels=labels, average="macro", zero_division=0))


def accuracy(truth, predicted) -> float:
    return float(accuracy_score(truth, predicted))


def macro_f1(truth, predicted) -> float:
    return float(f1_score(truth, predicted, average="macro", zero_division=0))


def weighted_f1(truth, predicted) -> float:
    return float(f1_score(truth, predicted, average="weighted", zero_division=0))


def kfold(texts: list[str], targets: list[str], folds: int = 5, seed: int = 0) -> list[Split]:
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return [
        Split([texts[i] for i in tr], [targets[i] for i in tr],
              [texts[i] for i in te], [targets[i] for i in te])  # fmt: skip
        for tr, te in splitter.split(np.zeros(len(texts)), targets)
    ]


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]


def kursk(label: str, metrics: dict) -> Benchmark:
    from training.labelled import read_labelled

    data = read_labelled(DATASETS / "appeals_kursk_2022" / "train.jsonl", label_col=label)
    return Benchmark(f"kursk {label} (5 блоков)", metrics, kfold(data.texts, data.targets))


def train_test(folder: str, keep: set[str] | None, metrics: dict, name: str) -> Benchmark:
    from nlp.clean import clean_text

    def load(part: str) -> tuple[list[str], list[str]]:
        rows = [r for r in read_jsonl(DATASETS / folder / f"{part}.jsonl")
                if r.get("label") and (keep is None or r["label"] in keep)]  # fmt: skip
        pairs = [(clean_text(r["text"]), str(r["label"])) for r in rows]
        pairs = [(t, y) for t, y in pairs if t]
        return [t for t, _ in pairs], [y for _, y in pairs]

    train_texts, train_y = load("train")
    test_texts, test_y = load("test")
    return Benchmark(name, metrics, [Split(train_texts, train_y, test_texts, test_y)])


def tfidf_baseline(split: Split, class_weight: str | None = None) -> list[str]:
    """The reference: plain likelihood whatever ``class_weight`` the trained methods use."""
    word = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=200000)
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True,
                           max_features=200000)  # fmt: skip
    train, test = split.train_texts, split.test_texts
    X = sparse.hstack([word.fit_transform(train), char.fit_transform(train)])
    T = sparse.hstack([word.transform(test), char.transform(test)])
    model = LogisticRegression(C=4.0, max_iter=3000)
    model.fit(X.tocsr(), split.train_y)
    return list(model.predict(T.tocsr()))


class TrainerMethod:
    def __init__(self, mode: str, base, encode_base, class_weight, **options) -> None:
        from training.trainer import Trainer, TrainOptions

        options = TrainOptions(mode=mode, **options)
        self.trainer = Trainer(options, base=base, encode_base=encode_base)
        self.class_weight = class_weight  # "auto": the benchmark's own

    def __call__(self, split: Split, class_weight: str | None) -> list[str]:
        if self.class_weight != "auto":
            class_weight = self.class_weight
        self.trainer.options.class_weight = class_weight
        labels = sorted(set(split.train_y))
        predicted, _ = self.trainer.fit_predict(split.train_texts, split.train_y, labels,
                                                split.test_texts)  # fmt: skip
        return predicted


def run(benchmarks: list[Benchmark], methods: dict, finetune_folds: int) -> None:
    for bench in benchmarks:
        for method, predict in methods.items():
            splits = bench.splits[:finetune_folds] if method == "finetune" else bench.splits
            for number, split in enumerate(splits, start=1):
                started = time.time()
                predicted = predict(split, bench.class_weight)
                seconds = time.time() - started
                scores = {m: f(split.test_y, predicted) for m, f in bench.metrics.items()}
                bench.results.setdefault(method, []).append({"fold": number, "seconds": seconds,
                                                             **scores})  # fmt: skip
                shown = ", ".join(f"{k} {v:.3f}" for k, v in scores.items())
                print(f"  {bench.name} · {method} · блок {number}: {shown} ({seconds:.0f} с)",
                      flush=True)  # fmt: skip


def mean(rows: list[dict], key: str, folds: int | None = None) -> float:
    rows = rows if folds is None else rows[:folds]
    return float(np.mean([r[key] for r in rows]))


def _fmt(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _gain(value: float | None, base: float | None) -> str:
    return "—" if value is None or base is None else f"{(value - base) * 100:+.1f} п."


def table(benchmarks: list[Benchmark], finetune_folds: int) -> str:
    lines = [
        "| данные | метрика | блоков | TF-IDF+LR | heads | finetune | heads − база"
        " | finetune − база | время heads, с | время finetune, с |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for bench in benchmarks:
        res = bench.results
        base = res.get("baseline", [])
        for metric in bench.metrics:
            groups = [(None, len(base))]
            if "finetune" in res and len(res["finetune"]) < len(base):
                groups.append((len(res["finetune"]), len(res["finetune"])))
            for folds, shown in groups:
                cells = {}
                for method in ("baseline", "heads", "finetune"):
                    rows = res.get(method, [])
                    if not rows or (folds is None and len(rows) < len(base)):
                        cells[method] = None
                    else:
                        cells[method] = mean(rows, metric, folds)
                b = cells["baseline"]
                times = {m: (mean(res[m], "seconds", folds) if res.get(m) else None)
                         for m in ("heads", "finetune")}  # fmt: skip
                lines.append(
                    f"| {bench.name} | {metric} | {shown} | {_fmt(b)} | {_fmt(cells['heads'])} |"
                    f" {_fmt(cells['finetune'])} | {_gain(cells['heads'], b)} |"
                    f" {_gain(cells['finetune'], b)} | {_fmt(times['heads'], 0)} |"
                    f" {_fmt(times['finetune'], 0)} |"
                )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", default="kursk,tweets,rusentiment")
    parser.add_argument("--modes", default="baseline,heads,finetune")
    parser.add_argument("--finetune-folds", type=int, default=1)
    parser.add_argument("--epochs", type=float, default=3.0)
    parser.add_argument("--train-layers", type=int, default=4, help="finetune: top layers trained")
    parser.add_argument("--learning-rate", type=float, default=1e-4)
    parser.add_argument("--class-weight", default="auto",
                        choices=("auto", "balanced", "sqrt", "none"),
                        help="auto: none for weighted F1 (rusentiment), sqrt elsewhere")
    parser.add_argument("--json-out", type=Path, default=None)
    args = parser.parse_args()
    if not DATASETS.exists():
        print(f"skip: {DATASETS} not found")
        return 0
    wanted = args.datasets.split(",")
    benchmarks: list[Benchmark] = []
    if "kursk" in wanted:
        benchmarks.append(kursk("category_code", {"accuracy": accuracy,
                                                  "macro_f1(≥5)": macro_f1_frequent}))
        benchmarks.append(kursk("executor", {"accuracy": accuracy}))
    if "tweets" in wanted:
        benchmarks.append(train_test("sentirueval2015_tweets", {"negative", "neutral", "positive"},
                                     {"macro_f1": macro_f1}, "tweets 2015 train→test"))
    if "rusentiment" in wanted:
        rusentiment = train_test("rusentiment", None, {"weighted_f1": weighted_f1},
                                 "rusentiment train→test")  # fmt: skip
        rusentiment.class_weight = None
        benchmarks.append(rusentiment)

    from models.classifier import Classifier
    from training.embeddings import embed_cached

    base = Classifier()
    for bench in benchmarks:  # cached per data set, so an interrupted run keeps what it did
        started = time.time()
        texts = sorted({t for s in bench.splits for t in s.train_texts + s.test_texts})
        embed_cached(base.encoder, texts, tag="retrain-bench")
        print(f"frozen embeddings for {bench.name}: {len(texts)} texts,"
              f" {time.time() - started:.0f} s (0 when cached)", flush=True)  # fmt: skip

    def encode_base(texts: list[str]) -> np.ndarray:
        return embed_cached(base.encoder, texts, tag="retrain-bench")

    methods: dict = {}
    weight = None if args.class_weight == "none" else args.class_weight
    modes = args.modes.split(",")
    if "baseline" in modes:
        methods["baseline"] = tfidf_baseline
    if "heads" in modes:
        methods["heads"] = TrainerMethod("heads", base, encode_base, weight)
    if "finetune" in modes:
        methods["finetune"] = TrainerMethod("finetune", base, encode_base, weight,
                                            epochs=args.epochs, train_layers=args.train_layers,
                                            learning_rate=args.learning_rate)  # fmt: skip
    run(benchmarks, methods, args.finetune_folds)
    print()
    print(table(benchmarks, args.finetune_folds))
    if args.json_out:
        args.json_out.write_text(json.dumps({b.name: b.results for b in benchmarks}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
