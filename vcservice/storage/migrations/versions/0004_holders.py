"""Holders (shippers' wallets) and the credentials they hold.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

_TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create ``holders`` and ``held_credentials``."""
    op.create_table(
        "holders",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("did", sa.String(), nullable=False),
        sa.Column("public_key_multibase", sa.String(), nullable=False),
        sa.Column("encrypted_secret", sa.LargeBinary(), nullable=False),
        sa.Column("token_hash", sa.String(), nullable=False),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_holders"),
        sa.UniqueConstraint("did", name="uq_holders_did"),
    )
    op.create_table(
        "held_credentials",
        sa.Column("holder", sa.String(), nullable=False),
        sa.Column("credential_id", sa.String(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("format", sa.String(), nullable=False),
        sa.Column("stored_at", _TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("holder", "credential_id", name="pk_held_credentials"),
        sa.ForeignKeyConstraint(
            ["holder"], ["holders.name"], name="fk_held_credentials_holder_holders"
        ),
    )


def downgrade() -> None:
    """Drop everything ``upgrade`` created."""
    op.drop_table("held_credentials")
    op.drop_table("holders")
