"""Mutual recognition: which foreign authority recognizes a membership, for which roles.

The U.S.–Mexico arrangement (CBP–SAT, 17 October 2014) recognizes C-TPAT and the
Mexican OEA programme *to each other*: CBP recognizes a Mexican OEA company and SAT a
C-TPAT member, each for the roles the arrangement covers.  An entry is directional —
``recognizedBy`` is the authority that grants the benefits — so a C-TPAT credential
names SAT and the OEA programme, an OEA credential CBP and C-TPAT.  The roles are data
the issuer states (the arrangement's text is not public), not a rule of this service.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, TypeVar

from pydantic import AfterValidator, Field

from vcservice.certificates.models import (
    CertificateModel,
    Location,
    Omittable,
    RegistrationNumber,
    exactly,
    type_list,
    unique_texts,
)

TYPE = "MutualRecognition"
MAX_MUTUAL_RECOGNITIONS = 10


class Arrangement(StrEnum):
    """Mutual recognition arrangements (IRIs in the project vocabulary)."""

    US_MX_2014 = "MraUsMx2014"


class Authority(StrEnum):
    """Customs authorities that grant mutual-recognition benefits."""

    CBP = "AuthorityCBP"
    SAT = "AuthoritySAT"


class Program(StrEnum):
    """Trusted-trader programmes recognized under an arrangement."""

    CTPAT = "CtpatProgram"
    OEA = "OeaProgram"


class RecognizedRole(StrEnum):
    """Supply-chain roles a recognition covers."""

    MANUFACTURER_EXPORTER = "MraRoleManufacturerExporter"
    IMPORTER = "MraRoleImporter"
    HIGHWAY_CARRIER = "MraRoleHighwayCarrier"
    CUSTOMS_BROKER = "MraRoleCustomsBroker"


def _unique_roles(roles: list[RecognizedRole]) -> list[RecognizedRole]:
    unique_texts(role.value for role in roles)
    return roles


class MutualRecognitionData(CertificateModel):
    """A recognition of the membership under an arrangement. / Reconocimiento mutuo."""

    arrangement: Annotated[
        Arrangement, Field(description="The arrangement. / El acuerdo.", examples=["MraUsMx2014"])
    ]
    recognized_by: Annotated[
        Authority,
        Field(
            description="The authority that recognizes the membership and grants the benefits. "
            "/ Autoridad que reconoce la certificación.",
            examples=["AuthorityCBP"],
        ),
    ]
    counterpart_program: Annotated[
        Program,
        Field(
            description="That authority's programme. / Programa de esa autoridad.",
            examples=["CtpatProgram"],
        ),
    ]
    counterpart_account_number: Annotated[
        Omittable[RegistrationNumber],
        Field(
            description="The company's own number in that programme, if it is a member. "
            "/ Número de la empresa en ese programa.",
            examples=["48317"],
        ),
    ] = None
    recognized_role: Annotated[
        list[RecognizedRole],
        Field(
            min_length=1,
            max_length=len(RecognizedRole),
            description="The roles the recognition covers, no repeats. / Funciones reconocidas.",
            examples=[["MraRoleManufacturerExporter"]],
            json_schema_extra={"uniqueItems": True},
        ),
        AfterValidator(_unique_roles),
    ]


class MutualRecognition(MutualRecognitionData):
    """A recognition in a credential (``type: ["MutualRecognition"]``)."""

    type: Annotated[list[str], exactly(TYPE), type_list(TYPE)]


R = TypeVar("R", bound=MutualRecognitionData)
Recognitions = Annotated[list[R], Field(min_length=1, max_length=MAX_MUTUAL_RECOGNITIONS)]
"""A membership's recognitions (``Recognitions[MutualRecognitionData]`` in a request)."""


def direction_errors(
    entries: list[MutualRecognitionData] | None, recognized_by: Authority, program: Program
) -> list[tuple[Location, str]]:
    """Entries that do not point from this programme to its counterpart (``recognized_by``)."""
    errors: list[tuple[Location, str]] = []
    for index, entry in enumerate(entries or ()):
        if entry.recognized_by is not recognized_by:
            detail = f"this programme is recognized by {recognized_by.value}"
            errors.append((("mutualRecognition", index, "recognizedBy"), detail))
        if entry.counterpart_program is not program:
            detail = f"{recognized_by.value}'s programme is {program.value}"
            errors.append((("mutualRecognition", index, "counterpartProgram"), detail))
    return errors


def recognition_document(entry: MutualRecognitionData) -> dict[str, object]:
    """The credential form of ``entry``."""
    return {"type": [TYPE], **entry.model_dump(mode="json", exclude_none=True)}
