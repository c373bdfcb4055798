"""Bulk ingest of messages that arrive already classified (e.g. `otklik classify-archive`'s
Parquet parts): no model runs; only the masked text is stored (152-FZ), never a raw `text`.

A row needs `masked_text`, `topic`, `sentiment`, `type` and `urgency` (scores and `aspects`
optional) besides the message fields of `insights.fields` (id, received_at, kind, region, …).
Rows are validated one by one (a bad row is reported and skipped) and written in batches with
one multi-row upsert per table: a message already stored under (source, id) takes the new
classification (a re-scored archive replaces the old scores).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, select, tuple_

from insights.faq_features import QuestionFeatures
from insights.fields import FieldProblem, utcnow, validate
from insights.ingest import META_COLUMNS, RowProblem
from insights.store import Message, MessageAspect, MessageBody, Store

BATCH = 2000
REQUIRED = ("masked_text", "topic", "sentiment", "type", "urgency")
SCORES = ("topic_score", "sentiment_score", "type_score", "urgency_score")
FORMATS = (".parquet", ".csv", ".jsonl")


@dataclass
class BulkResult:
    stored: int = 0
    rejected: list[RowProblem] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"stored": self.stored, "rejected": len(self.rejected),
                "errors": [r.to_dict() for r in self.rejected[:1000]]}  # fmt: skip


def classified_files(path: Path) -> list[Path]:
    """A file, or the Parquet parts of a folder (an archive job's output: its rejects are not
    messages), else the folder's CSV/JSONL files."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise FileNotFoundError(2, "Нет такого файла или каталога", str(path))
    parquet = sorted(path.glob("*.parquet"))
    return parquet or sorted(p for p in path.iterdir() if p.suffix.lower() in FORMATS)


def read_classified(path: Path) -> Iterator[tuple[int, dict | None, str | None]]:
    """(row number, row, error) over one file; Parquet read in record batches."""
    if path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        number = 0
        for batch in pq.ParquetFile(path).iter_batches(batch_size=BATCH):
            for row in batch.to_pylist():
                number += 1
                yield number, row, None
    else:
        from nlp.tables import read_rows

        yield from read_rows(path)


def _aspects(value) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            value = json.loads(text)
        else:
            return [a.strip() for a in text.split(",") if a.strip()]
    return [str(a) for a in value]


def _score(row: dict, name: str) -> float:
    value = row.get(name)
    if value is None or value == "":
        return 1.0
    score = float(value)
    if not 0.0 <= score <= 1.0:
        raise ValueError(f"{name} вне [0, 1]")
    return score


def _columns(row: dict) -> dict:
    """Classification columns of one pre-classified row; ValueError names what is wrong."""
    missing = [name for name in REQUIRED if not str(row.get(name) or "").strip()]
    if missing:
        raise ValueError("нет значения: " + ", ".join(missing))
    return {
        "topic": str(row["topic"]), "sentiment": str(row["sentiment"]),
        "type": str(row["type"]), "urgency": str(row["urgency"]),
        **{name: _score(row, name) for name in SCORES},
    }  # fmt: skip


def _record(row: dict, columns: dict, aspects: list[str]) -> dict:
    """The classification record kept beside the text (what `/v1/messages` shows)."""
    return {
        "topic": {"id": columns["topic"], "name": row.get("topic_name"),
                  "score": columns["topic_score"]},  # fmt: skip
        "sentiment": {"id": columns["sentiment"], "score": columns["sentiment_score"]},
        "type": {"id": columns["type"], "score": columns["type_score"]},
        "aspects": [{"id": a} for a in aspects],
        "urgency": {"level": columns["urgency"], "score": columns["urgency_score"]},
        "language": row.get("language"),
        "places": {"region": {"code": row.get("region_code"), "name": row.get("region")}},
        "pre_classified": True,
    }


def _upsert(store: Store, table, rows: list[dict], keys: list[str], returning=None):
    if store.dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(table)
    update = {c: statement.excluded[c] for c in rows[0] if c not in keys and c != "created_at"}
    statement = statement.on_conflict_do_update(index_elements=keys, set_=update)
    if returning is not None:
        statement = statement.returning(*returning)
    return statement


def _moment(item: tuple[dict, dict, list[str], dict]) -> datetime:
    values = item[0]
    return values.get("published_at") or values["received_at"]


def _write(store: Store, prepared: list[tuple[dict, dict, list[str], dict]]) -> None:
    # Rows are written in time order, so a period's messages share table pages: an archive
    # loaded in random order would otherwise spread each month over most of the table, and
    # every report would read nearly all of it.
    prepared.sort(key=_moment)
    if store.dialect == "postgresql":
        _write_copy(store, prepared)
        return
    rows = [values for values, _, _, _ in prepared]
    with store.session.begin() as session:
        hashes = {(v["source"], v["external_id"]): v["content_hash"] for v in rows}
        stored = session.execute(
            select(Message.pk, Message.source, Message.external_id, Message.content_hash)
            .where(tuple_(Message.source, Message.external_id).in_(list(hashes)))
        ).all()  # fmt: skip
        rewritten = [pk for pk, s, e, h in stored if hashes.get((s, e), h) != h]
        returning = (Message.pk, Message.source, Message.external_id)
        statement = _upsert(store, Message.__table__, rows, ["source", "external_id"], returning)
        pks = {(s, e): pk for pk, s, e in session.execute(statement, rows).all()}
        ordered = [pks[(v["source"], v["external_id"])] for v in rows]
        session.execute(delete(MessageAspect).where(MessageAspect.message_pk.in_(ordered)))
        # a question's FAQ features stay while its text does (a re-scored archive keeps them)
        session.execute(delete(QuestionFeatures).where(QuestionFeatures.message_pk.in_(rewritten)))
        bodies = [
            {"message_pk": pk, "text": None, "masked_text": body["masked_text"],
             "classification": body["classification"]}
            for pk, (_, body, _, _) in zip(ordered, prepared, strict=True)
        ]  # fmt: skip
        session.execute(_upsert(store, MessageBody.__table__, bodies, ["message_pk"]), bodies)
        links = _links(ordered, prepared)
        if links:
            session.execute(MessageAspect.__table__.insert(), links)


def _links(pks: list[int], prepared) -> list[dict]:
    return [
        {"message_pk": pk, "aspect": aspect, "score": scores.get(aspect, 1.0)}
        for pk, (_, _, aspects, scores) in zip(pks, prepared, strict=True)
        for aspect in dict.fromkeys(aspects)
    ]


MESSAGE_COLUMNS = [c.name for c in Message.__table__.columns if c.name != "pk"]
STAGE = "otklik_stage_messages"


def _write_copy(store: Store, prepared: list[tuple[dict, dict, list[str], dict]]) -> None:
    """PostgreSQL: COPY into a temporary stage, one INSERT … ON CONFLICT from it, then COPY
    the texts and aspects (those of updated messages deleted first)."""
    columns = ", ".join(f'"{c}"' for c in MESSAGE_COLUMNS)
    updates = ", ".join(
        f'"{c}" = EXCLUDED."{c}"'
        for c in MESSAGE_COLUMNS if c not in {"source", "external_id", "created_at"}
    )  # fmt: skip
    with store.session.begin() as session:
        raw = session.connection().connection.driver_connection
        with raw.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {STAGE} ON COMMIT DELETE ROWS AS"
                f" SELECT {columns} FROM messages WITH NO DATA"
            )
            with cursor.copy(f"COPY {STAGE} ({columns}) FROM STDIN") as copy:
                for values, _, _, _ in prepared:
                    copy.write_row([values[c] for c in MESSAGE_COLUMNS])
            # a question's FAQ features stay while its text does (a re-scored archive keeps them)
            cursor.execute(
                f"DELETE FROM faq_features f USING messages m, {STAGE} s"
                " WHERE f.message_pk = m.pk AND m.source = s.source"
                " AND m.external_id = s.external_id AND m.content_hash <> s.content_hash"
            )
            cursor.execute(
                f"INSERT INTO messages ({columns}) SELECT {columns} FROM {STAGE}"
                " ORDER BY coalesce(published_at, received_at)"
                f" ON CONFLICT (source, external_id) DO UPDATE SET {updates}"
                " RETURNING pk, source, external_id"
            )
            pks = {(s, e): pk for pk, s, e in cursor.fetchall()}
            ordered = [pks[(v["source"], v["external_id"])] for v, _, _, _ in prepared]
            cursor.execute("DELETE FROM message_aspects WHERE message_pk = ANY(%s)", [ordered])
            cursor.execute("DELETE FROM message_bodies WHERE message_pk = ANY(%s)", [ordered])
            body_columns = "message_pk, masked_text, classification"
            with cursor.copy(f"COPY message_bodies ({body_columns}) FROM STDIN") as copy:
                for pk, (_, body, _, _) in zip(ordered, prepared, strict=True):
                    copy.write_row(
                        [pk, body["masked_text"], json.dumps(body["classification"],
                                                             ensure_ascii=False)]
                    )  # fmt: skip
            with cursor.copy("COPY message_aspects (message_pk, aspect, score) FROM STDIN") as copy:
                for link in _links(ordered, prepared):
                    copy.write_row([link["message_pk"], link["aspect"], link["score"]])


def ingest_classified(
    store: Store,
    rows: Iterable[tuple[int, dict | None, str | None]],
    *,
    source: str = "default",
    model_name: str = "pre-classified",
    model_version: str = "external",
    batch: int = BATCH,
) -> BulkResult:
    result = BulkResult()
    now = utcnow()
    prepared: list[tuple[dict, dict, list[str], dict]] = []
    seen: dict[tuple[str, str], int] = {}

    def flush() -> None:
        if prepared:
            _write(store, prepared)
            result.stored += len(prepared)
            prepared.clear()
            seen.clear()

    for number, row, error in rows:
        if row is None:
            problem = FieldProblem("item", error or "unreadable row", error or "строка не читается")
            result.rejected.append(RowProblem(number, None, [problem]))
            continue
        masked = str(row.get("masked_text") or "")
        fields = {k: v for k, v in row.items() if k not in {"text", "region_code"}}
        fields["text"] = masked  # validation sees (and hashes) the masked text only
        message, problems = validate(fields, source)
        try:
            columns = _columns(row)
            aspects = _aspects(row.get("aspects"))
        except (ValueError, TypeError) as exc:
            problems = [*problems, FieldProblem("classification", str(exc), str(exc))]
        if message is None or problems:
            raw_id = row.get("id")
            result.rejected.append(RowProblem(number, None if raw_id is None else str(raw_id),
                                              problems))  # fmt: skip
            continue
        meta = {name: message.meta.get(name) for name in META_COLUMNS}
        meta["extended"] = bool(meta["extended"])
        meta["official"] = bool(meta.get("official"))
        region_code, region_name = message.region_code, message.region_name
        if meta["region"] is None and row.get("region_code"):
            region_code, region_name = row.get("region_code"), row.get("region")
        values = {
            "source": message.source, "external_id": message.external_id,
            "content_hash": message.content_hash, "received_at": message.received_at or now,
            **meta, "region_code": region_code, "region_name": region_name,
            "city": None, **columns, "model_name": model_name, "model_version": model_version,
            "classified_at": now, "created_at": now, "updated_at": now,
        }  # fmt: skip
        body = {"masked_text": masked, "classification": _record(row, columns, aspects)}
        key = (message.source, message.external_id)
        if key in seen:  # the same message twice in one batch: the later row wins
            prepared[seen[key]] = (values, body, aspects, {})
            continue
        seen[key] = len(prepared)
        prepared.append((values, body, aspects, {}))
        if len(prepared) >= batch:
            flush()
    flush()
    return result
