"""Proof purposes: what a proof was made for, and the checks that come with it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from vcservice.clock import CLOCK_SKEW
from vcservice.dids.document import DidDocument
from vcservice.errors import Problem
from vcservice.model.datetimes import parse_datetime
from vcservice.model.values import as_list

ASSERTION_METHOD = "assertionMethod"
AUTHENTICATION = "authentication"


@dataclass(frozen=True, slots=True)
class ProofPurpose:
    """The expected ``proofPurpose``, and for authentication the expected challenge/domain.

    A ``None`` challenge or domain is not checked; presentations at a crossing
    always pass both.
    """

    term: str = ASSERTION_METHOD
    challenge: str | None = None
    domain: str | None = None

    def check(
        self,
        proof: Mapping[str, Any],
        *,
        controller_document: DidDocument,
        verification_method: str,
        now: datetime,
        skew: timedelta = CLOCK_SKEW,
    ) -> list[Problem]:
        """Every reason ``proof`` does not serve this purpose (empty when it does); a proof
        ``created`` more than ``skew`` after ``now`` is refused."""
        problems: list[Problem] = []
        if proof.get("proofPurpose") != self.term:
            problems.append(
                _problem(
                    "INVALID_PROOF_PURPOSE",
                    f"proofPurpose is {proof.get('proofPurpose')!r}, expected {self.term!r}",
                    "proof.proofPurpose",
                )
            )
        elif not controller_document.authorizes(verification_method, self.term):
            problems.append(
                _problem(
                    "INVALID_PROOF_PURPOSE",
                    f"{verification_method} is not authorized for {self.term} "
                    f"by {controller_document.id}",
                    "proof.verificationMethod",
                )
            )
        problems.extend(self._check_binding(proof))
        problems.extend(_check_dates(proof, now, skew))
        return problems

    def _check_binding(self, proof: Mapping[str, Any]) -> list[Problem]:
        problems = []
        if self.challenge is not None and proof.get("challenge") != self.challenge:
            problems.append(
                _problem(
                    "INVALID_CHALLENGE_ERROR",
                    "the proof's challenge does not match the expected challenge",
                    "proof.challenge",
                )
            )
        if self.domain is not None and self.domain not in as_list(proof.get("domain")):
            problems.append(
                _problem(
                    "INVALID_DOMAIN_ERROR",
                    f"the proof's domain does not include {self.domain!r}",
                    "proof.domain",
                )
            )
        return problems


def _check_dates(proof: Mapping[str, Any], now: datetime, skew: timedelta) -> list[Problem]:
    problems = []
    created = proof.get("created")
    if created is not None and parse_datetime(created, field="proof.created") > now + skew:
        detail = f"the proof was created in the future ({created})"
        problems.append(_problem("PROOF_VERIFICATION_ERROR", detail, "proof.created"))
    expires = proof.get("expires")
    if expires is not None and parse_datetime(expires, field="proof.expires") <= now:
        detail = f"the proof expired at {expires}"
        problems.append(_problem("PROOF_VERIFICATION_ERROR", detail, "proof.expires"))
    return problems


def _problem(code: str, detail: str, field: str) -> Problem:
    return Problem(code=code, detail=detail, field=field)
