"""Issuing every certificate type in every format over HTTP, verified offline by the CLI.

SAT issues IMMEX and OEA, CBP issues C-TPAT; an authority asking for a type it was not
given is refused (403) and nothing is stored.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.builders import (
    FORMATS,
    ISSUED_BY,
    SLUGS,
    certificate_body,
    issue_body,
    unsigned_credential,
)
from tests.api.conftest import Issuer, LiveService, assert_problem
from tests.api.offline import OfflineVerifier
from vcservice.certificates import by_slug
from vcservice.certificates.base import CONTEXTS_V2
from vcservice.jose.jws import decode_compact

pytestmark = pytest.mark.shared


def _issuer(slug: str, sat: Issuer, cbp: Issuer) -> Issuer:
    return {"sat": sat, "cbp": cbp}[ISSUED_BY[slug]]


def _claims(credential: dict[str, Any] | str) -> dict[str, Any]:
    """The credential a response carries (the JWT payload for vc+jwt)."""
    if isinstance(credential, str):
        payload: dict[str, Any] = decode_compact(credential).payload_json()
        return payload
    return credential


def _assert_secured(credential: dict[str, Any] | str, securing_format: str, issuer: Issuer) -> None:
    if securing_format == "vc+jwt":
        assert isinstance(credential, str) and credential.count(".") == 2
        header = decode_compact(credential).header
        assert header["alg"] == "ES384" and header["kid"].startswith(issuer.did + "#")
        return
    assert isinstance(credential, dict)
    proof = credential["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == securing_format
    assert proof["verificationMethod"].startswith(issuer.did + "#")


@pytest.mark.parametrize("securing_format", FORMATS)
@pytest.mark.parametrize("slug", SLUGS)
def test_typed_endpoint_issues_a_credential_that_verifies_offline(
    live_service: LiveService,
    sat: Issuer,
    cbp: Issuer,
    offline: OfflineVerifier,
    slug: str,
    securing_format: str,
) -> None:
    issuer = _issuer(slug, sat, cbp)
    response = live_service.http.post(
        f"/certificates/{slug}",
        headers=issuer.headers,
        json=certificate_body(slug, securing_format=securing_format),
    )
    assert response.status_code == 201, response.text
    assert response.headers["content-type"] == "application/json"
    credential = response.json()["verifiableCredential"]
    _assert_secured(credential, securing_format, issuer)
    claims = _claims(credential)
    certificate_type = by_slug(slug)
    assert claims["type"] == ["VerifiableCredential", certificate_type.name]
    assert claims["issuer"]["id"] == issuer.did
    assert claims["credentialSchema"]["id"] == certificate_type.schema_url
    # certificate data v2: traceability-aligned, the company at credentialSubject.member
    assert claims["@context"] == list(CONTEXTS_V2)
    assert claims["credentialSchema"]["id"].endswith(f"/{slug}-v2.json")
    assert claims["issuer"]["type"] == ["Organization"]
    assert claims["credentialSubject"]["member"]["id"] == "did:web:ensambles-bravo.example"

    code, report = offline.verify(
        credential,
        live_service.did_document(issuer.name),
        status_lists=live_service.status_lists(credential),
    )
    assert code == 0, report
    assert report["verified"] is True


@pytest.mark.parametrize("securing_format", FORMATS)
@pytest.mark.parametrize("slug", SLUGS)
def test_issue_endpoint_signs_a_full_credential_that_verifies_offline(
    live_service: LiveService,
    sat: Issuer,
    cbp: Issuer,
    offline: OfflineVerifier,
    slug: str,
    securing_format: str,
) -> None:
    issuer = _issuer(slug, sat, cbp)
    unsigned = unsigned_credential(slug, issuer.did)
    response = live_service.http.post(
        "/credentials/issue", headers=issuer.headers, json=issue_body(unsigned, securing_format)
    )
    assert response.status_code == 201, response.text
    credential = response.json()["verifiableCredential"]
    _assert_secured(credential, securing_format, issuer)
    claims = {k: v for k, v in _claims(credential).items() if k != "proof"}
    # Signed as given, nothing dropped; the issuer adds only the status entries it manages.
    statuses = claims.pop("credentialStatus")
    assert claims == unsigned
    assert [entry["statusPurpose"] for entry in statuses] == ["revocation", "suspension", "message"]

    code, report = offline.verify(
        credential,
        live_service.did_document(issuer.name),
        status_lists=live_service.status_lists(credential),
    )
    assert code == 0, report
    assert report["verified"] is True


def test_the_id_is_filled_in_but_the_issuer_is_required(
    live_service: LiveService, sat: Issuer
) -> None:
    """VC API: the credential MUST name its issuer; the service assigns only an ``id``."""
    unsigned = unsigned_credential("oea", sat.did)
    del unsigned["id"]
    response = live_service.http.post(
        "/credentials/issue", headers=sat.headers, json=issue_body(unsigned)
    )
    assert response.status_code == 201, response.text
    assert response.json()["verifiableCredential"]["id"].startswith("urn:uuid:")
    del unsigned["issuer"]
    before = live_service.registry(sat)["total"]
    response = live_service.http.post(
        "/credentials/issue", headers=sat.headers, json=issue_body(unsigned)
    )
    assert_problem(response, 422, "MALFORMED_VALUE_ERROR", "credential.issuer")
    assert live_service.registry(sat)["total"] == before


def test_a_foreign_issuer_is_refused(live_service: LiveService, sat: Issuer, cbp: Issuer) -> None:
    unsigned = unsigned_credential("immex", cbp.did)  # SAT may issue IMMEX, but not as CBP
    before = live_service.registry(sat)["total"]
    response = live_service.http.post(
        "/credentials/issue", headers=sat.headers, json=issue_body(unsigned)
    )
    assert_problem(response, 422, "MALFORMED_VALUE_ERROR", "credential.issuer")
    assert live_service.registry(sat)["total"] == before


@pytest.mark.parametrize(
    ("slug", "refused_by"), [("ctpat", "sat"), ("immex", "cbp"), ("oea", "cbp")]
)
def test_typed_endpoint_refuses_a_type_the_authority_may_not_issue(
    live_service: LiveService, sat: Issuer, cbp: Issuer, slug: str, refused_by: str
) -> None:
    issuer = {"sat": sat, "cbp": cbp}[refused_by]
    before = live_service.registry(issuer)["total"]
    response = live_service.http.post(
        f"/certificates/{slug}", headers=issuer.headers, json=certificate_body(slug)
    )
    assert_problem(response, 403, "FORBIDDEN")
    assert live_service.registry(issuer)["total"] == before


@pytest.mark.parametrize(
    ("slug", "refused_by"), [("ctpat", "sat"), ("immex", "cbp"), ("oea", "cbp")]
)
def test_issue_endpoint_refuses_a_type_the_authority_may_not_issue(
    live_service: LiveService, sat: Issuer, cbp: Issuer, slug: str, refused_by: str
) -> None:
    issuer = {"sat": sat, "cbp": cbp}[refused_by]
    before = live_service.registry(issuer)["total"]
    response = live_service.http.post(
        "/credentials/issue",
        headers=issuer.headers,
        json=issue_body(unsigned_credential(slug, issuer.did)),
    )
    assert_problem(response, 403, "FORBIDDEN", "credential.type")
    assert live_service.registry(issuer)["total"] == before


def test_unknown_certificate_type_is_404(live_service: LiveService, sat: Issuer) -> None:
    response = live_service.http.post(
        "/certificates/padron-importadores", headers=sat.headers, json=certificate_body("immex")
    )
    assert_problem(response, 404, "NOT_FOUND")
