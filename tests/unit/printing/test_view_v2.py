"""The human view of version 2 certificates: the company at ``member``, sites, the program.

Every label, and the name of every coded value, is the vocabulary's; every value is the
credential's own, shown even when it is not what the schema allows.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import upstream_path
from vcservice.certificates.samples import sample_certificate
from vcservice.jsonld.manifest import default_contexts_dir
from vcservice.printing import subjects_v2
from vcservice.printing.labels import Text, vocabulary_labels
from vcservice.printing.subjects import Field
from vcservice.printing.subjects_v2 import recognition
from vcservice.printing.view import certificate_view

COMPANY = "Ensambles Electrónicos del Bravo, S.A. de C.V."
IMPORTER = {"type": ["CBPImporterOfRecord"], "number": "74-1234567AB", "identifierType": "IRS"}
# Identifiers the samples do not carry, as a highway carrier or a broker would have them.
MORE_IDENTIFIERS = {
    "usdotNumber": "1234567",
    "scac": "EEBR",
    "iataCarrierCode": "EB",
    "caat": "CAAT-0042",
    "sctPermit": "SCT-0917",
    "patenteAduanal": "3942",
    "globalLocationNumber": "0614141000005",
    "importerOfRecord": IMPORTER,
}


def v2(name: str) -> dict[str, Any]:
    return sample_certificate(name, "v2")


def _shown(credential: dict[str, Any]) -> tuple[Field, ...]:
    subject = certificate_view(credential).subject
    return subject.company_fields + subject.fields + subject.recognitions


def _values(credential: dict[str, Any]) -> dict[str, Text]:
    return {field.key: field.value for field in _shown(credential)}


def _labels(credential: dict[str, Any]) -> dict[str, Text]:
    return {field.key: field.label for field in _shown(credential)}


@pytest.mark.parametrize(
    ("name", "title", "languages"),
    [
        ("immex", Text("IMMEX certificate", "Certificado IMMEX"), ("es", "en")),
        ("oea", Text("OEA certificate", "Certificado OEA"), ("es", "en")),
        ("ctpat", Text("C-TPAT certificate", "Certificado C-TPAT"), ("en", "es")),
    ],
)
def test_the_company_is_the_member_in_every_type(
    name: str, title: Text, languages: tuple[str, str]
) -> None:
    credential = v2(name)
    member = credential["credentialSubject"]["member"]
    view = certificate_view(credential)
    assert view.title == title and view.languages == languages and view.data_version == "v2"
    assert view.company == COMPANY and view.subject_id == member["id"]
    assert [field.key for field in view.subject.company_fields] == [
        "name",
        "rfc",
        "manufacturerId",
        "duns",
        "leiCode",
    ]
    assert _values(credential)["leiCode"] == Text.same(member["leiCode"])
    assert _labels(credential)["name"] == Text("Trade name", "Nombre comercial")


@pytest.mark.parametrize(
    ("name", "folio", "program"),
    [
        (
            "immex",
            ("immexProgramNumber", Text("IMMEX program number", "Número de Programa IMMEX")),
            "Programa de la Industria Manufacturera, Maquiladora y de Servicios de Exportación "
            "(IMMEX)",
        ),
        (
            "oea",
            ("oeaRegistrationNumber", Text("OEA registration number", "Número de registro OEA")),
            "Operador Económico Autorizado (OEA) de México",
        ),
        (
            "ctpat",
            ("sviNumber", Text("SVI number", "Número SVI")),
            "C-TPAT (programa de la CBP de EE. UU.)",
        ),
    ],
)
@pytest.mark.parametrize("version", ["v1", "v2"])
def test_the_folio_and_the_program_by_its_official_name(
    name: str, folio: tuple[str, Text], program: str, version: str
) -> None:
    credential = sample_certificate(name, version)
    view = certificate_view(credential)
    key, folio_label = folio
    assert view.folio is not None and (view.folio.key, view.folio.label) == (key, folio_label)
    assert view.folio.value == Text.same(credential["credentialSubject"][key])
    assert view.program is not None and view.program.es == program


def test_a_ctpat_without_an_svi_number_is_known_by_its_account_number() -> None:
    credential = v2("ctpat")
    del credential["credentialSubject"]["sviNumber"]
    folio = certificate_view(credential).folio
    assert folio is not None and folio.key == "ctpatAccountNumber"
    assert certificate_view({}).folio is None and certificate_view({}).program is None


def test_every_identifier_is_shown_with_its_label() -> None:
    credential = v2("ctpat")
    credential["credentialSubject"]["member"].update(MORE_IDENTIFIERS)
    values, labels = _values(credential), _labels(credential)
    assert values["importerOfRecord"] == Text.same("74-1234567AB (IRS)")
    assert labels["importerOfRecord"] == Text(
        "Importer of record number", "Número de importador registrado"
    )
    assert labels["usdotNumber"].en == "USDOT number" and labels["scac"].es == "Código SCAC"
    assert labels["iataCarrierCode"].en == "IATA carrier code"
    assert labels["caat"].es.startswith("Código Alfanumérico Armonizado del Transportista")
    assert labels["sctPermit"].en.startswith("Federal motor carrier permit")
    assert labels["patenteAduanal"].es == "Patente aduanal"
    assert labels["globalLocationNumber"].en == "Global Location Number (GLN)"
    shown = [field.key for field in certificate_view(credential).subject.company_fields]
    assert shown == [key for key, _ in subjects_v2.COMPANY_FIELDS]


def test_sites_show_their_role_and_codes() -> None:
    subject = certificate_view(v2("immex")).subject
    assert subject.places_label == Text("Sites", "Domicilios")  # two: the plural
    domicile, plant = subject.places
    assert domicile.name == "Domicilio fiscal" and domicile.role == Text(
        "Tax domicile", "Domicilio fiscal"
    )
    assert domicile.lines[1] == "C.P. 32575, Ciudad Juárez, Chih." and domicile.codes == ()
    assert plant.role == Text("Plant", "Planta")
    codes = {code.key: (code.label, code.value.en) for code in plant.codes}
    assert codes == {  # by their short labels: the company's identifiers name them in full
        "manufacturerId": (Text.same("MID"), "MXENSELE9850CIU"),
        "unLocode": (Text.same("UN/LOCODE"), "MXCJS"),  # no short label: the label
    }


def test_immex_program_facts() -> None:
    credential = v2("immex")
    subject = credential["credentialSubject"]
    values, labels = _values(credential), _labels(credential)
    assert values["immexModality"] == Text("Industrial", "Industrial")
    assert labels["immexModality"] == Text("IMMEX modality", "Modalidad IMMEX")
    assert values["lastAnnualReportYear"] == Text.same(subject["lastAnnualReportYear"])
    assert labels["annualReportDueDate"] == Text(
        "Annual report due date", "Fecha límite del reporte anual"
    )
    facts = [field.key for field in certificate_view(credential).fields]
    assert facts == [key for key, _ in subjects_v2.IMMEX_FIELDS]


def test_oea_program_facts() -> None:
    credential = v2("oea")
    credential["credentialSubject"]["oeaRubro"] = "OeaSECIIT"
    credential["credentialSubject"]["immexProgramNumber"] = "4521-2007"
    values, labels = _values(credential), _labels(credential)
    assert values["oeaRubro"].en.endswith("(SECIIT)") and values["oeaRubro"].es.startswith(
        "Socio Comercial Certificado"
    )
    assert labels["oeaRubro"] == Text("OEA sector (rubro)", "Rubro OEA")
    assert labels["termEnd"] == Text("End of the current term", "Fin de la vigencia actual")
    assert values["immexProgramNumber"] == Text.same("4521-2007")
    assert values["mutualRecognition/0"] == Text(  # by the terms' short labels
        "Recognized by CBP (C-TPAT) under the U.S.–Mexico MRA (2014) for: manufacturer/exporter",
        "Reconocido por CBP (C-TPAT) en virtud del ARM México–EE. UU. (2014) para: "
        "fabricante/exportador",
    )
    assert labels["mutualRecognition/0"] == Text("Mutual recognition", "Reconocimiento mutuo")


def test_ctpat_program_facts_use_the_notations_of_the_upstream_strings() -> None:
    credential = v2("ctpat")
    values, labels = _values(credential), _labels(credential)
    assert values["tradeSector"] == Text("Foreign Manufacturers", "Fabricantes extranjeros")
    assert values["tier"] == Text("Validated (Tier 2)", "Validado")
    assert labels["certificationDate"].en == "C-TPAT certification date"
    assert labels["lastValidationDate"].es == "Fecha de la última validación"
    assert "dateOfLastValidation" not in values  # version 1's term, wrong in traceability
    assert values["mutualRecognition/0"] == Text(
        "Recognized by SAT (OEA) under the U.S.–Mexico MRA (2014) for: manufacturer/exporter. "
        "Number in the counterpart program: OEA-IE-2019-0456",
        "Reconocido por SAT (OEA) en virtud del ARM México–EE. UU. (2014) para: "
        "fabricante/exportador. Número en el programa homólogo: OEA-IE-2019-0456",
    )


def test_a_recognition_of_several_roles() -> None:
    entry = v2("oea")["credentialSubject"]["mutualRecognition"][0]
    entry["recognizedRole"] = ["MraRoleManufacturerExporter", "MraRoleHighwayCarrier"]
    assert recognition(entry).en.endswith("for: manufacturer/exporter; highway carrier")
    assert recognition(entry).es.endswith("para: fabricante/exportador; autotransportista")


def test_values_the_vocabulary_does_not_list_are_shown_as_they_are() -> None:
    credential = v2("immex")
    subject = credential["credentialSubject"]
    subject["immexModality"] = "Industrial"  # version 1's string: not a version 2 term
    subject["member"]["location"][1]["siteRole"] = "ImmexIndustrial"  # a term, not a site role
    subject["member"]["importerOfRecord"] = "74-1234567AB"
    subject["lastAnnualReportYear"] = 2025
    values = _values(credential)
    assert values["immexModality"] == Text.same("Industrial")
    assert values["importerOfRecord"] == Text.same("74-1234567AB")
    assert values["lastAnnualReportYear"] == Text.same("2025")
    assert certificate_view(credential).subject.places[1].role == Text.same("ImmexIndustrial")


def test_recognitions_of_the_wrong_shape_are_shown_not_trusted() -> None:
    credential = v2("oea")
    credential["credentialSubject"]["mutualRecognition"] = [
        "C-TPAT",
        {"arrangement": "MraUsMx2014", "recognizedBy": {"id": "x"}},
    ]
    values = _values(credential)
    assert values["mutualRecognition/0"] == Text.same("C-TPAT")
    assert values["mutualRecognition/1"].en == (
        'Recognized by {"id": "x"} (program not stated) under the U.S.–Mexico MRA (2014) '
        "for: (not stated)"
    )


def test_a_member_of_the_wrong_shape_shows_no_company() -> None:
    credential = v2("ctpat")
    credential["credentialSubject"]["member"] = "did:web:ensambles-bravo.example"
    view = certificate_view(credential)
    assert view.company is None and view.subject.company_fields == ()
    assert view.subject.places == () and view.subject_id is None
    assert _values(credential)["tier"] == Text("Validated (Tier 2)", "Validado")


SPECS = {
    "IMMEXAuthorization": subjects_v2.IMMEX_FIELDS,
    "OEAAuthorization": subjects_v2.OEA_FIELDS,
    "CTPAT": subjects_v2.CTPAT_FIELDS,
    "Organization": subjects_v2.COMPANY_FIELDS,
    "Place": subjects_v2.SITE_CODES,
}


@pytest.mark.parametrize("scope", SPECS)
def test_every_label_is_the_vocabularys_label_of_the_term_shown(scope: str) -> None:
    """A field's label IRI is what the v2 context, or traceability's scope, maps it to."""
    ours = _terms(
        json.loads(
            (default_contexts_dir() / "trade-certificates-v2.jsonld").read_text(encoding="utf-8")
        )["@context"]
    )
    upstream = json.loads(
        upstream_path("contexts", "traceability-v1.jsonld").read_text(encoding="utf-8")
    )["@context"]
    scoped = {
        "CTPAT": _terms(upstream["CTPAT"]["@context"]),
        "Organization": _terms(upstream["Organization"]["@context"])
        | _terms(upstream["CTPATMember"]["@context"]),
        "Place": _terms(upstream["Place"]["@context"]),
    }.get(scope, {})
    defined = scoped | ours
    if scope == "Organization":  # the field shows the importer of record's number
        defined["importerOfRecord"] = _terms(upstream["CBPImporterOfRecord"]["@context"])["number"]
    for key, term in SPECS[scope]:
        if isinstance(term, str):
            assert defined[key] == term, key
            assert vocabulary_labels()[term].es, term


def _terms(context: dict[str, Any]) -> dict[str, str]:
    return {
        term: definition["@id"] if isinstance(definition, dict) else definition
        for term, definition in context.items()
        if not term.startswith("@") and (isinstance(definition, str) or "@id" in definition)
    }
