"""Which held credentials answer a DCQL query, and which of their claims to disclose."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vcservice.errors import VcError
from vcservice.jose import vc_jwt
from vcservice.jose.jws import decode_compact
from vcservice.model.records import HeldCredential
from vcservice.oid4vp.dcql import (
    JWT_VC_JSON,
    LDP_VC,
    SD_JWT_VC,
    ClaimsQuery,
    CredentialQuery,
    DcqlQuery,
)
from vcservice.oid4vp.selection import PresentedCredential, credential_mismatch, select_claims
from vcservice.sdjwt import split
from vcservice.sdjwt.disclosures import DEFAULT_HASH, SD_ALG, Disclosure, reveal
from vcservice.services.holder import DATA_INTEGRITY
from vcservice.services.holder import SD_JWT_VC as HELD_SD_JWT_VC
from vcservice.services.holder_openid.parsing import _object
from vcservice.services.openid4vp_queries import TypeExpander

# The DCQL format of each format a credential is held in.
FORMAT_OF_HELD = {HELD_SD_JWT_VC: SD_JWT_VC, vc_jwt.VC_JWT: JWT_VC_JSON, DATA_INTEGRITY: LDP_VC}


@dataclass
class _Candidate:
    """A held credential as a DCQL query sees it (computed once per request)."""

    held: HeldCredential
    presented: PresentedCredential


def _choose(
    kept: Sequence[HeldCredential], query: DcqlQuery, *, types: TypeExpander
) -> list[tuple[CredentialQuery, _Candidate]]:
    """The credentials to present: for each Credential Query needed, the newest held
    credential that answers it (REQUIRED_CREDENTIAL_MISSING when the query cannot be
    met)."""
    candidates = [_candidate(held, types=types) for held in kept]
    matches: dict[str, list[_Candidate]] = {}
    reasons: dict[str, str] = {}
    for credential_query in query.credentials:
        found = []
        for candidate in candidates:
            if candidate is None:
                continue
            why = credential_mismatch(credential_query, candidate.presented)
            if why is None:
                found.append(candidate)
            elif candidate.presented.format == credential_query.format:
                reasons.setdefault(credential_query.id, why)
        matches[credential_query.id] = found
    needed = _needed(query, {qid for qid, found in matches.items() if found})
    if needed is None:
        detail = "; ".join(
            f"{q.id}: {reasons.get(q.id, f'no {q.format} credential held')}"
            for q in query.credentials
        )
        raise VcError(
            f"the holder keeps nothing that answers the request ({detail})",
            code="REQUIRED_CREDENTIAL_MISSING",
            field="request.dcql_query",
        )
    return [
        (credential_query, matches[credential_query.id][-1])
        for credential_query in query.credentials
        if credential_query.id in needed
    ]


def _candidate(held: HeldCredential, *, types: TypeExpander) -> _Candidate | None:
    """``held`` as a query sees it; None for one this wallet cannot read."""
    credential_format = FORMAT_OF_HELD.get(held.format)
    try:
        if credential_format == SD_JWT_VC:
            claims = _all_claims(held.document)
            vct = claims.get("vct")
            presented = PresentedCredential(
                SD_JWT_VC, claims, vct=vct if isinstance(vct, str) else None
            )
        elif credential_format in (JWT_VC_JSON, LDP_VC):
            document = (
                decode_compact(held.document).payload_json()
                if credential_format == JWT_VC_JSON
                else json.loads(held.document)
            )
            presented = PresentedCredential(credential_format, document, types=types.of(document))
        else:
            return None
    except (VcError, ValueError):
        return None
    return _Candidate(held, presented)


def _needed(query: DcqlQuery, answerable: set[str]) -> set[str] | None:
    """The Credential Queries to answer, or None when the query cannot be met: every one
    without credential sets; else the first answerable option of each required set."""
    if not query.credential_sets:
        ids = {credential.id for credential in query.credentials}
        return ids if ids <= answerable else None
    needed: set[str] = set()
    for entry in query.credential_sets:
        if not entry.required:
            continue
        option = next((o for o in entry.options if set(o) <= answerable), None)
        if option is None:
            return None
        needed |= set(option)
    return needed


def _claims_to_disclose(
    credential_query: CredentialQuery, claims: Mapping[str, Any]
) -> tuple[ClaimsQuery, ...]:
    """The claims asked for: all of ``claims``, or the first claim set this credential meets
    (none when the query names no claims: then only what is always disclosed is shown)."""
    if not credential_query.claim_sets:
        return credential_query.claims
    by_id = {claim.id: claim for claim in credential_query.claims}
    for ids in credential_query.claim_sets:
        chosen = tuple(by_id[claim_id] for claim_id in ids)
        if all(_has(claim, claims) for claim in chosen):
            return chosen
    return ()


def _has(claim: ClaimsQuery, claims: Mapping[str, Any]) -> bool:
    selected = select_claims(claims, claim.path)
    if selected is None:
        return False
    return not claim.values or any(
        type(value) is type(wanted) and value == wanted
        for value in selected
        for wanted in claim.values
    )


def _all_claims(sd_jwt: str) -> dict[str, Any]:
    """Every claim of an SD-JWT as held (all its Disclosures applied); not verified here:
    it was verified when it was kept."""
    parts = split(sd_jwt)
    payload = _object(decode_compact(parts.issuer_jwt).payload_json(), "credential")
    disclosures = [Disclosure.parse(encoded) for encoded in parts.disclosures]
    algorithm = str(payload.get(SD_ALG, DEFAULT_HASH))
    return reveal(payload, disclosures, algorithm=algorithm).claims
