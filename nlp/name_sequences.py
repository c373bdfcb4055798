"""Person names found by the dictionary, for the names natasha's NER misses or cuts short.

pymorphy2 tags first names (Name), patronymics (Patr) and surnames (Surn). A run of
capitalised words is a name when
  * a first name and a patronymic agree in case («Максима Юрьевича»); a surname-like word
    right before or after joins them («Орлова Максима Юрьевича», «Максим Юрьевич Орлов»);
    this one also in UPPER or lower case («ОРЛОВ МАКСИМ ЮРЬЕВИЧ»), with a dictionary surname;
  * a first name and a surname-like word agree in case («Милана Руденко», «Анне Козловой»);
  * a surname-like word follows a word that names a person's role («сотрудник Ширяева»,
    «Уважаемый Петров», «сосед Пестов»).
A surname-like word has a Surn reading in the name's case, a surname ending («Курганов»,
«Орехова», «Липецкий») or is unknown to the dictionary. Next to a first name and patronymic
any capitalised word inside a sentence in their case joins («Вдова Соловей Ирина Павловна»);
at a sentence start it does not: «Уважаемая Ирина Павловна» keeps its first word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from nlp.regions import find_regions
from nlp.runtime import morph_vocab

_CAPITALISED = re.compile(r"(?<![\w.\-])[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?(?![\w\-])")
_ANY_WORD = re.compile(r"(?<![\w.\-])[А-ЯЁа-яё]{2,}(?:-[А-ЯЁа-яё]+)?(?![\w\-])")
_GAP = re.compile(r"[ \t]+")
_SENTENCE_START = re.compile(r"(?:^|[.!?…\n])[\s\"«(—–-]*$")
_SURNAME_ENDING = re.compile(
    r"(?:ов|ев|ёв|ин|ын)(?:а|у|ым|ом|е|ой|ою|ых|ы)?$"
    r"|(?:ск|цк)(?:ий|ая|ого|ой|ому|ую|им|ом)$"
    r"|(?:енко|ук|юк|чук|ян|янц|дзе|швили|ко)$"
)
# after a role word adjectives in -ский are mostly places: «глава Липецкого района»
_RUSSIAN_SURNAME_ENDING = re.compile(r"(?:ов|ев|ёв|ин|ын)(?:а|у|ым|ой)?$")
# Words after which a lone surname names a person: «сотрудник Ширяева», «сосед Пестов».
_ROLE_WORDS = frozenset(
    """уважаемый уважаемая уважаемому уважаемой сотрудник сотрудница сотрудника сотруднику
    сотрудницы сосед соседка соседа соседки соседу соседке директор директора директору
    инспектор инспектора участковый участкового участковому врач врача врачу продавец
    продавца водитель водителя начальник начальника начальнику глава главы главе депутат
    депутата депутату специалист специалиста мастер мастера председатель председателя
    председателю дежурный дежурного пристав пристава учитель учителя учительница учительницы
    воспитатель воспитателя воспитательница воспитательницы менеджер менеджера господин
    госпожа гражданин гражданка товарищ""".split()
)
_ROLES = ("Name", "Patr", "Surn")
# People streets, villages and schools are named after: «на Карла Маркса», «посёлок Карла
# Либкнехта». Lemmas, first name and surname.
_NAMESAKES = frozenset(
    tuple(pair.split())
    for pair in (
        "карл маркс", "карл либкнехт", "роза люксембург", "клара цеткин", "фридрих энгельс",
        "максим горький", "лев толстой", "александр пушкин", "юрий гагарин", "михаил лермонтов",
        "александр невский", "дмитрий донской", "михаил ломоносов", "сергей есенин",
        "зоя космодемьянская", "александр матросов", "валентина терешкова", "николай гоголь",
        "антон чехов", "владимир ленин", "сергей киров", "феликс дзержинский", "павел морозов",
        "иван франко", "тарас шевченко", "михаил кутузов", "александр суворов", "георгий жуков",
        "владимир маяковский", "николай некрасов", "иван тургенев", "николай гастелло",
    )
)  # fmt: skip


@dataclass(frozen=True)
class _Word:
    text: str
    start: int
    stop: int


@dataclass(frozen=True)
class _Reading:
    role: str
    case: str
    gender: str | None  # None: either («Руденко», «Ким»)


@lru_cache(maxsize=50_000)
def _readings(word: str) -> tuple[_Reading, ...]:
    """Person readings; a first name must be a dictionary word without a hyphen (pymorphy2
    guesses «Аркс» a name), patronymics and surnames may be guessed from their endings."""
    out = []
    first_name_ok = "-" not in word and _known(word)
    for p in morph_vocab().parse(word):
        if "plur" in p.tag:
            continue
        for role in _ROLES:
            if role == "Name" and not first_name_ok:
                continue
            if role in p.tag:
                gender = None if "ms-f" in p.tag or "Fixd" in p.tag else str(p.tag.gender)
                out.append(_Reading(role, str(p.tag.case), gender))
    return tuple(out)


@lru_cache(maxsize=50_000)
def _known(word: str) -> bool:
    return bool(morph_vocab().word_is_known(word))


def _agree(a: _Reading, b: _Reading) -> bool:
    if a.case != b.case:
        return False
    return a.gender is None or b.gender is None or a.gender == b.gender


def _role_readings(word: str, role: str) -> list[_Reading]:
    return [r for r in _readings(word) if r.role == role]


def _surname_agrees(word: str, anchor: _Reading) -> bool | None:
    """True or False when the word has Surn readings (do they agree with the anchor?), None
    when it has none."""
    readings = _role_readings(word, "Surn")
    if not readings:
        return None
    return any(_agree(r, anchor) for r in readings)


def has_surname_form(word: str) -> bool:
    """A Surn reading or a surname ending: «Орлов», «Курганов», «Орехова»."""
    return bool(_role_readings(word, "Surn")) or _SURNAME_ENDING.search(word.lower()) is not None


def _has_case(word: str, case: str) -> bool:
    return any(str(p.tag.case) == case for p in morph_vocab().parse(word))


def _at_sentence_start(text: str, pos: int) -> bool:
    return _SENTENCE_START.search(text, max(0, pos - 10), pos) is not None


def _style(word: str) -> str:
    if word.isupper():
        return "upper"
    return "lower" if word.islower() else "title"


def _runs(text: str) -> list[list[_Word]]:
    """Runs of words written alike (Capitalised, UPPER or lower case) separated by spaces."""
    runs: list[list[_Word]] = []
    for m in _ANY_WORD.finditer(text):
        word = _Word(m.group(0), m.start(), m.end())
        if (
            runs
            and _style(runs[-1][-1].text) == _style(word.text)
            and _GAP.fullmatch(text, runs[-1][-1].stop, word.start)
        ):
            runs[-1].append(word)
        else:
            runs.append([word])
    return [
        run
        for run in runs
        if _style(run[0].text) != "title" or _CAPITALISED.match(text, run[0].start)
    ]


def _joins(text: str, word: _Word, anchor: _Reading, loose: bool = False) -> bool:
    """May `word` be the surname next to a first name (and patronymic) read as `anchor`?

    `loose` (next to a first name and patronymic): a capitalised word inside a sentence in the
    anchor's case is taken too («Вдова Соловей Ирина Павловна»).
    """
    if word.text.lower() in _ROLE_WORDS:
        return False
    agrees = _surname_agrees(word.text, anchor)
    if agrees is not None:
        return agrees
    if _SURNAME_ENDING.search(word.text.lower()) or not _known(word.text):
        return True
    if not loose or _at_sentence_start(text, word.start):
        return False
    return _has_case(word.text, anchor.case) and not find_regions(word.text)


def _plain_surname(word: str, anchor: _Reading) -> bool:
    """A surname in an UPPER or lower case run: a Surn reading that agrees, or an ending."""
    agrees = _surname_agrees(word, anchor)
    if agrees is not None:
        return agrees
    return _SURNAME_ENDING.search(word.lower()) is not None


def _name_patronymic(text: str, run: list[_Word], i: int) -> tuple[int, int] | None:
    """Run indices [a, b) of a name built around the first name at i and the patronymic at
    i + 1, with a surname before or after when one fits."""
    if i + 1 >= len(run):
        return None
    pairs = [
        (n, p)
        for n in _role_readings(run[i].text, "Name")
        for p in _role_readings(run[i + 1].text, "Patr")
        if _agree(n, p)
    ]
    if not pairs:
        return None
    anchor = pairs[0][1]
    a, b = i, i + 2
    if _style(run[i].text) == "title":
        if i > 0 and _joins(text, run[i - 1], anchor, loose=True):
            a = i - 1
        elif b < len(run) and _joins(text, run[b], anchor, loose=True):
            b += 1
    elif i > 0 and _plain_surname(run[i - 1].text, anchor):
        a = i - 1
    elif b < len(run) and _plain_surname(run[b].text, anchor):
        b += 1
    return a, b


def _name_surname(text: str, run: list[_Word], i: int) -> tuple[int, int] | None:
    """A first name at i and a surname right after or before it, agreeing in case."""
    for j in (i + 1, i - 1):
        if not 0 <= j < len(run):
            continue
        other = run[j].text
        if _role_readings(other, "Patr"):
            continue
        if _namesake(run[i].text, other):
            return None
        for n in _role_readings(run[i].text, "Name"):
            if _joins(text, run[j], n) and (
                _role_readings(other, "Surn") or not _role_readings(other, "Name")
            ):
                return min(i, j), max(i, j) + 1
    return None


def _namesake(first: str, surname: str) -> bool:
    vocab = morph_vocab()
    firsts = {p.normal_form for p in vocab.parse(first)}
    surnames = {p.normal_form for p in vocab.parse(surname)} | {surname.lower()}
    return any((f, s) in _NAMESAKES for f in firsts for s in surnames)


_OPENING_QUOTE = re.compile(r"[«“\"„]\s*$")


def find_name_sequences(text: str) -> list[tuple[int, int]]:
    """(start, stop) of names the dictionary recognises, in text order, not overlapping.
    A run right after an opening quote is an organisation: УК «Жилсервис Аркс»."""
    spans: list[tuple[int, int]] = []
    for run in _runs(text):
        if _OPENING_QUOTE.search(text, max(0, run[0].start - 3), run[0].start):
            continue
        i = 0
        while i < len(run):
            found = _name_patronymic(text, run, i)
            if found is None and _style(run[i].text) == "title":
                found = _name_surname(text, run, i)
            if found is None:
                i += 1
                continue
            a, b = found
            spans.append((run[a].start, run[b - 1].stop))
            i = b
    return spans


_LAST_WORD = re.compile(r"(?<![\w-])([А-ЯЁа-яё]+)\s+$")
_WORD_BEFORE_LAST = re.compile(r"(?<![\w-])([А-ЯЁа-яё]+)\s+[а-яё]+\s+$")


def _after_role_word(text: str, pos: int) -> bool:
    before = text[max(0, pos - 40) : pos]
    for pattern in (_LAST_WORD, _WORD_BEFORE_LAST):
        m = pattern.search(before)
        if m is not None and m.group(1).lower() in _ROLE_WORDS:
            return True
    return False


def find_cued_surnames(text: str) -> list[tuple[int, int]]:
    """A lone surname after a role word: «сотрудник Ширяева», «Уважаемый Петров!»."""
    spans = []
    for m in _CAPITALISED.finditer(text):
        word = m.group(0)
        if not _after_role_word(text, m.start()):
            continue
        if _role_readings(word, "Name") and not _role_readings(word, "Surn"):
            continue
        if _role_readings(word, "Surn") or _RUSSIAN_SURNAME_ENDING.search(word.lower()):
            spans.append((m.start(), m.end()))
    return spans
