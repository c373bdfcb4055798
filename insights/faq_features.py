"""The FAQ's per-question features kept in the store: the content text of each stored
question (`insights.faq_text.content_text` of the masked text), its e5 vector, its lemma string
and its character n-gram counts (`insights.faq_char`).

Computing them is what makes the FAQ slow on a large store (the encoder reads every distinct
question of the period and the one before; the lemmatizer and the n-gram cutter too), so they
are computed once: when a question arrives (`prepare_keys`, called by the ingest), in bulk
after a load of pre-classified messages (`prepare`, ``otklik faq-prepare``), or, for whatever
is still missing, by the FAQ itself, which then stores them. A row is tied to its message
(deleted with it) and to the encoder that made it: another encoder's rows count as missing and
are overwritten.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import scipy.sparse as sp
from sqlalchemy import (
    DateTime,
    ForeignKey,
    LargeBinary,
    String,
    Text,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    true,
    tuple_,
)
from sqlalchemy.orm import Mapped, mapped_column

from insights import faq_char
from insights.faq import encode_normalized, lemma_string
from insights.faq_text import content_text
from insights.fields import utcnow
from insights.store import Base, Message, MessageBody, Store

BATCH = 256  # questions encoded and written per step


class QuestionFeatures(Base):
    __tablename__ = "faq_features"

    message_pk: Mapped[int] = mapped_column(
        ForeignKey("messages.pk", ondelete="CASCADE"), primary_key=True
    )
    encoder: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)  # insights.faq_text.content_text(masked_text)
    vector: Mapped[bytes] = mapped_column(LargeBinary)  # float32, L2-normalised
    lemmas: Mapped[str] = mapped_column(Text)
    chars: Mapped[bytes] = mapped_column(LargeBinary)  # insights.faq_char.to_bytes
    created_at: Mapped[datetime] = mapped_column(DateTime)


def is_question():
    """A message sent as a question, or classified as one and not sent as a complaint."""
    return or_(
        Message.kind == "question",
        and_(Message.type == "question", func.coalesce(Message.kind, "") != "complaint"),
    )


def encoder_identity(encoder) -> str:
    """What decides a vector: the model, its precision, how much of a text it reads."""
    name = str(getattr(encoder, "name", type(encoder).__name__))
    length = getattr(encoder, "max_length", "")
    chunks = getattr(encoder, "max_chunks", "")
    return f"{name}|{length}|{chunks}"[:200]


@dataclass
class Known:
    """Features at hand, by content text; what is missing is computed (and kept here)."""

    encoder: object
    vectors: dict[str, np.ndarray] = field(default_factory=dict)
    lemmas: dict[str, str] = field(default_factory=dict)
    chars: dict[str, bytes] = field(default_factory=dict)  # faq_char.to_bytes rows

    def add(self, content: str, vector: np.ndarray, lemmas: str, chars: bytes) -> None:
        self.vectors[content], self.lemmas[content], self.chars[content] = vector, lemmas, chars

    def has(self, content: str) -> bool:
        return content in self.vectors and content in self.lemmas and content in self.chars

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        missing = list(dict.fromkeys(t for t in texts if t not in self.vectors))
        if missing:
            self.vectors.update(zip(missing, encode_normalized(self.encoder, missing), strict=True))
        dim = int(getattr(self.encoder, "dim", 1))
        if not texts:
            return np.zeros((0, dim), dtype=np.float32)
        return np.stack([self.vectors[t] for t in texts]).astype(np.float32, copy=False)

    def lemma_string(self, text: str) -> str:
        found = self.lemmas.get(text)
        if found is None:
            found = self.lemmas[text] = lemma_string(text)
        return found

    def char_counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        texts = list(texts)
        missing = list(dict.fromkeys(t for t in texts if t not in self.chars))
        if missing:
            rows = faq_char.counts(missing)
            self.chars.update((t, faq_char.to_bytes(rows[i])) for i, t in enumerate(missing))
        return faq_char.stack([self.chars[t] for t in texts])


def _write(store: Store, encoder, rows: list[tuple[int, str, np.ndarray, str, bytes]]) -> None:
    """(message pk, content text, vector, lemma string, char n-gram row) rows."""
    identity, now = encoder_identity(encoder), utcnow()
    values = [
        {"message_pk": pk, "encoder": identity, "content": content,
         "vector": np.asarray(vector, np.float32).tobytes(), "lemmas": lemmas, "chars": chars,
         "created_at": now}
        for pk, content, vector, lemmas, chars in rows
    ]  # fmt: skip
    pks = [row[0] for row in rows]
    with store.session.begin() as session:
        session.execute(delete(QuestionFeatures).where(QuestionFeatures.message_pk.in_(pks)))
        session.execute(insert(QuestionFeatures), values)


def save(store: Store, encoder, rows: Iterable[tuple[int, str]]) -> int:
    """Compute and store the features of (message pk, masked text) rows; returns how many."""
    rows = list(rows)
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        known = Known(encoder)
        contents = [content_text(text) for _, text in chunk]
        known.encode(contents)
        known.char_counts(contents)
        _write(store, encoder, [
            (pk, c, known.vectors[c], known.lemma_string(c), known.chars[c])
            for (pk, _), c in zip(chunk, contents, strict=True)
        ])  # fmt: skip
    return len(rows)


def save_known(store: Store, encoder, known: Known, rows: Iterable[tuple[int, str]]) -> int:
    """Store the features `known` already holds for (message pk, content text) rows."""
    ready = [
        (pk, c, known.vectors[c], known.lemmas[c], known.chars[c])
        for pk, c in rows
        if known.has(c)
    ]
    for start in range(0, len(ready), BATCH * 8):
        _write(store, encoder, ready[start : start + BATCH * 8])
    return len(ready)


def _missing(encoder, where) -> select:
    identity = encoder_identity(encoder)
    return (
        select(Message.pk, MessageBody.masked_text)
        .join(MessageBody, MessageBody.message_pk == Message.pk)
        .outerjoin(QuestionFeatures, QuestionFeatures.message_pk == Message.pk)
        .where(
            is_question(),
            where,
            or_(QuestionFeatures.message_pk.is_(None), QuestionFeatures.encoder != identity),
        )
        .order_by(Message.pk)
    )


def prepare(store: Store, encoder, where=None, progress=None) -> int:
    """Features of every stored question matching `where` (all when None) that lacks them."""
    query = _missing(encoder, where if where is not None else true())
    with store.engine.connect() as conn:
        rows = [(r.pk, r.masked_text) for r in conn.execute(query)]
    done = 0
    for start in range(0, len(rows), BATCH * 8):
        done += save(store, encoder, rows[start : start + BATCH * 8])
        if progress is not None:
            progress(done, len(rows))
    return done


def prepare_keys(store: Store, encoder, keys: Sequence[tuple[str, str]]) -> int:
    """Features of the questions among the messages (source, external id) just ingested."""
    if not keys:
        return 0
    done = 0
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        where = tuple_(Message.source, Message.external_id).in_(chunk)
        done += prepare(store, encoder, where)
    return done


def vector_of(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float32)
