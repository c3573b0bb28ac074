"""The Credential Response (OpenID4VCI 1.0 §8.3) and the Nonce Response (§7.2)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["build_credential_response", "build_nonce_response"]


def build_credential_response(credentials: Sequence[str | dict[str, Any]]) -> dict[str, Any]:
    """An immediate response: each credential as its format has it (a compact JWT or
    SD-JWT as a string, a Data Integrity credential as an object), never re-encoded."""
    if not credentials:
        raise ValueError("an immediate credential response holds at least one credential")
    return {"credentials": [{"credential": credential} for credential in credentials]}


def build_nonce_response(c_nonce: str) -> dict[str, str]:
    """The Nonce Response: a fresh, unpredictable ``c_nonce``."""
    return {"c_nonce": c_nonce}
