"""The printed sheet: its folio by the title, dates and the moment printed for people, sites
beyond the first page's on an annex page, headings in the singular or plural by count.

Whether it all fits one page of Letter and of A4 is measured in Chromium
(``tests/api/test_print_pages_browser.py``); here, what the sheet says and where.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.factories import NOW
from tests.unit.printing.sites import with_sites
from tests.unit.printing.test_view_v2 import MORE_IDENTIFIERS
from tests.unit.web.page_text import page_text
from vcservice.certificates.samples import SAMPLE_NAMES, sample_certificate
from vcservice.web.render import printable_certificate
from vcservice.web.sheet_words import first_page_sites

PAGE = "https://verificador.aduanas.example/verify"
FOLIOS = {  # the number each certificate is known by, and its label
    "immex": ("immexProgramNumber", "Número de Programa IMMEX / IMMEX program number"),
    "oea": ("oeaRegistrationNumber", "Número de registro OEA / OEA registration number"),
    "ctpat": ("sviNumber", "SVI number / Número SVI"),
}


def _printed(credential: dict[str, Any], **options: Any) -> str:
    return printable_certificate(credential, page_url=PAGE, printed_at=NOW, **options)


def _first_page(html: str) -> str:
    return html[: html.index("</main>")]


def _annex(html: str) -> str:
    return html[html.index("</main>") :]


def _items(html: str) -> int:
    return len(re.findall(r"<li>", html))


@pytest.mark.parametrize("version", ["v1", "v2"])
@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_the_folio_is_printed_by_the_title(name: str, version: str) -> None:
    credential = sample_certificate(name, version)
    key, label = FOLIOS[name]
    html = _printed(credential)
    head = html[html.index('<header class="head">') : html.index("</header>")]
    assert 'id="folio"' in head and f'data-field="{key}"' in head
    number = credential["credentialSubject"][key]
    assert page_text(head).fields[key] == (label, number)
    assert html.count(f'data-field="{key}"') == 1  # not again among the facts
    assert number in html[html.index("<title>") : html.index("</title>")]


def test_dates_and_the_moment_printed_read_for_people() -> None:
    html = _printed(sample_certificate("immex", "v2"))  # printed at 2026-11-28T12:00:00Z
    fields = page_text(html).fields
    assert fields["validFrom"] == ("Vigente desde / Valid from", "01/06/2026 / 1 Jun 2026")
    assert fields["validUntil"] == ("Vigente hasta / Valid until", "31/05/2027 / 31 May 2027")
    assert fields["authorizationDate"][1] == "15/03/2007 / 15 Mar 2007"
    printed = re.search(r'<p class="printed">(.*?)</p>', html, re.S)
    assert printed is not None
    text = re.sub(r"<[^>]+>", "", printed.group(1).replace('class="alt"', "")).replace("\n", "")
    assert text.startswith(
        "Fecha de impresiónPrinted: 28/11/2026 06:00 (hora del centro, UTC−6)"
        "28 Nov 2026 06:00 (Mexico central time, UTC−6)"
    )
    tijuana = _printed(sample_certificate("immex", "v2"), zone="America/Tijuana")
    assert "28/11/2026 04:00 (hora del noroeste, UTC−8)" in tijuana


def test_sites_beyond_three_go_to_an_annex_page() -> None:
    html = _printed(with_sites("immex", 6))
    first, annex = _first_page(html), _annex(html)
    places = first[first.index('<section class="places"') :]
    assert 'data-count="6"' in places and _items(places) == 3
    assert (
        '<h2><span lang="es">Domicilios</span><span class="alt" lang="en">Sites</span></h2>'
        in places
    )
    assert (
        '<p class="more" id="more-sites"><span lang="es">Se muestran 3 de 6; los demás, en el '
        'anexo.</span><span class="alt" lang="en">3 of 6 shown; the others are in the annex.'
        "</span></p>" in places
    )
    assert '<section class="sheet annex" id="annex"' in annex and _items(annex) == 3
    assert (
        '<h2 id="annex-heading"><span lang="es">Anexo: domicilios</span><span class="alt" '
        'lang="en">Annex: sites</span></h2>' in annex
    )
    # the annex names the certificate it belongs to
    assert "Certificado IMMEX 4521-2007 · Ensambles Electrónicos del Bravo" in annex
    assert "C.P. 32030, Ciudad Juárez, Chih., México" in first  # the third site
    assert "C.P. 88730, Reynosa, Tamps., México" in annex and "Laredo, TX 78045" in annex
    css = html[html.index("<style>") : html.index("</style>")]
    assert re.search(r"\.annex \{[^}]*break-before: page", css)


def test_headings_follow_the_count() -> None:
    four = _printed(with_sites("oea", 4))
    assert _items(_annex(four)) == 1 and "Anexo: domicilio</span>" in four
    assert "Annex: site</span>" in four
    three = _printed(with_sites("ctpat", 3))
    assert 'id="annex"' not in three and 'id="more-sites"' not in three
    assert '<h2><span lang="en">Sites</span><span class="alt" lang="es">Domicilios</span>' in three
    one = _printed(sample_certificate("ctpat", "v1"))
    assert '<h2><span lang="en">Site</span><span class="alt" lang="es">Domicilio</span>' in one
    immex = _printed(sample_certificate("immex", "v1"))
    assert '<span lang="es">Domicilios autorizados IMMEX</span>' in immex


def test_a_crowded_first_page_lists_two_sites() -> None:
    credential = with_sites("oea", 3)
    credential["credentialSubject"]["member"].update(
        {key: MORE_IDENTIFIERS[key] for key in ("usdotNumber", "scac", "caat", "sctPermit")}
    )
    html = _printed(credential)
    assert _items(_first_page(html).split('<section class="places"')[1]) == 2
    assert _items(_annex(html)) == 1 and "Se muestran 2 de 3" in html
    assert first_page_sites(6, 1) == 3 and first_page_sites(7, 1) == 2
    assert first_page_sites(5, 2) == 2


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_the_sheet_says_certificado_not_credencial(name: str) -> None:
    html = _printed(with_sites(name, 6)).lower()
    assert "credencial" not in html and "certificado" in html
