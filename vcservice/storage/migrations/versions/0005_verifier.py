"""The verifier's trust registry entries, workflows (presentation policies) and exchanges;
the DIDs of deleted holders.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

_TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create ``accreditations``, ``workflows``, ``exchanges`` and ``retired_holder_dids``."""
    op.create_table(
        "accreditations",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("issuer", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("credential_types", sa.JSON(), nullable=False),
        sa.Column("valid_from", _TIMESTAMP, nullable=True),
        sa.Column("valid_until", _TIMESTAMP, nullable=True),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_accreditations"),
    )
    op.create_index("ix_accreditations_issuer", "accreditations", ["issuer"])
    op.create_table(
        "workflows",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("accepted_types", sa.JSON(), nullable=False),
        sa.Column("domain", sa.String(), nullable=True),
        sa.Column("exchange_ttl_seconds", sa.Integer(), nullable=False),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_workflows"),
    )
    op.create_table(
        "exchanges",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("workflow", sa.String(), nullable=False),
        sa.Column("challenge", sa.String(), nullable=False),
        sa.Column("domain", sa.String(), nullable=True),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.Column("expires_at", _TIMESTAMP, nullable=False),
        sa.Column("completed_at", _TIMESTAMP, nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("presentation", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["workflow"], ["workflows.id"], name="fk_exchanges_workflow_workflows"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_exchanges"),
        sa.UniqueConstraint("challenge", name="uq_exchanges_challenge"),
    )
    op.create_index("ix_exchanges_workflow", "exchanges", ["workflow"])
    op.create_index("ix_exchanges_expires_at", "exchanges", ["expires_at"])
    op.create_table(
        "retired_holder_dids",
        sa.Column("did", sa.String(), nullable=False),
        sa.Column("retired_at", _TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("did", name="pk_retired_holder_dids"),
    )


def downgrade() -> None:
    """Drop everything ``upgrade`` created."""
    op.drop_table("retired_holder_dids")
    op.drop_table("exchanges")
    op.drop_table("workflows")
    op.drop_table("accreditations")
