"""OAuth 2.0 client credentials grant (RFC 6749 §4.4): short-lived access tokens.

The token request is a form (RFC 6749 §4.4.2) or, as traceability-interop clients send it,
the same members as a JSON object. ``scope`` present but empty asks for a token without
any scope (whose calls are then refused 403); ``scope`` absent, for all the client's
scopes. ``audience`` (Auth0-style) is accepted and ignored: a token's audience is always
this service.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any
from urllib.parse import parse_qs, unquote_plus

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from vcservice.api.deps import ServicesDep, authentication, rate_limiter
from vcservice.api.problems import problems
from vcservice.api.schemas import TokenResponse
from vcservice.errors import VcError
from vcservice.services.access import parse_scope
from vcservice.services.container import Services

router = APIRouter(tags=["oauth"])
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
_MEMBERS: dict[str, Any] = {
    "type": "object",
    "required": ["grant_type"],
    "properties": {
        "grant_type": {"type": "string", "enum": ["client_credentials"]},
        "client_id": {"type": "string"},
        "client_secret": {"type": "string"},
        "scope": {
            "type": "string",
            "description": "space-separated; empty for no scope, absent for all the client's",
            "example": "issue:credentials read:credentials",
        },
        "audience": {"type": "string", "description": "accepted and ignored"},
    },
}


@router.post(
    "/oauth/token",
    response_model=TokenResponse,
    responses=problems(400, 401, 413, 415, 429, 503),
    openapi_extra={
        "requestBody": {
            "content": {FORM: {"schema": _MEMBERS}, JSON: {"schema": _MEMBERS}},
            "required": True,
        }
    },
)
async def token(request: Request, services: ServicesDep) -> TokenResponse:
    """Exchange client credentials (HTTP Basic, or form or JSON members) for a Bearer token."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == FORM:
        form = _form(await request.body())
    elif media_type == JSON:
        form = _json_members(await request.body())
    else:
        raise VcError(
            f"the token request must be {FORM} or {JSON}",
            code="UNSUPPORTED_MEDIA_TYPE",
            field="Content-Type",
        )
    if form.get("grant_type") != "client_credentials":
        raise VcError(
            "only grant_type=client_credentials is supported",
            code="PARSING_ERROR",
            field="grant_type",
        )
    # The rate limits and the secret's (legacy, slow) hash touch the database: off the loop.
    return await run_in_threadpool(_authorised_grant, request, services, form)


def _authorised_grant(request: Request, services: Services, form: dict[str, str]) -> TokenResponse:
    """The token for the client the request authenticates, within its rates.

    Failed authentications are counted per address, grants per client; both are checked
    before the secret is, so an exhausted caller is refused even with the right secret.
    """
    grants = rate_limiter(request, "token_limiter")
    with authentication(request):
        client_id, secret = _credentials(request, form)
        if grants is not None:
            grants.check("client:" + client_id)
        granted = _grant(services, client_id, secret, form.get("scope"))
    if grants is not None:
        grants.take("client:" + client_id)
    return granted


def _grant(services: Services, client_id: str, secret: str, requested: str | None) -> TokenResponse:
    client = services.clients.authenticate(client_id, secret)
    scopes = parse_scope(requested) if requested is not None else None
    access_token, expires_in = services.tokens.issue(client, scopes)
    granted = scopes if scopes is not None else client.scopes
    return TokenResponse(
        access_token=access_token, expires_in=expires_in, scope=" ".join(sorted(granted))
    )


def _form(body: bytes) -> dict[str, str]:
    """The form's members; an empty one (``scope=``) is kept, as the empty string."""
    try:
        parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body))
    except (UnicodeDecodeError, ValueError) as exc:
        raise VcError("the form body is malformed", code="PARSING_ERROR", field="body") from exc
    return {name: values[0] for name, values in parsed.items()}


def _json_members(body: bytes) -> dict[str, str]:
    """The members of a JSON token request: an object of strings (PARSING_ERROR naming the
    first member that is not one)."""
    try:
        members = json.loads(body)
    except ValueError as exc:  # the body guard has refused what is no JSON; this is a backstop
        raise VcError("the body is not JSON", code="PARSING_ERROR", field="body") from exc
    if not isinstance(members, dict):
        raise VcError("the token request must be a JSON object", code="PARSING_ERROR", field="body")
    for name, value in members.items():
        if not isinstance(value, str):
            raise VcError(f"{name} must be a string", code="PARSING_ERROR", field=name)
    return members


def _credentials(request: Request, form: dict[str, str]) -> tuple[str, str]:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            client_id, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise VcError(
                "malformed Basic credentials", code="INVALID_CLIENT", field="Authorization"
            ) from exc
        return unquote_plus(client_id), unquote_plus(secret)
    if "client_id" in form and "client_secret" in form:
        return form["client_id"], form["client_secret"]
    raise VcError("client authentication is required", code="INVALID_CLIENT", field="client_id")
