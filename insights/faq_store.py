"""FAQ candidates over the store: the period's questions grouped by `insights.faq`.

A question is a message sent with kind «question», or classified as type «question» and not
sent as a complaint. Members are
reported by the sender's ids. The top N overall and per region are ordered by count; a group
that grew by more than 30 % against the previous period of equal length is flagged
``campaign`` (seed 004: an information campaign is planned for it).
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import case, null, select
from sqlalchemy.exc import SQLAlchemyError

from insights import faq, faq_results
from insights.faq_features import (
    Known,
    QuestionFeatures,
    encoder_identity,
    is_question,
    save_known,
    vector_of,
)
from insights.faq_text import content_text
from insights.filters import period_clause
from insights.periods import Period
from insights.store import BINARY_RESULTS, Message, MessageBody, Store
from models.settings import settings

MAX_QUESTIONS = 20_000
log = logging.getLogger("otklik.faq")


def load_kb(path: Path | str | None = None) -> list | None:
    """A knowledge base (JSONL: faq_id, faq_question) from `path` or ``OTKLIK_FAQ_KB``."""
    path = path or settings().faq_kb
    if not path:
        return None
    return faq.read_kb(path)


def _questions(store: Store, period: Period, region: str | None, identity: str):
    stored = QuestionFeatures.encoder == identity
    query = (
        select(
            Message.pk,
            Message.source,
            Message.external_id,
            case((stored, null()), else_=MessageBody.masked_text).label("masked_text"),
            Message.region_name,
            QuestionFeatures.encoder,
            QuestionFeatures.content,
            QuestionFeatures.vector,
            QuestionFeatures.lemmas,
            QuestionFeatures.chars,
        )  # fmt: skip
        .join(MessageBody, MessageBody.message_pk == Message.pk)
        .outerjoin(QuestionFeatures, QuestionFeatures.message_pk == Message.pk)
        .where(period_clause(period, region), is_question())
        .order_by(Message.received_at.desc())
        .limit(MAX_QUESTIONS)
        .execution_options(**{BINARY_RESULTS: True})
    )
    with store.engine.connect() as conn:
        return conn.execute(query).all()


def _features(
    encoder, identity: str, rows
) -> tuple[Known, dict[int, str], list[tuple[int, str]]]:
    """The stored features of `rows` (made by the encoder `identity` names) by content text,
    each row's content text, and the rows that have no features yet (message pk, content
    text)."""
    known = Known(encoder)
    contents: dict[int, str] = {}
    missing = []
    for row in rows:
        if row.encoder == identity:
            contents[row.pk] = row.content
            known.add(row.content, vector_of(row.vector), row.lemmas, row.chars)
        else:
            contents[row.pk] = content_text(row.masked_text)
            missing.append((row.pk, contents[row.pk]))
    return known, contents, missing


def _keep(store: Store, encoder, known: Known, missing: list[tuple[int, str]]) -> None:
    """Store the features the grouping computed, so the next FAQ reads them."""
    try:
        save_known(store, encoder, known, missing)
    except SQLAlchemyError as exc:  # a read-only replica, say: the answer stands without it
        log.warning("faq features not stored: %s", type(exc).__name__)


def build_faq(
    store: Store,
    encoder,
    period: Period,
    *,
    region: str | None = None,
    top: int = 10,
    kb: list | None = None,
) -> dict:
    """The FAQ candidates of `period`: the grouping kept in the store (`insights.faq_results`)
    when the questions, the encoder and the knowledge base are those it was computed on, else
    computed now (and kept)."""
    identity = encoder_identity(encoder)
    state = faq_results.question_state(store, period, region, identity)
    key = faq_results.fingerprint(state, period, region, identity, kb, MAX_QUESTIONS)
    totals = faq_results.totals(state)
    kept = faq_results.load(store, key)
    if kept is not None:
        return _answer(
            period, region, top, kept.clusters, (kept.questions, kept.previous_questions), totals
        )
    clusters, questions, previous, changed = _group(store, encoder, identity, period, region, kb)
    if not changed:  # features computed just now change the fingerprint: kept next time
        faq_results.save(store, key, period, region, clusters, questions, previous)
    return _answer(period, region, top, clusters, (questions, previous), totals)


def _group(
    store: Store, encoder, identity: str, period: Period, region: str | None, kb: list | None
) -> tuple[list[dict], int, int, bool]:
    """(cluster dicts largest first, questions, previous questions, whether features were
    computed and stored)."""
    with ThreadPoolExecutor(max_workers=2) as pool:  # the database works while we read
        previous_rows = pool.submit(_questions, store, period.previous(), region, identity)
        current = _questions(store, period, region, identity)
        previous = previous_rows.result()
    known, contents, missing = _features(encoder, identity, [*current, *previous])
    sources = {row.source for row in current}
    names = {
        str(row.pk): row.external_id if len(sources) <= 1 else f"{row.source}:{row.external_id}"
        for row in current
    }
    questions, before = _as_questions(current, contents), _as_questions(previous, contents)
    clusters = []
    if questions:
        clusters = faq.group_questions(
            questions, encoder=encoder, kb=kb, previous=before if before else None, features=known
        )
        if missing:
            _keep(store, encoder, known, missing)
    out = []
    for cluster in sorted(clusters, key=lambda c: -c.count):
        data = cluster.to_dict()
        data["members"] = [names.get(str(m), str(m)) for m in data.get("members", [])]
        out.append(data)
    return out, len(questions), len(before), bool(missing and questions)


def _as_questions(rows, contents: dict[int, str]) -> list[faq.FaqQuestion]:
    return [
        faq.FaqQuestion(str(r.pk), r.masked_text or "", r.region_name, content=contents[r.pk])
        for r in rows
    ]


def _answer(
    period: Period,
    region: str | None,
    top: int,
    out: list[dict],
    grouped: tuple[int, int],
    totals: tuple[int, int],
) -> dict:
    """`grouped`: how many questions of the period and of the previous one were grouped (the
    latest MAX_QUESTIONS of each); `totals`: how many each has."""
    by_region: dict[str, list[dict]] = {}
    for data in out:
        for name, count in (data.get("regions") or {}).items():
            by_region.setdefault(name, []).append(
                {"id": data["id"], "representative": data["representative"], "count": count}
            )
    for name in by_region:
        by_region[name] = sorted(by_region[name], key=lambda d: -d["count"])[:top]
    return {
        "period": period.to_dict(),
        "previous_period": period.previous().to_dict(),
        "region": region,
        "questions": grouped[0],
        "previous_questions": grouped[1],
        "questions_total": totals[0],
        "previous_questions_total": totals[1],
        "questions_limit": MAX_QUESTIONS,
        "top": out[:top],
        "by_region": dict(
            sorted(by_region.items(), key=lambda kv: -sum(d["count"] for d in kv[1]))
        ),
        "campaign": [d for d in out if d.get("campaign")],
        "clusters": out,
    }
