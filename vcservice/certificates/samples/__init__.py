"""Sample unsigned certificates of each type (fictional companies), for the demo and tests."""

from __future__ import annotations

import json
from datetime import date, timedelta
from importlib import resources
from typing import Any

from vcservice.certificates import by_slug

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


def current_request(slug: str, today: date) -> dict[str, Any]:
    """The documented example request of ``slug``, its programme dates moved around ``today``.

    The examples hold fixed dates; a service issuing "now" checks them against its clock
    (an OEA credential may not outlive its term, an IMMEX report falls due), so a demo or
    a test that issues today starts from this.
    """
    request = by_slug(slug).example_request()
    if "termEnd" in request:
        start = today - timedelta(days=200)
        request["termStart"] = start.isoformat()
        request["termEnd"] = (start + timedelta(days=2 * 365)).isoformat()
        request["lastRenewalDate"] = (start - timedelta(days=12)).isoformat()
    if "lastAnnualReportYear" in request:
        request["lastAnnualReportYear"] = str(today.year - 1)
    return request


def without_types(value: Any) -> Any:
    """``value`` with every ``type`` member removed: a credential's node as request data."""
    if isinstance(value, dict):
        return {key: without_types(item) for key, item in value.items() if key != "type"}
    if isinstance(value, list):
        return [without_types(item) for item in value]
    return value
