"""OpenID4VP authorization requests of the verifier.

``openid4vp_requests`` keeps each request's DCQL query, nonce, state and client id, the
policy it was built from, and once answered the outcome and the VP Token as received; a
request leaves ``pending`` once (a conditional UPDATE), as an exchange does.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision: str | None = "0012"
branch_labels: str | None = None
depends_on: str | None = None

_TIMESTAMP = sa.DateTime(timezone=True)
_TABLE = "openid4vp_requests"


def upgrade() -> None:
    """Create ``openid4vp_requests``."""
    op.create_table(
        _TABLE,
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("request_id", sa.String(), nullable=False),
        sa.Column("client_id", sa.String(), nullable=False),
        sa.Column("nonce", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("response_mode", sa.String(), nullable=False),
        sa.Column("request_uri_method", sa.String(), nullable=False),
        sa.Column("dcql_query", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.Column("expires_at", _TIMESTAMP, nullable=False),
        sa.Column("caller", sa.String(), nullable=False),
        sa.Column("workflow", sa.String(), nullable=True),
        sa.Column("policy", sa.JSON(), nullable=True),
        sa.Column("completed_at", _TIMESTAMP, nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("presentation", sa.Text(), nullable=True),
        sa.Column("error", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=f"pk_{_TABLE}"),
        sa.UniqueConstraint("request_id", name=f"uq_{_TABLE}_request_id"),
    )
    op.create_index(f"ix_{_TABLE}_expires_at", _TABLE, ["expires_at"])
    op.create_index(f"ix_{_TABLE}_caller_expires_at", _TABLE, ["caller", "expires_at"])


def downgrade() -> None:
    """Drop ``openid4vp_requests`` (open requests and their outcomes are forgotten)."""
    op.drop_index(f"ix_{_TABLE}_caller_expires_at", table_name=_TABLE)
    op.drop_index(f"ix_{_TABLE}_expires_at", table_name=_TABLE)
    op.drop_table(_TABLE)
