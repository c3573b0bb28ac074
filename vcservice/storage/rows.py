"""Records to table rows and back: sets become sorted JSON lists, enums their values."""

from __future__ import annotations

from typing import Any

from sqlalchemy import RowMapping

from vcservice.model.records import (
    Authority,
    Client,
    IssuedCredential,
    KeyStatus,
    Scope,
    StatusChange,
    StatusEntry,
    StatusList,
    StatusPurpose,
    StoredKey,
)

Row = dict[str, Any]


def authority_row(authority: Authority) -> Row:
    """The ``authorities`` row of ``authority``."""
    return {
        "name": authority.name,
        "display_name": authority.display_name,
        "did": authority.did,
        "credential_types": sorted(authority.credential_types),
        "created_at": authority.created_at,
    }


def to_authority(row: RowMapping) -> Authority:
    """The authority an ``authorities`` row holds."""
    return Authority(
        name=row["name"],
        display_name=row["display_name"],
        did=row["did"],
        credential_types=frozenset(row["credential_types"]),
        created_at=row["created_at"],
    )


def key_row(key: StoredKey) -> Row:
    """The ``keys`` row of ``key``."""
    return {
        "authority": key.authority,
        "key_id": key.key_id,
        "key_type": key.key_type,
        "public_key_multibase": key.public_key_multibase,
        "encrypted_secret": key.encrypted_secret,
        "status": key.status.value,
        "created_at": key.created_at,
    }


def to_key(row: RowMapping) -> StoredKey:
    """The key a ``keys`` row holds."""
    return StoredKey(
        authority=row["authority"],
        key_id=row["key_id"],
        key_type=row["key_type"],
        public_key_multibase=row["public_key_multibase"],
        encrypted_secret=bytes(row["encrypted_secret"]),
        status=KeyStatus(row["status"]),
        created_at=row["created_at"],
    )


def client_row(client: Client) -> Row:
    """The ``clients`` row of ``client``."""
    return {
        "client_id": client.client_id,
        "authority": client.authority,
        "secret_hash": client.secret_hash,
        "scopes": sorted(scope.value for scope in client.scopes),
        "created_at": client.created_at,
    }


def to_client(row: RowMapping) -> Client:
    """The client a ``clients`` row holds."""
    return Client(
        client_id=row["client_id"],
        authority=row["authority"],
        secret_hash=row["secret_hash"],
        scopes=frozenset(Scope(scope) for scope in row["scopes"]),
        created_at=row["created_at"],
    )


def credential_row(credential: IssuedCredential) -> Row:
    """The ``credentials`` row of ``credential``."""
    return {
        "id": credential.id,
        "authority": credential.authority,
        "credential_type": credential.credential_type,
        "securing_format": credential.securing_format,
        "document": credential.document,
        "subject_id": credential.subject_id,
        "subject_identifiers": list(credential.subject_identifiers),
        "issued_at": credential.issued_at,
        "valid_from": credential.valid_from,
        "valid_until": credential.valid_until,
        "status": credential.status,
        "idempotency_key": credential.idempotency_key,
        "request_digest": credential.request_digest,
    }


def subject_rows(credential: IssuedCredential) -> list[Row]:
    """The ``credential_subjects`` rows: one per distinct subject id or identifier."""
    candidates = (credential.subject_id, *credential.subject_identifiers)
    values = {value for value in candidates if value is not None}
    return [{"identifier": value, "credential_id": credential.id} for value in sorted(values)]


def to_credential(row: RowMapping) -> IssuedCredential:
    """The credential a ``credentials`` row holds."""
    return IssuedCredential(
        id=row["id"],
        authority=row["authority"],
        credential_type=row["credential_type"],
        securing_format=row["securing_format"],
        document=row["document"],
        subject_id=row["subject_id"],
        subject_identifiers=tuple(row["subject_identifiers"]),
        issued_at=row["issued_at"],
        valid_from=row["valid_from"],
        valid_until=row["valid_until"],
        status=row["status"],
        idempotency_key=row["idempotency_key"],
        request_digest=row["request_digest"],
    )


def to_status_list(row: RowMapping) -> StatusList:
    """The status list a ``status_lists`` row holds."""
    return StatusList(
        id=row["id"],
        authority=row["authority"],
        purpose=StatusPurpose(row["purpose"]),
        sequence=row["sequence"],
        size=row["size"],
        status_size=row["status_size"],
        version=row["version"],
        full=bool(row["full"]),
        created_at=row["created_at"],
    )


def to_status_entry(row: RowMapping) -> StatusEntry:
    """The entry a ``status_entries`` row holds."""
    return StatusEntry(
        list_id=row["list_id"],
        index=row["index"],
        credential_id=row["credential_id"],
        purpose=StatusPurpose(row["purpose"]),
        status=row["status"],
    )


def status_change_row(change: StatusChange) -> Row:
    """The ``status_changes`` row of ``change``."""
    return {
        "credential_id": change.credential_id,
        "purpose": change.purpose.value,
        "old_status": change.old_status,
        "new_status": change.new_status,
        "reason": change.reason,
        "actor": change.actor,
        "changed_at": change.changed_at,
    }


def to_status_change(row: RowMapping) -> StatusChange:
    """The change a ``status_changes`` row holds."""
    return StatusChange(
        credential_id=row["credential_id"],
        purpose=StatusPurpose(row["purpose"]),
        old_status=row["old_status"],
        new_status=row["new_status"],
        reason=row["reason"],
        actor=row["actor"],
        changed_at=row["changed_at"],
    )
