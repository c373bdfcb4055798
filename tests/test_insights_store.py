"""The store (migrations, SQLite settings), field validation, periods — no model needed."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import inspect, text

from insights.fields import parse_datetime, validate
from insights.periods import PeriodError, make_period
from insights.store import Store, StoreError, default_url, migrate
from models.settings import reload


def test_migrations_create_the_schema_and_rerun_cleanly(tmp_path):
    url = f"sqlite:///{tmp_path / 'db' / 'otklik.db'}"
    store = Store(url)
    migrate(url)  # a second run is a no-op
    tables = set(inspect(store.engine).get_table_names())
    assert {"messages", "message_bodies", "message_aspects", "api_keys", "alembic_version",
            "triage_state", "triage_events", "answer_templates",
            "faq_features", "faq_results"} <= tables  # fmt: skip
    with store.engine.connect() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert version == "0006_faq_results"
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        indexes = set(conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'"))
                      .scalars())  # fmt: skip
        assert {"ix_messages_received_at", "ix_messages_moment"} <= indexes
    store.close()


@pytest.mark.filterwarnings("ignore:.*expression-based index")  # SQLite cannot reflect them
def test_the_migrations_build_the_schema_the_models_describe(store_url):
    """Alembic compares the migrated database with the models: a column, index or table
    added to one and not the other shows as a difference (on PostgreSQL the expression
    index too)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import insights.faq_features  # noqa: F401 - the tables of each module join Base's metadata
    import insights.faq_results  # noqa: F401
    import insights.keys  # noqa: F401
    import insights.press_store  # noqa: F401
    from insights.store import Base

    store = Store(store_url)
    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    store.close()


def test_default_url_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("OTKLIK_DATABASE_URL", raising=False)
    monkeypatch.setenv("OTKLIK_HOME", str(tmp_path))
    assert default_url() == f"sqlite:///{tmp_path / 'otklik.db'}"
    monkeypatch.setenv("OTKLIK_DATABASE_URL", "postgresql://u@db/otklik")
    reload()  # settings are read once; a changed environment is read again on request
    assert default_url() == "postgresql://u@db/otklik"


def test_a_bad_database_url_is_a_clear_error():
    with pytest.raises(StoreError, match="адрес базы"):
        Store("это не адрес")


def test_a_bad_url_given_directly_does_not_blame_the_environment(monkeypatch):
    monkeypatch.delenv("OTKLIK_DATABASE_URL", raising=False)
    with pytest.raises(StoreError) as given:
        Store("это не адрес")  # as from `--db`
    assert "OTKLIK_DATABASE_URL" not in str(given.value) and "это не адрес" in str(given.value)
    monkeypatch.setenv("OTKLIK_DATABASE_URL", "и это не адрес")
    reload()
    with pytest.raises(StoreError, match="OTKLIK_DATABASE_URL"):
        Store()


def test_dates_in_common_export_forms():
    assert parse_datetime("2026-04-01") == datetime(2026, 4, 1)
    assert parse_datetime("01.04.2026 10:30") == datetime(2026, 4, 1, 10, 30)
    assert parse_datetime("2026-04-01T10:00:00+03:00") == datetime(2026, 4, 1, 7, 0)
    assert parse_datetime("2026-04-01T07:00:00Z") == datetime(2026, 4, 1, 7, 0)
    with pytest.raises(ValueError):
        parse_datetime("вчера")


def test_validation_normalises_and_names_bad_fields():
    message, problems = validate(
        {
            "id": 17, "text": "Нет горячей воды", "kind": "Жалоба", "channel": "Social_VK",
            "received_at": "01.07.2026", "outcome": "отказано", "gender": "ж", "age": "45",
            "csat": 4.0, "region": "Бурятия", "extended": "да",
        }  # fmt: skip
    )
    assert not problems
    assert message.external_id == "17" and message.source == "default"
    assert message.meta["kind"] == "complaint" and message.meta["channel"] == "social_vk"
    assert message.meta["outcome"] == "unsatisfied" and message.meta["gender"] == "female"
    assert message.meta["age"] == 45 and message.meta["csat"] == 4
    assert message.meta["extended"] is True
    assert (message.region_code, message.region_name) == ("RU-03", "Республика Бурятия")

    message, problems = validate(
        {"text": " ", "received_at": "31.02.2026", "nps": 11, "kind": "letter"}
    )
    assert message is None
    assert {p.field for p in problems} == {"text", "received_at", "nps", "kind"}
    assert all(p.message and p.message_ru for p in problems)


def test_a_row_without_id_gets_a_stable_one():
    a, _ = validate({"text": "Вопрос о пособии", "received_at": "2026-07-01"})
    b, _ = validate({"text": "Вопрос о пособии", "received_at": "2026-07-01"})
    c, _ = validate({"text": "Вопрос о пособии", "received_at": "2026-07-02"})
    assert a.external_id == b.external_id != c.external_id


def test_periods_are_inclusive_and_the_previous_has_equal_length():
    period = make_period("2026-07-01", "2026-09-30")
    assert period.start == datetime(2026, 7, 1) and period.end == datetime(2026, 10, 1)
    previous = period.previous()
    assert previous.end == period.start
    assert previous.end - previous.start == period.end - period.start
    assert period.label() == "01.07.2026–30.09.2026"
    default = make_period(None, None, latest=datetime(2026, 9, 30, 15))
    assert default.end == datetime(2026, 10, 1) and round(default.days) == 91
    with pytest.raises(PeriodError) as info:
        make_period("2026-09-30", "2026-07-01")
    assert "позже" in info.value.message_ru
    with pytest.raises(PeriodError):
        make_period("2026-13-01", None)


def test_calendar_months_cover_the_span_across_a_new_year():
    from insights.periods import calendar_months

    months = calendar_months(datetime(2026, 11, 30, 23), datetime(2027, 1, 1))
    assert [(m.start, m.end) for m in months] == [
        (datetime(2026, 11, 1), datetime(2026, 12, 1)),
        (datetime(2026, 12, 1), datetime(2027, 1, 1)),
        (datetime(2027, 1, 1), datetime(2027, 2, 1)),
    ]
