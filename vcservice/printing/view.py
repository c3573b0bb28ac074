"""``CertificateView``: a credential as a person reads it, on the verify page and on paper.

Built from the credential document alone; whether it verifies is the verifier's business
(the page shows the view of a failed credential too, next to the reasons it failed).
Its validity reads as calendar days for people (``31/12/2027`` / ``31 Dec 2027``), the days
the certificate was signed for; ``moment_for_people`` (``printing.dates``) writes a moment
such as the time of a check in local time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from vcservice.certificates import type_of
from vcservice.errors import ParsingError
from vcservice.jose.jws import decode_compact
from vcservice.model import credential as vcdm
from vcservice.model.datetimes import parse_datetime
from vcservice.printing import subjects, subjects_v2
from vcservice.printing.dates import date_text
from vcservice.printing.labels import Text, label
from vcservice.printing.subjects import Field, Place, SubjectView, text

__all__ = [
    "CertificateView",
    "Field",
    "Place",
    "certificate_view",
    "credential_document",
    "moment_text",
]

CREDENTIAL = Text("Verifiable credential", "Credencial verificable")
Reader = Callable[[Mapping[str, Any]], SubjectView]
# Per certificate type: the vocabulary term naming it.
TITLES: Mapping[str, str] = {
    "IMMEXCertificate": subjects.TRADE + "IMMEXCertificate",
    "OEACertificate": subjects.TRADE + "OEACertificate",
    "CTPATCertificate": subjects.TRACEABILITY + "CTPATCertificate",
}
# The number a certificate is known by (its folio), in order of preference: IMMEX program
# number, OEA registration number, C-TPAT SVI number, else the C-TPAT account number.
FOLIO_KEYS = ("immexProgramNumber", "oeaRegistrationNumber", "sviNumber", "ctpatAccountNumber")
# Per certificate type: the program it certifies, by its official name (the vocabulary's
# individual of the program where it has one; IMMEX is no trusted-trader program there).
PROGRAMS: Mapping[str, str | Text] = {
    "IMMEXCertificate": Text(
        "Manufacturing, Maquila and Export Services Industry Program (IMMEX)",
        "Programa de la Industria Manufacturera, Maquiladora y de Servicios de Exportación (IMMEX)",
    ),
    "OEACertificate": subjects.TRADE + "OeaProgram",
    "CTPATCertificate": subjects.TRADE + "CtpatProgram",
}
# Per certificate type and version of its data: how its subject reads.
READERS: Mapping[tuple[str, str], Reader] = {
    ("IMMEXCertificate", "v1"): subjects.immex,
    ("OEACertificate", "v1"): subjects.oea,
    ("CTPATCertificate", "v1"): subjects.ctpat,
    ("IMMEXCertificate", "v2"): subjects_v2.immex,
    ("OEACertificate", "v2"): subjects_v2.oea,
    ("CTPATCertificate", "v2"): subjects_v2.ctpat,
}


@dataclass(frozen=True, slots=True)
class CertificateView:
    """The human side of a credential: what it is, whose, its fields, validity, issuer.

    ``valid_from`` and ``valid_until`` are the calendar days of ``validFrom`` and
    ``validUntil`` (or VCDM 1.1's ``issuanceDate`` and ``expirationDate``) as written,
    ``31/12/2027`` in Spanish and ``31 Dec 2027`` in English; a value that is no date is
    shown as it is.
    """

    credential_type: str | None
    title: Text
    subject: SubjectView
    valid_from: Text | None
    valid_until: Text | None
    issuer_id: str | None
    issuer_name: str | None
    subject_id: str | None
    credential_id: str | None
    data_version: str | None = None  # of a certificate type's data: ``v1``, ``v2``
    program: Text | None = None  # the program certified, by its official name

    @property
    def company(self) -> str | None:
        """The company (legal name) the certificate is about."""
        return self.subject.company

    @property
    def fields(self) -> tuple[Field, ...]:
        """Identifiers, program details and dates, in reading order."""
        return self.subject.fields

    @property
    def folio(self) -> Field | None:
        """The number the certificate is known by: IMMEX program number, OEA registration
        number, C-TPAT SVI (else account) number, whichever the data carry first."""
        found = {field.key: field for field in self.subject.fields}
        return next((found[key] for key in FOLIO_KEYS if key in found), None)

    @property
    def languages(self) -> tuple[str, str]:
        """The program's own language first (Spanish for IMMEX and OEA), then the other."""
        return ("en", "es") if self.subject.primary_language == "en" else ("es", "en")


def certificate_view(credential: Mapping[str, Any]) -> CertificateView:
    """The view of ``credential`` (any credential; the three certificate types in full)."""
    certificate_type = type_of(credential)
    kind = (certificate_type.name, certificate_type.version) if certificate_type else None
    read = READERS.get(kind, subjects.generic) if kind else subjects.generic
    name = credential.get("name")
    title = (
        label(TITLES[kind[0]]) if kind else Text.same(name) if isinstance(name, str) else CREDENTIAL
    )
    found = vcdm.subjects_of(credential)
    subject = found[0] if found else {}
    holders = vcdm.holder_ids_of(credential)  # the subject's id, or its member's (v2)
    issuer = credential.get("issuer")
    valid_from, valid_until = _validity(credential)
    return CertificateView(
        credential_type=certificate_type.name if certificate_type else None,
        title=title,
        subject=read(subject),
        valid_from=valid_from,
        valid_until=valid_until,
        issuer_id=vcdm.issuer_id(credential),
        issuer_name=text(issuer.get("name")) if isinstance(issuer, Mapping) else None,
        subject_id=holders[0] if holders else None,
        credential_id=vcdm.id_of(credential),
        data_version=certificate_type.version if certificate_type else None,
        program=_program(certificate_type.name) if certificate_type else None,
    )


def credential_document(credential: Mapping[str, Any] | str) -> Mapping[str, Any]:
    """The credential itself: a JSON credential as it is, a ``vc+jwt``'s payload decoded.

    The JWT's signature is not checked here; printing shows what the issuer or holder
    keeps, and verifying is the verify page's work. PARSING_ERROR if it is no credential.
    """
    document = (
        decode_compact(credential).payload_json() if isinstance(credential, str) else credential
    )
    if not isinstance(document, Mapping):
        raise ParsingError("the credential is not a JSON object", field="credential")
    return document


def moment_text(value: Any) -> str | None:
    """An xsd:dateTime for people, in UTC: ``2027-05-31 23:59:59 UTC`` (seconds if any).

    A value that is not a dateTime is shown as it is.
    """
    try:
        moment = parse_datetime(value, field="dateTime").astimezone(UTC)
    except ParsingError:
        return text(value)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC" if moment.second else "%Y-%m-%d %H:%M UTC")


def _program(type_name: str) -> Text | None:
    """The official name of the program a certificate of ``type_name`` certifies."""
    program = PROGRAMS.get(type_name)
    return label(program) if isinstance(program, str) else program


def _validity(credential: Mapping[str, Any]) -> tuple[Text | None, Text | None]:
    """``validFrom``/``validUntil`` (or VCDM 1.1 ``issuanceDate``/``expirationDate``) as the
    calendar days they were written for."""
    start = credential.get("validFrom", credential.get("issuanceDate"))
    end = credential.get("validUntil", credential.get("expirationDate"))
    return date_text(start), date_text(end)
