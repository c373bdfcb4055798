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
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import BigInteger, Integer, cast, func, or_, select

from insights.fields import utcnow
from insights.filters import period_clause
from insights.labels import DIMENSIONS, NO_ASPECT, SOCIAL_CHANNELS, Names
from insights.periods import Period
from insights.store import Message, MessageAspect, Store

APPEAL_DEADLINE = timedelta(days=30)
EXTENDED_DEADLINE = timedelta(days=60)
SOCIAL_DEADLINE = timedelta(hours=2)
MENTION_DEADLINE = timedelta(hours=4)
AGE_BANDS = ((18, 30), (31, 40), (41, 50), (51, 60), (61, 70), (71, 80), (81, 90))
GROUP_DIMENSIONS = ("channel", "topic", "region", "type", "kind", "service", "organization")

_COLUMNS = {
    "channel": Message.channel,
    "topic": Message.topic,
    "region": Message.region_name,
    "type": Message.type,
    "kind": Message.kind,
    "sentiment": Message.sentiment,
    "service": Message.service,
    "organization": Message.organization,
    "outcome": Message.outcome,
    "extended": Message.extended,
    "received_at": Message.received_at,
    "answered_at": Message.answered_at,
    "csat": Message.csat,
    "nps": Message.nps,
    "ces": Message.ces,
    "age": Message.age,
    "gender": Message.gender,
    "social_status": Message.social_status,
}


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


def _epoch_seconds(column, dialect: str):
    """`column` as whole seconds since 1970 computed by the database (NULL stays NULL):
    numbers reach numpy far faster than datetime objects."""
    if dialect == "postgresql":
        return cast(func.extract("epoch", column), BigInteger)
    if dialect == "sqlite":
        return cast(func.strftime("%s", column), Integer)
    return None


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


def load_frame(store: Store, period: Period, region: str | None = None) -> dict[str, np.ndarray]:
    """The period's messages as columns (object arrays for text, datetime64[s] for times)."""
    columns = dict(_COLUMNS)
    epoch = _epoch_seconds(Message.received_at, store.dialect) is not None
    if epoch:
        for name in ("received_at", "answered_at"):
            columns[name] = _epoch_seconds(columns[name], store.dialect)
    query = select(*columns.values()).where(_where(period, region))
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    transposed = list(zip(*rows, strict=True)) if rows else [()] * len(columns)
    frame: dict[str, np.ndarray] = {}
    for name, values in zip(columns, transposed, strict=True):
        if name in ("received_at", "answered_at"):
            frame[name] = _times(values, epoch)
        elif name in ("csat", "nps", "ces", "age"):
            frame[name] = np.array(
                [np.nan if v is None else float(v) for v in values], dtype=np.float64
            )
        elif name == "extended":
            frame[name] = np.array([bool(v) for v in values], dtype=bool)
        else:
            frame[name] = np.array(values, dtype=object)
    return frame


def _round(value: float | None, digits: int = 2) -> float | None:
    if value is None or not np.isfinite(value):
        return None
    return round(float(value), digits)


def breakdown(values: np.ndarray, names: Names, dimension: str) -> list[dict]:
    total = len(values)
    if not total:
        return []
    counts = Counter("" if v is None else str(v) for v in values)  # np.unique sorts objects
    return [
        {
            "id": key or None,
            "name": names.name(dimension, key or None),
            "count": count,
            "share": round(count / total, 4),
        }
        for key, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def deadlines(frame: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Deadline (seconds) per message and whether it is a social media message."""
    channels = frame["channel"]
    social = np.array([c in SOCIAL_CHANNELS for c in channels], dtype=bool)
    mention = frame["kind"] == "mention"
    seconds = np.where(
        frame["extended"], EXTENDED_DEADLINE.total_seconds(), APPEAL_DEADLINE.total_seconds()
    )
    seconds = np.where(
        social,
        np.where(mention, MENTION_DEADLINE.total_seconds(), SOCIAL_DEADLINE.total_seconds()),
        seconds,
    )
    return seconds, social


def response_times(frame: dict[str, np.ndarray], now: datetime | None = None) -> dict:
    """Survey answers expect no answer and are left out."""
    now64 = np.datetime64(now or utcnow(), "s")
    received, answered = frame["received_at"], frame["answered_at"]
    deadline, social = deadlines(frame)
    expects = frame["kind"] != "survey_answer"
    out = {}
    for name, mask in (
        ("all", expects),
        ("appeals", expects & ~social),
        ("social_media", expects & social),
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


def complaints(frame: dict[str, np.ndarray]) -> dict:
    is_complaint = (frame["type"] == "complaint") | (frame["kind"] == "complaint")
    total = int(is_complaint.sum())
    outcome = frame["outcome"][is_complaint]
    satisfied = int((outcome == "satisfied").sum())
    unsatisfied = int((outcome == "unsatisfied").sum())
    return {
        "total": total,
        "satisfied": satisfied,
        "satisfied_share": _round(satisfied / total, 4) if total else None,
        "unsatisfied": unsatisfied,
        "unsatisfied_share": _round(unsatisfied / total, 4) if total else None,
        "without_outcome": int(sum(1 for o in outcome if o is None)),
    }


def surveys(frame: dict[str, np.ndarray]) -> dict:
    csat = frame["csat"][np.isfinite(frame["csat"])]
    nps = frame["nps"][np.isfinite(frame["nps"])]
    ces = frame["ces"][np.isfinite(frame["ces"])]
    promoters = int((nps >= 9).sum())
    detractors = int((nps <= 6).sum())
    return {
        "csat": {
            "value": _round((csat >= 4).sum() / csat.size * 100, 1) if csat.size else None,
            "responses": int(csat.size),
            "satisfied": int((csat >= 4).sum()),
            "formula": "CSAT = (число оценок 4 и 5) / (число ответов) × 100",
        },
        "nps": {
            "value": _round((promoters - detractors) / nps.size * 100, 1) if nps.size else None,
            "responses": int(nps.size),
            "promoters": promoters,
            "passives": int(nps.size - promoters - detractors),
            "detractors": detractors,
            "formula": "NPS = промоутеры (9–10), % − критики (0–6), %",
        },
        "ces": {
            "value": _round(ces.mean(), 2) if ces.size else None,
            "responses": int(ces.size),
            "formula": "CES = сумма баллов / число ответов (1 — очень сложно, 5 — очень легко)",
        },
    }


def portrait(frame: dict[str, np.ndarray], names: Names) -> dict:
    ages = frame["age"][np.isfinite(frame["age"])]
    bands = []
    known = len(ages)
    for low, high in AGE_BANDS:
        n = int(((ages >= low) & (ages <= high)).sum())
        bands.append(
            {"band": f"{low}–{high}", "count": n, "share": _round(n / known, 4) if known else None}
        )
    younger, older = int((ages < 18).sum()), int((ages > 90).sum())
    if younger:
        bands.insert(0, {"band": "до 18", "count": younger, "share": _round(younger / known, 4)})
    if older:
        bands.append({"band": "старше 90", "count": older, "share": _round(older / known, 4)})
    genders = frame["gender"][frame["gender"] != None]  # noqa: E711 - elementwise
    statuses = frame["social_status"][frame["social_status"] != None]  # noqa: E711
    return {
        "with_age": known,
        "age": bands,
        "with_gender": int(len(genders)),
        "gender": breakdown(genders, names, "gender"),
        "with_social_status": int(len(statuses)),
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


def _core(frame: dict[str, np.ndarray], now: datetime | None) -> dict:
    times = response_times(frame, now)
    return {
        "total": int(len(frame["received_at"])),
        "response_time": {k: v for k, v in times.items() if k != "deadlines"},
        "complaints": complaints(frame),
        "surveys": surveys(frame),
    }


def _subset(frame: dict[str, np.ndarray], mask: np.ndarray) -> dict[str, np.ndarray]:
    return {k: v[mask] for k, v in frame.items()}


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
    frame = load_frame(store, period, region)
    previous = period.previous()
    with store.engine.connect() as conn:
        previous_total = conn.scalar(
            select(func.count()).select_from(Message).where(_where(previous, region))
        )
    total = len(frame["received_at"])
    times = response_times(frame, now)
    result = {
        "period": period.to_dict(),
        "previous_period": previous.to_dict(),
        "region": region,
        "total": total,
        "previous_total": int(previous_total or 0),
        "change": _round((total - previous_total) / previous_total, 4) if previous_total else None,
        "by_channel": breakdown(frame["channel"], names, "channel"),
        "by_topic": breakdown(frame["topic"], names, "topic"),
        "by_region": breakdown(frame["region"], names, "region"),
        "by_type": breakdown(frame["type"], names, "type"),
        "by_kind": breakdown(frame["kind"], names, "kind"),
        "by_sentiment": breakdown(frame["sentiment"], names, "sentiment"),
        "by_aspect": aspects(store, period, region, names),
        "response_time": times,
        "complaints": complaints(frame),
        "surveys": surveys(frame),
        "portrait": portrait(frame, names),
    }
    if group_by:
        keys = np.array(["" if v is None else str(v) for v in frame[group_by]], dtype=object)
        groups = []
        for key, count in zip(*np.unique(keys, return_counts=True), strict=True):
            block = _core(_subset(frame, keys == key), now)
            groups.append(
                {
                    "id": key or None,
                    "name": names.name(group_by, key or None),
                    "share": round(count / total, 4),
                    **block,
                }
            )
        groups.sort(key=lambda g: (-g["total"], g["name"]))
        result["group_by"] = group_by
        result["group_by_name"] = DIMENSIONS.get(group_by, group_by)
        result["groups"] = groups
    return result
