"""Trust lists: those an authority publishes, and those the verifier subscribes to.

``trust_list_entries`` holds what each authority accredits in its own list and
``trust_list_versions`` each signed version of that list, by (authority, sequence): a
sequence is published once, whichever process gets there first. ``trust_list_subscriptions``
holds the lists the verifier follows (where, whose signature, for which types, the held
sequence and when it was last confirmed, and when to fetch next) and
``trust_list_snapshots`` every version accepted, by (subscription, sequence).

Verifications read subscriptions and snapshots, so triggers move ``change_generation``
(revision 0014) when a snapshot is inserted or deleted, and when a subscription is added,
removed, or its held list, confirmation, signer or scope changes; not when only its
schedule (``next_fetch_at``, ``etag``, ``failures``, ``last_error_*``) does, so polling
leaves every process's caches alone. The published tables are read by no verification.
No existing table or constraint changes: a pending key is one more ``keys.status`` value.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision: str | None = "0014"
branch_labels: str | None = None
depends_on: str | None = None

_TIMESTAMP = sa.DateTime(timezone=True)
FUNCTION = "change_generation_bump"  # created by revision 0014
BUMP = "UPDATE change_generation SET value = value + 1 WHERE id = 1"
_INSERT = ("insert", "INSERT")
_DELETE = ("delete", "DELETE")
# What a verification reads of a subscription: its held list and scope, not its schedule.
_READ_COLUMNS = (
    "sequence",
    "confirmed_at",
    "expected_signer",
    "credential_types",
    "max_staleness_seconds",
)
# Each watched table and the events that move the counter (a column list limits UPDATE).
WATCHED: dict[str, tuple[tuple[str, str], ...]] = {
    "trust_list_subscriptions": (
        _INSERT,
        ("update", f"UPDATE OF {', '.join(_READ_COLUMNS)}"),
        _DELETE,
    ),
    "trust_list_snapshots": (_INSERT, _DELETE),
}


def _trigger(table: str, suffix: str) -> str:
    return f"{table}_{suffix}_generation"


def upgrade() -> None:
    """Create the four trust list tables and the triggers on the subscriber's two."""
    op.create_table(
        "trust_list_entries",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("authority", sa.String(), nullable=False),
        sa.Column("issuer", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("credential_types", sa.JSON(), nullable=False),
        sa.Column("accredited_from", _TIMESTAMP, nullable=True),
        sa.Column("accredited_until", _TIMESTAMP, nullable=True),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["authority"], ["authorities.name"], name="fk_trust_list_entries_authority_authorities"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_trust_list_entries"),
    )
    op.create_index("ix_trust_list_entries_authority", "trust_list_entries", ["authority"])
    op.create_table(
        "trust_list_versions",
        sa.Column("authority", sa.String(), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(), nullable=False),
        sa.Column("entries_digest", sa.String(), nullable=False),
        sa.Column("valid_from", _TIMESTAMP, nullable=False),
        sa.Column("next_update", _TIMESTAMP, nullable=False),
        sa.Column("signing_key", sa.String(), nullable=False),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["authority"],
            ["authorities.name"],
            name="fk_trust_list_versions_authority_authorities",
        ),
        sa.PrimaryKeyConstraint("authority", "sequence", name="pk_trust_list_versions"),
    )
    op.create_table(
        "trust_list_subscriptions",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("url", sa.String(), nullable=False),
        sa.Column("label", sa.String(), nullable=False),
        sa.Column("expected_signer", sa.String(), nullable=False),
        sa.Column("credential_types", sa.JSON(), nullable=False),
        sa.Column("max_staleness_seconds", sa.Integer(), nullable=False),
        sa.Column("refresh_interval_seconds", sa.Integer(), nullable=False),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=True),
        sa.Column("confirmed_at", _TIMESTAMP, nullable=True),
        sa.Column("etag", sa.String(), nullable=True),
        sa.Column("next_fetch_at", _TIMESTAMP, nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_error_code", sa.String(), nullable=True),
        sa.Column("last_error_at", _TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_trust_list_subscriptions"),
        sa.UniqueConstraint("url", name="uq_trust_list_subscriptions_url"),
    )
    op.create_table(
        "trust_list_snapshots",
        sa.Column("subscription_id", sa.String(), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(), nullable=False),
        sa.Column("signer", sa.String(), nullable=False),
        sa.Column("valid_from", _TIMESTAMP, nullable=False),
        sa.Column("next_update", _TIMESTAMP, nullable=False),
        sa.Column("accepted_at", _TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["trust_list_subscriptions.id"],
            name="fk_trust_list_snapshots_subscription_id",
        ),
        sa.PrimaryKeyConstraint("subscription_id", "sequence", name="pk_trust_list_snapshots"),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, events in WATCHED.items():
        for suffix, event in events:
            name = _trigger(table, suffix)
            if postgresql:  # once per statement, however many rows it changed
                op.execute(
                    f"CREATE TRIGGER {name} AFTER {event} ON {table} "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
                )
            else:
                op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {BUMP}; END")


def downgrade() -> None:
    """Drop the triggers and the four tables (published lists and held lists are forgotten)."""
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, events in WATCHED.items():
        for suffix, _ in events:
            on_table = f" ON {table}" if postgresql else ""
            op.execute(f"DROP TRIGGER IF EXISTS {_trigger(table, suffix)}{on_table}")
    op.drop_table("trust_list_snapshots")
    op.drop_table("trust_list_subscriptions")
    op.drop_table("trust_list_versions")
    op.drop_index("ix_trust_list_entries_authority", table_name="trust_list_entries")
    op.drop_table("trust_list_entries")
