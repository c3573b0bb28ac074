"""Request dependencies: the services, and who is calling with which rights."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from vcservice.api.rate_limit import RateLimiter
from vcservice.audit.context import ADMIN, current_request
from vcservice.errors import VcError
from vcservice.model.records import Authority, Holder, Scope
from vcservice.model.requester import Requester
from vcservice.services.access import AccessGrant, check_admin_token
from vcservice.services.container import Services


def get_services(request: Request) -> Services:
    """The services built for this app."""
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


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def require_scope(scope: Scope) -> Callable[..., Caller]:
    """A dependency admitting clients whose token carries ``scope``."""

    def caller(request: Request, services: ServicesDep) -> Caller:
        grant = services.tokens.verify(bearer_token(request))
        if not services.clients.exists(grant.client_id):
            raise VcError(
                "the client of this token was removed", code="INVALID_TOKEN", field="Authorization"
            )
        grant.authorize(authority=grant.authority, scope=scope)
        _identify(grant.client_id)
        return Caller(grant=grant, authority=services.authorities.get(grant.authority))

    return caller


def require_admin(request: Request, services: ServicesDep) -> None:
    """Admit only the holder of the admin token."""
    if not check_admin_token(services.admin_token, bearer_token(request)):
        raise VcError("the admin token is not valid", code="INVALID_TOKEN", field="Authorization")
    _identify(ADMIN)


def _identify(actor: str) -> None:
    """Name the request's caller for the audit log, now that its token is checked."""
    request = current_request()
    if request is not None:
        request.identify(actor)


def limit_rate(request: Request) -> Requester:
    """Admit the request within its address's rate (RATE_LIMITED otherwise); return the
    caller it was counted as (for ``charge_verifications``)."""
    requester = Requester.address(client_address(request))
    _take(request, requester.key)
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
    _take(request, requester.key)
    return requester


def charge_verifications(request: Request, caller: Requester, count: int) -> None:
    """Charge an admitted ``caller`` ``count`` verifications beyond its request's one (a
    batch's further credentials): never refused, they may overdraw the caller's rate."""
    limiter = _limiter(request, "verify_limiter")
    if limiter is not None:
        limiter.charge(caller.key, count)


def _take(request: Request, caller: str, limiter_name: str = "verify_limiter") -> None:
    limiter = _limiter(request, limiter_name)
    if limiter is not None:
        limiter.take(caller)


def _limiter(request: Request, name: str) -> RateLimiter | None:
    limiter: RateLimiter | None = getattr(request.app.state, name, None)
    return limiter


def client_address(request: Request) -> str:
    """The caller's network address (the key of per-address rate limits)."""
    return request.client.host if request.client else "unknown"


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
Verification = Depends(admit_verification)
VerifyingCaller = Annotated[Requester, Depends(admit_verification)]  # an admitted caller
RateLimitedCaller = Annotated[Requester, Depends(limit_rate)]  # an admitted address


def require_holder(request: Request, services: ServicesDep) -> Holder:
    """The holder whose access token the request carries."""
    return services.holders.authenticate(bearer_token(request))


CurrentHolder = Annotated[Holder, Depends(require_holder)]
