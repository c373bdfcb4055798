"""Text preparation for FAQ grouping: boilerplate out (greetings, politeness, links,
signatures) and cheap lemma tokens for the lexical similarity.

Nothing here is specific to one data set: the patterns are the ordinary formulas of Russian
letters and chat messages to an organisation.
"""

from __future__ import annotations

import re
from functools import lru_cache

from nlp.clean import clean_text

__all__ = ["GENERIC_LEMMAS", "STOP_LEMMAS", "content_lemmas", "content_text", "lemma_tokens"]

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
# «С уважением, Иван» / «С уважением» and everything after it
_SIGNATURE = re.compile(r"(?:^|[\s.,!?])с\s+уважением\b.*$", re.IGNORECASE | re.DOTALL)
_GREETING = re.compile(
    r"^\W*(?:"
    r"здравствуй(?:те)?|здрасьте|добр(?:ый|ого|ое|ой)\s+(?:день|дня|вечер|вечера|утро|утра|"
    r"ночи|времени(?:\s+суток)?)|доброго\s+времени(?:\s+суток)?|привет(?:ствую)?|"
    r"ув(?:ажаем(?:ые|ый|ая)|\.)[^.!?,\n]{0,60}|хай|алло|добрый|доброе"
    r")(?=[\W]|$)[\s!.,:;)\-]*",
    re.IGNORECASE,
)
# politeness formulas anywhere in the text; the question they introduce stays
_POLITE = re.compile(
    r"(?:\b(?:заранее\s+)?(?:большое\s+)?спасибо(?:\s+(?:заранее|большое|за\s+ответ))?\b"
    r"|\bблагодарю(?:\s+(?:заранее|за\s+ответ))?\b"
    r"|\b(?:под)?скажите(?:\s*,?\s*пожалуйста)?\b"
    r"|\bпожалуйста\b"
    r"|\bбудьте\s+добры\b"
    r"|\bпомогите\s+разобраться\b"
    r"|\bхотел(?:а|ось\s+бы)?\s+(?:бы\s+)?(?:узнать|уточнить|спросить)\b"
    r"|\bможно\s+(?:узнать|уточнить|спросить)\b"
    r"|\bу\s+меня\s+(?:такой\s+)?вопрос\b"
    r"|\bвопрос\s*:"
    r")[\s!.,:;)]*",
    re.IGNORECASE,
)
_SPACES = re.compile(r"\s+")
_LEADING_PUNCT = re.compile(r"^[\s!.,:;)\-]+")


def content_text(text: str) -> str:
    """The question without greetings, politeness, links, e-mails and signatures.

    Falls back to the cleaned text when nothing would be left (a message that is only
    «Здравствуйте, спасибо!» keeps its words, so it still gets a vector).
    """
    cleaned = clean_text(text or "")
    out = _SIGNATURE.sub("", cleaned)
    out = _URL.sub(" ", out)
    out = _EMAIL.sub(" ", out)
    for _ in range(2):  # «Здравствуйте! Добрый день!»
        out = _GREETING.sub("", out)
    out = _POLITE.sub(" ", out)
    out = _LEADING_PUNCT.sub("", _SPACES.sub(" ", out)).strip()
    if len(re.findall(r"\w+", out)) == 0:
        return cleaned
    return out[:1].upper() + out[1:]


# Function words and the most generic question words: they say nothing about the topic.
STOP_LEMMAS = frozenset(
    """
    а без более бы быть в вам вас весь во вот вы где да даже для до его ее если есть еще же за
    и из или им их к как какой каков когда кто ли либо мне много может можно мой мы на над надо
    наш не нет ни но ну о об однако он она они оно от по под при про раз с сам свой себя со так
    также такой там то тогда тоже только том тот у уж уже хотеть хотя чей чем через что чтобы
    это этот я сколько почему зачем куда откуда мочь нужно нужный следует ли который
    вопрос пожалуйста спасибо здравствуйте
    """.split()
)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@lru_cache(maxsize=200_000)
def _lemma(word: str) -> str:
    from nlp.runtime import morph_vocab

    parses = morph_vocab().parse(word)
    lemma = parses[0].normal_form if parses else word
    return lemma.replace("ё", "е")


def lemma_tokens(text: str) -> list[str]:
    """Lower-cased pymorphy2 lemmas (most probable reading) of the content words of text."""
    out = []
    for word in _WORD.findall(text.lower()):
        if word.isdigit() and len(word) > 4:
            continue
        lemma = _lemma(word) if not word.isascii() else word
        if lemma not in STOP_LEMMAS:
            out.append(lemma)
    return out


# Verbs of asking and doing that any request has («как получить ...», «что сделать ...»):
# sharing one of them says nothing about sharing a topic.
GENERIC_LEMMAS = frozenset(
    """
    получить сделать делать узнать найти сказать подсказать помочь хотеть стать работать
    происходить сработать пройти дать давать нужный должный возможно можно написать
    """.split()
)


def content_lemmas(text: str) -> frozenset[str]:
    """Topic-bearing lemmas of a text: no function words, no generic request verbs."""
    return frozenset(t for t in lemma_tokens(content_text(text)) if t not in GENERIC_LEMMAS)
