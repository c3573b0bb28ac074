"""What the verify page and the printed certificate say about each sample, label by label.

For the three types in both versions of the certificate data: every field the page shows,
in English and in Spanish, and the printed certificate, in both languages at once (the
program's own first), read back from the rendered HTML as a reader sees it. The labels and
the names of coded values are written out here, so a change to the vocabulary or the
templates shows; plain values (numbers, names) are the sample's own, and its dates as people
write them (``15/03/2007`` in Spanish, ``15 Mar 2007`` in English), its addresses in their
country's format. Version 1 reads as it always did, with one row more: the version of its
data.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.factories import NOW
from tests.unit.web.page_text import PageText, page_text
from tests.unit.web.test_render import GOOD_CHECKS, PAGE, _registry, _result
from vcservice.certificates.samples import SAMPLE_NAMES, sample_certificate
from vcservice.printing.labels import Text
from vcservice.printing.subjects import DATE_KEYS
from vcservice.web.render import printable_certificate, verify_page
from vcservice.web.result import result_view

Row = tuple[str, Text, Text]  # data-field, label, value
SAME = Text.same
# A mutual recognition reads by the short labels (skos:altLabel) of the terms it names.
MRA_CBP = Text(
    "Recognized by CBP (C-TPAT) under the U.S.–Mexico MRA (2014) for: manufacturer/exporter",
    "Reconocido por CBP (C-TPAT) en virtud del ARM México–EE. UU. (2014) para: "
    "fabricante/exportador",
)
MRA_SAT = Text(
    "Recognized by SAT (OEA) under the U.S.–Mexico MRA (2014) for: manufacturer/exporter. "
    "Number in the counterpart program: {number}",
    "Reconocido por SAT (OEA) en virtud del ARM México–EE. UU. (2014) para: "
    "fabricante/exportador. Número en el programa homólogo: {number}",
)
VERSIONS = {"v1": Text("v1 (legacy)", "v1 (anterior)"), "v2": SAME("v2")}
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def day(iso: str) -> Text:
    """An xsd:date as people read it: ``15 Mar 2007`` / ``15/03/2007``."""
    value = date.fromisoformat(iso)
    return Text(f"{value.day} {MONTHS[value.month - 1]} {value.year}", value.strftime("%d/%m/%Y"))


def shown(key: str, value: Any) -> Text:
    """A plain value as shown: a date for people, anything else as the sample has it."""
    return day(value) if key in DATE_KEYS else SAME(value)


def rows_v2(name: str) -> list[Row]:
    subject = sample_certificate(name, "v2")["credentialSubject"]
    member = subject["member"]

    def plain(key: str, label: Text, source: dict[str, Any] = subject) -> Row:
        return (key, label, shown(key, source[key]))

    company = [
        plain("name", Text("Trade name", "Nombre comercial"), member),
        plain(
            "rfc", Text("RFC (Mexican tax ID)", "Registro Federal de Contribuyentes (RFC)"), member
        ),
        plain(
            "manufacturerId",
            Text("Manufacturer ID (MID)", "Código de identificación del fabricante (MID)"),
            member,
        ),
        plain("duns", Text("DUNS number", "Número DUNS"), member),
        plain("leiCode", Text("LEI code", "Código LEI"), member),
    ]

    def authorized() -> Row:
        return plain("authorizationDate", Text("Authorization date", "Fecha de autorización"))

    program = {
        "immex": lambda: [
            plain("immexProgramNumber", Text("IMMEX program number", "Número de Programa IMMEX")),
            ("immexModality", Text("IMMEX modality", "Modalidad IMMEX"), SAME("Industrial")),
            authorized(),
            plain(
                "lastAnnualReportYear",
                Text(
                    "Year of the last annual report filed",
                    "Ejercicio del último reporte anual presentado",
                ),
            ),
            plain(
                "annualReportDueDate",
                Text("Annual report due date", "Fecha límite del reporte anual"),
            ),
        ],
        "oea": lambda: [
            plain(
                "oeaRegistrationNumber", Text("OEA registration number", "Número de registro OEA")
            ),
            (
                "oeaRubro",
                Text("OEA sector (rubro)", "Rubro OEA"),
                Text("Importer and/or exporter", "Importador y/o exportador"),
            ),
            authorized(),
            plain("lastRenewalDate", Text("Date of last renewal", "Fecha de la última renovación")),
            plain("termStart", Text("Start of the current term", "Inicio de la vigencia actual")),
            plain("termEnd", Text("End of the current term", "Fin de la vigencia actual")),
            ("mutualRecognition/0", Text("Mutual recognition", "Reconocimiento mutuo"), MRA_CBP),
        ],
        "ctpat": lambda: [
            (
                "tradeSector",
                Text("Trade sector", "Sector comercial"),
                Text("Foreign Manufacturers", "Fabricantes extranjeros"),
            ),
            ("tier", Text("C-TPAT tier", "Nivel C-TPAT"), Text("Validated (Tier 2)", "Validado")),
            plain("sviNumber", Text("SVI number", "Número SVI")),
            plain("ctpatAccountNumber", Text("C-TPAT account number", "Número de cuenta C-TPAT")),
            plain(
                "certificationDate",
                Text("C-TPAT certification date", "Fecha de certificación C-TPAT"),
            ),
            plain(
                "lastValidationDate",
                Text("Date of last validation", "Fecha de la última validación"),
            ),
            plain(
                "revalidationDueDate", Text("Revalidation due date", "Fecha límite de revalidación")
            ),
            (
                "mutualRecognition/0",
                Text("Mutual recognition", "Reconocimiento mutuo"),
                _formatted(MRA_SAT, subject["mutualRecognition"][0]["counterpartAccountNumber"]),
            ),
        ],
    }
    return company + program[name]()


def rows_v1(name: str) -> list[Row]:
    subject = sample_certificate(name, "v1")["credentialSubject"]
    source = subject.get("member", subject) | subject

    def plain(key: str, label: Text) -> Row:
        value = source[key]
        return (key, label, shown(key, "; ".join(value) if isinstance(value, list) else value))

    def rfc() -> Row:
        return plain("rfc", Text("Tax ID (RFC)", "Registro Federal de Contribuyentes (RFC)"))

    return {
        "immex": lambda: [
            rfc(),
            plain("immexProgramNumber", Text("IMMEX program number", "Número de Programa IMMEX")),
            ("modality", Text("IMMEX modality", "Modalidad IMMEX"), SAME("Industrial")),
            plain(
                "authorizationDate",
                Text("IMMEX authorization date", "Fecha de autorización IMMEX"),
            ),
        ],
        "oea": lambda: [
            rfc(),
            plain(
                "oeaRegistrationNumber", Text("OEA registration number", "Número de registro OEA")
            ),
            (
                "modality",
                Text("OEA modality", "Modalidad OEA"),
                Text("Land (road) carrier", "Autotransportista terrestre"),
            ),
            plain("authorizationDate", Text("OEA authorization date", "Fecha de autorización OEA")),
            plain("renewalDate", Text("OEA renewal date", "Fecha de renovación OEA")),
            plain("mutualRecognition", Text("Mutual recognition", "Reconocimiento mutuo")),
        ],
        "ctpat": lambda: [
            plain("name", Text("Trade name", "Nombre comercial")),
            (
                "tradeSector",
                Text("Trade sector", "Sector comercial"),
                Text("Highway Carriers", "Autotransportistas"),
            ),
            ("tier", Text("C-TPAT tier", "Nivel C-TPAT"), Text("Validated", "Validado")),
            plain("sviNumber", Text("SVI number", "Número SVI")),
            plain("ctpatAccountNumber", Text("C-TPAT account number", "Número de cuenta C-TPAT")),
            plain(
                "dateOfLastValidation",
                Text("Date of last validation", "Fecha de la última validación"),
            ),
            plain("scac", Text("SCAC", "Código SCAC")),
            plain("duns", Text("DUNS number", "Número DUNS")),
        ],
    }[name]()


ROWS = {"v1": rows_v1, "v2": rows_v2}
ALWAYS = {"company", "validFrom", "validUntil", "dataVersion"}


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("version", ["v1", "v2"])
@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_the_page_shows_each_field_with_its_label(name: str, version: str, language: str) -> None:
    rows = ROWS[version](name)
    shown = _page(sample_certificate(name, version), language).fields
    for key, label, value in rows:
        assert shown[key] == (label.in_language(language), value.in_language(language)), key
    version_label = Text("Certificate data version", "Versión de los datos del certificado")
    assert shown["dataVersion"] == (
        version_label.in_language(language),
        VERSIONS[version].in_language(language),
    )
    assert set(shown) == {key for key, _, _ in rows} | ALWAYS  # nothing else, in that order
    assert [key for key in shown if key not in ALWAYS] == [key for key, _, _ in rows]


@pytest.mark.parametrize("version", ["v1", "v2"])
@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_the_printed_certificate_shows_each_field_in_both_languages(
    name: str, version: str
) -> None:
    credential = sample_certificate(name, version)
    first, second = ("en", "es") if name == "ctpat" else ("es", "en")
    shown = _printed(credential).fields

    def both(text: Text) -> str:
        one, other = text.in_language(first), text.in_language(second)
        return one if one == other else f"{one} / {other}"

    for key, label, value in ROWS[version](name):
        expected_label = "" if key.startswith("mutualRecognition/") else both(label)  # a list
        assert shown[key] == (expected_label, both(value)), key
    version_label = Text("Certificate data version", "Versión de los datos del certificado")
    assert shown["dataVersion"] == (both(version_label), both(VERSIONS[version]))
    assert set(shown) == {key for key, _, _ in ROWS[version](name)} | ALWAYS


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_v2_sites_are_listed_with_their_role_and_codes(name: str) -> None:
    domicile, plant = sample_certificate(name, "v2")["credentialSubject"]["member"]["location"]
    address = domicile["address"]
    # Mexico's format: street and colonia, C.P., city, the state's abbreviation, the country
    street = f"{address['streetAddress']}, C.P. {{code}}, {address['addressLocality']}, Chih."
    lines = {
        language: f"{street}, {country}".format(code=address["postalCode"])
        for language, country in (("en", "Mexico"), ("es", "México"))
    }
    plant_lines = {
        language: line.replace(address["postalCode"], plant["address"]["postalCode"])
        for language, line in lines.items()
    }
    # a site's codes by their short labels: the company's identifiers name them in full
    codes = f"MID: {plant['manufacturerId']} · UN/LOCODE: {plant['unLocode']}"
    english, spanish = (_page(sample_certificate(name, "v2"), lang).items for lang in ("en", "es"))
    assert english[-2:] == [
        f"Domicilio fiscal — {lines['en']} (Tax domicile)",
        f"Planta 1 — {plant_lines['en']} (Plant) · {codes}",
    ]
    assert spanish[-2:] == [
        f"Domicilio fiscal — {lines['es']}",  # the role says what the name says
        f"Planta 1 — {plant_lines['es']} (Planta) · {codes}",
    ]
    printed = _printed(sample_certificate(name, "v2")).items
    first = "en" if name == "ctpat" else "es"  # the program's own language first
    es_first = first == "es"
    assert printed[-2:] == [  # the codes on one line
        f"Domicilio fiscal ({'Tax domicile' if es_first else 'Tax domicile / Domicilio fiscal'})"
        f"\n{lines[first]}",
        f"Planta 1 ({'Planta / Plant' if es_first else 'Plant / Planta'})\n{plant_lines[first]}"
        f"\n{codes}",
    ]


def test_v1_places_are_listed_in_their_countrys_format() -> None:
    assert _page(sample_certificate("immex", "v1"), "es").items[-2:] == [
        "Planta 1 — Blvd. Independencia 9850, Parque Industrial Río Bravo, C.P. 32575, "
        "Ciudad Juárez, Chih., México",
        "Almacén de materias primas — Calle Ramón Rayón 1420, C.P. 32590, Ciudad Juárez, Chih., "
        "México",
    ]
    assert _printed(sample_certificate("ctpat", "v1")).items == [
        "Laredo terminal\n15210 Mines Rd, Laredo, TX 78045, United States"
    ]


def test_the_printed_v2_certificate_groups_the_company_and_its_recognitions() -> None:
    printed = printable_certificate(sample_certificate("oea", "v2"), page_url=PAGE, printed_at=NOW)
    assert '<main class="sheet sheet-v2"' in printed
    # the recognitions follow the program's facts, beside the QR code; the company below
    facts = printed.index('<div class="facts">')
    recognitions = printed.index('<section class="recognitions">')
    assert facts < recognitions < printed.index('<figure class="qr-box">')
    assert printed.index("</figure>") < printed.index('<section class="company-fields">')
    assert (
        '<h2><span lang="es">Empresa</span><span class="alt" lang="en">Company</span></h2>'
        in printed
    )
    v1 = printable_certificate(sample_certificate("oea", "v1"), page_url=PAGE, printed_at=NOW)
    assert '<main class="sheet"' in v1 and 'company-fields">' not in v1


def _page(credential: dict[str, Any], language: str) -> PageText:
    view = result_view(_result(credential, *GOOD_CHECKS), registry_name=_registry({}))
    return page_text(verify_page(language=language, result=view))


def _printed(credential: dict[str, Any]) -> PageText:
    return page_text(printable_certificate(credential, page_url=PAGE, printed_at=NOW))


def _formatted(text: Text, number: str) -> Text:
    return Text(text.en.format(number=number), text.es.format(number=number))
