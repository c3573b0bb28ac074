"""Announced key rotation and the local trust registry's audit, on a real SQLite store.

A prepared key is in the DID document at once (resolvable before it ever signs), signs only
once a rotation promotes it, and each step is audited; adding and withdrawing a local
accreditation is audited with it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from vcservice.clock import FixedClock
from vcservice.custody import KeyEncryptionKey, SoftwareKeyStore
from vcservice.errors import VcError
from vcservice.keys import KeyType
from vcservice.model.records import KeyStatus
from vcservice.services.authorities import AuthorityService
from vcservice.services.freshness import Freshness
from vcservice.services.trust import TrustRegistryService
from vcservice.storage.sql import SqlStore, open_store

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
CLOCK = FixedClock(NOW)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    with open_store(f"sqlite:///{tmp_path / 'store.db'}") as opened:
        yield opened


@pytest.fixture
def authorities(store: SqlStore) -> AuthorityService:
    keystore = SoftwareKeyStore(store.keys, KeyEncryptionKey(bytes(range(32))), CLOCK)
    return AuthorityService(
        store=store,
        keystore=keystore,
        public_url="https://vc.example",
        clock=CLOCK,
        freshness=Freshness(store.generation.current),
    )


def _method_ids(document: dict[str, Any]) -> list[str]:
    return [method["id"] for method in document["verificationMethod"]]


def test_a_prepared_key_is_published_at_once_and_signs_once_rotated(
    store: SqlStore, authorities: AuthorityService
) -> None:
    sat = authorities.create(name="sat", display_name="SAT", credential_types=["OEACertificate"])
    cached = authorities.find_did_document(sat.did)  # now kept, until the key version moves
    assert cached is not None

    pending = authorities.prepare_key("sat", KeyType.ED25519)

    assert pending.status is KeyStatus.PENDING
    announced = f"{sat.did}#{pending.key_id}"
    assert announced in _method_ids(authorities.did_document("sat"))
    resolved = authorities.find_did_document(sat.did)  # the cached one is not served
    assert resolved is not None and resolved.authorizes(announced, "assertionMethod")
    assert resolved.verification_method(announced).public_key.to_multibase() == (
        pending.public_key_multibase
    )
    assert authorities.signer(sat, KeyType.ED25519).verification_method != announced
    with pytest.raises(VcError) as twice:
        authorities.prepare_key("sat", KeyType.ED25519)
    assert twice.value.code == "CONFLICT"

    rotated = authorities.rotate_key("sat", KeyType.ED25519)

    assert rotated.key_id == pending.key_id and rotated.status is KeyStatus.ACTIVE
    assert authorities.signer(sat, KeyType.ED25519).verification_method == announced
    assert authorities.key_types(sat) == (KeyType.ED25519, KeyType.P256, KeyType.P384)
    audited = [(entry.action, entry.subject, entry.details) for entry in store.audit.entries()]
    assert audited[1:] == [
        ("key.prepared", pending.key_id, {"keyType": "Ed25519"}),
        ("key.rotated", pending.key_id, {"keyType": "Ed25519"}),
    ]


def test_a_did_key_authority_prepares_no_key(
    store: SqlStore, authorities: AuthorityService
) -> None:
    authorities.create(
        name="holder-like",
        display_name="did:key issuer",
        credential_types=["OEACertificate"],
        did_method="key",
        key_type=KeyType.ED25519,
    )
    with pytest.raises(VcError) as refused:
        authorities.prepare_key("holder-like", KeyType.ED25519)
    assert (refused.value.code, refused.value.field) == ("CONFLICT", "name")
    with pytest.raises(VcError) as unknown:
        authorities.prepare_key("nobody", KeyType.ED25519)
    assert unknown.value.code == "NOT_FOUND"
    assert [entry.action for entry in store.audit.entries()] == ["authority.created"]


def test_local_accreditations_are_audited_when_added_and_withdrawn(store: SqlStore) -> None:
    trust = TrustRegistryService(
        entries=store.trust, clock=CLOCK, freshness=Freshness(store.generation.current)
    )
    entry = trust.add(
        issuer="did:web:sat.example", name="SAT", credential_types=["OEACertificate", "A"]
    )
    trust.remove(entry.id)
    with pytest.raises(VcError):
        trust.remove(entry.id)  # nothing left: nothing audited
    audited = [
        (entry.action, entry.subject, entry.authority, entry.details)
        for entry in store.audit.entries()
    ]
    details = {"issuer": "did:web:sat.example", "credentialTypes": ["A", "OEACertificate"]}
    assert audited == [
        ("accreditation.added", entry.id, None, details),
        ("accreditation.removed", entry.id, None, details),
    ]
