"""Every answer of the verify page, as a broker reads it, in a real browser (headless Chromium).

Each state is made for real on the live service — a C-TPAT certificate issued, then
suspended, revoked, given a customs message, expired, tampered with, signed by an issuer
this verifier does not accredit, or naming an issuer whose keys cannot be fetched — and
verified through the page in Spanish and English, at desktop and at phone width. Asserted:
the banner's colour and words, the one-word status (never "in force" unless it is), the
company named in the banner only when the signature covers it (else its data sit in the
"unconfirmed" section), the record of the check (printed: one page), no English on the
Spanish page and no Spanish on the English one, and no sideways scrolling on a phone.
Screenshots of each are kept (``tests/api/browser.py``). The page does not depend on the
database: SQLite only.
"""

from __future__ import annotations

import base64
import copy
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.api.browser import ARTIFACTS, prefer_language, screenshot, wait_for
from tests.api.builders import certificate_body, moment
from tests.api.conftest import Issuer, LiveService
from tests.api.presenting import issue_certificate
from tests.unit.web.language import foreign_words
from vcservice.certificates.v2.company import EXAMPLE_COMPANY

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ACCEPT = {"en": "en-US,en;q=0.9", "es": "es-MX,es;q=0.9"}
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}
# The text of the page a reader reads in its language: data (names, identifiers, JSON)
# marked translate="no", the technical detail folded away and words marked as another
# language (the other language's name in the switcher) are left out.
READ_TEXT = """
const clone = document.body.cloneNode(true);
const own = document.documentElement.lang;
clone.querySelectorAll('[translate="no"], code, pre, .technical, .technical-ids, textarea')
  .forEach((node) => node.remove());
clone.querySelectorAll('[lang]').forEach((node) => { if (node.lang !== own) node.remove(); });
return clone.textContent;
"""


@dataclass(frozen=True)
class State:
    """A state of the page: its verdict, colour, and words in each language."""

    verdict: str
    tone: str
    heading: dict[str, str]
    status: dict[str, str]
    confirmed: bool


STATES = {
    "verified": State(
        "verified",
        "green",
        {"es": "Verificado — vigente", "en": "Verified — in force"},
        {"es": "Vigente", "en": "In force"},
        True,
    ),
    "message": State(
        "message",
        "amber",
        {"es": "Verificado — con aviso de la autoridad", "en": "Verified — with a customs notice"},
        {"es": "Vigente, con aviso", "en": "In force, with a notice"},
        True,
    ),
    "suspended": State(
        "suspended",
        "red",
        {"es": "Suspendido", "en": "Suspended"},
        {"es": "Suspendido", "en": "Suspended"},
        True,
    ),
    "revoked": State(
        "revoked",
        "red",
        {"es": "Revocado", "en": "Revoked"},
        {"es": "Revocado", "en": "Revoked"},
        True,
    ),
    "expired": State(
        "expired",
        "red",
        {"es": "Vencido", "en": "Expired"},
        {"es": "Vencido", "en": "Expired"},
        True,
    ),
    "not_accredited": State(
        "not_accredited",
        "red",
        {"es": "Emisor no acreditado", "en": "Issuer not accredited"},
        {"es": "Sin determinar", "en": "Not established"},
        True,
    ),
    "altered": State(
        "altered",
        "red",
        {"es": "No auténtico — alterado o falsificado", "en": "Not authentic — altered or forged"},
        {"es": "Sin determinar", "en": "Not established"},
        False,
    ),
    "uncheckable": State(
        "uncheckable",
        "amber",
        {
            "es": "No se pudo comprobar — intente de nuevo",
            "en": "Could not be checked — try again",
        },
        {"es": "Sin confirmar", "en": "Not confirmed"},
        False,
    ),
}
STATUS_CHANGES = {
    "message": ("message", "0x2"),  # under review by customs
    "suspended": ("suspension", "0x1"),
    "revoked": ("revocation", "0x1"),
}
COMPANY = EXAMPLE_COMPANY["legalName"]


@pytest.fixture(scope="module")
def backend() -> str:
    """The page reads nothing the database backend changes: SQLite is enough here."""
    return "sqlite"


@pytest.fixture(scope="module")
def customs(live_service: LiveService) -> Issuer:
    """CBP, accredited for C-TPAT, allowed to change the status of what it issues."""
    scopes = ("issue:credentials", "read:credentials", "update:credentials")
    return live_service.issuer("cbp-states", ["CTPATCertificate"], scopes=scopes)


@pytest.fixture(scope="module")
def shots() -> Path:
    """Where this module's screenshots go."""
    return ARTIFACTS / "browser" / "states"


def _set_status(live_service: LiveService, issuer: Issuer, credential_id: str, state: str) -> None:
    """Suspend, revoke or post a customs message on a credential, as its issuer."""
    purpose, value = STATUS_CHANGES[state]
    entry = {"type": "BitstringStatusListEntry", "statusPurpose": purpose, "status": value}
    response = live_service.http.post(
        "/credentials/status",
        headers=issuer.headers,
        json={"credentialId": credential_id, "credentialStatus": [entry], "reason": state},
    )
    assert response.status_code == 200, response.text


def _certificate_in(state: str, live_service: LiveService, customs: Issuer) -> dict[str, Any]:
    """A C-TPAT certificate in ``state``, made for real on the live service."""
    if state == "expired":
        body = certificate_body("ctpat", valid_from=moment(-400), valid_until=moment(-2))
        response = live_service.http.post("/certificates/ctpat", headers=customs.headers, json=body)
        assert response.status_code == 201, response.text
        return dict(response.json()["verifiableCredential"])
    if state == "not_accredited":
        stranger = live_service.issuer("unlisted", ["CTPATCertificate"], accredited=False)
        return dict(issue_certificate(live_service, stranger, "ctpat"))
    credential = dict(issue_certificate(live_service, customs, "ctpat"))
    if state in STATUS_CHANGES:
        _set_status(live_service, customs, credential["id"], state)
    elif state == "altered":
        credential = copy.deepcopy(credential)
        credential["credentialSubject"]["member"]["legalName"] = "Empresa Falsa, S.A. de C.V."
    elif state == "uncheckable":
        # Its issuer's keys are at a host that cannot be reached: nothing can be decided.
        credential = copy.deepcopy(credential)
        unreachable = "did:web:keys.unreachable.invalid"
        credential["issuer"]["id"] = unreachable
        credential["proof"]["verificationMethod"] = unreachable + "#key-1"
    return credential


def _verify_on_page(browser: Any, live_service: LiveService, language: str, text: str) -> Any:
    prefer_language(browser, ACCEPT[language])
    browser.get(f"{live_service.url}/verify")
    box = wait_for(browser, "#credential")
    browser.execute_script("arguments[0].value = arguments[1];", box, text)
    browser.find_element("id", "entry").send_keys("26 47 3807 6001234")
    browser.find_element("id", "verify-button").click()
    return wait_for(browser, "#result")


def _text(browser: Any, css: str) -> str:
    return str(browser.find_element("css selector", css).text)


def _present(browser: Any, css: str) -> bool:
    return bool(browser.find_elements("css selector", css))


@pytest.mark.parametrize("state", list(STATES))
def test_each_state_reads_one_way_in_both_languages_and_on_a_phone(
    browser: Any,
    live_service: LiveService,
    customs: Issuer,
    shots: Path,
    state: str,
) -> None:
    expected = STATES[state]
    credential = _certificate_in(state, live_service, customs)
    for language in ("es", "en"):
        result = _verify_on_page(browser, live_service, language, json.dumps(credential))
        assert result.get_attribute("data-verdict") == expected.verdict
        assert result.get_attribute("data-tone") == expected.tone
        assert "tone-" + expected.tone in result.get_attribute("class").split()
        assert _text(browser, "#result-heading").endswith(expected.heading[language])
        assert _text(browser, "#status") == expected.status[language]
        # The company is named in the banner only on the strength of a verified signature.
        assert _present(browser, "#banner-company") is expected.confirmed
        assert _present(browser, "#unconfirmed") is not expected.confirmed
        if expected.confirmed:
            assert _text(browser, "#banner-company") == COMPANY
            assert _text(browser, '[data-banner="sviNumber"]')
        else:
            company = _text(browser, '#unconfirmed [data-field="company"]')
            assert company and company in _text(browser, "#unconfirmed")
            passed = browser.find_elements("css selector", "tr.check.passed")
            assert not [
                row.get_attribute("data-check")
                for row in passed
                if row.get_attribute("data-check") not in ("structure",)
            ]
        assert re.fullmatch(r"VR(-[A-Z2-7]{4}){3}", _text(browser, "#reference"))
        assert _text(browser, "#entry-number") == "26 47 3807 6001234"
        checked_at = _text(browser, "#checked-at")
        assert re.match(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}" if language == "es" else r"\d", checked_at)
        read = browser.execute_script(READ_TEXT)
        assert not foreign_words(read, language), (state, language, foreign_words(read, language))
        if state == "message":
            notice = _text(browser, ".customs-notice")
            assert ("en revisión aduanera" if language == "es" else "under review by customs") in (
                notice
            )
        screenshot(browser, shots, f"{state}-{language}-desktop")
        if language == "es":  # the record, printed: one page of Letter, form and JSON left out
            pdf = browser.execute_cdp_cmd("Page.printToPDF", {"paperWidth": 8.5, "paperHeight": 11})
            document = base64.b64decode(pdf["data"])
            assert len(re.findall(rb"/Type\s*/Page\b", document)) == 1, state
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
        try:
            overflow = browser.execute_script(
                "return document.documentElement.scrollWidth - window.innerWidth;"
            )
            assert overflow <= 1, (state, language, overflow)
            screenshot(browser, shots, f"{state}-{language}-phone")
        finally:
            browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
