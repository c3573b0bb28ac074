"""Addresses in their country's format, from the samples' own ``PostalAddress`` data."""

from __future__ import annotations

import pytest

from tests.unit.printing.sites import with_sites
from vcservice.certificates.places import MEXICAN_STATES, US_STATES
from vcservice.certificates.samples import sample_certificate
from vcservice.printing.addresses import MEXICAN_STATE_ABBREVIATIONS, country_name, postal_lines
from vcservice.printing.labels import Text
from vcservice.printing.subjects import address_lines, address_text
from vcservice.printing.view import certificate_view


def test_a_mexican_address_reads_as_correos_de_mexico_writes_it() -> None:
    address = sample_certificate("immex", "v2")["credentialSubject"]["member"]["location"][0]
    assert address_text(address["address"]) == Text(
        "Blvd. Independencia 9850, Parque Industrial Río Bravo, C.P. 32575, Ciudad Juárez, "
        "Chih., Mexico",
        "Blvd. Independencia 9850, Parque Industrial Río Bravo, C.P. 32575, Ciudad Juárez, "
        "Chih., México",
    )
    assert address_lines(address["address"]) == (
        "Blvd. Independencia 9850, Parque Industrial Río Bravo",
        "C.P. 32575, Ciudad Juárez, Chih.",
        "México",
    )


def test_a_us_address_reads_as_usps_writes_it() -> None:
    (terminal,) = certificate_view(sample_certificate("ctpat", "v1")).subject.places
    assert terminal.name == "Laredo terminal"
    assert terminal.address == Text(
        "15210 Mines Rd, Laredo, TX 78045, United States",
        "15210 Mines Rd, Laredo, TX 78045, Estados Unidos",
    )
    assert terminal.lines == ("15210 Mines Rd", "Laredo, TX 78045", "United States")


def test_every_site_of_a_company_reads_in_its_countrys_format() -> None:
    places = certificate_view(with_sites("immex", 8)).subject.places
    assert [place.address.es for place in places if place.address] == [
        "Blvd. Independencia 9850, Parque Industrial Río Bravo, C.P. 32575, Ciudad Juárez, "
        "Chih., México",
        "Blvd. Independencia 9850, Parque Industrial Río Bravo, C.P. 32575, Ciudad Juárez, "
        "Chih., México",
        "Calle Ramón Rayón 1420, Col. Partido Romero, C.P. 32030, Ciudad Juárez, Chih., México",
        "Av. Industrial Rioplatense 210, Parque Industrial Villa Florida, C.P. 88730, Reynosa, "
        "Tamps., México",
        "Carretera Miguel Alemán km 24.5, Parque Industrial Stiva, C.P. 66600, Apodaca, N.L., "
        "México",
        "15210 Mines Rd, Laredo, TX 78045, Estados Unidos",
        "221 N Kansas St, Suite 1500, El Paso, TX 79901, Estados Unidos",
        "Blvd. Insurgentes 20400, Parque Industrial El Florido, C.P. 22244, Tijuana, B.C., México",
    ]


@pytest.mark.parametrize(
    ("code", "abbreviation"),
    [
        ("CHH", "Chih."),
        ("BCN", "B.C."),
        ("NLE", "N.L."),
        ("SON", "Son."),
        ("TAM", "Tamps."),
        ("COA", "Coah."),
        ("JAL", "Jal."),
        ("MEX", "Edo. Méx."),
        ("CMX", "CDMX"),
        ("QUE", "Qro."),
        ("GUA", "Gto."),
        ("AGU", "Ags."),
    ],
)
def test_mexican_states_by_their_customary_abbreviation(code: str, abbreviation: str) -> None:
    assert MEXICAN_STATE_ABBREVIATIONS[code] == abbreviation


def test_every_mexican_state_has_an_abbreviation() -> None:
    assert set(MEXICAN_STATE_ABBREVIATIONS) == set(MEXICAN_STATES)
    assert len(set(MEXICAN_STATE_ABBREVIATIONS.values())) == len(MEXICAN_STATES)
    assert "TX" in US_STATES  # a US state reads by its USPS code, as it is


def test_countries_in_the_readers_language() -> None:
    assert country_name("MX") == Text("Mexico", "México")
    assert country_name("US") == Text("United States", "Estados Unidos")
    assert country_name("DE") == Text("Germany", "Alemania")
    assert country_name("ZZ") == Text.same("ZZ") and country_name(None) is None


def test_other_countries_and_missing_parts() -> None:
    assert postal_lines(
        {
            "streetAddress": "Hauptstraße 5",
            "addressLocality": "Berlin",
            "postalCode": "10115",
            "addressCountry": "DE",
        }
    ).text == Text(
        "Hauptstraße 5, Berlin, 10115, Germany", "Hauptstraße 5, Berlin, 10115, Alemania"
    )
    partial = postal_lines(
        {"addressLocality": "Monterrey", "addressRegion": "NLE", "addressCountry": "MX"}
    )
    assert partial.text == Text("Monterrey, N.L., Mexico", "Monterrey, N.L., México")
    assert postal_lines({}).text == Text("", "")


def test_a_tampered_address_is_shown_not_trusted() -> None:
    address = {
        "streetAddress": ["Calle 1"],
        "addressLocality": "Ciudad Juárez",
        "addressRegion": "XXX",  # no state of Mexico: shown as it is
        "postalCode": 32575,
        "addressCountry": "MX",
    }
    assert postal_lines(address).text.es == ('["Calle 1"], C.P. 32575, Ciudad Juárez, XXX, México')
