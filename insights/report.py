"""The periodic справка of seed 004: what goes in it (`build_report` → `Report`).
Rendering to HTML and XLSX, in Russian: insights/report_render.py.

Statistical part: counts and shares by channel, topic, region, type; response times and
deadlines; complaints; CSAT / NPS / CES; the social portrait; weekly dynamics.
Analytical part: conclusions, the top pains (pain map), the 10 most asked questions (FAQ
grouping), what grew by more than 30 %, new topics and question groups, and the comparison
with the previous period of equal length.
"""

from __future__ import annotations

import logging
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from sqlalchemy import func, select

from insights.deadlines import DeadlinePolicy, load_policy
from insights.faq_store import build_faq
from insights.fields import utcnow
from insights.filters import epoch_seconds, period_clause
from insights.gc_pause import paused_gc
from insights.labels import Names
from insights.metrics import build_metrics
from insights.painmap import PainMap, build_painmap
from insights.periods import Period
from insights.press_report import answer_times
from insights.spikes import spikes_between
from insights.store import Message, Store

log = logging.getLogger("otklik.report")

GROWTH_FLAG = 0.30
GROWTH_MIN_COUNT = 10  # 3 → 5 messages is +67 % and noise: a topic is flagged from 10 on
TOP_PAINS = 10
TOP_QUESTIONS = 10


@dataclass
class Report:
    period: Period
    region: str | None
    generated_at: datetime
    current: dict
    before: dict
    painmap: PainMap
    topics: list[dict]
    weekly: tuple[list[str], list[int], list[int]]
    model_versions: list[str]
    faq: dict | None = None
    faq_error: str | None = None
    names: Names = field(default_factory=Names)
    press: list[dict] = field(default_factory=list)  # answer times vs deadlines, by channel
    spikes: list[dict] = field(default_factory=list)
    charts: dict[str, bytes] | None = None  # PNG by name (report_render.figures), once drawn

    @property
    def previous(self) -> Period:
        return self.period.previous()

    def growing_topics(self) -> list[dict]:
        return [
            t
            for t in self.topics
            if t["growth"] is not None
            and t["growth"] > GROWTH_FLAG
            and t["count"] >= GROWTH_MIN_COUNT
        ]

    def new_topics(self) -> list[dict]:
        return [t for t in self.topics if t["count"] > 0 and t["previous"] == 0]

    def top_pains(self) -> list:
        return [c for c in self.painmap.cells if c.rank is not None][:TOP_PAINS]

    def campaign_questions(self) -> list[dict]:
        return list(self.faq.get("campaign", [])) if self.faq else []

    def new_questions(self) -> list[dict]:
        if not self.faq or not self.faq.get("previous_questions"):
            return []
        return [
            c
            for c in self.faq.get("clusters", [])
            if c.get("growth") is None or c.get("growth") == float("inf")
        ][:TOP_QUESTIONS]


def _compare(current: list[dict], before: list[dict]) -> list[dict]:
    previous = {item["id"]: item["count"] for item in before}
    names = {item["id"]: item["name"] for item in before}
    rows = []
    for item in current:
        prev = previous.pop(item["id"], 0)
        rows.append(
            {
                "id": item["id"],
                "name": item["name"],
                "count": item["count"],
                "share": item["share"],
                "previous": prev,
                "growth": (item["count"] - prev) / prev if prev else None,
            }
        )
    for key, prev in previous.items():
        rows.append(
            {
                "id": key,
                "name": names[key],
                "count": 0,
                "share": 0.0,
                "previous": prev,
                "growth": -1.0,
            }  # fmt: skip
        )
    return rows


def _weekly(store: Store, period: Period, region: str | None) -> tuple[list[str], list, list]:
    """Messages by week of the period and of the previous one (a last partial week counts
    with the week before it); the database counts them."""
    weeks = max(1, int(np.ceil(period.days / 7)))
    week_s = 7 * 86400
    counts = []
    for p in (period, period.previous()):
        received = epoch_seconds(Message.received_at, store.dialect)
        if received is None:  # another database: the times come here
            week = select(Message.received_at).where(period_clause(p, region))
            with store.engine.connect() as conn:
                offsets = [(t - p.start).total_seconds() // week_s for t in conn.scalars(week)]
            by_week = Counter(int(o) for o in offsets).items()
        else:
            start = int((p.start - datetime(1970, 1, 1)).total_seconds())
            week = ((received - start) // week_s).label("week")
            with store.engine.connect() as conn:
                by_week = conn.execute(
                    select(week, func.count()).where(period_clause(p, region)).group_by(week)
                ).all()
        bins = np.zeros(weeks, dtype=np.int64)
        for index, n in by_week:
            bins[min(max(int(index), 0), weeks - 1)] += n
        counts.append(bins.tolist())
    labels = [f"{i + 1}" for i in range(weeks)]
    return labels, counts[0], counts[1]


def build_report(
    store: Store,
    period: Period,
    *,
    encoder=None,
    region: str | None = None,
    names: Names | None = None,
    kb: list | None = None,
    policy: DeadlinePolicy | None = None,
) -> Report:
    names = names or Names()
    # The parts are independent: they run side by side (the database and numpy release the
    # GIL), the FAQ grouping, the longest, first.
    with paused_gc(), ThreadPoolExecutor(max_workers=4) as pool:
        faq = pool.submit(_faq, store, encoder, period, region, kb)
        current = pool.submit(build_metrics, store, period, region=region, names=names)
        before = pool.submit(build_metrics, store, period.previous(), region=region, names=names)
        painmap = pool.submit(build_painmap, store, period, region=region, names=names)
        weekly = pool.submit(_weekly, store, period, region)
        versions = pool.submit(_model_versions, store, period, region)
        press = pool.submit(
            answer_times, store, policy or load_policy(), period.start, period.end, utcnow()
        )
        spikes = pool.submit(spikes_between, store, period.start, min(period.end, utcnow()))
        report = Report(
            period=period,
            region=region,
            generated_at=datetime.now().replace(microsecond=0),
            current=current.result(),
            before=before.result(),
            painmap=painmap.result(),
            topics=_compare(current.result()["by_topic"], before.result()["by_topic"]),
            weekly=weekly.result(),
            model_versions=versions.result(),
            names=names,
            press=press.result(),
            spikes=spikes.result(),
        )
        report.faq, report.faq_error = faq.result()
    return report


def _model_versions(store: Store, period: Period, region: str | None) -> list[str]:
    with store.engine.connect() as conn:
        return [
            v
            for (v,) in conn.execute(
                select(Message.model_version)
                .where(period_clause(period, region))
                .group_by(Message.model_version)
                .order_by(func.count().desc())
            )
        ]


def _faq(store: Store, encoder, period: Period, region: str | None, kb) -> tuple:
    """(the FAQ section, or None and why not)."""
    if encoder is None:
        return None, "группировка вопросов не выполнялась (модель не загружена)"
    try:
        return build_faq(store, encoder, period, region=region, top=TOP_QUESTIONS, kb=kb), None
    except Exception as exc:  # the report goes out without this section
        log.exception("faq grouping failed")
        return None, f"группировка вопросов не удалась ({type(exc).__name__})"
