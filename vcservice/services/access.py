"""Access control: OAuth2 clients, JWT access tokens and the admin token.

Clients use the client-credentials grant (RFC 6749 §4.4): only a keyed digest of their
secret is stored (``custody.secret_digest``), and the admin token is compared through
keyed digests too. The token endpoint issues short-lived JWT access tokens (RFC 9068,
``typ: at+jwt``) signed with the service's own token key, which is unrelated to the
authorities' credential-signing keys. Error codes (``VcError.code``):

    INVALID_CLIENT       unknown client or wrong secret (RFC 6749 §5.2 invalid_client)
    INVALID_SCOPE        a token request or new client names scopes it may not have
    INVALID_TOKEN        malformed, badly signed, expired or foreign access token (RFC 6750)
    INSUFFICIENT_SCOPE   a valid token that lacks the scope or authority a request needs
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Set
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vcservice.clock import Clock
from vcservice.custody import SecretDigester, SecretPurpose, ensure_secret_file
from vcservice.errors import KeyFormatError, ParsingError, ProofError, VcError
from vcservice.jose.jws import decode_compact, sign_compact
from vcservice.keys import KeyFile, KeyPair, KeyPairSigner, KeyType, PublicKey, load_key_file
from vcservice.keys.multibase import base64url_encode
from vcservice.model.records import Client, Scope
from vcservice.storage.repository import ClientRepository

INVALID_CLIENT = "INVALID_CLIENT"
INVALID_SCOPE = "INVALID_SCOPE"
INVALID_TOKEN = "INVALID_TOKEN"  # noqa: S105  (an error code)
INSUFFICIENT_SCOPE = "INSUFFICIENT_SCOPE"

ACCESS_TOKEN_TYP = "at+jwt"  # noqa: S105  (a media type)
CLOCK_LEEWAY_SECONDS = 30
ADMIN_TOKEN_FILE = "admin-token"  # noqa: S105  (a file name)
MIN_ADMIN_TOKEN_LENGTH = 32


# Clients


def generate_client_secret() -> str:
    """A fresh random client secret (256 bits, base64url)."""
    return secrets.token_urlsafe(32)


def parse_scope(value: str) -> frozenset[Scope]:
    """Parse a space-separated ``scope`` value (RFC 6749 §3.3); INVALID_SCOPE if unknown."""
    try:
        return frozenset(Scope(name) for name in value.split())
    except ValueError:
        known = ", ".join(Scope)
        raise VcError(
            f"unknown scope in {value[:200]!r} (known: {known})", code=INVALID_SCOPE, field="scope"
        ) from None


def new_client(
    *, authority: str, scopes: Set[Scope], clock: Clock, digests: SecretDigester
) -> tuple[Client, str]:
    """A new client of ``authority`` and its secret, which the client record does not keep.

    The caller checks that the authority exists and stores the client.
    """
    if not scopes:
        raise VcError("a client needs at least one scope", code=INVALID_SCOPE, field="scopes")
    secret = generate_client_secret()
    client_id = f"{authority}-{secrets.token_hex(8)}"
    client = Client(
        client_id=client_id,
        authority=authority,
        secret_hash=digests.digest(secret, purpose=SecretPurpose.CLIENT_SECRET, owner=client_id),
        scopes=frozenset(scopes),
        created_at=clock.now(),
    )
    return client, secret


def authenticate_client(
    clients: ClientRepository, client_id: str, secret: str, *, digests: SecretDigester
) -> Client:
    """The client whose id and secret these are, or INVALID_CLIENT.

    One look-up and one keyed digest, whether or not the client exists. A secret stored
    as a scrypt hash (before keyed digests) is checked against it once and its digest
    stored instead.
    """
    client = clients.get(client_id)
    check = digests.check(
        secret,
        client.secret_hash if client is not None else None,
        purpose=SecretPurpose.CLIENT_SECRET,
        owner=client_id,
    )
    if client is None or not check.matches:
        raise VcError("client authentication failed", code=INVALID_CLIENT)
    if check.upgrade is not None:
        clients.upgrade_secret_hash(client_id, current=client.secret_hash, upgraded=check.upgrade)
    return client


# Access tokens


@dataclass(frozen=True, slots=True)
class AccessGrant:
    """What a verified access token lets its client do."""

    client_id: str
    authority: str
    scopes: frozenset[Scope]
    expires_at: datetime

    def authorize(self, *, authority: str, scope: Scope) -> None:
        """Raise INSUFFICIENT_SCOPE unless this grant allows ``scope`` for ``authority``."""
        if authority != self.authority:
            raise VcError(
                f"the access token is for authority {self.authority!r}, not {authority!r}",
                code=INSUFFICIENT_SCOPE,
            )
        if scope not in self.scopes:
            raise VcError(f"the access token lacks scope {scope}", code=INSUFFICIENT_SCOPE)


class TokenService:
    """Issues and verifies the service's JWT access tokens (RFC 9068)."""

    def __init__(
        self,
        signing_key: KeyPair,
        *,
        issuer_url: str,
        audience: str,
        clock: Clock,
        lifetime_seconds: int = 300,
    ) -> None:
        if lifetime_seconds <= 0:
            raise ValueError("lifetime_seconds must be positive")
        self._signer = KeyPairSigner(signing_key, jwk_thumbprint(signing_key.public_key))
        self._public_key = signing_key.public_key
        self._issuer = issuer_url
        self._audience = audience
        self._clock = clock
        self._lifetime = lifetime_seconds

    def issue(self, client: Client, requested_scopes: Set[Scope] | None = None) -> tuple[str, int]:
        """A token for ``client`` and its ``expires_in`` seconds.

        Without ``requested_scopes`` the token carries all the client's scopes; an empty
        set asks for a token with none (every call it makes is refused INSUFFICIENT_SCOPE);
        asking for one the client lacks is INVALID_SCOPE.
        """
        scopes = client.scopes if requested_scopes is None else frozenset(requested_scopes)
        if not scopes <= client.scopes or not client.scopes:
            raise VcError(
                f"client {client.client_id!r} may request only: {_format_scope(client.scopes)}",
                code=INVALID_SCOPE,
                field="scope",
            )
        now = int(self._clock.now().timestamp())
        claims = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": client.client_id,
            "client_id": client.client_id,
            "authority": client.authority,
            "scope": _format_scope(scopes),
            "iat": now,
            "exp": now + self._lifetime,
            "jti": secrets.token_urlsafe(16),
        }
        header = {"typ": ACCESS_TOKEN_TYP}
        return sign_compact(claims, signer=self._signer, header=header), self._lifetime

    def verify(self, token: str) -> AccessGrant:
        """The grant a token carries, or INVALID_TOKEN (RFC 9068 §4 validation)."""
        try:
            jws = decode_compact(token)
        except ParsingError:
            raise _invalid("the access token is not a compact JWS") from None
        if jws.header.get("typ") not in (ACCESS_TOKEN_TYP, f"application/{ACCESS_TOKEN_TYP}"):
            raise _invalid("the token is not a JWT access token (typ)")
        try:
            jws.verify_with(self._public_key)
        except ProofError:
            raise _invalid("the access token signature does not verify") from None
        try:
            claims = jws.payload_json()
        except ParsingError:
            raise _invalid("the access token payload is not JSON") from None
        if not isinstance(claims, dict):
            raise _invalid("the access token claims are not a JSON object")
        return self._grant(claims)

    def _grant(self, claims: dict[str, Any]) -> AccessGrant:
        if claims.get("iss") != self._issuer:
            raise _invalid("the access token has another issuer")
        audience = claims.get("aud")
        if audience != self._audience and not (
            isinstance(audience, list) and self._audience in audience
        ):
            raise _invalid("the access token is for another audience")
        issued_at, expires = _number(claims, "iat"), _number(claims, "exp")
        now = self._clock.now().timestamp()
        if now >= expires + CLOCK_LEEWAY_SECONDS:
            raise _invalid("the access token has expired")
        if issued_at > now + CLOCK_LEEWAY_SECONDS:
            raise _invalid("the access token is issued in the future")
        client_id, authority = _text(claims, "client_id"), _text(claims, "authority")
        if _text(claims, "sub") != client_id or not _text(claims, "jti"):
            raise _invalid("the access token's sub, client_id or jti is wrong")
        scope = _text(claims, "scope")
        try:
            scopes = parse_scope(scope)
        except VcError:
            raise _invalid("the access token has an unknown scope") from None
        try:
            expires_at = datetime.fromtimestamp(expires, UTC)
        except (OverflowError, OSError, ValueError):
            raise _invalid("the access token's exp is out of range") from None
        return AccessGrant(client_id, authority, scopes, expires_at)


def jwk_thumbprint(key: PublicKey) -> str:
    """The RFC 7638 SHA-256 JWK thumbprint of ``key``, used as the token ``kid``."""
    required = json.dumps(key.to_jwk(), sort_keys=True, separators=(",", ":"))
    return base64url_encode(hashlib.sha256(required.encode("utf-8")).digest())


def load_or_create_token_key(path: Path) -> KeyPair:
    """The token signing key in the key file ``path``; an Ed25519 key is made (0600) if absent."""
    ensure_secret_file(
        path, lambda: KeyFile(KeyPair.generate(KeyType.ED25519)).to_json().encode("utf-8")
    )
    return load_key_file(path).key_pair


def _format_scope(scopes: Set[Scope]) -> str:
    return " ".join(sorted(scopes))


def _number(claims: dict[str, Any], name: str) -> float:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _invalid(f"the access token claim {name!r} must be a number")
    return value


def _text(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name)
    if not isinstance(value, str):
        raise _invalid(f"the access token claim {name!r} must be a string")
    return value


def _invalid(message: str) -> VcError:
    return VcError(message, code=INVALID_TOKEN)


# The admin token


def load_or_create_admin_token(data_dir: Path) -> str:
    """The admin bearer token in ``data_dir/admin-token``, created (0600) on first start."""
    path = data_dir / ADMIN_TOKEN_FILE
    ensure_secret_file(path, lambda: (secrets.token_urlsafe(32) + "\n").encode("ascii"))
    token = path.read_text(encoding="utf-8").strip()
    if len(token) < MIN_ADMIN_TOKEN_LENGTH:
        raise KeyFormatError(f"{path} must hold a token of at least {MIN_ADMIN_TOKEN_LENGTH} chars")
    return token


def check_admin_token(expected: str, presented: str | None, *, digests: SecretDigester) -> bool:
    """Whether ``presented`` is the admin token, in time independent of both values."""
    if not expected or presented is None:
        return False
    # Comparing keyed digests hides the length as well as the content.
    return digests.equal(presented, expected, purpose=SecretPurpose.ADMIN_TOKEN)
