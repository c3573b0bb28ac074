"""Pydantic building blocks shared by the certificate types.

Every model reads and writes the credential's camelCase member names (``legalName``,
``immexProgramNumber``), refuses members it does not know, and refuses ``null``
for an optional member (omit it instead), exactly as the JSON Schemas do.  Rules
that span members raise a ``ValidationError`` located at the member at fault, so
a problem always names a field (``authorizedAddresses[0].address.postalCode``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
)
from pydantic.alias_generators import to_camel
from pydantic_core import InitErrorDetails, PydanticCustomError

from vcservice.certificates.rfc import COMPANY_RFC_PATTERN, RFC_PATTERN, rfc_problem
from vcservice.certificates.schema_files import MAX_PROBLEMS
from vcservice.certificates.values import (
    DID_MAX_LENGTH,
    DID_PATTERN,
    ISO_DATE_PATTERN,
    REGISTRATION_NUMBER_PATTERN,
    TEXT_MAX_LENGTH,
    TEXT_PATTERN,
    parse_iso_date,
)
from vcservice.errors import Problem
from vcservice.model.json_schema import json_path

T = TypeVar("T")
MALFORMED = "MALFORMED_VALUE_ERROR"
Location = tuple[str | int, ...]


class CertificateModel(BaseModel):
    """Base of the request and credentialSubject models."""

    model_config = ConfigDict(
        extra="forbid",
        alias_generator=to_camel,
        validate_by_alias=True,
        validate_by_name=False,
        serialize_by_alias=True,
        frozen=True,
        field_title_generator=lambda name, _field: to_camel(name),
    )


# ---------------------------------------------------------------- errors located at a member


def fail_at(model: type[BaseModel], errors: Sequence[tuple[Location, str]]) -> None:
    """Raise one ``ValidationError`` with ``errors`` (location, message), if there are any.

    Raised from a model validator, pydantic keeps the locations and prefixes them with
    the model's own position when the model is nested.
    """
    if errors:
        raise ValidationError.from_exception_data(
            model.__name__,
            [
                InitErrorDetails(
                    type=PydanticCustomError("certificate_rule", message), loc=location, input=None
                )
                for location, message in errors
            ],
        )


def problems_from(error: ValidationError, *, prefix: Location = ()) -> list[Problem]:
    """``error``'s line errors as problems whose ``field`` is a path under ``prefix``."""
    problems = dict.fromkeys(
        Problem(MALFORMED, line["msg"], json_path((*prefix, *line["loc"])) or None)
        for line in error.errors(include_url=False, include_input=False)
    )
    return list(problems)[:MAX_PROBLEMS]


def model_problems(model: type[BaseModel], data: Any, *, prefix: Location = ()) -> list[Problem]:
    """Why ``data`` is not a valid ``model`` (empty when it is), fields under ``prefix``."""
    try:
        model.model_validate(data)
    except ValidationError as error:
        return problems_from(error, prefix=prefix)
    return []


# ---------------------------------------------------------------- value types


def _refuse_null(value: object) -> object:
    if value is None:
        raise PydanticCustomError("null_value", "omit the member instead of giving null")
    return value


def _not_nullable(schema: dict[str, Any]) -> None:
    """JSON Schema of an ``Omittable`` member: its type without the ``null`` branch."""
    variants = schema.pop("anyOf", None)
    if variants is not None:
        kept = [variant for variant in variants if variant != {"type": "null"}]
        if len(kept) == 1:
            schema.update(kept[0])
        else:
            schema["anyOf"] = kept
    schema.pop("default", None)


# A member that may be left out but, when present, may not be null.
Omittable = Annotated[
    T | None, BeforeValidator(_refuse_null), Field(json_schema_extra=_not_nullable)
]


def _iso_date(value: object) -> date:
    if type(value) is date:
        return value
    if not isinstance(value, str):
        raise PydanticCustomError("date_type", "must be a date written YYYY-MM-DD")
    try:
        return parse_iso_date(value)
    except ValueError as error:
        raise PydanticCustomError("date_parsing", str(error)) from None


def _valid_rfc(value: str) -> str:
    problem = rfc_problem(value)
    if problem is not None:
        raise PydanticCustomError("rfc", problem)
    return value


def exactly(*names: str) -> BeforeValidator:
    """A validator that accepts only the list ``[*names]`` (a JSON-LD ``type`` member)."""
    expected = list(names)

    def check(value: object) -> list[str]:
        if value != expected:
            raise PydanticCustomError(
                "type_list", "must be exactly {expected}", {"expected": expected}
            )
        return expected

    return BeforeValidator(check)


def type_list(*names: str) -> WithJsonSchema:
    """The JSON Schema of a ``type`` member that must be exactly ``[*names]``."""
    return WithJsonSchema({"type": "array", "const": list(names), "items": {"type": "string"}})


Text = Annotated[
    str, StringConstraints(min_length=1, max_length=TEXT_MAX_LENGTH, pattern=TEXT_PATTERN)
]
Did = Annotated[str, StringConstraints(max_length=DID_MAX_LENGTH, pattern=DID_PATTERN)]
RegistrationNumber = Annotated[
    str, StringConstraints(min_length=3, max_length=40, pattern=REGISTRATION_NUMBER_PATTERN)
]
IsoDate = Annotated[
    date,
    BeforeValidator(_iso_date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": ISO_DATE_PATTERN}),
]

LegalName = Annotated[
    Text,
    Field(
        description=(
            "Registered legal name, with its company type (S.A. de C.V., LLC …). "
            "/ Denominación o razón social."
        ),
        examples=["Ensambles Electrónicos del Bravo, S.A. de C.V."],
    ),
]
SubjectDid = Annotated[
    Did,
    Field(
        description=(
            "DID of the company the certificate is about; it becomes credentialSubject.id "
            "and is the holder who presents the credential. / DID de la empresa titular."
        ),
        examples=["did:web:ensambles-bravo.example"],
    ),
]
_RFC_TEXT = (
    "The Mexican tax id (RFC, Registro Federal de Contribuyentes), in capitals, without "
    "spaces or hyphens; the embedded date and the check digit are verified. "
)
Rfc = Annotated[
    str,
    StringConstraints(pattern=RFC_PATTERN),
    Field(
        description=_RFC_TEXT + "12 characters for a company (persona moral), 13 for an "
        "individual (persona física). / Clave del RFC: 12 caracteres (persona moral) o 13 "
        "(persona física).",
        examples=["AFN981002HT9"],
    ),
    AfterValidator(_valid_rfc),
]
CompanyRfc = Annotated[
    str,
    StringConstraints(pattern=COMPANY_RFC_PATTERN),
    Field(
        description=_RFC_TEXT + "Only companies (personas morales, 12 characters) hold an "
        "IMMEX program. / Clave del RFC de la persona moral (12 caracteres).",
        examples=["EEB030821R49"],
    ),
    AfterValidator(_valid_rfc),
]


def unique_texts(values: Iterable[str]) -> list[str]:
    """``values`` as a list, refusing repeats (JSON Schema ``uniqueItems``)."""
    listed = list(values)
    if len(set(listed)) != len(listed):
        raise PydanticCustomError("unique_items", "the list repeats an entry")
    return listed


# ---------------------------------------------------------------- shared members


class SubjectIdFirst(CertificateModel):
    """A request's ``subjectId``, to be its first member.

    A request model inherits from its type's fields model and then from this one
    (``class OEARequest(_OEAFields, SubjectIdFirst)``): pydantic orders the members
    of the bases from the last base to the first, so ``subjectId`` comes first.
    """

    subject_id: SubjectDid
