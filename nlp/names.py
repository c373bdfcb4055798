"""Normal form of a person's name found by NER: «Ивановой Марии Петровне» → «Иванова Мария
Петровна», «Петрову И.И.» → «Петров И.И.». Pure pymorphy2 (microseconds); natasha's
NamesExtractor costs ~2 ms per span and leaves the case as written."""

from __future__ import annotations

import re
from functools import lru_cache

from nlp.runtime import morph_vocab

_INITIAL = re.compile(r"(?<![А-ЯЁа-яё])[А-ЯЁ]\.")
_WORD = re.compile(r"[^\W\d_]{2,}(?:-[^\W\d_]+)*")
_ROLES = ("Surn", "Name", "Patr")


def _person_parses(word: str) -> list:
    """Name, patronymic and surname readings; a person's name is never plural."""
    return [
        p
        for p in morph_vocab().parse(word)
        if any(r in p.tag for r in _ROLES) and "plur" not in p.tag
    ]


def _fits(parse, case: str | None, gender: str | None) -> bool:
    if str(parse.tag.case) != str(case):
        return False
    return gender is None or "ms-f" in parse.tag or str(parse.tag.gender) == gender


def _role(parse) -> str:
    return next(r for r in _ROLES if r in parse.tag)


def _agreement(options: list[list]) -> tuple[str | None, str | None]:
    """The (case, gender) most words of the name can share."""

    def key(p) -> tuple[str | None, str | None]:
        return (str(p.tag.case), str(p.tag.gender) if p.tag.gender else None)

    # patronymics are the least ambiguous, then first names; ties go to the earlier anchor
    anchors = [
        key(p)
        for role in ("Patr", "Name", "Surn")
        for ps in options
        for p in ps
        if _role(p) == role
    ]
    best, best_score = (None, None), 0
    for case, gender in dict.fromkeys(anchors):
        score = sum(any(_fits(p, case, gender) for p in parses) for parses in options)
        if score > best_score:
            best, best_score = (case, gender), score
    return best


def _nominative(word: str, parse) -> str:
    from pymorphy2.analyzer import Parse

    inflected = Parse.inflect(parse, {"nomn"})
    new = inflected.word if inflected is not None else word.lower()
    return "-".join(p[:1].upper() + p[1:] for p in new.split("-"))


# Surname endings by (gender, case) → nominative ending, for surnames pymorphy2 does not know
_SURNAME_ENDINGS = {
    "femn": {"gent": "ой", "datv": "ой", "ablt": "ой", "loct": "ой", "accs": "у"},
    "masc": {"gent": "а", "datv": "у", "ablt": "ым", "loct": "е", "accs": "а"},
}
_SURNAME_STEMS = ("ов", "ев", "ёв", "ин", "ын")


def _guess_surname(word: str, case: str | None, gender: str | None) -> str:
    ending = _SURNAME_ENDINGS.get(str(gender), {}).get(str(case))
    if ending is None or not word.endswith(ending):
        return word
    stem = word[: -len(ending)]
    if not stem.endswith(_SURNAME_STEMS):
        return word
    return stem + ("а" if gender == "femn" else "")


@lru_cache(maxsize=20_000)
def person_normal(span: str) -> str | None:
    """«Фамилия Имя Отчество» (the parts present), or None when no word reads as a name."""
    words = _WORD.findall(span)
    initials = "".join(_INITIAL.findall(span))
    if not words:
        return None
    options = [_person_parses(w) for w in words]
    if not any(options):
        return None
    case, gender = _agreement(options)
    parts: dict[str, list[str]] = {role: [] for role in _ROLES}
    for word, parses in zip(words, options, strict=True):
        chosen = next((p for p in parses if _fits(p, case, gender)), None)
        if chosen is None:
            # unknown words in a name are mostly surnames
            parts["Surn"].append(_guess_surname(word, case, gender))
            continue
        role = _role(chosen)
        if role == "Name" and parts["Name"]:
            role = "Surn"  # «Елена Палёнка»: a second first-name reading is the surname
        parts[role].append(_nominative(word, chosen))
    surname = " ".join(parts["Surn"])
    if initials:
        surname = f"{surname} {initials}".strip()
    return " ".join(p for p in (surname, *parts["Name"], *parts["Patr"]) if p)
