"""Request bodies for the issuer API, built from the certificate types' own examples."""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from vcservice.certificates import by_slug
from vcservice.certificates.samples import sample_certificate
from vcservice.model.datetimes import format_datetime

SLUGS = ("immex", "ctpat", "oea")
FORMATS = ("eddsa-rdfc-2022", "ecdsa-rdfc-2019", "vc+jwt")
# Who issues what: SAT the Mexican certificates, CBP the U.S. one.
SAT_TYPES = ["IMMEXCertificate", "OEACertificate"]
CBP_TYPES = ["CTPATCertificate"]
ISSUED_BY = {"immex": "sat", "oea": "sat", "ctpat": "cbp"}


def example(slug: str) -> dict[str, Any]:
    """A copy of the JSON example the type's request model documents (OpenAPI)."""
    extra = by_slug(slug).request_model.model_config.get("json_schema_extra")
    assert isinstance(extra, dict), f"{slug} request model has no json_schema_extra"
    examples = extra["examples"]
    assert isinstance(examples, list) and examples
    return copy.deepcopy(examples[0])  # type: ignore[no-any-return]


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
    credential["issuer"] = {"id": issuer_did, "name": credential["issuer"]["name"]}
    credential["validFrom"] = moment(-1)
    credential["validUntil"] = moment(365)
    return credential


def issue_body(
    credential: dict[str, Any], securing_format: str = "eddsa-rdfc-2022"
) -> dict[str, Any]:
    """The body of ``POST /credentials/issue``."""
    return {"credential": credential, "options": {"format": securing_format}}
