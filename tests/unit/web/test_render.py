"""The verify page's result and the printable certificate, rendered from data."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import NOW, certificate
from vcservice.certificates.samples import sample_certificate
from vcservice.errors import Problem
from vcservice.model.checks import Check
from vcservice.verification.result import VerificationResult
from vcservice.web.render import asset, printable_certificate, verify_page
from vcservice.web.result import result_view

PAGE = "https://verificador.aduanas.example/verify"
GOOD_CHECKS = (
    Check.of("structure", []),
    Check.of("proof", [], detail="eddsa-rdfc-2022 by did:web:cbp.example#key-1"),
    Check.of("issuer", [], detail="signed by the issuer"),
    Check.of("issuerTrust", []),
    Check.of("status", []),
)


def _result(document: dict[str, Any], *checks: Check) -> VerificationResult:
    return VerificationResult("VerifiableCredential", "data-integrity", checks, document=document)


def _registry(names: dict[str, str]) -> Any:
    return names.get


def test_a_verified_result_names_the_issuer_from_the_registry() -> None:
    credential = certificate("ctpat")
    view = result_view(
        _result(credential, *GOOD_CHECKS),
        registry_name=_registry({"did:web:cbp.example": "U.S. CBP (registry)"}),
    )
    assert view.verified and view.verdict == "verified" and view.headline is None
    assert view.issuer_name == "U.S. CBP (registry)" and view.issuer_listed
    html = verify_page(language="es", result=view, submitted="{}")
    assert '<html lang="es">' in html and 'data-verified="true"' in html
    assert "Verificado — vigente" in html and "Validado" in html


def test_without_a_bound_issuer_neither_registry_name_nor_status_is_claimed() -> None:
    failed = Check.of("proof", [Problem("PROOF_VERIFICATION_ERROR", "no match", "proof")])
    checks = (failed, Check.skipped("issuer", "no verified proof"), Check.of("status", []))
    view = result_view(
        _result(certificate("ctpat"), *checks),
        registry_name=_registry({"did:web:cbp.example": "CBP"}),
    )
    assert not view.verified and view.verdict == "altered" and not view.identifiers
    assert view.issuer_name == "U.S. Customs and Border Protection" and not view.issuer_listed
    assert view.headline is not None and view.headline.title.es.startswith("La firma electrónica")
    html = verify_page(language="en", result=view)
    assert "Not authentic — altered or forged" in html and "PROOF_VERIFICATION_ERROR" in html
    assert 'id="banner-company"' not in html and 'id="unconfirmed"' in html
    # The status check passed on unsigned data: it is shown as not checked, never as passed.
    assert [row.outcome for row in view.checks if row.name == "status"] == ["skipped"]


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_what_a_credential_says_is_escaped(version: str) -> None:
    credential = sample_certificate("immex", version)
    subject = credential["credentialSubject"]
    company = subject["member"] if version == "v2" else subject
    company["legalName"] = "<script>alert(1)</script>"
    company["authorizedAddresses" if version == "v1" else "location"][0]["type"] = "<b>x</b>"
    if version == "v2":
        subject["immexModality"] = "<img src=x>"
        company["location"][1]["siteRole"] = "<i>role</i>"
        company["location"][1]["unLocode"] = "<u>MX</u>"
    html = verify_page(
        language="en", result=result_view(_result(credential), registry_name=_registry({}))
    )
    printed = printable_certificate(credential, page_url=PAGE, printed_at=NOW)
    for page in (html, printed):
        assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "<img" not in page and "<i>role" not in page and "<u>MX" not in page


def test_a_printable_certificate_is_bilingual_and_self_contained() -> None:
    printed = printable_certificate(certificate("oea"), page_url=PAGE, printed_at=NOW)
    assert printed.startswith("<!doctype html>") and '<html lang="es">' in printed
    assert "Certificado OEA" in printed and '<span class="alt" lang="en">OEA certificate' in printed
    assert 'id="qr" data-version="' in printed and 'data-error="Q"' in printed
    assert "<script" not in printed and "<link" not in printed and PAGE in printed
    assert "Fecha de impresión" in printed
    assert "28/11/2026 06:00 (hora del centro, UTC−6)" in printed


def test_only_the_pages_own_assets_are_served() -> None:
    assert asset("verify.css") is not None and asset("verify.js") is not None
    assert asset("certificate.css") is None and asset("../templates/verify.html") is None
