"""Coded status reasons: ``status_changes.reason_code``, a term of the vocabulary.

Beside the free-text ``reason`` (the officer's note), a change may carry a
``StatusReason`` term (``StatusReasonSecurityIncident``, …). Changes recorded before
this revision keep NULL: they had no coded reason.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Add ``status_changes.reason_code``, NULL for the changes already recorded."""
    op.add_column("status_changes", sa.Column("reason_code", sa.String(), nullable=True))


def downgrade() -> None:
    """Drop ``status_changes.reason_code`` (the coded reasons are lost; the notes stay)."""
    op.drop_column("status_changes", "reason_code")
