"""Content digests of JSON documents, independent of their byte layout."""

from __future__ import annotations

import hashlib
from typing import Any

import rfc8785


def jcs_sha256(document: Any) -> str:
    """Return the hex SHA-256 of the RFC 8785 (JCS) canonical form of ``document``."""
    return hashlib.sha256(rfc8785.dumps(document)).hexdigest()
