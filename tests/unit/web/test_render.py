"""The verify page's result and the printable certificate, rendered from data."""

from __future__ import annotations

from typing import Any

from tests.factories import NOW, certificate
from vcservice.errors import Problem
from vcservice.model.checks import Check
from vcservice.verification.result import VerificationResult
from vcservice.web.render import asset, printable_certificate, verify_page
from vcservice.web.result import result_view, status_word

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
    assert view.verified and view.status == "active" and view.headline is None
    assert view.issuer_name == "U.S. CBP (registry)" and view.issuer_listed
    html = verify_page(language="es", result=view, submitted="{}")
    assert '<html lang="es">' in html and 'data-verified="true"' in html
    assert "Verificado" in html and "Vigente" in html and "Validado" in html


def test_without_a_bound_issuer_neither_registry_name_nor_status_is_claimed() -> None:
    failed = Check.of("proof", [Problem("PROOF_VERIFICATION_ERROR", "no match", "proof")])
    checks = (failed, Check.skipped("issuer", "no verified proof"), Check.of("status", []))
    view = result_view(
        _result(certificate("ctpat"), *checks),
        registry_name=_registry({"did:web:cbp.example": "CBP"}),
    )
    assert not view.verified and view.status == "unproven"
    assert view.issuer_name == "U.S. Customs and Border Protection" and not view.issuer_listed
    assert view.headline is not None and view.headline.title.es.startswith("La prueba")
    html = verify_page(language="en", result=view)
    assert "The proof does not verify" in html and "PROOF_VERIFICATION_ERROR" in html


def test_the_status_word_follows_the_status_check() -> None:
    def problem(code: str) -> Problem:
        return Problem(code, "detail", "credentialStatus")

    assert status_word(None) == "none"
    assert status_word(Check.skipped("status", "no entries")) == "none"
    assert status_word(Check.of("status", [])) == "active"
    assert status_word(Check.of("status", [problem("CREDENTIAL_SUSPENDED")])) == "suspended"
    revoked_and_suspended = [problem("CREDENTIAL_SUSPENDED"), problem("CREDENTIAL_REVOKED")]
    assert status_word(Check.of("status", revoked_and_suspended)) == "revoked"
    assert status_word(Check.of("status", [problem("STATUS_RETRIEVAL_ERROR")])) == "unknown"


def test_what_a_credential_says_is_escaped() -> None:
    credential = certificate("immex")
    credential["credentialSubject"]["legalName"] = "<script>alert(1)</script>"
    html = verify_page(
        language="en", result=result_view(_result(credential), registry_name=_registry({}))
    )
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    printed = printable_certificate(credential, page_url=PAGE, printed_at=NOW)
    assert "<script>alert" not in printed and "&lt;script&gt;" in printed


def test_a_printable_certificate_is_bilingual_and_self_contained() -> None:
    printed = printable_certificate(certificate("oea"), page_url=PAGE, printed_at=NOW)
    assert printed.startswith("<!doctype html>") and '<html lang="es">' in printed
    assert "Certificado OEA" in printed and '<span class="alt" lang="en">OEA certificate' in printed
    assert 'id="qr" data-version="' in printed and 'data-error="Q"' in printed
    assert "<script" not in printed and "<link" not in printed and PAGE in printed
    assert "Impreso" in printed and "2026-11-28 12:00 UTC" in printed


def test_only_the_pages_own_assets_are_served() -> None:
    assert asset("verify.css") is not None and asset("verify.js") is not None
    assert asset("certificate.css") is None and asset("../templates/verify.html") is None
