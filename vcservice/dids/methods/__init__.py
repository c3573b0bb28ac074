"""DID methods: one module per method, each a :class:`~vcservice.dids.resolver.DidMethod`."""

from vcservice.dids.methods.jwk import DidJwkMethod, did_jwk_from_public_key
from vcservice.dids.methods.key import DidKeyMethod, did_key_from_public_key
from vcservice.dids.methods.web import (
    DidWebMethod,
    build_did_web_document,
    did_web_document_url,
    did_web_for_url,
)

__all__ = [
    "DidJwkMethod",
    "DidKeyMethod",
    "DidWebMethod",
    "build_did_web_document",
    "did_jwk_from_public_key",
    "did_key_from_public_key",
    "did_web_document_url",
    "did_web_for_url",
]
