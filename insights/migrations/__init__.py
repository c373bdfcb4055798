"""Alembic migrations of the message store (run in-process by ``insights.store.migrate``)."""
