"""The holder (a shipper's wallet): keep verified credentials, present them for a challenge.

Each holder has one Ed25519 key; its DID is that key's ``did:key``. The secret is
wrapped with the key-encryption key and kept in the holder's own row (the ``keys``
table belongs to authorities and their did:web documents). A holder acts with a
bearer token shown once at creation, ``<name>.<secret>``, stored as a slow hash.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping, Sequence
from datetime import UTC
from typing import Any, Final, Literal

from vcservice.clock import Clock
from vcservice.custody.encryption import KeyEncryptionKey
from vcservice.custody.secret_hash import hash_secret, verify_secret
from vcservice.errors import VcError
from vcservice.jose import vc_jwt
from vcservice.keys import KeyPair, KeyPairSigner, KeyType
from vcservice.model import credential as vcdm
from vcservice.model.records import HeldCredential, Holder
from vcservice.services.core import Core
from vcservice.storage.repository import Store
from vcservice.verification.result import VerificationResult

__all__ = ["DATA_INTEGRITY", "HolderService", "PresentationFormat"]

DATA_INTEGRITY: Final = "data-integrity"
PresentationFormat = Literal["data-integrity", "vp+jwt"]
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_KEY_ID = "holder-key"  # what the KEK binds each wrapped holder secret to
_CRYPTOSUITE = "eddsa-rdfc-2022"


class HolderService:
    """Holders, the credentials they accepted, and the presentations they sign."""

    def __init__(self, *, core: Core, store: Store, kek: KeyEncryptionKey, clock: Clock) -> None:
        self._core = core
        self._holders = store.holders
        self._held = store.held_credentials
        self._kek = kek
        self._clock = clock

    # ------------------------------------------------------------ holders

    def create(self, name: str) -> tuple[Holder, str]:
        """A new holder with a fresh Ed25519 key, and its access token (shown once)."""
        if not _NAME.match(name):
            raise VcError(
                "a holder name is 1–63 lowercase letters, digits or hyphens", field="name"
            )
        key_pair = KeyPair.generate(KeyType.ED25519)
        public = key_pair.public_key.to_multibase()
        secret = key_pair.secret_to_multibase().encode("ascii")
        token = f"{name}.{secrets.token_urlsafe(32)}"
        holder = Holder(
            name=name,
            did=f"did:key:{public}",
            public_key_multibase=public,
            encrypted_secret=self._kek.encrypt(
                secret, authority=_owner(name), key_id=_KEY_ID, key_type=KeyType.ED25519.value
            ),
            token_hash=hash_secret(token),
            created_at=self._clock.now(),
        )
        self._holders.add(holder)
        return holder, token

    def authenticate(self, token: str) -> Holder:
        """The holder whose access token this is (INVALID_TOKEN otherwise)."""
        name, dot, _ = token.partition(".")
        holder = self._holders.get(name) if dot else None
        if holder is None or not verify_secret(token, holder.token_hash):
            raise VcError(
                "the holder token is not valid", code="INVALID_TOKEN", field="Authorization"
            )
        return holder

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
        subjects = [vcdm.id_of(subject) for subject in vcdm.subjects_of(result.document)]
        if holder.did not in subjects:
            raise VcError(
                f"the credential's subject is not this holder's DID {holder.did}",
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

    def list(self, holder: Holder) -> list[HeldCredential]:
        """Every credential the holder keeps, oldest first."""
        return self._held.for_holder(holder.name)

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
            raise VcError("name at least one credential", field="credentialIds")
        credentials = []
        for credential_id in dict.fromkeys(credential_ids):
            held = self._held.get(holder.name, credential_id)
            if held is None:
                raise VcError(f"no held credential {credential_id!r}", code="NOT_FOUND")
            credentials.append(_embedded(held))
        presentation = {
            "@context": [vcdm.CREDENTIALS_V2],
            "type": ["VerifiablePresentation"],
            "holder": holder.did,
            "verifiableCredential": credentials,
        }
        method = f"{holder.did}#{holder.public_key_multibase}"
        signer = KeyPairSigner(self._key_pair(holder), method)
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

    def _key_pair(self, holder: Holder) -> KeyPair:
        secret = self._kek.decrypt(
            holder.encrypted_secret,
            authority=_owner(holder.name),
            key_id=_KEY_ID,
            key_type=KeyType.ED25519.value,
        )
        return KeyPair.from_multibase(holder.public_key_multibase, secret.decode("ascii"))


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
