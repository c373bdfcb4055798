"""Metrics of seed 000 §2.5 and seed 003 over the stored messages of a period.

* counts and shares by channel, topic, region, type, kind, sentiment, aspect;
* response time (received → answered; survey answers left out): median and p90, and the
  share answered within the deadline — 59-ФЗ: 30 days, 60 with the one allowed extension
  (``extended``); social media (seed 001): 2 hours for an official appeal or a comment,
  4 hours for a mention. The share is over the messages whose answer is due: answered, or
  unanswered past their deadline;
* complaints (classified type or kind «complaint»): satisfied and unsatisfied, counts and
  shares of all complaints received in the period;
* CSAT = answers 4–5 / all answers × 100; NPS = % of 9–10 − % of 0–6; CES = mean score;
* the social portrait (seed 004): age bands 18–30, 31–40, …, 81–90; gender; social status.

The database counts (`count_values`); only the times of the messages that expect an answer
come to numpy (`load_answers`), for the median and the 90th percentile.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import String, cast, func, literal, or_, select, union_all

from insights.fields import utcnow
from insights.filters import epoch_seconds, period_clause
from insights.labels import DIMENSIONS, NO_ASPECT, SOCIAL_CHANNELS, Names
from insights.periods import Period
from insights.store import Message, MessageAspect, Store

APPEAL_DEADLINE = timedelta(days=30)
EXTENDED_DEADLINE = timedelta(days=60)
SOCIAL_DEADLINE = timedelta(hours=2)
MENTION_DEADLINE = timedelta(hours=4)
AGE_BANDS = ((18, 30), (31, 40), (41, 50), (51, 60), (61, 70), (71, 80), (81, 90))
GROUP_DIMENSIONS = ("channel", "topic", "region", "type", "kind", "service", "organization")

_COUNTED = {  # counted by value in SQL
    "channel": Message.channel,
    "topic": Message.topic,
    "region": Message.region_name,
    "type": Message.type,
    "kind": Message.kind,
    "sentiment": Message.sentiment,
    "gender": Message.gender,
    "social_status": Message.social_status,
}
_SCORES = {"csat": Message.csat, "nps": Message.nps, "ces": Message.ces, "age": Message.age}
_GROUPABLE = {**_COUNTED, "service": Message.service, "organization": Message.organization}


class MetricsError(ValueError):
    def __init__(self, message: str, message_ru: str) -> None:
        super().__init__(message)
        self.message_ru = message_ru


def check_group_by(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip().lower()
    if value not in GROUP_DIMENSIONS:
        raise MetricsError(
            f"group_by must be one of {', '.join(GROUP_DIMENSIONS)}; got {value!r}",
            f"группировка должна быть одной из: {', '.join(GROUP_DIMENSIONS)}; получено «{value}»",
        )
    return value


def _where(period: Period, region: str | None):
    return period_clause(period, region)


def _times(values, epoch: bool) -> np.ndarray:
    if not epoch:
        return np.array(
            [np.datetime64(v, "s") if v is not None else np.datetime64("NaT") for v in values],
            dtype="datetime64[s]",
        )
    seconds = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    missing = np.isnan(seconds)
    out = np.where(missing, 0, seconds).astype(np.int64).astype("datetime64[s]")
    out[missing] = np.datetime64("NaT")
    return out


def _group_key(group_by: str | None):
    """The group of a message: its `group_by` value, "" when it has none (or no grouping)."""
    return func.coalesce(_GROUPABLE[group_by], "") if group_by else literal("", String)


def _is_complaint():
    return or_(Message.type == "complaint", Message.kind == "complaint")


def count_values(
    store: Store, period: Period, region: str | None, group_by: str | None = None
) -> dict[str, dict]:
    """``{dimension: {group: Counter(value → messages)}}`` for the dimensions of `_COUNTED`,
    the survey scores and age (`_SCORES`, NULL left out) and ``outcome`` of complaints;
    group "" without `group_by`. One query: the period is read once (a CTE) and grouped
    once per dimension by the database; only the counts come back."""
    columns = {**_COUNTED, **_SCORES, "outcome": Message.outcome}
    rows = select(
        *(c.label(name) for name, c in columns.items()),
        _is_complaint().label("complaint"),
        _group_key(group_by).label("grp"),
    ).where(_where(period, region)).cte("period_messages")

    def part(name: str, value, where=None):
        query = select(
            literal(name, String).label("dimension"), rows.c.grp, value, func.count()
        ).group_by(rows.c.grp, value)
        return query if where is None else query.where(where)

    parts = [part(n, cast(rows.c[n], String).label("text")) for n in _COUNTED]
    parts += [
        part(n, cast(rows.c[n], String).label("text"), rows.c[n].is_not(None)) for n in _SCORES
    ]
    parts.append(part("outcome", cast(rows.c.outcome, String).label("text"), rows.c.complaint))
    out: dict[str, dict] = {name: {} for name in [*_COUNTED, *_SCORES, "outcome"]}
    with store.engine.connect() as conn:
        for dimension, group, value, n in conn.execute(union_all(*parts)):
            counts = out[dimension].setdefault(group, Counter())
            counts[value] += int(n)
    return out


def load_answers(
    store: Store, period: Period, region: str | None, group_by: str | None = None
) -> dict[str, np.ndarray]:
    """The messages that expect an answer (not survey answers) as numpy columns: received
    and answered (datetime64[s]), social, mention, extended (bool), group (object)."""
    received, answered = Message.received_at, Message.answered_at
    epoch = epoch_seconds(received, store.dialect) is not None
    if epoch:
        received = epoch_seconds(received, store.dialect)
        answered = epoch_seconds(answered, store.dialect)
    query = select(
        received,
        answered,
        Message.channel.in_(sorted(SOCIAL_CHANNELS)),
        func.coalesce(Message.kind, "") == "mention",
        func.coalesce(Message.extended, False),
        _group_key(group_by),
    ).where(_where(period, region), func.coalesce(Message.kind, "") != "survey_answer")
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    columns = list(zip(*rows, strict=True)) if rows else [()] * 6
    return {
        "received_at": _times(columns[0], epoch),
        "answered_at": _times(columns[1], epoch),
        "social": np.array(columns[2], dtype=bool),
        "mention": np.array(columns[3], dtype=bool),
        "extended": np.array(columns[4], dtype=bool),
        "group": np.array(columns[5], dtype=object),
    }


def _round(value: float | None, digits: int = 2) -> float | None:
    if value is None or not np.isfinite(value):
        return None
    return round(float(value), digits)


def breakdown(counts: Counter, names: Names, dimension: str) -> list[dict]:
    """Counts by value (None: not given) as rows with shares, the largest first."""
    total = sum(counts.values())
    if not total:
        return []
    keyed = Counter()
    for value, n in counts.items():
        keyed["" if value is None else str(value)] += n
    return [
        {
            "id": key or None,
            "name": names.name(dimension, key or None),
            "count": count,
            "share": round(count / total, 4),
        }
        for key, count in sorted(keyed.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def deadlines(frame: dict[str, np.ndarray]) -> np.ndarray:
    """Deadline (seconds) per message."""
    seconds = np.where(
        frame["extended"], EXTENDED_DEADLINE.total_seconds(), APPEAL_DEADLINE.total_seconds()
    )
    return np.where(
        frame["social"],
        np.where(
            frame["mention"], MENTION_DEADLINE.total_seconds(), SOCIAL_DEADLINE.total_seconds()
        ),
        seconds,
    )


def response_times(answers: dict[str, np.ndarray], now: datetime | None = None) -> dict:
    """Over the messages of `load_answers` (survey answers expect no answer)."""
    now64 = np.datetime64(now or utcnow(), "s")
    received, answered = answers["received_at"], answers["answered_at"]
    deadline, social = deadlines(answers), answers["social"]
    out = {}
    for name, mask in (
        ("all", np.ones(len(received), dtype=bool)),
        ("appeals", ~social),
        ("social_media", social),
    ):
        out[name] = _response_block(received[mask], answered[mask], deadline[mask], now64)
    out["deadlines"] = {
        "appeals_days": APPEAL_DEADLINE.days,
        "appeals_extended_days": EXTENDED_DEADLINE.days,
        "social_media_hours": SOCIAL_DEADLINE.total_seconds() / 3600,
        "mention_hours": MENTION_DEADLINE.total_seconds() / 3600,
    }
    return out


def _response_block(received, answered, deadline, now64) -> dict:
    has_answer = ~np.isnat(answered)
    waited = (answered[has_answer] - received[has_answer]).astype(np.float64)  # seconds
    within = waited <= deadline[has_answer]
    pending = ~has_answer
    overdue = pending & ((now64 - received).astype(np.float64) > deadline)
    due = int(has_answer.sum() + overdue.sum())
    hours = waited / 3600
    return {
        "messages": int(len(received)),
        "answered": int(has_answer.sum()),
        "unanswered": int(pending.sum()),
        "overdue_unanswered": int(overdue.sum()),
        "median_hours": _round(np.median(hours)) if hours.size else None,
        "p90_hours": _round(np.percentile(hours, 90)) if hours.size else None,
        "median_days": _round(np.median(hours) / 24) if hours.size else None,
        "p90_days": _round(np.percentile(hours, 90) / 24) if hours.size else None,
        "within_deadline": int(within.sum()),
        "within_deadline_share": _round(within.sum() / due, 4) if due else None,
    }


def complaints(outcomes: Counter) -> dict:
    """`outcomes`: complaints (classified type or kind) by outcome."""
    total = sum(outcomes.values())
    satisfied, unsatisfied = outcomes["satisfied"], outcomes["unsatisfied"]
    return {
        "total": total,
        "satisfied": satisfied,
        "satisfied_share": _round(satisfied / total, 4) if total else None,
        "unsatisfied": unsatisfied,
        "unsatisfied_share": _round(unsatisfied / total, 4) if total else None,
        "without_outcome": outcomes[None],
    }


def _scores(counts: Counter) -> tuple[np.ndarray, np.ndarray]:
    """(score values, how many answers gave each)."""
    values = np.array([int(v) for v in counts], dtype=np.float64)
    return values, np.array(list(counts.values()), dtype=np.int64)


def surveys(scores: dict[str, Counter]) -> dict:
    """`scores`: the answers by value of csat, nps and ces."""
    csat, csat_n = _scores(scores["csat"])
    nps, nps_n = _scores(scores["nps"])
    ces, ces_n = _scores(scores["ces"])
    satisfied = int(csat_n[csat >= 4].sum())
    promoters, detractors = int(nps_n[nps >= 9].sum()), int(nps_n[nps <= 6].sum())
    csat_total, nps_total, ces_total = int(csat_n.sum()), int(nps_n.sum()), int(ces_n.sum())
    return {
        "csat": {
            "value": _round(satisfied / csat_total * 100, 1) if csat_total else None,
            "responses": csat_total,
            "satisfied": satisfied,
            "formula": "CSAT = (число оценок 4 и 5) / (число ответов) × 100",
        },
        "nps": {
            "value": _round((promoters - detractors) / nps_total * 100, 1) if nps_total else None,
            "responses": nps_total,
            "promoters": promoters,
            "passives": nps_total - promoters - detractors,
            "detractors": detractors,
            "formula": "NPS = промоутеры (9–10), % − критики (0–6), %",
        },
        "ces": {
            "value": _round((ces * ces_n).sum() / ces_total, 2) if ces_total else None,
            "responses": ces_total,
            "formula": "CES = сумма баллов / число ответов (1 — очень сложно, 5 — очень легко)",
        },
    }


def portrait(ages: Counter, genders: Counter, statuses: Counter, names: Names) -> dict:
    age, age_n = _scores(ages)
    known = int(age_n.sum())
    bands = []
    for low, high in AGE_BANDS:
        n = int(age_n[(age >= low) & (age <= high)].sum())
        bands.append(
            {"band": f"{low}–{high}", "count": n, "share": _round(n / known, 4) if known else None}
        )
    younger, older = int(age_n[age < 18].sum()), int(age_n[age > 90].sum())
    if younger:
        bands.insert(0, {"band": "до 18", "count": younger, "share": _round(younger / known, 4)})
    if older:
        bands.append({"band": "старше 90", "count": older, "share": _round(older / known, 4)})
    genders = Counter({k: n for k, n in genders.items() if k is not None})
    statuses = Counter({k: n for k, n in statuses.items() if k is not None})
    return {
        "with_age": known,
        "age": bands,
        "with_gender": sum(genders.values()),
        "gender": breakdown(genders, names, "gender"),
        "with_social_status": sum(statuses.values()),
        "social_status": breakdown(statuses, names, "social_status"),
    }


def aspects(store: Store, period: Period, region: str | None, names: Names) -> list[dict]:
    """The pains named, over all messages and over the negative ones."""
    negative = or_(
        Message.sentiment == "negative", Message.type == "complaint", Message.kind == "complaint"
    )
    query = (
        select(MessageAspect.aspect, func.count(), func.count().filter(negative))
        .join(Message, Message.pk == MessageAspect.message_pk)
        .where(_where(period, region))
        .group_by(MessageAspect.aspect)
        .order_by(func.count().desc())
    )
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        {
            "id": a,
            "name": names.name("aspect", a),
            "count": int(n),
            "negative": int(k),
        }
        for a, n, k in rows
        if a != NO_ASPECT
    ]


def _core(counts: dict[str, Counter], answers: dict[str, np.ndarray], now) -> dict:
    times = response_times(answers, now)
    return {
        "total": sum(counts["channel"].values()),
        "response_time": {k: v for k, v in times.items() if k != "deadlines"},
        "complaints": complaints(counts["outcome"]),
        "surveys": surveys(counts),
    }


def _merged(by_group: dict[str, dict]) -> dict[str, Counter]:
    """The counts of all groups together."""
    out = {}
    for dimension, groups in by_group.items():
        out[dimension] = sum(groups.values(), Counter())
    return out


def build_metrics(
    store: Store,
    period: Period,
    *,
    group_by: str | None = None,
    region: str | None = None,
    names: Names | None = None,
    now: datetime | None = None,
) -> dict:
    names = names or Names()
    by_group = count_values(store, period, region, group_by)
    answers = load_answers(store, period, region, group_by)
    counts = _merged(by_group)
    previous = period.previous()
    with store.engine.connect() as conn:
        previous_total = conn.scalar(
            select(func.count()).select_from(Message).where(_where(previous, region))
        )
    total = sum(counts["channel"].values())
    result = {
        "period": period.to_dict(),
        "previous_period": previous.to_dict(),
        "region": region,
        "total": total,
        "previous_total": int(previous_total or 0),
        "change": _round((total - previous_total) / previous_total, 4) if previous_total else None,
        "by_channel": breakdown(counts["channel"], names, "channel"),
        "by_topic": breakdown(counts["topic"], names, "topic"),
        "by_region": breakdown(counts["region"], names, "region"),
        "by_type": breakdown(counts["type"], names, "type"),
        "by_kind": breakdown(counts["kind"], names, "kind"),
        "by_sentiment": breakdown(counts["sentiment"], names, "sentiment"),
        "by_aspect": aspects(store, period, region, names),
        "response_time": response_times(answers, now),
        "complaints": complaints(counts["outcome"]),
        "surveys": surveys(counts),
        "portrait": portrait(counts["age"], counts["gender"], counts["social_status"], names),
    }
    if group_by:
        groups = []
        for key in by_group["channel"]:
            group_counts = {d: by_group[d].get(key, Counter()) for d in by_group}
            mask = answers["group"] == key
            block = _core(group_counts, {k: v[mask] for k, v in answers.items()}, now)
            groups.append(
                {
                    "id": key or None,
                    "name": names.name(group_by, key or None),
                    "share": round(block["total"] / total, 4),
                    **block,
                }
            )
        groups.sort(key=lambda g: (-g["total"], g["name"]))
        result["group_by"] = group_by
        result["group_by_name"] = DIMENSIONS.get(group_by, group_by)
        result["groups"] = groups
    return result
