"""Issuing authorities: create them with their did:web and keys, rotate keys, publish DIDs."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from vcservice.clock import Clock
from vcservice.custody.keystore import KeyStore
from vcservice.dids.document import DidDocument
from vcservice.dids.methods.key import did_key_from_public_key
from vcservice.dids.methods.web import build_did_web_document, did_web_for_url
from vcservice.errors import StorageError, VcError
from vcservice.keys import KeyType, PublicKey, Signer
from vcservice.model.records import AuditAction, Authority, KeyStatus, StoredKey
from vcservice.services.audit import audit_event
from vcservice.services.freshness import Freshness, Memo
from vcservice.services.versioned_cache import VersionedCache
from vcservice.status.index import index_service
from vcservice.storage.repository import Store

AUTHORITY_NAME = re.compile(r"^[a-z][a-z0-9-]{1,39}$")
# A did:web authority holds a key of each type: eddsa-rdfc-2022 signs with Ed25519,
# ecdsa-rdfc-2019 and vc+jwt with P-256 or P-384. A did:key authority holds the one key
# its DID is.
AUTHORITY_KEY_TYPES = (KeyType.ED25519, KeyType.P256, KeyType.P384)
DID_METHODS = ("web", "key")
DID_KEY_PREFIX = "did:key:"
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
        freshness: Freshness,
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
        self._key_versions: Memo[str, int | None] = Memo(freshness, max_entries=DID_DOCUMENTS_KEPT)

    def create(
        self,
        *,
        name: str,
        display_name: str,
        credential_types: Iterable[str],
        did_method: str = "web",
        key_type: KeyType | None = None,
    ) -> Authority:
        """Create an authority with its keys, in one transaction (CONFLICT if it exists).

        A did:web authority (the default) gets ``did:web:<public host>:issuers:<name>`` and
        a key of each of ``AUTHORITY_KEY_TYPES``; a did:key authority gets one key of
        ``key_type`` and that key's did:key as its DID (its key never changes).
        """
        if not AUTHORITY_NAME.match(name):
            raise VcError(
                "name must be 2–40 lowercase letters, digits or '-', starting with a letter",
                code="MALFORMED_VALUE_ERROR",
                field="name",
            )
        keys = [self._keystore.new_key(name, kind) for kind in _key_types(did_method, key_type)]
        did = (
            did_key_from_public_key(PublicKey.from_multibase(keys[0].public_key_multibase))
            if did_method == "key"
            else did_web_for_url(self._public_url, (ISSUERS_PATH, name))
        )
        authority = Authority(
            name=name,
            display_name=display_name,
            did=did,
            credential_types=frozenset(credential_types),
            created_at=self._clock.now(),
        )
        created = audit_event(
            self._clock,
            AuditAction.AUTHORITY_CREATED,
            subject=name,
            authority=name,
            details={"did": did, "credentialTypes": sorted(authority.credential_types)},
        )
        try:
            self._store.authorities.add(authority, with_keys=keys, audit=created)
        except BaseException:
            for key in keys:
                self._keystore.discard(key)
            raise
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

    def prepare_key(self, name: str, key_type: KeyType) -> StoredKey:
        """A pending key of ``key_type``: in the DID document at once, signing only once
        ``rotate_key`` promotes it (CONFLICT if one is pending already).

        Audited as ``rotate_key`` is, right after the key store committed it.
        """
        self._refuse_did_key(name)
        key = self._keystore.prepare(name, key_type)
        self._store.audit.append(
            audit_event(
                self._clock,
                AuditAction.KEY_PREPARED,
                subject=key.key_id,
                authority=name,
                details={"keyType": key.key_type},
            )
        )
        return key

    def rotate_key(self, name: str, key_type: KeyType) -> StoredKey:
        """The new active key of ``key_type``: the pending one if ``prepare_key`` made it,
        else a new key; the old one stays in the DID document.

        Audited right after the key store committed the rotation (custody writes in
        transactions of its own): should that append fail, the rotation stands unaudited
        and the error is raised.
        """
        self._refuse_did_key(name)
        self._refuse_unannounced_list_key(name, key_type)
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

    def _refuse_unannounced_list_key(self, name: str, key_type: KeyType) -> None:
        """CONFLICT when the key that signs the authority's published trust list would
        change to one no version of the list announced: its subscribers would refuse every
        list after it (``trust_list_publisher``)."""
        authority = self.get(name)
        if self.key_types(authority)[:1] != (key_type,):
            return  # not the key that signs the list
        if self._store.published_lists.latest(name) is None:
            return
        keys = self._store.keys.for_authority(name)
        if not any(k.status is KeyStatus.PENDING and k.key_type == key_type.value for k in keys):
            raise VcError(
                f"authority {name!r} signs a published trust list with its {key_type.value} "
                "key: announce the next one first (POST /admin/authorities/"
                f"{name}/trust-list/next-key), so that subscribers accept lists it signs",
                code="CONFLICT",
                field="keyType",
            )

    def _refuse_did_key(self, name: str) -> None:
        """CONFLICT for a did:key authority (NOT_FOUND for none): its key never changes."""
        if self.get(name).did.startswith(DID_KEY_PREFIX):
            raise VcError(
                f"authority {name!r} is a did:key: its key is its DID and cannot change",
                code="CONFLICT",
                field="name",
            )

    def signer(self, authority: Authority, key_type: KeyType) -> Signer:
        """The signer of the authority's newest active key of ``key_type``."""
        return self._keystore.signer(authority, key_type)

    def key_types(self, authority: Authority) -> tuple[KeyType, ...]:
        """The types of the authority's active keys, in ``AUTHORITY_KEY_TYPES`` order."""
        active = {
            KeyType(key.key_type)
            for key in self._store.keys.for_authority(authority.name)
            if key.status is KeyStatus.ACTIVE
        }
        return tuple(key_type for key_type in AUTHORITY_KEY_TYPES if key_type in active)

    def did_document(self, name: str) -> dict[str, Any]:
        """The authority's DID document: every published key, active, pending and retired.

        Its ``service`` points to the index of the authority's status lists. A did:key
        authority has none here (NOT_FOUND): its DID is its document.
        """
        did = self.get(name).did
        if not did.startswith("did:web:"):
            raise StorageError(
                f"authority {name!r} is a {did.split(':')[1]} DID: no did:web document",
                code="NOT_FOUND",
            )
        return self._document(name, did)

    def find_did_document(self, did: str) -> DidDocument | None:
        """The DID document of one of our authorities, resolved without the network.

        The authority's key version is read again only once the change counter moved; the
        document (with the verification methods parsed from it) is rebuilt only if the key
        version moved on since it was built here.
        """
        name = did.removeprefix(self._did_prefix) if did.startswith(self._did_prefix) else ""
        if not AUTHORITY_NAME.match(name):
            return None
        version = self._key_versions.get(
            did, lambda: self._store.authorities.key_version(name, did=did)
        )
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


def _key_types(did_method: str, key_type: KeyType | None) -> tuple[KeyType, ...]:
    """The keys a new authority of ``did_method`` gets (MALFORMED_VALUE_ERROR for a
    method this service does not host, or a key type that does not go with it)."""
    if did_method == "web":
        if key_type is not None:
            raise VcError(
                "a did:web authority holds a key of every type; keyType is for did:key",
                code="MALFORMED_VALUE_ERROR",
                field="keyType",
            )
        return AUTHORITY_KEY_TYPES
    if did_method == "key":
        if key_type not in AUTHORITY_KEY_TYPES:
            kinds = ", ".join(AUTHORITY_KEY_TYPES)
            raise VcError(
                f"a did:key authority needs keyType, one of {kinds}",
                code="MALFORMED_VALUE_ERROR",
                field="keyType",
            )
        return (key_type,)
    raise VcError(
        f"didMethod must be one of {', '.join(DID_METHODS)}",
        code="MALFORMED_VALUE_ERROR",
        field="didMethod",
    )
