"""``create_app``: the FastAPI application over the services built from ``Settings``."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from vcservice.api import metrics
from vcservice.api.admission import EarlyRefusal, address_limited_routes
from vcservice.api.body import BodyGuard
from vcservice.api.deps import admitted_verification
from vcservice.api.docs import install_docs
from vcservice.api.problems import install_problem_handlers
from vcservice.api.purge import purging, refreshing
from vcservice.api.rate_limit import install_rate_limits
from vcservice.api.request_id import RequestIds
from vcservice.api.routers import (
    admin,
    audit,
    exchanges,
    holder,
    holder_openid,
    issuer,
    oauth,
    openid4vci,
    openid4vp,
    pages,
    pinning,
    printing,
    public,
    sd_jwt_vc,
    status,
    traceability,
    trust,
    trust_lists,
    verifier,
)
from vcservice.services.container import Services, build_services
from vcservice.settings import Role, Settings

DESCRIPTION = """Issue and manage W3C Verifiable Credentials for US–Mexico trusted-trader
certificates (IMMEX, C-TPAT, OEA). Errors are RFC 9457 problem details with a stable `code`
and the offending `field`."""


_ISSUER = (
    oauth.router,
    issuer.router,
    status.router,
    admin.router,
    audit.router,
    public.issuer_documents,
    traceability.router,  # the organisations' traceability-interop API bases
    openid4vci.router,  # OpenID4VCI 1.0: each authority's Credential Issuer, offers, tokens
    sd_jwt_vc.router,  # SD-JWT VC: type metadata at each vct, Token Status Lists
    trust_lists.published,  # each authority's signed trust list
    trust_lists.publishing,  # its entries and announced keys
)
# The wallet also receives by OpenID4VCI and presents by OpenID4VP (holder_openid).
_HOLDER = (holder.router, holder_openid.router, printing.holder_router)
# The verifier has a token endpoint of its own: with VCSERVICE_VERIFY_REQUIRES_TOKEN its
# clients (in the shared database) get tokens that this process signs and checks.
# FastAPI tries each route in turn, so the crossing's hot path (verification and the broker's
# page) comes first in every role that serves it; its paths are literal (or under
# /verify/assets/), so no request meant for another router matches them.
_VERIFYING = (verifier.router, pages.router)
_VERIFIER = (
    exchanges.router,
    trust.router,
    pinning.router,  # contexts and schemas the operator pins for partners' credentials
    trust_lists.subscribing,  # the lists this verifier trusts, refreshed on a schedule
    audit.router,  # what it recorded: checks, accepted and refused lists
    openid4vp.router,  # OpenID4VP 1.0: requests, Request Objects, the Response URI, the page
)
ROUTERS: dict[Role, tuple[APIRouter, ...]] = {
    "issuer": (*_ISSUER, printing.issuer_router, public.router),
    "holder": (*_HOLDER, public.router),
    "verifier": (*_VERIFYING, oauth.router, *_VERIFIER, public.router),
    "all": (
        *_VERIFYING,
        *_ISSUER,
        printing.issuer_router,
        *(router for router in _VERIFIER if router not in _ISSUER),
        *_HOLDER,
        public.router,
    ),
}
OPERATIONS = (metrics.router,)  # /metrics, served by every role


def create_app(
    settings: Settings, *, services: Services | None = None, warm_start: bool = False
) -> FastAPI:
    """Build the app; ``services`` may be given (tests), else they are built from settings
    (reporting to the app's metrics). ``warm_start`` is for a process that serves only this
    app: before serving, it prepares what the first verifications need and then freezes
    its heap (``freeze_startup_heap``).

    The app finds each caller's address itself (rate limits are keyed by it): from a
    reverse proxy named in ``forwarded_allow_ips`` (never ``*``, which Settings refuses), the
    right-most X-Forwarded-For address that is not such a proxy, or the left-most when all
    are (each was written by the trusted hop to its right); from any other peer, the peer.
    Serve it with the server's own proxy-header handling off (uvicorn ``proxy_headers=False``,
    as ``vcservice serve`` does): a server that rewrites the client first decides for it."""
    observed = metrics.Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.services = services or build_services(settings, observer=observed)
        # Per client or address, held as one by every process sharing the database.
        install_rate_limits(app.state, settings, app.state.services.store.rate_buckets)
        if warm_start:
            app.state.services.warm_up()
            freeze_startup_heap()
        async with _housekeeping(app.state.services, settings):
            yield
        app.state.services.close()

    app = FastAPI(
        title="vcservice" if settings.role == "all" else f"vcservice ({settings.role})",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        # FastAPI's pages load Swagger UI and ReDoc from a CDN: /docs is served from the
        # package instead (install_docs), and there is no /redoc.
        docs_url=None,
        redoc_url=None,
    )
    install_docs(app)
    install_problem_handlers(app)
    app.add_middleware(
        BodyGuard, max_bytes=settings.max_body_bytes, members_for=traceability.profile_members
    )
    # Before a body is read: 429 for an address that would be refused for itself alone.
    routers = (*ROUTERS[settings.role], *OPERATIONS)
    app.add_middleware(
        EarlyRefusal,
        routes=address_limited_routes(routers),
        capped=address_limited_routes(routers, {admitted_verification}),
        anonymous_max_bytes=settings.anonymous_max_body_bytes,
        delay_seconds=settings.refusal_delay_seconds,
    )
    # Every response (a 413 included) carries X-Request-Id; audit entries name it.
    app.add_middleware(RequestIds)
    # Outermost: every request is counted, timed and logged, with the id RequestIds gave it.
    app.add_middleware(metrics.RequestMetrics, metrics=observed)
    # Outside that, the caller's address (and scheme) as its trusted proxy reports it.
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    app.state.metrics = observed
    for router in routers:
        app.include_router(router)
    return app


@asynccontextmanager
async def _housekeeping(services: Services, settings: Settings) -> AsyncIterator[None]:
    """While the app serves: what expired (challenges, exchanges, idle rate buckets) purged
    on a schedule; for a verifier, the subscribed trust lists refreshed when due."""
    async with purging(services.purge_expired, settings.purge_interval_seconds):
        if settings.role not in ("verifier", "all"):
            yield
            return
        refresh = services.trust_list_subscriptions.refresh_due
        async with refreshing(refresh, settings.trust_list_poll_seconds):
            yield


def create_app_from_environment() -> FastAPI:
    """The app configured from ``VCSERVICE_*`` variables (the uvicorn factory for workers)."""
    return create_app(Settings(), warm_start=True)


def freeze_startup_heap() -> None:
    """Take everything alive once the service has started out of the collector's sight.

    The app, its models, services and modules are a large object graph that lives as long
    as the process; left in the collector's oldest generation, every full collection walks
    all of it: 95–150 ms pauses of a worker serving 200 verifications a second, measured,
    which were most of its 99th percentile. Frozen objects are still freed by reference
    counting; only cycles among them would outlive their use.
    """
    gc.collect()
    gc.freeze()
