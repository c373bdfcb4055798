"""The classifier: nlp signals + encoder + heads → one Classification record per text."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import sparse

from models.added_topics import AddedTopics
from models.aspect_cues import aspect_cues
from models.branch import load_delta
from models.catalog import check_format, config_precision
from models.constants import (
    CONFIG_FILE,
    DEFAULT_MODEL_DIR,
    TAXONOMY_FILE,
    TAXONOMY_SECTIONS,
)
from models.encoders import Encoder, load_encoder
from models.features import CharTfidf
from models.heads import LinearHead, load_heads
from models.taxonomy import OTHER_TOPIC, Taxonomy
from models.urgency_rules import urgency_reasons
from nlp.pipeline import TextAnalysis, analyze

URGENCY_ORDER = ("low", "medium", "high")
SUPPORTED_LANGUAGES = ("ru",)
BOTH = "base+tuned"  # a head over the frozen and the fine-tuned embeddings side by side
CUE_SCORE = 0.5  # the score of an aspect stated outright that the head scored lower


@dataclass
class ModelConfig:
    name: str
    version: str
    encoder: str = "e5-small"
    precision: str = "auto"  # models.encoders.PRECISIONS
    max_length: int = 256
    max_chunks: int = 1  # windows of max_length tokens read from a long text
    top_k: int = 3
    other_threshold: float = 0.3
    extra: dict = field(default_factory=dict)

    @classmethod
    def load(cls, directory: Path) -> ModelConfig:
        data = json.loads((directory / CONFIG_FILE).read_text("utf-8"))
        check_format(data, directory)
        data["precision"] = config_precision(data)
        data.pop("quantize", None)
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data and k != "extra"}
        extra = {k: v for k, v in data.items() if k not in cls.__dataclass_fields__}
        return cls(**known, extra=extra)


@dataclass
class Scored:
    id: str
    name: str
    score: float

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "score": round(self.score, 4)}


@dataclass
class Urgency:
    level: str
    name: str
    score: float
    reasons: list[dict]

    def to_dict(self) -> dict:
        return {
            "level": self.level,
            "name": self.name,
            "score": round(self.score, 4),
            "reasons": self.reasons,
        }


@dataclass
class Classification:
    topic: Scored
    topics: list[Scored]
    sentiment: Scored
    type: Scored
    aspects: list[Scored]
    urgency: Urgency
    analysis: TextAnalysis
    warnings: list[str]

    def to_dict(self, include_personal_data: bool = False) -> dict:
        analysis = self.analysis.to_dict(include_personal_data=include_personal_data)
        return {
            "topic": self.topic.to_dict(),
            "topics": [t.to_dict() for t in self.topics],
            "sentiment": self.sentiment.to_dict(),
            "type": self.type.to_dict(),
            "aspects": [a.to_dict() for a in self.aspects],
            "urgency": self.urgency.to_dict(),
            "language": analysis["language"],
            "entities": analysis["entities"],
            "places": analysis["places"],
            "masked_text": analysis["masked_text"],
            "pii": analysis["pii"],
            "warnings": self.warnings,
        }


class Classifier:
    """Loads a model directory (config, taxonomy, heads, optional TF-IDF) and classifies texts."""

    def __init__(self, directory: Path = DEFAULT_MODEL_DIR, encoder: Encoder | None = None):
        self.directory = Path(directory)
        self.config = ModelConfig.load(self.directory)
        self.taxonomy = Taxonomy.load(self.directory / TAXONOMY_FILE)
        self.heads: dict[str, LinearHead] = load_heads(self.directory)
        self.lexicons: dict[str, CharTfidf] = {}
        for head in self.heads.values():
            for stem in head.lexical if head.uses_sparse else ():
                if stem not in self.lexicons:
                    self.lexicons[stem] = CharTfidf.load(self.directory, stem)
        self.tfidf = self.lexicons.get("tfidf")
        self.encoder = encoder or load_encoder(
            self.config.encoder,
            precision=self.config.precision,
            max_length=self.config.max_length,
            max_chunks=self.config.max_chunks,
        )
        delta = load_delta(self.directory)
        self.branch = self.encoder.tuned_branch(delta) if delta is not None else None
        inputs = {"base", "tuned", BOTH} if delta is not None else {"base"}
        missing = {h.input for h in self.heads.values()} - inputs
        if missing:
            raise ValueError(f"{self.directory}: heads need encoder branch {sorted(missing)}")
        self._names = {
            task: self.taxonomy.names(section) for task, section in TAXONOMY_SECTIONS.items()
        }
        self._lock = threading.Lock()
        self.added_topics = AddedTopics(  # topics added at run time (models/added_topics.py)
            self.name,
            self.taxonomy,
            self.embed_base,
            encoder_id=self.config.encoder,
            reserved_ids=self.heads["topic"].labels if "topic" in self.heads else (),
        )

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def version(self) -> str:
        return self.config.version

    def describe(self) -> dict:
        card = self.directory / "metrics.json"
        return {
            "name": self.name,
            "version": self.version,
            "encoder": getattr(self.encoder, "name", self.config.encoder),
            "heads": {
                name: {"labels": head.labels, "kind": head.kind}
                for name, head in self.heads.items()
            },
            "metrics": json.loads(card.read_text("utf-8")) if card.exists() else {},
        }

    def features(self, texts: Sequence[str]) -> tuple[dict[str, np.ndarray], dict]:
        """Encoder embeddings ("base", and "tuned" for a fine-tuned model) and TF-IDF."""
        texts = list(texts)
        with self._lock:  # torch intra-op threads already use every core
            if self.branch is not None:
                base, tuned = self.encoder.encode_branches(texts, self.branch)
                dense = {"base": base, "tuned": tuned, BOTH: np.hstack([base, tuned])}
            else:
                dense = {"base": self.encoder.encode(texts)}
        lexical = {stem: lexicon.transform(texts) for stem, lexicon in self.lexicons.items()}
        return dense, lexical

    @staticmethod
    def lexical_for(head: LinearHead, lexical: dict):
        """The TF-IDF features `head` was trained on (None for a dense-only head)."""
        if not head.uses_sparse:
            return None
        parts = [lexical[stem] for stem in head.lexical]
        return parts[0] if len(parts) == 1 else sparse.hstack(parts, format="csr")

    def embed_base(self, texts: Sequence[str]) -> np.ndarray:
        """Base encoder embeddings of already cleaned texts (as `features()["base"]`)."""
        with self._lock:
            return self.encoder.encode(list(texts))

    def probabilities(self, dense: dict[str, np.ndarray], lexical: dict) -> dict[str, np.ndarray]:
        return {
            name: head.predict_proba(dense[head.input], self.lexical_for(head, lexical))
            for name, head in self.heads.items()
        }

    def head_probabilities(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Probabilities of every head for already cleaned texts."""
        return self.probabilities(*self.features(texts))

    def classify(self, texts: Sequence[str]) -> list[Classification]:
        analyses = [analyze(text) for text in texts]
        return self.classify_analyzed(analyses)

    def classify_analyzed(self, analyses: Sequence[TextAnalysis]) -> list[Classification]:
        if not analyses:
            return []
        dense, lexical = self.features([a.clean for a in analyses])
        probabilities = self.probabilities(dense, lexical)
        records = [
            self._record(analysis, {name: p[i] for name, p in probabilities.items()})
            for i, analysis in enumerate(analyses)
        ]
        self.added_topics.apply(records, dense["base"], self.config.top_k)
        return records

    def label_name(self, head: str, label: str) -> str:
        """The Russian name of a head's label (the label itself when it has none)."""
        return self._names.get(head, {}).get(label, label)

    def _scored(self, head: str, label: str, score: float) -> Scored:
        return Scored(label, self._names[head].get(label, label), float(score))

    def _best(self, head: str, probs: np.ndarray) -> Scored:
        labels = self.heads[head].labels
        best = int(np.argmax(probs))
        return self._scored(head, labels[best], probs[best])

    def _record(self, analysis: TextAnalysis, probs: dict[str, np.ndarray]) -> Classification:
        warnings: list[str] = []
        if analysis.language not in SUPPORTED_LANGUAGES:
            warnings.append(f"language:{analysis.language}")

        topic_labels = self.heads["topic"].labels
        order = np.argsort(-probs["topic"])[: self.config.top_k]
        topics = [self._scored("topic", topic_labels[i], probs["topic"][i]) for i in order]
        topic = topics[0]
        if topic.score < self.config.other_threshold and topic.id != OTHER_TOPIC:
            other_score = 1.0 - topic.score
            topic = self._scored("topic", OTHER_TOPIC, other_score)
            warnings.append("topic:uncertain")

        aspects_head = self.heads["aspects"]
        thresholds = aspects_head.decision_thresholds()
        cued = aspect_cues(analysis.clean)
        aspects = sorted(
            (
                self._scored("aspects", label, max(p, CUE_SCORE) if label in cued else p)
                for label, p, t in zip(
                    aspects_head.labels, probs["aspects"], thresholds, strict=True
                )
                if p >= t or label in cued
            ),
            key=lambda s: -s.score,
        )
        return Classification(
            topic=topic,
            topics=topics,
            sentiment=self._best("sentiment", probs["sentiment"]),
            type=self._best("type", probs["type"]),
            aspects=aspects,
            urgency=self._urgency(analysis.clean, probs["urgency"]),
            analysis=analysis,
            warnings=warnings,
        )

    def _urgency(self, text: str, probs: np.ndarray) -> Urgency:
        labels = self.heads["urgency"].labels
        best = self._best("urgency", probs)
        level, score = best.id, best.score
        cues = urgency_reasons(text)
        if cues and level != "high":
            level, score = "high", float(max(probs[labels.index("high")], 0.5))
        return Urgency(
            level=level,
            name=self._names["urgency"].get(level, level),
            score=score,
            reasons=[{"id": cue.id, "name": cue.name} for cue in cues],
        )
