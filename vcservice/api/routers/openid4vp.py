"""The OpenID4VP 1.0 verifier over HTTP: requests for the broker's app, endpoints for wallets.

The broker's app (``verify:credentials`` token, or anyone for a public workflow) creates a
request (``POST /openid4vp/requests``) and shows its link as a QR code; it reads the
outcome with ``GET /openid4vp/requests/{id}``, whose ``id`` only it knows. The wallet
fetches the signed Request Object at the ``request_uri``
(``GET|POST /openid4vp/request-objects/{requestId}``) and answers at the Response URI
(``POST /openid4vp/responses/{requestId}``, form-encoded: ``direct_post``). Those two speak
the specification's language: ``{"error", "error_description"}`` (400) for a refusal, the
description the public title of the service's own code (the detail is logged only); they
are left out of the OpenAPI document, which is the service's own API.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Path, Request, Response
from fastapi.responses import JSONResponse
from pydantic import Field

from vcservice.api.deps import (
    RateLimitedCaller,
    ServicesDep,
    VerifyingCaller,
    charge_verifications,
)
from vcservice.api.problems import answer, problems
from vcservice.api.routers import openid4vp_page
from vcservice.api.schemas import ApiModel, StrictModel
from vcservice.errors import ParsingError
from vcservice.messages import message_for
from vcservice.model.datetimes import format_datetime
from vcservice.model.presentation_requests import PresentationRequest
from vcservice.model.records import ExchangeState
from vcservice.oid4vp.authorization_request import (
    REQUEST_OBJECT_MEDIA_TYPE,
    parse_request_uri_post,
)
from vcservice.oid4vp.errors import Oid4vpError, refusal
from vcservice.services.openid4vp import CreatedRequest, OpenId4VpService

router = APIRouter(tags=["openid4vp"])
router.include_router(openid4vp_page.router)  # the broker's page, /verify/wallet
_log = logging.getLogger(__name__)

ACCESS = problems(401, 403, 429, 503)
NO_STORE = {"Cache-Control": "no-store"}
RequestId = Annotated[str, Path(max_length=64)]
WorkflowName = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
FormText = Annotated[str | None, Form()]


class CreatePresentationRequest(StrictModel):
    """What to ask a wallet for: the credentials a workflow accepts, or a DCQL query of the
    client's own; how the wallet reaches the request and answers it."""

    workflow: WorkflowName | None = Field(
        None, description="a workflow: its accepted credentials, as a DCQL query"
    )
    dcql_query: dict[str, Any] | None = Field(
        None,
        description="a DCQL query (OpenID4VP 1.0 §6) instead of a workflow (clients only)",
    )
    formats: list[Literal["ldp_vc", "jwt_vc_json", "dc+sd-jwt"]] | None = Field(
        None,
        min_length=1,
        max_length=3,
        description="with a workflow, the formats asked for (default: every one checked here)",
    )
    response_mode: Literal["direct_post", "direct_post.jwt"] = Field(
        "direct_post", description="direct_post.jwt: the wallet encrypts its answer"
    )
    request_uri_method: Literal["get", "post"] = "get"
    client_id_prefix: Literal["decentralized_identifier", "redirect_uri"] = Field(
        "decentralized_identifier",
        description="decentralized_identifier: a signed Request Object by reference; "
        "redirect_uri: an unsigned request carried by value in the link",
    )
    expires_in: int | None = Field(None, ge=30, le=3600, description="seconds")


class PresentationRequestView(ApiModel):
    """An authorization request: its state and, once answered, the outcome."""

    id: str = Field(description="the verifier's handle: only it reads the outcome")
    status: str = Field(description="pending, active, complete (accepted) or invalid")
    expired: bool
    created: str
    expires: str
    client_id: str
    response_mode: str
    workflow: str | None = None
    dcql_query: dict[str, Any]
    authorization_request: str | None = Field(
        None, description="the link a wallet opens (while the request is open)"
    )
    request_uri: str | None = None
    response_uri: str | None = None
    qr_code: str | None = Field(None, description="the link's QR code, inline SVG (on creation)")
    completed: str | None = None
    result: dict[str, Any] | None = None
    vp_token: dict[str, Any] | None = Field(None, description="the VP Token as received")


class VerifierMetadataView(ApiModel):
    """This verifier as a wallet sees it."""

    client_id: str
    did: str
    jwks: dict[str, Any]
    client_id_prefixes_supported: list[str]
    response_modes_supported: list[str]
    request_object_signing_alg_values_supported: list[str]
    vp_formats_supported: dict[str, Any]


@router.get(
    "/openid4vp/verifier",
    responses=answer(200, VerifierMetadataView, "the verifier's identity and what it checks"),
)
def verifier_metadata(services: ServicesDep) -> dict[str, Any]:
    """The verifier's ``client_id`` (``decentralized_identifier:`` its did:jwk), its public
    keys (the one signing Request Objects, the one wallets encrypt their answers to), and the
    formats it checks."""
    return services.openid4vp.metadata()


@router.post(
    "/openid4vp/requests",
    status_code=201,
    responses=answer(201, PresentationRequestView, "the new request")
    | ACCESS
    | problems(400, 404, 413, 422),
)
def create_request(
    body: CreatePresentationRequest,
    caller: VerifyingCaller,
    services: ServicesDep,
    response: Response,
) -> dict[str, Any]:
    """Create an OpenID4VP authorization request: its link (and QR code) for the wallet.

    Of a workflow (anyone may, for a public one; its DCQL query asks for any one of the
    credentials it accepts), or of a DCQL query (a ``verify:credentials`` client only).
    Each caller holds a quota of open requests (429 ``TOO_MANY_EXCHANGES``)."""
    created = services.openid4vp.create(
        requester=caller,
        workflow_id=body.workflow,
        dcql_query=body.dcql_query,
        formats=body.formats,
        response_mode=body.response_mode,
        request_uri_method=body.request_uri_method,
        client_id_prefix=body.client_id_prefix,
        lifetime=None if body.expires_in is None else timedelta(seconds=body.expires_in),
    )
    response.headers["Location"] = f"/openid4vp/requests/{created.request.id}"
    response.headers["Cache-Control"] = "no-store"
    return _created_view(created, services.openid4vp)


@router.get(
    "/openid4vp/requests/{request_id}",
    responses=answer(200, PresentationRequestView, "the request") | ACCESS | problems(404, 422),
)
def get_request(
    request_id: RequestId, caller: VerifyingCaller, services: ServicesDep, response: Response
) -> dict[str, Any]:
    """The request's state and, once the wallet answered, the outcome (accepted or not,
    each presentation's checks and verdict, the claims asked for) and the VP Token. A
    client's request is read with that client's token only."""
    response.headers["Cache-Control"] = "no-store"
    return view_of(services.openid4vp.request(request_id, reader=caller), services.openid4vp)


@router.get("/openid4vp/request-objects/{public_id}", include_in_schema=False)
def get_request_object(
    public_id: RequestId, caller: RateLimitedCaller, services: ServicesDep
) -> Response:
    """The signed Request Object (RFC 9101 by reference)."""
    try:
        token = services.openid4vp.signed_request_object(public_id)
    except Oid4vpError as refused:
        return oauth_error(refused)
    return Response(token, media_type=REQUEST_OBJECT_MEDIA_TYPE, headers=NO_STORE)


@router.post("/openid4vp/request-objects/{public_id}", include_in_schema=False)
def post_request_object(
    public_id: RequestId,
    *,
    caller: RateLimitedCaller,
    services: ServicesDep,
    wallet_metadata: FormText = None,
    wallet_nonce: FormText = None,
) -> Response:
    """The signed Request Object for a wallet that POSTed its metadata and nonce
    (``request_uri_method`` ``post``, OpenID4VP 1.0 §5.10)."""
    form = {
        name: value
        for name, value in (("wallet_metadata", wallet_metadata), ("wallet_nonce", wallet_nonce))
        if value is not None
    }
    try:
        wallet = parse_request_uri_post(form)
    except ParsingError as malformed:
        return oauth_error(refusal(malformed))
    try:
        token = services.openid4vp.signed_request_object(public_id, wallet=wallet)
    except Oid4vpError as refused:
        return oauth_error(refused)
    return Response(token, media_type=REQUEST_OBJECT_MEDIA_TYPE, headers=NO_STORE)


@router.post("/openid4vp/responses/{public_id}", include_in_schema=False)
def post_response(
    public_id: RequestId,
    request: Request,
    *,
    caller: RateLimitedCaller,
    services: ServicesDep,
    vp_token: FormText = None,
    state: FormText = None,
    response: FormText = None,
    error: FormText = None,
    error_description: FormText = None,
) -> JSONResponse:
    """The wallet's answer (``direct_post``: form-encoded ``vp_token`` and ``state``, or
    ``response`` for ``direct_post.jwt``, or an error): 200 ``{}`` once recorded, 400 with
    the specification's error when refused (the outcome is recorded all the same once the
    request was used)."""
    parameters = {
        name: value
        for name, value in (
            ("vp_token", vp_token),
            ("state", state),
            ("response", response),
            ("error", error),
            ("error_description", error_description),
        )
        if value is not None
    }
    try:
        outcome = services.openid4vp.answer(public_id, parameters)
    except Oid4vpError as refused:
        return oauth_error(refused)
    verified = sum(max(1, len(entry.result.credentials)) for entry in outcome.presentations)
    if verified > 1:
        charge_verifications(request, caller, verified - 1)
    not_accepted = outcome.refusal()
    if not_accepted is not None:
        return oauth_error(not_accepted)
    return JSONResponse({}, headers=NO_STORE)


def oauth_error(error: Oid4vpError) -> JSONResponse:
    """The refusal a wallet reads: 400 ``{"error", "error_description"}``; the description
    is the public title of the service's code, the detail goes to the log only."""
    _log.info("OpenID4VP refusal (%s): %s", error.error, error)
    body = {"error": error.error, "error_description": message_for(error.code).en}
    return JSONResponse(body, status_code=400, headers=NO_STORE)


def view_of(request: PresentationRequest, service: OpenId4VpService) -> dict[str, Any]:
    """The request as its verifier reads it."""
    view: dict[str, Any] = {
        "id": request.id,
        "status": request.status.value,
        "expired": request.status is ExchangeState.PENDING and not service.is_open(request),
        "created": format_datetime(request.created_at),
        "expires": format_datetime(request.expires_at),
        "clientId": request.client_id,
        "responseMode": request.response_mode,
        "workflow": request.workflow,
        "dcqlQuery": request.dcql_query,
    }
    if service.is_open(request):
        view["authorizationRequest"] = service.links.link(request)
        view["responseUri"] = service.links.response_uri(request)
        if service.links.is_signed(request):
            view["requestUri"] = service.links.request_uri(request)
    if request.completed_at is not None:
        view["completed"] = format_datetime(request.completed_at)
    if request.result is not None:
        view["result"] = json.loads(request.result)
    if request.presentation is not None:
        view["vpToken"] = json.loads(request.presentation)
    return view


def _created_view(created: CreatedRequest, service: OpenId4VpService) -> dict[str, Any]:
    view = view_of(created.request, service)
    if created.qr is not None:
        view["qrCode"] = created.qr.svg
    return view
