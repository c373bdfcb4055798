"""Dates written in Russian texts: «17.05.2021», «2021-05-17», «17 мая 2021 г.», «мая 2021»,
«в 2021 году». Normal forms are ISO 8601, truncated when a part is missing: «2021-05-17»,
«2021-05», «2021», «--05-17» (day and month without a year)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_MONTHS = {
    "январ": 1, "феврал": 2, "март": 3, "апрел": 4, "ма": 5, "июн": 6,
    "июл": 7, "август": 8, "сентябр": 9, "октябр": 10, "ноябр": 11, "декабр": 12,
}  # fmt: skip
_MONTH = (
    r"(?P<month>январ[ьяе]|феврал[ьяе]|март[ае]?|апрел[ьяе]|ма[йяе]|июн[ьяе]|июл[ьяе]|"
    r"август[ае]?|сентябр[ьяе]|октябр[ьяе]|ноябр[ьяе]|декабр[ьяе])"
)
_YEAR_WORD = r"(?:\s?(?:г\.|гг\.|г(?![\w])|года|году|год(?![\w])))?"

_PATTERNS = [
    re.compile(
        r"(?<![\d.,/])(?P<day>\d{1,2})[./](?P<mon>\d{1,2})[./](?P<year>\d{4}|\d{2})(?![\d])"
        + _YEAR_WORD
    ),
    re.compile(r"(?<![\d\-])(?P<year>\d{4})-(?P<mon>\d{2})-(?P<day>\d{2})(?![\d])"),
    re.compile(
        rf"(?<![\d])(?P<day>\d{{1,2}})(?:-?го)?\s+{_MONTH}(?![\w])(?:\s+(?P<year>\d{{4}})(?!\d))?"
        + _YEAR_WORD,
        re.IGNORECASE,
    ),
    re.compile(rf"(?<![\w]){_MONTH}\s+(?P<year>\d{{4}})(?!\d)" + _YEAR_WORD, re.IGNORECASE),
    re.compile(r"(?<![\d.,])(?P<year>(?:19|20)\d{2})\s?(?:г\.|гг\.|г(?![\w])|год[ауеом]?(?![\w]))"),
]


@dataclass(frozen=True)
class DateMention:
    text: str
    start: int
    stop: int
    normal: str


def _month_number(word: str) -> int:
    word = word.lower()
    for stem in sorted(_MONTHS, key=len, reverse=True):
        if word.startswith(stem):
            return _MONTHS[stem]
    raise ValueError(word)


def _normal(m: re.Match) -> str | None:
    parts = m.groupdict()
    year = parts.get("year")
    if year is not None and len(year) == 2:
        year = "20" + year
    if parts.get("month"):
        month = _month_number(parts["month"])
    elif parts.get("mon"):
        month = int(parts["mon"])
    else:
        month = None
    day = int(parts["day"]) if parts.get("day") else None
    if month is not None and not 1 <= month <= 12:
        return None
    if day is not None and not 1 <= day <= 31:
        return None
    if year is not None and not 1900 <= int(year) <= 2100:
        return None
    if year and month and day:
        return f"{year}-{month:02d}-{day:02d}"
    if year and month:
        return f"{year}-{month:02d}"
    if month and day:
        return f"--{month:02d}-{day:02d}"
    return year


def find_dates(text: str) -> list[DateMention]:
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for pattern in _PATTERNS:  # more specific patterns first; later ones fill the gaps
        for m in pattern.finditer(text):
            if any(m.start() < stop and start < m.end() for start, stop in taken):
                continue
            normal = _normal(m)
            if normal is None:
                continue
            found.append(DateMention(m.group(0), m.start(), m.end(), normal))
            taken.append((m.start(), m.end()))
    return sorted(found, key=lambda d: d.start)
