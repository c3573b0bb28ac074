"""Each verdict on the verify page: one meaning, the same in both languages, no mixed language.

The results are built from checks as the verifier reports them (its codes, its skipped
checks on unsigned data); the pages are rendered for real and read as a person would:
the text in the page's language, without data marked ``translate="no"``, code, or the
technical detail folded away. The browser tests (``tests/api/test_verify_page_states.py``)
make each state for real on a live service.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

import pytest

from tests.factories import certificate
from tests.unit.web.language import foreign_words
from vcservice.errors import Problem
from vcservice.model.checks import Check, Notice
from vcservice.verification.result import VerificationResult
from vcservice.verification.verdict import Verdict
from vcservice.web.render import verify_page
from vcservice.web.result import Record, result_view

SIGNED = (Check.of("structure", []), Check.of("proof", []), Check.of("issuer", []))
UNSIGNED_SKIPS = tuple(
    Check.skipped(name, "not checked: no verified proof")
    for name in ("issuerTrust", "validityPeriod", "credentialSchema", "status")
)


def _failed(name: str, code: str) -> Check:
    return Check.of(name, [Problem(code, f"{code} detail in English", "credentialStatus")])


def _passed(*failed: Check, notices: tuple[Notice, ...] = ()) -> tuple[Check, ...]:
    """The checks of signed data: the ``failed`` ones in place of passed ones."""
    by_name = {check.name: check for check in failed}
    checks = [
        by_name.get(name, Check.of(name, []))
        for name in ("issuerTrust", "validityPeriod", "credentialSchema")
    ]
    checks.append(by_name.get("status", Check.of("status", [], notices=notices)))
    return (*SIGNED, *checks)


MESSAGE = Notice("STATUS_MESSAGE", "under review by customs", "en revisión aduanera", "0x2")
CHECKS: dict[Verdict, tuple[Check, ...]] = {
    Verdict.VERIFIED: _passed(),
    Verdict.MESSAGE: _passed(notices=(MESSAGE,)),
    Verdict.REVOKED: _passed(_failed("status", "CREDENTIAL_REVOKED")),
    Verdict.SUSPENDED: _passed(_failed("status", "CREDENTIAL_SUSPENDED")),
    Verdict.EXPIRED: _passed(_failed("validityPeriod", "CREDENTIAL_EXPIRED")),
    Verdict.NOT_YET_VALID: _passed(_failed("validityPeriod", "CREDENTIAL_NOT_YET_VALID")),
    Verdict.NOT_ACCREDITED: _passed(_failed("issuerTrust", "ISSUER_NOT_TRUSTED")),
    Verdict.INVALID_DATA: _passed(_failed("credentialSchema", "MALFORMED_VALUE_ERROR")),
    Verdict.UNCHECKABLE: (
        Check.of("structure", []),
        _failed("proof", "DID_RESOLUTION_ERROR"),
        Check.skipped("issuer", "no verified proof"),
        *UNSIGNED_SKIPS,
    ),
    Verdict.ALTERED: (
        Check.of("structure", []),
        _failed("proof", "PROOF_VERIFICATION_ERROR"),
        Check.skipped("issuer", "no verified proof"),
        *UNSIGNED_SKIPS,
    ),
}
RECORD = Record("VR-ABCD-EFGH-2345", datetime(2026, 12, 6, 18, 5, tzinfo=UTC), "aduana.example")


class _ReadText(HTMLParser):
    """The text a reader reads in the page's language (see the module docstring)."""

    SKIPPED_TAGS = frozenset({"code", "pre", "textarea", "script", "style", "title"})
    VOID = frozenset({"br", "input", "meta", "link", "img", "hr"})

    def __init__(self) -> None:
        super().__init__()
        self.language = ""
        self.words: list[str] = []
        self._stack: list[bool] = []  # per open element: is its text skipped?

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html":
            self.language = found.get("lang") or ""
        if tag in self.VOID:
            return
        classes = (found.get("class") or "").split()
        skipped = (
            tag in self.SKIPPED_TAGS
            or found.get("translate") == "no"
            or "technical" in classes
            or "technical-ids" in classes
            or (tag != "html" and "lang" in found and found["lang"] != self.language)
        )
        self._stack.append(skipped or bool(self._stack and self._stack[-1]))

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self._stack:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self._stack and self._stack[-1]):
            self.words.append(data)


def read_text(html: str) -> str:
    """What a person reads of ``html`` in its own language."""
    parser = _ReadText()
    parser.feed(html)
    return " ".join(parser.words)


def _page(verdict: Verdict, language: str) -> tuple[Any, str]:
    result = VerificationResult(
        "VerifiableCredential", "data-integrity", CHECKS[verdict], document=certificate("ctpat")
    )
    view = result_view(result, registry_name={"did:web:cbp.example": "U.S. CBP"}.get)
    view = view.with_record(RECORD)
    return view, verify_page(language=language, result=view, submitted="{}", entry="")


@pytest.mark.parametrize("verdict", list(Verdict))
def test_each_verdict_reads_in_one_language_only(verdict: Verdict) -> None:
    for language in ("es", "en"):
        view, html = _page(verdict, language)
        assert view.verdict is verdict
        assert f'data-verdict="{verdict.value}"' in html and f"tone-{verdict.tone}" in html
        assert not foreign_words(read_text(html), language), (language, read_text(html))


@pytest.mark.parametrize("verdict", list(Verdict))
def test_in_force_is_said_only_of_a_certificate_that_verified(verdict: Verdict) -> None:
    _, spanish = _page(verdict, "es")
    _, english = _page(verdict, "en")
    status_es = spanish.split('id="status">', 1)[1].split("</dd>", 1)[0]
    status_en = english.split('id="status">', 1)[1].split("</dd>", 1)[0]
    assert ("Vigente" in status_es) is verdict.in_force
    assert ("In force" in status_en) is verdict.in_force


@pytest.mark.parametrize("verdict", [Verdict.ALTERED, Verdict.UNCHECKABLE])
def test_unsigned_data_is_only_shown_as_unconfirmed(verdict: Verdict) -> None:
    view, html = _page(verdict, "es")
    assert not view.confirmed and not view.identifiers
    assert 'id="banner-company"' not in html and 'id="banner-program"' not in html
    unconfirmed = html.split('id="unconfirmed"', 1)[1].split("</section>", 1)[0]
    assert "Datos NO confirmados — pueden estar alterados" in unconfirmed
    assert view.certificate is not None and view.certificate.company in unconfirmed
    # Nothing that would rest on the unsigned data is marked as passed.
    assert {row.name for row in view.checks if row.outcome == "passed"} <= {"structure"}


def test_a_customs_message_is_shown_in_the_readers_language() -> None:
    _, spanish = _page(Verdict.MESSAGE, "es")
    _, english = _page(Verdict.MESSAGE, "en")
    assert "Aviso de la autoridad:</strong> en revisión aduanera" in spanish
    assert "Customs notice:</strong> under review by customs" in english


def test_the_banner_names_the_company_and_its_identifiers_when_signed() -> None:
    view, html = _page(Verdict.VERIFIED, "es")
    assert view.certificate is not None and view.certificate.company
    assert f'id="banner-company" translate="no">{view.certificate.company}<' in html
    keys = [field.key for field in view.identifiers]
    assert keys[0] == "rfc" and "sviNumber" in keys, keys
    for field in view.identifiers:
        assert f'data-banner="{field.key}" translate="no">{field.value.es}<' in html
    assert 'id="reference" translate="no">VR-ABCD-EFGH-2345<' in html
    assert 'id="verifier" translate="no">aduana.example<' in html
