"""Prometheus metrics: the services' observer, a request-timing middleware and ``/metrics``.

Metric names (every one prefixed ``vcservice_``):

- ``http_requests_total{method, route, status}`` and
  ``http_request_duration_seconds{method, route}`` (a histogram), by route *template*
  (``/credentials/{credential_id}``), ``unmatched`` for paths no route serves;
- ``credentials_issued_total{type, format}``;
- ``verifications_total{kind, outcome}``: kind ``credential`` or ``presentation``, outcome
  ``verified`` or ``not_verified``;
- ``status_list_fetches_total{source}``: ``local`` (this service's own lists), ``cache``
  (a remote list reused) or ``network`` (fetched).

Each app has its own registry. When ``PROMETHEUS_MULTIPROC_DIR`` was set before
prometheus_client was imported (``vcservice serve`` sets it for its workers), every
process writes its values to files there and ``/metrics`` sums the files of all workers
with a ``MultiProcessCollector``, so a scrape landing on any worker sees the whole service.

The middleware also writes one access log line per request on the ``vcservice.access``
logger (method, path, status, duration, request id; never a header).
"""

from __future__ import annotations

import logging
import time

from fastapi import APIRouter, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    values,
)
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vcservice.api.request_id import REQUEST_ID_HEADER
from vcservice.services.observer import VerificationKind

__all__ = ["Metrics", "RequestMetrics", "router"]

UNMATCHED = "unmatched"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_access_log = logging.getLogger("vcservice.access")


class Metrics:
    """The app's metrics, and the :class:`~vcservice.services.observer.Observer` feeding them."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "vcservice_http_requests",
            "HTTP requests answered, by method, route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "vcservice_http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template",
            ["method", "route"],
            registry=self.registry,
        )
        self.issued_total = Counter(
            "vcservice_credentials_issued",
            "Credentials issued (and recorded), by credential type and securing format",
            ["type", "format"],
            registry=self.registry,
        )
        self.verifications = Counter(
            "vcservice_verifications",
            "Verifications, by kind (credential, presentation) and outcome",
            ["kind", "outcome"],
            registry=self.registry,
        )
        self.status_list_fetches = Counter(
            "vcservice_status_list_fetches",
            "Status lists obtained, by source: local, cache (remote, reused) or network",
            ["source"],
            registry=self.registry,
        )

    @property
    def multiprocess(self) -> bool:
        """Whether values live in ``PROMETHEUS_MULTIPROC_DIR`` (fixed when prometheus_client
        was imported)."""
        return bool(getattr(values.ValueClass, "_multiprocess", False))

    def exposition(self) -> bytes:
        """The text exposition: every worker's values summed, in multiprocess mode."""
        if not self.multiprocess:
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)

    # The Observer role (vcservice.services.observer).

    def issued(self, credential_type: str, securing_format: str) -> None:
        """Count an issued credential."""
        self.issued_total.labels(credential_type, securing_format).inc()

    def verified(self, kind: VerificationKind, ok: bool) -> None:
        """Count a verification and its outcome."""
        self.verifications.labels(kind, "verified" if ok else "not_verified").inc()

    def status_list_fetched(self, source: str) -> None:
        """Count a status list obtained from ``source``."""
        self.status_list_fetches.labels(source).inc()


class RequestMetrics:
    """ASGI middleware: count and time each request by route template; log it."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request; afterwards record its status and duration."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status, request_id = 500, None

        async def observe(message: Message) -> None:
            nonlocal status, request_id
            if message["type"] == "http.response.start":
                status = int(message["status"])
                request_id = Headers(raw=message.get("headers", [])).get(REQUEST_ID_HEADER)
            await send(message)

        try:
            await self.app(scope, receive, observe)
        finally:
            duration = time.perf_counter() - started
            method = scope["method"] if scope["method"] in _METHODS else "other"
            route = route_template(scope)
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(method, route).observe(duration)
            _access_log.info(
                "%s %s %d %.1f ms",
                scope["method"],
                scope["path"],
                status,
                duration * 1000,
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round(duration * 1000, 3),
                    "request_id": request_id,
                },
            )


def route_template(scope: Scope) -> str:
    """The template of the route that served the request (``unmatched`` if none did)."""
    route = scope.get("route")
    path = getattr(route, "path_format", None) or getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED


router = APIRouter()


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    """The Prometheus text exposition (not JSON, so not in the OpenAPI document)."""
    registry: Metrics = request.app.state.metrics
    return Response(registry.exposition(), media_type=CONTENT_TYPE_LATEST)
