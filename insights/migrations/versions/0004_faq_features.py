"""The FAQ's per-question features (content text, e5 vector, lemma string, character n-gram
counts), kept so that the FAQ over a large
store does not run the encoder on every question of the period (issue 16).

Revision ID: 0004_faq_features
Revises: 0003_press_desk
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_faq_features"
down_revision = "0003_press_desk"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "faq_features",
        sa.Column(
            "message_pk",
            sa.Integer(),
            sa.ForeignKey("messages.pk", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("encoder", sa.String(200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("lemmas", sa.Text(), nullable=False),
        sa.Column("chars", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("faq_features")
