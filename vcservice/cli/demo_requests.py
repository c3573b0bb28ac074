"""The demo's request bodies: each type's documented example about the samples' company.

The company node is the samples' (the same in the three), its ``id`` the holder's DID; the
programme dates move around today (``current_request``), and each certificate is valid for a
year, or to the end of its OEA term when that comes first.
"""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from vcservice.certificates.samples import current_request, sample_certificate, without_types

__all__ = ["COMPANY_SAMPLE", "certificate_data", "company", "request_body"]

COMPANY_SAMPLE: dict[str, Any] = without_types(
    sample_certificate("immex")["credentialSubject"]["member"]
)
"""The samples' company node (the same in the three samples), as request data."""


def company(holder_did: str | None) -> dict[str, Any]:
    """The company node of every request: the samples' company, its DID the holder's (the
    samples' own DID without one)."""
    node = copy.deepcopy(COMPANY_SAMPLE)
    if holder_did is not None:
        node["id"] = holder_did
    return node


def certificate_data(slug: str, holder_did: str | None) -> dict[str, Any]:
    """The type's documented example (version 2 request data), about the demo's company."""
    certificate = current_request(slug, datetime.now(UTC).date())
    certificate["member"] = company(holder_did)
    return certificate


def request_body(slug: str, securing_format: str, certificate: dict[str, Any]) -> dict[str, Any]:
    """The body of ``POST /certificates/{slug}``: valid for a year, or to the end of the
    OEA term when that comes first (the credential may not outlive it)."""
    valid_until = datetime.now(UTC).replace(microsecond=0) + timedelta(days=365)
    term_end = certificate.get("termEnd")
    if isinstance(term_end, str):
        last_day = datetime.combine(date.fromisoformat(term_end), time(23, 59, 59), UTC)
        valid_until = min(valid_until, last_day)
    return {
        "certificate": certificate,
        "validUntil": valid_until.isoformat(),
        "options": {"format": securing_format},
    }
