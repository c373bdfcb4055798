"""Answer deadlines for open-resource items (seed 001, Magadan order item 16: two hours for an
official appeal or a comment under the organisation's own post, four hours for a mention),
configurable per channel and kind, counted in working hours when those are set.

Configuration (``OTKLIK_TRIAGE_CONFIG``, a JSON file)::

    {"official_hours": 2, "default_hours": 4,
     "rules": [{"channel": "open_resource", "kind": "review", "hours": 24},
               {"kind": "comment", "official": true, "hours": 1}],
     "working_hours": {"start": "09:00", "end": "18:00", "days": [1, 2, 3, 4, 5],
                       "utc_offset_hours": 11}}

A rule matches on every key it names (channel, kind, official); the matching rule naming the
most keys wins; without one, an official item gets ``official_hours`` and any other
``default_hours``. Times in the store are UTC; working hours are local (``utc_offset_hours``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path

from models.settings import settings

OFFICIAL_HOURS = 2.0
DEFAULT_HOURS = 4.0


class DeadlineConfigError(ValueError):
    """The deadline configuration cannot be used; the message is for a person."""


@dataclass(frozen=True)
class Rule:
    hours: float
    channel: str | None = None
    kind: str | None = None
    official: bool | None = None

    def matches(self, channel: str | None, kind: str | None, official: bool) -> bool:
        return (
            (self.channel is None or self.channel == channel)
            and (self.kind is None or self.kind == kind)
            and (self.official is None or self.official == official)
        )

    @property
    def specificity(self) -> int:
        return sum(x is not None for x in (self.channel, self.kind, self.official))


@dataclass(frozen=True)
class WorkingHours:
    start: time
    end: time
    days: frozenset[int]  # ISO weekdays, 1 = Monday
    utc_offset: timedelta

    def add(self, moment: datetime, hours: float) -> datetime:
        """`moment` (UTC) plus `hours` of working time."""
        local = moment + self.utc_offset
        left = timedelta(hours=hours)
        for _ in range(400):  # a year of days at most
            day_start = datetime.combine(local.date(), self.start)
            day_end = datetime.combine(local.date(), self.end)
            if local.isoweekday() in self.days and local < day_end:
                begin = max(local, day_start)
                if begin + left <= day_end:
                    return begin + left - self.utc_offset
                left -= day_end - begin
            local = datetime.combine(local.date() + timedelta(days=1), self.start)
        raise DeadlineConfigError("рабочие часы не дают ни одного рабочего дня")


@dataclass(frozen=True)
class DeadlinePolicy:
    official_hours: float = OFFICIAL_HOURS
    default_hours: float = DEFAULT_HOURS
    rules: tuple[Rule, ...] = ()
    working_hours: WorkingHours | None = None
    source: str = field(default="по умолчанию (приказ Минсельхоза Магаданской области, п. 16)")

    def hours_for(self, channel: str | None, kind: str | None, official: bool) -> float:
        matching = [r for r in self.rules if r.matches(channel, kind, official)]
        if matching:
            return max(matching, key=lambda r: r.specificity).hours
        return self.official_hours if official else self.default_hours

    def deadline(
        self, start: datetime, channel: str | None, kind: str | None, official: bool
    ) -> datetime:
        hours = self.hours_for(channel, kind, official)
        if self.working_hours is None:
            return start + timedelta(hours=hours)
        return self.working_hours.add(start, hours)


def _hours(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise DeadlineConfigError(f"{where}: ожидается положительное число часов")
    return float(value)


def _clock(value: object, where: str) -> time:
    try:
        return time.fromisoformat(str(value))
    except ValueError as exc:
        raise DeadlineConfigError(f"{where}: ожидается время ЧЧ:ММ, получено «{value}»") from exc


def parse_policy(data: dict, source: str = "") -> DeadlinePolicy:
    if not isinstance(data, dict):
        raise DeadlineConfigError("настройка сроков: ожидается объект JSON")
    rules = []
    for i, raw in enumerate(data.get("rules") or []):
        if not isinstance(raw, dict) or "hours" not in raw:
            raise DeadlineConfigError(f"rules[{i}]: ожидается объект с полем hours")
        official = raw.get("official")
        if official is not None and not isinstance(official, bool):
            raise DeadlineConfigError(f"rules[{i}].official: ожидается true или false")
        rules.append(
            Rule(_hours(raw["hours"], f"rules[{i}].hours"), raw.get("channel"), raw.get("kind"),
                 official)  # fmt: skip
        )
    working = None
    wh = data.get("working_hours")
    if wh:
        start = _clock(wh.get("start", "09:00"), "working_hours.start")
        end = _clock(wh.get("end", "18:00"), "working_hours.end")
        days = frozenset(int(d) for d in wh.get("days", [1, 2, 3, 4, 5]))
        if end <= start or not days or not days <= set(range(1, 8)):
            raise DeadlineConfigError("working_hours: конец раньше начала или нет рабочих дней")
        offset = timedelta(hours=float(wh.get("utc_offset_hours", 3)))
        working = WorkingHours(start, end, days, offset)
    return DeadlinePolicy(
        official_hours=_hours(data.get("official_hours", OFFICIAL_HOURS), "official_hours"),
        default_hours=_hours(data.get("default_hours", DEFAULT_HOURS), "default_hours"),
        rules=tuple(rules),
        working_hours=working,
        source=source or "настройка",
    )


def load_policy(path: Path | None = None) -> DeadlinePolicy:
    """The policy from `path`, else from ``OTKLIK_TRIAGE_CONFIG``, else the seed's 2 h / 4 h."""
    path = path or settings().triage_config
    if path is None:
        return DeadlinePolicy()
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise DeadlineConfigError(f"не удалось прочитать настройку сроков {path}: {exc}") from exc
    return parse_policy(data, source=str(path))
