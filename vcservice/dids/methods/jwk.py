"""did:jwk: a base64url-encoded public JWK expanded into a DID document."""

from __future__ import annotations

import json
from typing import Any

from vcservice.dids.document import (
    CID_CONTEXT_V1,
    DID_CONTEXT_V1,
    SIGNING_RELATIONSHIPS,
    DidDocument,
)
from vcservice.errors import DidError, KeyFormatError, ParsingError
from vcservice.keys import PublicKey, base64url_decode, base64url_encode

__all__ = ["DidJwkMethod", "did_jwk_from_public_key"]

_PREFIX = "did:jwk:"


class DidJwkMethod:
    """Resolves ``did:jwk:<base64url JWK>`` without any I/O."""

    method_name = "jwk"

    def forget(self, did: str) -> None:
        """Nothing is kept: the document is made from the DID itself."""

    def resolve(self, did: str) -> DidDocument:
        """Expand ``did`` into its document with one JsonWebKey VM, ``#0``."""
        if not did.startswith(_PREFIX):
            raise DidError(f"{did!r} is not a did:jwk", code="INVALID_DID")
        try:
            jwk: Any = json.loads(base64url_decode(did.removeprefix(_PREFIX)))
        except (ParsingError, ValueError) as exc:  # UnicodeDecodeError is a ValueError
            raise DidError(
                f"{did} does not hold base64url-encoded JSON: {exc}", code="INVALID_DID"
            ) from exc
        try:
            PublicKey.from_jwk(jwk)
        except KeyFormatError as exc:
            raise DidError(
                f"{did} does not hold a valid public JWK: {exc.message}", code="INVALID_DID"
            ) from exc
        vm_id = f"{did}#0"
        # The JWK's "use" selects the relationships (did:jwk spec, "Read").
        use = jwk.get("use")
        if use == "enc":
            relationships: tuple[str, ...] = ("keyAgreement",)
        elif use == "sig":
            relationships = SIGNING_RELATIONSHIPS
        else:
            relationships = (*SIGNING_RELATIONSHIPS, "keyAgreement")
        return DidDocument(
            {
                "@context": [DID_CONTEXT_V1, CID_CONTEXT_V1],
                "id": did,
                "verificationMethod": [
                    {"id": vm_id, "type": "JsonWebKey", "controller": did, "publicKeyJwk": jwk}
                ],
                **{relationship: [vm_id] for relationship in relationships},
            }
        )


def did_jwk_from_public_key(public_key: PublicKey) -> str:
    """The did:jwk of ``public_key``: its JWK with sorted members and no whitespace."""
    jwk = json.dumps(public_key.to_jwk(), sort_keys=True, separators=(",", ":"))
    return _PREFIX + base64url_encode(jwk.encode("utf-8"))
