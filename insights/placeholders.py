"""Placeholders of answer templates, filled from one message where it gives the value.

A value the message does not give stays visibly unfilled («⟦срок: укажите⟧»); a value the
masking hides (a name, an address with a house number) is filled only for a caller allowed to
see personal data and only when the raw text is stored, else it reads «⟦имя: скрыто⟧».
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from nlp.addresses import find_addresses
from nlp.pii import PLACEHOLDERS, find_pii

PLACEHOLDER = re.compile(r"\{([^{}\n]{1,40})\}")
MISSING = "⟦{name}: укажите⟧"
HIDDEN = "⟦{name}: скрыто⟧"
_APPEAL_NUMBER = re.compile(
    r"(?:обращени\w*|заявк\w*|заявлени\w*|жалоб\w*|запрос\w*|тикет\w*|регистрационн\w*)"
    r"\s*(?:(?:за\s+|под\s+)?(?:№|N|No\.?|номер(?:ом)?|#)\s*)([A-Za-zА-Яа-я]{0,4}[\d][\d\-/.]*\d|\d)",
    re.IGNORECASE,
)
_NUMBER_SIGN = re.compile(r"№\s*([A-Za-zА-Яа-я]{0,4}\d[\d\-/]*\d|\d)")


@dataclass(frozen=True)
class Context:
    """What a message gives to its drafts."""

    masked_text: str
    raw_text: str | None = None  # set only for a caller allowed to see personal data
    topic_name: str | None = None
    place: str | None = None
    organization: str | None = None
    published: str | None = None  # «ДД.ММ.ГГГГ»
    deadline: str | None = None


@dataclass(frozen=True)
class Fill:
    name: str
    value: str | None
    status: str  # filled | missing | hidden

    def to_dict(self) -> dict:
        return {"name": self.name, "value": self.value, "status": self.status}


def appeal_number(text: str) -> str | None:
    found = _APPEAL_NUMBER.search(text) or _NUMBER_SIGN.search(text)
    return found.group(1).rstrip(".") if found else None


def _name(ctx: Context) -> Fill:
    if ctx.raw_text:
        persons = [s for s in find_pii(ctx.raw_text) if s.type == "PERSON"]
        if persons:
            return Fill("имя", ctx.raw_text[persons[0].start : persons[0].stop], "filled")
    if PLACEHOLDERS["PERSON"] in ctx.masked_text:
        return Fill("имя", None, "hidden")
    return Fill("имя", None, "missing")


def _address(ctx: Context) -> Fill:
    if ctx.raw_text:
        found = find_addresses(ctx.raw_text)
        numbered = [a for a in found if a.has_number]
        if numbered or found:
            return Fill("адрес", (numbered or found)[0].text, "filled")
    streets = find_addresses(ctx.masked_text)
    if streets:
        return Fill("адрес", streets[0].text, "filled")
    if PLACEHOLDERS["ADDRESS"] in ctx.masked_text:
        return Fill("адрес", None, "hidden")
    return Fill("адрес", None, "missing")


def _simple(name: str, get: Callable[[Context], str | None]) -> Callable[[Context], Fill]:
    def fill(ctx: Context) -> Fill:
        value = get(ctx)
        return Fill(name, value, "filled") if value else Fill(name, None, "missing")

    return fill


FILLERS: dict[str, Callable[[Context], Fill]] = {
    "имя": _name,
    "адрес": _address,
    "номер обращения": _simple("номер обращения", lambda c: appeal_number(c.masked_text)),
    "тема": _simple("тема", lambda c: c.topic_name),
    "место": _simple("место", lambda c: c.place),
    "район": _simple("район", lambda c: c.place),
    "организация": _simple("организация", lambda c: c.organization),
    "дата": _simple("дата", lambda c: c.published),
    "срок ответа": _simple("срок ответа", lambda c: c.deadline),
    # the date by which the problem is solved: the message never says it; a person fills it
    "срок": _simple("срок", lambda c: None),
}
KNOWN = tuple(FILLERS)


def placeholders_in(body: str) -> list[str]:
    return list(dict.fromkeys(m.group(1).strip().lower() for m in PLACEHOLDER.finditer(body)))


def unknown_placeholders(body: str) -> list[str]:
    return [p for p in placeholders_in(body) if p not in FILLERS]


def fill(body: str, ctx: Context) -> tuple[str, list[Fill]]:
    """The draft and what each placeholder got."""
    fills = {name: FILLERS[name](ctx) for name in placeholders_in(body) if name in FILLERS}

    def replace(match: re.Match) -> str:
        name = match.group(1).strip().lower()
        got = fills.get(name)
        if got is None:
            return match.group(0)
        if got.status == "filled":
            return got.value or ""
        return (HIDDEN if got.status == "hidden" else MISSING).format(name=name)

    return PLACEHOLDER.sub(replace, body), list(fills.values())
