"""Verifier challenges: single-use nonces for presentations, with their expiry.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

_TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create ``challenges`` and its index on ``expires_at``."""
    op.create_table(
        "challenges",
        sa.Column("challenge", sa.String(), nullable=False),
        sa.Column("domain", sa.String(), nullable=True),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.Column("expires_at", _TIMESTAMP, nullable=False),
        sa.Column("used_at", _TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("challenge", name="pk_challenges"),
    )
    op.create_index("ix_challenges_expires_at", "challenges", ["expires_at"])


def downgrade() -> None:
    """Drop everything ``upgrade`` created."""
    op.drop_table("challenges")
