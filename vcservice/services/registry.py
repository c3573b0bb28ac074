"""Lookups in the credential registry that respect which authority issued what."""

from __future__ import annotations

from vcservice.errors import StorageError
from vcservice.model.records import Authority, IssuedCredential
from vcservice.storage.repository import Store


def issued_by(
    store: Store, authority: Authority, credential_id: str, *, field: str
) -> IssuedCredential:
    """The credential ``authority`` issued; NOT_FOUND for unknown ids and others' alike."""
    record = store.credentials.get(credential_id)
    if record is None or record.authority != authority.name:
        raise StorageError(
            f"no credential {credential_id!r} issued by {authority.name}",
            code="NOT_FOUND",
            field=field,
        )
    return record
