"""A cheap script-and-letter heuristic that flags texts that are not in Russian.

Returns one of: "ru", "kk" (Kazakh), "uk" (Ukrainian), "be" (Belarusian), "en" (English),
"latin" (other Latin-script text), "unknown" (no Cyrillic or Latin letters).
"""

from __future__ import annotations

import re

KAZAKH_LETTERS = frozenset("әғқңөұүһӘҒҚҢӨҰҮҺ")
UKRAINIAN_LETTERS = frozenset("їєґЇЄҐ")
BELARUSIAN_LETTERS = frozenset("ўЎ")
# і is shared by Kazakh, Ukrainian and Belarusian
DOTTED_I = frozenset("іІ")

_ENGLISH_WORDS = frozenset(
    "the and of to in is are was were for with on that this it be not have has you your we our "
    "they at by from as or an will can please my me i".split()
)
_UKRAINIAN_WORDS = frozenset(
    "і й що це як та від для щоб але він вона ми ви вони цей ця буде було дуже немає тому "
    "також де коли чи вже ще тут там свій своє наш ваш їх ним".split()
)
_LATIN_WORD = re.compile(r"[A-Za-z]+")
_CYRILLIC_WORD = re.compile(r"[\u0400-\u052f]+")

# A text is flagged when this share of its Cyrillic words carries the language's own letters.
# Kazakh appeals: 20% at least, 70% typically; a Russian text quoting «Абай көшесі»: under 10%.
_FOREIGN_WORD_SHARE = 0.15


def _is_latin(ch: str) -> bool:
    return ch.isascii() or "\u00c0" <= ch <= "\u024f"


def _share(words: list[str], letters: frozenset[str]) -> float:
    return sum(1 for w in words if not letters.isdisjoint(w)) / len(words)


def detect_language(text: str) -> str:
    cyrillic_words = _CYRILLIC_WORD.findall(text)
    cyrillic = sum(len(w) for w in cyrillic_words)
    latin = sum(1 for ch in text if ch.isalpha() and _is_latin(ch))
    if cyrillic + latin == 0:
        return "unknown"
    if latin > cyrillic:
        return _latin_language(text)
    words = [w.lower() for w in cyrillic_words]
    if _share(words, BELARUSIAN_LETTERS) >= _FOREIGN_WORD_SHARE / 3:
        return "be"
    if _share(words, UKRAINIAN_LETTERS) >= _FOREIGN_WORD_SHARE / 3:
        return "uk"
    if _share(words, KAZAKH_LETTERS | DOTTED_I) >= _FOREIGN_WORD_SHARE:
        if not KAZAKH_LETTERS.isdisjoint(text):
            return "kk"
        # only і: Kazakh writes ы beside it, Ukrainian never does; else look for Ukrainian words
        if "ы" in text or "Ы" in text:
            return "kk"
        return "uk" if set(words) & _UKRAINIAN_WORDS else "kk"
    return "ru"


def _latin_language(text: str) -> str:
    words = [w.lower() for w in _LATIN_WORD.findall(text)]
    if not words:
        return "latin"
    english = sum(1 for w in words if w in _ENGLISH_WORDS)
    if english >= 2 or (len(words) <= 4 and english >= 1):
        return "en"
    return "latin"
