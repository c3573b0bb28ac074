"""The broker's page for a company's own wallet: ``/verify/wallet`` (OpenID4VP, cross-device).

``GET /verify/wallet`` offers the public workflows; ``POST`` (the form) creates a request of
the chosen one as the page's caller (the verifier's admission: its rate, a token where the
settings require one, its quota of open requests) and redirects to ``/verify/wallet/{id}``,
which shows the QR code until the wallet answers and the outcome afterwards. The page's
script asks ``/verify/wallet/{id}/status`` (the status only) every few seconds and reloads
when it changed. Pages for people, under the verify page's Content-Security-Policy plus
``connect-src 'self'``; left out of the OpenAPI document. The request's ``id`` is the
verifier's handle: it stays in the broker's browser (no ``Referer`` leaves the page).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from vcservice.api.deps import ServicesDep, admit_verification, client_address, limit_rate
from vcservice.api.problems import DEFAULT_STATUS, STATUS_BY_CODE
from vcservice.api.routers import pages
from vcservice.api.routers.pages import Language
from vcservice.errors import RetryLaterError, VcError
from vcservice.model.records import ExchangeState
from vcservice.model.requester import Requester
from vcservice.web.i18n import negotiate
from vcservice.web.verdicts import reason_title
from vcservice.web.wallet import WalletRequest, wallet_asset, wallet_page

router = APIRouter(include_in_schema=False)

RequestId = Annotated[str, Path(max_length=64)]
NO_STORE = {"Cache-Control": "no-store"}


PAGE_HEADERS: Mapping[str, str] = {
    **pages.PAGE_HEADERS,
    "Content-Security-Policy": pages.PAGE_HEADERS["Content-Security-Policy"]
    + "; connect-src 'self'",
}


@router.get("/verify/wallet", response_class=HTMLResponse)
def wallet_form(request: Request, services: ServicesDep, lang: Language = None) -> HTMLResponse:
    """The page: which public workflow to ask a wallet for."""
    language = negotiate(request.headers.get("accept-language"), lang)
    return _page(wallet_page(language=language, workflows=_public_workflows(services)), language)


@router.post("/verify/wallet")
def wallet_start(
    request: Request,
    services: ServicesDep,
    lang: Language = None,
    workflow: Annotated[str, Form(max_length=63)] = "",
) -> Response:
    """Create a request of the chosen public workflow (as the page's caller, within its
    rate and quota) and show it."""
    language = negotiate(request.headers.get("accept-language"), lang)
    try:
        caller = admit_verification(request, services)
        created = services.openid4vp.create(requester=caller, workflow_id=workflow)
    except VcError as error:
        status = STATUS_BY_CODE.get(error.code, DEFAULT_STATUS)
        html = wallet_page(
            language=language,
            workflows=_public_workflows(services),
            error=reason_title(error.code),
        )
        headers = (
            {"Retry-After": str(error.retry_after)} if isinstance(error, RetryLaterError) else {}
        )
        return _page(html, language, status=status, headers=headers)
    return RedirectResponse(
        f"/verify/wallet/{created.request.id}?lang={language}", status_code=303, headers=NO_STORE
    )


@router.get("/verify/wallet-assets/{name}")
def wallet_page_asset(name: str) -> Response:
    """The page's script or stylesheet."""
    return pages.asset_response(name, wallet_asset(name))


@router.get(
    "/verify/wallet/{request_id}",
    response_class=HTMLResponse,
    dependencies=[Depends(limit_rate)],
)
def wallet_request_page(
    request_id: RequestId, request: Request, services: ServicesDep, lang: Language = None
) -> HTMLResponse:
    """The request: its QR code while the wallet has not answered, else the outcome (of a
    request the page made: a client's own is not shown here)."""
    language = negotiate(request.headers.get("accept-language"), lang)
    try:
        found = services.openid4vp.request(request_id, reader=_page_caller(request))
    except VcError:
        html = wallet_page(language=language, workflows=_public_workflows(services), missing=True)
        return _page(html, language, status=404)
    service = services.openid4vp
    is_open = service.is_open(found)
    qr = service.links.qr(found) if is_open else None
    shown = WalletRequest(
        id=found.id,
        status=found.status.value,
        open=is_open,
        expired=found.status is ExchangeState.PENDING and not is_open,
        expires_at=found.expires_at,
        link=service.links.link(found) if is_open else None,
        qr_svg=None if qr is None else qr.svg,
        workflow=found.workflow,
        result=None if found.result is None else json.loads(found.result),
    )
    html = wallet_page(language=language, request=shown, zone=services.settings.display_timezone)
    return _page(html, language)


@router.get(
    "/verify/wallet/{request_id}/status",
    dependencies=[Depends(limit_rate)],
)
def wallet_request_status(
    request_id: RequestId, request: Request, services: ServicesDep
) -> JSONResponse:
    """Whether the request was answered (the page asks): its status only, no outcome."""
    found = services.openid4vp.request(request_id, reader=_page_caller(request))
    expired = found.status is ExchangeState.PENDING and not services.openid4vp.is_open(found)
    return JSONResponse({"status": found.status.value, "expired": expired}, headers=NO_STORE)


def _page_caller(request: Request) -> Requester:
    """Who asks for a page: its address (the page carries no token)."""
    return Requester.address(client_address(request))


def _public_workflows(services: ServicesDep) -> list[tuple[str, str]]:
    return [(flow.id, flow.name) for flow in services.exchanges.workflows() if flow.public]


def _page(
    html: str, language: str, *, status: int = 200, headers: Mapping[str, str] | None = None
) -> HTMLResponse:
    """The page with its headers (its script asks the service: ``connect-src 'self'``)."""
    return pages.page_response(
        html, language, status=status, headers=headers, page_headers=PAGE_HEADERS
    )
