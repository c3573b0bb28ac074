"""OpenID4VCI issuance: credential offers, the credentials claimed from them, and c_nonces.

``credential_offers`` keeps keyed digests of each offer's pre-authorized code, transaction
code and access token (never the values); ``credential_offer_issuances`` makes each offered
credential issued at most once; ``issuance_nonces`` holds the single-use nonces of key
proofs.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision: str | None = "0011"
branch_labels: str | None = None
depends_on: str | None = None

_TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create ``credential_offers``, ``credential_offer_issuances`` and ``issuance_nonces``."""
    op.create_table(
        "credential_offers",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("authority", sa.String(), nullable=False),
        sa.Column("credential_type", sa.String(), nullable=False),
        sa.Column("configuration_ids", sa.JSON(), nullable=False),
        sa.Column("request", sa.Text(), nullable=False),
        sa.Column("code_digest", sa.String(), nullable=False),
        sa.Column("tx_code_digest", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("tx_code_attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.Column("expires_at", _TIMESTAMP, nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.Column("token_digest", sa.String(), nullable=True),
        sa.Column("token_expires_at", _TIMESTAMP, nullable=True),
        sa.Column("redeemed_at", _TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(
            ["authority"], ["authorities.name"], name="fk_credential_offers_authority_authorities"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_credential_offers"),
        sa.UniqueConstraint("code_digest", name="uq_credential_offers_code_digest"),
        sa.UniqueConstraint("token_digest", name="uq_credential_offers_token_digest"),
    )
    op.create_index("ix_credential_offers_expires_at", "credential_offers", ["expires_at"])
    op.create_table(
        "credential_offer_issuances",
        sa.Column("offer_id", sa.String(), nullable=False),
        sa.Column("configuration_id", sa.String(), nullable=False),
        sa.Column("claimed_at", _TIMESTAMP, nullable=False),
        sa.Column("credential_id", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["credential_offers.id"],
            name="fk_credential_offer_issuances_offer_id_credential_offers",
        ),
        sa.PrimaryKeyConstraint(
            "offer_id", "configuration_id", name="pk_credential_offer_issuances"
        ),
    )
    op.create_table(
        "issuance_nonces",
        sa.Column("nonce", sa.String(), nullable=False),
        sa.Column("authority", sa.String(), nullable=False),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.Column("expires_at", _TIMESTAMP, nullable=False),
        sa.Column("used_at", _TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("nonce", name="pk_issuance_nonces"),
    )
    op.create_index("ix_issuance_nonces_expires_at", "issuance_nonces", ["expires_at"])


def downgrade() -> None:
    """Drop everything ``upgrade`` created (open offers and nonces are forgotten)."""
    op.drop_index("ix_issuance_nonces_expires_at", table_name="issuance_nonces")
    op.drop_table("issuance_nonces")
    op.drop_table("credential_offer_issuances")
    op.drop_index("ix_credential_offers_expires_at", table_name="credential_offers")
    op.drop_table("credential_offers")
