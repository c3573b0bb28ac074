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
from vcservice.model.checks import Check, Notice, TrustBasis
from vcservice.verification.result import VerificationResult
from vcservice.verification.verdict import Verdict
from vcservice.web.render import verify_page
from vcservice.web.result import Record, ResultView, result_view
from vcservice.web.verdict_text import check_lines

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


# ---------------------------------------------------------------- what made the issuer trusted

LISTED = TrustBasis(
    source="trustList",
    name="U.S. CBP",
    credential_types=("CTPATCertificate",),
    list_url="https://aduanas.example/trust-lists/sat",
    operator="did:web:aduanas.example:issuers:sat",
    operator_name="Servicio de Administración Tributaria",
    sequence=12,
    issued=datetime(2026, 12, 1, tzinfo=UTC),
)
FILED = TrustBasis(source="file", name="U.S. CBP", credential_types=("CTPATCertificate",))
ENTERED = TrustBasis(
    source="local", name="U.S. CBP", credential_types=("CTPATCertificate",), entry_id="e-1"
)
SAT_LIST = {
    "es": 'la lista de confianza del <span translate="no">Servicio de Administración '
    "Tributaria</span>, versión 12, 01/12/2026",
    "en": 'by <span translate="no">Servicio de Administración Tributaria</span>&#39;s trust '
    "list, version 12, 1 Dec 2026",
}


def _with(trust: Check) -> VerificationResult:
    """A signed certificate's result, its ``issuerTrust`` check ``trust``."""
    return VerificationResult(
        "VerifiableCredential", "data-integrity", _passed(trust), document=certificate("ctpat")
    )


def _trusted(*trusted_by: TrustBasis) -> VerificationResult:
    return _with(Check.of("issuerTrust", [], trusted_by=trusted_by))


def _trusted_page(language: str, *trusted_by: TrustBasis) -> tuple[ResultView, str]:
    result = _trusted(*trusted_by)
    view = result_view(result, registry_name={"did:web:cbp.example": "U.S. CBP"}.get)
    return view, verify_page(language=language, result=view, submitted="{}", entry="")


def _issuer_note(html: str) -> str:
    return html.split('id="issuer">', 1)[1].split("</dd>", 1)[0].split('class="note">', 1)[1]


def _trust_row(html: str) -> str:
    return html.split('data-check="issuerTrust">', 1)[1].split("</tr>", 1)[0]


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_trust_list_that_accredits_the_issuer_is_named_with_its_version_and_day(
    language: str,
) -> None:
    view, html = _trusted_page(language, LISTED)
    assert view.verdict is Verdict.VERIFIED
    accredited = {"es": "(acreditado por ", "en": "(accredited "}[language]
    assert _issuer_note(html) == f"{accredited}{SAT_LIST[language]})</span>"
    sentence = {
        "es": "El emisor está acreditado para este tipo de certificado por ",
        "en": "The issuer is accredited for this type of certificate ",
    }[language]
    assert f'<p class="explanation">{sentence}{SAT_LIST[language]}.</p>' in _trust_row(html)
    assert not foreign_words(read_text(html), language), read_text(html)


def test_this_verifiers_own_entries_are_named_once_and_beside_a_list() -> None:
    for own in (FILED, ENTERED):
        _, spanish = _trusted_page("es", own)
        _, english = _trusted_page("en", own)
        assert _issuer_note(spanish) == "(acreditado ante este verificador)</span>"
        assert _issuer_note(english) == "(accredited with this verifier)</span>"
        assert (
            "El emisor está acreditado para este tipo de certificado ante este verificador."
            in _trust_row(spanish)
        )
    _, spanish = _trusted_page("es", FILED, ENTERED, LISTED)
    assert _issuer_note(spanish) == (
        f"(acreditado ante este verificador; acreditado por {SAT_LIST['es']})</span>"
    )
    _, english = _trusted_page("en", FILED, LISTED)
    assert f"with this verifier and {SAT_LIST['en']}." in _trust_row(english)


def test_the_terminal_names_the_list_too() -> None:
    result = _trusted(LISTED)
    assert (
        "✓ Emisor acreditado: Conforme — El emisor está acreditado para este tipo de "
        "certificado por la lista de confianza del Servicio de Administración Tributaria, "
        "versión 12, 01/12/2026." in check_lines(result, "es")
    )
    assert any(
        "by Servicio de Administración Tributaria's trust list, version 12, 1 Dec 2026." in line
        for line in check_lines(result, "en")
    )


@pytest.mark.parametrize(
    ("operator", "spanish"),
    [
        ("SAT", "la lista de confianza del SAT, versión 3"),
        ("Agencia Nacional de Aduanas de México", "la lista de confianza de la Agencia Nacional"),
        ("U.S. Customs and Border Protection", "la lista de confianza de U.S. Customs and Border"),
    ],
)
def test_the_operator_takes_its_article_in_spanish(operator: str, spanish: str) -> None:
    basis = TrustBasis(
        source="trustList",
        name="x",
        credential_types=(),
        operator_name=operator,
        sequence=3,
        issued=datetime(2026, 12, 1, tzinfo=UTC),
    )
    assert any(spanish in line for line in check_lines(_trusted(basis), "es"))


STALE = _failed("issuerTrust", "TRUST_LIST_STALE")
TOO_OLD = {
    "es": "La lista de confianza que acredita a los emisores de este tipo de certificado es "
    "demasiado antigua para confiar en ella, por lo que no se pudo comprobar si el emisor "
    "está acreditado.",
    "en": "The trust list that accredits issuers of this type of certificate is too old to "
    "rely on, so whether the issuer is accredited could not be checked.",
}
STALE_REASON = {
    "es": "La lista de confianza que indicaría si el emisor está acreditado es demasiado "
    "antigua para confiar en ella",
    "en": "The trust list that would say whether the issuer is accredited is too old to rely on",
}


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_stale_trust_list_leaves_the_issuer_unchecked_not_unaccredited(language: str) -> None:
    view = result_view(_with(STALE), registry_name=lambda _issuer: None)
    html = verify_page(language=language, result=view, submitted="{}", entry="")
    assert view.verdict is Verdict.UNCHECKABLE and 'data-tone="amber"' in html
    assert f'<p class="what" id="what">{TOO_OLD[language]}</p>' in html
    assert f"<strong>{STALE_REASON[language]}</strong>" in _trust_row(html)
    assert "Emisor no acreditado" not in html and "Issuer not accredited" not in html
    assert not foreign_words(read_text(html), language), read_text(html)
