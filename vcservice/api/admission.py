"""Refusal before the body: a request its caller's address could not be admitted for anyway
is answered 429 before its body is read.

The dependencies (``deps``) decide who is admitted; this only spares the work of reading and
parsing a body for a request they would refuse for its address alone, so that a flood of
large requests past a limit costs the service their headers, not their bodies:

- a request presenting credentials (an ``Authorization`` header) from an address that has
  spent its budget of failed authentications (``deps.authentication``);
- a request without credentials to an operation limited per address (its dependencies
  include one of ``deps.ADDRESS_LIMITED``) from an address past its verify rate.

A request without credentials to an operation that would take a token instead
(``capped``: the verifier's, which depend on ``deps.admitted_verification``) may also send only
a smaller body (``anonymous_max_bytes``, set as ``BODY_LIMIT`` for the body guard inside):
what an anonymous caller can make the service parse stays small, while a client with a
token may send its large batches.

Nothing is spent here; the dependencies spend as before. Looking at the bucket asks the
database only when this process neither holds a token of the address's nor knows its bucket
dry, and then in a worker thread.

A refusal is answered after ``delay_seconds`` (at most its Retry-After): a caller that
ignores Retry-After and resends at once, as a flood does, then waits on each refusal instead
of making the service answer hundreds a second. A delayed refusal holds a coroutine, no
thread; past ``max_delayed`` of them at once, refusals are answered at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence, Set
from typing import Any

from fastapi import APIRouter
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from vcservice.api.body import BODY_LIMIT
from vcservice.api.deps import ADDRESS_LIMITED, bearer_of, peer_address
from vcservice.api.problems import error_response
from vcservice.api.rate_limit import RateLimiter, RateLimitError
from vcservice.model.requester import Requester


class EarlyRefusal:
    """ASGI middleware (outside ``BodyGuard``): 429 before the body for a refused address;
    ``routes`` are the operations limited per address (``address_limited_routes``)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        routes: Sequence[APIRoute],
        capped: Sequence[APIRoute] = (),
        anonymous_max_bytes: int | None = None,
        delay_seconds: float = 0.0,
        max_delayed: int = 512,
    ) -> None:
        self.app = app
        self._limited = tuple(routes)
        self._capped = tuple(capped)
        self._anonymous_max_bytes = anonymous_max_bytes
        self._delay_seconds = delay_seconds
        self._max_delayed = max_delayed
        self._delayed = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, unless its address is past a limit that would refuse it."""
        if scope["type"] == "http":
            limiter = self._admit(scope)
            if limiter is not None:
                try:
                    await _check(limiter, Requester.address(peer_address(scope)).key)
                except RateLimitError as refused:
                    await self._hold(refused)
                    await error_response(refused)(scope, receive, send)
                    return
        await self.app(scope, receive, send)

    async def _hold(self, refused: RateLimitError) -> None:
        """Wait before answering ``refused`` (not past its Retry-After, nor when
        ``max_delayed`` refusals already wait)."""
        if self._delay_seconds <= 0 or self._delayed >= self._max_delayed:
            return
        self._delayed += 1
        try:
            await asyncio.sleep(min(self._delay_seconds, refused.retry_after))
        finally:
            self._delayed -= 1

    def _admit(self, scope: Scope) -> RateLimiter | None:
        """The limiter whose refusal of the caller's address would refuse this request; a
        request without credentials to a limited operation gets the smaller body cap."""
        state = scope["app"].state
        authorization = Headers(scope=scope).get("authorization")
        # One match per request: the capped operations are among the limited ones.
        method, path = scope["method"], _route_path(scope)
        matched = next((route for route in self._limited if _takes(route, method, path)), None)
        limited = matched is not None
        capped = any(matched is route for route in self._capped)
        # A verifier operation takes only a Bearer token; any other Authorization is anonymous.
        if authorization is not None and (not capped or bearer_of(authorization) is not None):
            limiter: RateLimiter | None = getattr(state, "auth_failure_limiter", None)
        elif limited:
            if capped and self._anonymous_max_bytes is not None:
                scope[BODY_LIMIT] = self._anonymous_max_bytes
            limiter = getattr(state, "verify_limiter", None)
        else:
            limiter = None
        return limiter


def address_limited_routes(
    routers: Iterable[APIRouter], dependencies: Set[Callable[..., Any]] = ADDRESS_LIMITED
) -> list[APIRoute]:
    """The operations of ``routers`` whose dependencies include one of ``dependencies``
    (by default those that limit a caller without credentials by its address)."""
    return [
        route
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute) and _depends_on_any(route.dependant, dependencies)
    ]


def _route_path(scope: Scope) -> str:
    """The request's path below the app's ``root_path`` (what routes are matched against)."""
    path: str = scope["path"]
    root = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(f"{root}/") else path


def _takes(route: APIRoute, method: str, path: str) -> bool:
    """Whether ``route`` serves ``method`` on ``path`` (the route's own regular expression:
    FastAPI's ``matches`` does much more bookkeeping per route, on every request)."""
    return route.path_regex.match(path) is not None and method in (route.methods or ())


async def _check(limiter: RateLimiter, caller: str) -> None:
    """RateLimitError when ``caller`` has no token left (the database off the event loop)."""
    if not limiter.check_locally(caller):
        await run_in_threadpool(limiter.check, caller)


def _depends_on_any(dependant: Dependant, dependencies: Set[Callable[..., Any]]) -> bool:
    return dependant.call in dependencies or any(
        _depends_on_any(dependency, dependencies) for dependency in dependant.dependencies
    )
