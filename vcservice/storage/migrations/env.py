"""Alembic environment: runs on the connection that ``upgrade_to_head`` passes in."""

from __future__ import annotations

from alembic import context

from vcservice.storage.schema import metadata

context.configure(
    connection=context.config.attributes["connection"],
    target_metadata=metadata,
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
