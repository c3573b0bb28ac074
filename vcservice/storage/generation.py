"""The change counter in SQL (``change_generation``): one primary-key read, made raw."""

from __future__ import annotations

from vcservice.storage.common import SqlRepository

__all__ = ["SqlGenerationRepository"]

_CURRENT = "SELECT value FROM change_generation WHERE id = 1"


class SqlGenerationRepository(SqlRepository):
    """The counter that migration 0014's triggers move on."""

    def current(self) -> int:
        """The counter's value (its own snapshot, read after every change committed before)."""
        return int(self._db.read_scalar(_CURRENT) or 0)
