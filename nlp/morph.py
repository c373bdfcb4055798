"""Word-level morphology on top of pymorphy2 (through natasha's MorphVocab): lemma sets for
dictionary matching and nominative forms for place names."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from nlp.runtime import morph_vocab

# Words with inner hyphens stay one token: «Улан-Удэ», «Ростове-на-Дону», «2-я».
WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")

_ABBREVIATIONS = {
    "обл": "область",
    "респ": "республика",
    "г": "город",
    "гор": "город",
    "р-н": "район",
    "р-на": "район",
    "р-не": "район",
}


def fold_yo(text: str) -> str:
    return text.replace("ё", "е").replace("Ё", "Е")


@lru_cache(maxsize=100_000)
def lemma_set(word: str) -> frozenset[str]:
    """Lower-cased surface form plus every lemma pymorphy2 admits, ё folded to е."""
    lower = fold_yo(word.lower())
    lemmas = {lower}
    for parse in morph_vocab().parse(word):
        lemmas.add(fold_yo(parse.normal_form))
    if lower in _ABBREVIATIONS:
        lemmas.add(_ABBREVIATIONS[lower])
    return frozenset(lemmas)


@lru_cache(maxsize=20_000)
def name_lemmas(word: str) -> frozenset[str]:
    """Lemmas a gazetteer word (written in the nominative) may stand for.

    Geographic readings win when pymorphy2 knows any; otherwise the nominative readings. The
    surface form is always in: «Семей» (a city) must not turn into «семья», whose genitive
    plural it also is.
    """
    lower = fold_yo(word.lower())
    lemmas = {lower}
    if lower in _ABBREVIATIONS:
        lemmas.add(_ABBREVIATIONS[lower])
    parses = morph_vocab().parse(word)
    chosen = [p for p in parses if "Geox" in p.tag] or [
        p for p in parses if p.tag.case == "nomn" or fold_yo(p.normal_form) == lower
    ]
    lemmas.update(fold_yo(p.normal_form) for p in chosen)
    return frozenset(lemmas)


def word_forms(word: str) -> frozenset[str]:
    """Every inflected form (lower case, ё folded) of every reading of a gazetteer word."""
    vocab = morph_vocab()
    forms = {fold_yo(word.lower())}
    for lemma in (word, *name_lemmas(word)):
        for parse in vocab.parse(lemma):
            forms.update(fold_yo(f.word) for f in parse.lexeme)
    return frozenset(forms)


def _restore_case(original: str, new: str) -> str:
    if len(original) > 1 and original.isupper():
        return new.upper()
    old_parts, new_parts = original.split("-"), new.split("-")
    if len(old_parts) != len(new_parts):
        return new[:1].upper() + new[1:] if original[:1].isupper() else new
    return "-".join(
        n[:1].upper() + n[1:] if o[:1].isupper() else n
        for o, n in zip(old_parts, new_parts, strict=True)
    )


def _inflect(parse, grams: set[str]) -> str | None:
    from pymorphy2.analyzer import Parse

    # natasha's MorphForm.inflect expects UD grammemes; pymorphy2's own takes OpenCorpora ones
    inflected = Parse.inflect(parse, grams)
    return inflected.word if inflected is not None else None


def nominative(words: Sequence[str]) -> str:
    """Put a noun phrase into the nominative: «Льговском районе» → «Льговский район».

    The head is the first word whose best reading is a noun; adjectives before it agree with it,
    words after it (genitive or appositive dependents) stay as written.
    """
    return _nominative(tuple(words))


@lru_cache(maxsize=20_000)
def _nominative(words: tuple[str, ...]) -> str:
    if not words:
        return ""
    vocab = morph_vocab()
    parses = [vocab.parse(w) for w in words]
    head = next((i for i, p in enumerate(parses) if p and p[0].tag.POS == "NOUN"), len(words) - 1)
    head_parse = parses[head][0] if parses[head] else None
    out = list(words)
    if head_parse is None:
        return " ".join(out)
    number = head_parse.tag.number or "sing"
    grams = {"nomn", number}
    if head_parse.tag.POS in ("NOUN", "ADJF"):
        if "Fixd" not in head_parse.tag:
            new = _inflect(head_parse, grams)
            if new:
                out[head] = _restore_case(words[head], new)
    gender = head_parse.tag.gender
    for i in range(head):
        adjectives = [p for p in parses[i] if p.tag.POS in ("ADJF", "PRTF")]
        candidates = [p for p in adjectives if p.tag.case == head_parse.tag.case] or adjectives
        if not candidates:
            continue
        agree = set(grams)
        if number == "sing" and gender:
            agree.add(gender)
        new = _inflect(candidates[0], agree)
        if new:
            out[i] = _restore_case(words[i], new)
    return " ".join(out)
