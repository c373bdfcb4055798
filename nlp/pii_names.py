"""Persons' names to mask: natasha PER spans, names after cue words («меня зовут …»,
«заявитель …»), surnames with initials («Иванов И.И.», «И.И. Иванов») and a second pass over
the dictionary's name tags for what NER misses (nlp.name_sequences). Place and street names
are never taken for names: «ул. Кирова», «г. Владимир», «в Курске» stay.

A name with a clear structure (a first name with a patronymic or a surname, a surname with
initials, a surname after «сотрудник») is kept even when a word of it is also a place: «Орлов
Максим Юрьевич» (Орлов is a town), «Курганов М.Ю.». Only a street or a place cue right before
it («ул. Максима Горького», «г. Орлов») outweighs the structure."""

from __future__ import annotations

import re
from collections.abc import Sequence

from nlp.addresses import find_addresses
from nlp.entities import Entity
from nlp.name_sequences import find_cued_surnames, find_name_sequences, has_surname_form
from nlp.pii_numbers import STRONG, Finding
from nlp.regions import STREET_WORDS, find_regions
from nlp.runtime import morph_vocab
from nlp.settlements import find_settlements

_NAME_WORD = r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?"
_INITIALS = r"[А-ЯЁ]\.\s?(?:[А-ЯЁ]\.?)?"
_SURNAME_INITIALS = re.compile(rf"(?<![\w.])(?P<name>{_NAME_WORD})\s+{_INITIALS}(?![\w])")
_INITIALS_SURNAME = re.compile(
    rf"(?<![\w.])[А-ЯЁ]\.\s?(?:[А-ЯЁ]\.\s?)?(?P<name>{_NAME_WORD})(?![\w])"
)
_CUE = re.compile(
    r"(?<![\w])(?:меня\s+зовут|зовут|заявител(?:ь|ьница|я|ю|ем)|гражданин(?:а|у|ом)?|"
    r"гражданк(?:а|и|е|у|ой)|жител(?:ь|ьница|я|ю|ем)|фио|ф\.\s?и\.\s?о\.?|"
    r"(?:с\s+)?уважением,?)\s*[:\-–—,]?\s*",
    re.IGNORECASE,
)
_CUE_NAME = re.compile(rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}}(?:\s+{_INITIALS})?")
# «на имя Романов Игорь Олегович» is a person; «проспект имени …» is caught by «имени»
_NAMESAKE_CUES = (STREET_WORDS - {"имя"}) | {
    "г", "гор", "город", "пос", "п", "с", "д", "деревня", "село"
}  # fmt: skip
_PREVIOUS_WORD = re.compile(r"([^\W\d_]+)[\s.]*$")
_SENTENCE_START = re.compile(r"(?:^|[.!?…\n])[\s\"«(—–-]*$")
_NEXT_WORD = re.compile(r"[\s.]*([^\W\d_]+)")
# «Абай көшесі» (Abai street), «Тәуке хан даңғылындағы» (on Tauke Khan avenue): Kazakh stems
_KAZAKH_PLACE_STEMS = ("көше", "даңғыл", "аудан", "қала", "облыс", "ауыл", "шағын")
_PLACE_WORDS_AFTER = frozenset("ул улица улице улицы проспект переулок бульвар".split())
_WORD = re.compile(r"[^\W\d_]{2,}(?:-[^\W\d_]+)*")


def find_persons(text: str, entities: Sequence[Entity]) -> list[Finding]:
    places = _place_spans(text)
    streets = [(a.start, a.stop) for a in find_addresses(text)]
    candidates = [(e.start, e.stop) for e in entities if e.type == "PER" and _is_person(text, e)]
    candidates += _cued_names(text)
    structured = find_name_sequences(text) + find_cued_surnames(text)
    for pattern in (_SURNAME_INITIALS, _INITIALS_SURNAME):
        for m in pattern.finditer(text):
            name = m.group("name")
            if has_surname_form(name):
                structured.append((m.start(), m.end()))
            elif _is_person_word(name):
                candidates.append((m.start(), m.end()))
    found = [span for span in candidates if not _is_place(text, *span, places)]
    found += [span for span in structured if not _is_place(text, *span, streets, structured=True)]
    return [Finding("PERSON", start, stop, STRONG) for start, stop in found]


def _is_person(text: str, entity: Entity) -> bool:
    """NER takes a capitalised word at a sentence start for a name now and then: «Привлекаю»,
    and on Kazakh text «Мектептегі». A lone word there must be a name the dictionary knows."""
    words = _WORD.findall(entity.text)
    if len(words) == 1 and _SENTENCE_START.search(text, 0, entity.start):
        return _is_known_name(words[0])
    return any(_is_person_word(w) for w in words)


def _is_known_name(word: str) -> bool:
    """Name readings make up most of the word's probability: «Иванов» yes, «Пол» (floor) no."""
    vocab = morph_vocab()
    if not vocab.word_is_known(word):
        return False
    person = sum(
        p.score for p in vocab.parse(word) if any(r in p.tag for r in ("Name", "Surn", "Patr"))
    )
    return person >= 0.5


def _place_spans(text: str) -> list[tuple[int, int]]:
    spans = [(a.start, a.stop) for a in find_addresses(text)]
    spans += [(s.start, s.stop) for s in find_settlements(text)]
    spans += [(r.start, r.stop) for r in find_regions(text)]
    return spans


def _is_place(
    text: str,
    start: int,
    stop: int,
    places: Sequence[tuple[int, int]],
    structured: bool = False,
) -> bool:
    """`structured`: a one-letter cue counts only with its period («с. Ивановка»), so the
    preposition in «С Кургановым Максимом Юрьевичем» does not make a village of a name."""
    if any(start < p_stop and p_start < stop for p_start, p_stop in places):
        return True
    previous = _PREVIOUS_WORD.search(text, max(0, start - 20), start)
    if previous is not None and previous.group(1).lower() in _NAMESAKE_CUES:
        cue = previous.group(1)
        abbreviated = len(cue) == 1 and "." in text[previous.end(1) : start]
        if not structured or len(cue) > 1 or abbreviated:
            return True
    # «на перекрёстке ул. Сумской и Дейнеки»: a second street named after the first
    if previous is not None and previous.group(1).lower() == "и":
        before = previous.start(1)
        if any(before - 2 <= p_stop <= before for _, p_stop in places):
            return True
    following = _NEXT_WORD.match(text, stop)
    if following is None:
        return False
    word = following.group(1).lower()
    return word in _PLACE_WORDS_AFTER or word.startswith(_KAZAKH_PLACE_STEMS)


def _cued_names(text: str) -> list[tuple[int, int]]:
    spans = []
    for cue in _CUE.finditer(text):
        m = _CUE_NAME.match(text, cue.end())
        if m is None:
            continue
        words = m.group(0).split()
        if any(_is_person_word(w) for w in words if not w.endswith(".")):
            spans.append((m.start(), m.end()))
    return spans


def _is_person_word(word: str) -> bool:
    """A name, patronymic or surname reading, or a capitalised word the dictionary lacks."""
    vocab = morph_vocab()
    if not vocab.word_is_known(word):
        return not find_regions(word)
    return any(
        any(role in p.tag for role in ("Name", "Surn", "Patr")) for p in vocab.parse(word)
    ) and not find_regions(word)
