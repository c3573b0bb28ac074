"""What an OpenID4VP answer establishes: each presentation verified, then the DCQL query.

OpenID4VP 1.0 §8.6: each presentation is verified as its format has it — a W3C VP
(``ldp_vc``: Data Integrity; ``jwt_vc_json``: a ``vp+jwt``) by the verifier's core, its
proof made for the request's nonce (challenge) and client id (domain), with its holder
binding and every credential's issuer, trust, validity, schema and status; an SD-JWT VC by
the SD-JWT VC verifier, with key binding for that nonce and audience. A presentation that
fails is discarded; those that verified are matched against their Credential Query
(format, types or ``vct``, the claims asked for), and the ones that match must satisfy the
query as a whole (its credential sets) and, for a request made from a workflow, the
workflow's policy (``verification.policy.accepted_types_check``, as an exchange checks
it). The answer is accepted only then; its verdict is the one a person reads
(``verification.verdict``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from vcservice.errors import Problem
from vcservice.messages import problem_details
from vcservice.model.checks import Check, Outcome
from vcservice.model.presentation_requests import PresentationRequest
from vcservice.model.records import RecognitionPolicy
from vcservice.oid4vp.authorization_response import Presentation, WalletError
from vcservice.oid4vp.dcql import FORMATS, SD_JWT_VC, W3C_FORMATS, DcqlQuery, PathComponent
from vcservice.oid4vp.errors import Oid4vpError
from vcservice.oid4vp.selection import (
    PresentedCredential,
    credential_mismatch,
    select_claims,
    unsatisfied,
)
from vcservice.services.observer import NO_OBSERVER, Observer
from vcservice.services.openid4vp_queries import SUBJECT, TypeExpander
from vcservice.verification.policy import POLICY_CODE, accepted_types_check
from vcservice.verification.result import VerificationResult
from vcservice.verification.verdict import Verdict, verdict_of
from vcservice.verification.verifier import Verifier

__all__ = [
    "GRAVITY",
    "Answer",
    "PresentationOutcome",
    "SdJwtVerifier",
    "VpTokenChecks",
    "checked_formats",
]

# The gravest verdict first (``verification.verdict``'s order), for a whole answer.
GRAVITY = (
    Verdict.ALTERED,
    Verdict.REVOKED,
    Verdict.SUSPENDED,
    Verdict.EXPIRED,
    Verdict.NOT_YET_VALID,
    Verdict.NOT_ACCREDITED,
    Verdict.INVALID_DATA,
    Verdict.UNCHECKABLE,
    Verdict.MESSAGE,
    Verdict.VERIFIED,
)


class SdJwtVerifier(Protocol):
    """Verifies an SD-JWT VC presentation (an SD-JWT+KB) for a nonce and an audience."""

    def verify(
        self, presentation: str, *, nonce: str | None, audience: str | None
    ) -> VerificationResult:
        """The result of every check; its ``document`` the claims disclosed."""
        ...


@dataclass(frozen=True)
class PresentationOutcome:
    """One presentation of an answer: its result, and whether it answers its query."""

    query_id: str
    format: str
    result: VerificationResult
    mismatch: str | None
    verdict: Verdict
    disclosed: tuple[tuple[tuple[PathComponent, ...], list[Any]], ...] = ()

    @property
    def matched(self) -> bool:
        """Verified, and answers its Credential Query."""
        return self.result.verified and self.mismatch is None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "credentialQueryId": self.query_id,
            "format": self.format,
            "verified": self.result.verified,
            "matched": self.matched,
            "verdict": self.verdict.value,
        }
        if self.mismatch is not None:
            body["mismatch"] = self.mismatch
        if self.disclosed:
            body["disclosed"] = [{"path": list(path), "values": v} for path, v in self.disclosed]
        return body | {"result": self.result.without_documents().to_json()}


@dataclass(frozen=True)
class Answer:
    """What a wallet's answer established: accepted or not, why, and each presentation."""

    accepted: bool
    verdict: Verdict | None
    checks: tuple[Check, ...] = ()
    presentations: tuple[PresentationOutcome, ...] = ()
    wallet_error: WalletError | None = None

    @property
    def problems(self) -> list[Problem]:
        """The problems of the answer's own checks."""
        return [problem for check in self.checks for problem in check.problems]

    def refusal(self) -> Oid4vpError | None:
        """How the Response URI refuses an answer that was not accepted (None when it was
        accepted, or was the wallet's own refusal): the presentations' binding problem
        first (nonce, then audience), else a presentation that did not verify, else the
        query or policy unmet."""
        if self.accepted or self.wallet_error is not None:
            return None
        codes = [
            problem.code for outcome in self.presentations for problem in outcome.result.problems
        ]
        for code in ("INVALID_CHALLENGE_ERROR", "INVALID_DOMAIN_ERROR"):
            if code in codes:
                return Oid4vpError("a presentation was made for another request", code=code)
        if any(not outcome.result.verified for outcome in self.presentations):
            return Oid4vpError("a presentation did not verify", code="VERIFICATION_FAILED")
        return Oid4vpError("the request is not satisfied", code=POLICY_CODE)

    def to_json(self) -> dict[str, Any]:
        """As kept and shown to the verifier (no document verified is repeated)."""
        body: dict[str, Any] = {
            "accepted": self.accepted,
            "verdict": None if self.verdict is None else self.verdict.value,
            "checks": [check.to_json() for check in self.checks],
            "problemDetails": problem_details(self.problems),
            "presentations": [outcome.to_json() for outcome in self.presentations],
        }
        if self.wallet_error is not None:
            body["walletError"] = {"error": self.wallet_error.error} | (
                {"errorDescription": self.wallet_error.description}
                if self.wallet_error.description
                else {}
            )
        return body


class VpTokenChecks:
    """Checks VP Tokens against the DCQL query of their request (and its workflow's policy)."""

    def __init__(
        self,
        *,
        verifier: Verifier,
        types: TypeExpander,
        sd_jwt: SdJwtVerifier | None = None,
        type_of_vct: Callable[[str, Iterable[str]], str | None] = lambda vct, names: None,
        observer: Observer = NO_OBSERVER,
    ) -> None:
        self._verifier = verifier
        self._types = types
        self._sd_jwt = sd_jwt
        self._type_of_vct = type_of_vct
        self._observer = observer

    @property
    def formats(self) -> tuple[str, ...]:
        """The formats checked (``checked_formats``)."""
        return checked_formats(self._sd_jwt)

    # ------------------------------------------------------------ answers

    def evaluate(
        self,
        request: PresentationRequest,
        query: DcqlQuery,
        presentations: Sequence[Presentation],
    ) -> Answer:
        """Verify each presentation for ``request`` and judge the whole against ``query``
        and the request's policy."""
        outcomes = tuple(self._outcome(request, query, entry) for entry in presentations)
        answered = {outcome.query_id for outcome in outcomes if outcome.matched}
        why = unsatisfied(query, answered)
        if why is not None:
            reasons = [
                f"{outcome.query_id}: {outcome.mismatch}"
                for outcome in outcomes
                if outcome.result.verified and outcome.mismatch
            ]
            detail = "; ".join([why, *reasons])
            checks = [Check.of("dcqlQuery", [Problem(POLICY_CODE, detail, "vp_token")])]
        else:
            checks = [Check.of("dcqlQuery", [], detail=f"answered: {', '.join(sorted(answered))}")]
        if request.policy is not None and why is None:
            checks.append(self._policy_check(request.policy, outcomes))
        accepted = all(check.outcome is not Outcome.FAILED for check in checks)
        return Answer(accepted, _verdict(outcomes, accepted), tuple(checks), outcomes)

    def wallet_refused(self, error: WalletError) -> Answer:
        """The answer of a wallet that refused (the holder declined, say)."""
        problem = Problem(POLICY_CODE, f"the wallet answered {error.error}", "error")
        return Answer(False, None, (Check.of("walletResponse", [problem]),), (), error)

    def failed(self) -> Answer:
        """The answer recorded when verifying it failed unexpectedly."""
        problem = Problem("VERIFICATION_FAILED", "the VP Token could not be verified", None)
        return Answer(False, None, (Check.of("vpToken", [problem]),))

    def _outcome(
        self, request: PresentationRequest, query: DcqlQuery, entry: Presentation
    ) -> PresentationOutcome:
        credential_query = query.credential(entry.query_id)
        assert credential_query is not None  # presentations_in checked the keys
        result = self._verify(request, entry)
        presented = self._presented(entry.format, result)
        if not result.verified:
            mismatch = None
        elif presented is None:
            mismatch = "a presentation for one Credential Query holds exactly one credential"
        else:
            mismatch = credential_mismatch(credential_query, presented)
        disclosed: tuple[tuple[tuple[PathComponent, ...], list[Any]], ...] = ()
        if presented is not None and result.verified:
            disclosed = tuple(
                (claim.path, select_claims(presented.claims, claim.path) or [])
                for claim in credential_query.claims
            )
        return PresentationOutcome(
            entry.query_id, entry.format, result, mismatch, _presentation_verdict(result), disclosed
        )

    def _verify(self, request: PresentationRequest, entry: Presentation) -> VerificationResult:
        if entry.format == SD_JWT_VC:
            assert self._sd_jwt is not None and isinstance(entry.value, str)
            return self._sd_jwt.verify(entry.value, nonce=request.nonce, audience=request.client_id)
        result = self._verifier.verify_presentation(
            entry.value, challenge=request.nonce, domain=request.client_id
        )
        self._observer.verified("presentation", result.verified)
        return result

    def _presented(
        self, credential_format: str, result: VerificationResult
    ) -> PresentedCredential | None:
        """The one credential a presentation discloses (None unless there is exactly one)."""
        if credential_format == SD_JWT_VC:
            claims = result.document or {}
            vct = claims.get("vct")
            return PresentedCredential(
                credential_format, claims, vct=vct if isinstance(vct, str) else None
            )
        if len(result.credentials) != 1 or result.credentials[0].document is None:
            return None
        document = result.credentials[0].document
        return PresentedCredential(credential_format, document, types=self._types.of(document))

    def _policy_check(
        self, policy: Mapping[str, Any], outcomes: Sequence[PresentationOutcome]
    ) -> Check:
        """The workflow's ``credentialTypes`` check over the credentials that matched."""
        recognitions = [
            RecognitionPolicy(
                credential_type=entry["credentialType"],
                recognized_by=entry["recognizedBy"],
                role=entry["recognizedRole"],
                arrangement=entry.get("arrangement"),
            )
            for entry in policy.get("acceptedRecognitions", [])
        ]
        named = {*policy.get("acceptedTypes", []), *(r.credential_type for r in recognitions)}
        credentials = tuple(
            credential
            for outcome in outcomes
            if outcome.matched
            for credential in self._as_credentials(outcome, named)
        )
        combined = VerificationResult("VpToken", "openid4vp", (), credentials=credentials)
        return accepted_types_check(combined, policy.get("acceptedTypes", []), recognitions)

    def _as_credentials(
        self, outcome: PresentationOutcome, type_names: Iterable[str]
    ) -> tuple[VerificationResult, ...]:
        """The credential results a policy reads: a W3C VP's credentials; an SD-JWT VC's
        disclosed claims as the ``credentialSubject`` of the type its ``vct`` stands for."""
        if outcome.format != SD_JWT_VC:
            return outcome.result.credentials
        result = outcome.result
        claims = result.document or {}
        vct = str(claims.get("vct"))
        document = {"type": [self._type_of_vct(vct, type_names) or vct], SUBJECT: claims}
        return (VerificationResult(result.kind, result.format, result.checks, document=document),)


def checked_formats(sd_jwt: SdJwtVerifier | None) -> tuple[str, ...]:
    """The formats checked: W3C always, SD-JWT VC with an SD-JWT VC verifier."""
    return FORMATS if sd_jwt is not None else W3C_FORMATS


def _presentation_verdict(result: VerificationResult) -> Verdict:
    """A presentation's verdict: its credentials' when it verified (a customs message
    shows), else the gravest of its own and its credentials'."""
    verdicts = [verdict_of(credential) for credential in result.credentials]
    if not result.verified:
        verdicts.append(verdict_of(result))
    return _gravest(verdicts) if verdicts else verdict_of(result)


def _verdict(outcomes: Sequence[PresentationOutcome], accepted: bool) -> Verdict | None:
    """The answer's verdict: of what was accepted, else the gravest presented."""
    if not outcomes:
        return None
    chosen = [outcome.verdict for outcome in outcomes if outcome.matched] if accepted else []
    return _gravest(chosen or [outcome.verdict for outcome in outcomes])


def _gravest(verdicts: Iterable[Verdict]) -> Verdict:
    return min(verdicts, key=GRAVITY.index)
