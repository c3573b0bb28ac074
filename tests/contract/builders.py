"""Records for the contract tests, each built from a few distinguishing values."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from vcservice.model.records import (
    Authority,
    Client,
    IssuedCredential,
    KeyStatus,
    Scope,
    StatusPurpose,
    StoredKey,
)

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def authority(name: str = "sat", **changes: Any) -> Authority:
    """An authority called ``name`` with a DID of its own."""
    record = Authority(
        name=name,
        display_name=f"Authority {name.upper()}",
        did=f"did:web:{name}.example",
        credential_types=frozenset({"ImmexCertificate", "OeaCertificate"}),
        created_at=NOW,
    )
    return replace(record, **changes)


def key(authority: str = "sat", key_id: str = "key-1", **changes: Any) -> StoredKey:
    """An active Ed25519 key whose encrypted secret holds every byte value."""
    record = StoredKey(
        authority=authority,
        key_id=key_id,
        key_type="Ed25519",
        public_key_multibase=f"z6Mk{key_id}",
        encrypted_secret=bytes(range(256)),
        status=KeyStatus.ACTIVE,
        created_at=NOW,
    )
    return replace(record, **changes)


def client(client_id: str = "client-1", authority: str = "sat", **changes: Any) -> Client:
    """A client that may issue and read."""
    record = Client(
        client_id=client_id,
        authority=authority,
        secret_hash=f"$scrypt$hash-of-{client_id}",
        scopes=frozenset({Scope.ISSUE, Scope.READ}),
        created_at=NOW,
    )
    return replace(record, **changes)


def credential(number: int, authority: str = "sat", **changes: Any) -> IssuedCredential:
    """Credential ``number``, issued ``number`` minutes after ``NOW``."""
    record = IssuedCredential(
        id=credential_id(number),
        authority=authority,
        credential_type="ImmexCertificate",
        securing_format="DataIntegrityProof",
        document='{"@context": ["https://www.w3.org/ns/credentials/v2"], "ñ": "✓"}',
        subject_id=f"did:web:trader{number}.example",
        subject_identifiers=(f"RFC{number:09d}", f"IMMEX-{number}"),
        issued_at=NOW + timedelta(minutes=number),
        valid_from=NOW,
        valid_until=NOW + timedelta(days=365),
    )
    return replace(record, **changes)


def credential_id(number: int) -> str:
    """The id of ``credential(number)``, for status entries allocated before it is stored."""
    return f"urn:uuid:00000000-0000-4000-8000-{number:012d}"


def allocation(
    number: int,
    authority: str = "sat",
    purpose: StatusPurpose = StatusPurpose.REVOCATION,
    *,
    size: int = 64,
    status_size: int = 1,
) -> dict[str, Any]:
    """Keyword arguments of ``StatusRepository.allocate`` for credential ``number``."""
    return {
        "authority": authority,
        "purpose": purpose,
        "credential_id": credential_id(number),
        "size": size,
        "status_size": status_size,
        "now": NOW,
    }
