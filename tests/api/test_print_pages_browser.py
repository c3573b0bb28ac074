"""Printed certificates on paper, measured in Chromium's own PDF printing (``Page.printToPDF``).

Every type, as each version's sample and as issued, prints on one page of US Letter and one
of A4 with up to three sites, legibly (text of 8 pt or more, the QR code 66 mm wide), its
folio by the title; a company with six sites gets exactly one page more, the annex, which
the first page points to. One browser for the module, one load per document (both papers
and the legibility measured on it), and one backend: printing reads no storage of its own
(``tests/api/test_pages.py`` serves printed certificates on every backend).
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.api.browser import wait_for
from tests.api.conftest import Issuer, LiveService
from tests.api.presenting import issue_certificate
from tests.factories import NOW
from tests.unit.printing.sites import with_sites
from vcservice.certificates.samples import SAMPLE_NAMES, sample_certificate
from vcservice.web.render import printable_certificate

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Letter (Mexico's usual paper) and A4, in inches: the stylesheet sets margins, not the size.
PAPERS = {"Letter": (8.5, 11.0), "A4": (210 / 25.4, 297 / 25.4)}
P384 = "ecdsa-rdfc-2019"  # the issuer signs with its P-384 key
PAGE_URL = "https://verificador.aduanas.example/verify"
FOLIOS = {"immex": "immexProgramNumber", "oea": "oeaRegistrationNumber", "ctpat": "sviNumber"}
# In print: the smallest text (pt), the QR code's width (mm), what the head and notes say.
PRINT_METRICS = """
const texts = [...document.querySelectorAll('.sheet *')].filter(e => !e.closest('svg') &&
  [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()));
const text = s => { const e = document.querySelector(s); return e ? e.textContent : null; };
return {smallestPt: Math.min(...texts.map(e => parseFloat(getComputedStyle(e).fontSize))) * 0.75,
  qrMm: document.querySelector('#qr svg').getBoundingClientRect().width * 25.4 / 96,
  folio: text('.head #folio dd'), more: text('#more-sites'),
  annexSites: document.querySelectorAll('#annex li').length};
"""


@pytest.fixture(scope="module")
def backend() -> str:
    """Printing is the same on every backend: this module runs on SQLite only."""
    return "sqlite"


def _printed(browser: Any, html: str, where: Path) -> tuple[dict[str, int], dict[str, Any]]:
    """Open ``html`` as a file; its page count on each paper and what it shows in print."""
    where.write_text(html, encoding="utf-8")
    browser.get(where.as_uri())
    wait_for(browser, ".sheet #qr svg")
    pages = {}
    for paper, (width, height) in PAPERS.items():
        pdf = browser.execute_cdp_cmd(
            "Page.printToPDF", {"paperWidth": width, "paperHeight": height}
        )
        pages[paper] = len(re.findall(rb"/Type\s*/Page\b", base64.b64decode(pdf["data"])))
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        return pages, browser.execute_script(PRINT_METRICS)
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def _legible(printed: dict[str, Any]) -> None:
    assert round(printed["smallestPt"], 1) >= 8 and round(printed["qrMm"]) >= 66, printed


@pytest.mark.parametrize("version", ["v1", "v2", "issued"])
@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_every_printed_certificate_fits_one_page_legibly(
    browser: Any, request: pytest.FixtureRequest, tmp_path: Path, name: str, version: str
) -> None:
    """Each version 1 sample; each version 2 sample with three sites (the most one page
    lists); each type as issued with three status entries and a P-384 proof (the longest
    link, the densest QR code): one page of Letter and of A4, text of 8 pt or more, the QR
    code 66 mm wide, the folio by the title."""
    if version == "issued":
        live_service: LiveService = request.getfixturevalue("live_service")
        issuer: Issuer = request.getfixturevalue("customs" if name == "ctpat" else "mexico")
        credential = issue_certificate(live_service, issuer, name, securing_format=P384)
        assert len(credential["credentialStatus"]) == 3, credential["credentialStatus"]
        assert "p384" in credential["proof"]["verificationMethod"], credential["proof"]
        path = f"/print/credentials/{quote(credential['id'], safe=':')}"
        html = live_service.http.get(path, headers=issuer.headers).text
    else:
        credential = sample_certificate(name, "v1") if version == "v1" else with_sites(name, 3)
        html = printable_certificate(credential, page_url=PAGE_URL, printed_at=NOW)
    pages, printed = _printed(browser, html, tmp_path / f"{name}-{version}.html")
    assert pages == {"Letter": 1, "A4": 1}, pages
    _legible(printed)
    assert printed["folio"] == credential["credentialSubject"][FOLIOS[name]], printed
    assert printed["more"] is None and printed["annexSites"] == 0, printed


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_six_sites_print_on_two_pages_the_last_three_in_an_annex(
    browser: Any, tmp_path: Path, name: str
) -> None:
    """Three sites on the first page, which says so; the other three on the annex page."""
    html = printable_certificate(with_sites(name, 6), page_url=PAGE_URL, printed_at=NOW)
    pages, printed = _printed(browser, html, tmp_path / f"{name}-6-sites.html")
    assert pages == {"Letter": 2, "A4": 2}, pages
    _legible(printed)
    assert printed["annexSites"] == 3, printed
    assert "3 de 6" in printed["more"] and "3 of 6" in printed["more"], printed


@pytest.fixture(scope="module")
def customs(live_service: LiveService) -> Issuer:
    """CBP, accredited for C-TPAT, with its read scope for printing."""
    return live_service.issuer("cbp-print", ["CTPATCertificate"])


@pytest.fixture(scope="module")
def mexico(live_service: LiveService) -> Issuer:
    """SAT, accredited for IMMEX and OEA, with its read scope for printing."""
    return live_service.issuer("sat-print", ["IMMEXCertificate", "OEACertificate"])
