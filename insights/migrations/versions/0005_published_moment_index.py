"""An index on coalesce(published_at, received_at): the press desk's answer times and the
spikes select by it, and read the whole table without it (issue 16: 1 000 000 messages).

Revision ID: 0005_published_moment_index
Revises: 0004_faq_features
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_published_moment_index"
down_revision = "0004_faq_features"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_messages_moment", "messages", [sa.text("coalesce(published_at, received_at)")]
    )


def downgrade() -> None:
    op.drop_index("ix_messages_moment", table_name="messages")
