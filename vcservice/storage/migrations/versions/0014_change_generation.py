"""``change_generation``: one counter that every change a verification reads moves on.

Triggers move it in the transaction that changes authorities, keys, holders, trust
registry entries (``accreditations``) or status lists (a list created or removed, or its
``version`` bumped by a status change; a list re-signed or filled up does not count). A
process reads the counter once per verification and keeps what it built from those tables
while the counter stands still, so a change committed by any process or by hand is seen by
the next verification everywhere.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision: str | None = "0013"
branch_labels: str | None = None
depends_on: str | None = None

TABLE = "change_generation"
FUNCTION = "change_generation_bump"
BUMP = "UPDATE change_generation SET value = value + 1 WHERE id = 1"
# Each watched table and the events that move the counter (a column list limits UPDATE).
EVENTS: tuple[tuple[str, str], ...] = (
    ("insert", "INSERT"),
    ("update", "UPDATE"),
    ("delete", "DELETE"),
)
WATCHED: dict[str, tuple[tuple[str, str], ...]] = {
    "authorities": EVENTS,
    "keys": EVENTS,
    "holders": EVENTS,
    "accreditations": EVENTS,
    "status_lists": (EVENTS[0], ("update", "UPDATE OF version"), EVENTS[2]),
}


def _trigger(table: str, suffix: str) -> str:
    return f"{table}_{suffix}_generation"


def upgrade() -> None:
    """Create the counter at 0 and the triggers that move it."""
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{TABLE}"),
    )
    op.execute("INSERT INTO change_generation (id, value) VALUES (1, 0)")
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute(
            f"CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {BUMP}; RETURN NULL; END $$"
        )
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
    """Drop the triggers, their function and the counter."""
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, events in WATCHED.items():
        for suffix, _ in events:
            on_table = f" ON {table}" if postgresql else ""
            op.execute(f"DROP TRIGGER IF EXISTS {_trigger(table, suffix)}{on_table}")
    if postgresql:
        op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
    op.drop_table(TABLE)
