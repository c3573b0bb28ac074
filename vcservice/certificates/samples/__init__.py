"""Sample unsigned certificates of each type (fictional companies), for the demo and tests."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

SAMPLE_NAMES = ("immex", "ctpat", "oea")


def sample_certificate(name: str) -> dict[str, Any]:
    """A fresh copy of the sample credential ``name`` (one of ``SAMPLE_NAMES``)."""
    if name not in SAMPLE_NAMES:
        raise KeyError(f"no sample certificate {name!r} (choose from {', '.join(SAMPLE_NAMES)})")
    text = resources.files(__name__).joinpath(f"{name}.json").read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document
