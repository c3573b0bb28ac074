"""Access control: clients, JWT access tokens (RFC 9068), the admin token."""

from __future__ import annotations

import dataclasses
import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.legacy_hashes import scrypt_hash
from tests.unit.custody.memory import MemoryClientRepository
from vcservice.clock import FixedClock
from vcservice.custody import KeyEncryptionKey, SecretDigester
from vcservice.errors import KeyFormatError, VcError
from vcservice.jose.jws import decode_compact, sign_compact
from vcservice.keys import KeyPair, KeyPairSigner, KeyType, PublicKey, base64url_encode
from vcservice.model.records import Client, Scope
from vcservice.services.access import (
    AccessGrant,
    TokenService,
    authenticate_client,
    check_admin_token,
    jwk_thumbprint,
    load_or_create_admin_token,
    load_or_create_token_key,
    new_client,
    parse_scope,
)

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
CLOCK = FixedClock(NOW)
ISSUER = "https://vc.example"
AUDIENCE = "https://vc.example/api"
TOKEN_KEY = KeyPair.from_secret(KeyType.ED25519, bytes(range(1, 33)))
ALL_SCOPES = frozenset(Scope)
DIGESTS = SecretDigester.from_kek(KeyEncryptionKey(bytes(range(32))))
CLIENT = Client(
    client_id="sat-0123456789abcdef",
    authority="sat",
    secret_hash="unused",
    scopes=frozenset({Scope.ISSUE, Scope.READ}),
    created_at=NOW,
)


def tokens(*, now: datetime = NOW, audience: str = AUDIENCE, issuer: str = ISSUER) -> TokenService:
    return TokenService(TOKEN_KEY, issuer_url=issuer, audience=audience, clock=FixedClock(now))


def assert_code(caught: pytest.ExceptionInfo[VcError], code: str) -> None:
    assert caught.value.code == code, caught.value


# Clients


def test_create_and_authenticate_client() -> None:
    clients = MemoryClientRepository()

    client, secret = _new_client(scopes={Scope.ISSUE, Scope.READ})
    clients.add(client)

    assert client.authority == "sat"
    assert client.client_id.startswith("sat-")
    assert client.scopes == {Scope.ISSUE, Scope.READ}
    assert client.created_at == NOW
    assert len(secret) >= 43
    assert secret not in client.secret_hash
    assert client.secret_hash.startswith("hmac-sha256$")
    assert clients.get(client.client_id) == client
    assert authenticate_client(clients, client.client_id, secret, digests=DIGESTS) == client


def _new_client(scopes: set[Scope]) -> tuple[Client, str]:
    return new_client(authority="sat", scopes=scopes, clock=CLOCK, digests=DIGESTS)


def test_each_client_gets_its_own_id_and_secret() -> None:
    first = _new_client({Scope.READ})
    second = _new_client({Scope.READ})

    assert first[0].client_id != second[0].client_id
    assert first[1] != second[1]


def test_client_needs_a_scope() -> None:
    with pytest.raises(VcError) as caught:
        _new_client(set())

    assert_code(caught, "INVALID_SCOPE")


def test_wrong_secret_is_invalid_client() -> None:
    clients = MemoryClientRepository()
    client, secret = _new_client({Scope.READ})
    clients.add(client)

    with pytest.raises(VcError) as caught:
        authenticate_client(clients, client.client_id, secret[:-1], digests=DIGESTS)

    assert_code(caught, "INVALID_CLIENT")


def test_a_secret_is_bound_to_its_client() -> None:
    """A digest copied onto another client's record does not open that client."""
    clients = MemoryClientRepository()
    (mine, secret), (other, _) = _new_client({Scope.READ}), _new_client({Scope.ISSUE})
    clients.add(mine)
    clients.add(dataclasses.replace(other, secret_hash=mine.secret_hash))

    with pytest.raises(VcError) as caught:
        authenticate_client(clients, other.client_id, secret, digests=DIGESTS)

    assert_code(caught, "INVALID_CLIENT")


def test_unknown_client_is_invalid_client() -> None:
    with pytest.raises(VcError) as caught:
        authenticate_client(MemoryClientRepository(), "nobody", "guess", digests=DIGESTS)

    assert_code(caught, "INVALID_CLIENT")
    assert str(caught.value) == "INVALID_CLIENT: client authentication failed"


def test_a_legacy_scrypt_secret_works_and_is_upgraded() -> None:
    clients = MemoryClientRepository()
    client, secret = _new_client({Scope.READ})
    legacy = dataclasses.replace(client, secret_hash=scrypt_hash(secret))
    clients.add(legacy)

    with pytest.raises(VcError):
        authenticate_client(clients, client.client_id, "wrong", digests=DIGESTS)
    assert clients.clients[client.client_id] == legacy  # a wrong secret upgrades nothing

    assert authenticate_client(clients, client.client_id, secret, digests=DIGESTS) == legacy
    assert clients.clients[client.client_id] == client  # the digest new clients get
    assert authenticate_client(clients, client.client_id, secret, digests=DIGESTS) == client


def test_parse_scope() -> None:
    assert parse_scope("read:credentials  issue:credentials") == {Scope.READ, Scope.ISSUE}
    assert parse_scope("") == frozenset()
    with pytest.raises(VcError) as caught:
        parse_scope("read:credentials admin")
    assert_code(caught, "INVALID_SCOPE")


# Access tokens


def test_token_round_trip() -> None:
    service = tokens()

    token, expires_in = service.issue(CLIENT)
    grant = service.verify(token)

    assert expires_in == 300
    assert grant == AccessGrant(
        client_id=CLIENT.client_id,
        authority="sat",
        scopes=frozenset({Scope.ISSUE, Scope.READ}),
        expires_at=NOW + timedelta(seconds=300),
    )


def test_token_is_an_rfc_9068_jwt() -> None:
    token, _ = tokens().issue(CLIENT)
    jws = decode_compact(token)
    claims = jws.payload_json()

    assert jws.header == {
        "typ": "at+jwt",
        "alg": "EdDSA",
        "kid": jwk_thumbprint(TOKEN_KEY.public_key),
    }
    assert set(claims) == {
        "iss", "aud", "sub", "client_id", "authority", "scope", "iat", "exp", "jti",
    }  # fmt: skip
    assert claims["iss"] == ISSUER
    assert claims["aud"] == AUDIENCE
    assert claims["sub"] == claims["client_id"] == CLIENT.client_id
    assert claims["scope"] == "issue:credentials read:credentials"
    assert claims["exp"] - claims["iat"] == 300
    assert claims["iat"] == int(NOW.timestamp())
    assert tokens().issue(CLIENT)[0] != token  # fresh jti


def test_jwk_thumbprint_matches_rfc_8037_vector() -> None:
    key = PublicKey.from_jwk(
        {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
    )

    assert jwk_thumbprint(key) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


def test_scope_narrowing() -> None:
    service = tokens()

    token, _ = service.issue(CLIENT, {Scope.READ})

    assert service.verify(token).scopes == {Scope.READ}
    assert decode_compact(token).payload_json()["scope"] == "read:credentials"


@pytest.mark.parametrize("requested", [{Scope.UPDATE}, {Scope.READ, Scope.UPDATE}], ids=str)
def test_scope_beyond_the_client_is_refused(requested: set[Scope]) -> None:
    with pytest.raises(VcError) as caught:
        tokens().issue(CLIENT, requested)

    assert_code(caught, "INVALID_SCOPE")


def test_an_empty_scope_asks_for_a_token_without_any() -> None:
    service = tokens()

    token, _ = service.issue(CLIENT, set())

    assert service.verify(token).scopes == frozenset()
    assert decode_compact(token).payload_json()["scope"] == ""


@pytest.mark.parametrize(
    ("seconds_later", "valid"),
    [(0, True), (299, True), (300 + 29, True), (300 + 30, False), (86_400, False)],
)
def test_expiry_with_leeway(seconds_later: int, valid: bool) -> None:
    token, _ = tokens().issue(CLIENT)
    later = tokens(now=NOW + timedelta(seconds=seconds_later))

    if valid:
        assert later.verify(token).client_id == CLIENT.client_id
    else:
        with pytest.raises(VcError, match="expired") as caught:
            later.verify(token)
        assert_code(caught, "INVALID_TOKEN")


def test_token_from_the_future_is_refused() -> None:
    token, _ = tokens(now=NOW + timedelta(minutes=5)).issue(CLIENT)

    with pytest.raises(VcError, match="future") as caught:
        tokens().verify(token)

    assert_code(caught, "INVALID_TOKEN")


def test_wrong_audience_or_issuer() -> None:
    token, _ = tokens().issue(CLIENT)

    with pytest.raises(VcError, match="audience") as caught:
        tokens(audience="https://other.example/api").verify(token)
    assert_code(caught, "INVALID_TOKEN")
    with pytest.raises(VcError, match="issuer") as caught:
        tokens(issuer="https://other.example").verify(token)
    assert_code(caught, "INVALID_TOKEN")


def _forge(claims: dict[str, Any], *, key: KeyPair = TOKEN_KEY, typ: str = "at+jwt") -> str:
    signer = KeyPairSigner(key, jwk_thumbprint(key.public_key))
    return sign_compact(claims, signer=signer, header={"typ": typ})


def _claims(token: str) -> dict[str, Any]:
    claims = decode_compact(token).payload_json()
    assert isinstance(claims, dict)
    return claims


def test_a_token_of_one_authority_cannot_claim_another() -> None:
    service = tokens()
    token, _ = service.issue(CLIENT)
    header, _, signature = token.split(".")
    payload = base64url_encode(json.dumps(_claims(token) | {"authority": "cbp"}).encode())

    with pytest.raises(VcError, match="signature") as caught:
        service.verify(f"{header}.{payload}.{signature}")
    assert_code(caught, "INVALID_TOKEN")

    grant = service.verify(token)
    with pytest.raises(VcError) as denied:
        grant.authorize(authority="cbp", scope=Scope.ISSUE)
    assert_code(denied, "INSUFFICIENT_SCOPE")
    grant.authorize(authority="sat", scope=Scope.ISSUE)


def test_grant_without_the_scope_is_insufficient() -> None:
    service = tokens()
    grant = service.verify(service.issue(CLIENT, {Scope.READ})[0])

    grant.authorize(authority="sat", scope=Scope.READ)
    with pytest.raises(VcError) as caught:
        grant.authorize(authority="sat", scope=Scope.ISSUE)

    assert_code(caught, "INSUFFICIENT_SCOPE")


def test_token_signed_by_another_key() -> None:
    token, _ = tokens().issue(CLIENT)
    forged = _forge(_claims(token), key=KeyPair.generate(KeyType.ED25519))

    with pytest.raises(VcError, match="signature") as caught:
        tokens().verify(forged)

    assert_code(caught, "INVALID_TOKEN")


def test_unsigned_token_is_refused() -> None:
    token, _ = tokens().issue(CLIENT)
    header = base64url_encode(b'{"typ":"at+jwt","alg":"none"}')
    payload = token.split(".")[1]

    with pytest.raises(VcError) as caught:
        tokens().verify(f"{header}.{payload}.")

    assert_code(caught, "INVALID_TOKEN")


def test_other_jwt_types_are_refused() -> None:
    token, _ = tokens().issue(CLIENT)

    with pytest.raises(VcError, match="typ") as caught:
        tokens().verify(_forge(_claims(token), typ="vc+jwt"))

    assert_code(caught, "INVALID_TOKEN")
    assert tokens().verify(_forge(_claims(token), typ="application/at+jwt"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"scope": "read:credentials admin:everything"}, "unknown scope"),
        ({"scope": 7}, "'scope' must be a string"),
        ({"exp": "tomorrow"}, "'exp' must be a number"),
        ({"iat": True}, "'iat' must be a number"),
        ({"sub": "someone-else"}, "sub"),
        ({"jti": ""}, "jti"),
        ({"authority": None}, "'authority' must be a string"),
        ({"exp": 10**30}, "out of range"),
    ],
    ids=["unknown-scope", "scope", "exp", "iat", "sub", "jti", "authority", "huge-exp"],
)
def test_bad_claims(change: dict[str, Any], message: str) -> None:
    token, _ = tokens().issue(CLIENT)

    with pytest.raises(VcError, match=message) as caught:
        tokens().verify(_forge(_claims(token) | change))

    assert_code(caught, "INVALID_TOKEN")


def test_audience_may_be_a_list() -> None:
    token, _ = tokens().issue(CLIENT)

    grant = tokens().verify(_forge(_claims(token) | {"aud": ["https://x.example", AUDIENCE]}))

    assert grant.client_id == CLIENT.client_id


@pytest.mark.parametrize(
    "token", ["", "abc", "a.b", "a.b.c", "e30.e30.", "x" * 2_000_000, "e30.bm90IGpzb24.AA"]
)
def test_malformed_tokens(token: str) -> None:
    with pytest.raises(VcError) as caught:
        tokens().verify(token)

    assert_code(caught, "INVALID_TOKEN")


def test_non_object_claims() -> None:
    with pytest.raises(VcError, match="JSON object") as caught:
        tokens().verify(_forge(["not", "an", "object"]))  # type: ignore[arg-type]

    assert_code(caught, "INVALID_TOKEN")


def test_lifetime_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        TokenService(
            TOKEN_KEY, issuer_url=ISSUER, audience=AUDIENCE, clock=CLOCK, lifetime_seconds=0
        )


# Key and token files


def test_token_key_file_is_private_and_stable(tmp_path: Path) -> None:
    path = tmp_path / "data" / "token-key.json"

    first = load_or_create_token_key(path)
    second = load_or_create_token_key(path)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert first.key_type is KeyType.ED25519
    assert first.public_key == second.public_key
    token, _ = TokenService(first, issuer_url=ISSUER, audience=AUDIENCE, clock=CLOCK).issue(CLIENT)
    assert TokenService(second, issuer_url=ISSUER, audience=AUDIENCE, clock=CLOCK).verify(token)


def test_admin_token_file_is_private_and_stable(tmp_path: Path) -> None:
    token = load_or_create_admin_token(tmp_path)

    assert (tmp_path / "admin-token").read_text().strip() == token
    assert stat.S_IMODE((tmp_path / "admin-token").stat().st_mode) == 0o600
    assert len(token) >= 43
    assert load_or_create_admin_token(tmp_path) == token


def test_admin_token_that_is_too_short_is_refused(tmp_path: Path) -> None:
    (tmp_path / "admin-token").write_text("changeme\n")

    with pytest.raises(KeyFormatError, match="at least 32"):
        load_or_create_admin_token(tmp_path)


def test_check_admin_token() -> None:
    expected = "A" * 43

    assert check_admin_token(expected, expected, digests=DIGESTS)
    for presented in ("A" * 42, "B" * 43, None, "", "ñ" * 43):  # non-ASCII must not raise
        assert not check_admin_token(expected, presented, digests=DIGESTS)
    assert not check_admin_token("", "", digests=DIGESTS)
