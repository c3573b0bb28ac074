"""Request bodies for the issuer API, built from the certificate types' own examples."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from vcservice.certificates.samples import current_request, sample_certificate
from vcservice.model.datetimes import format_datetime

SLUGS = ("immex", "ctpat", "oea")
FORMATS = ("eddsa-rdfc-2022", "ecdsa-rdfc-2019", "vc+jwt")
# Test authorities: one Mexican authority for both Mexican types (the service's own
# registry decides who may issue what; the demo has the Secretaría de Economía issue IMMEX).
SAT_TYPES = ["IMMEXCertificate", "OEACertificate"]
CBP_TYPES = ["CTPATCertificate"]
ISSUED_BY = {"immex": "sat", "oea": "sat", "ctpat": "cbp"}


def example(slug: str) -> dict[str, Any]:
    """The type's documented example (OpenAPI), its programme dates around today."""
    return current_request(slug, datetime.now(UTC).date())


def moment(days: float = 0) -> str:
    """An xsd:dateTime ``days`` from now, in UTC with second precision."""
    return format_datetime(datetime.now(UTC) + timedelta(days=days))


def certificate_body(
    slug: str,
    *,
    securing_format: str = "eddsa-rdfc-2022",
    certificate: dict[str, Any] | None = None,
    valid_from: str | None = None,
    valid_until: str | None = None,
) -> dict[str, Any]:
    """The body of ``POST /certificates/{slug}``: the example data, valid for a year."""
    body: dict[str, Any] = {
        "certificate": example(slug) if certificate is None else certificate,
        "validUntil": valid_until or moment(365),
        "options": {"format": securing_format},
    }
    if valid_from is not None:
        body["validFrom"] = valid_from
    return body


def unsigned_credential(slug: str, issuer_did: str) -> dict[str, Any]:
    """The sample credential of ``slug``, re-issued by ``issuer_did`` with a fresh id, valid now."""
    credential = sample_certificate(slug)
    credential["id"] = f"urn:uuid:{uuid.uuid4()}"
    credential["issuer"] = {**credential["issuer"], "id": issuer_did}
    credential["validFrom"] = moment(-1)
    credential["validUntil"] = moment(365)
    return credential


def issue_body(
    credential: dict[str, Any], securing_format: str = "eddsa-rdfc-2022"
) -> dict[str, Any]:
    """The body of ``POST /credentials/issue``."""
    return {"credential": credential, "options": {"format": securing_format}}
