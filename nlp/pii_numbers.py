"""Personal numbers and e-mail addresses: phones, СНИЛС, passports, ИНН, bank cards.

Each finding carries a strength: STRONG when a cue word or an unmistakable format backs it
(«ИНН 7707083893», «+7 (912) 345-67-89»), WEAK when only a checksum does (a bare 10-digit number
with a valid ИНН check digit). WEAK findings give way to dates, sums, times and document numbers
(«Сообщение №: 91063 от 17.05.2021»).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.checksums import inn_is_valid, luhn_is_valid, snils_is_valid
from nlp.dates import find_dates

STRONG, WEAK = 2, 1

_SEP = r"[ \-()\u2012-\u2015]"
_EMAIL = re.compile(
    r"(?<![\w.+\-])[\w.+\-]+@[^\W_](?:[\w\-]*[^\W_])?(?:\.[^\W_](?:[\w\-]*[^\W_])?)*"
    r"\.[^\W\d_]{2,}(?![\w])"
)
# +7 (912) 345-67-89, 8 912 345 67 89, 89123456789, 7-912-345-67-89, 8(4712)51-23-45
_PHONE_PREFIXED = re.compile(
    rf"(?<![\w+])(?P<prefix>\+\s?7|8|7)(?P<rest>(?:{_SEP}{{0,3}}\d){{10}})(?!\d)"
)
# 912 345-67-89, 9123456789, (4712) 51-23-45: ten digits without the country prefix
_PHONE_TEN = re.compile(rf"(?<![\w+\-])\(?\d(?:{_SEP}{{0,3}}\d){{9}}(?![\d\-])")
_PHONE_FOREIGN = re.compile(rf"(?<![\w+])\+\s?(?!7)\d(?:{_SEP}{{0,3}}\d){{8,13}}(?!\d)")
_PHONE_CUE = re.compile(
    r"(?<![\w])(?:тел(?:ефон[аеу]?)?|т|моб(?:ильный)?|сот(?:овый)?|ф|факс|whatsapp|ватсап)"
    r"\.?(?:\s*/\s*факс\.?)?\s*[:.]?\s*",
    re.IGNORECASE,
)
_PHONE_LOCAL = re.compile(r"\d(?:[ \-]?\d){4,6}(?!\d)")

_SNILS = re.compile(r"(?<![\d\-])\d{3}[ \-]?\d{3}[ \-]?\d{3}[ \-]?\d{2}(?![\d\-])")
_SNILS_CUE = re.compile(r"СНИЛС\s*(?:№\s*)?:?\s*$", re.IGNORECASE)

_INN = re.compile(r"(?<![\d\-])(?:\d{12}|\d{10})(?![\d\-])")
_INN_CUE = re.compile(r"(?:ИНН|ИИН|БИН)\s*(?:№\s*)?:?\s*$", re.IGNORECASE)

_CARD = re.compile(
    r"(?<![\d\-])"
    r"(?:\d{4}(?:[ \-]\d{4}){2}[ \-]\d{1,7}|\d{4}[ \-]\d{6}[ \-]\d{5}|\d{13,19})"
    r"(?![\d\-])"
)

_PASSPORT = re.compile(
    r"(?P<cue>паспорт[а-я]*(?:\s+(?:гражданина\s+)?(?:РФ|России|Российской\s+Федерации))?"
    r"(?:\s+[а-яё]+){0,2}?)?"  # «паспорт брата 2410 553109», «паспорт мой: …»
    r"[\s:,]*(?P<body>(?:(?:сери[яи]|сер\.)(?:\s+и)?(?:\s+номер)?)?\s*:?\s*\d{2}\s?\d{2}[\s,]*"
    r"(?:(?:номер|№|N)\s*:?\s*)?\d{6})(?!\d)",
    re.IGNORECASE,
)
_PASSPORT_SERIES_WORDS = re.compile(r"сери[яи]|сер\.|№|номер", re.IGNORECASE)
_YEAR_BEFORE_NUMBER = re.compile(r"\s*(?:19|20)\d{2}\s*№")
_DATE_WORD_BEFORE = re.compile(r"(?:от|в|за)\s*$", re.IGNORECASE)

# Numbers that are never personal data; WEAK findings overlapping them are dropped.
_DOCUMENT_NUMBER = re.compile(r"(?:№|N(?=\s*\d)|No\.?)\s*:?\s*\d[\d\-/.]*", re.IGNORECASE)
_SUM = re.compile(
    r"\d[\d \u00a0]*(?:[.,]\d+)?\s?(?:руб|р\.|₽|тенге|тг|₸|коп|\$|€|usd|eur|долл|тыс|млн|млрд)",
    re.IGNORECASE,
)
_PERCENT = re.compile(r"\d[\d.,]*\s?%")
_TIME = re.compile(r"(?<!\d)\d{1,2}:\d{2}(?::\d{2})?(?!\d)")
_PII_CUE_BEFORE = re.compile(
    r"(?:карт|паспорт|инн|иин|снилс|тел|телефон)[а-я]*[^.!?\n]{0,15}$", re.IGNORECASE
)


@dataclass(frozen=True)
class Finding:
    type: str
    start: int
    stop: int
    strength: int


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def find_emails(text: str) -> list[Finding]:
    return [Finding("EMAIL", m.start(), m.end(), STRONG) for m in _EMAIL.finditer(text)]


def _balanced(text: str) -> bool:
    return text.count("(") == text.count(")")


def find_phones(text: str) -> list[Finding]:
    found = []
    for m in _PHONE_PREFIXED.finditer(text):
        rest = _digits(m.group("rest"))
        if rest[0] in "34789" and _balanced(m.group(0)):
            found.append(Finding("PHONE", m.start(), m.end(), STRONG))
    for m in _PHONE_TEN.finditer(text):
        raw = m.group(0)
        # a mobile number (9xx) or an area code in brackets
        if _balanced(raw) and (raw.startswith("(") or raw[0] == "9"):
            found.append(Finding("PHONE", m.start(), m.end(), WEAK))
    for m in _PHONE_FOREIGN.finditer(text):
        found.append(Finding("PHONE", m.start(), m.end(), STRONG))
    for cue in _PHONE_CUE.finditer(text):
        m = _PHONE_LOCAL.match(text, cue.end())
        if m is not None:
            found.append(Finding("PHONE", m.start(), m.end(), STRONG))
    return found


def find_snils(text: str) -> list[Finding]:
    found = []
    for m in _SNILS.finditer(text):
        cued = _SNILS_CUE.search(text, max(0, m.start() - 20), m.start()) is not None
        if cued:
            found.append(Finding("SNILS", m.start(), m.end(), STRONG))
        elif snils_is_valid(m.group(0)):
            formatted = not m.group(0).isdigit()
            found.append(Finding("SNILS", m.start(), m.end(), STRONG if formatted else WEAK))
    return found


def find_inn(text: str) -> list[Finding]:
    found = []
    for m in _INN.finditer(text):
        if _INN_CUE.search(text, max(0, m.start() - 15), m.start()):
            found.append(Finding("INN", m.start(), m.end(), STRONG))
        elif inn_is_valid(m.group(0)):
            found.append(Finding("INN", m.start(), m.end(), WEAK))
    return found


def find_cards(text: str) -> list[Finding]:
    found = []
    for m in _CARD.finditer(text):
        digits = _digits(m.group(0))
        if 13 <= len(digits) <= 19 and luhn_is_valid(digits):
            found.append(Finding("CARD", m.start(), m.end(), WEAK))
    return found


def find_passports(text: str) -> list[Finding]:
    """«паспорт 4510 123456», «серия 45 10 номер 123456», «4510 №123456»: the series and number
    (with the words «серия», «номер» between them) are masked, the word «паспорт» stays."""
    found = []
    for m in _PASSPORT.finditer(text):
        body = m.group("body")
        if m.group("cue") is None:
            if not _PASSPORT_SERIES_WORDS.search(body):
                continue
            # «приказ от 2021 № 123456» is a document, not a passport
            if _YEAR_BEFORE_NUMBER.match(body) and _DATE_WORD_BEFORE.search(
                text, max(0, m.start("body") - 6), m.start("body")
            ):
                continue
        start = m.start("body")
        while start < m.end() and text[start] in " :,":
            start += 1
        found.append(Finding("PASSPORT", start, m.end(), STRONG))
    return found


def protected_spans(text: str) -> list[tuple[int, int]]:
    """Dates, sums, percentages, times and document numbers."""
    spans = [(d.start, d.stop) for d in find_dates(text)]
    for pattern in (_SUM, _PERCENT, _TIME):
        spans += [(m.start(), m.end()) for m in pattern.finditer(text)]
    for m in _DOCUMENT_NUMBER.finditer(text):
        if not _PII_CUE_BEFORE.search(text, max(0, m.start() - 25), m.start()):
            spans.append((m.start(), m.end()))
    return spans


def find_numbers(text: str) -> list[Finding]:
    """Every personal-number and e-mail finding, overlapping ones included."""
    return [
        *find_emails(text),
        *find_phones(text),
        *find_snils(text),
        *find_inn(text),
        *find_cards(text),
        *find_passports(text),
    ]
