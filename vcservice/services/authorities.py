"""Issuing authorities: create them with their did:web and keys, rotate keys, publish DIDs."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from vcservice.clock import Clock
from vcservice.custody.keystore import KeyStore
from vcservice.dids.document import DidDocument
from vcservice.dids.methods.web import build_did_web_document, did_web_for_url
from vcservice.errors import StorageError, VcError
from vcservice.keys import KeyType, Signer
from vcservice.model.records import AuditAction, Authority, StoredKey
from vcservice.services.audit import audit_event
from vcservice.services.versioned_cache import VersionedCache
from vcservice.status.index import index_service
from vcservice.storage.repository import Store

AUTHORITY_NAME = re.compile(r"^[a-z][a-z0-9-]{1,39}$")
# Every authority signs Data Integrity with Ed25519 and P-384, and vc+jwt with P-384.
AUTHORITY_KEY_TYPES = (KeyType.ED25519, KeyType.P384)
# Where an authority's DID document and its traceability-interop API are: <public URL>/issuers/
# <name>/did.json and under <public URL>/issuers/<name>, the API base its DID document names
# in a TraceabilityAPI service.
ISSUERS_PATH = "issuers"
TRACEABILITY_API = "TraceabilityAPI"
# Where an authority's status lists are served: <public URL>/status-lists/<name>/… and, at
# <public URL>/status-lists/<name>, their index (which the DID document points to).
STATUS_LISTS_PATH = "status-lists"
# Parsed DID documents a process keeps, by DID, each until its authority's keys change.
DID_DOCUMENTS_KEPT = 256


class AuthorityService:
    """Creates and looks up authorities; their DIDs are did:web under this service's URL.

    ``documents`` keeps the DID documents that :meth:`find_did_document` built (by
    default up to ``DID_DOCUMENTS_KEPT``).
    """

    def __init__(
        self,
        *,
        store: Store,
        keystore: KeyStore,
        public_url: str,
        clock: Clock,
        documents: VersionedCache[str, DidDocument] | None = None,
    ) -> None:
        self._store = store
        self._keystore = keystore
        self._public_url = public_url
        self._clock = clock
        self._did_prefix = did_web_for_url(public_url, (ISSUERS_PATH, "x"))[:-1]
        self._documents = (
            VersionedCache(max_entries=DID_DOCUMENTS_KEPT) if documents is None else documents
        )

    def create(self, *, name: str, display_name: str, credential_types: Iterable[str]) -> Authority:
        """Create an authority with a fresh Ed25519 and P-384 key (CONFLICT if it exists)."""
        if not AUTHORITY_NAME.match(name):
            raise VcError(
                "name must be 2–40 lowercase letters, digits or '-', starting with a letter",
                code="MALFORMED_VALUE_ERROR",
                field="name",
            )
        authority = Authority(
            name=name,
            display_name=display_name,
            did=did_web_for_url(self._public_url, (ISSUERS_PATH, name)),
            credential_types=frozenset(credential_types),
            created_at=self._clock.now(),
        )
        self._store.authorities.add(
            authority,
            audit=audit_event(
                self._clock,
                AuditAction.AUTHORITY_CREATED,
                subject=name,
                authority=name,
                details={
                    "did": authority.did,
                    "credentialTypes": sorted(authority.credential_types),
                },
            ),
        )
        for key_type in AUTHORITY_KEY_TYPES:
            self._keystore.create_key(name, key_type)
        return authority

    def get(self, name: str) -> Authority:
        """The authority called ``name`` (NOT_FOUND otherwise)."""
        authority = self._store.authorities.get(name)
        if authority is None:
            raise StorageError(f"no authority called {name!r}", code="NOT_FOUND", field="name")
        return authority

    def list(self) -> list[Authority]:
        """Every authority."""
        return self._store.authorities.list()

    def rotate_key(self, name: str, key_type: KeyType) -> StoredKey:
        """A new active key of ``key_type``; the old one stays in the DID document.

        Audited right after the key store committed the rotation (custody writes in
        transactions of its own): should that append fail, the rotation stands unaudited
        and the error is raised.
        """
        self.get(name)
        key = self._keystore.rotate(name, key_type)
        self._store.audit.append(
            audit_event(
                self._clock,
                AuditAction.KEY_ROTATED,
                subject=key.key_id,
                authority=name,
                details={"keyType": key.key_type},
            )
        )
        return key

    def signer(self, authority: Authority, key_type: KeyType) -> Signer:
        """The signer of the authority's newest active key of ``key_type``."""
        return self._keystore.signer(authority, key_type)

    def did_document(self, name: str) -> dict[str, Any]:
        """The authority's DID document: every published key, active and retired.

        Its ``service`` points to the index of the authority's status lists.
        """
        return self._document(name, self.get(name).did)

    def find_did_document(self, did: str) -> DidDocument | None:
        """The DID document of one of our authorities, resolved without the network.

        One query reads the authority's key version; the document (with the verification
        methods parsed from it) is rebuilt only if that moved on since it was built here.
        """
        name = did.removeprefix(self._did_prefix) if did.startswith(self._did_prefix) else ""
        if not AUTHORITY_NAME.match(name):
            return None
        version = self._store.authorities.key_version(name, did=did)
        if version is None:
            return None
        document = self._documents.get(did, version)
        if document is None:
            document = DidDocument(self._document(name, did))
            self._documents.put(did, version, document)
        return document

    def api_base(self, name: str) -> str:
        """The URL under which the authority's traceability-interop API is served."""
        return f"{self._public_url.rstrip('/')}/{ISSUERS_PATH}/{name}"

    def _document(self, name: str, did: str) -> dict[str, Any]:
        """The DID document of the authority ``name`` (whose DID is ``did``), built afresh.

        Its services: the TraceabilityAPI (the organisation's API base), then the index of
        its status lists; each ``type`` a set of strings, as traceability-interop's
        ``did.json`` schema wants it (DID Core allows a string or a set).
        """
        index_url = f"{self._public_url.rstrip('/')}/{STATUS_LISTS_PATH}/{name}"
        services = [
            {
                "id": f"{did}#traceability-api",
                "type": TRACEABILITY_API,
                "serviceEndpoint": self.api_base(name),
            },
            index_service(did, index_url),
        ]
        return build_did_web_document(
            did,
            self._keystore.published_keys(name),
            services=[service | {"type": [service["type"]]} for service in services],
        )
