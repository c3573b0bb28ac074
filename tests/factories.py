"""Builders for test credentials and keys (deterministic where it helps)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from vcservice.certificates.samples import sample_certificate
from vcservice.keys import KeyFile, KeyPair, KeyType
from vcservice.model.datetimes import format_datetime

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def key_file(key_type: KeyType = KeyType.ED25519, seed: int = 1) -> KeyFile:
    """A key file whose key is derived from ``seed`` (stable across runs)."""
    size = 48 if key_type is KeyType.P384 else 32
    secret = bytes((seed + i) % 251 + 1 for i in range(size))
    return KeyFile(KeyPair.from_secret(key_type, secret))


def did_of(key: KeyFile) -> str:
    """The DID that controls ``key``'s verification method."""
    return key.verification_method.split("#")[0]


def certificate(
    name: str = "immex", *, issuer: KeyFile | None = None, valid_days: int = 365
) -> dict[str, Any]:
    """A sample certificate issued by ``issuer``'s DID, valid around ``NOW``."""
    credential = sample_certificate(name)
    if issuer is not None:
        credential["issuer"]["id"] = did_of(issuer)
    credential["validFrom"] = format_datetime(NOW - timedelta(days=1))
    credential["validUntil"] = format_datetime(NOW + timedelta(days=valid_days))
    return credential


def held_by(credential: dict[str, Any], did: str) -> dict[str, Any]:
    """``credential`` with ``did`` as its holder: the company's ``member.id`` in certificate
    data v2, the subject's ``id`` in v1 and other credentials. Changes and returns it."""
    subject = credential["credentialSubject"]
    if isinstance(subject.get("member"), dict) and "id" not in subject:
        subject["member"]["id"] = did
    else:
        subject["id"] = did
    return credential


def holder_of(credential: dict[str, Any]) -> str:
    """The DID ``held_by`` sets."""
    subject = credential["credentialSubject"]
    if isinstance(subject.get("member"), dict) and "id" not in subject:
        return str(subject["member"]["id"])
    return str(subject["id"])
