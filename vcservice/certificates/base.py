"""``CertificateType``: what the service knows about one kind of trusted-trader certificate.

A certificate type pairs the pydantic model of the data an authority submits (its
*request*) with the credential it becomes: a VCDM 2.0 credential with the contexts of
its version (``CONTEXTS_V1``, ``CONTEXTS_V2``), the types ``[VerifiableCredential,
<name>]`` and a ``credentialSubject`` of the type's subject class, described by a JSON
Schema in the top-level ``schemas/`` directory.

Checking a credential takes two layers: the JSON Schema (shape, codes, patterns,
conditional requirements) and the rules a JSON Schema cannot express.  Of those, the
subject models apply the same ones (calendar dates, the RFC's date, check digits,
date order, programme rules); the rules that involve the envelope (``validUntil``
after ``validFrom``, subject dates not after ``validFrom``) are checked here only,
and by the builder.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from vcservice.certificates.rfc import RFC_PATTERN, rfc_problem
from vcservice.certificates.schema_files import (
    MAX_PROBLEMS,
    SCHEMA_BASE_URL,
    SCHEMAS_DIR,
    schema_problems,
)
from vcservice.certificates.values import (
    DATE_TIME_PATTERN,
    ISO_DATE_PATTERN,
    format_date_time,
    matches,
    not_after_problem,
    order_problem,
    parse_date_time,
    parse_iso_date,
)
from vcservice.errors import ParsingError, Problem

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
TRACEABILITY_V1 = "https://w3id.org/traceability/v1"
TRADE_CERTIFICATES_V1 = "https://w3id.org/vcservice/trade-certificates/v1"
TRADE_CERTIFICATES_V2 = "https://w3id.org/vcservice/trade-certificates/v2"
CONTEXTS_V1 = (CREDENTIALS_V2, TRADE_CERTIFICATES_V1)
CONTEXTS_V2 = (CREDENTIALS_V2, TRACEABILITY_V1, TRADE_CERTIFICATES_V2)
VERSION_CONTEXTS = {"v1": TRADE_CERTIFICATES_V1, "v2": TRADE_CERTIFICATES_V2}
"""The context that says which version of the certificate data a credential holds."""
VERIFIABLE_CREDENTIAL = "VerifiableCredential"
MALFORMED = "MALFORMED_VALUE_ERROR"
SUBJECT = "credentialSubject"


@dataclass(frozen=True, kw_only=True)
class CertificateType:
    """One certificate type: its names, models, schema and credential builder.

    ``subject_of`` turns a validated request (an instance of ``request_model``, which
    ``build_credential`` checks) into the ``credentialSubject`` object;
    ``identifiers_of`` lists the identifiers in a ``credentialSubject`` (for search).

    Version 1 declares its rules as data: which subject members hold an ``xsd:date``,
    which pairs must be in order (``(earlier, later)``), which may not be after
    ``validFrom``.  Version 2 has ``subject_rules`` (its subject model and the rules
    across the envelope), whose problems are added to the schema's at the fields the
    schema does not fault, and ``advisories``: findings that do not refuse the
    credential but are reported with it (a doubtful RFC check digit, an overdue annual
    report), given the day of issuance.
    """

    name: str
    slug: str
    version: str
    contexts: tuple[str, ...]
    subject_type: str
    request_model: type[BaseModel]
    subject_model: type[BaseModel]
    default_name: str
    description: str
    subject_of: Callable[[Any], dict[str, Any]]
    identifiers_of: Callable[[Mapping[str, Any]], tuple[str, ...]]
    date_members: tuple[str, ...] = ()
    ordered_dates: tuple[tuple[str, str], ...] = ()
    dates_not_after_valid_from: tuple[str, ...] = ()
    rfc_member: str | None = None
    issuer_type: str | None = None
    subject_rules: Callable[[Mapping[str, Any]], list[Problem]] | None = None
    advisories: Callable[[Mapping[str, Any], date], list[Problem]] | None = None

    @property
    def schema_url(self) -> str:
        """Where the type's JSON Schema is published (its ``$id``)."""
        return f"{SCHEMA_BASE_URL}{self.slug}-{self.version}.json"

    def example_request(self) -> dict[str, Any]:
        """A fresh copy of the request model's documented example (valid certificate data)."""
        extra = self.request_model.model_config.get("json_schema_extra")
        examples = extra.get("examples") if isinstance(extra, dict) else None
        if not isinstance(examples, list) or not isinstance(examples[0], dict):
            raise LookupError(f"{self.request_model.__name__} documents no example")
        return copy.deepcopy(examples[0])

    @property
    def schema_path(self) -> Path:
        """The type's JSON Schema file in the top-level ``schemas/`` directory."""
        return SCHEMAS_DIR / f"{self.slug}-{self.version}.json"

    def build_credential(
        self,
        data: BaseModel,
        *,
        issuer_id: str,
        issuer_name: str,
        credential_id: str,
        valid_from: datetime,
        valid_until: datetime,
    ) -> dict[str, Any]:
        """The unsigned VCDM 2.0 credential for ``data``, an instance of ``request_model``.

        Raises ``ParsingError`` (MALFORMED_VALUE_ERROR, naming the field) when the
        result would not be valid: a date not time-zone aware, ``valid_until`` not after
        ``valid_from``, a subject date after ``valid_from``, a malformed id or issuer.
        """
        if not isinstance(data, self.request_model):
            raise TypeError(f"{self.name} is built from {self.request_model.__name__}")
        validity = {}
        for member, moment in (("validFrom", valid_from), ("validUntil", valid_until)):
            try:
                validity[member] = format_date_time(moment)
            except ValueError as error:
                raise ParsingError(str(error), code=MALFORMED, field=member) from None
        credential: dict[str, Any] = {
            "@context": list(self.contexts),
            "id": credential_id,
            "type": [VERIFIABLE_CREDENTIAL, self.name],
            "name": self.default_name,
            "description": self.description,
            "issuer": self._issuer(issuer_id, issuer_name),
            **validity,
            SUBJECT: self.subject_of(data),
            "credentialSchema": {"id": self.schema_url, "type": "JsonSchema"},
        }
        problems = self.problems(credential)
        if problems:
            details = "; ".join(f"{problem.field}: {problem.detail}" for problem in problems)
            raise ParsingError(
                f"the {self.name} would not be valid: {details}",
                code=MALFORMED,
                field=problems[0].field,
            )
        return credential

    def problems(self, credential: Any) -> list[Problem]:
        """Every way ``credential`` breaks this type's JSON Schema or rules (empty if valid).

        A field the schema already faults is not faulted again by ``subject_rules``.
        """
        problems = dict.fromkeys(schema_problems(self.schema_path, credential))
        if isinstance(credential, Mapping):
            problems.update(dict.fromkeys(self._rule_problems(credential)))
            if self.subject_rules is not None:
                named = {problem.field for problem in problems}
                rules = self.subject_rules(credential)
                problems.update(dict.fromkeys(p for p in rules if p.field not in named))
        return list(problems)[:MAX_PROBLEMS]

    def findings(self, credential: Mapping[str, Any], today: date) -> list[Problem]:
        """What an issuer should be told about a valid ``credential`` without refusing it."""
        return [] if self.advisories is None else self.advisories(credential, today)

    def _issuer(self, issuer_id: str, issuer_name: str) -> dict[str, Any]:
        issuer: dict[str, Any] = {"id": issuer_id}
        if self.issuer_type is not None:
            issuer["type"] = [self.issuer_type]
        issuer["name"] = issuer_name
        return issuer

    def subject_identifiers(self, credential: Mapping[str, Any]) -> tuple[str, ...]:
        """The identifiers in ``credential``'s subject(s) (RFC, program number …), for search."""
        subjects = credential.get(SUBJECT)
        found: list[str] = []
        for subject in subjects if isinstance(subjects, list) else [subjects]:
            if isinstance(subject, Mapping):
                found.extend(value for value in self.identifiers_of(subject) if value not in found)
        return tuple(found)

    def _rule_problems(self, credential: Mapping[str, Any]) -> list[Problem]:
        """The checks a JSON Schema cannot make; values of the wrong shape are left to it."""
        problems: list[Problem] = []
        moments = _validity_period(credential, problems)
        subject = credential.get(SUBJECT)
        if not isinstance(subject, Mapping):
            return problems
        dates = self._subject_dates(subject, problems)
        for earlier, later in self.ordered_dates:
            if earlier in dates and later in dates:
                detail = order_problem(earlier, dates[earlier], later, dates[later])
                if detail is not None:
                    problems.append(Problem(MALFORMED, detail, f"{SUBJECT}.{later}"))
        if "validFrom" in moments:
            start = moments["validFrom"].date()
            for member in self.dates_not_after_valid_from:
                if member in dates:
                    detail = not_after_problem(member, dates[member], "validFrom", start)
                    if detail is not None:
                        problems.append(Problem(MALFORMED, detail, f"{SUBJECT}.{member}"))
        if self.rfc_member is not None:
            value = subject.get(self.rfc_member)
            detail = rfc_problem(value) if matches(value, RFC_PATTERN) else None
            if detail is not None:
                problems.append(Problem(MALFORMED, detail, f"{SUBJECT}.{self.rfc_member}"))
        return problems

    def _subject_dates(
        self, subject: Mapping[str, Any], problems: list[Problem]
    ) -> dict[str, date]:
        """The subject's well-formed dates; a well-shaped value that is no date is a problem."""
        dates: dict[str, date] = {}
        for member in self.date_members:
            value = subject.get(member)
            if matches(value, ISO_DATE_PATTERN):
                try:
                    dates[member] = parse_iso_date(value)
                except ValueError as error:
                    problems.append(Problem(MALFORMED, str(error), f"{SUBJECT}.{member}"))
        return dates


def _validity_period(credential: Mapping[str, Any], problems: list[Problem]) -> dict[str, datetime]:
    """``validFrom`` and ``validUntil`` where well-formed; they must be in order."""
    moments: dict[str, datetime] = {}
    for member in ("validFrom", "validUntil"):
        value = credential.get(member)
        if matches(value, DATE_TIME_PATTERN):
            try:
                moments[member] = parse_date_time(value)
            except ValueError as error:
                problems.append(Problem(MALFORMED, str(error), member))
    if len(moments) == 2 and moments["validUntil"] <= moments["validFrom"]:
        problems.append(Problem(MALFORMED, "validUntil must be after validFrom", "validUntil"))
    return moments


def present(*values: object) -> tuple[str, ...]:
    """The non-empty strings among ``values``, in order (for ``identifiers_of``)."""
    return tuple(value for value in values if isinstance(value, str) and value)
