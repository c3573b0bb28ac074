"""JSON values: a member may hold one value or an array of them; a digest of exact JSON."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def as_list(value: Any) -> list[Any]:
    """``value`` as a list: absent (None) is empty, an array stays, anything else is wrapped."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def exact_json_digest(*documents: Any) -> bytes:
    """SHA-256 of the documents' JSON as held, members in their order: equal only for
    documents equal in every member, value and order (what a memo of a pure function of
    them is keyed by; cheaper than a canonical form)."""
    text = json.dumps(documents, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).digest()
