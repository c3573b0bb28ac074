"""Housekeeping on a schedule: expired challenges, old exchanges and idle rate buckets deleted.

Every serving process runs it, so the tables shrink whether or not anyone asks for new
challenges and exchanges. Processes sharing a database delete the same rows; whoever comes
second finds nothing left.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager

_log = logging.getLogger(__name__)


@asynccontextmanager
async def purging(purge: Callable[[], Mapping[str, int]], interval: float) -> AsyncIterator[None]:
    """Call ``purge`` (blocking: in a worker thread; it says how many of what it deleted)
    every ``interval`` seconds until the block ends; leaving it waits for a purge under
    way, and starts no other."""
    stop = asyncio.Event()
    task = asyncio.create_task(_every(interval, purge, stop), name="vcservice-purge")
    try:
        yield
    finally:
        stop.set()
        await task


async def _every(
    interval: float, purge: Callable[[], Mapping[str, int]], stop: asyncio.Event
) -> None:
    while not await _stopped_within(stop, interval):
        try:
            purged = await asyncio.to_thread(purge)
        except Exception:  # the database may be away for a while: try again next time
            _log.exception("purging what expired failed")
            continue
        if any(purged.values()):
            _log.info("purged %s", ", ".join(f"{n} {what}" for what, n in purged.items()))


async def _stopped_within(stop: asyncio.Event, seconds: float) -> bool:
    """Whether ``stop`` is set within ``seconds``."""
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        return False
    return True
