"""Reporting periods: [start, end) in stored (naive) time, and the previous one of equal length."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from insights.fields import parse_datetime

DEFAULT_DAYS = 91


class PeriodError(ValueError):
    """A bad --from/--to; `message_ru` is for a person, str(self) for the API."""

    def __init__(self, message: str, message_ru: str) -> None:
        super().__init__(message)
        self.message_ru = message_ru


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime  # exclusive

    @property
    def days(self) -> float:
        return (self.end - self.start).total_seconds() / 86400

    def previous(self) -> Period:
        return Period(self.start - (self.end - self.start), self.start)

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(microseconds=1)).date()

    def label(self) -> str:
        return f"{self.start:%d.%m.%Y}–{self.last_day:%d.%m.%Y}"

    def to_dict(self) -> dict:
        return {
            "from": self.start.date().isoformat(),
            "to": self.last_day.isoformat(),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }


def parse_bound(value: str, name: str) -> datetime:
    """A --from/--to value (`name` is "from" or "to") as a datetime; PeriodError if it is not."""
    return _parse(value, name)


def _parse(value: str, name: str) -> datetime:
    try:
        return parse_datetime(value)
    except (ValueError, TypeError, OverflowError):
        raise PeriodError(
            f"{name}: not a date: {value!r} (expected YYYY-MM-DD)",
            f"--{name}: не дата «{value}» (ожидается ГГГГ-ММ-ДД или ДД.ММ.ГГГГ)",
        ) from None


def make_period(start: str | None, end: str | None, *, latest: datetime | None = None) -> Period:
    """Dates are inclusive («--from 2026-04-01 --to 2026-06-30» is the whole quarter).

    Without `end`: the day of the latest stored message (`latest`), else today; without
    `start`: the 91 days that end there.
    """
    stop = None
    if end:
        parsed = _parse(end, "to")
        stop = parsed + timedelta(days=1) if parsed.time() == time(0) else parsed
    else:
        anchor = (latest or datetime.now()).date()
        stop = datetime.combine(anchor, time(0)) + timedelta(days=1)
    if start:
        begin = _parse(start, "from")
    else:
        begin = stop - timedelta(days=DEFAULT_DAYS)
    if begin >= stop:
        raise PeriodError(
            "from must be earlier than to", "начало периода (--from) позже его конца (--to)"
        )
    if stop - begin > timedelta(days=3660):
        raise PeriodError("the period is over 10 years", "период длиннее 10 лет")
    return Period(begin, stop)


def calendar_months(first: datetime, last: datetime) -> list[Period]:
    """The calendar months from the one holding `first` to the one holding `last`."""
    months = []
    start = datetime(first.year, first.month, 1)
    while start <= last:
        end = datetime(start.year + start.month // 12, start.month % 12 + 1, 1)
        months.append(Period(start, end))
        start = end
    return months
