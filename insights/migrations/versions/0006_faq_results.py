"""FAQ groupings kept under a fingerprint of their inputs (insights/faq_results.py), so that
a period's grouping is computed once (issue 16: the monthly report at 1 000 000 messages).

Revision ID: 0006_faq_results
Revises: 0005_published_moment_index
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_faq_results"
down_revision = "0005_published_moment_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "faq_results",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("period_start", sa.DateTime(), nullable=False),
        sa.Column("period_end", sa.DateTime(), nullable=False),
        sa.Column("region", sa.String(200), nullable=False),
        sa.Column("questions", sa.Integer(), nullable=False),
        sa.Column("previous_questions", sa.Integer(), nullable=False),
        sa.Column("clusters", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("faq_results")
