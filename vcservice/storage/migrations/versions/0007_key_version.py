"""Authorities' ``key_version``: bumped with every change to their keys.

A process that built an authority's DID document knows it is stale once this moved on.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Add ``authorities.key_version``, 0 for the authorities already stored."""
    op.add_column(
        "authorities",
        sa.Column("key_version", sa.Integer(), server_default="0", nullable=False),
    )


def downgrade() -> None:
    """Drop ``authorities.key_version``."""
    op.drop_column("authorities", "key_version")
