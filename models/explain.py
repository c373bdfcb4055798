"""Which words drove a topic: occlusion. Each distinct word (all its occurrences) is dropped in
turn, the variants are classified in one batch (the classifier is batch-invariant, so a text's
probabilities do not depend on its neighbours), and a word's score is the fall of the topic's
probability without it (negative: the topic is likelier without the word)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nlp.pipeline import analyze

WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
MAX_WORDS = 60  # distinct words explained; the rest of a long text keeps score 0


@dataclass(frozen=True)
class Word:
    text: str
    spans: list[tuple[int, int]]


def distinct_words(text: str, limit: int = MAX_WORDS) -> list[Word]:
    """Distinct words (case-insensitive) in order of first use, with every occurrence."""
    found: dict[str, list[tuple[int, int]]] = {}
    first: dict[str, str] = {}
    for match in WORD.finditer(text):
        key = match.group().lower()
        if key not in found:
            if len(found) >= limit:
                continue
            found[key] = []
            first[key] = match.group()
        found[key].append(match.span())
    return [Word(first[k], spans) for k, spans in found.items()]


def without(text: str, word: Word) -> str:
    out, last = [], 0
    for start, end in word.spans:
        out.append(text[last:start])
        last = end
    out.append(text[last:])
    return re.sub(r"[ \t]{2,}", " ", "".join(out)).strip()


class TopicProbe:
    """Wraps a Classifier so that `classify(texts)` returns each text's topic probabilities
    (label → probability) — a drop-in job for the request scheduler."""

    def __init__(self, classifier) -> None:
        self.classifier = classifier
        self.labels: list[str] = list(classifier.heads["topic"].labels)

    def classify(self, texts: Sequence[str]) -> list[dict[str, float]]:
        clean = [analyze(t).clean for t in texts]
        probs = self.classifier.head_probabilities(clean)["topic"]
        return [dict(zip(self.labels, map(float, np.asarray(row)), strict=True)) for row in probs]


def contributions(
    words: Sequence[Word], base: dict[str, float], variants: Sequence[dict[str, float]], topic: str
) -> list[dict]:
    """One record per word: its occurrences and score = p(topic | text) − p(topic | text
    without the word), ordered as the words appear."""
    p = base.get(topic, 0.0)
    return [
        {
            "word": w.text,
            "spans": [list(s) for s in w.spans],
            "score": round(p - v.get(topic, 0.0), 4),
        }
        for w, v in zip(words, variants, strict=True)
    ]
