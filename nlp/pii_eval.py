"""Scoring personal-data spans against a planted test set (tests/data/pii_planted.jsonl).

Matching rule (span overlap, per kind):
  * a planted item is *recalled* when spans found with its kind cover every letter and digit
    of it (a partial mask such as «Курганов [ФИО]» leaves the data readable: a miss);
  * it is *masked* when spans of any kind cover every letter and digit of it (the text is
    safe even if the placeholder has the wrong type);
  * a found span is *correct* (for precision) when it overlaps a planted item of its kind.
The planted texts mark every piece of personal data in them, so a found span that overlaps
nothing planted is a false positive.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

KINDS = ("PERSON", "PHONE", "EMAIL", "SNILS", "INN", "PASSPORT", "CARD", "ADDRESS")
_MARK = re.compile(r"\[\[(?P<kind>[A-Z]+):(?P<text>[^\]]+)\]\]")


@dataclass(frozen=True)
class Planted:
    kind: str
    start: int
    stop: int
    text: str


@dataclass(frozen=True)
class Found:
    kind: str
    start: int
    stop: int


@dataclass
class KindScore:
    kind: str
    planted: int = 0
    recalled: int = 0
    masked: int = 0
    found: int = 0
    correct: int = 0

    @property
    def recall(self) -> float:
        return self.recalled / self.planted if self.planted else 1.0

    @property
    def masked_share(self) -> float:
        return self.masked / self.planted if self.planted else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else 1.0


def parse_markup(source: str) -> list[dict]:
    """Paragraphs of `[[KIND:text]]`-marked appeals → {"text", "items"} records; lines
    starting with «#» are comments."""
    records = []
    lines = [line for line in source.splitlines() if not line.startswith("#")]
    for paragraph in "\n".join(lines).split("\n\n"):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        text, items, pos = [], [], 0
        length = 0
        for m in _MARK.finditer(paragraph):
            text.append(paragraph[pos : m.start()])
            length += m.start() - pos
            kind, value = m.group("kind"), m.group("text")
            if kind not in KINDS:
                raise ValueError(f"unknown kind {kind!r} in {paragraph[:60]!r}")
            stop = length + len(value)
            items.append({"kind": kind, "start": length, "stop": stop, "text": value})
            text.append(value)
            length += len(value)
            pos = m.end()
        text.append(paragraph[pos:])
        records.append({"text": "".join(text), "items": items})
    return records


def load_planted(path: Path) -> list[tuple[str, list[Planted]]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        text = record["text"]
        items = [Planted(i["kind"], i["start"], i["stop"], i["text"]) for i in record["items"]]
        for item in items:
            if text[item.start : item.stop] != item.text:
                raise ValueError(f"span {item} does not match its text in {text[:60]!r}")
        out.append((text, items))
    return out


def _covered(text: str, item: Planted, spans: Iterable[Found]) -> bool:
    inside = [(s.start, s.stop) for s in spans if s.start < item.stop and item.start < s.stop]
    return all(
        any(a <= i < b for a, b in inside)
        for i in range(item.start, item.stop)
        if text[i].isalnum()
    )


def score(
    dataset: Sequence[tuple[str, list[Planted]]],
    find: Callable[[str], Sequence[Found]],
) -> tuple[dict[str, KindScore], list[tuple[str, Planted | Found, str]]]:
    """Scores per kind, and the errors: ("miss", planted item, text) and
    ("false", found span, text)."""
    scores = {kind: KindScore(kind) for kind in KINDS}
    errors: list[tuple[str, Planted | Found, str]] = []
    for text, items in dataset:
        found = list(find(text))
        for item in items:
            s = scores[item.kind]
            s.planted += 1
            same = [f for f in found if f.kind == item.kind]
            if _covered(text, item, same):
                s.recalled += 1
            else:
                errors.append(("miss", item, text))
            if _covered(text, item, found):
                s.masked += 1
        for f in found:
            s = scores.setdefault(f.kind, KindScore(f.kind))
            s.found += 1
            if any(i.kind == f.kind and i.start < f.stop and f.start < i.stop for i in items):
                s.correct += 1
            else:
                errors.append(("false", f, text))
    return scores, errors


def total(scores: dict[str, KindScore]) -> KindScore:
    out = KindScore("ALL")
    for s in scores.values():
        out.planted += s.planted
        out.recalled += s.recalled
        out.masked += s.masked
        out.found += s.found
        out.correct += s.correct
    return out
