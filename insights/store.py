"""The message store: SQLAlchemy 2 models, the engine, schema migrations.

SQLite file under ``OTKLIK_HOME`` by default (WAL, synchronous=FULL: a committed batch survives
a killed process); PostgreSQL or any other SQLAlchemy URL through ``OTKLIK_DATABASE_URL``.
The raw text is stored only when ``OTKLIK_STORE_RAW_TEXT=1``; otherwise only the masked text.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from pathlib import Path

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from models.settings import settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class StoreError(RuntimeError):
    """The store cannot be opened or migrated; the message is for a person."""


class Base(DeclarativeBase):
    pass


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("source", "external_id", name="uq_messages_source_external_id"),
        Index("ix_messages_received_at", "received_at"),
        Index("ix_messages_model_version", "model_version"),
        Index("ix_messages_url", "url", unique=True),
    )

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(100))
    external_id: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64))

    kind: Mapped[str | None] = mapped_column(String(40), nullable=True)
    channel: Mapped[str | None] = mapped_column(String(60), nullable=True)
    received_at: Mapped[datetime] = mapped_column(DateTime)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    region: Mapped[str | None] = mapped_column(String(200), nullable=True)
    region_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    region_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    city: Mapped[str | None] = mapped_column(String(200), nullable=True)
    organization: Mapped[str | None] = mapped_column(String(300), nullable=True)
    service: Mapped[str | None] = mapped_column(String(300), nullable=True)
    touchpoint: Mapped[str | None] = mapped_column(String(300), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(40), nullable=True)
    client: Mapped[str | None] = mapped_column(String(20), nullable=True)
    csat: Mapped[int | None] = mapped_column(Integer, nullable=True)
    nps: Mapped[int | None] = mapped_column(Integer, nullable=True)
    ces: Mapped[int | None] = mapped_column(Integer, nullable=True)
    age: Mapped[int | None] = mapped_column(Integer, nullable=True)
    gender: Mapped[str | None] = mapped_column(String(20), nullable=True)
    social_status: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # Open-resource items (posts, comments, reviews found by monitoring): one item per URL.
    url: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    parent_url: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    author_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)  # salted, 152-FZ
    author_masked: Mapped[str | None] = mapped_column(String(40), nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    reach: Mapped[int | None] = mapped_column(Integer, nullable=True)
    official: Mapped[bool] = mapped_column(Boolean, default=False)

    topic: Mapped[str] = mapped_column(String(100))
    topic_score: Mapped[float] = mapped_column(Float)
    sentiment: Mapped[str] = mapped_column(String(40))
    sentiment_score: Mapped[float] = mapped_column(Float)
    type: Mapped[str] = mapped_column(String(40))
    type_score: Mapped[float] = mapped_column(Float)
    urgency: Mapped[str] = mapped_column(String(20))
    urgency_score: Mapped[float] = mapped_column(Float)
    model_name: Mapped[str] = mapped_column(String(100))
    model_version: Mapped[str] = mapped_column(String(100))
    classified_at: Mapped[datetime] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


def published_moment():
    """When an item appeared: its publication time on an open resource, else its receipt. The
    press desk's deadlines and the spikes count from it (an index serves it)."""
    return func.coalesce(Message.published_at, Message.received_at)


Index("ix_messages_moment", published_moment())


class MessageBody(Base):
    """The texts and the full classification record, apart from the narrow rows that the
    aggregations scan. `text` (raw) is NULL unless OTKLIK_STORE_RAW_TEXT=1."""

    __tablename__ = "message_bodies"

    message_pk: Mapped[int] = mapped_column(
        ForeignKey("messages.pk", ondelete="CASCADE"), primary_key=True
    )
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    masked_text: Mapped[str] = mapped_column(Text)
    classification: Mapped[dict] = mapped_column(JSON)


class MessageAspect(Base):
    """One row per (message, aspect): the pain map joins on it in SQL."""

    __tablename__ = "message_aspects"
    __table_args__ = (Index("ix_message_aspects_aspect", "aspect"),)

    message_pk: Mapped[int] = mapped_column(
        ForeignKey("messages.pk", ondelete="CASCADE"), primary_key=True
    )
    aspect: Mapped[str] = mapped_column(String(100), primary_key=True)
    score: Mapped[float] = mapped_column(Float)


def store_raw_text() -> bool:
    return settings().store_raw_text


def default_url() -> str:
    """``OTKLIK_DATABASE_URL``, else a SQLite file ``$OTKLIK_HOME/otklik.db``."""
    return settings().database_url or settings().sqlite_url


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


BINARY_RESULTS = "binary_results"


def _binary_results(_conn, cursor, _statement, _parameters, context, _many) -> None:
    """A query run with ``execution_options(binary_results=True)`` gets its rows in
    PostgreSQL's binary format: bytea (stored vectors) arrives as is, not hex-encoded (the
    FAQ's read of 20 000 questions: 0.50 -> 0.45 s). Only where asked: SQLAlchemy's own
    catalogue queries expect text."""
    if context is not None and context.execution_options.get(BINARY_RESULTS):
        from psycopg.pq import Format

        cursor.format = Format.BINARY


def make_engine(url: str | None = None) -> Engine:
    """An engine for `url` (given by the caller, e.g. ``--db``), else for `default_url()`."""
    url = url or default_url()
    from_env = url == settings().database_url  # else from the caller (--db) or the default
    source = " (OTKLIK_DATABASE_URL)" if from_env else ""
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise StoreError(f"Некорректный адрес базы данных{source}: «{url}»: {exc}") from exc
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            try:
                Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"Не удалось создать каталог базы данных: {exc}") from exc
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        engine = create_engine(url, pool_pre_ping=True)
    except Exception as exc:  # a missing driver (psycopg) and the like
        where = parsed.render_as_string(hide_password=True)
        raise StoreError(f"Не удалось открыть базу данных {where}: {exc}") from exc
    if engine.dialect.driver == "psycopg":
        event.listen(engine, "before_cursor_execute", _binary_results)
    return engine


def migrate(url: str | Engine | None = None) -> None:
    """Bring the schema up to the newest migration (alembic, run in-process)."""
    logging.getLogger("alembic").setLevel(logging.WARNING)  # before: plugins log on import
    from alembic import command
    from alembic.config import Config

    engine = url if isinstance(url, Engine) else make_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except Exception as exc:
        raise StoreError(f"Не удалось подготовить базу данных: {exc}") from exc
    finally:
        if not isinstance(url, Engine):
            engine.dispose()


class Store:
    """An engine, a session factory and the schema brought up to date."""

    def __init__(self, url: str | None = None, *, run_migrations: bool = True) -> None:
        self.url = url or default_url()
        self.engine = make_engine(self.url)
        if run_migrations:
            migrate(self.engine)
        self.session = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def describe(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()


_stores: dict[str, Store] = {}
_lock = threading.Lock()


def open_store(url: str | None = None) -> Store:
    """One migrated Store per URL per process."""
    url = url or default_url()
    with _lock:
        store = _stores.get(url)
        if store is None:
            store = Store(url)
            _stores[url] = store
        return store
