"""DIDs: documents, verification methods, resolution (did:key, did:jwk, did:web)."""

from vcservice.dids.document import (
    RELATIONSHIPS,
    SIGNING_RELATIONSHIPS,
    DidDocument,
    VerificationMethod,
)
from vcservice.dids.methods import (
    DidJwkMethod,
    DidKeyMethod,
    DidWebMethod,
    build_did_web_document,
    did_jwk_from_public_key,
    did_key_from_public_key,
    did_web_document_url,
    did_web_for_url,
)
from vcservice.dids.resolver import (
    DidMethod,
    DidResolver,
    UniversalResolver,
    dereference_verification_method,
)
from vcservice.dids.syntax import ParsedDid, parse_did

__all__ = [
    "RELATIONSHIPS",
    "SIGNING_RELATIONSHIPS",
    "DidDocument",
    "DidJwkMethod",
    "DidKeyMethod",
    "DidMethod",
    "DidResolver",
    "DidWebMethod",
    "ParsedDid",
    "UniversalResolver",
    "VerificationMethod",
    "build_did_web_document",
    "dereference_verification_method",
    "did_jwk_from_public_key",
    "did_key_from_public_key",
    "did_web_document_url",
    "did_web_for_url",
    "parse_did",
]
