"""Verifier policies: which credentials a presentation must carry to be accepted.

A workflow accepts some credential types as they are (``CTPATCertificate`` at CBP) and
others only under mutual recognition (an ``OEACertificate`` that CBP recognizes for the
shipper's role). ``recognition`` reads that from a credential's signed
``credentialSubject.mutualRecognition``: an entry counts when it is *recognizedBy* the
authority (entries are directional: an OEA names CBP, a C-TPAT names SAT), its
``recognizedRole`` holds the role, and its ``arrangement`` is the one asked for, if one is.
The roles are the issuer's data: the arrangement's text is not public, so nothing here
decides which roles it covers.

Only the document of a credential that verified is read, so every member read is covered
by its issuer's proof (the verifier refuses JSON that is not the compact form of what was
signed, COMPACT_FORM_ERROR). The documents are plain JSON here: this layer knows no
certificate models.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vcservice.errors import Problem
from vcservice.model import credential as vcdm
from vcservice.model.checks import Check
from vcservice.model.records import RecognitionPolicy
from vcservice.verification.result import VerificationResult

__all__ = [
    "POLICY_CODE",
    "Recognition",
    "accepted_types_check",
    "recognition",
    "recognition_entries",
]

POLICY_CODE = "REQUIRED_CREDENTIAL_MISSING"
MUTUAL_RECOGNITION = "mutualRecognition"


@dataclass(frozen=True, slots=True)
class Recognition:
    """Whether a credential counts for an authority and role, and why (from its signed data)."""

    accepted: bool
    reason: str


def recognition(
    credential: Mapping[str, Any],
    *,
    recognized_by: str,
    role: str,
    arrangement: str | None = None,
) -> Recognition:
    """Whether ``credential``'s ``mutualRecognition`` has an entry ``recognizedBy``
    ``recognized_by`` covering ``role`` (of ``arrangement``, if given), and why.

    The reason names the entry that counts (``mutualRecognition[0]: MraUsMx2014,
    recognizedBy AuthorityCBP, recognizedRole MraRoleManufacturerExporter``), or says why
    none does (``its MraUsMx2014 entry recognizedBy AuthorityCBP covers
    MraRoleManufacturerExporter only, not MraRoleImporter``).
    """
    listed = recognition_entries(credential)
    matching = [
        (index, entry, _strings(entry.get("recognizedRole")))
        for index, entry in listed
        if entry.get("recognizedBy") == recognized_by
        and (arrangement is None or entry.get("arrangement") == arrangement)
    ]
    for index, entry, roles in matching:
        if role in roles:
            return Recognition(
                True,
                f"{MUTUAL_RECOGNITION}[{index}]: {entry.get('arrangement')}, recognizedBy "
                f"{recognized_by}, recognizedRole {', '.join(roles)}",
            )
    if matching:
        named = sorted({str(entry.get("arrangement")) for _, entry, _ in matching})
        covered = sorted({covered for _, _, roles in matching for covered in roles})
        entries = "entry" if len(matching) == 1 else "entries"
        cover = "covers" if len(matching) == 1 else "cover"
        return Recognition(
            False,
            f"its {', '.join(named)} {entries} recognizedBy {recognized_by} {cover} "
            f"{', '.join(covered) or 'no role'} only, not {role}",
        )
    of = f"{arrangement} entry" if arrangement is not None else f"{MUTUAL_RECOGNITION} entry"
    if not listed:
        return Recognition(False, f"it has no {MUTUAL_RECOGNITION} entry")
    others = ", ".join(
        f"{entry.get('arrangement')} recognizedBy {entry.get('recognizedBy')}"
        for _, entry in listed
    )
    return Recognition(
        False, f"no {of} of it is recognizedBy {recognized_by} (its entries: {others})"
    )


def recognition_entries(credential: Mapping[str, Any]) -> list[tuple[int, Mapping[str, Any]]]:
    """The ``mutualRecognition`` entries of ``credential``'s subject, with their indexes."""
    subject = credential.get("credentialSubject")
    entries = subject.get(MUTUAL_RECOGNITION) if isinstance(subject, Mapping) else None
    if isinstance(entries, Mapping):  # a single entry is an object in JSON-LD
        entries = [entries]
    if not isinstance(entries, list):
        return []
    return [(index, entry) for index, entry in enumerate(entries) if isinstance(entry, Mapping)]


def accepted_types_check(
    presentation: VerificationResult,
    accepted_types: Sequence[str],
    recognitions: Sequence[RecognitionPolicy] = (),
) -> Check:
    """The ``credentialTypes`` check: some verified credential has one of ``accepted_types``,
    or meets one of ``recognitions`` (its type, and a signed entry that covers it).

    "C-TPAT, or an OEA that CBP recognizes for a manufacturer/exporter" is
    ``["CTPATCertificate"]`` with ``RecognitionPolicy("OEACertificate", "AuthorityCBP",
    "MraRoleManufacturerExporter", "MraUsMx2014")``. A credential that failed any check
    does not count, so a suspended C-TPAT certificate next to nothing else fails the policy
    as well as the credential checks. The failure says why each credential of a wanted
    type did not count.
    """
    accepted = set(accepted_types)
    wanted_types = accepted | {policy.credential_type for policy in recognitions}
    why_not: list[str] = []
    for number, credential in enumerate(presentation.credentials):
        document = credential.document
        if document is None:
            continue
        types = vcdm.types_of(document)
        relevant = [kind for kind in types if kind in wanted_types]
        if not relevant:
            continue
        if not credential.verified:
            why_not.append(f"verifiableCredential[{number}] ({relevant[0]}) did not verify")
            continue
        matching = accepted.intersection(types)
        if matching:
            detail = f"a verified {sorted(matching)[0]} ({_wanted(accepted_types, recognitions)})"
            return Check.of("credentialTypes", [], detail=detail)
        for policy in recognitions:
            if policy.credential_type not in types:
                continue
            verdict = recognition(
                document,
                recognized_by=policy.recognized_by,
                role=policy.role,
                arrangement=policy.arrangement,
            )
            if verdict.accepted:
                detail = f"a verified {policy.describe()} ({verdict.reason})"
                return Check.of("credentialTypes", [], detail=detail)
            why_not.append(
                f"verifiableCredential[{number}] ({policy.credential_type}): {verdict.reason}"
            )
    because = f": {'; '.join(dict.fromkeys(why_not))}" if why_not else ""
    problem = Problem(
        POLICY_CODE,
        "the presentation holds no verified credential of an accepted type "
        f"({_wanted(accepted_types, recognitions)}){because}",
        "verifiableCredential",
    )
    return Check.of("credentialTypes", [problem])


def _wanted(accepted_types: Sequence[str], recognitions: Sequence[RecognitionPolicy]) -> str:
    return " or ".join([*accepted_types, *(policy.describe() for policy in recognitions)])


def _strings(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [item for item in values if isinstance(item, str)]
