"""Cities, districts and villages named with their type word: «г. Курск», «города Курска»,
«Льговский район», «Курский р-н», «деревня Еськово», «п. Кшенский», «с. Иваново»."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from nlp.morph import nominative
from nlp.runtime import morph_vocab

_NAME = r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁа-яё][а-яё]+)*"
_CITY = re.compile(
    rf"(?<![\w\d])(?<!\d\s)(?:г\.\s*|г\s+|гор\.\s*|город(?:а|е|у|ом)?\s+)(?P<name>{_NAME}"
    rf"(?:\s+(?:{_NAME}))?)"
)
_VILLAGE_TYPES = {
    "деревн": "деревня", "д.": "деревня", "сел": "село", "с.": "село",
    "пос": "посёлок", "п.": "посёлок", "пгт": "пгт", "рп": "рабочий посёлок",
    "р.п.": "рабочий посёлок", "хутор": "хутор", "х.": "хутор", "станиц": "станица",
    "слобод": "слобода", "аул": "аул",
}  # fmt: skip
_VILLAGE = re.compile(
    r"(?<![\w\d])(?P<type>деревн(?:я|и|е|ю|ей)|д\.|сел(?:о|а|е|у|ом)|с\.|"
    r"пос(?:[её]л(?:ок|ка|ке|ку|ком))?\.?|п\.|пгт\.?|рп\.?|р\.п\.|хутор(?:а|е|у|ом)?|х\.|"
    r"станиц(?:а|ы|е|у|ей)|слобод(?:а|ы|е|у|ой)|аул(?:а|е|у|ом)?)"
    rf"\s*(?P<name>{_NAME}(?:\s+{_NAME})?)"
)
# «Льговского района», «Курский р-н», «Советском районе», «Льговского муниципального района»
_DISTRICT = re.compile(
    r"(?<![\w-])(?P<adj>[А-ЯЁа-яё][а-яё]+(?:-[А-ЯЁа-яё][а-яё]+)?"
    r"(?:ий|ый|ой|ого|ом|ому|им|ым))\s+(?:муниципальн(?:ый|ого|ом|ому|ым)\s+)?"
    r"(?P<type>район(?:а|е|у|ом)?|р-н(?:а|е|у|ом)?|округ(?:а|е|у|ом)?)(?![\w-])"
)
_REGION_WORD_AFTER = re.compile(r"\s+(?:район|р-н|округ|област|обл\.|кра[йея])", re.IGNORECASE)
_DISTRICT_STOP = frozenset(
    "наш ваш свой этот тот данный весь каждый соседний другой один новый жилой спальный "
    "частный промышленный указанный близлежащий ближайший любой такой который какой "
    "городской сельский муниципальный федеральный избирательный".split()
)


@dataclass(frozen=True)
class Settlement:
    kind: str  # "city", "district" or the village type: «деревня», «село», «посёлок» ...
    name: str  # nominative, with the type word for districts and villages
    text: str
    start: int
    stop: int


def find_settlements(text: str) -> list[Settlement]:
    return list(_find_settlements(text))


@lru_cache(maxsize=64)  # the pipeline asks several times about the same text
def _find_settlements(text: str) -> tuple[Settlement, ...]:
    found = [*_cities(text), *_districts(text), *_villages(text)]
    found.sort(key=lambda s: (s.start, -(s.stop - s.start)))
    kept: list[Settlement] = []
    for s in found:
        if not kept or s.start >= kept[-1].stop:
            kept.append(s)
    return tuple(kept)


def _cities(text: str) -> list[Settlement]:
    out = []
    for m in _CITY.finditer(text):
        words = m.group("name").split()
        # «г. Курск Льговского района»: a second word belongs to the name only if it agrees
        if len(words) == 2 and (
            not _same_case(words[0], words[1]) or _REGION_WORD_AFTER.match(text, m.end())
        ):
            words = words[:1]
        stop = m.start("name") + len(" ".join(words))
        out.append(Settlement("city", nominative(words), text[m.start() : stop], m.start(), stop))
    return out


def _districts(text: str) -> list[Settlement]:
    out = []
    for m in _DISTRICT.finditer(text):
        adjective = m.group("adj")
        parses = morph_vocab().parse(adjective)
        lemma = parses[0].normal_form if parses else adjective.lower()
        if lemma in _DISTRICT_STOP or not (adjective[:1].isupper() or lemma.endswith("ский")):
            continue
        head = m.group("type")
        head = "район" + head[3:] if head.startswith("р-н") else head
        name = nominative([adjective, head])
        name = name[:1].upper() + name[1:]
        out.append(Settlement("district", name, m.group(0), m.start(), m.end()))
    return out


def _villages(text: str) -> list[Settlement]:
    out = []
    for m in _VILLAGE.finditer(text):
        kind = _village_kind(m.group("type"))
        words = m.group("name").split()
        if len(words) == 2 and (
            not _same_case(words[0], words[1]) or _REGION_WORD_AFTER.match(text, m.end())
        ):
            # «п. Кшенский Советского района»: the second word names the district
            words = words[:1]
        stop = m.start("name") + len(" ".join(words))
        out.append(
            Settlement(kind, f"{kind} {nominative(words)}", text[m.start() : stop], m.start(), stop)
        )
    return out


def _village_kind(type_word: str) -> str:
    word = type_word.lower()
    if word in _VILLAGE_TYPES:
        return _VILLAGE_TYPES[word]
    for stem, kind in _VILLAGE_TYPES.items():
        if not stem.endswith(".") and word.startswith(stem):
            return kind
    return word.rstrip(".")


def _same_case(first: str, second: str) -> bool:
    vocab = morph_vocab()
    cases_first = {p.tag.case for p in vocab.parse(first)}
    cases_second = {p.tag.case for p in vocab.parse(second)}
    return bool(cases_first & cases_second - {None})
