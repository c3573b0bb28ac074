"""Initial schema: authorities, keys, clients, credentials and their subject index.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

_TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create every table and index of the first release."""
    op.create_table(
        "authorities",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("display_name", sa.String(), nullable=False),
        sa.Column("did", sa.String(), nullable=False),
        sa.Column("credential_types", sa.JSON(), nullable=False),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_authorities"),
        sa.UniqueConstraint("did", name="uq_authorities_did"),
    )
    op.create_table(
        "keys",
        sa.Column("authority", sa.String(), nullable=False),
        sa.Column("key_id", sa.String(), nullable=False),
        sa.Column("key_type", sa.String(), nullable=False),
        sa.Column("public_key_multibase", sa.String(), nullable=False),
        sa.Column("encrypted_secret", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("authority", "key_id", name="pk_keys"),
        sa.ForeignKeyConstraint(
            ["authority"], ["authorities.name"], name="fk_keys_authority_authorities"
        ),
    )
    op.create_table(
        "clients",
        sa.Column("client_id", sa.String(), nullable=False),
        sa.Column("authority", sa.String(), nullable=False),
        sa.Column("secret_hash", sa.String(), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("client_id", name="pk_clients"),
        sa.ForeignKeyConstraint(
            ["authority"], ["authorities.name"], name="fk_clients_authority_authorities"
        ),
    )
    op.create_index("ix_clients_authority", "clients", ["authority"])
    op.create_table(
        "credentials",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("authority", sa.String(), nullable=False),
        sa.Column("credential_type", sa.String(), nullable=False),
        sa.Column("securing_format", sa.String(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("subject_id", sa.String(), nullable=True),
        sa.Column("subject_identifiers", sa.JSON(), nullable=False),
        sa.Column("issued_at", _TIMESTAMP, nullable=False),
        sa.Column("valid_from", _TIMESTAMP, nullable=True),
        sa.Column("valid_until", _TIMESTAMP, nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("idempotency_key", sa.String(), nullable=True),
        sa.Column("request_digest", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_credentials"),
        sa.ForeignKeyConstraint(
            ["authority"], ["authorities.name"], name="fk_credentials_authority_authorities"
        ),
        sa.UniqueConstraint(
            "authority", "idempotency_key", name="uq_credentials_authority_idempotency_key"
        ),
    )
    op.create_index(
        "ix_credentials_authority_issued_at",
        "credentials",
        ["authority", sa.text("issued_at DESC"), sa.text("id DESC")],
    )
    op.create_index(
        "ix_credentials_authority_credential_type",
        "credentials",
        ["authority", "credential_type", sa.text("issued_at DESC"), sa.text("id DESC")],
    )
    op.create_index(
        "ix_credentials_authority_status",
        "credentials",
        ["authority", "status", sa.text("issued_at DESC"), sa.text("id DESC")],
    )
    op.create_table(
        "credential_subjects",
        sa.Column("identifier", sa.String(), nullable=False),
        sa.Column("credential_id", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("identifier", "credential_id", name="pk_credential_subjects"),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["credentials.id"],
            name="fk_credential_subjects_credential_id_credentials",
        ),
    )


def downgrade() -> None:
    """Drop everything ``upgrade`` created."""
    op.drop_table("credential_subjects")
    op.drop_table("credentials")
    op.drop_table("clients")
    op.drop_table("keys")
    op.drop_table("authorities")
