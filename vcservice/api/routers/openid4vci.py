"""OpenID4VCI 1.0: each authority's Credential Issuer, at its API base ``/issuers/{name}``.

    GET  /.well-known/openid-credential-issuer/issuers/{name}     Credential Issuer Metadata
    GET  /.well-known/oauth-authorization-server/issuers/{name}   RFC 8414 metadata
    POST /issuers/{name}/offers            an officer's offer (issue:credentials), with its
                                           links, QR code and transaction code
    GET  /issuers/{name}/offers/{ref}      the offer by reference (``credential_offer_uri``)
    POST /issuers/{name}/token             pre-authorized code + tx_code -> access token
    POST /issuers/{name}/nonce             a fresh c_nonce
    POST /issuers/{name}/credential        the credential, bound to the proven key

The token, nonce and credential endpoints answer a refused request as OAuth does,
``{"error", "error_description"}`` with the code and status the specifications name
(``OAuthRoute``). Everything else is problem+json; under the organisation's API base
(``/issuers/{name}``) with the traceability-interop profile's ``message``, as every problem
there is (the body guard's included), so an invalid offer is a 400 there, not a 422. The
well-known paths carry the public URL's own path, if it has one, before ``issuers``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Annotated, Any, TypeVar
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from vcservice.api.deps import (
    Caller,
    RateLimitedCaller,
    ServicesDep,
    bearer_of,
    failures_counted,
    require_issuing_scope,
)
from vcservice.api.problems import json_document, problems
from vcservice.api.routers.traceability import ProfileRoute, profile_error
from vcservice.api.schemas import (
    ApiModel,
    DateTimeText,
    ProfileProblem,
    SecuringOptions,
    StrictModel,
)
from vcservice.audit.context import current_request
from vcservice.errors import VcError
from vcservice.model.records import Scope
from vcservice.oid4vci.errors import ErrorCode, ProtocolError, Refusal
from vcservice.oid4vci.metadata import (
    AUTHORIZATION_SERVER_WELL_KNOWN,
    CREDENTIAL_ISSUER_WELL_KNOWN,
)
from vcservice.services.openid4vci import OfferRequest

router = APIRouter(tags=["openid4vci"])
_log = logging.getLogger(__name__)
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
NO_STORE = {"Cache-Control": "no-store"}
# A token or a credential that fails here was guessed or stolen: it spends the address's
# budget of failed authentications (``deps.authentication``), as a wrong token does.
AUTHENTICATION_FAILURES = frozenset({ErrorCode.INVALID_GRANT, ErrorCode.INVALID_TOKEN})
_Answer = TypeVar("_Answer")


class OAuthRoute(APIRoute):
    """Answers a refused request as OAuth 2.0 does, ``{"error", "error_description"}``; what
    is no protocol refusal (an unknown issuer, a rate limit, the database) as a problem with
    the traceability-interop profile's ``message``, as every endpoint under an organisation's
    API base answers."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The route's handler, its ``ProtocolError`` answered with the spec's code."""
        handler = super().get_route_handler()

        async def oauth_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except ProtocolError as error:
                return oauth_error(error)
            except VcError as error:  # under the API base, a problem as the profile words it
                return profile_error(error)

        return oauth_handler


def oauth_error(error: ProtocolError) -> JSONResponse:
    """The error response of a refusal: its spec code, status and fixed description (the
    internal detail goes to the log, with the request's id), never cached. A 401 or 403
    says why in ``WWW-Authenticate`` (RFC 6750 §3), but not when no token was sent."""
    answer = error.answer
    context = current_request()
    _log.info(
        "OpenID4VCI request %s refused (%s): %s",
        context.request_id if context is not None else "-",
        error.refusal.value,
        error.detail or "-",
    )
    headers = dict(NO_STORE)
    if answer.status in (401, 403):
        headers["WWW-Authenticate"] = (
            "Bearer"
            if error.refusal is Refusal.TOKEN_MISSING
            else f'Bearer error="{answer.error.value}", error_description="{answer.description}"'
        )
    body = {"error": answer.error.value, "error_description": answer.description}
    return JSONResponse(body, status_code=answer.status, headers=headers)


wallet = APIRouter(route_class=OAuthRoute)
# Marks in the OpenAPI the operations whose refusals are OAuth 2.0 errors (application/json
# ``{error, error_description}``), not problems.
OAUTH_ERRORS = "x-oauth-errors"
_OAUTH_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {"type": "string", "examples": ["invalid_proof"]},
        "error_description": {"type": "string"},
    },
}
OAUTH_ERROR = {
    "description": "refused: an OAuth 2.0 or OpenID4VCI error code and its description",
    "content": {JSON: {"schema": _OAUTH_SCHEMA}},
}
# Under an organisation's API base (/issuers/{name}), a problem carries the traceability-
# interop profile's ``message``: the body guard answers every path there so (a body that
# is no JSON, or too large), and the routes here answer their own problems so too.
OAUTH_OR_PROFILE = {
    "description": "refused: an OAuth 2.0 or OpenID4VCI error code, or a problem for a body "
    "that is no JSON",
    "content": OAUTH_ERROR["content"] | problems(400, schema=ProfileProblem)[400]["content"],
}
officer = APIRouter(route_class=ProfileRoute)


def _profile(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return problems(*statuses, schema=ProfileProblem)


# ---------------------------------------------------------------- metadata


@router.get(
    CREDENTIAL_ISSUER_WELL_KNOWN + "/{path:path}",
    summary="An authority's Credential Issuer Metadata (OpenID4VCI 1.0 §12.2)",
    response_class=Response,
    responses=json_document(JSON) | problems(404, 503),
)
def credential_issuer_metadata(path: str, services: ServicesDep) -> Response:
    """The metadata of the Credential Issuer ``<public URL>/issuers/{name}``: a credential
    configuration per certificate type it issues and format (``dc+sd-jwt``, ``jwt_vc_json``,
    ``ldp_vc``), named in Spanish and English, with its nonce and credential endpoints."""
    issuer = services.openid4vci
    return _document(issuer.metadata(issuer.issuer_named_at(path)))


@router.get(
    AUTHORIZATION_SERVER_WELL_KNOWN + "/{path:path}",
    summary="An authority's Authorization Server Metadata (RFC 8414)",
    response_class=Response,
    responses=json_document(JSON) | problems(404, 503),
)
def authorization_server_metadata(path: str, services: ServicesDep) -> Response:
    """The Credential Issuer as its own Authorization Server: its token endpoint and the
    pre-authorized code grant, without client authentication."""
    issuer = services.openid4vci
    return _document(issuer.authorization_server_metadata(issuer.issuer_named_at(path)))


def _document(document: dict[str, Any]) -> Response:
    return JSONResponse(document, headers={"Cache-Control": "public, max-age=300"})


# ---------------------------------------------------------------- the officer's offer


class CredentialOfferCreate(StrictModel):
    """An offer of one certificate to the company's wallet: the body of
    ``POST /certificates/{slug}`` and the credential configurations to offer it in."""

    credential_configuration_ids: list[str] = Field(
        min_length=1,
        max_length=3,
        description="configurations of one certificate type, from the issuer's metadata",
        examples=[["CTPATCertificate_sd_jwt_vc", "CTPATCertificate_ldp_vc"]],
    )
    certificate: dict[str, Any] = Field(
        description="the certificate data, as POST /certificates/{slug} takes it; member.id "
        "may be left out: the wallet's key becomes the holder"
    )
    valid_from: DateTimeText | None = Field(None, description="default: when it is issued")
    valid_until: DateTimeText = Field(description="end of the certificate's validity")
    options: SecuringOptions = Field(
        default_factory=SecuringOptions,
        description="accepted as POST /certificates/{slug} takes it, and ignored: each "
        "configuration decides the format",
    )


class CredentialOfferCreated(ApiModel):
    """A new offer: hand ``offerLink`` (or its QR code) to the company, and ``txCode`` by
    another channel; the code is shown only now."""

    offer_id: str
    credential_offer: dict[str, Any] = Field(description="the Credential Offer object")
    credential_offer_uri: str = Field(description="where a wallet fetches it by reference")
    offer_link: str = Field(description="openid-credential-offer://?credential_offer_uri=…")
    offer_link_by_value: str = Field(description="openid-credential-offer://?credential_offer=…")
    tx_code: str = Field(description="the transaction code the wallet will ask for")
    expires_at: datetime
    qr_code_svg: str = Field(description="offerLink as a QR code, inline SVG")


def _officer(
    name: str, caller: Annotated[Caller, Depends(require_issuing_scope(Scope.ISSUE))]
) -> Caller:
    """An issuing client of authority ``name`` (FORBIDDEN for another authority's)."""
    if caller.authority.name != name:
        raise VcError(
            f"the access token is for authority {caller.authority.name}, not {name}",
            code="FORBIDDEN",
            field="Authorization",
        )
    return caller


@officer.post(
    "/issuers/{name}/offers",
    status_code=201,
    summary="Offer a certificate to the company's wallet (OpenID4VCI pre-authorized code)",
    response_model=CredentialOfferCreated,
    responses=_profile(400, 401, 403, 404, 413, 429, 503),
)
def create_offer(
    body: CredentialOfferCreate,
    caller: Annotated[Caller, Depends(_officer)],
    services: ServicesDep,
) -> JSONResponse:
    """A single-use offer of the certificate, valid for ``OPENID4VCI_OFFER_SECONDS``: the
    data is checked now as it will be issued. The wallet redeems it with the transaction
    code, which is returned only here."""
    created = services.openid4vci.create_offer(
        caller.authority,
        OfferRequest(
            configuration_ids=tuple(body.credential_configuration_ids),
            certificate=body.certificate,
            valid_from=body.valid_from,
            valid_until=body.valid_until,
        ),
    )
    view = CredentialOfferCreated(
        offer_id=created.offer.id,
        credential_offer=created.credential_offer,
        credential_offer_uri=created.offer_uri,
        offer_link=created.link_by_reference,
        offer_link_by_value=created.link_by_value,
        tx_code=created.tx_code,
        expires_at=created.offer.expires_at,
        qr_code_svg=created.qr_svg,
    )
    return JSONResponse(view.model_dump(by_alias=True, mode="json"), 201, headers=NO_STORE)


@officer.get(
    "/issuers/{name}/offers/{reference}",
    summary="A credential offer by reference (credential_offer_uri)",
    response_class=Response,
    responses=json_document(JSON) | _profile(400, 404, 429, 503),
)
def offer_by_reference(
    name: str, reference: str, caller: RateLimitedCaller, services: ServicesDep
) -> Response:
    """The Credential Offer object, while its pre-authorized code can be redeemed."""
    return JSONResponse(services.openid4vci.offer_by_reference(name, reference), headers=NO_STORE)


# ---------------------------------------------------------------- the wallet's requests


@wallet.post(
    "/issuers/{name}/token",
    summary="Token endpoint: pre-authorized code and tx_code for an access token",
    response_class=Response,
    responses=json_document(JSON) | _profile(404, 413, 429, 503) | {400: OAUTH_OR_PROFILE},
    openapi_extra={
        OAUTH_ERRORS: True,
        "requestBody": {
            "required": True,
            "content": {
                FORM: {
                    "schema": {
                        "type": "object",
                        "required": ["grant_type", "pre-authorized_code", "tx_code"],
                        "properties": {
                            "grant_type": {
                                "type": "string",
                                "enum": ["urn:ietf:params:oauth:grant-type:pre-authorized_code"],
                            },
                            "pre-authorized_code": {"type": "string"},
                            "tx_code": {"type": "string"},
                        },
                    }
                }
            },
        },
    },
)
async def token(
    name: str, request: Request, caller: RateLimitedCaller, services: ServicesDep
) -> Response:
    """Redeem an offer's pre-authorized code once, with its transaction code (a wrong one
    counts; too many lock the offer): a Bearer token for the offered credentials."""
    if _media_type(request) != FORM:
        raise ProtocolError(Refusal.NOT_A_FORM)
    try:
        form = parse_qs((await request.body()).decode("utf-8"), keep_blank_values=True)
    except (UnicodeDecodeError, ValueError):
        raise ProtocolError(Refusal.NOT_A_FORM, "the form is not UTF-8") from None
    answer = await run_in_threadpool(
        _counting_failures, request, lambda: services.openid4vci.token(name, form)
    )
    return JSONResponse(answer, headers=NO_STORE | {"Pragma": "no-cache"})


@wallet.post(
    "/issuers/{name}/nonce",
    summary="Nonce endpoint: a fresh c_nonce for a key proof",
    response_class=Response,
    openapi_extra={OAUTH_ERRORS: True},
    responses=json_document(JSON) | _profile(400, 404, 413, 429, 503),
)
def nonce(name: str, caller: RateLimitedCaller, services: ServicesDep) -> Response:
    """A single-use ``c_nonce``, valid for five minutes, to put in one key proof."""
    return JSONResponse(services.openid4vci.nonce(name), headers=NO_STORE)


@wallet.post(
    "/issuers/{name}/credential",
    summary="Credential endpoint: an offered credential, bound to the proven key",
    response_class=Response,
    responses=json_document(JSON)
    | _profile(404, 413, 429, 503)
    | {400: OAUTH_OR_PROFILE, 401: OAUTH_ERROR, 403: OAUTH_ERROR},
    openapi_extra={
        OAUTH_ERRORS: True,
        "requestBody": {
            "required": True,
            "content": {JSON: {"schema": {"type": "object"}}},
        },
    },
)
async def credential(
    name: str, request: Request, caller: RateLimitedCaller, services: ServicesDep
) -> Response:
    """With the access token: ``credential_configuration_id`` (one of the offer's) and
    ``proofs.jwt`` (one ``openid4vci-proof+jwt`` over a fresh ``c_nonce``, for this issuer);
    answers ``{"credentials": [{"credential": …}]}``."""
    token = bearer_of(request.headers.get("authorization", ""))
    body: Any = None
    if _media_type(request) == JSON:
        try:
            body = json.loads(await request.body())
        except ValueError:  # the body guard refuses what is no JSON; this is a backstop
            body = None
    answer = await run_in_threadpool(
        _counting_failures, request, lambda: services.openid4vci.credential(name, token, body)
    )
    return JSONResponse(answer, headers=NO_STORE)


router.include_router(officer)
router.include_router(wallet)


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _counting_failures(request: Request, answer: Callable[[], _Answer]) -> _Answer:
    """``answer()``, within the address's budget of failed authentications: refused
    (RATE_LIMITED) when it is spent; a guessed code or token spends one."""
    with failures_counted(request, _authentication_failed):
        return answer()


def _authentication_failed(error: Exception) -> bool:
    return isinstance(error, ProtocolError) and error.answer.error in AUTHENTICATION_FAILURES
