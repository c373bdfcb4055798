"""Messages with their classification; their texts; one row per (message, aspect).

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "messages",
        sa.Column("pk", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("external_id", sa.String(200), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(40), nullable=True),
        sa.Column("channel", sa.String(60), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("extended", sa.Boolean(), nullable=False),
        sa.Column("region", sa.String(200), nullable=True),
        sa.Column("region_code", sa.String(20), nullable=True),
        sa.Column("region_name", sa.String(200), nullable=True),
        sa.Column("city", sa.String(200), nullable=True),
        sa.Column("organization", sa.String(300), nullable=True),
        sa.Column("service", sa.String(300), nullable=True),
        sa.Column("touchpoint", sa.String(300), nullable=True),
        sa.Column("outcome", sa.String(40), nullable=True),
        sa.Column("client", sa.String(20), nullable=True),
        sa.Column("csat", sa.Integer(), nullable=True),
        sa.Column("nps", sa.Integer(), nullable=True),
        sa.Column("ces", sa.Integer(), nullable=True),
        sa.Column("age", sa.Integer(), nullable=True),
        sa.Column("gender", sa.String(20), nullable=True),
        sa.Column("social_status", sa.String(200), nullable=True),
        sa.Column("topic", sa.String(100), nullable=False),
        sa.Column("topic_score", sa.Float(), nullable=False),
        sa.Column("sentiment", sa.String(40), nullable=False),
        sa.Column("sentiment_score", sa.Float(), nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("type_score", sa.Float(), nullable=False),
        sa.Column("urgency", sa.String(20), nullable=False),
        sa.Column("urgency_score", sa.Float(), nullable=False),
        sa.Column("model_name", sa.String(100), nullable=False),
        sa.Column("model_version", sa.String(100), nullable=False),
        sa.Column("classified_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("source", "external_id", name="uq_messages_source_external_id"),
    )
    op.create_index("ix_messages_received_at", "messages", ["received_at"])
    op.create_index("ix_messages_model_version", "messages", ["model_version"])
    op.create_table(
        "message_bodies",
        sa.Column(
            "message_pk",
            sa.Integer(),
            sa.ForeignKey("messages.pk", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("masked_text", sa.Text(), nullable=False),
        sa.Column("classification", sa.JSON(), nullable=False),
    )
    op.create_table(
        "message_aspects",
        sa.Column(
            "message_pk",
            sa.Integer(),
            sa.ForeignKey("messages.pk", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("aspect", sa.String(100), primary_key=True),
        sa.Column("score", sa.Float(), nullable=False),
    )
    op.create_index("ix_message_aspects_aspect", "message_aspects", ["aspect"])


def downgrade() -> None:
    op.drop_index("ix_message_aspects_aspect", table_name="message_aspects")
    op.drop_table("message_aspects")
    op.drop_table("message_bodies")
    op.drop_index("ix_messages_model_version", table_name="messages")
    op.drop_index("ix_messages_received_at", table_name="messages")
    op.drop_table("messages")
