"""KeyEncryptionKey: AES-256-GCM wrapping bound to its key record, KEK loading and files."""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vcservice.custody import KEY_DECRYPTION_FAILED, KeyEncryptionKey
from vcservice.errors import KeyFormatError
from vcservice.keys import base64url_encode

KEK_BYTES = bytes(range(32))
KEK = KeyEncryptionKey(KEK_BYTES)
SECRET = b"z3u2en7t5LR2WtQH5PfsqGxyDSbjWUnkBkvAdAuAJUtNqJ8dr"
BINDING = {"authority": "sat", "key_id": "ed25519-2026-11-28T12-00-00Z", "key_type": "Ed25519"}


def test_round_trip_and_format() -> None:
    blob = KEK.encrypt(SECRET, **BINDING)

    assert blob[0] == 1
    assert len(blob) == 1 + 12 + len(SECRET) + 16
    assert SECRET not in blob
    assert KEK.decrypt(blob, **BINDING) == SECRET


def test_nonces_are_fresh() -> None:
    assert KEK.encrypt(SECRET, **BINDING) != KEK.encrypt(SECRET, **BINDING)


@given(
    secret=st.binary(max_size=128),
    authority=st.text(max_size=20),
    key_id=st.text(max_size=40),
)
def test_round_trip_for_any_binding(secret: bytes, authority: str, key_id: str) -> None:
    binding = {"authority": authority, "key_id": key_id, "key_type": "P-256"}
    assert KEK.decrypt(KEK.encrypt(secret, **binding), **binding) == secret


def test_wrong_kek_fails_clearly() -> None:
    blob = KEK.encrypt(SECRET, **BINDING)
    other = KeyEncryptionKey(bytes(32))

    with pytest.raises(KeyFormatError) as caught:
        other.decrypt(blob, **BINDING)

    assert caught.value.code == KEY_DECRYPTION_FAILED
    assert "wrong key-encryption key" in caught.value.message
    assert BINDING["key_id"] in caught.value.message


@pytest.mark.parametrize(
    "position", [0, 1, 12, 13, -1], ids=["version", "nonce", "nonce-end", "ciphertext", "tag"]
)
def test_tampered_blob_fails(position: int) -> None:
    blob = bytearray(KEK.encrypt(SECRET, **BINDING))
    blob[position] ^= 0x01

    with pytest.raises(KeyFormatError) as caught:
        KEK.decrypt(bytes(blob), **BINDING)

    assert caught.value.code == KEY_DECRYPTION_FAILED


@pytest.mark.parametrize("length", [0, 1, 13, 28])
def test_truncated_blob_fails(length: int) -> None:
    blob = KEK.encrypt(SECRET, **BINDING)[:length]

    with pytest.raises(KeyFormatError) as caught:
        KEK.decrypt(blob, **BINDING)

    assert caught.value.code == KEY_DECRYPTION_FAILED


@pytest.mark.parametrize(
    "swapped",
    [
        {"key_id": "ed25519-2026-11-29T12-00-00Z"},
        {"authority": "cbp"},
        {"key_type": "P-256"},
        # A naive "a|b|c" associated data would make these two collide.
        {"authority": "sat|ed25519", "key_id": "2026-11-28T12-00-00Z"},
    ],
    ids=["key-id", "authority", "key-type", "separator"],
)
def test_blob_cannot_move_to_another_key(swapped: dict[str, str]) -> None:
    blob = KEK.encrypt(SECRET, **BINDING)

    with pytest.raises(KeyFormatError) as caught:
        KEK.decrypt(blob, **(BINDING | swapped))

    assert caught.value.code == KEY_DECRYPTION_FAILED


def test_repr_hides_the_key() -> None:
    assert repr(KEK) == "KeyEncryptionKey(<redacted>)"
    assert not hasattr(KEK, "__dict__")


def test_derived_keys_are_hkdf_sha256_of_the_kek_under_their_label() -> None:
    # RFC 5869 with no salt (a hash-length block of zeros), written out: extract, expand.
    extracted = hmac.digest(bytes(32), KEK_BYTES, hashlib.sha256)
    expected = hmac.digest(extracted, b"a purpose\x01", hashlib.sha256)

    assert KEK.derive_key(b"a purpose") == expected
    assert KeyEncryptionKey(KEK_BYTES).derive_key(b"a purpose") == expected  # any process
    assert KEK.derive_key(b"another purpose") != expected
    assert KeyEncryptionKey(bytes(range(1, 33))).derive_key(b"a purpose") != expected
    assert KEK_BYTES not in (expected, KEK.derive_key(b"a purpose", 64))


def test_kek_must_be_32_bytes() -> None:
    with pytest.raises(KeyFormatError):
        KeyEncryptionKey(bytes(16))


def test_from_environment_value() -> None:
    kek = KeyEncryptionKey.from_environment({"VCSERVICE_KEK": base64url_encode(KEK_BYTES)})

    assert kek.decrypt(KEK.encrypt(SECRET, **BINDING), **BINDING) == SECRET


def test_from_environment_accepts_padding_and_whitespace() -> None:
    value = f"  {base64url_encode(KEK_BYTES)}=\n"

    kek = KeyEncryptionKey.from_environment({"VCSERVICE_KEK": value})

    assert kek.decrypt(KEK.encrypt(SECRET, **BINDING), **BINDING) == SECRET


def test_from_environment_file(tmp_path: Path) -> None:
    path = tmp_path / "kek"
    path.write_text(base64url_encode(KEK_BYTES) + "\n")

    kek = KeyEncryptionKey.from_environment({"VCSERVICE_KEK_FILE": str(path)})

    assert kek.decrypt(KEK.encrypt(SECRET, **BINDING), **BINDING) == SECRET


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({}, "no key-encryption key"),
        ({"VCSERVICE_KEK": "x", "VCSERVICE_KEK_FILE": "/x"}, "only one"),
        ({"VCSERVICE_KEK": "not base64url!"}, "not base64url"),
        ({"VCSERVICE_KEK": base64url_encode(bytes(16))}, "must encode 32 bytes"),
        ({"VCSERVICE_KEK_FILE": "/nonexistent/kek"}, "cannot read"),
    ],
    ids=["missing", "both", "garbage", "short", "no-file"],
)
def test_from_environment_errors(environ: dict[str, str], message: str) -> None:
    with pytest.raises(KeyFormatError) as caught:
        KeyEncryptionKey.from_environment(environ)

    assert message in caught.value.message


def test_bad_kek_is_not_echoed() -> None:
    value = "secret-value-that-is-wrong"

    with pytest.raises(KeyFormatError) as caught:
        KeyEncryptionKey.from_environment({"VCSERVICE_KEK": value})

    assert value not in str(caught.value)
    assert caught.value.__cause__ is None


def test_generate_file_writes_mode_0600_and_loads(tmp_path: Path) -> None:
    path = tmp_path / "secrets" / "kek"
    old_umask = os.umask(0)
    try:
        generated = KeyEncryptionKey.generate_file(path)
    finally:
        os.umask(old_umask)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    loaded = KeyEncryptionKey.from_file(path)
    assert loaded.decrypt(generated.encrypt(SECRET, **BINDING), **BINDING) == SECRET
    assert [p.name for p in path.parent.iterdir()] == ["kek"]


def test_generate_file_never_replaces_a_kek(tmp_path: Path) -> None:
    path = tmp_path / "kek"
    KeyEncryptionKey.generate_file(path)
    before = path.read_bytes()

    with pytest.raises(KeyFormatError, match="already exists"):
        KeyEncryptionKey.generate_file(path)

    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["kek"]
