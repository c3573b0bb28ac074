"""Who asked for each challenge and exchange (``caller``), and public workflows.

Open challenges and exchanges are counted per caller (``client:<id>`` or
``address:<ip>``) through the new ``(caller, expires_at)`` indexes. Rows stored before
have no caller and count against no one until they expire (a challenge within minutes, an
exchange within its workflow's lifetime). A workflow is ``public`` when anyone may start
its exchanges; those stored before are not.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None

_COUNTED = ("challenges", "exchanges")


def upgrade() -> None:
    """Add ``caller`` (indexed with ``expires_at``) to challenges and exchanges, and
    ``workflows.public``, false for the workflows already stored."""
    for table in _COUNTED:
        op.add_column(table, sa.Column("caller", sa.String(), nullable=True))
        op.create_index(f"ix_{table}_caller_expires_at", table, ["caller", "expires_at"])
    op.add_column(
        "workflows", sa.Column("public", sa.Boolean(), server_default=sa.false(), nullable=False)
    )


def downgrade() -> None:
    """Drop ``workflows.public`` and the ``caller`` columns with their indexes."""
    op.drop_column("workflows", "public")
    for table in _COUNTED:
        op.drop_index(f"ix_{table}_caller_expires_at", table_name=table)
        op.drop_column(table, "caller")
