"""One message in (DESIGN.md): field names, normalisation and per-field validation.

Every problem is a `FieldProblem` naming the field, with an English message (API) and a Russian
one (CLI). Only `text` is required.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from insights.open_resource import (
    CHANNEL_ALIASES,
    MAX_URL_CHARS,
    author_hash,
    mask_author,
    normalize_url,
)
from nlp.regions import find_region, region_by_code

MAX_TEXT_CHARS = 20_000

KINDS = (
    "appeal", "complaint", "review", "post", "comment", "mention", "question", "survey_answer",
)  # fmt: skip
KIND_ALIASES = {
    "обращение": "appeal", "заявление": "appeal", "жалоба": "complaint", "отзыв": "review",
    "пост": "post", "публикация": "post", "комментарий": "comment", "упоминание": "mention",
    "вопрос": "question", "запрос": "question", "опрос": "survey_answer", "анкета": "survey_answer",
    "репост": "post", "сообщение": "post", "статья": "post", "ответ": "comment",
}  # fmt: skip
OUTCOMES = (
    "satisfied", "unsatisfied", "explained", "forwarded", "in_progress", "left_without_answer",
)  # fmt: skip
OUTCOME_ALIASES = {
    "удовлетворено": "satisfied", "поддержано": "satisfied", "решено": "satisfied",
    "не удовлетворено": "unsatisfied", "отказано": "unsatisfied", "отказ": "unsatisfied",
    "не поддержано": "unsatisfied", "разъяснено": "explained", "дано разъяснение": "explained",
    "перенаправлено": "forwarded", "направлено по компетенции": "forwarded",
    "на рассмотрении": "in_progress", "оставлено без ответа": "left_without_answer",
}  # fmt: skip
GENDERS = {
    "m": "male", "male": "male", "м": "male", "муж": "male", "мужской": "male", "мужчина": "male",
    "f": "female", "female": "female", "ж": "female", "жен": "female", "женский": "female",
    "женщина": "female",
}  # fmt: skip
CLIENTS = {"external": "external", "internal": "internal", "внешний": "external",
           "внутренний": "internal"}  # fmt: skip
TRUE = {"1", "true", "yes", "да", "y", "д"}
FALSE = {"0", "false", "no", "нет", "n", "н", ""}

TEXT_FIELDS = {  # field -> longest value stored
    "kind": 40, "channel": 60, "region": 200, "organization": 300, "service": 300,
    "touchpoint": 300, "social_status": 200,
}  # fmt: skip
SCORE_RANGES = {"csat": (1, 5), "nps": (0, 10), "ces": (1, 5), "age": (0, 120)}
FIELDS = (
    "id", "text", "kind", "channel", "received_at", "answered_at", "extended", "region",
    "organization", "service", "touchpoint", "outcome", "csat", "nps", "ces", "age", "gender",
    "social_status", "client", "source", "url", "parent_url", "author", "published_at", "reach",
    "official",
)  # fmt: skip
# Column names of common Russian exports, mapped to fields (the CLI's --map overrides them).
COLUMN_ALIASES = {
    "текст": "text", "текст обращения": "text", "содержание": "text", "номер": "id",
    "идентификатор": "id", "вид": "kind", "канал": "channel", "дата": "received_at",
    "дата поступления": "received_at", "дата регистрации": "received_at",
    "дата ответа": "answered_at", "продлен": "extended", "продлено": "extended",
    "регион": "region", "субъект": "region", "организация": "organization",
    "орган": "organization", "услуга": "service", "процесс": "service",
    "точка контакта": "touchpoint", "результат": "outcome", "возраст": "age", "пол": "gender",
    "социальный статус": "social_status", "клиент": "client",
    # monitoring-tool exports (open resources)
    "ссылка": "url", "url": "url", "адрес публикации": "url", "ссылка на сообщение": "url",
    "ссылка на публикацию": "url", "автор": "author", "имя автора": "author",
    "дата публикации": "published_at", "время публикации": "published_at",
    "охват": "reach", "аудитория": "reach", "просмотры": "reach", "подписчики": "reach",
    "официальное": "official", "официальное обращение": "official",
    "ответ на официальный пост": "official", "родительская ссылка": "parent_url",
    "ссылка на пост": "parent_url", "ссылка на родительский пост": "parent_url",
    "тип сообщения": "kind", "тип публикации": "kind", "площадка": "channel",
    "соцсеть": "channel",
}  # fmt: skip


@dataclass
class FieldProblem:
    field: str
    message: str
    message_ru: str

    def to_dict(self) -> dict:
        return {"field": self.field, "message": self.message}


@dataclass
class ValidMessage:
    """A validated message, ready to be classified and stored."""

    external_id: str
    text: str
    source: str
    received_at: datetime | None
    meta: dict = field(default_factory=dict)
    region_code: str | None = None
    region_name: str | None = None

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def _problem(name: str, en: str, ru: str) -> FieldProblem:
    return FieldProblem(name, en, ru)


def _blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def parse_datetime(value: object) -> datetime:
    """ISO 8601 («2026-04-01», «2026-04-01T10:00:00+03:00») or «01.04.2026 [10:00]».

    Aware values are converted to UTC and stored naive; naive values are kept as given.
    """
    if isinstance(value, datetime):
        result = value
    elif isinstance(value, date):
        result = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip()
        m = _DMY.match(text)
        if m:
            day, month, year, hour, minute, second = m.groups()
            result = datetime(
                int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                int(second or 0),
            )  # fmt: skip
        else:
            if text.endswith("Z"):
                text = text[:-1] + "+00:00"
            result = datetime.fromisoformat(text)
    else:
        raise ValueError(type(value).__name__)
    if result.tzinfo is not None:
        result = result.astimezone(UTC).replace(tzinfo=None)
    return result


def _as_int(value: object) -> int:
    if isinstance(value, bool):
        raise ValueError("bool")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("fraction")
        return int(value)
    text = str(value).strip().replace(",", ".")
    number = float(text)
    if not number.is_integer():
        raise ValueError("fraction")
    return int(number)


def _to_str(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def auto_id(text: str, meta: dict, received_at: datetime | None) -> str:
    """A stable id for a row without one: a hash of its text, time, channel and source fields."""
    parts = [text, received_at.isoformat() if received_at else "", str(meta.get("channel") or "")]
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return f"sha256:{digest[:32]}"


@dataclass
class _Draft:
    """A row being validated: what the field checks have accepted so far."""

    row: dict
    text: str = ""
    source: str = "default"
    external_id: str | None = None
    received_at: datetime | None = None
    meta: dict = field(default_factory=dict)


Check = Callable[[_Draft], list[FieldProblem]]


def _check_text(draft: _Draft) -> list[FieldProblem]:
    text = draft.row.get("text")
    if _blank(text):
        return [_problem("text", "text is missing or empty", "нет текста или он пуст")]
    draft.text = text if isinstance(text, str) else _to_str(text)
    if len(draft.text) > MAX_TEXT_CHARS:
        return [
            _problem(
                "text",
                f"text is {len(draft.text)} characters long; the limit is {MAX_TEXT_CHARS}",
                f"текст длиной {len(draft.text)} символов; предел {MAX_TEXT_CHARS}",
            )
        ]
    return []


def _check_source(draft: _Draft) -> list[FieldProblem]:
    source = draft.row.get("source")
    if not _blank(source):
        draft.source = _to_str(source)
    if len(draft.source) > 100:
        return [_problem("source", "source is over 100 characters", "source длиннее 100")]
    return []


def _check_id(draft: _Draft) -> list[FieldProblem]:
    raw_id = draft.row.get("id")
    draft.external_id = None if _blank(raw_id) else _to_str(raw_id)
    if draft.external_id is not None and len(draft.external_id) > 200:
        return [_problem("id", "id is over 200 characters", "идентификатор длиннее 200 символов")]
    return []


def _check_dates(draft: _Draft) -> list[FieldProblem]:
    problems = []
    for name in ("received_at", "answered_at", "published_at"):
        value = draft.row.get(name)
        if _blank(value):
            continue
        try:
            parsed = parse_datetime(value)
        except (ValueError, TypeError, OverflowError):
            problems.append(
                _problem(
                    name,
                    f"not a date: {str(value)[:40]!r} (expected ISO 8601 or DD.MM.YYYY)",
                    f"не дата: «{str(value)[:40]}» (ожидается ГГГГ-ММ-ДД или ДД.ММ.ГГГГ)",
                )
            )
            continue
        if name == "received_at":
            draft.received_at = parsed
        else:
            draft.meta[name] = parsed
    answered = draft.meta.get("answered_at")
    if draft.received_at is not None and answered is not None and answered < draft.received_at:
        problems.append(
            _problem(
                "answered_at",
                "answered_at is earlier than received_at",
                "дата ответа раньше даты поступления",
            )
        )
    return problems


def _check_text_fields(draft: _Draft) -> list[FieldProblem]:
    problems = []
    for name, limit in TEXT_FIELDS.items():
        value = draft.row.get(name)
        if _blank(value):
            continue
        value = _to_str(value)
        if len(value) > limit:
            problems.append(
                _problem(
                    name,
                    f"{name} is over {limit} characters",
                    f"поле {name} длиннее {limit} символов",
                )
            )
            continue
        draft.meta[name] = value
    if "channel" in draft.meta:
        channel = draft.meta["channel"].lower()
        draft.meta["channel"] = CHANNEL_ALIASES.get(channel, channel)
    return problems


def _check_open_resource(draft: _Draft) -> list[FieldProblem]:
    """url / parent_url (normalised), author (hashed and masked here: the handle goes no
    further), reach (a count), official (yes / no)."""
    problems = []
    for name in ("url", "parent_url"):
        value = draft.row.get(name)
        if _blank(value):
            continue
        try:
            url = normalize_url(_to_str(value))
        except ValueError:
            problems.append(_problem(name, f"{name} is not an http(s) link",
                                     f"{name}: не ссылка http(s)"))  # fmt: skip
            continue
        if len(url) > MAX_URL_CHARS:
            problems.append(_problem(name, f"{name} is over {MAX_URL_CHARS} characters",
                                     f"{name} длиннее {MAX_URL_CHARS} символов"))  # fmt: skip
            continue
        draft.meta[name] = url
    author = draft.row.get("author")
    if not _blank(author):
        handle = _to_str(author)[:500]
        draft.meta["author_hash"] = author_hash(handle)
        draft.meta["author_masked"] = mask_author(handle)
    reach = draft.row.get("reach")
    if not _blank(reach):
        try:
            number = _as_int(str(reach).replace(" ", "").replace("\u00a0", ""))
        except (ValueError, TypeError):
            number = -1
        if number < 0:
            shown = str(reach)[:20]
            problems.append(_problem("reach", f"reach must be a count, got {shown!r}",
                                     f"охват: ожидается число, получено «{shown}»"))  # fmt: skip
        else:
            draft.meta["reach"] = number
    official = draft.row.get("official")
    if isinstance(official, bool):
        draft.meta["official"] = official
    elif not _blank(official):
        value = _to_str(official).lower()
        if value in TRUE or value in FALSE:
            draft.meta["official"] = value in TRUE
        else:
            shown = str(official)[:20]
            problems.append(
                _problem("official", "official must be true or false",
                         f"official: ожидается да/нет, получено «{shown}»")  # fmt: skip
            )
    return problems


def _check_kind(draft: _Draft) -> list[FieldProblem]:
    if "kind" not in draft.meta:
        return []
    given = draft.meta["kind"]
    kind = KIND_ALIASES.get(given.lower(), given.lower())
    draft.meta["kind"] = kind
    if kind in KINDS:
        return []
    return [
        _problem(
            "kind",
            f"unknown kind {given!r}; expected one of {', '.join(KINDS)}",
            f"неизвестный вид «{given}»; допустимы: {', '.join(KINDS)}",
        )
    ]


def _check_outcome(draft: _Draft) -> list[FieldProblem]:
    outcome = draft.row.get("outcome")
    if _blank(outcome):
        return []
    value = _to_str(outcome).lower()
    value = OUTCOME_ALIASES.get(value, value)
    draft.meta["outcome"] = value
    if value in OUTCOMES:
        return []
    return [
        _problem(
            "outcome",
            f"unknown outcome {outcome!r}; expected one of {', '.join(OUTCOMES)}",
            f"неизвестный результат «{outcome}»; допустимы: {', '.join(OUTCOMES)}",
        )
    ]


def _check_scores(draft: _Draft) -> list[FieldProblem]:
    problems = []
    for name, (low, high) in SCORE_RANGES.items():
        value = draft.row.get(name)
        if _blank(value):
            continue
        try:
            number = _as_int(value)
        except (ValueError, TypeError):
            number = None
        if number is None or not low <= number <= high:
            problems.append(
                _problem(
                    name,
                    f"{name} must be an integer from {low} to {high}, got {str(value)[:20]!r}",
                    f"{name}: ожидается целое от {low} до {high}, получено «{str(value)[:20]}»",
                )
            )
            continue
        draft.meta[name] = number
    return problems


def _choice(name: str, values: dict[str, str], expected_en: str, expected_ru: str) -> Check:
    """A check of a field with a closed set of values (given in English or Russian)."""

    def check(draft: _Draft) -> list[FieldProblem]:
        given = draft.row.get(name)
        if _blank(given):
            return []
        value = values.get(_to_str(given).lower())
        draft.meta[name] = value
        if value is not None:
            return []
        return [
            _problem(
                name,
                f"unknown {name} {given!r}; expected {expected_en}",
                f"{expected_ru.format(given=given)}",
            )
        ]

    return check


def _check_extended(draft: _Draft) -> list[FieldProblem]:
    extended = draft.row.get("extended")
    if isinstance(extended, bool):
        draft.meta["extended"] = extended
        return []
    if _blank(extended):
        return []
    value = _to_str(extended).lower()
    if value in TRUE or value in FALSE:
        draft.meta["extended"] = value in TRUE
        return []
    return [
        _problem(
            "extended",
            f"extended must be true or false, got {str(extended)[:20]!r}",
            f"extended: ожидается да/нет, получено «{str(extended)[:20]}»",
        )
    ]


CHECKS: tuple[Check, ...] = (  # in this order: problems are reported as they are found
    _check_text,
    _check_source,
    _check_id,
    _check_dates,
    _check_text_fields,
    _check_kind,
    _check_outcome,
    _check_scores,
    _choice("gender", GENDERS, "male or female",
            "неизвестный пол «{given}»; ожидается male/female (м/ж)"),
    _choice("client", CLIENTS, "external or internal",
            "неизвестный тип клиента «{given}»; ожидается external или internal"),
    _check_extended,
    _check_open_resource,
)  # fmt: skip


def validate(
    row: dict, default_source: str = "default"
) -> tuple[ValidMessage | None, list[FieldProblem]]:
    """Normalise one row; a row with any problem is rejected as a whole (None)."""
    draft = _Draft(row, source=default_source)
    problems = [problem for check in CHECKS for problem in check(draft)]
    if problems:
        return None, problems
    region_code, region_name = resolve_region(draft.meta.get("region"))
    external_id = draft.external_id
    if external_id is None and draft.meta.get("url"):
        external_id = draft.meta["url"][:200]  # the same link sent again is the same item
    if external_id is None:
        external_id = auto_id(draft.text, draft.meta, draft.received_at)
    message = ValidMessage(
        external_id=external_id,
        text=draft.text,
        source=draft.source,
        received_at=draft.received_at,
        meta=draft.meta,
        region_code=region_code,
        region_name=region_name,
    )
    return message, []


def resolve_region(value: str | None) -> tuple[str | None, str | None]:
    """A region given as metadata: a code («RU-03»), a name found by the gazetteer, or as is."""
    if not value:
        return None, None
    info = region_by_code(value.strip().upper())
    if info is not None:
        return info.code, info.name
    found = find_region(value)
    if found is not None:
        return found.code, found.name
    return None, value


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)
