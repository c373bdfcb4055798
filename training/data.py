"""Labelled examples for the default model: the project's own and the permitted real data."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from models.constants import EXAMPLES_DIR, TAXONOMY_DIR
from models.settings import settings
from nlp.clean import clean_text

SENTIMENTS = ("negative", "neutral", "positive")


def shared_datasets_dir() -> Path:
    return settings().datasets


@dataclass
class Example:
    text: str
    source: str
    topic: str | None = None
    type: str | None = None
    aspects: list[str] | None = None
    sentiment: str | None = None
    urgency: str | None = None
    meta: dict = field(default_factory=dict)


def read_jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def project_examples() -> list[Example]:
    rows = []
    for path in sorted(EXAMPLES_DIR.glob("*.jsonl")):
        for row in read_jsonl(path):
            rows.append(
                Example(
                    text=clean_text(row["text"]),
                    source=f"project:{path.stem}",
                    topic=row.get("topic"),
                    type=row.get("type"),
                    aspects=list(row.get("aspects", [])),
                    sentiment=row.get("sentiment"),
                    urgency=row.get("urgency"),
                    meta={"id": row.get("id"), "client": row.get("client", "external")},
                )
            )
    return rows


def _mapping(name: str) -> dict:
    return json.loads((TAXONOMY_DIR / "mappings" / name).read_text("utf-8"))


def kursk_appeals(split: str = "train") -> list[Example]:
    path = shared_datasets_dir() / "appeals_kursk_2022" / f"{split}.jsonl"
    if not path.exists():
        return []
    topic_map = _mapping("kursk_topic.json")["map"]
    rows = []
    for row in read_jsonl(path):
        if str(row.get("category_code")) == "12":
            continue
        rows.append(
            Example(
                text=clean_text(row["text"]),
                source="appeals_kursk_2022",
                topic=topic_map.get(row.get("topic")),
                meta={
                    "category_code": str(row.get("category_code")),
                    "executor": row.get("executor"),
                },
            )
        )
    return rows


def kz_akimat_appeals() -> list[Example]:
    path = shared_datasets_dir() / "appeals_kz_akimat" / "data.jsonl"
    if not path.exists():
        return []
    topics = _mapping("kz_akimat_category.json")["map"]
    urgency = _mapping("kz_akimat_urgency.json")["map"]
    rows, seen = [], set()
    for row in read_jsonl(path):
        text = clean_text(row["text"])
        if text in seen:
            continue
        seen.add(text)
        rows.append(
            Example(
                text=text,
                source="appeals_kz_akimat",
                topic=topics.get(row.get("category")),
                urgency=urgency.get(row.get("urgency")),
            )
        )
    return rows


def sentiment_rows(dataset: str, split: str) -> list[Example]:
    path = shared_datasets_dir() / dataset / f"{split}.jsonl"
    if not path.exists():
        return []
    return [
        Example(text=clean_text(row["text"]), source=f"{dataset}:{split}", sentiment=row["label"])
        for row in read_jsonl(path)
        if row.get("label") in SENTIMENTS
    ]


def bank_reviews() -> list[Example]:
    path = shared_datasets_dir() / "sravni_bank_reviews" / "data.jsonl"
    if not path.exists():
        return []
    return [
        Example(text=clean_text(row["text"]), source="sravni_bank_reviews", sentiment=row["label"])
        for row in read_jsonl(path)
        if row.get("label") in SENTIMENTS
    ]


# CEDR emotions as weak sentiment labels (SOURCE.md): surprise and mixed polarity are dropped
_CEDR_NEGATIVE = {"sadness", "fear", "anger"}


def cedr_sentiment(split: str) -> list[Example]:
    path = shared_datasets_dir() / "cedr_emotions" / f"{split}.jsonl"
    if not path.exists():
        return []
    rows = []
    for row in read_jsonl(path):
        emotions = set(row.get("emotions") or [])
        if "surprise" in emotions or ("joy" in emotions and emotions & _CEDR_NEGATIVE):
            continue
        label = "positive" if "joy" in emotions else "negative" if emotions else "neutral"
        rows.append(
            Example(
                text=clean_text(row["text"]),
                source=f"cedr_emotions:{split}",
                sentiment=label,
                meta={"origin": row.get("source")},
            )
        )
    return rows


def restaurant_reviews(split: str) -> list[Example]:
    """Reviews whose overall ("Whole") sentiment is one polarity, or only neutral."""
    path = shared_datasets_dir() / "sentirueval2015_restaurant_reviews" / f"{split}.jsonl"
    if not path.exists():
        return []
    rows = []
    for row in read_jsonl(path):
        whole = set((row.get("category_sentiments") or {}).get("Whole", [])) - {"both"}
        polar = whole & {"positive", "negative"}
        if len(polar) == 1:
            label = polar.pop()
        elif whole == {"neutral"}:
            label = "neutral"
        else:
            continue
        rows.append(
            Example(
                text=clean_text(row["text"]),
                source=f"sentirueval2015_restaurant_reviews:{split}",
                sentiment=label,
            )
        )
    return rows
