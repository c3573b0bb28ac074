"""Bitstring Status Lists: the lists, the entries credentials hold in them, their changes.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

_TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create ``status_lists``, ``status_entries`` and ``status_changes``."""
    op.create_table(
        "status_lists",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("authority", sa.String(), nullable=False),
        sa.Column("purpose", sa.String(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("status_size", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("full", sa.Boolean(), nullable=False),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.Column("published_version", sa.Integer(), nullable=True),
        sa.Column("published_document", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_status_lists"),
        sa.ForeignKeyConstraint(
            ["authority"], ["authorities.name"], name="fk_status_lists_authority_authorities"
        ),
        sa.UniqueConstraint(
            "authority", "purpose", "sequence", name="uq_status_lists_authority_purpose_sequence"
        ),
    )
    op.create_table(
        "status_entries",
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("credential_id", sa.String(), nullable=False),
        sa.Column("purpose", sa.String(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("list_id", "index", name="pk_status_entries"),
        sa.ForeignKeyConstraint(
            ["list_id"], ["status_lists.id"], name="fk_status_entries_list_id_status_lists"
        ),
        sa.UniqueConstraint(
            "credential_id", "purpose", name="uq_status_entries_credential_id_purpose"
        ),
    )
    op.create_table(
        "status_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("credential_id", sa.String(), nullable=False),
        sa.Column("purpose", sa.String(), nullable=False),
        sa.Column("old_status", sa.Integer(), nullable=False),
        sa.Column("new_status", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("changed_at", _TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_status_changes"),
    )
    op.create_index("ix_status_changes_credential_id", "status_changes", ["credential_id"])


def downgrade() -> None:
    """Drop everything ``upgrade`` created."""
    op.drop_table("status_changes")
    op.drop_table("status_entries")
    op.drop_table("status_lists")
