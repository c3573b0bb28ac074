"""The checks of version 2 that involve more than one member: subject model, envelope, findings.

A v2 credential's subject is parsed with its type's subject model, whose validators hold
the rules of the programme (identifiers by sector or rubro, date order, computed
dates); the JSON Schema states those it can, and ``CertificateType.problems`` reports
the model's at the fields the schema does not fault.  What remains involves the
envelope (subject dates not after ``validFrom``, an OEA credential not outliving its
term), checked by the type's ``envelope`` function on the parsed subject.  Findings are
what an issuer is told without being refused; each has a code of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from vcservice.certificates.models import problems_from
from vcservice.certificates.rfc import RFC_PATTERN, rfc_check_digit_problem
from vcservice.certificates.values import (
    DATE_TIME_PATTERN,
    matches,
    not_after_problem,
    parse_date_time,
)
from vcservice.errors import Problem

SUBJECT = "credentialSubject"
MALFORMED = "MALFORMED_VALUE_ERROR"
RFC_CHECK_DIGIT = "RFC_CHECK_DIGIT"
"""Finding: the RFC's last character is not the digit SAT's published algorithm gives."""

S = TypeVar("S", bound=BaseModel)


class Validity:
    """A credential's ``validFrom`` and ``validUntil``, where well-formed."""

    def __init__(self, credential: Mapping[str, Any]) -> None:
        self.valid_from = _moment(credential.get("validFrom"))
        self.valid_until = _moment(credential.get("validUntil"))


def subject_rules(
    subject_model: type[S], envelope: Callable[[S, Validity], list[Problem]]
) -> Callable[[Mapping[str, Any]], list[Problem]]:
    """The ``subject_rules`` of a v2 type: its subject model, then ``envelope``."""

    def check(credential: Mapping[str, Any]) -> list[Problem]:
        try:
            subject = subject_model.model_validate(credential.get(SUBJECT))
        except ValidationError as error:
            return problems_from(error, prefix=(SUBJECT,))
        return envelope(subject, Validity(credential))

    return check


def not_after_valid_from(
    validity: Validity, dates: Iterable[tuple[str, date | None]]
) -> list[Problem]:
    """A problem for each subject date (``(path, value)``) after the day of ``validFrom``."""
    if validity.valid_from is None:
        return []
    start = validity.valid_from.date()
    problems = []
    for path, value in dates:
        if value is not None:
            name = path.rsplit(".", 1)[-1]
            detail = not_after_problem(name, value, "validFrom", start)
            if detail is not None:
                problems.append(Problem(MALFORMED, detail, f"{SUBJECT}.{path}"))
    return problems


def rfc_findings(credential: Mapping[str, Any]) -> list[Problem]:
    """``RFC_CHECK_DIGIT`` for the company's RFC when its check digit is not the computed one.

    RFCs SAT registered with such a digit are in real use, so this does not refuse.
    """
    subject = credential.get(SUBJECT)
    member = subject.get("member") if isinstance(subject, Mapping) else None
    rfc = member.get("rfc") if isinstance(member, Mapping) else None
    if not matches(rfc, RFC_PATTERN):
        return []
    detail = rfc_check_digit_problem(rfc)
    if detail is None:
        return []
    detail += " (SAT has registered RFCs like this: confirm it with SAT's RFC lookup)"
    return [Problem(RFC_CHECK_DIGIT, detail, f"{SUBJECT}.member.rfc")]


def parsed_subject(subject_model: type[S], credential: Mapping[str, Any]) -> S | None:
    """``credential``'s subject as ``subject_model``, or ``None`` if it is not one."""
    try:
        return subject_model.model_validate(credential.get(SUBJECT))
    except ValidationError:
        return None


def _moment(value: object) -> datetime | None:
    if not matches(value, DATE_TIME_PATTERN):
        return None
    try:
        return parse_date_time(value)
    except ValueError:
        return None
