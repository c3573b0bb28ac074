"""``create_app``: the FastAPI application over the services built from ``Settings``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, HTTPException
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vcservice.api.problems import install_problem_handlers, problem_response
from vcservice.api.rate_limit import RateLimiter
from vcservice.api.routers import (
    admin,
    exchanges,
    holder,
    issuer,
    oauth,
    public,
    status,
    trust,
    verifier,
)
from vcservice.services.container import Services, build_services
from vcservice.settings import Role, Settings

DESCRIPTION = """Issue and manage W3C Verifiable Credentials for US–Mexico trusted-trader
certificates (IMMEX, C-TPAT, OEA). Errors are RFC 9457 problem details with a stable `code`
and the offending `field`."""


_ISSUER = (oauth.router, issuer.router, status.router, admin.router, public.issuer_documents)
_HOLDER = (holder.router,)
# The verifier has a token endpoint of its own: with VCSERVICE_VERIFY_REQUIRES_TOKEN its
# clients (in the shared database) get tokens that this process signs and checks.
_VERIFIER = (oauth.router, verifier.router, exchanges.router, trust.router)
ROUTERS: dict[Role, tuple[APIRouter, ...]] = {
    "issuer": (*_ISSUER, public.router),
    "holder": (*_HOLDER, public.router),
    "verifier": (*_VERIFIER, public.router),
    "all": (*_ISSUER, *_VERIFIER[1:], *_HOLDER, public.router),
}


def create_app(settings: Settings, *, services: Services | None = None) -> FastAPI:
    """Build the app; ``services`` may be given (tests), else they are built from settings."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.services = services or build_services(settings)
        yield
        app.state.services.close()

    app = FastAPI(
        title="vcservice" if settings.role == "all" else f"vcservice ({settings.role})",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    install_problem_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.state.verify_limiter = (
        RateLimiter(settings.verify_rate_per_minute) if settings.verify_rate_per_minute else None
    )
    for router in ROUTERS[settings.role]:
        app.include_router(router)
    return app


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` with 413, declared or streamed (chunked)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the declared length first, then count the bytes as they arrive."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            response = problem_response(
                413, "PAYLOAD_TOO_LARGE", f"the body exceeds {self.max_bytes} bytes", field="body"
            )
            await response(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                # An HTTPException passes FastAPI's body parsing untouched to the handlers.
                raise HTTPException(413, f"the body exceeds {self.max_bytes} bytes")
            return message

        await self.app(scope, counted, send)


def create_app_from_environment() -> FastAPI:
    """The app configured from ``VCSERVICE_*`` variables (the uvicorn factory for workers)."""
    return create_app(Settings())
