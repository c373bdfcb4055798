"""Ingest: validate, classify with the active model, store — idempotent by (source, id).

The valid rows of one batch are written in one transaction, committed before the caller
acknowledges them. An invalid row is reported by its position and field and does not sink the
others. Sending the same batch again changes nothing (status ``unchanged``); a row whose text
changed is classified again, one whose metadata changed is updated (status ``updated``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, insert, select, tuple_, update
from sqlalchemy.exc import IntegrityError

from insights.faq_features import QuestionFeatures, prepare_keys
from insights.fields import FieldProblem, ValidMessage, utcnow, validate
from insights.store import Message, MessageAspect, MessageBody, Store, store_raw_text

log = logging.getLogger("otklik.ingest")

CLASSIFY_CHUNK = 64
CACHE_LIMIT = 20_000
LOOKUP_CHUNK = 400
META_COLUMNS = (
    "kind", "channel", "answered_at", "extended", "region", "organization", "service",
    "touchpoint", "outcome", "client", "csat", "nps", "ces", "age", "gender", "social_status",
    "url", "parent_url", "author_hash", "author_masked", "published_at", "reach", "official",
)  # fmt: skip


@dataclass
class RowProblem:
    index: int
    id: str | None
    problems: list[FieldProblem]

    def to_dict(self) -> dict:
        return {
            "index": self.index,
            "id": self.id,
            "errors": [p.to_dict() for p in self.problems],
        }


@dataclass
class ItemStatus:
    index: int
    source: str
    id: str
    status: str  # created | updated | unchanged | duplicate_in_batch | duplicate_url

    def to_dict(self) -> dict:
        return {"index": self.index, "source": self.source, "id": self.id, "status": self.status}


@dataclass
class IngestResult:
    items: list[ItemStatus] = field(default_factory=list)
    rejected: list[RowProblem] = field(default_factory=list)
    model_version: str | None = None

    def count(self, status: str) -> int:
        return sum(1 for item in self.items if item.status == status)

    @property
    def stored(self) -> int:
        return sum(1 for i in self.items if i.status in {"created", "updated", "unchanged"})

    def to_dict(self) -> dict:
        return {
            "stored": self.stored,
            "created": self.count("created"),
            "updated": self.count("updated"),
            "unchanged": self.count("unchanged"),
            "duplicates_in_batch": self.count("duplicate_in_batch"),
            "duplicates_by_url": self.count("duplicate_url"),
            "rejected": len(self.rejected),
            "model_version": self.model_version,
            "items": [i.to_dict() for i in self.items],
            "errors": [r.to_dict() for r in self.rejected],
        }

    def merge(self, other: IngestResult) -> None:
        self.items.extend(other.items)
        self.rejected.extend(other.rejected)
        self.model_version = other.model_version or self.model_version


def classification_columns(record: dict) -> dict:
    """Columns of the messages table filled from one `Classification.to_dict()`."""
    places = record.get("places") or {}
    region = places.get("region") or {}
    stored = {k: v for k, v in record.items() if k != "masked_text"}
    return {
        "_masked_text": record["masked_text"],
        "_classification": stored,
        "topic": record["topic"]["id"],
        "topic_score": float(record["topic"]["score"]),
        "sentiment": record["sentiment"]["id"],
        "sentiment_score": float(record["sentiment"]["score"]),
        "type": record["type"]["id"],
        "type_score": float(record["type"]["score"]),
        "urgency": record["urgency"]["level"],
        "urgency_score": float(record["urgency"]["score"]),
        "_detected_region": (region.get("code"), region.get("name")),
        "_city": places.get("city_or_district"),
        "_aspects": [(a["id"], float(a["score"])) for a in record.get("aspects", [])],
    }


def classify_texts(
    classifier,
    texts: Sequence[str],
    progress: Callable[[int], None] | None = None,
    cache: dict[str, dict] | None = None,
) -> list[dict]:
    """Columns for each text; identical texts (mass appeals, copies) are classified once.

    `cache` (text → columns) carries the results over batches of one file; it is cleared
    when it grows past CACHE_LIMIT entries."""
    cache = {} if cache is None else cache
    if len(cache) > CACHE_LIMIT:
        cache.clear()
    todo = [t for t in dict.fromkeys(texts) if t not in cache]
    done = len(texts) - len(todo)
    for start in range(0, len(todo), CLASSIFY_CHUNK):
        chunk = todo[start : start + CLASSIFY_CHUNK]
        for text, result in zip(chunk, classifier.classify(chunk), strict=True):
            cache[text] = classification_columns(result.to_dict())
        if progress is not None:
            progress(len(chunk))
    if progress is not None and done:
        progress(done)
    return [cache[t] for t in texts]


def _meta_values(message: ValidMessage) -> dict:
    values = {name: message.meta.get(name) for name in META_COLUMNS}
    values["extended"] = bool(values["extended"])
    values["official"] = bool(values["official"])
    values["region_code"] = message.region_code
    values["region_name"] = message.region_name
    return values


def _row_values(message: ValidMessage, columns: dict, classifier, now) -> dict:
    values = {
        "source": message.source,
        "external_id": message.external_id,
        "content_hash": message.content_hash,
        "received_at": message.received_at or now,
        **_meta_values(message),
        **{k: v for k, v in columns.items() if not k.startswith("_")},
        "model_name": classifier.name,
        "model_version": classifier.version,
        "classified_at": now,
        "updated_at": now,
    }
    if values["region"] is None:  # no region given: the one the text names
        values["region_code"], values["region_name"] = columns["_detected_region"]
    values["city"] = columns["_city"]
    return values


def _body(pk: int, message_text: str | None, columns: dict) -> dict:
    return {
        "message_pk": pk,
        "text": message_text if store_raw_text() else None,
        "masked_text": columns["_masked_text"],
        "classification": columns["_classification"],
    }


def ingest_batch(
    store: Store,
    classifier,
    rows: Sequence[dict],
    *,
    source: str = "default",
    positions: Sequence[int] | None = None,
    progress: Callable[[int], None] | None = None,
    cache: dict[str, dict] | None = None,
) -> IngestResult:
    """Validate, classify and store one batch in one transaction.

    `cache`: text → classification shared by the batches of one file (see classify_texts)."""
    positions = list(positions) if positions is not None else list(range(len(rows)))
    result = IngestResult(model_version=classifier.version)
    valid: list[tuple[int, ValidMessage]] = []
    seen: set[tuple[str, str]] = set()
    seen_urls: set[str] = set()
    duplicates: list[ItemStatus] = []
    for position, row in zip(positions, rows, strict=True):
        if not isinstance(row, dict):
            problem = FieldProblem("item", "item must be a JSON object", "строка не объект")
            result.rejected.append(RowProblem(position, None, [problem]))
            continue
        message, problems = validate(row, source)
        if message is None:
            raw_id = row.get("id")
            result.rejected.append(
                RowProblem(position, None if raw_id is None else str(raw_id), problems)
            )
            continue
        key = (message.source, message.external_id)
        url = message.meta.get("url")
        if key in seen or (url is not None and url in seen_urls):
            duplicates.append(
                ItemStatus(position, message.source, message.external_id, "duplicate_in_batch")
            )
            continue
        seen.add(key)
        if url is not None:
            seen_urls.add(url)
        valid.append((position, message))
    if not valid:
        result.items.extend(duplicates)
        return result

    classified: dict[tuple[str, str], dict] = {}
    for attempt in range(3):
        try:
            statuses = _store_valid(store, classifier, valid, classified, progress, cache)
            break
        except IntegrityError:  # a concurrent writer stored one of these keys first
            if attempt == 2:
                raise
            log.warning("ingest conflict with a concurrent writer; retrying")
            time.sleep(0.05 * (attempt + 1))
    result.items.extend(statuses)
    result.items.extend(duplicates)
    result.items.sort(key=lambda item: item.index)
    _prepare_faq(store, classifier, statuses)
    return result


def _prepare_faq(store: Store, classifier, statuses: list[ItemStatus]) -> None:
    """The FAQ features of the questions just stored (a failure leaves them to the FAQ)."""
    fresh = [(s.source, s.id) for s in statuses if s.status in ("created", "updated")]
    encoder = getattr(classifier, "encoder", None)
    if not fresh or encoder is None:
        return
    try:
        prepare_keys(store, encoder, fresh)
    except Exception as exc:  # the messages are stored; the FAQ computes what is missing
        log.warning("faq features not prepared: %s", type(exc).__name__)


def _existing(session, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Message]:
    found: dict[tuple[str, str], Message] = {}
    for start in range(0, len(keys), LOOKUP_CHUNK):
        chunk = keys[start : start + LOOKUP_CHUNK]
        by_source: dict[str, list[str]] = {}
        for src, ext in chunk:
            by_source.setdefault(src, []).append(ext)
        for src, ids in by_source.items():
            query = select(Message).where(Message.source == src, Message.external_id.in_(ids))
            for message in session.scalars(query):
                found[(message.source, message.external_id)] = message
    return found


def _url_owners(session, urls: list[str]) -> dict[str, tuple[str, str]]:
    owners: dict[str, tuple[str, str]] = {}
    for start in range(0, len(urls), LOOKUP_CHUNK):
        query = select(Message.url, Message.source, Message.external_id).where(
            Message.url.in_(urls[start : start + LOOKUP_CHUNK])
        )
        for url, src, ext in session.execute(query):
            owners[url] = (src, ext)
    return owners


def _split_url_duplicates(
    session, valid: list[tuple[int, ValidMessage]]
) -> tuple[list[tuple[int, ValidMessage]], list[ItemStatus]]:
    """Items whose URL another stored item (another source or id) already has: one item."""
    urls = [m.meta["url"] for _, m in valid if m.meta.get("url")]
    owners = _url_owners(session, urls) if urls else {}
    keep, duplicates = [], []
    for position, message in valid:
        owner = owners.get(message.meta.get("url") or "")
        if owner is not None and owner != (message.source, message.external_id):
            duplicates.append(
                ItemStatus(position, message.source, message.external_id, "duplicate_url")
            )
        else:
            keep.append((position, message))
    return keep, duplicates


def _store_valid(
    store: Store,
    classifier,
    valid: list[tuple[int, ValidMessage]],
    classified: dict[tuple[str, str], dict],
    progress: Callable[[int], None] | None,
    cache: dict[str, dict] | None = None,
) -> list[ItemStatus]:
    with store.session() as session:
        valid, _ = _split_url_duplicates(session, valid)
    keys = [(m.source, m.external_id) for _, m in valid]
    with store.session() as session:
        existing = _existing(session, keys)  # closed: no transaction open while the model runs
    to_classify = [
        m
        for _, m in valid
        if (m.source, m.external_id) not in classified
        and (
            (m.source, m.external_id) not in existing
            or existing[(m.source, m.external_id)].content_hash != m.content_hash
        )
    ]
    if progress is not None:
        skipped = len(valid) - len(to_classify) - sum(1 for k in keys if k in classified)
        if skipped:
            progress(skipped)
    records = classify_texts(classifier, [m.text for m in to_classify], progress, cache)
    for message, record in zip(to_classify, records, strict=True):
        classified[(message.source, message.external_id)] = record

    now = utcnow()
    with store.session.begin() as session:
        valid, statuses = _split_url_duplicates(session, valid)
        keys = [(m.source, m.external_id) for _, m in valid]
        existing = _existing(session, keys)
        new_rows: list[dict] = []
        new_aspects: list[tuple[tuple[str, str], list]] = []
        new_bodies: list[tuple[tuple[str, str], str, dict]] = []
        for position, message in valid:
            key = (message.source, message.external_id)
            old = existing.get(key)
            if old is None:
                columns = classified[key]
                new_rows.append(_row_values(message, columns, classifier, now))
                new_aspects.append((key, columns["_aspects"]))
                new_bodies.append((key, message.text, columns))
                statuses.append(ItemStatus(position, *key, "created"))
                continue
            if old.content_hash != message.content_hash:
                columns = classified[key]
                values = _row_values(message, columns, classifier, now)
                if message.received_at is None:
                    values["received_at"] = old.received_at
                session.execute(update(Message).where(Message.pk == old.pk).values(**values))
                session.execute(delete(MessageBody).where(MessageBody.message_pk == old.pk))
                session.execute(insert(MessageBody), [_body(old.pk, message.text, columns)])
                session.execute(delete(MessageAspect).where(MessageAspect.message_pk == old.pk))
                session.execute(
                    delete(QuestionFeatures).where(QuestionFeatures.message_pk == old.pk)
                )
                _insert_aspects(session, [(old.pk, columns["_aspects"])])
                statuses.append(ItemStatus(position, *key, "updated"))
                continue
            values = _meta_values(message)
            if message.received_at is not None:
                values["received_at"] = message.received_at
            if values["region"] is None:  # keep the region found in the text
                values.pop("region_code")
                values.pop("region_name")
            changed = {k: v for k, v in values.items() if getattr(old, k) != v}
            if changed:
                changed["updated_at"] = now
                session.execute(update(Message).where(Message.pk == old.pk).values(**changed))
                statuses.append(ItemStatus(position, *key, "updated"))
            else:
                statuses.append(ItemStatus(position, *key, "unchanged"))
        if new_rows:
            for row in new_rows:
                row["created_at"] = now
            session.execute(insert(Message), new_rows)
            pks = _pks(session, [k for k, _ in new_aspects])
            session.execute(
                insert(MessageBody), [_body(pks[k], text, cols) for k, text, cols in new_bodies]
            )
            _insert_aspects(session, [(pks[k], aspects) for k, aspects in new_aspects])
    return statuses


def _pks(session, keys: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    out: dict[tuple[str, str], int] = {}
    for start in range(0, len(keys), LOOKUP_CHUNK):
        chunk = keys[start : start + LOOKUP_CHUNK]
        query = select(Message.source, Message.external_id, Message.pk).where(
            tuple_(Message.source, Message.external_id).in_(chunk)
        )
        for src, ext, pk in session.execute(query):
            out[(src, ext)] = pk
    return out


def _insert_aspects(session, items: Iterable[tuple[int, list[tuple[str, float]]]]) -> None:
    rows = [
        {"message_pk": pk, "aspect": aspect, "score": score}
        for pk, aspects in items
        for aspect, score in aspects
    ]
    if rows:
        session.execute(insert(MessageAspect), rows)


def reclassify(
    store: Store,
    classifier,
    *,
    everything: bool = False,
    batch: int = 256,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Classify again the messages stored by another model (or all); returns how many.

    The raw text is used where it is stored, the masked text otherwise.
    """

    def stale():
        query = select(Message.pk)
        if not everything:
            query = query.where(
                (Message.model_version != classifier.version)
                | (Message.model_name != classifier.name)
            )
        return query.order_by(Message.pk)

    with store.session() as session:
        pks = list(session.scalars(stale()))
    done = 0
    for start in range(0, len(pks), batch):
        chunk = pks[start : start + batch]
        with store.session() as session:
            rows = session.execute(
                select(Message.pk, MessageBody.text, MessageBody.masked_text, Message.region)
                .join(MessageBody, MessageBody.message_pk == Message.pk)
                .where(Message.pk.in_(chunk))
            ).all()
        texts = [text if text else masked for _, text, masked, _ in rows]
        records = classify_texts(classifier, texts, progress)
        now = utcnow()
        with store.session.begin() as session:
            for (pk, raw, masked, region), columns in zip(rows, records, strict=True):
                values = {k: v for k, v in columns.items() if not k.startswith("_")}
                body = {"classification": columns["_classification"]}
                if raw is not None:  # else the masked text stays the one made from the raw
                    body["masked_text"] = columns["_masked_text"]
                    if body["masked_text"] != masked:  # its FAQ features were of the old one
                        session.execute(
                            delete(QuestionFeatures).where(QuestionFeatures.message_pk == pk)
                        )
                session.execute(
                    update(MessageBody).where(MessageBody.message_pk == pk).values(**body)
                )
                if region is None:
                    values["region_code"], values["region_name"] = columns["_detected_region"]
                    values["city"] = columns["_city"]
                values.update(
                    model_name=classifier.name,
                    model_version=classifier.version,
                    classified_at=now,
                    updated_at=now,
                )
                session.execute(update(Message).where(Message.pk == pk).values(**values))
                session.execute(delete(MessageAspect).where(MessageAspect.message_pk == pk))
                _insert_aspects(session, [(pk, columns["_aspects"])])
        done += len(rows)
    return done
