"""Refusal before the body: a request its caller's address could not be admitted for anyway
is answered 429 before its body is read.

The dependencies (``deps``) decide who is admitted; this only spares the work of reading and
parsing a body for a request they would refuse for its address alone, so that a flood of
large requests past a limit costs the service their headers, not their bodies:

- a request presenting credentials (an ``Authorization`` header) from an address that has
  spent its budget of failed authentications (``deps.authentication``);
- a request without credentials to an operation limited per address (its dependencies
  include one of ``deps.ADDRESS_LIMITED``) from an address past its verify rate.

Nothing is spent here; the dependencies spend as before. Looking at the bucket asks the
database only when this process neither holds a token of the address's nor knows its bucket
dry, and then in a worker thread.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from fastapi import APIRouter
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from vcservice.api.deps import ADDRESS_LIMITED, peer_address
from vcservice.api.problems import error_response
from vcservice.api.rate_limit import RateLimiter, RateLimitError
from vcservice.model.requester import Requester


class EarlyRefusal:
    """ASGI middleware (outside ``BodyGuard``): 429 before the body for a refused address;
    ``routes`` are the operations limited per address (``address_limited_routes``)."""

    def __init__(self, app: ASGIApp, *, routes: Sequence[APIRoute]) -> None:
        self.app = app
        self._limited = tuple(routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, unless its address is past a limit that would refuse it."""
        if scope["type"] == "http":
            limiter = self._limiter_for(scope)
            if limiter is not None:
                try:
                    await _check(limiter, Requester.address(peer_address(scope)).key)
                except RateLimitError as refused:
                    await error_response(refused)(scope, receive, send)
                    return
        await self.app(scope, receive, send)

    def _limiter_for(self, scope: Scope) -> RateLimiter | None:
        """The limiter whose refusal of the caller's address would refuse this request."""
        state = scope["app"].state
        if any(name == b"authorization" for name, _ in scope["headers"]):
            limiter: RateLimiter | None = getattr(state, "auth_failure_limiter", None)
        elif any(route.matches(scope)[0] is Match.FULL for route in self._limited):
            limiter = getattr(state, "verify_limiter", None)
        else:
            limiter = None
        return limiter


def address_limited_routes(routers: Iterable[APIRouter]) -> list[APIRoute]:
    """The operations of ``routers`` whose dependencies limit a caller without credentials
    by its address (one of ``deps.ADDRESS_LIMITED``)."""
    return [
        route
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute) and _depends_on_any(route.dependant)
    ]


async def _check(limiter: RateLimiter, caller: str) -> None:
    """RateLimitError when ``caller`` has no token left (the database off the event loop)."""
    if not limiter.check_locally(caller):
        await run_in_threadpool(limiter.check, caller)


def _depends_on_any(dependant: Dependant) -> bool:
    return dependant.call in ADDRESS_LIMITED or any(
        _depends_on_any(dependency) for dependency in dependant.dependencies
    )
