"""Workflows that accept a credential type only under mutual recognition.

``workflows.accepted_recognitions`` is a JSON list of policies (credential type, the
authority that recognizes it, the role, the arrangement if one is named); a credential of
such a type counts only when its signed ``mutualRecognition`` covers one. Workflows stored
before this revision keep ``[]``: they accept their types as they are, as before.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision: str | None = "0010"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Add ``workflows.accepted_recognitions``, ``[]`` for the workflows already stored."""
    op.add_column(
        "workflows",
        sa.Column("accepted_recognitions", sa.JSON(), server_default="[]", nullable=False),
    )


def downgrade() -> None:
    """Drop ``workflows.accepted_recognitions`` (such workflows then accept only their
    ``accepted_types``)."""
    op.drop_column("workflows", "accepted_recognitions")
