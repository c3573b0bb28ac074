"""JSON-LD value shapes: a member may hold one value or an array of them."""

from __future__ import annotations

from typing import Any


def as_list(value: Any) -> list[Any]:
    """``value`` as a list: absent (None) is empty, an array stays, anything else is wrapped."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]
