"""Cross-source evaluation: how the default model's topic and sentiment heads do on a source
they were not trained on — the situation of every new customer.

For every source, the head is trained on all the other sources and scored on that one
(leave one source out). Topic sources: Kursk appeals (accuracy by the category mapping, as the
model card counts it), KZ akimat appeals, and each block of the project's own examples (one
writing style each: part4 is the terse city-portal style). Sentiment sources: bank and telecom
tweets (scored on their test split), bank reviews, restaurant reviews, the project's examples,
and CEDR sentences (weak labels from emotions; only with --cedr). The mean over sources is the
yardstick the default model is chosen by (training/recipes.py).

    python benchmarks/generalisation.py [--task topic|sentiment|both] [--recipes shipped,...]
        [--cedr] [--jobs 2]

Each recipe is a row of the table; the features are the shipped ones (e5 embeddings and
character TF-IDF fitted on the training rows of each split).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models.encoders import load_encoder  # noqa: E402
from models.features import CharTfidf  # noqa: E402
from models.taxonomy import Taxonomy  # noqa: E402
from training import data  # noqa: E402
from training.embeddings import embed_cached  # noqa: E402
from training.linear import class_weights, design_matrix  # noqa: E402
from training.recipes import (  # noqa: E402
    SENTIMENT,
    TOPIC,
    Recipe,
    description_rows,
    sample_weights,
    source_of,
)

TOPIC_RECIPES = {
    "before (balanced, rows weigh 1)": Recipe("topic"),
    "sqrt class weight": Recipe("topic", class_weight="sqrt"),
    "source balance 0.5": Recipe("topic", source_balance=0.5),
    "source balance 1": Recipe("topic", source_balance=1.0),
    "descriptions ×2": Recipe("topic", descriptions=2.0),
    "shipped": TOPIC,
}
SENTIMENT_RECIPES = {
    "before (no class weight, rows weigh 1)": Recipe("sentiment", class_weight=None),
    "sqrt class weight": Recipe("sentiment", class_weight="sqrt"),
    "source balance 0.5": Recipe("sentiment", class_weight=None, source_balance=0.5),
    "source balance 1": Recipe("sentiment", class_weight=None, source_balance=1.0),
    "shipped": SENTIMENT,
}


@dataclasses.dataclass
class Task:
    name: str
    rows: list[data.Example]  # everything a head may train on
    evaluate: dict[str, list[data.Example]]  # source → rows it is scored on
    labels: list[str]
    attr: str
    score: Callable[[list[data.Example], list[str]], float]
    metric: str


def kursk_acceptance() -> Callable[[data.Example, str], bool]:
    mapping = json.loads(
        (data.TAXONOMY_DIR / "mappings" / "kursk_category.json").read_text("utf-8")
    )["map"]

    def right(example: data.Example, predicted: str) -> bool:
        if example.source == "appeals_kursk_2022":
            return predicted in mapping.get(example.meta["category_code"], [])
        return predicted == example.topic

    return right


def topic_task(taxonomy: Taxonomy) -> Task:
    labels = [t.id for t in taxonomy.topics]
    rows = data.project_examples() + [e for e in data.kursk_appeals() if e.topic]
    rows += data.kz_akimat_appeals()
    rows = [e for e in rows if e.topic in labels]
    right = kursk_acceptance()

    def accuracy(truth: list[data.Example], predicted: list[str]) -> float:
        return float(np.mean([right(e, p) for e, p in zip(truth, predicted, strict=True)]))

    evaluate: dict[str, list[data.Example]] = {}
    for e in rows:
        evaluate.setdefault(source_of(e), []).append(e)
    return Task("topic", rows, evaluate, labels, "topic", accuracy, "accuracy")


def sentiment_task(taxonomy: Taxonomy, cedr: bool) -> Task:
    labels = [s.id for s in taxonomy.sentiments]
    tweets_test = data.sentiment_rows("sentirueval2015_tweets", "test")
    rows = data.sentiment_rows("sentirueval2015_tweets", "train") + data.bank_reviews()
    rows += data.restaurant_reviews("train") + data.restaurant_reviews("test")
    rows += [e for e in data.project_examples() if e.sentiment in labels]
    if cedr:
        rows += data.cedr_sentiment("train") + data.cedr_sentiment("test")
    evaluate: dict[str, list[data.Example]] = {}
    for e in rows:
        source = "project" if e.source.startswith("project:") else source_of(e)
        if source != "sentirueval2015_tweets":
            evaluate.setdefault(source, []).append(e)
    if tweets_test:
        evaluate = {"sentirueval2015_tweets": tweets_test, **evaluate}

    def macro_f1(truth: list[data.Example], predicted: list[str]) -> float:
        gold = [e.sentiment for e in truth]
        return float(f1_score(gold, predicted, labels=labels, average="macro", zero_division=0))

    return Task("sentiment", rows, evaluate, labels, "sentiment", macro_f1, "macro-F1")


def held_out(example: data.Example, source: str) -> bool:
    if source == "project":
        return example.source.startswith("project:")
    return source_of(example) == source


def run_split(
    task: Task,
    source: str,
    recipes: dict[str, Recipe],
    vectors: dict[str, np.ndarray],
    taxonomy: Taxonomy,
) -> dict[str, float]:
    train = [e for e in task.rows if not held_out(e, source)]
    test = task.evaluate[source]
    extra = description_rows(taxonomy) if task.name == "topic" else []
    tfidf = CharTfidf().fit(sorted({e.text for e in train + extra}))
    x_test = design_matrix(
        np.vstack([vectors[e.text] for e in test]), tfidf.transform([e.text for e in test]), 1.0
    )
    scores = {}
    for name, recipe in recipes.items():
        rows = train + (extra if recipe.descriptions > 0 else [])
        dense = np.vstack([vectors[e.text] for e in rows])
        x = design_matrix(dense, tfidf.transform([e.text for e in rows]), recipe.dense_scale)
        y = np.array([task.labels.index(getattr(e, task.attr)) for e in rows])
        weights = class_weights(y, recipe.class_weight)
        model = LogisticRegression(C=recipe.c, max_iter=3000, class_weight=weights)
        model.fit(x, y, sample_weight=sample_weights(rows, recipe))
        x_eval = x_test.copy()
        x_eval[:, : dense.shape[1]] *= recipe.dense_scale
        predicted = [task.labels[model.classes_[i]] for i in model.predict_proba(x_eval).argmax(1)]
        scores[name] = task.score(test, predicted)
    return scores


def report(task: Task, recipes: dict[str, Recipe], vectors, taxonomy, jobs: int) -> dict:
    sources = list(task.evaluate)
    results = Parallel(n_jobs=jobs)(
        delayed(run_split)(task, source, recipes, vectors, taxonomy) for source in sources
    )
    table = dict(zip(sources, results, strict=True))
    print(f"\n{task.name}: {task.metric} on each source when trained without it")
    width = max(len(s) for s in sources)
    header = "".join(f"{s[:width]:>{width + 2}}" for s in sources)
    print(f"{'recipe':40}{header}{'mean':>8}")
    summary = {}
    for name in recipes:
        row = [table[s][name] for s in sources]
        summary[name] = {"per_source": dict(zip(sources, row, strict=True)), "mean": np.mean(row)}
        cells = "".join(f"{v:>{width + 2}.3f}" for v in row)
        print(f"{name:40}{cells}{np.mean(row):8.3f}")
    counts = ", ".join(f"{s} {len(task.evaluate[s])}" for s in sources)
    print(f"rows scored: {counts}")
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--task", choices=("topic", "sentiment", "both"), default="both")
    parser.add_argument("--recipes", default="", help="comma-separated recipe names (all)")
    parser.add_argument("--cedr", action="store_true", help="CEDR in the sentiment sources")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", type=Path, default=None, help="also write the tables here")
    args = parser.parse_args()

    if not data.kursk_appeals():
        print("../shared/datasets is absent: nothing to measure")
        return
    taxonomy = Taxonomy.load(data.TAXONOMY_DIR / "default.json")
    tasks = []
    if args.task in ("topic", "both"):
        tasks.append((topic_task(taxonomy), TOPIC_RECIPES))
    if args.task in ("sentiment", "both"):
        tasks.append((sentiment_task(taxonomy, args.cedr), SENTIMENT_RECIPES))
    encoder = load_encoder("e5-small")
    out = {}
    for task, recipes in tasks:
        if args.recipes:
            wanted = args.recipes.split(",")
            recipes = {k: v for k, v in recipes.items() if k in wanted}
        texts = sorted(
            {e.text for e in task.rows}
            | {e.text for rows in task.evaluate.values() for e in rows}
            | {e.text for e in description_rows(taxonomy)}
        )
        vectors = dict(zip(texts, embed_cached(encoder, texts, encoder.name), strict=True))
        out[task.name] = report(task, recipes, vectors, taxonomy, args.jobs)
    if args.json:
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=2, default=float))


if __name__ == "__main__":
    main()
