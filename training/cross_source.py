"""Leave one source out: train a head on every source but one, score it on that one.

The yardstick the default model's topic and sentiment heads are chosen by
(`benchmarks/generalisation.py` compares recipes; `training.build_default` records the
shipped recipe's table in the model card). Topic sources: Kursk appeals (scored by the
category mapping), KZ akimat appeals, each block of the project's own examples. Sentiment
sources: bank and telecom tweets (scored on their test split), bank reviews, restaurant
reviews, the project's examples, CEDR sentences (weak labels).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable

import numpy as np
from joblib import Parallel, delayed
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

from models.features import CharTfidf
from models.taxonomy import Taxonomy
from training import data
from training.linear import class_weights, design_matrix
from training.recipes import Recipe, description_rows, neighbour_vote, sample_weights, source_of


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


def sentiment_task(taxonomy: Taxonomy, cedr: bool = True) -> Task:
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


def cross_source_table(
    task: Task, recipes: dict[str, Recipe], vectors, taxonomy: Taxonomy, jobs: int = 2
) -> dict[str, dict[str, float]]:
    """{held-out source: {recipe: score}} for every source of the task."""
    sources = list(task.evaluate)
    results = Parallel(n_jobs=jobs)(
        delayed(run_split)(task, source, recipes, vectors, taxonomy) for source in sources
    )
    return dict(zip(sources, results, strict=True))


def task_texts(task: Task, taxonomy: Taxonomy) -> list[str]:
    """Every text the task trains or scores on (to embed once)."""
    texts = {e.text for e in task.rows} | {e.text for r in task.evaluate.values() for e in r}
    return sorted(texts | {e.text for e in description_rows(taxonomy)})
