"""Content digests of JSON documents, independent of their byte layout."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import rfc8785


def exact_json_digest(*documents: Any) -> bytes:
    """SHA-256 of the documents' JSON as held, members in their order: equal only for
    documents equal in every member, value and order (what a memo of a pure function of
    them is keyed by; cheaper than a canonical form)."""
    text = json.dumps(documents, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).digest()


def jcs_sha256(document: Any) -> str:
    """Return the hex SHA-256 of the RFC 8785 (JCS) canonical form of ``document``."""
    return hashlib.sha256(rfc8785.dumps(document)).hexdigest()
