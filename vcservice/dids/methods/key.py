"""did:key (CCG did:key v0.7): a public Multikey expanded into a DID document."""

from __future__ import annotations

import re

from vcservice.dids.document import (
    DID_CONTEXT_V1,
    MULTIKEY_CONTEXT_V1,
    SIGNING_RELATIONSHIPS,
    DidDocument,
    VerificationMethod,
)
from vcservice.errors import DidError, KeyFormatError
from vcservice.keys import PublicKey

__all__ = ["DidKeyMethod", "did_key_from_public_key"]

_PREFIX = "did:key:"
# did:key:[<positive version>:]<base58btc multibase>
_DID_KEY = re.compile(r"did:key:(?:[1-9][0-9]*:)?(z[1-9A-HJ-NP-Za-km-z]+)")


class DidKeyMethod:
    """Resolves ``did:key:<mb>`` (and ``did:key:<version>:<mb>``) without any I/O."""

    method_name = "key"

    def forget(self, did: str) -> None:
        """Nothing is kept: the document is made from the DID itself."""

    def resolve(self, did: str) -> DidDocument:
        """Expand ``did`` into its document: one Multikey VM for all signing relationships."""
        match = _DID_KEY.fullmatch(did)
        if match is None:
            raise DidError(f"{did!r} is not a did:key (did:key:[version:]z…)", code="INVALID_DID")
        multibase = match[1]
        try:
            public_key = PublicKey.from_multibase(multibase)
        except KeyFormatError as exc:
            raise DidError(
                f"{did} does not hold a valid key: {exc.message}", code="INVALID_DID"
            ) from exc
        method = VerificationMethod(f"{did}#{multibase}", "Multikey", did, public_key)
        return DidDocument(
            {
                "@context": [DID_CONTEXT_V1, MULTIKEY_CONTEXT_V1],
                "id": did,
                "verificationMethod": [method.to_json()],
                **{relationship: [method.id] for relationship in SIGNING_RELATIONSHIPS},
            }
        )


def did_key_from_public_key(public_key: PublicKey) -> str:
    """The did:key of ``public_key``."""
    return _PREFIX + public_key.to_multibase()
