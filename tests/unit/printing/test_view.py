"""The human view of each certificate type: its fields, labelled from the vocabulary.

Version 1 credentials (``*-v1`` samples) read exactly as they did before version 2;
``test_view_v2`` reads version 2.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.factories import certificate, key_file
from vcservice.certificates.samples import sample_certificate
from vcservice.jose.vc_jwt import secure_credential
from vcservice.jsonld.manifest import default_contexts_dir
from vcservice.printing import subjects
from vcservice.printing.labels import Text, vocabulary_labels
from vcservice.printing.view import certificate_view, credential_document, moment_text

IMPORTER = {"type": ["CBPImporterOfRecord"], "number": "74-1234567AB", "identifierType": "IRS"}


def _fields(credential: dict[str, Any]) -> dict[str, Text]:
    return {field.key: field.value for field in certificate_view(credential).fields}


def v1(name: str) -> dict[str, Any]:
    return sample_certificate(name, "v1")


def test_an_immex_certificate_reads_in_spanish_first() -> None:
    view = certificate_view(v1("immex"))
    assert view.title == Text("IMMEX certificate", "Certificado IMMEX")
    assert view.company == "Ensambles Electrónicos del Bravo, S.A. de C.V."
    assert view.languages == ("es", "en") and view.data_version == "v1"
    assert view.subject.company_fields == ()
    assert view.subject_id == "did:web:ensambles-bravo.example"
    fields = _fields(v1("immex"))
    assert list(fields) == ["rfc", "immexProgramNumber", "modality", "authorizationDate"]
    assert fields["rfc"] == Text.same("EEB030821R49")
    assert view.subject.places[0].lines[1] == "C.P. 32575, Ciudad Juárez, Chih."
    assert view.subject.places_label == Text(
        "IMMEX authorized addresses", "Domicilios autorizados IMMEX"
    )
    assert view.issuer_name == "Secretaría de Economía"


def test_a_ctpat_certificate_names_its_member_tier_and_sector() -> None:
    credential = v1("ctpat")
    credential["credentialSubject"]["member"]["importerOfRecord"] = IMPORTER
    view = certificate_view(credential)
    assert view.company == "Gateway Frontera Transport LLC" and view.languages == ("en", "es")
    fields = _fields(credential)
    assert fields["tier"] == Text("Validated", "Validado")
    assert fields["tradeSector"] == Text("Highway Carriers", "Autotransportistas")
    assert fields["importerOfRecord"] == Text.same("74-1234567AB (IRS)")
    labels = {field.key: field.label for field in view.fields}
    assert labels["importerOfRecord"].es == "Número de importador registrado"


def test_an_oea_certificate_translates_its_sector() -> None:
    fields = _fields(v1("oea"))
    assert fields["modality"] == Text("Land (road) carrier", "Autotransportista terrestre")
    assert fields["mutualRecognition"].en.startswith("C-TPAT")
    assert fields["renewalDate"] == Text("10 Apr 2025", "10/04/2025")


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_a_vc_jwt_is_read_from_its_payload(version: str) -> None:
    credential = sample_certificate("oea", version)
    token = secure_credential(credential, signer=key_file().signer())
    assert certificate_view(credential_document(token)) == certificate_view(credential)


def test_validity_reads_as_the_days_signed_for() -> None:
    """The calendar day written in the credential, whatever the reader's time zone."""
    view = certificate_view(v1("immex"))  # 2026-06-01T00:00:00Z to 2027-05-31T23:59:59Z
    assert view.valid_from == Text("1 Jun 2026", "01/06/2026")
    assert view.valid_until == Text("31 May 2027", "31/05/2027")
    view = certificate_view({"issuanceDate": "2020-01-01T00:00:00Z", "expirationDate": 5})
    assert (view.valid_from, view.valid_until) == (Text("1 Jan 2020", "01/01/2020"), Text.same("5"))
    assert certificate_view({"validUntil": "2027-12-31T23:59:59Z"}).valid_until == Text(
        "31 Dec 2027", "31/12/2027"
    )
    assert certificate_view({}).valid_from is None


def test_moment_text_is_still_utc() -> None:
    assert moment_text("2027-05-31T23:59:59Z") == "2027-05-31 23:59:59 UTC"
    assert moment_text("2026-06-01T01:00:00+01:00") == "2026-06-01 00:00 UTC"
    assert moment_text("tomorrow") == "tomorrow" and moment_text(None) is None


def test_values_of_the_wrong_shape_are_shown_not_trusted() -> None:
    credential = v1("ctpat")
    credential["credentialSubject"]["tier"] = {"level": 9}
    credential["credentialSubject"]["member"] = "a string"
    credential["issuer"] = "did:example:someone"
    view = certificate_view(credential)
    assert _fields(credential)["tier"] == Text.same('{"level": 9}')
    assert view.company is None and view.subject.places == () and view.issuer_name is None
    assert view.issuer_id == "did:example:someone"


def test_a_credential_of_another_type_gets_a_plain_view() -> None:
    view = certificate_view(
        {"type": ["VerifiableCredential"], "name": "Permit", "credentialSubject": {"name": "X"}}
    )
    assert view.credential_type is None and view.title == Text.same("Permit")
    assert [field.value for field in view.fields] == [Text.same("X")]
    assert view.data_version is None
    assert certificate_view({}).title.es == "Credencial verificable"


def test_a_certificate_of_an_unknown_data_version_gets_a_plain_view() -> None:
    credential = certificate("immex")
    credential["@context"][-1] = "https://w3id.org/vcservice/trade-certificates/v9"
    view = certificate_view(credential)
    assert view.credential_type is None and view.data_version is None
    assert view.title == Text.same("Constancia de Programa IMMEX")


SPECS = {
    "IMMEXAuthorization": subjects.IMMEX_FIELDS,
    "OEAAuthorization": subjects.OEA_FIELDS,
    "CTPAT": subjects.CTPAT_FIELDS,
}


@pytest.mark.parametrize("subject_type", SPECS)
def test_every_label_is_the_vocabularys_label_of_the_term_shown(subject_type: str) -> None:
    """A field's label IRI is the one the context maps its member to, in that type's scope."""
    context = json.loads(
        (default_contexts_dir() / "trade-certificates-v1.jsonld").read_text(encoding="utf-8")
    )["@context"]
    scoped = _terms(context[subject_type]["@context"])
    if subject_type == "CTPAT":
        scoped |= _terms(context["CTPATMember"]["@context"]) | _terms(
            context["CBPImporterOfRecord"]["@context"]
        )
        scoped["importerOfRecord"] = scoped["number"]  # the field shows the record's number
    for key, term in SPECS[subject_type]:
        if isinstance(term, str):
            assert scoped[key] == term, key
            assert vocabulary_labels()[term].es, term


def _terms(context: dict[str, Any]) -> dict[str, str]:
    return {
        term: definition["@id"]
        for term, definition in context.items()
        if isinstance(definition, dict) and "@id" in definition
    }
