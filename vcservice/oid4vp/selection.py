"""Selecting claims and credentials (OpenID4VP 1.0 §6.4, §7): what a presentation answers.

``select_claims`` applies a claims path pointer to a credential (§7.1).
``credential_mismatch`` says why a presented credential does not answer a Credential Query
(its format, its types or ``vct``, a claim missing or of another value), and
``unsatisfied`` whether the Credential Queries that were answered satisfy the query as a
whole (its credential sets).

The claims a W3C credential is matched on are its own members (the credential's root, not
the presentation's, Appendix B.1.2); an SD-JWT VC's are the claims its disclosures and
payload give. A presented credential's types are its fully expanded type IRIs (the caller
expands them: ``type_values`` name IRIs, Appendix B.1.1).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vcservice.oid4vp.dcql import (
    SD_JWT_VC,
    ClaimsQuery,
    CredentialQuery,
    DcqlQuery,
    PathComponent,
    Value,
)

__all__ = ["PresentedCredential", "credential_mismatch", "select_claims", "unsatisfied"]


@dataclass(frozen=True, slots=True)
class PresentedCredential:
    """What a verified presentation disclosed of one credential, to match a query against.

    ``types`` are the credential's expanded type IRIs (W3C), ``vct`` its type (SD-JWT VC),
    ``claims`` its JSON (the W3C credential itself; an SD-JWT VC's disclosed claims).
    """

    format: str
    claims: Mapping[str, Any]
    types: frozenset[str] = frozenset()
    vct: str | None = None


def select_claims(document: Any, path: Sequence[PathComponent]) -> list[Any] | None:
    """The elements a claims path pointer selects in ``document`` (OpenID4VP 1.0 §7.1.1),
    or None where processing aborts (a key of a non-object, an index of a non-array, or
    nothing selected)."""
    selected = [document]
    for component in path:
        if isinstance(component, str):
            if not all(isinstance(element, Mapping) for element in selected):
                return None
            selected = [element[component] for element in selected if component in element]
        elif component is None:
            if not all(isinstance(element, list) for element in selected):
                return None
            selected = [item for element in selected for item in element]
        elif type(component) is int and component >= 0:
            if not all(isinstance(element, list) for element in selected):
                return None
            selected = [element[component] for element in selected if component < len(element)]
        else:
            return None
    return selected or None


def credential_mismatch(query: CredentialQuery, presented: PresentedCredential) -> str | None:
    """Why ``presented`` does not answer ``query`` (None when it does): its format, its
    types or ``vct``, or the claims wanted (all of them, or one of the claim sets)."""
    if presented.format != query.format:
        return f"it is {presented.format}, not {query.format}"
    if query.format == SD_JWT_VC:
        if presented.vct not in query.vct_values:
            return f"its vct {presented.vct!r} is none of {', '.join(query.vct_values)}"
    elif not any(set(types) <= presented.types for types in query.type_values):
        wanted = " or ".join(" and ".join(types) for types in query.type_values)
        return f"it is not of the types asked for ({wanted})"
    missing = [claim for claim in query.claims if not _disclosed(claim, presented.claims)]
    if not query.claim_sets:
        return None if not missing else f"it does not disclose {_path_text(missing[0])}"
    absent = {claim.id for claim in missing}
    if any(absent.isdisjoint(ids) for ids in query.claim_sets):
        return None
    return "it discloses none of the claim sets asked for"


def unsatisfied(query: DcqlQuery, answered: Iterable[str]) -> str | None:
    """Why the Credential Queries ``answered`` (by a verified, matching presentation) do not
    satisfy ``query``, or None when they do: every query when there are no credential
    sets, else an option of every required set (OpenID4VP 1.0 §6.4.2)."""
    have = set(answered)
    if not query.credential_sets:
        missing = [entry.id for entry in query.credentials if entry.id not in have]
        return None if not missing else f"no verified presentation for {', '.join(missing)}"
    for index, entry in enumerate(query.credential_sets):
        if entry.required and not any(set(option) <= have for option in entry.options):
            wanted = " or ".join(" and ".join(option) for option in entry.options)
            return f"credential_sets[{index}] wants {wanted}"
    return None


def _disclosed(claim: ClaimsQuery, document: Mapping[str, Any]) -> bool:
    selected = select_claims(document, claim.path)
    if selected is None:
        return False
    if not claim.values:
        return True
    return any(_same(value, wanted) for value in selected for wanted in claim.values)


def _same(value: Any, wanted: Value) -> bool:
    """Equal in type and value (``True`` is not ``1``)."""
    return type(value) is type(wanted) and value == wanted


def _path_text(claim: ClaimsQuery) -> str:
    return "/".join("*" if part is None else str(part) for part in claim.path)
