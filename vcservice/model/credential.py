"""The VC Data Model (2.0, and 1.1 for verification): shape and validity-period rules."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from vcservice.errors import ParsingError, Problem, VcError
from vcservice.model.datetimes import parse_datetime
from vcservice.model.values import as_list

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
CREDENTIALS_V1 = "https://www.w3.org/2018/credentials/v1"
VERIFIABLE_CREDENTIAL = "VerifiableCredential"
VERIFIABLE_PRESENTATION = "VerifiablePresentation"

# The members that hold the validity period, per data model version.
_VALIDITY_MEMBERS = {
    CREDENTIALS_V2: ("validFrom", "validUntil"),
    CREDENTIALS_V1: ("issuanceDate", "expirationDate"),
}


# Members whose values must be typed objects (VCDM 2.0 §4.5, 1.1 §4.3).
_TYPED_MEMBERS = (
    "credentialStatus",
    "credentialSchema",
    "evidence",
    "refreshService",
    "termsOfUse",
)


def base_context(document: Mapping[str, Any]) -> str:
    """The data model's base context, which must come first in ``@context``."""
    contexts = as_list(document.get("@context"))
    first = contexts[0] if contexts else None
    if not isinstance(first, str) or first not in _VALIDITY_MEMBERS:
        raise ParsingError(
            f"@context must begin with {CREDENTIALS_V2} (or {CREDENTIALS_V1}), got {first!r}",
            code="MALFORMED_VALUE_ERROR",
            field="@context",
        )
    return str(first)


def types_of(document: Mapping[str, Any]) -> list[str]:
    """The document's ``type`` values as a list of strings."""
    return [value for value in as_list(document.get("type")) if isinstance(value, str)]


def id_of(value: Any) -> str | None:
    """The id of a member that is either a URL string or an object with an ``id``."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and isinstance(value.get("id"), str):
        return str(value["id"])
    return None


def issuer_id(credential: Mapping[str, Any]) -> str | None:
    """The credential's issuer URL, if it has a well-formed one."""
    return id_of(credential.get("issuer"))


def subjects_of(credential: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The credential's subjects that are objects."""
    return [s for s in as_list(credential.get("credentialSubject")) if isinstance(s, Mapping)]


def holder_ids_of(credential: Mapping[str, Any]) -> tuple[str, ...]:
    """The DIDs the credential is about, one per subject that names one: the subject's
    ``id``, else its ``member.id``.

    The traceability vocabulary's schema:member pattern (our certificate data v2) makes the
    subject the membership (a certification), with no ``id``; the company that holds it is
    the ``member``.
    """
    found = []
    for subject in subjects_of(credential):
        member = subject.get("member")
        holder = subject.get("id")
        if not isinstance(holder, str) and isinstance(member, Mapping):
            holder = member.get("id")
        if isinstance(holder, str):
            found.append(holder)
    return tuple(found)


def credential_problems(credential: Mapping[str, Any]) -> list[Problem]:
    """Every way ``credential`` breaks the data model's required shape."""
    problems = _base_problems(credential, VERIFIABLE_CREDENTIAL)
    if issuer_id(credential) is None:
        problems.append(_malformed("issuer must be a URL or an object with an id", "issuer"))
    subjects = as_list(credential.get("credentialSubject"))
    if not subjects or not all(isinstance(subject, Mapping) for subject in subjects):
        problems.append(
            _malformed("credentialSubject must be one or more objects", "credentialSubject")
        )
    problems.extend(_date_problems(credential))
    problems.extend(_typed_member_problems(credential))
    if as_list(credential.get("@context"))[:1] == [CREDENTIALS_V2]:
        problems.extend(_v2_problems(credential, subjects))
    return problems


def presentation_problems(presentation: Mapping[str, Any]) -> list[Problem]:
    """Every way ``presentation`` breaks the data model's required shape."""
    problems = _base_problems(presentation, VERIFIABLE_PRESENTATION)
    holder = presentation.get("holder")
    if holder is not None and id_of(holder) is None:
        problems.append(_malformed("holder must be a URL or an object with an id", "holder"))
    return problems


def validity_members(credential: Mapping[str, Any]) -> tuple[str, str]:
    """The members holding the validity period: ``validFrom``/``validUntil`` (2.0), or
    ``issuanceDate``/``expirationDate`` (1.1)."""
    return _VALIDITY_MEMBERS[base_context(credential)]


def validity_problems(credential: Mapping[str, Any], now: datetime) -> list[Problem]:
    """Why ``credential`` is not valid at ``now`` (empty when it is)."""
    start_member, end_member = validity_members(credential)
    problems = []
    start, end = credential.get(start_member), credential.get(end_member)
    if start is not None and parse_datetime(start, field=start_member) > now:
        problems.append(Problem("CREDENTIAL_NOT_YET_VALID", f"valid from {start}", start_member))
    if end is not None and parse_datetime(end, field=end_member) < now:
        problems.append(Problem("CREDENTIAL_EXPIRED", f"expired at {end}", end_member))
    return problems


def _base_problems(document: Mapping[str, Any], required_type: str) -> list[Problem]:
    problems = []
    try:
        base_context(document)
    except VcError as error:
        problems.append(error.to_problem())
    types = types_of(document)
    if required_type not in types:
        problems.append(_malformed(f"type must include {required_type}", "type"))
    # One document is a credential or a presentation: a signature on one is never the other's.
    other = (
        VERIFIABLE_PRESENTATION if required_type == VERIFIABLE_CREDENTIAL else VERIFIABLE_CREDENTIAL
    )
    if other in types:
        problems.append(_malformed(f"a {required_type} cannot also be a {other}", "type"))
    identifier = document.get("id")
    if identifier is not None and not isinstance(identifier, str):
        problems.append(_malformed("id must be a URL", "id"))
    return problems


def _typed_member_problems(credential: Mapping[str, Any]) -> list[Problem]:
    """Each status entry, schema, evidence, refresh service and terms of use is an object
    with a ``type`` (and a schema has an ``id``, a status entry's ``id`` is a URL)."""
    problems = []
    for member in _TYPED_MEMBERS:
        for index, value in enumerate(as_list(credential.get(member, []))):
            where = f"{member}[{index}]" if isinstance(credential[member], list) else member
            if not isinstance(value, Mapping) or not types_of(value):
                problems.append(_malformed(f"{member} must be objects with a type", where))
            elif "id" in value and not isinstance(value["id"], str):
                problems.append(_malformed(f"{member}.id must be a URL", f"{where}.id"))
            elif member == "credentialSchema" and "id" not in value:
                problems.append(_malformed("credentialSchema needs the schema's id", where))
    return problems


def _v2_problems(credential: Mapping[str, Any], subjects: list[Any]) -> list[Problem]:
    """VCDM 2.0's own rules: every subject makes a claim; each related resource names its
    ``id`` (once) and a digest of it."""
    problems = []
    if any(isinstance(subject, Mapping) and not subject for subject in subjects):
        problems.append(_malformed("each credentialSubject must make a claim", "credentialSubject"))
    seen: set[str] = set()
    for index, resource in enumerate(as_list(credential.get("relatedResource", []))):
        where = f"relatedResource[{index}]"
        if not isinstance(resource, Mapping) or not isinstance(resource.get("id"), str):
            problems.append(_malformed("relatedResource must be objects with an id", where))
            continue
        if not any(isinstance(resource.get(m), str) for m in ("digestSRI", "digestMultibase")):
            problems.append(_malformed("relatedResource needs digestSRI or digestMultibase", where))
        if resource["id"] in seen:
            problems.append(_malformed("each relatedResource id may appear once", where))
        seen.add(resource["id"])
    return problems


def _date_problems(credential: Mapping[str, Any]) -> list[Problem]:
    try:
        members = _VALIDITY_MEMBERS[base_context(credential)]
    except VcError:
        return []  # already reported by _base_problems
    problems = []
    parsed = []
    for member in members:
        if member not in credential:
            continue
        try:
            parsed.append(parse_datetime(credential[member], field=member))
        except VcError as error:
            problems.append(error.to_problem())
    if members[0] == "issuanceDate" and "issuanceDate" not in credential:
        problems.append(_malformed("a VCDM 1.1 credential needs issuanceDate", "issuanceDate"))
    if len(parsed) == 2 and parsed[0] > parsed[1]:
        problems.append(_malformed(f"{members[0]} is after {members[1]}", members[1]))
    return problems


def _malformed(detail: str, field: str) -> Problem:
    return Problem("MALFORMED_VALUE_ERROR", detail, field)
