"""FAQ groupings kept in the store, so that a period's grouping is computed once.

The grouping of 20 000 questions is the dearest part of the FAQ and of the monthly report
(seconds on two cores), and over a closed period it answers the same every time. A result is
kept under a fingerprint of everything it depends on: the questions of the period and of the
previous one (how many, their keys, their last change, their stored features), the encoder,
the knowledge base, the grouping's parameters. Any change of those gives another fingerprint,
so a kept result is never served for data it was not computed on; the older results of the
same period and region are deleted when a new one is kept.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime

from sqlalchemy import JSON, DateTime, Integer, String, and_, delete, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from insights import faq
from insights.faq_features import QuestionFeatures, is_question
from insights.fields import utcnow
from insights.filters import period_clause
from insights.periods import Period
from insights.store import Base, Message, Store

FORMAT = 1  # raise when the grouping changes in a way its parameters do not show
log = logging.getLogger("otklik.faq")


class FaqResult(Base):
    __tablename__ = "faq_results"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    period_start: Mapped[datetime] = mapped_column(DateTime)
    period_end: Mapped[datetime] = mapped_column(DateTime)
    region: Mapped[str] = mapped_column(String(200))  # "" for all regions
    questions: Mapped[int] = mapped_column(Integer)
    previous_questions: Mapped[int] = mapped_column(Integer)
    clusters: Mapped[list] = mapped_column(JSON)  # build_faq's cluster dicts, largest first
    created_at: Mapped[datetime] = mapped_column(DateTime)


def question_state(store: Store, period: Period, region: str | None, identity: str) -> list:
    """What the questions of the period and of the previous one look like now (one scan):
    for each (whether it is the current one first), how many, the sum of their keys, their last
    change, how many have features of this encoder and when the last were made."""
    features = and_(
        QuestionFeatures.message_pk == Message.pk, QuestionFeatures.encoder == identity
    )
    both = Period(period.previous().start, period.end)
    current = Message.received_at >= period.start
    query = (
        select(
            current,
            func.count(),
            func.coalesce(func.sum(Message.pk), 0),
            func.max(Message.updated_at),
            func.count(QuestionFeatures.message_pk),
            func.max(QuestionFeatures.created_at),
        )
        .select_from(Message)
        .outerjoin(QuestionFeatures, features)
        .where(period_clause(both, region), is_question())
        .group_by(current)
    )
    with store.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(query)]


def totals(state: list) -> tuple[int, int]:
    """How many questions the period and the previous one have (`question_state`)."""
    counts = {bool(row[0]): int(row[1]) for row in state}
    return counts.get(True, 0), counts.get(False, 0)


def fingerprint(
    state: list, period: Period, region: str | None, identity: str, kb: list | None, limit: int
) -> str:
    """`limit`: how many of a period's latest questions are grouped."""
    parts = {
        "format": FORMAT,
        "limit": limit,
        "params": repr(faq.DEFAULT_PARAMS),
        "encoder": identity,
        "kb": [[e.faq_id, e.question, e.answer] for e in kb or []],
        "period": [period.start.isoformat(), period.end.isoformat()],
        "region": region,
        "questions": sorted([str(value) for value in row] for row in state),
    }
    text = json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load(store: Store, key: str) -> FaqResult | None:
    try:
        with store.session() as session:
            return session.get(FaqResult, key)
    except SQLAlchemyError as exc:  # the grouping is computed instead
        log.warning("faq result not read: %s", type(exc).__name__)
        return None


def save(
    store: Store,
    key: str,
    period: Period,
    region: str | None,
    clusters: list[dict],
    questions: int,
    previous_questions: int,
) -> None:
    """Keep a result; the older ones of the same period and region go."""
    try:
        with store.session() as session, session.begin():
            session.execute(
                delete(FaqResult).where(
                    FaqResult.period_start == period.start,
                    FaqResult.period_end == period.end,
                    FaqResult.region == (region or ""),
                )
            )
            session.add(
                FaqResult(
                    key=key,
                    period_start=period.start,
                    period_end=period.end,
                    region=region or "",
                    questions=questions,
                    previous_questions=previous_questions,
                    clusters=clusters,
                    created_at=utcnow(),
                )
            )
    except SQLAlchemyError as exc:  # a read-only replica, a concurrent twin: the answer stands
        log.warning("faq result not stored: %s", type(exc).__name__)
