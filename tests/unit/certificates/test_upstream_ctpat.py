"""Every C-TPAT credential the service issues passes the upstream traceability
``CTPATCertificate`` schema with the pinned overlay (``tests.upstream_ctpat``).

Issued means as built (the sample, any credential built from a valid request), with its
status entries and proof, and over HTTP.  The unmodified upstream schema fails our
credentials only at the envelope keywords and the extension members the overlay names.
What the overlay itself changes and still refuses is in ``test_upstream_overlay``.
Upstream files come from ../shared, so these tests skip without it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.builders import CBP_TYPES, FORMATS, certificate_body
from tests.api.conftest import Issuer, LiveService, serve
from tests.factories import NOW, did_of, key_file
from tests.unit.certificates.support import REQUESTS, build, request_data
from tests.upstream_ctpat import (
    ENVELOPE,
    OVERLAY,
    ErrorPath,
    is_at_or_under,
    schema_errors,
    schema_pointer_of,
)
from vcservice.certificates import by_slug
from vcservice.certificates.samples import sample_certificate
from vcservice.jose.jws import decode_compact
from vcservice.keys import KeyType
from vcservice.model.records import StatusPurpose
from vcservice.services.core import Core
from vcservice.services.signing import JOSE, SECURING_FORMATS
from vcservice.services.status import STATUS_SIZES
from vcservice.status.list_credential import CUSTOMS_MESSAGES, status_entry

pytestmark = pytest.mark.shared

DATA_INTEGRITY_SUITES = tuple(name for name in SECURING_FORMATS if name != JOSE)
SUITE_KEY_TYPES = {"eddsa-rdfc-2022": KeyType.ED25519, "ecdsa-rdfc-2019": KeyType.P256}

# What the unmodified upstream schema says about the v2 sample: the @context const and its
# item enum, credentialSchema.type, and each extension member the sample carries.
SAMPLE_UPSTREAM_ERRORS = [
    ErrorPath("/@context", "const"),
    ErrorPath("/@context/2", "enum"),
    ErrorPath("/credentialSchema/type", "const"),
    ErrorPath("/credentialSubject/certificationDate", "additionalProperties"),
    ErrorPath("/credentialSubject/lastValidationDate", "additionalProperties"),
    ErrorPath("/credentialSubject/member/legalName", "additionalProperties"),
    ErrorPath("/credentialSubject/member/leiCode", "additionalProperties"),
    ErrorPath("/credentialSubject/member/location/0/siteRole", "additionalProperties"),
    ErrorPath("/credentialSubject/member/location/1/manufacturerId", "additionalProperties"),
    ErrorPath("/credentialSubject/member/location/1/siteRole", "additionalProperties"),
    ErrorPath("/credentialSubject/member/location/1/unLocode", "additionalProperties"),
    ErrorPath("/credentialSubject/member/manufacturerId", "additionalProperties"),
    ErrorPath("/credentialSubject/member/rfc", "additionalProperties"),
    ErrorPath("/credentialSubject/mutualRecognition", "additionalProperties"),
    ErrorPath("/credentialSubject/revalidationDueDate", "additionalProperties"),
]
# ... and, as issued, the status entries and the proof type.
ISSUED_ENVELOPE_UPSTREAM_ERRORS = [
    ErrorPath("/credentialStatus", "type"),
    ErrorPath("/proof/type", "enum"),
]


def ctpat_v2_sample() -> dict[str, Any]:
    """The reference C-TPAT v2 credential (unsigned, without status)."""
    return sample_certificate("ctpat", "v2")


def issued_ctpat_credentials() -> Iterator[tuple[str, dict[str, Any]]]:
    """The C-TPAT credentials the tests below check, each with its test id, as the
    builder leaves them (no status entries, no proof): the v2 sample, and the credential
    ``by_slug("ctpat").build_credential`` builds from the sample's request (credentials
    built from any valid request are checked by a property test below)."""
    sample = ctpat_v2_sample()
    yield "sample", sample
    kind = by_slug("ctpat")
    built = kind.build_credential(
        kind.request_model.model_validate(request_data(sample)),
        issuer_id=sample["issuer"]["id"],
        issuer_name=sample["issuer"]["name"],
        credential_id="urn:uuid:5b0e5d2e-3f1c-4a8e-9d47-2c6f0a1b7e93",
        valid_from=datetime.fromisoformat(sample["validFrom"]),
        valid_until=datetime.fromisoformat(sample["validUntil"]),
    )
    yield "built", built


ISSUED = [pytest.param(credential, id=name) for name, credential in issued_ctpat_credentials()]


def as_issued(credential: dict[str, Any], cryptosuite: str, core: Core) -> dict[str, Any]:
    """``credential`` as issuance leaves it: a ``BitstringStatusListEntry`` per purpose,
    made as the status service makes them, then signed by the issuer's key with
    ``cryptosuite`` through the service's own Data Integrity code."""
    key = key_file(SUITE_KEY_TYPES[cryptosuite])
    unsigned = copy.deepcopy(credential)
    unsigned["issuer"]["id"] = did_of(key)
    unsigned["credentialStatus"] = [
        status_entry(
            f"https://cbp.example/status-lists/cbp/{purpose.value}/1",
            94567,
            purpose.value,
            status_size=size,
            messages=CUSTOMS_MESSAGES if purpose is StatusPurpose.MESSAGE else None,
        )
        for purpose, size in STATUS_SIZES.items()
    ]
    return core.data_integrity.add_proof(
        unsigned, signer=key.signer(), cryptosuite=cryptosuite, created=NOW
    )


def allowed_upstream_error(error: ErrorPath) -> bool:
    """Whether the unmodified schema may refuse this: an envelope keyword the overlay
    replaces, or an extension member the overlay names."""
    at = schema_pointer_of(error.pointer)
    return any(is_at_or_under(at, patch.pointer) for patch in ENVELOPE) or any(
        at == patch.pointer for patch in OVERLAY if patch.kind == "add"
    )


def assert_passes(credential: dict[str, Any], schema: dict[str, Any]) -> None:
    errors = schema_errors(credential, schema)
    assert errors == [], "\n".join(f"{error.pointer}: {error.keyword}" for error in errors)


# ---------------------------------------------------------------- (a) issued credentials pass


@pytest.mark.parametrize("credential", ISSUED)
def test_issued_credential_passes_upstream_with_overlay(
    credential: dict[str, Any], patched: dict[str, Any]
) -> None:
    assert_passes(credential, patched)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_ctpat_built_from_a_valid_request_passes_upstream_with_overlay(
    data: st.DataObject, patched: dict[str, Any]
) -> None:
    """Any trade sector, tier, identifiers, sites and dates the rules allow."""
    assert_passes(build(by_slug("ctpat"), data.draw(REQUESTS["ctpat"])), patched)


@pytest.mark.parametrize("cryptosuite", DATA_INTEGRITY_SUITES)
@pytest.mark.parametrize("credential", ISSUED)
def test_issued_credential_with_status_and_proof_passes_upstream_with_overlay(
    credential: dict[str, Any], cryptosuite: str, patched: dict[str, Any], core: Core
) -> None:
    issued = as_issued(credential, cryptosuite, core)
    assert len(issued["credentialStatus"]) == len(STATUS_SIZES)
    assert issued["proof"]["type"] == "DataIntegrityProof"
    assert_passes(issued, patched)


@pytest.fixture(scope="module")
def cbp_service(
    context_store_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveService, Issuer]]:
    """A live service over HTTP with CBP, which issues C-TPAT certificates."""
    with serve(tmp_path_factory.mktemp("api-upstream-ctpat"), None, context_store_dir) as live:
        yield live, live.issuer("cbp", CBP_TYPES)


@pytest.mark.parametrize("securing_format", FORMATS)
def test_ctpat_issued_over_http_passes_upstream_with_overlay(
    cbp_service: tuple[LiveService, Issuer], securing_format: str, patched: dict[str, Any]
) -> None:
    live, cbp = cbp_service
    response = live.http.post(
        "/certificates/ctpat",
        headers=cbp.headers,
        json=certificate_body("ctpat", securing_format=securing_format),
    )
    assert response.status_code == 201, response.text
    issued = response.json()["verifiableCredential"]
    credential = decode_compact(issued).payload_json() if isinstance(issued, str) else issued
    assert credential["credentialStatus"]
    assert_passes(credential, patched)


# ---------------------------------------------------------------- (b) the unmodified schema


def test_unmodified_upstream_refuses_the_sample_only_where_the_overlay_patches(
    upstream: dict[str, Any],
) -> None:
    errors = schema_errors(ctpat_v2_sample(), upstream)
    assert errors == SAMPLE_UPSTREAM_ERRORS
    assert all(allowed_upstream_error(error) for error in errors)


@pytest.mark.parametrize("cryptosuite", DATA_INTEGRITY_SUITES)
def test_unmodified_upstream_refuses_the_issued_sample_also_at_status_and_proof(
    upstream: dict[str, Any], cryptosuite: str, core: Core
) -> None:
    errors = schema_errors(as_issued(ctpat_v2_sample(), cryptosuite, core), upstream)
    assert errors == sorted(SAMPLE_UPSTREAM_ERRORS + ISSUED_ENVELOPE_UPSTREAM_ERRORS)
    assert all(allowed_upstream_error(error) for error in errors)


@pytest.mark.parametrize("cryptosuite", DATA_INTEGRITY_SUITES)
@pytest.mark.parametrize("credential", ISSUED)
def test_unmodified_upstream_refuses_issued_credentials_only_where_the_overlay_patches(
    credential: dict[str, Any], cryptosuite: str, upstream: dict[str, Any], core: Core
) -> None:
    errors = schema_errors(as_issued(credential, cryptosuite, core), upstream)
    assert [error for error in errors if not allowed_upstream_error(error)] == []
