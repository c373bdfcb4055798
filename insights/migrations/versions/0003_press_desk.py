"""The press desk: open-resource fields of a message (url, author masked and hashed,
published_at, reach, official, parent_url), triage state and history, answer templates.

Revision ID: 0003_press_desk
Revises: 0002 (api_keys, issue 14)
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_press_desk"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("url", sa.String(1000), nullable=True))
        batch.add_column(sa.Column("parent_url", sa.String(1000), nullable=True))
        batch.add_column(sa.Column("author_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("author_masked", sa.String(40), nullable=True))
        batch.add_column(sa.Column("published_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("reach", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("official", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_index("ix_messages_url", "messages", ["url"], unique=True)
    op.create_table(
        "triage_state",
        sa.Column(
            "message_pk",
            sa.Integer(),
            sa.ForeignKey("messages.pk", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("assignee", sa.String(200), nullable=True),
        sa.Column("assignee_key_id", sa.String(64), nullable=True),
        sa.Column("taken_at", sa.DateTime(), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("answer_text", sa.Text(), nullable=True),
        sa.Column("template_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_triage_state_status", "triage_state", ["status"])
    op.create_table(
        "triage_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "message_pk",
            sa.Integer(),
            sa.ForeignKey("messages.pk", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("actor_key_id", sa.String(64), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("from_status", sa.String(20), nullable=False),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
    )
    op.create_index("ix_triage_events_message", "triage_events", ["message_pk"])
    op.create_table(
        "answer_templates",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("topic", sa.String(100), nullable=True),
        sa.Column("type", sa.String(40), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("retired_at", sa.DateTime(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.Column("use_count", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_table("answer_templates")
    op.drop_index("ix_triage_events_message", table_name="triage_events")
    op.drop_table("triage_events")
    op.drop_index("ix_triage_state_status", table_name="triage_state")
    op.drop_table("triage_state")
    op.drop_index("ix_messages_url", table_name="messages")
    with op.batch_alter_table("messages") as batch:
        for name in ("official", "reach", "published_at", "author_masked", "author_hash",
                     "parent_url", "url"):  # fmt: skip
            batch.drop_column(name)
