"""Street addresses: «ул. Ленина, д. 5, кв. 12», «проспект Победы 10», «улица Старая Слобода»,
«на Московском проспекте, 7», «дом №9 по ул. Ломакина».

Regular expressions plus a little morphology; natasha's AddrExtractor finds more but costs about
200 ms per text, which the analysis budget cannot pay.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from nlp.regions import find_regions
from nlp.runtime import morph_vocab

_ABBREVIATED_TYPE = (
    r"ул|пр-к?т(?:а|е|у|ом)?|пр-к|просп|пр|пер|б-р|бул|пл|наб|ш|пр-д|туп|мкр|мкрн|микр"
)
_FULL_TYPE = (
    r"улиц(?:а|е|у|ы|и|ей|ам|ах|ами)?|проспект(?:а|е|у|ом)?|переул(?:ок|ка|ке|ку|ком)|"
    r"бульвар(?:а|е|у|ом)?|шоссе|набережн(?:ая|ой|ую)|площад(?:ь|и|ью)|проезд(?:а|е|у|ом)?|"
    r"туп(?:ик|ика|ике|ику|иком)|алле(?:я|и|ю|ей)|микрорайон(?:а|е|у|ом)?|квартал(?:а|е|у|ом)?"
)
_STREET_TYPE = re.compile(
    rf"(?<![\w-])(?:(?P<abbr>{_ABBREVIATED_TYPE})(?:\.\s*|\s+)|(?P<full>{_FULL_TYPE})\s+)",
    re.IGNORECASE,
)
# «Майского бульвара», «по Московскому проспекту», «Садовая улица»: a proper adjective first
_ADJECTIVE_BEFORE_TYPE = re.compile(
    r"(?<![\w-])(?P<adj>[А-ЯЁ][а-яё]+(?:-[А-ЯЁа-яё][а-яё]+)?"
    r"(?:ая|ой|ую|ий|ый|ого|ому|ом|ей|ее|ые|ых|ым))\s+"
    rf"(?P<full>(?:{_FULL_TYPE}))(?![\w-])"
)

_INITIAL = re.compile(r"[А-ЯЁа-яё]\.\s?(?=[А-ЯЁ])")
_CAPITALIZED = re.compile(r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁа-яё][а-яё]*)*(?![\w])")
_LOWER_WORD = re.compile(r"[а-яё]+(?:-[а-яё]+)*(?![\w])")
_NUMBERED_NAME = re.compile(
    r"\d{1,3}(?:-?(?:я|й|ая|ий|ый|ой|го|ого|ей|ую|ом))?\s+(?:лет\s+)?(?=[А-ЯЁ])"
    r"|\d{1,3}-?(?:я|й|ая|ий|ый|ой|го|ого|ей|ую|ом)(?![\w])\s*"
)
# «улица генерала Григорова», «проспект маршала Жукова»
_TITLE = re.compile(
    r"(?:генерала|маршала|адмирала|академика|космонавта|героя|лётчика|летчика|полковника|"
    r"писателя|поэта|композитора|профессора|доктора|святого|имени|им\.)\s*(?=[А-ЯЁ])",
    re.IGNORECASE,
)
_NAME_GAP = re.compile(r"[ \t]+|[ \t]*-[ \t]*(?=[А-ЯЁ])")

# «19в», «99-А», «1 Б», «14/1», «10\\1»; after a space only a capital letter belongs to the
# number: «д. 66 в здании»
_NUMBER = (
    r"\d{1,4}(?:-?[а-яА-Я]|\s-?[А-Я])?(?![а-яА-Я])"
    r"(?:\s?[/\\-]\s?\d{1,4}[а-яА-Я]?(?![а-яё]))?"
)
_HOUSE = re.compile(
    rf"(?:,\s*|\s+)(?:(?:д\.|дом|д(?=\s)|дома)\s*)?(?:№\s*)?(?P<house>{_NUMBER})(?![\d\w])"
    r"(?:\s?[«\"“](?P<letter>[А-Яа-я])[»\"”])?"
    r"|(?:,\s*|\s+|(?<=\.))(?:д\.|дом|д(?=\s)|дома)\s*(?:№\s*)?"
    rf"(?P<house2>{_NUMBER})(?![\d\w])"
)
_BUILDING = re.compile(
    r",?\s*(?:корп\.|корпус|корп|к\.|стр\.|строение|стр)\s*\d{1,3}[а-яА-Я]?(?![\d\w])"
)
_FLAT = re.compile(
    r"[,.]?\s*(?:кв\.|квартира|кв|оф\.|офис|пом\.|помещение)\s*(?:№\s*)?(?P<flat>\d{1,4}[а-яА-Я]?)(?![\d\w])"
    r"|,?\s*(?P<flat2>\d{1,4})\s*(?:кв\.|кв)(?![\w])"
)
_HOUSE_FIRST = re.compile(
    rf"(?<![\w-])(?:дом[аеу]?|д\.)\s*(?:№\s*)?(?P<house>{_NUMBER})(?![\d\w])\s+(?:по|на)\s+"
)
# a number followed by these is not a house: «ул. Ленина 5 лет назад», «ул. Мира 2 раза»
_NOT_A_HOUSE = re.compile(
    r"\s*(?:лет|год|раз|км|м|метр|минут|час|мин|руб|%|числа|января|февраля|марта|апреля|мая|"
    r"июня|июля|августа|сентября|октября|ноября|декабря|чел|человек|шт)(?![\w])",
    re.IGNORECASE,
)
# «по адресу Ленина 94»: a name and a house number with no street type
_ADDRESS_CUE = re.compile(r"(?<![\w])адрес(?:у|е|а)?\s*:?\s*", re.IGNORECASE)
_CITY_GAP = re.compile(r"[,\s]+")
_NAME_STOP_WORDS = frozenset("и или а но по на в во от до за у около возле".split())


@dataclass(frozen=True)
class StreetAddress:
    text: str
    start: int
    stop: int
    street: str  # street type and name as written: «ул. Ленина», «Майского бульвара»
    house: str | None = None
    flat: str | None = None

    @property
    def has_number(self) -> bool:
        return self.house is not None or self.flat is not None


def find_addresses(text: str) -> list[StreetAddress]:
    """Street mentions in text order, with house and flat numbers where given."""
    return list(_find_addresses(text))


@lru_cache(maxsize=64)  # the pipeline asks several times about the same text
def _find_addresses(text: str) -> tuple[StreetAddress, ...]:
    found: list[StreetAddress] = []
    for m in _STREET_TYPE.finditer(text):
        name_stop = _street_name_end(text, m.end(), abbreviated=m.group("abbr") is not None)
        if name_stop is not None:
            found.append(_with_numbers(text, m.start(), name_stop))
    for m in _ADJECTIVE_BEFORE_TYPE.finditer(text):
        if _adjective_is_name(text, m.start(), m.group("adj")):
            found.append(_with_numbers(text, m.start(), m.end()))
    for m in _ADDRESS_CUE.finditer(text):
        start = _skip_city(text, m.end())
        if _CAPITALIZED.match(text, start) is None and _INITIAL.match(text, start) is None:
            continue
        name_stop = _street_name_end(text, start, abbreviated=False)
        if name_stop is not None:
            address = _with_numbers(text, start, name_stop)
            if address.house is not None:
                found.append(address)
    found = _drop_overlapping(found)
    return tuple(_extend_house_first(text, a) for a in found)


def _skip_city(text: str, pos: int) -> int:
    """«по адресу Курск, Ленина 5»: the city is not part of the street address."""
    m = _CAPITALIZED.match(text, pos)
    if m is None or not any(r.city for r in find_regions(m.group(0))):
        return pos
    gap = _CITY_GAP.match(text, m.end())
    return gap.end() if gap else m.end()


def _street_name_end(text: str, pos: int, abbreviated: bool) -> int | None:
    """End of the street name that starts at pos, or None when there is no name.

    A name is up to four capitalised words, with initials («К. Маркса») and numbers
    («50 лет Октября», «Бойцов 9-й Дивизии») inside. Lower-case names («улица старая слобода»)
    are taken after an abbreviation («ул.») or when they start with an adjective; then at most an
    adjective and a noun.
    """
    end = None
    words = 0
    lower_adjective = False
    while words < 4:
        lead = (
            _NUMBERED_NAME.match(text, pos) or _INITIAL.match(text, pos) or _TITLE.match(text, pos)
        )
        if lead is not None:
            pos = lead.end()
        m = _CAPITALIZED.match(text, pos)
        if m is None and lead is None:
            if words == 0 and (abbreviated or _is_adjective(text, pos)):
                m = _LOWER_WORD.match(text, pos)
                lower_adjective = m is not None and _is_adjective(text, pos)
            elif words == 1 and lower_adjective:
                m = _lower_noun(text, pos)
            if m is not None and words == 0 and not abbreviated and not lower_adjective:
                m = None
        if m is None or m.group(0).lower() in _NAME_STOP_WORDS:
            break
        end = pos = m.end()
        words += 1
        if lower_adjective and words == 2:
            break
        gap = _NAME_GAP.match(text, pos)
        if gap is None:
            break
        pos = gap.end()
    return end


def _lower_noun(text: str, pos: int) -> re.Match | None:
    m = _LOWER_WORD.match(text, pos)
    if m is None or m.group(0) in _NAME_STOP_WORDS:
        return None
    parses = morph_vocab().parse(m.group(0))
    return m if parses and parses[0].tag.POS == "NOUN" else None


def _is_adjective(text: str, pos: int) -> bool:
    m = _LOWER_WORD.match(text, pos)
    if m is None:
        return False
    parses = morph_vocab().parse(m.group(0))
    return bool(parses) and parses[0].tag.POS == "ADJF"


def _adjective_is_name(text: str, start: int, adjective: str) -> bool:
    """A capitalised adjective at a sentence start is usually not a street name («Каждая улица»)."""
    before = text[:start].rstrip()
    if before and before[-1] not in ".!?\n":
        return True
    parses = morph_vocab().parse(adjective)
    return bool(parses) and parses[0].tag.POS == "ADJF" and "Apro" not in parses[0].tag


def _with_numbers(text: str, start: int, name_stop: int) -> StreetAddress:
    stop = name_stop
    house = flat = None
    m = _HOUSE.match(text, stop)
    if m is not None and not _NOT_A_HOUSE.match(text, m.end()):
        house = (m.group("house") or m.group("house2")).replace(" ", "")
        if m.group("letter"):
            house += m.group("letter")
        stop = m.end()
        b = _BUILDING.match(text, stop)
        if b is not None:
            stop = b.end()
    f = _FLAT.match(text, stop)
    if f is not None and (house is not None or f.group("flat")):
        flat = f.group("flat") or f.group("flat2")
        stop = f.end()
    return StreetAddress(
        text=text[start:stop],
        start=start,
        stop=stop,
        street=text[start:name_stop],
        house=house,
        flat=flat,
    )


def _extend_house_first(text: str, address: StreetAddress) -> StreetAddress:
    """«дом №9 по ул. Ломакина»: the house number comes before the street."""
    if address.house is not None:
        return address
    window_start = max(0, address.start - 30)
    for m in _HOUSE_FIRST.finditer(text, window_start, address.start):
        if m.end() == address.start:
            return StreetAddress(
                text=text[m.start() : address.stop],
                start=m.start(),
                stop=address.stop,
                street=address.street,
                house=m.group("house").replace(" ", ""),
                flat=address.flat,
            )
    return address


def _drop_overlapping(found: list[StreetAddress]) -> list[StreetAddress]:
    kept: list[StreetAddress] = []
    for a in sorted(found, key=lambda a: (a.start, -(a.stop - a.start))):
        if kept and a.start < kept[-1].stop:
            continue
        kept.append(a)
    return kept
