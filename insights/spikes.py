"""Spike alerts: negative messages on one topic, about one place, or both, far above their
usual rate within hours.

The rule: a group (topic × place, topic, place) raises an alert at `now` when, in the WINDOW
before `now`, it has at least MIN_COUNT negative messages and at least FACTOR times what its
baseline — the BASELINE days before the window — gives for a window of that length.
A topic-only or place-only group counts only the messages that no alert of a narrower group
took, so one planted spike raises one alert naming both the topic and the place. A flat
stream, however large, stays near its own baseline and raises none.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from insights.fields import utcnow
from insights.store import Message, Store, published_moment

WINDOW = timedelta(hours=3)
BASELINE = timedelta(days=14)
FACTOR = 4.0
MIN_COUNT = 8
CATCH_ALL_TOPICS = frozenset({"other"})


@dataclass(frozen=True)
class Rule:
    window: timedelta = WINDOW
    baseline: timedelta = BASELINE
    factor: float = FACTOR
    min_count: int = MIN_COUNT

    def describe(self) -> str:
        hours = self.window.total_seconds() / 3600
        return (
            f"Всплеск: не меньше {self.min_count} негативных сообщений за {hours:g} ч и в "
            f"{self.factor:g} раза больше обычного (обычное — средний темп за "
            f"{self.baseline.days} дн. до окна)"
        )

    def fires(self, count: int, expected: float) -> bool:
        return count >= self.min_count and count >= self.factor * expected


def _negative(store: Store, start: datetime, end: datetime) -> list[tuple]:
    moment = published_moment()
    with store.session() as session:
        return session.execute(
            select(Message.pk, Message.topic, func.coalesce(Message.city, Message.region_name),
                   moment)  # fmt: skip
            .where(Message.sentiment == "negative", moment > start, moment <= end)
        ).all()


def _groups(topic: str, place: str | None) -> list[tuple[str | None, str | None]]:
    keys: list[tuple[str | None, str | None]] = []
    if place:
        keys.append((topic, place))
        keys.append((None, place))
    if topic not in CATCH_ALL_TOPICS:
        keys.append((topic, None))
    return keys


def detect(store: Store, now: datetime | None = None, rule: Rule = Rule()) -> list[dict]:
    """Alerts at `now`, the largest excess first."""
    now = now or utcnow()
    window_start = now - rule.window
    rows = _negative(store, window_start - rule.baseline, now)
    return _detect(rows, now, rule)


def _detect(rows: list[tuple], now: datetime, rule: Rule) -> list[dict]:
    window_start = now - rule.window
    recent: dict[tuple, list[tuple[int, datetime]]] = defaultdict(list)
    usual: dict[tuple, int] = defaultdict(int)
    baseline_start = window_start - rule.baseline
    for pk, topic, place, moment in rows:
        if moment > now or moment <= baseline_start:
            continue
        for key in _groups(topic, place):
            if moment > window_start:
                recent[key].append((pk, moment))
            else:
                usual[key] += 1
    scale = rule.window / rule.baseline
    alerts: list[dict] = []
    covered: set[int] = set()
    narrow_first = sorted(recent, key=lambda k: (k[0] is None or k[1] is None, str(k)))
    for key in narrow_first:
        members = [(pk, t) for pk, t in recent[key] if pk not in covered]
        expected = usual[key] * scale
        if not rule.fires(len(members), expected):
            continue
        covered.update(pk for pk, _ in members)
        alerts.append(_alert(key, members, usual[key], expected, now, rule))
    alerts.sort(key=lambda a: -(a["count"] - a["expected"]))
    return alerts


def _alert(key, members, usual_count: int, expected: float, now: datetime, rule: Rule) -> dict:
    topic, place = key
    per_day = usual_count / (rule.baseline.total_seconds() / 86400)
    first = min(t for _, t in members)
    return {
        "id": f"{topic or '*'}|{place or '*'}|{first.isoformat()}",
        "topic": topic,
        "place": place,
        "count": len(members),
        "expected": round(expected, 2),
        "usual_per_day": round(per_day, 2),
        "window_hours": rule.window.total_seconds() / 3600,
        "baseline_days": rule.baseline.days,
        "factor": rule.factor,
        "min_count": rule.min_count,
        "first_at": first.isoformat(),
        "detected_at": now.isoformat(),
        "rule": rule.describe(),
        "message_ids": sorted(pk for pk, _ in members),
    }


def spikes_between(
    store: Store, start: datetime, end: datetime, rule: Rule = Rule(),
    step: timedelta = timedelta(hours=1),
) -> list[dict]:  # fmt: skip
    """The spikes of a period (the monthly report): the rule checked every `step`; the
    windows of one group that overlap make one spike, with its largest count."""
    rows = _negative(store, start - rule.window - rule.baseline, end)
    spikes: dict[tuple, dict] = {}
    moment = start + step
    while moment <= end:
        for alert in _detect(rows, moment, rule):
            key = (alert["topic"], alert["place"])
            seen = spikes.get(key)
            if seen and datetime.fromisoformat(seen["last_at"]) >= moment - rule.window:
                seen["last_at"] = moment.isoformat()
                if alert["count"] > seen["count"]:
                    seen.update(count=alert["count"], message_ids=alert["message_ids"])
                continue
            if seen:
                spikes[(key, seen["first_at"])] = spikes.pop(key)
            spikes[key] = {**alert, "last_at": moment.isoformat()}
        moment += step
    return sorted(spikes.values(), key=lambda s: s["first_at"])
