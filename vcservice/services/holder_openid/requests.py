"""The verifier's authorization request: read from its link, its Request Object fetched
and verified, and checked for what this wallet needs to answer it."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vcservice.clock import Clock
from vcservice.dids.resolver import DidResolver, dereference_verification_method
from vcservice.errors import ParsingError, VcError
from vcservice.jose.jws import decode_compact
from vcservice.net.guarded_client import GuardedHttpClient
from vcservice.oid4vp.authorization_request import (
    DECENTRALIZED_IDENTIFIER,
    DIRECT_POST,
    DIRECT_POST_JWT,
    REDIRECT_URI,
    REQUEST_OBJECT_TYP,
    RESPONSE_TYPE,
    STATIC_AUDIENCE,
)
from vcservice.oid4vp.dcql import DcqlQuery, parse_dcql_query
from vcservice.services.holder_openid.parsing import (
    _MALFORMED,
    MAX_LINK,
    _json_object,
    _link_parameters,
    _oauth_error,
    _object,
    _single,
)

REQUEST_OBJECT_MEDIA_TYPES = ("application/oauth-authz-req+jwt", "application/jwt")
ENCRYPTIONS = ("A128GCM", "A256GCM")


@dataclass(frozen=True)
class _Request:
    """A verified authorization request: its parameters, and whether it was signed."""

    client_id: str
    parameters: Mapping[str, Any]
    signed: bool


def _authorization_request(
    link: str, *, http: GuardedHttpClient, resolver: DidResolver, clock: Clock
) -> _Request:
    """The request a link names: its Request Object fetched and verified, or (with the
    ``redirect_uri`` prefix) its parameters by value."""
    if len(link) > MAX_LINK:
        raise ParsingError(f"a request link is at most {MAX_LINK} characters", field="request")
    raw = _link_parameters(link.strip(), "request")
    client_id = _single(raw, "client_id", "request")
    if "request_uri" in raw:
        parameters = _request_object(client_id, raw, http=http, resolver=resolver, clock=clock)
        signed = True
    elif "request" in raw:
        raise ParsingError(
            "a Request Object by value is not taken: pass it by request_uri",
            code=_MALFORMED,
            field="request",
        )
    else:
        parameters = {name: _single(raw, name, "request") for name in raw}
        for name in ("dcql_query", "client_metadata"):
            if name in parameters:
                parameters[name] = _json_object(parameters[name], f"request.{name}")
        if not client_id.startswith(f"{REDIRECT_URI}:"):
            raise ParsingError(
                "an unsigned request by value is taken only with the redirect_uri prefix",
                code=_MALFORMED,
                field="request.client_id",
            )
        signed = False
    _check_request(client_id, parameters, signed=signed)
    return _Request(client_id, parameters, signed)


def _request_object(
    client_id: str,
    raw: Mapping[str, list[str]],
    *,
    http: GuardedHttpClient,
    resolver: DidResolver,
    clock: Clock,
) -> dict[str, Any]:
    """The Request Object at ``request_uri``, signed by a key of the ``client_id``'s DID."""
    prefix, _, did = client_id.partition(":")
    if prefix != DECENTRALIZED_IDENTIFIER or not did.startswith("did:"):
        raise ParsingError(
            f"this wallet takes signed requests of a {DECENTRALIZED_IDENTIFIER}: client_id "
            f"only, not {client_id[:100]!r}",
            code=_MALFORMED,
            field="request.client_id",
        )
    uri = _single(raw, "request_uri", "request")
    method = raw.get("request_uri_method", ["get"])[0].lower()
    headers = {"Accept": REQUEST_OBJECT_MEDIA_TYPES[0]}
    wallet_nonce = None
    if method == "post":
        wallet_nonce = secrets.token_urlsafe(16)
        answer = http.send("POST", uri, form={"wallet_nonce": wallet_nonce}, headers=headers)
    elif method == "get":
        answer = http.send("GET", uri, headers=headers)
    else:
        raise ParsingError("request_uri_method is get or post", code=_MALFORMED, field="request")
    if answer.status != 200 or answer.media_type not in REQUEST_OBJECT_MEDIA_TYPES:
        why = _oauth_error(answer) or f"HTTP {answer.status}, {answer.media_type or 'no type'}"
        raise VcError(
            f"the verifier gave no Request Object at {uri}: {why}",
            code="FETCH_FAILED",
            field="request",
        )
    token = answer.text().strip()
    jws = decode_compact(token)
    if jws.header.get("typ") != REQUEST_OBJECT_TYP:
        raise ParsingError(
            f"the Request Object's typ is not {REQUEST_OBJECT_TYP}",
            code=_MALFORMED,
            field="request.typ",
        )
    kid = jws.header.get("kid")
    if not isinstance(kid, str) or kid.partition("#")[0] != did or "#" not in kid:
        raise VcError(
            f"the Request Object's kid must be a key of {did}",
            code="PROOF_VERIFICATION_ERROR",
            field="request.kid",
        )
    _, verification_method = dereference_verification_method(resolver, kid)
    jws.verify_with(verification_method.public_key)
    claims = _object(jws.payload_json(), "request")
    if claims.get("client_id") != client_id:
        raise VcError(
            "the Request Object's client_id is not the link's",
            code="PROOF_VERIFICATION_ERROR",
            field="request.client_id",
        )
    if wallet_nonce is not None and claims.get("wallet_nonce") != wallet_nonce:
        raise VcError(
            "the Request Object does not repeat this wallet's wallet_nonce",
            code="PROOF_VERIFICATION_ERROR",
            field="request.wallet_nonce",
        )
    audience = claims.get("aud", STATIC_AUDIENCE)
    if audience != STATIC_AUDIENCE and not (
        isinstance(audience, list) and STATIC_AUDIENCE in audience
    ):
        raise ParsingError(
            f"the Request Object is for {audience!r}, not {STATIC_AUDIENCE}",
            code=_MALFORMED,
            field="request.aud",
        )
    expires = claims.get("exp")
    if isinstance(expires, int | float) and expires <= clock.now().timestamp():
        raise ParsingError("the Request Object expired", code=_MALFORMED, field="request.exp")
    return claims


def _check_request(client_id: str, parameters: Mapping[str, Any], *, signed: bool) -> None:
    """What this wallet needs of a request: a vp_token by direct_post(.jwt) to a Response
    URI, a nonce, a DCQL query; by value, the client_id is the Response URI."""
    if parameters.get("response_type") != RESPONSE_TYPE:
        raise ParsingError(
            f"response_type must be {RESPONSE_TYPE}", code=_MALFORMED, field="request.response_type"
        )
    if parameters.get("response_mode") not in (DIRECT_POST, DIRECT_POST_JWT):
        raise ParsingError(
            f"this wallet answers by {DIRECT_POST} or {DIRECT_POST_JWT} only",
            code=_MALFORMED,
            field="request.response_mode",
        )
    uri = parameters.get("response_uri")
    if not isinstance(uri, str) or not uri.startswith(("https://", "http://")):
        raise ParsingError(
            "the request names no response_uri", code=_MALFORMED, field="request.response_uri"
        )
    if not signed and client_id != f"{REDIRECT_URI}:{uri}":
        raise ParsingError(
            "with the redirect_uri prefix the client_id is the response_uri",
            code=_MALFORMED,
            field="request.client_id",
        )
    nonce = parameters.get("nonce")
    if not isinstance(nonce, str) or not nonce:
        raise ParsingError("the request has no nonce", code=_MALFORMED, field="request.nonce")
    if not isinstance(parameters.get("dcql_query"), Mapping):
        raise ParsingError(
            "the request has no dcql_query (this wallet reads DCQL only)",
            code=_MALFORMED,
            field="request.dcql_query",
        )


def _dcql_query(raw: Any) -> DcqlQuery:
    """The request's DCQL query. What a verifier may ask that only it can act on is left
    out: this wallet binds every presentation to the holder anyway, and leaves the
    verifier's ``trusted_authorities`` for the verifier to check."""
    body = dict(raw) if isinstance(raw, Mapping) else raw
    if isinstance(body, dict) and isinstance(body.get("credentials"), list):
        body["credentials"] = [
            {
                name: value
                for name, value in entry.items()
                if name not in ("trusted_authorities", "require_cryptographic_holder_binding")
            }
            if isinstance(entry, Mapping)
            else entry
            for entry in body["credentials"]
        ]
    try:
        return parse_dcql_query(body)
    except ParsingError as error:
        field = f"request.{error.field}" if error.field else "request.dcql_query"
        raise ParsingError(error.message, code=error.code, field=field) from None


def _encryption_key(parameters: Mapping[str, Any]) -> tuple[Mapping[str, Any], str]:
    """The verifier's key to encrypt a ``direct_post.jwt`` response to, and the ``enc``."""
    metadata = parameters.get("client_metadata")
    metadata = metadata if isinstance(metadata, Mapping) else {}
    jwks = metadata.get("jwks")
    keys = jwks.get("keys") if isinstance(jwks, Mapping) else None
    key = next(
        (
            key
            for key in keys or ()
            if isinstance(key, Mapping)
            and key.get("kty") == "EC"
            and key.get("use", "enc") == "enc"
        ),
        None,
    )
    if key is None:
        raise ParsingError(
            "a direct_post.jwt request names no EC key to encrypt to in client_metadata.jwks",
            code=_MALFORMED,
            field="request.client_metadata",
        )
    offered = metadata.get("encrypted_response_enc_values_supported") or [ENCRYPTIONS[0]]
    encryption = next((enc for enc in offered if enc in ENCRYPTIONS), None)
    if encryption is None:
        raise ParsingError(
            f"this wallet encrypts with {' or '.join(ENCRYPTIONS)} only",
            code=_MALFORMED,
            field="request.client_metadata",
        )
    return key, encryption
