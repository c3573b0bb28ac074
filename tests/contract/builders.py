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
    PublishedEntry,
    PublishedList,
    Scope,
    StatusPurpose,
    StoredKey,
    TrustListSnapshot,
    TrustListSubscription,
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


def subscription(
    number: int = 1, url: str = "https://sat.example/trust-lists/sat", **changes: Any
) -> TrustListSubscription:
    """A subscription to SAT's trust list, never fetched; ``number`` makes its id."""
    record = TrustListSubscription(
        id=f"urn:uuid:00000000-0000-4000-9000-{number:012d}",
        url=url,
        label="Lista de confianza del SAT",
        expected_signer="did:web:sat.example",
        credential_types=frozenset({"OEACertificate", "ImmexCertificate"}),
        max_staleness=timedelta(days=1),
        refresh_interval=timedelta(hours=1),
        created_at=NOW + timedelta(seconds=number),
    )
    return replace(record, **changes)


def snapshot(subscription_id: str, sequence: int, **changes: Any) -> TrustListSnapshot:
    """Version ``sequence`` of a subscribed list, accepted ``sequence`` hours after ``NOW``."""
    document = f'{{"sequenceNumber": {sequence}, "name": "Servicio de Administración"}}'
    record = TrustListSnapshot(
        subscription_id=subscription_id,
        sequence=sequence,
        document=document,
        digest=f"digest-{sequence}",
        signer="did:web:sat.example#ed25519-1",
        valid_from=NOW + timedelta(hours=sequence),
        next_update=NOW + timedelta(hours=sequence, days=1),
        accepted_at=NOW + timedelta(hours=sequence, minutes=1),
    )
    return replace(record, **changes)


def published_entry(number: int, authority: str = "sat", **changes: Any) -> PublishedEntry:
    """An entry of ``authority``'s list accrediting trader ``number``, made ``number`` s late."""
    record = PublishedEntry(
        id=f"urn:uuid:00000000-0000-4000-a000-{number:012d}",
        authority=authority,
        issuer=f"did:web:issuer{number}.example",
        name=f"Issuer {number} – Aduana",
        credential_types=frozenset({"OEACertificate"}),
        accredited_from=NOW,
        accredited_until=None,
        created_at=NOW + timedelta(seconds=number),
    )
    return replace(record, **changes)


def published_list(sequence: int, authority: str = "sat", **changes: Any) -> PublishedList:
    """Version ``sequence`` of ``authority``'s list, issued ``sequence`` hours after ``NOW``."""
    record = PublishedList(
        authority=authority,
        sequence=sequence,
        document=f'{{"sequenceNumber": {sequence}, "ñ": "✓"}}',
        digest=f"digest-{sequence}",
        entries_digest="entries-digest",
        valid_from=NOW + timedelta(hours=sequence),
        next_update=NOW + timedelta(hours=sequence, days=1),
        signing_key=f"did:web:{authority}.example#ed25519-1",
        created_at=NOW + timedelta(hours=sequence),
    )
    return replace(record, **changes)
