"""Content digests of JSON documents, independent of their byte layout."""

from __future__ import annotations

import hashlib
from typing import Any

import rfc8785

from vcservice.errors import ParsingError


def jcs_sha256(document: Any) -> str:
    """Return the hex SHA-256 of the RFC 8785 (JCS) canonical form of ``document``.

    A number JCS cannot write exactly (an integer beyond ±2**53, say) is a ParsingError:
    two parties could not agree on the document's digest.
    """
    try:
        canonical = rfc8785.dumps(document)
    except rfc8785.CanonicalizationError as error:
        raise ParsingError(f"the document cannot be canonicalized (RFC 8785): {error}") from None
    return hashlib.sha256(canonical).hexdigest()
