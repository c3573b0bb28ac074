"""Request dependencies: the services, and who is calling with which rights.

Every check of a presented secret — an access token, the admin token, a holder's token,
a client's secret at the token endpoint — runs within the caller's address's budget of
failed authentications (``TOKEN_RATE_PER_MINUTE``, one budget for all kinds): an address
that has spent it is refused (429 RATE_LIMITED) before any work, even with the right
secret, and each failure spends one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.types import Scope as AsgiScope

from vcservice.api.body import BODY_BYTES
from vcservice.api.rate_limit import RateLimiter, body_surcharge, verify_limiter_of
from vcservice.audit.context import ADMIN, current_request
from vcservice.errors import VcError
from vcservice.model.records import Authority, Holder, Scope
from vcservice.model.requester import Requester
from vcservice.services.access import INVALID_CLIENT, INVALID_TOKEN, AccessGrant
from vcservice.services.container import Services

AUTHENTICATION_FAILURES = frozenset({INVALID_TOKEN, INVALID_CLIENT})


async def get_services(request: Request) -> Services:
    """The services built for this app (a coroutine: FastAPI runs a plain function on a
    worker thread)."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated client acting for its authority."""

    grant: AccessGrant
    authority: Authority


def bearer_token(request: Request) -> str:
    """The Bearer token of the request (UNAUTHORIZED when there is none)."""
    token = _bearer(request)
    if token is None:
        raise VcError(
            "a Bearer access token is required", code="UNAUTHORIZED", field="Authorization"
        )
    return token


def bearer_of(authorization: str) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` value (None for any other)."""
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _bearer(request: Request) -> str | None:
    return bearer_of(request.headers.get("authorization", ""))


def require_scope(scope: Scope) -> Callable[..., Caller]:
    """A dependency admitting clients whose token carries ``scope``."""

    def caller(request: Request, services: ServicesDep) -> Caller:
        token = bearer_token(request)
        with authentication(request):
            grant = services.tokens.verify(token)
            if not services.clients.exists(grant.client_id):
                raise VcError(
                    "the client of this token was removed",
                    code=INVALID_TOKEN,
                    field="Authorization",
                )
        grant.authorize(authority=grant.authority, scope=scope)
        _identify(grant.client_id)
        return Caller(grant=grant, authority=services.authorities.get(grant.authority))

    return caller


def require_admin(request: Request, services: ServicesDep) -> None:
    """Admit only the holder of the admin token."""
    token = bearer_token(request)
    with authentication(request):
        if not services.is_admin_token(token):
            raise VcError("the admin token is not valid", code=INVALID_TOKEN, field="Authorization")
    _identify(ADMIN)


@contextmanager
def authentication(request: Request) -> Iterator[None]:
    """Check a presented secret within the address's budget of failed authentications.

    The budget is looked at before the check (RATE_LIMITED when it is spent, whatever was
    presented) and spent by a check that fails with INVALID_TOKEN or INVALID_CLIENT.
    """
    with failures_counted(request, _authentication_failed):
        yield


def _authentication_failed(error: Exception) -> bool:
    return isinstance(error, VcError) and error.code in AUTHENTICATION_FAILURES


@contextmanager
def failures_counted(request: Request, failed: Callable[[Exception], bool]) -> Iterator[None]:
    """Run the block within the address's budget of failed authentications: refused
    (RATE_LIMITED) before it when the budget is spent; spent by an error ``failed`` holds of."""
    failures = rate_limiter(request, "auth_failure_limiter")
    address = Requester.address(client_address(request)).key
    if failures is not None:
        failures.check(address)
    try:
        yield
    except Exception as error:
        if failures is not None and failed(error):
            failures.take(address)
        raise


def _identify(actor: str) -> None:
    """Name the request's caller for the audit log, now that its token is checked."""
    request = current_request()
    if request is not None:
        request.identify(actor)


def limit_rate(request: Request) -> Requester:
    """Admit the request within its address's rate (RATE_LIMITED otherwise); return the
    caller it was counted as (for ``charge_verifications``)."""
    requester = Requester.address(client_address(request))
    _take(request, requester.key, verify_limiter_of(requester))
    return requester


def admit_verification(request: Request, services: ServicesDep) -> Requester:
    """Admit a verifier request, and say who makes it: the client of the ``verify:credentials``
    token it carries (UNAUTHORIZED, INVALID_TOKEN or INSUFFICIENT_SCOPE for a token that is
    not one), else its address (UNAUTHORIZED when the settings require a token); then
    within that caller's rate (RATE_LIMITED).
    """
    if services.settings.verify_requires_token or _bearer(request) is not None:
        grant = require_scope(Scope.VERIFY)(request, services).grant
        requester = Requester.client(grant.client_id)
    else:
        requester = Requester.address(client_address(request))
    _take(request, requester.key, verify_limiter_of(requester))
    return requester


async def admitted_verification(request: Request, services: ServicesDep) -> Requester:
    """``admit_verification`` as a dependency, on the event loop: an anonymous caller with
    a rate token this process holds is admitted there; checking a token (the clients
    table) or leasing rate from the database runs on a worker thread."""
    if services.settings.verify_requires_token or _bearer(request) is not None:
        return await run_in_threadpool(admit_verification, request, services)
    requester = Requester.address(client_address(request))
    name = verify_limiter_of(requester)
    limiter = rate_limiter(request, name)
    if limiter is None:
        return requester
    surcharge = body_surcharge(request.scope.get(BODY_BYTES, 0))
    if surcharge or not limiter.take_locally(requester.key):
        await run_in_threadpool(_take, request, requester.key, name)
    return requester


def charge_verifications(request: Request, caller: Requester, count: int) -> None:
    """Charge an admitted ``caller`` ``count`` verifications beyond its request's one (a
    batch's further credentials): never refused, they may overdraw the caller's rate."""
    limiter = rate_limiter(request, verify_limiter_of(caller))
    if limiter is not None:
        limiter.charge(caller.key, count)


async def charged_verifications(request: Request, caller: Requester, count: int) -> None:
    """``charge_verifications`` from the event loop: on a worker thread only when the
    tokens this process holds do not cover ``count``."""
    limiter = rate_limiter(request, verify_limiter_of(caller))
    if limiter is not None and count and not limiter.charge_locally(caller.key, count):
        await run_in_threadpool(limiter.charge, caller.key, count)


def _take(request: Request, caller: str, limiter_name: str) -> None:
    """Admit one request of ``caller``'s, and charge what its body's size adds to it."""
    limiter = rate_limiter(request, limiter_name)
    if limiter is not None:
        limiter.take(caller)
        surcharge = body_surcharge(request.scope.get(BODY_BYTES, 0))
        if surcharge:
            limiter.charge(caller, surcharge)


def rate_limiter(request: Request, name: str) -> RateLimiter | None:
    """The app's limiter called ``name`` (``rate_limit.install_rate_limits``); None when off."""
    limiter: RateLimiter | None = getattr(request.app.state, name, None)
    return limiter


def client_address(request: Request) -> str:
    """The caller's network address (the key of per-address rate limits)."""
    return peer_address(request.scope)


def peer_address(scope: AsgiScope) -> str:
    """The network address of a request's caller, from its ASGI ``scope``."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def require_issuing_scope(scope: Scope) -> Callable[..., Caller]:
    """Like ``require_scope``, then within the client's issuance rate (RATE_LIMITED)."""
    authenticated = require_scope(scope)

    def caller(request: Request, services: ServicesDep) -> Caller:
        found = authenticated(request, services)
        _take(request, "client:" + found.grant.client_id, "issue_limiter")
        return found

    return caller


Issuing = Annotated[Caller, Depends(require_issuing_scope(Scope.ISSUE))]
Reading = Annotated[Caller, Depends(require_scope(Scope.READ))]
Updating = Annotated[Caller, Depends(require_issuing_scope(Scope.UPDATE))]
Admin = Depends(require_admin)
Verification = Depends(admitted_verification)
VerifyingCaller = Annotated[Requester, Depends(admitted_verification)]  # an admitted caller
RateLimitedCaller = Annotated[Requester, Depends(limit_rate)]  # an admitted address
# The dependencies that limit a caller without credentials by its address alone.
ADDRESS_LIMITED: frozenset[Callable[..., Any]] = frozenset({admitted_verification, limit_rate})


def require_holder(request: Request, services: ServicesDep) -> Holder:
    """The holder whose access token the request carries."""
    token = bearer_token(request)
    with authentication(request):
        return services.holders.authenticate(token)


CurrentHolder = Annotated[Holder, Depends(require_holder)]
