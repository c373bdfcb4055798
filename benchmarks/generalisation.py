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
    neighbour_vote,
    sample_weights,
    source_of,
)

TOPIC_RECIPES = {
    "before (balanced, rows weigh 1)": Recipe("topic"),
    "sqrt class weight": Recipe("topic", class_weight="sqrt"),
    "source balance 0.5": Recipe("topic", source_balance=0.5),
    "source balance 1": Recipe("topic", source_balance=1.0),
    "descriptions ×2": Recipe("topic", descriptions=2.0),
    "neighbours 0.3 (k 10)": dataclasses.replace(TOPIC, neighbours=0.3),
    "neighbours 0.5 (k 10)": dataclasses.replace(TOPIC, neighbours=0.5),
    "C 2": dataclasses.replace(TOPIC, c=2.0),
    "C 8": dataclasses.replace(TOPIC, c=8.0),
    "descriptions ×4": dataclasses.replace(TOPIC, descriptions=4.0),
    "shipped": TOPIC,
}
NO_CEDR = ("cedr_emotions",)
SENTIMENT_RECIPES = {
    "before (no class weight, rows weigh 1)": Recipe(
        "sentiment", class_weight=None, exclude=NO_CEDR
    ),
    "sqrt class weight": Recipe("sentiment", class_weight="sqrt", exclude=NO_CEDR),
    "source balance 0.5": Recipe(
        "sentiment", class_weight=None, source_balance=0.5, exclude=NO_CEDR
    ),
    "source balance 1": Recipe("sentiment", class_weight=None, source_balance=1.0, exclude=NO_CEDR),
    "+ CEDR": Recipe("sentiment", class_weight=None),
    "+ CEDR, source balance 0.5": Recipe("sentiment", class_weight=None, source_balance=0.5),
    "+ CEDR, source balance 1": Recipe("sentiment", class_weight=None, source_balance=1.0),
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
    test: list[data.Example] | None = None,
    test_vectors: dict[str, dict[str, np.ndarray]] | None = None,
) -> dict[str, float]:
    """Scores per recipe (or, with ``test_vectors``, per way of embedding the test rows)."""
    train = [e for e in task.rows if not held_out(e, source)]
    test = task.evaluate[source] if test is None else test
    extra = description_rows(taxonomy) if task.name == "topic" else []
    tfidf = CharTfidf().fit(sorted({e.text for e in train + extra}))
    lexical = tfidf.transform([e.text for e in test])
    ways = test_vectors or {"": vectors}
    scores = {}
    for name, recipe in recipes.items():
        rows = [e for e in train if source_of(e) not in recipe.exclude]
        rows += extra if recipe.descriptions > 0 else []
        dense = np.vstack([vectors[e.text] for e in rows])
        x = design_matrix(dense, tfidf.transform([e.text for e in rows]), recipe.dense_scale)
        y = np.array([task.labels.index(getattr(e, task.attr)) for e in rows])
        weights = class_weights(y, recipe.class_weight)
        model = LogisticRegression(C=recipe.c, max_iter=3000, class_weight=weights)
        model.fit(x, y, sample_weight=sample_weights(rows, recipe))
        for way, table in ways.items():
            x_eval = design_matrix(
                np.vstack([table[e.text] for e in test]), lexical, recipe.dense_scale
            )
            probabilities = model.predict_proba(x_eval)
            if recipe.neighbours > 0:
                full = np.zeros((len(test), len(task.labels)))
                full[:, model.classes_] = probabilities
                query = np.vstack([table[e.text] for e in test])
                vote = neighbour_vote(query, dense, y, len(task.labels), recipe.k)
                probabilities = (1 - recipe.neighbours) * full + recipe.neighbours * vote
                predicted = [task.labels[i] for i in probabilities.argmax(1)]
                scores[f"{name}{way}"] = task.score(test, predicted)
                continue
            predicted = [task.labels[model.classes_[i]] for i in probabilities.argmax(1)]
            scores[f"{name}{way}"] = task.score(test, predicted)
    return scores


def long_texts(task: Task, vectors, taxonomy: Taxonomy, encoder, windows: list[int]) -> dict:
    """Kursk appeals past the encoder's window, Kursk held out: first window vs more windows."""
    from models.encoders import load_encoder

    kursk = "appeals_kursk_2022"
    long = [e for e in task.evaluate[kursk] if len(encoder.tokenize([e.text])[0]) >= 256]
    texts = [e.text for e in long]
    ways = {}
    for count in windows:
        reader = encoder if count == 1 else load_encoder("e5-small", max_chunks=count)
        tag = encoder.name if count == 1 else f"{encoder.name}-windows{count}"
        ways[f" | {count} window(s)"] = dict(
            zip(texts, embed_cached(reader, texts, tag), strict=True)
        )
    scores = run_split(task, kursk, {"shipped": TOPIC}, vectors, taxonomy, long, ways)
    print(f"\nlong texts: {len(long)} Kursk appeals past 256 tokens, Kursk held out (accuracy)")
    for name, value in scores.items():
        print(f"{name:40}{value:8.3f}")
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
    core = [s for s in sources if s not in NO_CEDR]  # the mean comparable with and without CEDR
    extra_mean = f"{'mean w/o CEDR':>15}" if len(core) < len(sources) else ""
    print(f"{'recipe':40}{header}{'mean':>8}{extra_mean}")
    summary = {}
    for name in recipes:
        row = [table[s][name] for s in sources]
        summary[name] = {"per_source": dict(zip(sources, row, strict=True)), "mean": np.mean(row)}
        cells = "".join(f"{v:>{width + 2}.3f}" for v in row)
        tail = f"{np.mean([table[s][name] for s in core]):15.3f}" if extra_mean else ""
        print(f"{name:40}{cells}{np.mean(row):8.3f}{tail}")
    counts = ", ".join(f"{s} {len(task.evaluate[s])}" for s in sources)
    print(f"rows scored: {counts}")
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--task", choices=("topic", "sentiment", "both"), default="both")
    parser.add_argument("--recipes", default="", help="recipe names separated by ; (default: all)")
    parser.add_argument("--cedr", action="store_true", help="CEDR in the sentiment sources")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", type=Path, default=None, help="also write the tables here")
    parser.add_argument(
        "--long", default="", help="window counts for the long-text check, e.g. 1,2,4 (topic)"
    )
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
            wanted = args.recipes.split(";")
            recipes = {k: v for k, v in recipes.items() if k in wanted}
        texts = sorted(
            {e.text for e in task.rows}
            | {e.text for rows in task.evaluate.values() for e in rows}
            | {e.text for e in description_rows(taxonomy)}
        )
        vectors = dict(zip(texts, embed_cached(encoder, texts, encoder.name), strict=True))
        if recipes:
            out[task.name] = report(task, recipes, vectors, taxonomy, args.jobs)
        if args.long and task.name == "topic":
            windows = [int(n) for n in args.long.split(",")]
            out["long_texts"] = long_texts(task, vectors, taxonomy, encoder, windows)
    if args.json:
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=2, default=float))


if __name__ == "__main__":
    main()
