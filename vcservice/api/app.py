"""``create_app``: the FastAPI application over the services built from ``Settings``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response

from vcservice.api.problems import install_problem_handlers, problem_response
from vcservice.api.routers import admin, issuer, oauth, public
from vcservice.services.container import Services, build_services
from vcservice.settings import Settings

DESCRIPTION = """Issue and manage W3C Verifiable Credentials for US–Mexico trusted-trader
certificates (IMMEX, C-TPAT, OEA). Errors are RFC 9457 problem details with a stable `code`
and the offending `field`."""


def create_app(settings: Settings, *, services: Services | None = None) -> FastAPI:
    """Build the app; ``services`` may be given (tests), else they are built from settings."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.services = services or build_services(settings)
        yield
        app.state.services.close()

    app = FastAPI(title="vcservice", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    install_problem_handlers(app)
    app.middleware("http")(_body_limit(settings.max_body_bytes))
    for module in (oauth, issuer, admin, public):
        app.include_router(module.router)
    return app


def _body_limit(
    max_bytes: int,
) -> Callable[[Request, Callable[[Request], Awaitable[Response]]], Awaitable[Response]]:
    """Refuse bodies over ``max_bytes`` with 413 before any of them is parsed."""

    async def limit(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > max_bytes):
            return problem_response(
                413, "PAYLOAD_TOO_LARGE", f"the body exceeds {max_bytes} bytes", field="body"
            )
        return await call_next(request)

    return limit


def create_app_from_environment() -> FastAPI:
    """The app configured from ``VCSERVICE_*`` variables (the uvicorn factory for workers)."""
    return create_app(Settings())
