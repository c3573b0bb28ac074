"""Rate limits shared by every process: ``rate_buckets``, one token bucket per limit and caller.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create ``rate_buckets`` (empty: every caller starts with a full bucket)."""
    op.create_table(
        "rate_buckets",
        sa.Column("key", sa.String(), primary_key=True),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_rate_buckets_updated_at", "rate_buckets", ["updated_at"])


def downgrade() -> None:
    """Drop ``rate_buckets``."""
    op.drop_index("ix_rate_buckets_updated_at", table_name="rate_buckets")
    op.drop_table("rate_buckets")
