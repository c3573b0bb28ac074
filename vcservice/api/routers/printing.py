"""Printable certificates: the issuer's for credentials it issued, the holder's for those it keeps.

``GET /print/credentials/{id}`` takes the issuer's ``read:credentials`` token and
``GET /holder/print/{id}`` the holder's token, like the rest of their APIs, and answer an
HTML document: the certificate in Spanish and English with a QR code linking to the verify
page (``VCSERVICE_VERIFY_PAGE_URL``, by default this service's ``/verify``) with the whole
credential in the link's fragment.

A browser does not attach a Bearer token to a link, so the caller's own tooling (the
authority's back office, the company's wallet app) fetches the document and shows, saves or
prints it. That is why it is self-contained — inline styles, the QR code as inline SVG, no
script, nothing fetched — and why it is sent ``no-store`` under a policy that lets it load
nothing. No printable view is reachable by a link carrying a token or capability, so none
can leak through browser history, proxies' logs or a Referer.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse

from vcservice.api.deps import CurrentHolder, Reading, ServicesDep
from vcservice.api.problems import problems
from vcservice.services.container import Services
from vcservice.settings import Settings
from vcservice.web.render import printable_certificate

issuer_router = APIRouter(tags=["issuer"])
holder_router = APIRouter(tags=["holder"])

PRINT_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
PRINTABLE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the printable certificate: a self-contained HTML document",
        "content": {"text/html": {"schema": {"type": "string"}}},
    }
}
CredentialId = Annotated[str, Path(max_length=2000, description="the credential's id")]


@issuer_router.get(
    "/print/credentials/{credential_id:path}",
    response_class=HTMLResponse,
    responses=PRINTABLE | problems(401, 403, 404, 422, 429, 503),
    summary="A credential the caller's authority issued, as a printable certificate",
)
def print_issued(
    credential_id: CredentialId, caller: Reading, services: ServicesDep
) -> HTMLResponse:
    """The printable certificate (HTML with a verification QR code) of an issued credential."""
    record = services.issuer.get(caller.authority, credential_id)
    return _printable(record.document, services)


@holder_router.get(
    "/holder/print/{credential_id:path}",
    response_class=HTMLResponse,
    responses=PRINTABLE | problems(401, 404, 422, 429, 503),
    summary="A credential the holder keeps, as a printable certificate",
)
def print_held(
    credential_id: CredentialId, holder: CurrentHolder, services: ServicesDep
) -> HTMLResponse:
    """The printable certificate (HTML with a verification QR code) of a held credential."""
    return _printable(services.holders.held(holder, credential_id).document, services)


def verify_page_url(settings: Settings) -> str:
    """Where printed QR codes send their readers."""
    return settings.verify_page_url or settings.public_url.rstrip("/") + "/verify"


def _printable(document: str, services: Services) -> HTMLResponse:
    """A stored credential (JSON text, or a compact JWT) as its printable certificate."""
    credential = json.loads(document) if document.startswith("{") else document
    html = printable_certificate(
        credential,
        page_url=verify_page_url(services.settings),
        printed_at=services.clock.now(),
        zone=services.settings.display_timezone,
    )
    return HTMLResponse(html, headers=PRINT_HEADERS)
