"""Credential Issuer Metadata (OpenID4VCI 1.0 §12.2) and the Authorization Server's (RFC 8414).

Each authority is a Credential Issuer of its own, identified by its API base URL, and its
own Authorization Server (so ``authorization_servers`` is omitted, §12.2.4): the only grant
is the pre-authorized code, without client authentication. Both documents are published
at the well-known path inserted between the identifier's host and its path (§12.2.2,
RFC 8414 §3).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from vcservice.jose.jws import ALGORITHM_BY_KEY_TYPE
from vcservice.oid4vci.certificates import Display

__all__ = [
    "AUTHORIZATION_SERVER_WELL_KNOWN",
    "CREDENTIAL_ISSUER_WELL_KNOWN",
    "FORMATS",
    "JWT_VC_JSON",
    "LDP_VC",
    "PRE_AUTHORIZED_CODE_GRANT",
    "PROOF_ALGORITHMS",
    "SD_JWT_VC",
    "CredentialConfiguration",
    "IssuerEndpoints",
    "build_authorization_server_metadata",
    "build_credential_issuer_metadata",
    "configuration_id",
    "well_known_url",
]

SD_JWT_VC = "dc+sd-jwt"
JWT_VC_JSON = "jwt_vc_json"
LDP_VC = "ldp_vc"
FORMATS = (SD_JWT_VC, JWT_VC_JSON, LDP_VC)
_ID_SUFFIXES = {SD_JWT_VC: "sd_jwt_vc", JWT_VC_JSON: "jwt_vc_json", LDP_VC: "ldp_vc"}
PRE_AUTHORIZED_CODE_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
JWT_PROOF = "jwt"
CREDENTIAL_ISSUER_WELL_KNOWN = "/.well-known/openid-credential-issuer"
AUTHORIZATION_SERVER_WELL_KNOWN = "/.well-known/oauth-authorization-server"
# The algorithms of the key proofs this issuer verifies: those of the keys it signs with.
PROOF_ALGORITHMS: tuple[str, ...] = tuple(dict.fromkeys(ALGORITHM_BY_KEY_TYPE.values()))


def configuration_id(credential_type: str, credential_format: str) -> str:
    """The credential configuration id of a type in a format: ``CTPATCertificate_sd_jwt_vc``."""
    return f"{credential_type}_{_ID_SUFFIXES[credential_format]}"


@dataclass(frozen=True, slots=True)
class CredentialConfiguration:
    """One entry of ``credential_configurations_supported``.

    ``types`` (and for ``ldp_vc`` ``contexts``) make the W3C formats' ``credential_definition``;
    ``vct`` is the SD-JWT VC type. ``binding_methods`` name the holder keys the credential is
    bound to (``jwk``, ``did:jwk``, ``did:key``); ``signing_algorithms`` those the issuer signs
    it with (omitted when empty).
    """

    id: str
    format: str
    credential_type: str
    display: tuple[Display, ...]
    binding_methods: tuple[str, ...]
    types: tuple[str, ...] = ()
    contexts: tuple[str, ...] = ()
    vct: str | None = None
    signing_algorithms: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The configuration as the metadata carries it."""
        document: dict[str, Any] = {
            "format": self.format,
            "scope": self.id,
            "cryptographic_binding_methods_supported": list(self.binding_methods),
        }
        if self.signing_algorithms:
            document["credential_signing_alg_values_supported"] = list(self.signing_algorithms)
        document["proof_types_supported"] = {
            JWT_PROOF: {"proof_signing_alg_values_supported": list(PROOF_ALGORITHMS)}
        }
        if self.format == SD_JWT_VC:
            document["vct"] = self.vct
        else:
            definition: dict[str, Any] = {"type": list(self.types)}
            if self.format == LDP_VC:
                definition = {"@context": list(self.contexts), **definition}
            document["credential_definition"] = definition
        document["credential_metadata"] = {"display": [entry.to_json() for entry in self.display]}
        return document


@dataclass(frozen=True, slots=True)
class IssuerEndpoints:
    """A Credential Issuer's identifier and the endpoints under it."""

    credential_issuer: str

    @property
    def token_endpoint(self) -> str:
        """The token endpoint (the issuer is its own Authorization Server)."""
        return f"{self.credential_issuer}/token"

    @property
    def nonce_endpoint(self) -> str:
        """The nonce endpoint (§7)."""
        return f"{self.credential_issuer}/nonce"

    @property
    def credential_endpoint(self) -> str:
        """The credential endpoint (§8)."""
        return f"{self.credential_issuer}/credential"

    def offer_uri(self, reference: str) -> str:
        """Where a wallet fetches an offer by reference (``credential_offer_uri``, §4.1.3)."""
        return f"{self.credential_issuer}/offers/{reference}"


def build_credential_issuer_metadata(
    endpoints: IssuerEndpoints,
    *,
    display_name: str,
    configurations: Sequence[CredentialConfiguration],
) -> dict[str, Any]:
    """The Credential Issuer Metadata document (unsigned, ``application/json``)."""
    return {
        "credential_issuer": endpoints.credential_issuer,
        "credential_endpoint": endpoints.credential_endpoint,
        "nonce_endpoint": endpoints.nonce_endpoint,
        "display": [{"name": display_name}],
        "credential_configurations_supported": {
            configuration.id: configuration.to_json() for configuration in configurations
        },
    }


def build_authorization_server_metadata(endpoints: IssuerEndpoints) -> dict[str, Any]:
    """The RFC 8414 metadata of the issuer as its own Authorization Server: the
    pre-authorized code grant, anonymous (no client authentication), and nothing else.
    ``response_types_supported`` is omitted, as §12.2.4 allows a server of this grant only."""
    return {
        "issuer": endpoints.credential_issuer,
        "token_endpoint": endpoints.token_endpoint,
        "grant_types_supported": [PRE_AUTHORIZED_CODE_GRANT],
        "token_endpoint_auth_methods_supported": ["none"],
        "pre-authorized_grant_anonymous_access_supported": True,
    }


def well_known_url(identifier: str, well_known: str) -> str:
    """Where the document of ``well_known`` for ``identifier`` is: the well-known path
    inserted between the host and the path (``https://h/.well-known/x/issuers/sat``)."""
    parts = urlsplit(identifier)
    path = parts.path.rstrip("/")
    return urlunsplit((parts.scheme, parts.netloc, well_known + path, "", ""))
