"""Build the embedded default model (models/default) from the project's examples and the
permitted real data in ../shared/datasets, and measure it.

    python -m training.build_default [--output models/default]
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.metrics import classification_report

from models.aspect_cues import aspect_cues
from models.constants import DEFAULT_MODEL_DIR, MODEL_FORMAT_VERSION, TAXONOMY_DIR
from models.encoders import load_encoder
from models.features import CharTfidf
from models.heads import save_heads
from models.taxonomy import Taxonomy
from training import data
from training.cross_source import cross_source_table, sentiment_task, task_texts, topic_task
from training.embeddings import embed_cached
from training.linear import (
    expected_calibration_error,
    fit_sigmoid_head,
    fit_softmax_head,
    softmax_scores,
)
from training.model_card import default_card, write_card
from training.recipes import SENTIMENT, TOPIC, Recipe, description_rows, sample_weights, source_of

MODEL_NAME = "otklik-default"
MODEL_VERSION = "2.0.0"
DENSE_SCALE = 3.0
MAX_CHUNKS = 2  # windows of 256 tokens read from a long text (benchmarks/generalisation.py --long)


def build(output: Path, seed: int = 0, cross_source: bool = True) -> dict:
    started = time.time()
    taxonomy = Taxonomy.load(TAXONOMY_DIR / "default.json")
    project = data.project_examples()
    kursk = [e for e in data.kursk_appeals() if e.topic]
    kz = data.kz_akimat_appeals()
    tweets = data.sentiment_rows("sentirueval2015_tweets", "train")
    reviews = data.bank_reviews()
    restaurants = data.restaurant_reviews("train") + data.restaurant_reviews("test")
    cedr = data.cedr_sentiment("train") + data.cedr_sentiment("test")
    cedr = [] if "cedr_emotions" in SENTIMENT.exclude else cedr
    descriptions = description_rows(taxonomy) if TOPIC.descriptions > 0 else []
    everything = project + kursk + kz + tweets + reviews + restaurants + cedr + descriptions
    print(
        f"examples: project {len(project)}, kursk {len(kursk)}, kz {len(kz)}, "
        f"tweets {len(tweets)}, bank reviews {len(reviews)}, restaurant reviews "
        f"{len(restaurants)}, cedr {len(cedr)}, taxonomy descriptions {len(descriptions)}"
    )

    encoder = load_encoder("e5-small", max_chunks=MAX_CHUNKS)
    tag = encoder.name if MAX_CHUNKS == 1 else f"{encoder.name}-windows{MAX_CHUNKS}"
    texts = [e.text for e in everything]
    dense_all = embed_cached(encoder, texts, tag)
    position = {id(e): i for i, e in enumerate(everything)}
    tfidf = CharTfidf().fit(sorted(set(texts)))

    def features(rows: list[data.Example]):
        idx = [position[id(e)] for e in rows]
        return dense_all[idx], tfidf.transform([e.text for e in rows])

    metrics: dict = {"trained_at": time.strftime("%Y-%m-%d"), "seed": seed, "heads": {}}
    heads = {}

    def softmax_head(name: str, rows, labels, attr: str, recipe: Recipe | None = None):
        dense, lexical = features(rows)
        truth = [getattr(e, attr) for e in rows]
        options: dict = {"dense_scale": DENSE_SCALE}
        if recipe is not None:
            options = {
                "dense_scale": recipe.dense_scale,
                "c": recipe.c,
                "class_weight": recipe.class_weight,
                "sample_weight": sample_weights(rows, recipe),
            }
        head, oof = fit_softmax_head(name, dense, lexical, truth, labels, seed=seed, **options)
        predicted = [labels[i] for i in oof.argmax(axis=1)]
        scores = softmax_scores(truth, predicted)
        scores["ece"] = expected_calibration_error(oof, [labels.index(t) for t in truth])
        scores["per_class"] = _per_class(truth, predicted)
        scores["training_rows"] = dict(Counter(e.source.split(":")[0] for e in rows))
        scores["accuracy_by_source"] = {
            source: round(float(np.mean([t == p for e, t, p in hits])), 4)
            for source, hits in _by_source(rows, truth, predicted).items()
        }
        head.metrics = {"cv": scores}
        heads[name] = head
        metrics["heads"][name] = {"cv_5fold": scores}
        print(f"{name}: cv {_short(scores)}")
        return head, oof, predicted

    topic_labels = [t.id for t in taxonomy.topics]
    topic_rows = [e for e in everything if e.topic in topic_labels]
    _, _, topic_pred = softmax_head("topic", topic_rows, topic_labels, "topic", TOPIC)
    kursk_eval = _kursk_category_accuracy(topic_rows, topic_pred)
    if kursk_eval:
        metrics["heads"]["topic"]["kursk_category_accuracy_cv"] = kursk_eval
        print(f"topic on kursk (category mapping, out-of-fold): {kursk_eval}")

    # Sentiment is measured on the visible tweet test split first, then refitted with it.
    sentiment_labels = [s.id for s in taxonomy.sentiments]
    sentiment_rows = [
        e
        for e in everything
        if e.sentiment in sentiment_labels and source_of(e) not in SENTIMENT.exclude
    ]
    sentiment_head, _, _ = softmax_head(
        "sentiment", sentiment_rows, sentiment_labels, "sentiment", SENTIMENT
    )
    metrics["heads"]["sentiment"]["test"] = _sentiment_tests(
        sentiment_head, encoder, tag, tfidf, sentiment_labels
    )
    tweets_test = data.sentiment_rows("sentirueval2015_tweets", "test")
    if tweets_test:
        rows = sentiment_rows + tweets_test
        shipped_dense = np.vstack(
            [features(sentiment_rows)[0], embed_cached(encoder, [e.text for e in tweets_test], tag)]
        )
        shipped, _ = fit_softmax_head(
            "sentiment",
            shipped_dense,
            tfidf.transform([e.text for e in rows]),
            [e.sentiment for e in rows],
            sentiment_labels,
            dense_scale=SENTIMENT.dense_scale,
            c=SENTIMENT.c,
            seed=seed,
            class_weight=SENTIMENT.class_weight,
            sample_weight=sample_weights(rows, SENTIMENT),
            folds=2,
        )
        shipped.metrics = sentiment_head.metrics
        heads["sentiment"] = shipped
        metrics["heads"]["sentiment"]["shipped_with_tweets_test"] = len(tweets_test)

    type_labels = [t.id for t in taxonomy.types]
    softmax_head("type", [e for e in everything if e.type in type_labels], type_labels, "type")

    # KZ akimat urgency labels are far more liberal than ours ("высокая" for a third of rows):
    # only the project's examples teach urgency.
    urgency_labels = [u.id for u in taxonomy.urgency]
    urgency_rows = [e for e in project if e.urgency in urgency_labels]
    softmax_head("urgency", urgency_rows, urgency_labels, "urgency")

    aspect_labels = [a.id for a in taxonomy.aspects]
    aspect_rows = [e for e in everything if e.aspects is not None]
    dense, lexical = features(aspect_rows)
    targets = np.array([[int(a in (e.aspects or [])) for a in aspect_labels] for e in aspect_rows])
    aspects_head, oof = fit_sigmoid_head(
        "aspects", dense, lexical, targets, aspect_labels, dense_scale=DENSE_SCALE, seed=seed
    )
    predicted = oof >= aspects_head.decision_thresholds()
    aspect_scores = _multilabel_scores(targets, predicted, aspect_labels)
    cued = np.array([[a in aspect_cues(e.text) for a in aspect_labels] for e in aspect_rows])
    with_cues = _multilabel_scores(targets, predicted | cued, aspect_labels)
    aspects_head.metrics = {"cv": aspect_scores}
    heads["aspects"] = aspects_head
    metrics["heads"]["aspects"] = {"cv_5fold": aspect_scores, "cv_5fold_with_cues": with_cues}
    print(f"aspects: cv micro-F1 {aspect_scores['micro_f1']} macro-F1 {aspect_scores['macro_f1']}")
    print(f"aspects with cues: micro-F1 {with_cues['micro_f1']} macro-F1 {with_cues['macro_f1']}")

    if cross_source:
        metrics["cross_source"] = _cross_source(encoder, tag, taxonomy)

    output.mkdir(parents=True, exist_ok=True)
    save_heads(output, heads)
    tfidf.save(output)
    taxonomy.save(output / "taxonomy.json")
    config = {
        "format_version": MODEL_FORMAT_VERSION,
        "name": MODEL_NAME,
        "version": MODEL_VERSION,
        "encoder": "e5-small",
        "precision": "auto",
        "max_length": 256,
        "max_chunks": MAX_CHUNKS,
        "top_k": 3,
        "other_threshold": 0.3,
        "dense_scale": DENSE_SCALE,
    }
    (output / "config.json").write_text(json.dumps(config, indent=2) + "\n", "utf-8")
    metrics["build_seconds"] = round(time.time() - started, 1)
    (output / "metrics.json").write_text(
        json.dumps(metrics, ensure_ascii=False, indent=2) + "\n", "utf-8"
    )
    write_card(output, default_card(config, metrics))
    return metrics


def _cross_source(encoder, tag: str, taxonomy: Taxonomy) -> dict:
    """The yardstick the recipes were chosen by: each source scored by heads trained without it
    (training/cross_source.py; variants in benchmarks/generalisation.py)."""
    out = {}
    for task, recipe in ((topic_task(taxonomy), TOPIC), (sentiment_task(taxonomy), SENTIMENT)):
        texts = task_texts(task, taxonomy)
        vectors = dict(zip(texts, embed_cached(encoder, texts, tag), strict=True))
        table = cross_source_table(task, {"shipped": recipe}, vectors, taxonomy)
        per_source = {source: round(scores["shipped"], 4) for source, scores in table.items()}
        out[task.name] = {
            "metric": task.metric,
            "per_source": per_source,
            "mean": round(float(np.mean(list(per_source.values()))), 4),
            "rows": {source: len(rows) for source, rows in task.evaluate.items()},
        }
        print(f"{task.name} across sources: {out[task.name]}")
    return out


def _by_source(rows, truth, predicted) -> dict[str, list]:
    """(row, truth, prediction) triples grouped by the row's source (source_of)."""
    groups: dict[str, list] = {}
    for row, t, p in zip(rows, truth, predicted, strict=True):
        groups.setdefault(source_of(row), []).append((row, t, p))
    return groups


def _short(scores: dict) -> str:
    return f"acc {scores['accuracy']} macro-F1 {scores['macro_f1']} n={scores['n']}"


def _per_class(truth, predicted) -> dict:
    report = classification_report(truth, predicted, output_dict=True, zero_division=0)
    return {
        label: {k: round(float(v), 4) for k, v in values.items()}
        for label, values in report.items()
        if isinstance(values, dict) and label not in ("macro avg", "weighted avg")
    }


def _kursk_category_accuracy(rows, predicted) -> dict | None:
    mapping = json.loads(
        (TAXONOMY_DIR / "mappings" / "kursk_category.json").read_text("utf-8")
    )["map"]
    triples = [
        (mapping.get(e.meta["category_code"], []), e.topic, p)
        for e, p in zip(rows, predicted, strict=True)
        if e.source == "appeals_kursk_2022"
    ]
    if not triples:
        return None
    correct = sum(p in allowed for allowed, _, p in triples)
    strict = sum(p == truth for _, truth, p in triples)
    return {
        "accuracy": round(correct / len(triples), 4),
        "strict_topic_accuracy": round(strict / len(triples), 4),
        "n": len(triples),
    }


def _sentiment_tests(head, encoder, tag, tfidf, labels) -> dict:
    results = {}
    for dataset, metric in (("sentirueval2015_tweets", "macro_f1"), ("rusentiment", "weighted_f1")):
        rows = data.sentiment_rows(dataset, "test")
        if not rows:
            continue
        texts = [e.text for e in rows]
        probs = head.predict_proba(embed_cached(encoder, texts, tag), tfidf.transform(texts))
        predicted = [labels[i] for i in probs.argmax(axis=1)]
        scores = softmax_scores([e.sentiment for e in rows], predicted)
        scores["headline"] = metric
        results[dataset] = scores
        print(f"sentiment on {dataset} test: {_short(scores)} weighted-F1 {scores['weighted_f1']}")
    return results


def _multilabel_scores(truth: np.ndarray, predicted: np.ndarray, labels: list[str]) -> dict:
    from sklearn.metrics import f1_score, precision_score, recall_score

    per_label = {}
    for j, label in enumerate(labels):
        per_label[label] = {
            "precision": round(
                float(precision_score(truth[:, j], predicted[:, j], zero_division=0)), 4
            ),
            "recall": round(float(recall_score(truth[:, j], predicted[:, j], zero_division=0)), 4),
            "f1": round(float(f1_score(truth[:, j], predicted[:, j], zero_division=0)), 4),
            "support": int(truth[:, j].sum()),
        }
    return {
        "micro_f1": round(float(f1_score(truth, predicted, average="micro", zero_division=0)), 4),
        "macro_f1": round(float(f1_score(truth, predicted, average="macro", zero_division=0)), 4),
        "n": int(len(truth)),
        "per_label": per_label,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--no-cross-source", action="store_true", help="skip the leave-one-source-out table"
    )
    args = parser.parse_args()
    build(args.output, seed=args.seed, cross_source=not args.no_cross_source)


if __name__ == "__main__":
    main()
