"""Keyed digests of the secrets the service hands out: HMAC-SHA256 under a key derived from
the KEK, bound to purpose and owner; scrypt hashes stored before still match, once."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.legacy_hashes import scrypt_hash
from vcservice.custody import KeyEncryptionKey, SecretCheck, SecretDigester, SecretPurpose
from vcservice.custody.secret_digest import MAX_SECRET_CHARS
from vcservice.keys import base64url_encode

KEK = KeyEncryptionKey(bytes(range(32)))
DIGESTS = SecretDigester.from_kek(KEK)
HOLDER = SecretPurpose.HOLDER_TOKEN
TOKEN = "acme.c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"


@pytest.fixture
def scrypt_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bytes]]:
    """The passwords every ``hashlib.scrypt`` call is given."""
    calls: list[bytes] = []
    real = hashlib.scrypt

    def counting(password: bytes, **options: Any) -> bytes:
        calls.append(password)
        return real(password, **options)

    monkeypatch.setattr(hashlib, "scrypt", counting)
    yield calls


def test_a_digest_is_hmac_sha256_under_the_derived_key() -> None:
    stored = DIGESTS.digest(TOKEN, purpose=HOLDER, owner="acme")

    key = KEK.derive_key(b"vcservice/secret-digests/v1")
    message = json.dumps(["holder-token", "acme", TOKEN]).encode()
    assert stored == "hmac-sha256$" + base64url_encode(hmac.digest(key, message, "sha256"))
    assert TOKEN not in stored and "acme" not in stored


def test_every_process_with_the_kek_makes_the_same_digest() -> None:
    again = SecretDigester.from_kek(KeyEncryptionKey(bytes(range(32))))
    other = SecretDigester.from_kek(KeyEncryptionKey(bytes(range(1, 33))))
    stored = DIGESTS.digest(TOKEN, purpose=HOLDER, owner="acme")

    assert again.check(TOKEN, stored, purpose=HOLDER, owner="acme") == SecretCheck(matches=True)
    assert not other.check(TOKEN, stored, purpose=HOLDER, owner="acme").matches


def test_right_and_wrong_secret(scrypt_calls: list[bytes]) -> None:
    stored = DIGESTS.digest(TOKEN, purpose=HOLDER, owner="acme")

    assert DIGESTS.check(TOKEN, stored, purpose=HOLDER, owner="acme") == SecretCheck(True)
    for wrong in (TOKEN[:-1], TOKEN + "x", "", "acme.", "ñ" * 43):
        assert DIGESTS.check(wrong, stored, purpose=HOLDER, owner="acme") == SecretCheck(False)
    assert scrypt_calls == []


def test_a_digest_is_bound_to_its_purpose_and_owner() -> None:
    stored = DIGESTS.digest(TOKEN, purpose=HOLDER, owner="acme")

    assert not DIGESTS.check(TOKEN, stored, purpose=HOLDER, owner="zeta").matches
    for purpose in (SecretPurpose.CLIENT_SECRET, SecretPurpose.ADMIN_TOKEN):
        assert not DIGESTS.check(TOKEN, stored, purpose=purpose, owner="acme").matches


@pytest.mark.parametrize(
    "stored",
    [
        None,  # nothing stored: no such holder or client
        "",
        TOKEN,  # a secret stored in plain is no digest
        "hmac-sha256$",
        "hmac-sha256$" + "A" * 43,
        "sha256$" + base64url_encode(hashlib.sha256(TOKEN.encode()).digest()),
        "bcrypt$2b$12$whatever",
        "hmac-sha256$ñ",  # not ASCII: compared as bytes, no TypeError
    ],
)
def test_anything_but_its_digest_never_matches(
    stored: str | None, scrypt_calls: list[bytes]
) -> None:
    assert DIGESTS.check(TOKEN, stored, purpose=HOLDER, owner="acme") == SecretCheck(False)
    assert scrypt_calls == []


def test_a_secret_longer_than_any_the_service_makes_is_refused_unhashed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    long = "a." + "x" * MAX_SECRET_CHARS
    stored = DIGESTS.digest(long, purpose=HOLDER, owner="a")
    macs: list[bytes] = []
    monkeypatch.setattr(hmac, "digest", lambda *args: macs.append(args[1]) or b"")

    assert not DIGESTS.check(long, stored, purpose=HOLDER, owner="a").matches
    assert macs == []


def test_a_legacy_scrypt_hash_matches_once_and_hands_back_the_digest(
    scrypt_calls: list[bytes],
) -> None:
    legacy = scrypt_hash(TOKEN)
    scrypt_calls.clear()

    check = DIGESTS.check(TOKEN, legacy, purpose=HOLDER, owner="acme")

    assert check == SecretCheck(True, DIGESTS.digest(TOKEN, purpose=HOLDER, owner="acme"))
    assert len(scrypt_calls) == 1
    assert check.upgrade is not None
    assert DIGESTS.check(TOKEN, check.upgrade, purpose=HOLDER, owner="acme") == SecretCheck(True)
    assert len(scrypt_calls) == 1  # the upgraded digest takes no scrypt


def test_a_wrong_secret_against_a_legacy_hash_gets_nothing_to_store() -> None:
    legacy = scrypt_hash(TOKEN)

    assert DIGESTS.check(TOKEN[:-1], legacy, purpose=HOLDER, owner="acme") == SecretCheck(False)


def test_a_secret_held_in_plain_is_compared_through_digests(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    compared: list[tuple[Any, Any]] = []
    real = hmac.compare_digest
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: compared.append((a, b)) or real(a, b))
    admin = SecretPurpose.ADMIN_TOKEN
    expected = "A" * 43

    assert DIGESTS.equal(expected, expected, purpose=admin)
    for wrong in ("A" * 42, "B" * 43, "", "ñ" * 43, expected + "A" * 2000):
        assert not DIGESTS.equal(wrong, expected, purpose=admin)
    # Equal lengths whatever the lengths of the tokens: the lengths are not compared.
    assert {(len(a), len(b)) for a, b in compared} == {(32, 32)}


def test_the_digest_key_is_never_shown() -> None:
    assert repr(DIGESTS) == "SecretDigester(<redacted>)"
    assert not hasattr(DIGESTS, "__dict__")
    with pytest.raises(ValueError, match="32 bytes"):
        SecretDigester(bytes(16))
