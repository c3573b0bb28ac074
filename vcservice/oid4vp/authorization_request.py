"""The Authorization Request (OpenID4VP 1.0 §5): the Request Object, its link, the request_uri.

A cross-device request is a short link (a QR code) carrying only ``client_id`` and
``request_uri`` (and ``request_uri_method``); the wallet fetches the Request Object there,
signed by the verifier (JAR, RFC 9101; ``typ`` ``oauth-authz-req+jwt``) with the key of the
DID its ``client_id`` names (prefix ``decentralized_identifier``). With the ``redirect_uri``
prefix a request cannot be signed (§5.9.3), so the link carries every parameter by value.
A wallet may POST to the ``request_uri`` (``request_uri_method`` ``post``, §5.10) with its
metadata and a ``wallet_nonce`` that the Request Object then repeats.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from vcservice.errors import ParsingError
from vcservice.jose.jws import sign_compact
from vcservice.keys import Signer
from vcservice.oid4vp.dcql import JWT_VC_JSON, LDP_VC, SD_JWT_VC

__all__ = [
    "AUTHORIZATION_ENDPOINT",
    "CLIENT_ID_PREFIXES",
    "DECENTRALIZED_IDENTIFIER",
    "DIRECT_POST",
    "DIRECT_POST_JWT",
    "REDIRECT_URI",
    "REQUEST_OBJECT_MEDIA_TYPE",
    "REQUEST_OBJECT_TYP",
    "REQUEST_URI_METHODS",
    "RESPONSE_MODES",
    "RESPONSE_TYPE",
    "STATIC_AUDIENCE",
    "WalletRequest",
    "authorization_link",
    "build_request_object",
    "by_reference",
    "by_value",
    "client_id_for",
    "client_metadata",
    "parse_request_uri_post",
    "sign_request_object",
]

REQUEST_OBJECT_TYP = "oauth-authz-req+jwt"
REQUEST_OBJECT_MEDIA_TYPE = "application/oauth-authz-req+jwt"
RESPONSE_TYPE = "vp_token"
DIRECT_POST = "direct_post"
DIRECT_POST_JWT = "direct_post.jwt"
RESPONSE_MODES = (DIRECT_POST, DIRECT_POST_JWT)
# §5.8: the audience of a Request Object when the wallet's metadata is not known.
STATIC_AUDIENCE = "https://self-issued.me/v2"
DECENTRALIZED_IDENTIFIER = "decentralized_identifier"
REDIRECT_URI = "redirect_uri"
CLIENT_ID_PREFIXES = (DECENTRALIZED_IDENTIFIER, REDIRECT_URI)
REQUEST_URI_METHODS = ("get", "post")
# §13.1.2: the custom scheme of the static wallet configuration.
AUTHORIZATION_ENDPOINT = "openid4vp://"
ENCRYPTION_VALUES = ("A128GCM", "A256GCM")
MAX_WALLET_METADATA = 16_384
_WALLET_NONCE = re.compile(r"[A-Za-z0-9._~-]{1,256}")
_MALFORMED = "MALFORMED_VALUE_ERROR"

# What this verifier checks, per format, as ``vp_formats_supported`` names it (Appendix B).
_FORMAT_METADATA: Mapping[str, Mapping[str, list[str]]] = {
    LDP_VC: {
        "proof_type_values": [
            "DataIntegrityProof",
            "Ed25519Signature2020",
            "Ed25519Signature2018",
            "JsonWebSignature2020",
        ],
        "cryptosuite_values": ["eddsa-rdfc-2022", "ecdsa-rdfc-2019"],
    },
    JWT_VC_JSON: {"alg_values": ["EdDSA", "ES256", "ES384"]},
    SD_JWT_VC: {},
}


@dataclass(frozen=True, slots=True)
class WalletRequest:
    """What a wallet POSTed to the ``request_uri``: its nonce and metadata, if any."""

    wallet_nonce: str | None = None
    wallet_metadata: Mapping[str, Any] | None = None

    @property
    def audience(self) -> str:
        """The Request Object's ``aud``: the wallet's ``issuer`` if its metadata names one."""
        issuer = (self.wallet_metadata or {}).get("issuer")
        return issuer if isinstance(issuer, str) and issuer else STATIC_AUDIENCE


def client_id_for(prefix: str, *, did: str, response_uri: str) -> str:
    """The ``client_id`` under ``prefix``: the verifier's DID, or its Response URI."""
    if prefix == DECENTRALIZED_IDENTIFIER:
        return f"{DECENTRALIZED_IDENTIFIER}:{did}"
    if prefix == REDIRECT_URI:
        return f"{REDIRECT_URI}:{response_uri}"
    raise ParsingError(
        f"the client_id prefix is one of {', '.join(CLIENT_ID_PREFIXES)}",
        code=_MALFORMED,
        field="clientIdPrefix",
    )


def client_metadata(
    formats: Iterable[str], *, encryption_key: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The verifier's ``client_metadata``: the formats it checks and, when it wants an
    encrypted response, the public JWK to encrypt to (with its ``kid`` and ``alg``)."""
    wanted = sorted(set(formats))
    metadata: dict[str, Any] = {
        "vp_formats_supported": {name: dict(_FORMAT_METADATA[name]) for name in wanted}
    }
    if encryption_key is not None:
        metadata["jwks"] = {"keys": [dict(encryption_key)]}
        metadata["encrypted_response_enc_values_supported"] = list(ENCRYPTION_VALUES)
    return metadata


def build_request_object(
    *,
    client_id: str,
    response_uri: str,
    response_mode: str,
    nonce: str,
    state: str,
    dcql_query: Mapping[str, Any],
    metadata: Mapping[str, Any],
    issued_at: int,
    expires_at: int,
    wallet: WalletRequest | None = None,
) -> dict[str, Any]:
    """The Request Object's claims (§5, with ``response_uri`` of §8.2); ``issued_at`` and
    ``expires_at`` in seconds since the epoch, as JWT claims are."""
    if response_mode not in RESPONSE_MODES:
        raise ParsingError(
            f"the response mode is one of {', '.join(RESPONSE_MODES)}",
            code=_MALFORMED,
            field="responseMode",
        )
    wallet = wallet or WalletRequest()
    claims: dict[str, Any] = {
        "aud": wallet.audience,
        "iat": issued_at,
        "exp": expires_at,
        "client_id": client_id,
        "response_type": RESPONSE_TYPE,
        "response_mode": response_mode,
        "response_uri": response_uri,
        "nonce": nonce,
        "state": state,
        "dcql_query": dict(dcql_query),
        "client_metadata": dict(metadata),
    }
    if wallet.wallet_nonce is not None:
        claims["wallet_nonce"] = wallet.wallet_nonce
    return claims


def sign_request_object(claims: Mapping[str, Any], *, signer: Signer) -> str:
    """The signed Request Object: a compact JWS, ``typ`` ``oauth-authz-req+jwt``, ``kid``
    the verification method of the signer (a DID URL of the ``client_id``'s DID)."""
    return sign_compact(dict(claims), signer=signer, header={"typ": REQUEST_OBJECT_TYP})


def by_reference(client_id: str, request_uri: str, request_uri_method: str) -> dict[str, str]:
    """The parameters of a request passed by reference (``get`` is RFC 9101's default and
    is left out)."""
    if request_uri_method not in REQUEST_URI_METHODS:
        raise ParsingError(
            "request_uri_method is get or post", code=_MALFORMED, field="requestUriMethod"
        )
    parameters = {"client_id": client_id, "request_uri": request_uri}
    if request_uri_method != "get":
        parameters["request_uri_method"] = request_uri_method
    return parameters


def by_value(claims: Mapping[str, Any]) -> dict[str, str]:
    """The parameters of an unsigned request passed by value: objects JSON-serialized
    (§5.1), the JWT-only claims (``aud``, ``iat``, ``exp``) left out."""
    return {
        name: value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
        for name, value in claims.items()
        if name not in ("aud", "iat", "exp")
    }


def authorization_link(
    parameters: Mapping[str, str], *, endpoint: str = AUTHORIZATION_ENDPOINT
) -> str:
    """The link a wallet opens (or a QR code carries): ``endpoint`` with the parameters."""
    return f"{endpoint}?{urlencode(parameters)}"


def parse_request_uri_post(form: Mapping[str, str]) -> WalletRequest:
    """A wallet's POST to the ``request_uri`` (§5.10): ``wallet_nonce`` (URL-safe, at most
    256 characters) and ``wallet_metadata`` (a JSON object), both optional; other
    parameters are ignored. MALFORMED_VALUE_ERROR naming the parameter otherwise."""
    nonce = form.get("wallet_nonce")
    if nonce is not None and not _WALLET_NONCE.fullmatch(nonce):
        raise ParsingError(
            "wallet_nonce is 1–256 URL-safe characters", code=_MALFORMED, field="wallet_nonce"
        )
    metadata = None
    text = form.get("wallet_metadata")
    if text is not None:
        if len(text) > MAX_WALLET_METADATA:
            raise ParsingError(
                f"wallet_metadata is at most {MAX_WALLET_METADATA} characters",
                code=_MALFORMED,
                field="wallet_metadata",
            )
        try:
            metadata = json.loads(text)
        except ValueError:
            metadata = None
        if not isinstance(metadata, dict):
            raise ParsingError(
                "wallet_metadata is a JSON object", code=_MALFORMED, field="wallet_metadata"
            )
    return WalletRequest(wallet_nonce=nonce, wallet_metadata=metadata)
