"""The pain map (seed 000 §3.3): rows service/topic × touchpoint/channel, columns the pains.

A message counts in a cell when it is negative — sentiment «negative», or a complaint by its
classified type or its kind — and carries the cell's aspect (a negative message without an
aspect goes to the column «Боль не определена»). For each cell:

* ``negative``        — how many such messages in the period;
* ``share``           — negative / all messages of the row in the period;
* ``complaint_share`` — the part of them that are complaints;
* ``previous``, ``growth`` — the same count in the previous period of equal length, and
  (negative − previous) / previous; ``growth`` is None for a cell new in this period;
* ``severity``        — mean urgency of the cell's messages: low 1, medium 2, high 3;
* ``priority``        — negative × (1 + complaint_share) × severity × (1 + max(growth, 0)),
  growth of a new cell taken as 1 (+100 %); ``rank`` 1 is the first to reengineer.

All counting runs in SQL (one grouped query per period); quotes (three masked texts per cell,
the most urgent first) come from one windowed query.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import and_, case, func, literal_column, not_, or_, select

from insights.filters import period_clause
from insights.labels import DIMENSIONS, NO_ASPECT, Names
from insights.periods import Period
from insights.store import Message, MessageAspect, MessageBody, Store

FORMULA = "priority = negative × (1 + complaint_share) × severity × (1 + max(growth, 0))"
FORMULA_RU = (
    "приоритет = число негативных × (1 + доля жалоб) × тяжесть × (1 + max(рост, 0)); "
    "тяжесть — средняя срочность (низкая 1, средняя 2, высокая 3), рост — относительно "
    "предыдущего периода той же длины (для новой боли принимается +100 %)"
)
ROW_DIMENSIONS = ("service", "topic", "organization", "region")
COL_DIMENSIONS = ("channel", "touchpoint", "kind", "none")
NEW_CELL_GROWTH = 1.0
QUOTES = 3
QUOTE_CANDIDATES = 8  # the first three distinct texts among them are shown
QUOTE_CHARS = 300


class PainMapError(ValueError):
    def __init__(self, message: str, message_ru: str) -> None:
        super().__init__(message)
        self.message_ru = message_ru


def _column(dimension: str):
    return {
        "service": Message.service,
        "topic": Message.topic,
        "organization": Message.organization,
        "region": Message.region_name,
        "channel": Message.channel,
        "touchpoint": Message.touchpoint,
        "kind": Message.kind,
        "none": literal_column("''"),
    }[dimension]


def _grouping(dims: tuple[str, str], r1, r2) -> list:
    """GROUP BY columns: the constant of «none» left out (PostgreSQL refuses it)."""
    return [r1] if dims[1] == "none" else [r1, r2]


def parse_group_by(value: str | None) -> tuple[str, str] | None:
    """«service,channel» → ("service", "channel"); None means: choose by the data."""
    if value is None or not value.strip():
        return None
    parts = [p.strip().lower() for p in value.replace("×", ",").replace("x", ",").split(",")]
    parts = [p for p in parts if p]
    if len(parts) == 1:
        parts.append("none")
    if len(parts) != 2 or parts[0] not in ROW_DIMENSIONS or parts[1] not in COL_DIMENSIONS:
        raise PainMapError(
            f"group_by must be ROW[,COL] with ROW one of {', '.join(ROW_DIMENSIONS)} and COL one"
            f" of {', '.join(COL_DIMENSIONS)}; got {value!r}",
            f"группировка должна быть СТРОКА[,СТОЛБЕЦ]: СТРОКА из {', '.join(ROW_DIMENSIONS)},"
            f" СТОЛБЕЦ из {', '.join(COL_DIMENSIONS)}; получено «{value}»",
        )
    return parts[0], parts[1]


@dataclass
class Cell:
    row: tuple[str, str]
    aspect: str
    negative: int
    complaints: int
    severity: float
    row_total: int
    previous: int = 0
    quotes: list[str] = field(default_factory=list)
    rank: int | None = None

    @property
    def share(self) -> float:
        return self.negative / self.row_total if self.row_total else 0.0

    @property
    def complaint_share(self) -> float:
        return self.complaints / self.negative if self.negative else 0.0

    @property
    def growth(self) -> float | None:
        if self.previous == 0:
            return None
        return (self.negative - self.previous) / self.previous

    @property
    def priority(self) -> float:
        growth = self.growth if self.growth is not None else NEW_CELL_GROWTH
        return self.negative * (1 + self.complaint_share) * self.severity * (1 + max(growth, 0))


@dataclass
class PainMap:
    period: Period
    previous_period: Period
    group_by: tuple[str, str]
    region: str | None
    total: int
    negative: int
    cells: list[Cell]
    rows: list[dict]
    aspects: list[str]
    names: Names

    def row_name(self, row: tuple[str, str]) -> str:
        return row_label(self.names, self.group_by, row)

    def to_dict(self) -> dict:
        names = self.names
        return {
            "period": self.period.to_dict(),
            "previous_period": self.previous_period.to_dict(),
            "group_by": list(self.group_by),
            "group_by_names": [DIMENSIONS.get(d, d) for d in self.group_by if d != "none"],
            "region": self.region,
            "total_messages": self.total,
            "negative_messages": self.negative,
            "formula": FORMULA,
            "formula_ru": FORMULA_RU,
            "aspects": [{"id": a, "name": names.name("aspect", a)} for a in self.aspects],
            "rows": self.rows,
            "cells": [
                {
                    "row": list(c.row),
                    "row_name": self.row_name(c.row),
                    "aspect": c.aspect,
                    "aspect_name": names.name("aspect", c.aspect),
                    "negative": c.negative,
                    "share": round(c.share, 4),
                    "complaints": c.complaints,
                    "complaint_share": round(c.complaint_share, 4),
                    "previous": c.previous,
                    "growth": None if c.growth is None else round(c.growth, 4),
                    "new": c.previous == 0,
                    "severity": round(c.severity, 3),
                    "priority": round(c.priority, 3),
                    "rank": c.rank,
                    "quotes": c.quotes,
                }
                for c in self.cells
            ],
        }


def _negative():
    return or_(
        Message.sentiment == "negative", Message.type == "complaint", Message.kind == "complaint"
    )


def _where(period: Period, region: str | None):
    return period_clause(period, region)


def _key(value) -> str:
    return "" if value is None else str(value)


def _aspect_join(names: Names | None):
    """Join a message to its aspects, leaving out the pains of the other kind of client
    (an internal one's for an external client's message and the reverse)."""
    on = MessageAspect.message_pk == Message.pk
    if names is None:
        return on
    kinds: dict[str, list[str]] = {"external": [], "internal": []}
    for label in names.taxonomy.aspects:
        if label.client in kinds:
            kinds[label.client].append(label.id)
    clauses = []
    for client, other in (("external", "internal"), ("internal", "external")):
        if kinds[other]:
            clauses.append(
                and_(
                    func.coalesce(Message.client, "") == client,  # NULL would drop every row
                    MessageAspect.aspect.in_(kinds[other]),
                )
            )
    return and_(on, not_(or_(*clauses))) if clauses else on


def _cell_counts(
    store: Store,
    period: Period,
    dims: tuple[str, str],
    region: str | None,
    names: Names | None = None,
):
    r1, r2 = _column(dims[0]), _column(dims[1])
    aspect = func.coalesce(MessageAspect.aspect, NO_ASPECT)
    complaint = case((or_(Message.type == "complaint", Message.kind == "complaint"), 1), else_=0)
    weight = case((Message.urgency == "high", 3.0), (Message.urgency == "medium", 2.0), else_=1.0)
    query = (
        select(
            r1.label("r1"),
            r2.label("r2"),
            aspect.label("aspect"),
            func.count().label("n"),
            func.sum(complaint).label("complaints"),
            func.avg(weight).label("severity"),
        )
        .select_from(Message)
        .outerjoin(MessageAspect, _aspect_join(names))
        .where(_where(period, region), _negative())
        .group_by(*_grouping(dims, r1, r2), aspect)
    )
    with store.engine.connect() as conn:
        return conn.execute(query).all()


def _row_totals(store: Store, period: Period, dims: tuple[str, str], region: str | None):
    r1, r2 = _column(dims[0]), _column(dims[1])
    negative = case((_negative(), 1), else_=0)
    query = (
        select(r1, r2, func.count(), func.sum(negative))
        .where(_where(period, region))
        .group_by(*_grouping(dims, r1, r2))
    )
    with store.engine.connect() as conn:
        return {(_key(a), _key(b)): (int(n), int(k or 0)) for a, b, n, k in conn.execute(query)}


def _current_cells(
    store: Store,
    period: Period,
    dims: tuple[str, str],
    region: str | None,
    names: Names | None,
    quotes: bool,
) -> list[tuple[tuple[str, str, str], int, int, float, list[int]]]:
    """The period's negative (message, aspect) rows, fetched once and aggregated with numpy:
    (cell key, negative, complaints, severity, pks of up to three quotes) per cell.

    Quotes: the most urgent first, then the most negative, then the latest stored."""
    r1, r2 = _column(dims[0]), _column(dims[1])
    aspect = func.coalesce(MessageAspect.aspect, NO_ASPECT)
    complaint = case((or_(Message.type == "complaint", Message.kind == "complaint"), 1), else_=0)
    weight = case((Message.urgency == "high", 3), (Message.urgency == "medium", 2), else_=1)
    query = (
        select(r1, r2, aspect, complaint, weight, Message.sentiment_score, Message.pk)
        .select_from(Message)
        .outerjoin(MessageAspect, _aspect_join(names))
        .where(_where(period, region), _negative())
    )
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    if not rows:
        return []
    n = len(rows)
    codes: dict[tuple[str, str, str], int] = {}
    group = np.fromiter(
        (codes.setdefault((_key(r[0]), _key(r[1]), r[2]), len(codes)) for r in rows), np.int64, n
    )
    complaints = np.fromiter((r[3] for r in rows), np.float64, n)
    urgency = np.fromiter((r[4] for r in rows), np.float64, n)
    k = len(codes)
    counts = np.bincount(group, minlength=k)
    complaint_sums = np.bincount(group, weights=complaints, minlength=k)
    severity = np.bincount(group, weights=urgency, minlength=k) / np.maximum(counts, 1)
    picks: list[list[int]] = [[] for _ in range(k)]
    if quotes:
        score = np.fromiter((r[5] or 0.0 for r in rows), np.float64, n)
        pk = np.fromiter((r[6] for r in rows), np.int64, n)
        order = np.lexsort((-pk, -score, -urgency, group))
        sorted_groups = group[order]
        first = np.ones(n, dtype=bool)
        first[1:] = sorted_groups[1:] != sorted_groups[:-1]
        starts = np.maximum.accumulate(np.where(first, np.arange(n), 0))
        keep = order[(np.arange(n) - starts) < QUOTE_CANDIDATES]
        for i in keep:
            picks[int(group[i])].append(int(pk[i]))
    return [
        (key, int(counts[c]), int(complaint_sums[c]), float(severity[c]), picks[c])
        for key, c in codes.items()
    ]


def _texts(store: Store, pks: list[int]) -> dict[int, str]:
    texts: dict[int, str] = {}
    with store.engine.connect() as conn:
        for start in range(0, len(pks), 500):
            batch = select(MessageBody.message_pk, MessageBody.masked_text).where(
                MessageBody.message_pk.in_(pks[start : start + 500])
            )
            texts.update(dict(conn.execute(batch).all()))
    return texts


def _distinct(quotes: list[str]) -> list[str]:
    out: list[str] = []
    for quote in quotes:
        if quote and quote not in out:
            out.append(quote)
        if len(out) == QUOTES:
            break
    return out


def _quote(text: str | None) -> str:
    text = " ".join((text or "").split())
    if len(text) > QUOTE_CHARS:
        text = text[: QUOTE_CHARS - 1].rstrip() + "…"
    return text


def choose_group_by(store: Store, period: Period, region: str | None) -> tuple[str, str]:
    """service × channel when most messages name a service, else topic × channel."""
    query = select(func.count(), func.count(Message.service)).where(_where(period, region))
    with store.engine.connect() as conn:
        total, with_service = conn.execute(query).one()
    if total and with_service >= total / 2:
        return ("service", "channel")
    return ("topic", "channel")


def build_painmap(
    store: Store,
    period: Period,
    *,
    group_by: tuple[str, str] | None = None,
    region: str | None = None,
    names: Names | None = None,
    quotes: bool = True,
) -> PainMap:
    names = names or Names()
    dims = group_by or choose_group_by(store, period, region)
    previous = period.previous()
    totals = _row_totals(store, period, dims, region)
    current = _current_cells(store, period, dims, region, names, quotes)
    before = {
        (_key(a), _key(b), c): int(n)
        for a, b, c, n, _, _ in _cell_counts(store, previous, dims, region, names)
    }
    texts = _texts(store, [pk for *_, picks in current for pk in picks]) if quotes else {}
    cells: list[Cell] = []
    for key, n, complaints, severity, picks in current:
        row = (key[0], key[1])
        cells.append(
            Cell(
                row=row,
                aspect=key[2],
                negative=n,
                complaints=complaints,
                severity=severity,
                row_total=totals.get(row, (0, 0))[0],
                previous=before.get(key, 0),
                quotes=_distinct([_quote(texts.get(pk)) for pk in picks]),
            )
        )
    cells.sort(key=lambda c: (c.aspect == NO_ASPECT, -c.priority, -c.negative, c.row, c.aspect))
    rank = 0
    for cell in cells:
        if cell.aspect != NO_ASPECT:  # «no pain named» is counted, not ranked
            rank += 1
            cell.rank = rank

    aspect_order = {label.id: i for i, label in enumerate(names.taxonomy.aspects)}
    present = {c.aspect for c in cells}
    aspects = sorted(present, key=lambda a: (aspect_order.get(a, len(aspect_order)), a))
    best: dict[tuple[str, str], Cell] = {}
    for cell in cells:
        if cell.rank is not None:
            best.setdefault(cell.row, cell)
    rows = []
    for row, (total, negative) in sorted(
        totals.items(), key=lambda kv: (best[kv[0]].rank if kv[0] in best else 10**9, kv[0])
    ):
        rows.append(
            {
                "key": list(row),
                "name": row_label(names, dims, row),
                "total": total,
                "negative": negative,
                "top_rank": best[row].rank if row in best else None,
            }
        )
    return PainMap(
        period=period,
        previous_period=previous,
        group_by=dims,
        region=region,
        total=sum(t for t, _ in totals.values()),
        negative=sum(k for _, k in totals.values()),
        cells=cells,
        rows=rows,
        aspects=aspects,
        names=names,
    )


def row_label(names: Names, dims: tuple[str, str], row: tuple[str, str]) -> str:
    first = names.name(dims[0], row[0] or None)
    if dims[1] == "none":
        return first
    return f"{first} · {names.name(dims[1], row[1] or None)}"
