"""SQL shared by the aggregations: the period and the region, times as numbers."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, and_, cast, func

from insights.fields import resolve_region
from insights.periods import Period
from insights.store import Message


def region_clause(region: str):
    """A region by code («RU-03»), by a name the gazetteer knows («Бурятия»), or as stored."""
    code, name = resolve_region(region.strip())
    if code is not None:
        return Message.region_code == code
    return Message.region_name == name


def period_clause(period: Period, region: str | None = None):
    clauses = [Message.received_at >= period.start, Message.received_at < period.end]
    if region and region.strip():
        clauses.append(region_clause(region))
    return and_(*clauses)


def period_for(store, start: str | None, end: str | None, region: str | None = None) -> Period:
    """`make_period`, anchored on the latest stored message when `end` is not given."""
    from sqlalchemy import func, select

    from insights.periods import make_period

    latest = None
    if not end:
        query = select(func.max(Message.received_at))
        if region and region.strip():
            query = query.where(region_clause(region))
        with store.engine.connect() as conn:
            latest = conn.scalar(query)
    return make_period(start, end, latest=latest)


def epoch_seconds(column, dialect: str):
    """`column` as whole seconds since 1970 computed by the database (NULL stays NULL):
    numbers reach numpy far faster than datetime objects, and the database can group them.
    None for a database other than PostgreSQL and SQLite."""
    if dialect == "postgresql":
        return cast(func.extract("epoch", column), BigInteger)
    if dialect == "sqlite":
        return cast(func.strftime("%s", column), Integer)
    return None
