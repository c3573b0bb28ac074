"""The holder (a shipper's wallet): keep verified credentials, present them for a challenge.

Each holder has one Ed25519 key and a DID for it: that key's ``did:key``, or a
``did:web`` under this service's public URL (``…:holders:<name>``, its document served
by the service, one Multikey verification method whose fragment is the key's
multibase). The secret is wrapped with the key-encryption key and kept in the holder's
own row (the ``keys`` table belongs to authorities). A holder acts with a bearer token,
``<name>.<secret>``, shown once at creation or rotation and stored as its keyed digest.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import secrets
from collections.abc import Mapping, Sequence
from datetime import UTC
from typing import Any, Final, Literal, Protocol

from vcservice.clock import Clock
from vcservice.custody.encryption import KeyEncryptionKey
from vcservice.custody.secret_digest import SecretDigester, SecretPurpose
from vcservice.dids.document import DidDocument
from vcservice.dids.methods.web import build_did_web_document, did_web_for_url
from vcservice.errors import StorageError, VcError
from vcservice.jose import vc_jwt
from vcservice.jose.jws import decode_compact
from vcservice.keys import KeyPair, KeyPairSigner, KeyType, PublicKey, base64url_encode
from vcservice.model import credential as vcdm
from vcservice.model.records import HeldCredential, Holder
from vcservice.sdjwt import SD_JWT_VC_TYP, split
from vcservice.sdjwt.key_binding import holder_key
from vcservice.services.core import Core
from vcservice.services.freshness import Freshness, Memo
from vcservice.storage.repository import Store
from vcservice.verification.result import VerificationResult

__all__ = [
    "DATA_INTEGRITY",
    "SD_JWT_VC",
    "HolderDidMethod",
    "HolderService",
    "PresentationFormat",
    "SdJwtVcVerifier",
]

DATA_INTEGRITY: Final = "data-integrity"
SD_JWT_VC: Final = SD_JWT_VC_TYP  # the format a held SD-JWT VC is kept in
PresentationFormat = Literal["data-integrity", "vp+jwt"]
HolderDidMethod = Literal["key", "web"]
_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")  # fullmatch: a trailing newline is no name
_DID_WEB = "did:web:"
_DID_WEB_PATH = "holders"  # did:web:<host>:holders:<name>, served at /holders/<name>/did.json
_KEY_ID = "holder-key"  # what the KEK binds each wrapped holder secret to
_CRYPTOSUITE = "eddsa-rdfc-2022"
HOLDERS_KEPT = 1024  # did:web holders whose records this process keeps for resolving


class SdJwtVcVerifier(Protocol):
    """Verifies an SD-JWT VC (``services.sd_jwt_vc``): without a nonce or an audience, as
    issued, with no Key Binding."""

    def verify(
        self, presentation: str, *, nonce: str | None, audience: str | None
    ) -> VerificationResult:
        """The result of every check; its ``document`` the claims disclosed."""
        ...


class HolderService:
    """Holders, the credentials they accepted, and the presentations they sign."""

    def __init__(
        self,
        *,
        core: Core,
        store: Store,
        kek: KeyEncryptionKey,
        digests: SecretDigester,
        clock: Clock,
        public_url: str,
        freshness: Freshness,
    ) -> None:
        self._core = core
        self._public_url = public_url
        self._holders = store.holders
        self._held = store.held_credentials
        self._kek = kek
        self._digests = digests
        self._clock = clock
        self._known: Memo[str, Holder | None] = Memo(freshness, max_entries=HOLDERS_KEPT)

    # ------------------------------------------------------------ holders

    def create(self, name: str, *, did_method: HolderDidMethod = "key") -> tuple[Holder, str]:
        """A new holder with a fresh Ed25519 key, and its access token (shown once).

        Its DID is the key's ``did:key``, or with ``did_method="web"`` the did:web of
        ``<public_url>/holders/<name>``. MALFORMED_VALUE_ERROR for a bad name; CONFLICT
        when the name (or the DID) is taken.
        """
        if not _NAME.fullmatch(name):
            raise VcError(
                "a holder name is 1–63 lowercase letters, digits or hyphens, "
                "starting with a letter or digit",
                code="MALFORMED_VALUE_ERROR",
                field="name",
            )
        key_pair = KeyPair.generate(KeyType.ED25519)
        public = key_pair.public_key.to_multibase()
        secret = key_pair.secret_to_multibase().encode("ascii")
        token = _new_token(name)
        did = (
            did_web_for_url(self._public_url, (_DID_WEB_PATH, name))
            if did_method == "web"
            else f"did:key:{public}"
        )
        holder = Holder(
            name=name,
            did=did,
            public_key_multibase=public,
            encrypted_secret=self._kek.encrypt(
                secret, authority=_owner(name), key_id=_KEY_ID, key_type=KeyType.ED25519.value
            ),
            token_hash=self._token_digest(name, token),
            created_at=self._clock.now(),
        )
        self._holders.add(holder)
        return holder, token

    def get(self, name: str) -> Holder:
        """The holder called ``name`` (NOT_FOUND otherwise)."""
        holder = self._holders.get(name)
        if holder is None:
            raise StorageError(f"no holder called {name!r}", code="NOT_FOUND", field="name")
        return holder

    def list_holders(self) -> list[Holder]:
        """Every holder, by name."""
        return self._holders.list()

    def rotate_token(self, name: str) -> tuple[Holder, str]:
        """A new access token for the holder (shown once); the old one stops working now."""
        holder = self.get(name)
        token = _new_token(name)
        token_hash = self._token_digest(name, token)
        self._holders.replace_token_hash(name, token_hash)
        return dataclasses.replace(holder, token_hash=token_hash), token

    def remove(self, name: str) -> None:
        """Remove the holder, its key and every credential it keeps (NOT_FOUND if unknown).

        Its DID is never given again: a new holder of the same name gets a conflict, as it
        would otherwise control the credentials issued to this one.
        """
        if not self._holders.delete(name, retired_at=self._clock.now()):
            raise StorageError(f"no holder called {name!r}", code="NOT_FOUND", field="name")

    def authenticate(self, token: str) -> Holder:
        """The holder whose access token this is (INVALID_TOKEN otherwise).

        One look-up by name and one keyed digest, whether or not the name is a holder's. A
        token stored as a scrypt hash (before keyed digests) is checked against it once and
        its digest stored instead, unless the token was rotated meanwhile.
        """
        name, dot, _ = token.partition(".")
        holder = self._holders.get(name) if dot and _NAME.fullmatch(name) else None
        check = self._digests.check(
            token,
            holder.token_hash if holder is not None else None,
            purpose=SecretPurpose.HOLDER_TOKEN,
            owner=name,
        )
        if holder is None or not check.matches:
            raise VcError(
                "the holder token is not valid", code="INVALID_TOKEN", field="Authorization"
            )
        if check.upgrade is not None:
            self._holders.upgrade_token_hash(
                name, current=holder.token_hash, upgraded=check.upgrade
            )
        return holder

    def _token_digest(self, name: str, token: str) -> str:
        return self._digests.digest(token, purpose=SecretPurpose.HOLDER_TOKEN, owner=name)

    # ------------------------------------------------------------ DID documents

    def did_document(self, name: str) -> dict[str, Any]:
        """The DID document of a did:web holder (NOT_FOUND for unknown and did:key holders)."""
        holder = self.get(name)
        if not holder.did.startswith(_DID_WEB):
            raise StorageError(
                f"holder {name!r} has a did:key, which has no document to serve",
                code="NOT_FOUND",
                field="name",
            )
        return _did_web_document(holder)

    def find_did_document(self, did: str) -> DidDocument | None:
        """The DID document of one of our did:web holders, resolved without the network
        (the holder read again only once the change counter moved)."""
        _, marker, name = did.rpartition(f":{_DID_WEB_PATH}:")
        if not (did.startswith(_DID_WEB) and marker and _NAME.fullmatch(name)):
            return None
        holder = self._known.get(name, lambda: self._holders.get(name))
        if holder is None or holder.did != did:
            return None
        return DidDocument(_did_web_document(holder))

    # ------------------------------------------------------------ credentials

    def store(self, holder: Holder, credential: Mapping[str, Any] | str) -> HeldCredential:
        """Verify ``credential`` and keep it.

        CREDENTIAL_NOT_ACCEPTED when it does not verify or is not about this holder's
        DID; CONFLICT when the holder already keeps it.
        """
        result = self._core.verifier.verify_credential(credential)
        if not result.verified or result.document is None:
            raise VcError(
                f"the credential does not verify: {_problems(result)}",
                code="CREDENTIAL_NOT_ACCEPTED",
                field="verifiableCredential",
            )
        if holder.did not in vcdm.holder_ids_of(result.document):
            raise VcError(
                f"the credential's subject (its id, or its member's) is not this holder's "
                f"DID {holder.did}",
                code="CREDENTIAL_NOT_ACCEPTED",
                field="verifiableCredential.credentialSubject.id",
            )
        credential_id = vcdm.id_of(result.document)
        if credential_id is None:
            raise VcError(
                "the credential has no id to keep it by",
                code="CREDENTIAL_NOT_ACCEPTED",
                field="verifiableCredential.id",
            )
        token = _compact(credential)
        held = HeldCredential(
            holder=holder.name,
            credential_id=credential_id,
            document=token if token is not None else json.dumps(credential, ensure_ascii=False),
            format=vc_jwt.VC_JWT if token is not None else DATA_INTEGRITY,
            stored_at=self._clock.now(),
        )
        self._held.add(held)
        return held

    def store_sd_jwt(
        self, holder: Holder, sd_jwt: str, *, verifier: SdJwtVcVerifier
    ) -> HeldCredential:
        """Verify an SD-JWT VC as issued (every Disclosure, no Key Binding JWT) and keep it.

        Checked as :meth:`store` checks a W3C credential: its signature and Disclosures,
        issuer, validity and status (whether a trust registry accredits its issuer is a
        verifier's question, not the wallet's); and it must be bound (``cnf.jwk``) to this
        holder's own key. An SD-JWT VC has no id: it is kept by the digest of its
        Issuer-signed JWT, ``ni:///sha-256;<base64url>`` (RFC 6920). CREDENTIAL_NOT_ACCEPTED
        otherwise; CONFLICT when the holder already keeps it.
        """
        parts = split(sd_jwt)
        if parts.key_binding_jwt is not None:
            raise VcError(
                "keep an SD-JWT VC as issued, without a Key Binding JWT",
                code="CREDENTIAL_NOT_ACCEPTED",
                field="credential",
            )
        result = verifier.verify(parts.serialize(), nonce=None, audience=None)
        problems = [
            problem
            for check in result.checks
            if check.name != "issuerTrust"
            for problem in check.problems
        ]
        if problems or result.document is None:
            detail = "; ".join(f"{p.code}: {p.detail}" for p in problems) or "not verified"
            raise VcError(
                f"the credential does not verify: {detail}",
                code="CREDENTIAL_NOT_ACCEPTED",
                field="credential",
            )
        try:
            bound = holder_key(decode_compact(parts.issuer_jwt).payload_json())
        except VcError as error:
            raise VcError(
                error.message, code="CREDENTIAL_NOT_ACCEPTED", field="credential.cnf"
            ) from error
        if bound.to_multibase() != holder.public_key_multibase:
            raise VcError(
                "the credential is bound (cnf.jwk) to another key than this holder's",
                code="CREDENTIAL_NOT_ACCEPTED",
                field="credential.cnf",
            )
        digest = hashlib.sha256(parts.issuer_jwt.encode("ascii")).digest()
        held = HeldCredential(
            holder=holder.name,
            credential_id=f"ni:///sha-256;{base64url_encode(digest)}",
            document=parts.serialize(),
            format=SD_JWT_VC,
            stored_at=self._clock.now(),
        )
        self._held.add(held)
        return held

    def list(self, holder: Holder) -> list[HeldCredential]:
        """Every credential the holder keeps, oldest first."""
        return self._held.for_holder(holder.name)

    def held(self, holder: Holder, credential_id: str) -> HeldCredential:
        """One credential the holder keeps (NOT_FOUND if it has none with that id)."""
        found = self._held.get(holder.name, credential_id)
        if found is None:
            raise VcError(f"no held credential {credential_id!r}", code="NOT_FOUND")
        return found

    def delete(self, holder: Holder, credential_id: str) -> None:
        """Forget one credential (NOT_FOUND if the holder has none with that id)."""
        if not self._held.delete(holder.name, credential_id):
            raise VcError(f"no held credential {credential_id!r}", code="NOT_FOUND")

    # ------------------------------------------------------------ presentations

    def prove(
        self,
        holder: Holder,
        credential_ids: Sequence[str],
        *,
        challenge: str,
        domain: str | None,
        format: PresentationFormat = DATA_INTEGRITY,
    ) -> dict[str, Any] | str:
        """A presentation of the chosen credentials, signed for authentication.

        Data Integrity (``eddsa-rdfc-2022``, challenge and domain in the proof) or a
        ``vp+jwt`` (challenge as ``nonce``, domain as ``aud``), returned enveloped.
        JWT credentials travel as EnvelopedVerifiableCredential in either format.
        """
        if not credential_ids:
            raise VcError(
                "name at least one credential", code="MALFORMED_VALUE_ERROR", field="credentialIds"
            )
        credentials = []
        for credential_id in dict.fromkeys(credential_ids):
            held = self._held.get(holder.name, credential_id)
            if held is None:
                raise VcError(f"no held credential {credential_id!r}", code="NOT_FOUND")
            if held.format == SD_JWT_VC:
                raise VcError(
                    f"{credential_id!r} is an SD-JWT VC: it is presented with its own Key "
                    "Binding JWT (OpenID4VP), not inside a W3C presentation",
                    code="MALFORMED_VALUE_ERROR",
                    field="credentialIds",
                )
            credentials.append(_embedded(held))
        presentation = {
            "@context": [vcdm.CREDENTIALS_V2],
            "type": ["VerifiablePresentation"],
            "holder": holder.did,
            "verifiableCredential": credentials,
        }
        signer = KeyPairSigner(self._key_pair(holder), _verification_method(holder))
        if format == vc_jwt.VP_JWT:
            token = vc_jwt.secure_presentation(
                presentation, signer=signer, nonce=challenge, audience=domain
            )
            return {
                "@context": [vcdm.CREDENTIALS_V2],
                "type": "EnvelopedVerifiablePresentation",
                "id": vc_jwt.enveloped_id(token, vc_jwt.VP_JWT),
            }
        return self._core.data_integrity.add_proof(
            presentation,
            signer=signer,
            cryptosuite=_CRYPTOSUITE,
            created=self._clock.now().astimezone(UTC).replace(microsecond=0),
            purpose="authentication",
            challenge=challenge,
            domain=domain,
        )

    def signer(self, holder: Holder) -> KeyPairSigner:
        """The holder's own key, signing as its DID's verification method: for what the
        holder signs itself (an OpenID4VCI key proof, an SD-JWT Key Binding JWT)."""
        return KeyPairSigner(self._key_pair(holder), _verification_method(holder))

    def _key_pair(self, holder: Holder) -> KeyPair:
        secret = self._kek.decrypt(
            holder.encrypted_secret,
            authority=_owner(holder.name),
            key_id=_KEY_ID,
            key_type=KeyType.ED25519.value,
        )
        return KeyPair.from_multibase(holder.public_key_multibase, secret.decode("ascii"))


def _new_token(name: str) -> str:
    """A fresh access token for the holder called ``name``."""
    return f"{name}.{secrets.token_urlsafe(32)}"


def _verification_method(holder: Holder) -> str:
    """The id of the holder's one verification method: ``<did>#<key multibase>``.

    For a did:key that is the method the DID itself defines; a did:web holder's
    document uses the same fragment.
    """
    return f"{holder.did}#{holder.public_key_multibase}"


def _did_web_document(holder: Holder) -> dict[str, Any]:
    """The did:web document of ``holder``: its key, for authentication and assertion."""
    public_key = PublicKey.from_multibase(holder.public_key_multibase)
    return build_did_web_document(holder.did, [(holder.public_key_multibase, public_key)])


def _owner(name: str) -> str:
    """The owner name the KEK binds a holder's key to (never an authority's name)."""
    return f"holder:{name}"


def _compact(credential: Mapping[str, Any] | str) -> str | None:
    """The compact JWT of a ``vc+jwt`` credential, bare or enveloped; None for JSON ones."""
    if isinstance(credential, str):
        return credential
    if "EnvelopedVerifiableCredential" in vcdm.types_of(credential):
        return vc_jwt.token_from_enveloped_id(str(credential.get("id", "")))[1]
    return None


def _embedded(held: HeldCredential) -> Any:
    """The held credential as a presentation carries it."""
    if held.format == vc_jwt.VC_JWT:
        return {
            "@context": [vcdm.CREDENTIALS_V2],
            "type": "EnvelopedVerifiableCredential",
            "id": vc_jwt.enveloped_id(held.document, vc_jwt.VC_JWT),
        }
    return json.loads(held.document)


def _problems(result: VerificationResult) -> str:
    return "; ".join(f"{problem.code}: {problem.detail}" for problem in result.problems) or (
        "not verified"
    )
