"""Housekeeping on a schedule: expired challenges, old exchanges and idle rate buckets
deleted; subscribed trust lists refreshed when due.

Every serving process runs it, so the tables shrink whether or not anyone asks for new
challenges and exchanges. Processes sharing a database delete the same rows; whoever comes
second finds nothing left. A due trust list is claimed by one process (compare-and-set), so
it is fetched once between them.
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
    async with _repeating(purge, interval, name="purge", failed="purging what expired failed"):
        yield


@asynccontextmanager
async def refreshing(
    refresh: Callable[[], Mapping[str, int]], interval: float
) -> AsyncIterator[None]:
    """Call ``refresh`` (the due trust lists; blocking, in a worker thread) every
    ``interval`` seconds until the block ends, as ``purging`` does."""
    async with _repeating(
        refresh, interval, name="trust-lists", failed="refreshing trust lists failed", done=""
    ):
        yield


@asynccontextmanager
async def _repeating(
    job: Callable[[], Mapping[str, int]],
    interval: float,
    *,
    name: str,
    failed: str,
    done: str = "purged ",
) -> AsyncIterator[None]:
    stop = asyncio.Event()
    task = asyncio.create_task(
        _every(interval, job, stop, failed=failed, done=done), name=f"vcservice-{name}"
    )
    try:
        yield
    finally:
        stop.set()
        await task


async def _every(
    interval: float,
    job: Callable[[], Mapping[str, int]],
    stop: asyncio.Event,
    *,
    failed: str,
    done: str,
) -> None:
    while not await _stopped_within(stop, interval):
        try:
            counts = await asyncio.to_thread(job)
        except Exception:  # the database may be away for a while: try again next time
            _log.exception(failed)
            continue
        if any(counts.values()):
            _log.info("%s%s", done, ", ".join(f"{n} {what}" for what, n in counts.items()))


async def _stopped_within(stop: asyncio.Event, seconds: float) -> bool:
    """Whether ``stop`` is set within ``seconds``."""
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        return False
    return True
