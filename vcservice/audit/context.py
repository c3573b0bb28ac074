"""The request an action is done for: its id and its caller, for the audit log.

The HTTP layer sets it around each request (``request_scope``); the services read it
when they record what they did (``current_request``). Outside any request, such as
on the command line, there is none and the actor is ``SYSTEM``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

ADMIN = "admin"
"""The actor of requests made with the admin token."""
SYSTEM = "system"
"""The actor of what is done outside any authenticated request (the command line, start-up)."""


@dataclass(slots=True)
class RequestContext:
    """One request: its id, and the caller (a client id, ``ADMIN``) once it authenticated.

    The HTTP layer makes one per request; whatever checks the request's token names the
    caller with ``identify`` (the object is shared by every context copied from the
    request's, so threads that serve the request see it).
    """

    request_id: str
    actor: str | None = None

    def identify(self, actor: str) -> None:
        """Record who the request proved to be."""
        self.actor = actor


_CURRENT: ContextVar[RequestContext | None] = ContextVar("vcservice_request", default=None)


def current_request() -> RequestContext | None:
    """The request being served in this context, if any."""
    return _CURRENT.get()


@contextmanager
def request_scope(context: RequestContext) -> Iterator[RequestContext]:
    """Make ``context`` the current request until the block ends (threads started by
    ``asyncio.to_thread`` or Starlette's thread pool inherit it)."""
    token = _CURRENT.set(context)
    try:
        yield context
    finally:
        _CURRENT.reset(token)
