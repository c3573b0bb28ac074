"""Where a request's verification runs: on the event loop, unless it must wait.

A verification whose DID documents and status lists are at hand (the service's own, or
cached) is CPU work of a millisecond or two; handing it to a worker thread and back costs
a good part of that again, and buys nothing: the interpreter runs one thread at a time. So
it runs where the request arrived. One that needs the network (a did:web or a status list
not cached) stops at its first fetch (``net.waiting``) and runs again on a worker thread,
where it may wait without holding up the other requests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from starlette.concurrency import run_in_threadpool

from vcservice.net.waiting import WouldWait, network_waits_refused

__all__ = ["verify_here_or_in_thread"]

T = TypeVar("T")


async def verify_here_or_in_thread(verification: Callable[[], T]) -> T:
    """``verification()`` on the event loop; again on a worker thread if it needs the
    network (its first attempt stops before any fetch, so nothing is done twice outside
    this process)."""
    try:
        with network_waits_refused():
            return verification()
    except WouldWait:
        return await run_in_threadpool(verification)
