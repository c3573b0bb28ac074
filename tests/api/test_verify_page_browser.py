"""The verify page and printed certificates in a real browser (headless Chromium, Selenium).

A broker pastes, uploads or scans a certificate and reads the answer: green for a good
one, the status for a suspended one, red with the reason for a tampered one, in English
and Spanish. The QR code of each printed certificate is read back from a screenshot by a
real decoder and its link opened in the browser, where the page verifies it live. How
printed certificates fit the page is ``test_print_pages_browser``'s.
Screenshots of every step are saved (see ``tests/api/browser.py``); the path is printed.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.api.browser import (
    ARTIFACTS,
    prefer_language,
    read_qr_codes,
    screenshot,
    wait_for,
)
from tests.api.conftest import Issuer, LiveService
from tests.api.presenting import issue_certificate, suspend
from vcservice.printing import verification_link

pytestmark = [pytest.mark.browser, pytest.mark.slow]

UPDATE = "update:credentials"
ACCEPT = {"en": "en-US,en;q=0.9", "es": "es-MX,es;q=0.9,en;q=0.5"}
WORDS = {
    "en": {
        "verified": "Verified — in force",
        "altered": "Not authentic — altered or forged",
        "suspended": "Suspended",
    },
    "es": {
        "verified": "Verificado — vigente",
        "altered": "No auténtico — alterado o falsificado",
        "suspended": "Suspendido",
    },
}
SUSPENDED_SUMMARY = {"en": "has suspended this certificate", "es": "suspendió este certificado"}
PROOF_TITLE = {
    "en": "The electronic signature does not match the content",
    "es": "La firma electrónica no corresponde al contenido",
}


@pytest.fixture(scope="module")
def backend() -> str:
    """What a page shows does not depend on the storage backend (``test_pages.py`` runs the
    page on both): SQLite here."""
    return "sqlite"


@pytest.fixture(scope="module")
def shots(backend: str, request: pytest.FixtureRequest) -> Iterator[Path]:
    """Where this module's screenshots go; the path is printed at the end."""
    directory = ARTIFACTS / "browser" / backend
    yield directory
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if reporter is not None and capture is not None and directory.exists():
        with capture.global_and_fixture_disabled():  # past pytest's output capture
            reporter.write_line(f"\nbrowser screenshots ({backend}): {directory.resolve()}")


@pytest.fixture(scope="module")
def customs(live_service: LiveService) -> Issuer:
    """CBP, accredited, with the right to read and to suspend its C-TPAT certificates."""
    return live_service.issuer(
        "cbp-page", ["CTPATCertificate"], scopes=("issue:credentials", "read:credentials", UPDATE)
    )


@pytest.fixture(scope="module")
def mexico(live_service: LiveService) -> Issuer:
    """SAT, accredited for IMMEX and OEA, with its read scope for printing."""
    return live_service.issuer("sat-page", ["IMMEXCertificate", "OEACertificate"])


# ---------------------------------------------------------------- helpers


def _open(browser: Any, live_service: LiveService, language: str, path: str = "/verify") -> None:
    prefer_language(browser, ACCEPT[language])
    browser.get(live_service.url + path)


def _paste_and_verify(browser: Any, text: str) -> Any:
    box = wait_for(browser, "#credential")
    box.clear()
    # A credential is long: set it at once, as a paste would, rather than typing it.
    browser.execute_script("arguments[0].value = arguments[1];", box, text)
    browser.find_element("id", "verify-button").click()
    return wait_for(browser, "#result")


def _outcomes(browser: Any) -> dict[str, str]:
    rows = browser.find_elements("css selector", "tr.check")
    return {row.get_attribute("data-check"): row.get_attribute("class").split()[-1] for row in rows}


def _reason_text(browser: Any, check: str) -> str:
    row = browser.find_element("css selector", f'tr[data-check="{check}"]')
    return str(row.get_attribute("textContent"))  # the technical detail is folded away


def _printed_qr_link(browser: Any, html: str, where: Path) -> str:
    """Open a printable certificate as a file, read its QR code from a screenshot."""
    where.write_text(html, encoding="utf-8")
    browser.get(where.as_uri())
    code = wait_for(browser, "#qr svg")
    # Three device pixels per CSS pixel: the 66 mm symbol gets ~6 pixels per module.
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 1100, "height": 1400, "deviceScaleFactor": 3, "mobile": False},
    )
    try:
        texts = read_qr_codes(code.screenshot_as_png)
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert len(texts) == 1, texts
    return texts[0]


# ---------------------------------------------------------------- the three answers


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_good_certificate_is_green_with_its_human_fields(
    browser: Any,
    live_service: LiveService,
    customs: Issuer,
    shots: Path,
    language: str,
    tmp_path: Path,
) -> None:
    credential = issue_certificate(live_service, customs, "ctpat")
    upload = tmp_path / "ctpat.json"
    upload.write_text(json.dumps(credential), encoding="utf-8")
    _open(browser, live_service, language)
    assert browser.find_element("tag name", "html").get_attribute("lang") == language
    browser.find_element("id", "upload").send_keys(str(upload))  # choose the file
    browser.find_element("id", "verify-button").click()
    result = wait_for(browser, "#result")
    screenshot(browser, shots, f"good-ctpat-{language}")
    assert result.get_attribute("data-verified") == "true"
    assert browser.find_element("id", "result-heading").text.endswith(WORDS[language]["verified"])
    assert result.get_attribute("data-verdict") == "verified"
    assert set(_outcomes(browser).values()) == {"passed"}
    fields = {  # the technical fields (the data version) are folded away: their text content
        element.get_attribute("data-field"): element.get_attribute("textContent").strip()
        for element in browser.find_elements("css selector", "[data-field]")
    }
    assert fields["company"] == "Ensambles Electrónicos del Bravo, S.A. de C.V."
    assert fields["tier"] == {"en": "Validated (Tier 2)", "es": "Validado"}[language]
    assert fields["rfc"] == "EEB030821R49" and fields["dataVersion"] == "v2"
    date = r"\d{2}/\d{2}/\d{4}" if language == "es" else r"\d{1,2} [A-Z][a-z]{2} \d{4}"
    assert re.fullmatch(date, fields["validUntil"]), fields["validUntil"]
    # the issuer's name comes from the trust registry (LiveService.issuer accredits it so)
    assert browser.find_element("id", "issuer").text.startswith(customs.name.upper())
    # focus went to the outcome, for keyboard and screen-reader users
    assert browser.switch_to.active_element.get_attribute("id") == "result-heading"


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_suspended_certificate_shows_suspended_from_its_qr_link(
    browser: Any, live_service: LiveService, customs: Issuer, shots: Path, language: str
) -> None:
    credential = issue_certificate(live_service, customs, "ctpat")
    suspend(live_service, customs, credential["id"])
    # The link a printed QR code holds (read back from a real QR code further below).
    link = verification_link(f"{live_service.url}/verify", credential)
    _open(browser, live_service, language, link.removeprefix(live_service.url))
    result = wait_for(browser, "#result")
    screenshot(browser, shots, f"suspended-ctpat-{language}")
    assert result.get_attribute("data-verified") == "false"
    assert result.get_attribute("data-verdict") == "suspended"
    assert browser.find_element("id", "status").text == WORDS[language]["suspended"]
    assert SUSPENDED_SUMMARY[language] in browser.find_element("id", "summary").text
    assert _outcomes(browser)["status"] == "failed" and _outcomes(browser)["proof"] == "passed"
    # the fragment was read once and dropped: going back does not verify again by itself
    assert "#" not in browser.current_url


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_tampered_certificate_is_red_with_the_reason(
    browser: Any, live_service: LiveService, mexico: Issuer, shots: Path, language: str
) -> None:
    credential = copy.deepcopy(issue_certificate(live_service, mexico, "immex"))
    credential["credentialSubject"]["member"]["legalName"] = "Ensambles Falsos, S.A. de C.V."
    _open(browser, live_service, language)
    result = _paste_and_verify(browser, json.dumps(credential))
    screenshot(browser, shots, f"tampered-immex-{language}")
    assert result.get_attribute("data-verified") == "false"
    assert browser.find_element("id", "result-heading").text.endswith(WORDS[language]["altered"])
    assert _outcomes(browser)["proof"] == "failed"
    assert _outcomes(browser)["status"] == "skipped"  # unsigned entries prove nothing
    assert PROOF_TITLE[language] in _reason_text(browser, "proof")
    assert "PROOF_VERIFICATION_ERROR" in _reason_text(browser, "proof")
    # the issuer is not vouched for by the registry when no proof binds it
    unconfirmed = browser.find_element("css selector", '#unconfirmed [data-field="company"]')
    assert "Ensambles Falsos" in unconfirmed.text


def test_the_language_toggle_keeps_the_result(
    browser: Any, live_service: LiveService, mexico: Issuer, shots: Path
) -> None:
    credential = issue_certificate(live_service, mexico, "oea", securing_format="vc+jwt")
    _open(browser, live_service, "en")
    _paste_and_verify(browser, credential)
    browser.find_element("css selector", 'nav button[lang="es"]').click()
    result = wait_for(browser, "html[lang='es'] #result")
    screenshot(browser, shots, "toggle-oea-jwt-es")
    assert result.get_attribute("data-verified") == "true"
    rubro = browser.find_element("css selector", '[data-field="oeaRubro"]').text
    assert rubro == "Importador y/o exportador"


# ---------------------------------------------------------------- printed certificates


@pytest.mark.parametrize("slug", ["immex", "ctpat", "oea"])
def test_a_printed_certificates_qr_code_verifies_on_the_page(
    browser: Any,
    live_service: LiveService,
    mexico: Issuer,
    customs: Issuer,
    shots: Path,
    tmp_path: Path,
    slug: str,
) -> None:
    issuer = customs if slug == "ctpat" else mexico
    credential = issue_certificate(live_service, issuer, slug)
    response = live_service.http.get(
        f"/print/credentials/{quote(credential['id'], safe=':')}", headers=issuer.headers
    )
    assert response.status_code == 200, response.text
    link = _printed_qr_link(browser, response.text, tmp_path / f"{slug}.html")
    screenshot(browser, shots, f"printed-{slug}")
    assert link.startswith(f"{live_service.url}/verify#vc1=")
    _open(browser, live_service, "es", link.removeprefix(live_service.url))
    result = wait_for(browser, "#result")
    screenshot(browser, shots, f"printed-{slug}-verified-es")
    assert result.get_attribute("data-verified") == "true"
    assert browser.find_element("css selector", ".certificate-title").text.startswith("Certificado")
    if slug == "ctpat":  # a status change shows at once: the page verifies live
        suspend(live_service, issuer, credential["id"])
        _open(browser, live_service, "en", link.removeprefix(live_service.url))
        assert wait_for(browser, "#result").get_attribute("data-verdict") == "suspended"


def test_a_holders_printed_jwt_certificate_verifies(
    browser: Any, live_service: LiveService, mexico: Issuer, shots: Path, tmp_path: Path
) -> None:
    name = live_service.unique_name("page-wallet")
    created = live_service.http.post(
        "/admin/holders", headers=live_service.admin, json={"name": name}
    )
    assert created.status_code == 201, created.text
    holder = {"Authorization": f"Bearer {created.json()['accessToken']}"}
    credential = issue_certificate(
        live_service, mexico, "oea", subject=created.json()["did"], securing_format="vc+jwt"
    )
    stored = live_service.http.post(
        "/holder/credentials", headers=holder, json={"verifiableCredential": credential}
    )
    assert stored.status_code == 201, stored.text
    printable = live_service.http.get(
        f"/holder/print/{quote(stored.json()['id'], safe=':')}", headers=holder
    )
    assert printable.status_code == 200, printable.text
    link = _printed_qr_link(browser, printable.text, tmp_path / "held.html")
    _open(browser, live_service, "en", link.removeprefix(live_service.url))
    result = wait_for(browser, "#result")
    screenshot(browser, shots, "holder-printed-oea-jwt")
    assert result.get_attribute("data-verified") == "true"


# ---------------------------------------------------------------- accessibility


def test_the_page_is_usable_by_keyboard_and_labelled(
    browser: Any, live_service: LiveService, mexico: Issuer
) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    credential = issue_certificate(live_service, mexico, "immex")
    _open(browser, live_service, "es")
    landmarks = browser.execute_script(
        "return ['header', 'nav', 'main'].map(t => document.querySelectorAll(t).length)"
    )
    assert landmarks == [1, 1, 1]
    unlabelled = browser.execute_script(
        "return [...document.querySelectorAll('textarea, input:not([type=hidden]), select')]"
        ".filter(e => e.labels.length === 0).map(e => e.id)"
    )
    assert unlabelled == []
    # Tab from the top of the page to the box, paste, tab to the button, press Enter.
    for _ in range(10):
        if browser.switch_to.active_element.get_attribute("id") == "credential":
            break
        ActionChains(browser).send_keys(Keys.TAB).perform()
    assert browser.switch_to.active_element.get_attribute("id") == "credential"
    browser.execute_script("document.activeElement.value = arguments[0];", json.dumps(credential))
    # past the file chooser and the customs entry number
    ActionChains(browser).send_keys(Keys.TAB, Keys.TAB, Keys.TAB).perform()
    assert browser.switch_to.active_element.get_attribute("id") == "verify-button"
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    assert wait_for(browser, "#result").get_attribute("data-verified") == "true"


def test_text_contrast_meets_wcag_aa(
    browser: Any, live_service: LiveService, mexico: Issuer
) -> None:
    good = issue_certificate(live_service, mexico, "immex")
    bad = copy.deepcopy(good)
    bad["validUntil"] = "2099-01-01T00:00:00Z"
    for credential in (good, bad):
        _open(browser, live_service, "en")
        _paste_and_verify(browser, json.dumps(credential))
        ratios = browser.execute_script(CONTRAST_SCRIPT)
        low = {selector: ratio for selector, ratio in ratios.items() if ratio < 4.5}
        assert ratios and low == {}, low


# WCAG 2.x contrast of each element's text against the first opaque background behind it.
CONTRAST_SCRIPT = """
const rgb = c => c.match(/[\\d.]+/g).map(Number);
const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255;
  return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); })
  .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
const background = e => { for (; e; e = e.parentElement) {
  const c = rgb(getComputedStyle(e).backgroundColor); if (c.length < 4 || c[3] > 0) return c; }
  return [255, 255, 255]; };
const out = {};
const selectors = ['h1', '.intro', '#result-heading', '.summary', '.facts dt', '.facts dd',
  '.fields dt', '.fields dd', '.badge.passed', '.badge.failed', '.badge.skipped', '.what',
  '.explanation', '.record .note', 'label', '.help',
  '.languages .current', '.languages button', '.languages a', 'button.primary', '.site'];
for (const s of selectors) { const e = document.querySelector(s); if (!e) continue;
  const a = lum(rgb(getComputedStyle(e).color)), b = lum(background(e));
  out[s] = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); }
return out;
"""
