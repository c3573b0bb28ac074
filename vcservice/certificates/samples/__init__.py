"""Sample unsigned certificates of each type (fictional companies), for the demo and tests."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

SAMPLE_NAMES = ("immex", "ctpat", "oea")
VERSIONS = ("v1", "v2")


def sample_certificate(name: str, version: str = "v2") -> dict[str, Any]:
    """A fresh copy of the sample credential ``name`` (one of ``SAMPLE_NAMES``) in ``version``.

    Version 1 samples are kept to show, and test, that credentials issued before
    version 2 still verify.
    """
    if name not in SAMPLE_NAMES or version not in VERSIONS:
        raise KeyError(
            f"no sample certificate {name!r} {version!r} (choose from "
            f"{', '.join(SAMPLE_NAMES)} in {', '.join(VERSIONS)})"
        )
    text = resources.files(__name__).joinpath(f"{name}-{version}.json").read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document
