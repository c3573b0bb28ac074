"""DCQL, the Digital Credentials Query Language (OpenID4VP 1.0 §6): parse and build queries.

``parse_dcql_query`` checks a query a verifier's client wrote against the specification
(and what this verifier can check: its formats, holder binding always required).
``query_for_alternatives`` builds one from a presentation policy: one Credential Query per
accepted credential and format, any one of them satisfying a single Credential Set Query.
Matching what a wallet presented against a query is ``selection``'s.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from vcservice.errors import ParsingError

__all__ = [
    "FORMATS",
    "JWT_VC_JSON",
    "LDP_VC",
    "SD_JWT_VC",
    "W3C_FORMATS",
    "Alternative",
    "ClaimsQuery",
    "CredentialQuery",
    "CredentialSetQuery",
    "DcqlQuery",
    "parse_dcql_query",
    "query_for_alternatives",
]

SD_JWT_VC = "dc+sd-jwt"
LDP_VC = "ldp_vc"
JWT_VC_JSON = "jwt_vc_json"
W3C_FORMATS = (LDP_VC, JWT_VC_JSON)
FORMATS = (*W3C_FORMATS, SD_JWT_VC)
MAX_CREDENTIAL_QUERIES = 20
MAX_CLAIMS = 50
MAX_PATH_LENGTH = 16
MAX_VALUES = 50
_IDENTIFIER = re.compile(r"[A-Za-z0-9_-]{1,64}")
_MALFORMED = "MALFORMED_VALUE_ERROR"

PathComponent = str | int | None
Value = str | int | bool


@dataclass(frozen=True, slots=True)
class ClaimsQuery:
    """A claim wanted: its path in the credential, and the values it may have (any, if none)."""

    path: tuple[PathComponent, ...]
    id: str | None = None
    values: tuple[Value, ...] = ()

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {} if self.id is None else {"id": self.id}
        body["path"] = list(self.path)
        if self.values:
            body["values"] = list(self.values)
        return body


@dataclass(frozen=True, slots=True)
class CredentialQuery:
    """A credential wanted: its format, its types (W3C) or ``vct`` values (SD-JWT VC), the
    claims it must disclose (all of ``claims``, or one of ``claim_sets``)."""

    id: str
    format: str
    type_values: tuple[tuple[str, ...], ...] = ()
    vct_values: tuple[str, ...] = ()
    claims: tuple[ClaimsQuery, ...] = ()
    claim_sets: tuple[tuple[str, ...], ...] = ()
    multiple: bool = False

    def to_json(self) -> dict[str, Any]:
        meta: dict[str, Any] = (
            {"vct_values": list(self.vct_values)}
            if self.format == SD_JWT_VC
            else {"type_values": [list(types) for types in self.type_values]}
        )
        body: dict[str, Any] = {"id": self.id, "format": self.format}
        if self.multiple:
            body["multiple"] = True
        body["meta"] = meta
        if self.claims:
            body["claims"] = [claim.to_json() for claim in self.claims]
        if self.claim_sets:
            body["claim_sets"] = [list(ids) for ids in self.claim_sets]
        return body


@dataclass(frozen=True, slots=True)
class CredentialSetQuery:
    """Sets of credential query ids, any one of which satisfies the set; ``required`` or not."""

    options: tuple[tuple[str, ...], ...]
    required: bool = True

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"options": [list(ids) for ids in self.options]}
        if not self.required:
            body["required"] = False
        return body


@dataclass(frozen=True, slots=True)
class DcqlQuery:
    """A DCQL query: the credentials wanted and, optionally, which combinations suffice."""

    credentials: tuple[CredentialQuery, ...]
    credential_sets: tuple[CredentialSetQuery, ...] = ()

    def credential(self, query_id: str) -> CredentialQuery | None:
        """The Credential Query called ``query_id``."""
        return next((query for query in self.credentials if query.id == query_id), None)

    @property
    def formats(self) -> frozenset[str]:
        """The formats its Credential Queries ask for."""
        return frozenset(query.format for query in self.credentials)

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"credentials": [query.to_json() for query in self.credentials]}
        if self.credential_sets:
            body["credential_sets"] = [entry.to_json() for entry in self.credential_sets]
        return body


@dataclass(frozen=True, slots=True)
class Alternative:
    """One credential a policy accepts, in one format: how a query asks for it."""

    id: str
    format: str
    type_iri: str | None = None
    vct_values: tuple[str, ...] = ()
    claims: tuple[ClaimsQuery, ...] = field(default=())


# ---------------------------------------------------------------- building


def query_for_alternatives(alternatives: Sequence[Alternative]) -> DcqlQuery:
    """A query any one of ``alternatives`` satisfies: a Credential Query for each, and one
    required Credential Set Query whose options are each of them alone."""
    if not alternatives:
        raise ParsingError("a query needs at least one credential", code=_MALFORMED)
    queries = tuple(
        CredentialQuery(
            id=alternative.id,
            format=alternative.format,
            type_values=((alternative.type_iri,),) if alternative.type_iri else (),
            vct_values=alternative.vct_values,
            claims=alternative.claims,
        )
        for alternative in alternatives
    )
    sets = (
        (CredentialSetQuery(tuple((query.id,) for query in queries)),) if len(queries) > 1 else ()
    )
    return DcqlQuery(queries, sets)


# ---------------------------------------------------------------- parsing


def parse_dcql_query(raw: Any, *, formats: Iterable[str] = FORMATS) -> DcqlQuery:
    """The query ``raw`` (the ``dcql_query`` JSON object), checked as OpenID4VP 1.0 §6 has
    it, for the ``formats`` this verifier checks; MALFORMED_VALUE_ERROR naming the member.

    Unknown members are ignored, as §6 asks, and so dropped from the query this verifier
    sends. ``require_cryptographic_holder_binding`` may only be true: this verifier accepts
    nothing a holder did not sign for its nonce. ``trusted_authorities`` is refused: this
    verifier's trust registry decides which issuers count, and a wallet could not match it.
    """
    body = _object(raw, "dcql_query")
    entries = _list(body.get("credentials"), "dcql_query.credentials", most=MAX_CREDENTIAL_QUERIES)
    allowed = tuple(formats)
    credentials = tuple(
        _credential_query(entry, f"dcql_query.credentials[{index}]", allowed)
        for index, entry in enumerate(entries)
    )
    ids = [query.id for query in credentials]
    if len(set(ids)) != len(ids):
        raise _malformed("two Credential Queries have one id", "dcql_query.credentials")
    sets: tuple[CredentialSetQuery, ...] = ()
    if "credential_sets" in body:
        listed = _list(body["credential_sets"], "dcql_query.credential_sets")
        sets = tuple(
            _credential_set(entry, f"dcql_query.credential_sets[{index}]", set(ids))
            for index, entry in enumerate(listed)
        )
    return DcqlQuery(credentials, sets)


def _credential_query(raw: Any, at: str, formats: tuple[str, ...]) -> CredentialQuery:
    body = _object(raw, at)
    query_id = _identifier(body.get("id"), f"{at}.id")
    credential_format = body.get("format")
    if credential_format not in formats:
        raise _malformed(f"format must be one of {', '.join(formats)}", f"{at}.format")
    multiple = _boolean(body.get("multiple", False), f"{at}.multiple")
    binding = _boolean(
        body.get("require_cryptographic_holder_binding", True),
        f"{at}.require_cryptographic_holder_binding",
    )
    if not binding:
        raise _malformed(
            "this verifier accepts only presentations with holder binding",
            f"{at}.require_cryptographic_holder_binding",
        )
    if "trusted_authorities" in body:
        raise _malformed(
            "this verifier's trust registry decides which issuers it accepts",
            f"{at}.trusted_authorities",
        )
    meta = _object(body.get("meta"), f"{at}.meta")
    type_values: tuple[tuple[str, ...], ...] = ()
    vct_values: tuple[str, ...] = ()
    if credential_format == SD_JWT_VC:
        vct_values = tuple(_strings(meta.get("vct_values"), f"{at}.meta.vct_values"))
    else:
        listed = _list(meta.get("type_values"), f"{at}.meta.type_values")
        type_values = tuple(
            tuple(_strings(types, f"{at}.meta.type_values[{index}]"))
            for index, types in enumerate(listed)
        )
    claims: tuple[ClaimsQuery, ...] = ()
    if "claims" in body:
        listed = _list(body["claims"], f"{at}.claims", most=MAX_CLAIMS)
        claims = tuple(
            _claims_query(entry, f"{at}.claims[{index}]") for index, entry in enumerate(listed)
        )
    claim_sets = _claim_sets(body, claims, at)
    return CredentialQuery(
        id=query_id,
        format=credential_format,
        type_values=type_values,
        vct_values=vct_values,
        claims=claims,
        claim_sets=claim_sets,
        multiple=multiple,
    )


def _claims_query(raw: Any, at: str) -> ClaimsQuery:
    body = _object(raw, at)
    claim_id = None if "id" not in body else _identifier(body["id"], f"{at}.id")
    path = tuple(_list(body.get("path"), f"{at}.path", most=MAX_PATH_LENGTH))
    for index, component in enumerate(path):
        if not (
            component is None
            or isinstance(component, str)
            or (type(component) is int and component >= 0)
        ):
            raise _malformed(
                "a claims path holds strings, nulls and non-negative integers",
                f"{at}.path[{index}]",
            )
    values: tuple[Value, ...] = ()
    if "values" in body:
        listed = _list(body["values"], f"{at}.values", most=MAX_VALUES)
        for index, value in enumerate(listed):
            if not isinstance(value, str | int | bool):
                raise _malformed(
                    "values are strings, integers or booleans", f"{at}.values[{index}]"
                )
        values = tuple(listed)
    return ClaimsQuery(path=path, id=claim_id, values=values)


def _claim_sets(
    body: Mapping[str, Any], claims: tuple[ClaimsQuery, ...], at: str
) -> tuple[tuple[str, ...], ...]:
    claim_ids = [claim.id for claim in claims if claim.id is not None]
    if len(set(claim_ids)) != len(claim_ids):
        raise _malformed("two claims of a Credential Query have one id", f"{at}.claims")
    if "claim_sets" not in body:
        return ()
    if not claims:
        raise _malformed("claim_sets needs claims", f"{at}.claim_sets")
    if len(claim_ids) != len(claims):
        raise _malformed("with claim_sets, every claim needs an id", f"{at}.claims")
    listed = _list(body["claim_sets"], f"{at}.claim_sets")
    sets = []
    for index, entry in enumerate(listed):
        ids = _strings(entry, f"{at}.claim_sets[{index}]")
        unknown = [claim_id for claim_id in ids if claim_id not in claim_ids]
        if unknown:
            raise _malformed(f"no claim {unknown[0]!r}", f"{at}.claim_sets[{index}]")
        sets.append(tuple(ids))
    return tuple(sets)


def _credential_set(raw: Any, at: str, ids: set[str]) -> CredentialSetQuery:
    body = _object(raw, at)
    listed = _list(body.get("options"), f"{at}.options")
    options = []
    for index, entry in enumerate(listed):
        option = _strings(entry, f"{at}.options[{index}]")
        unknown = [query_id for query_id in option if query_id not in ids]
        if unknown:
            raise _malformed(f"no Credential Query {unknown[0]!r}", f"{at}.options[{index}]")
        options.append(tuple(option))
    required = _boolean(body.get("required", True), f"{at}.required")
    return CredentialSetQuery(tuple(options), required)


def _object(value: Any, at: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _malformed("must be a JSON object", at)
    return value


def _list(value: Any, at: str, *, most: int = MAX_CREDENTIAL_QUERIES) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise _malformed("must be a non-empty array", at)
    if len(value) > most:
        raise _malformed(f"at most {most} entries", at)
    return value


def _strings(value: Any, at: str) -> list[str]:
    listed = _list(value, at, most=MAX_VALUES)
    if not all(isinstance(item, str) and item for item in listed):
        raise _malformed("must be an array of non-empty strings", at)
    return listed


def _identifier(value: Any, at: str) -> str:
    if not isinstance(value, str) or not _IDENTIFIER.fullmatch(value):
        raise _malformed("an id is 1–64 letters, digits, '_' or '-'", at)
    return value


def _boolean(value: Any, at: str) -> bool:
    if not isinstance(value, bool):
        raise _malformed("must be true or false", at)
    return value


def _malformed(detail: str, at: str) -> ParsingError:
    return ParsingError(detail, code=_MALFORMED, field=at)
