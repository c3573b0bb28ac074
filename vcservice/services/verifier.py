"""Verification as a service: single-use challenges, and credentials and presentations checked.

A challenge this verifier issued is accepted once, unexpired: it is consumed (once, by the
database) before the presentation's proof is checked, so a replay — even a concurrent one —
fails ``INVALID_CHALLENGE_ERROR``, and a challenge issued for a domain binds the presentation
to that domain as well. Each caller holds open challenges within its quota
(``services.quotas``). An authenticated client (VC API) may instead bring a challenge of its
own, and a domain: the proof must name them, but this verifier cannot know whether the client
used them before, so they are matched, not consumed, and the result says so. An anonymous
caller may present only for a challenge issued here.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from vcservice.clock import Clock
from vcservice.errors import Problem
from vcservice.model import credential as vcdm
from vcservice.model.checks import Check
from vcservice.model.datetimes import format_datetime
from vcservice.model.records import AuditAction
from vcservice.model.requester import Requester
from vcservice.proofs.purposes import ASSERTION_METHOD, AUTHENTICATION
from vcservice.services.audit import audit_event
from vcservice.services.core import Core
from vcservice.services.observer import NO_OBSERVER, Observer
from vcservice.services.quotas import Quotas, too_many
from vcservice.storage.repository import LimitReached, Store
from vcservice.trust.registry import IssuerTrust
from vcservice.verification.result import Outcome, VerificationResult
from vcservice.verification.verdict import Verdict, verdict_of
from vcservice.verification.verifier import SELECTABLE_CHECKS

CHALLENGE_TTL = timedelta(minutes=5)  # a client's; an anonymous caller's is shorter
CHALLENGE_BYTES = 24  # 32 URL-safe characters
# What this verifier's challenges begin with ('.' is no URL-safe base64 character): one is
# known as this verifier's even once purged, so it is never taken for a caller's own.
CHALLENGE_PREFIX = "vcs."


def record_reference() -> str:
    """A reference a person can read out and type: ``VR-`` and 12 base32 characters."""
    letters = base64.b32encode(secrets.token_bytes(8)).decode()[:12]
    return "VR-" + "-".join(letters[start : start + 4] for start in range(0, 12, 4))


def random_challenge() -> str:
    """A fresh, unguessable challenge value, marked as this verifier's."""
    return CHALLENGE_PREFIX + secrets.token_urlsafe(CHALLENGE_BYTES)


class VerifierService:
    """Issues challenges; verifies credentials and presentations, issuers against ``trust``."""

    def __init__(
        self,
        *,
        core: Core,
        store: Store,
        clock: Clock,
        trust: IssuerTrust,
        quotas: Quotas,
        challenge_ttl: timedelta = CHALLENGE_TTL,
        observer: Observer = NO_OBSERVER,
    ) -> None:
        if challenge_ttl <= timedelta(0):
            raise ValueError("challenges need a positive lifetime")
        self._verifier = core.verifier.trusting(trust)
        self._challenges = store.challenges
        self._audit = store.audit
        self._clock = clock
        self._quotas = quotas
        self._ttl = challenge_ttl
        self._observer = observer

    def new_challenge(self, domain: str | None, *, requester: Requester) -> tuple[str, datetime]:
        """A fresh single-use challenge (optionally bound to ``domain``) and its expiry.

        A client's lives ``challenge_ttl``, an anonymous caller's less. TOO_MANY_CHALLENGES
        (retry when one expires) when ``requester`` holds its quota of open challenges
        (unused, unexpired), or anonymous callers together theirs.
        """
        now = self._clock.now()
        lifetime = self._quotas.anonymous_challenge if requester.anonymous else self._ttl
        limit = self._quotas.limit_for(requester)
        issued = self._challenges.issue(
            random_challenge(),
            domain=domain,
            expires_at=now + lifetime,
            created_at=now,
            caller=requester.key,
            limit=limit,
        )
        if isinstance(issued, LimitReached):
            raise too_many("challenges", "TOO_MANY_CHALLENGES", limit, issued, self._clock.now())
        return issued.challenge, issued.expires_at

    def hold_exchange_challenge(
        self, challenge: str, *, domain: str | None, created_at: datetime, expires_at: datetime
    ) -> None:
        """Keep the challenge of an exchange just stored: it has no caller of its own (the
        exchange counts against its caller's quota)."""
        self._challenges.issue(
            challenge, domain=domain, expires_at=expires_at, created_at=created_at
        )

    def purge_expired(self) -> int:
        """Delete the challenges expired by now, used or not; how many went."""
        return self._challenges.purge_expired(self._clock.now())

    def verify_credential(
        self,
        document: Mapping[str, Any] | str,
        *,
        checks: frozenset[str] = SELECTABLE_CHECKS,
        proof_purpose: str = ASSERTION_METHOD,
    ) -> VerificationResult:
        """Verify one credential (JSON, enveloped, or a compact ``vc+jwt``); ``checks`` and
        ``proof_purpose`` as ``Verifier.verify_credential`` takes them."""
        result = self._verifier.verify_credential(
            document, checks=checks, proof_purpose=proof_purpose
        )
        self._observer.verified("credential", result.verified)
        return result

    def record_check(
        self, result: VerificationResult, *, entry_number: str | None = None
    ) -> tuple[str, datetime, Verdict]:
        """Keep a person's check of a credential in the audit log, optionally tied to a
        customs entry (pedimento); its reference, when it was recorded, and its verdict.

        The record names what was checked only as the result gives it (the credential's
        id, types and issuer, whether or not its signature held) beside the verdict.
        """
        verdict = verdict_of(result)
        document = result.document or {}
        details: dict[str, Any] = {
            "verdict": verdict.value,
            "verified": result.verified,
            "credentialId": vcdm.id_of(document),
            "credentialTypes": vcdm.types_of(document),
            "issuer": vcdm.issuer_id(document),
            "codes": [problem.code for problem in result.problems],
        }
        if entry_number:
            details["entryNumber"] = entry_number
        event = audit_event(
            self._clock,
            AuditAction.VERIFICATION_RECORDED,
            subject=record_reference(),
            authority=None,
            details=details,
        )
        self._audit.append(event)
        return event.subject, event.recorded_at, verdict

    def verify_credentials(
        self,
        documents: Sequence[Mapping[str, Any] | str],
        *,
        checks: frozenset[str] = SELECTABLE_CHECKS,
        proof_purpose: str = ASSERTION_METHOD,
    ) -> list[VerificationResult]:
        """Verify each credential as ``verify_credential`` does, the results in their order."""
        return [
            self.verify_credential(document, checks=checks, proof_purpose=proof_purpose)
            for document in documents
        ]

    def verify_presentation(
        self,
        document: Mapping[str, Any] | str,
        *,
        challenge: str | None,
        domain: str | None,
        requester: Requester | None = None,
        checks: frozenset[str] = SELECTABLE_CHECKS,
        proof_purpose: str = AUTHENTICATION,
    ) -> VerificationResult:
        """Verify a presentation made for ``challenge`` and ``domain``, and its credentials
        (with ``checks``).

        A challenge issued here is consumed; one it did not issue is accepted only from an
        authenticated ``requester`` (matched, not consumed), as is no challenge at all
        (reported skipped: the presentation may be a replay). Without ``domain``, the
        domain the challenge was issued for is expected. The ``challenge`` (and, when
        either side names one, ``domain``) checks come first in the result, then the
        core's checks of the presentation and its credentials.

        The challenge is looked at first and consumed last, in one conditional update: a
        verification that stops before its end (to wait for the network elsewhere:
        ``api.offload``) leaves it open, and of two verifications of one presentation at
        once only the one that consumes it can verify.
        """
        client = requester is not None and not requester.anonymous
        binding, expected_domain, open_challenge = self._binding_checks(
            challenge, domain, client=client
        )
        if any(check.outcome is Outcome.FAILED for check in binding):
            # Cheap first: a presentation for no challenge of ours is worth no more work.
            why = "not checked: the presentation answers no open challenge of this verifier"
            core_result = self._verifier.not_checked(document, why=why)
        else:
            core_result = self._verifier.verify_presentation(
                document,
                challenge=challenge,
                domain=expected_domain,
                checks=checks,
                proof_purpose=proof_purpose,
            )
        if open_challenge is not None:
            binding = self._consumed(open_challenge, binding)
        result = core_result.with_checks((*binding, *core_result.checks))
        self._observer.verified("presentation", result.verified)
        return result

    def _consumed(self, challenge: str, binding: tuple[Check, ...]) -> tuple[Check, ...]:
        """Consume the open ``challenge`` the ``binding`` checks passed; if another
        verification consumed it meanwhile, the challenge check fails."""
        now = self._clock.now()
        if self._challenges.consume(challenge, now=now) is not None:
            return binding
        refused = Check.of("challenge", [self._why_refused(challenge, now)])
        return (refused, *(check for check in binding if check.name != "challenge"))

    def _binding_checks(
        self, challenge: str | None, domain: str | None, *, client: bool
    ) -> tuple[tuple[Check, ...], str | None, str | None]:
        """The ``challenge`` and ``domain`` checks, the domain the proof must name, and the
        challenge to consume once verified (``client``: the caller is authenticated, and may
        bring its own challenge)."""
        if challenge is None:
            if client:
                why = "no options.challenge: the presentation may be a replay"
                return (Check.skipped("challenge", why),), domain, None
            problem = _challenge_problem("options.challenge is required (POST /challenges)")
            return (Check.of("challenge", [problem]),), domain, None
        now = self._clock.now()
        found = self._challenges.get(challenge)
        if found is None or found.used_at is not None or found.expires_at <= now:
            own = not challenge.startswith(CHALLENGE_PREFIX)
            if client and own and found is None:
                detail = "the caller's own, not consumed here: the proof check compares it"
                return (Check.of("challenge", [], detail=detail),), domain, None
            return (Check.of("challenge", [self._why_refused(challenge, now)]),), domain, None
        issued = format_datetime(found.created_at)
        checks = [Check.of("challenge", [], detail=f"issued by this verifier at {issued}")]
        issued_for = found.domain
        if issued_for is not None and domain is not None and domain != issued_for:
            problem = Problem(
                "INVALID_DOMAIN_ERROR",
                f"the challenge was issued for {issued_for!r}, not {domain!r}",
                "options.domain",
            )
            checks.append(Check.of("domain", [problem]))
        elif issued_for is not None:
            checks.append(Check.of("domain", [], detail=f"the challenge's domain {issued_for}"))
        return tuple(checks), domain if domain is not None else issued_for, challenge

    def _why_refused(self, challenge: str, now: datetime) -> Problem:
        """Why ``challenge`` cannot be used: unknown, already used, or expired."""
        found = self._challenges.get(challenge)
        if found is None and challenge.startswith(CHALLENGE_PREFIX):
            return _challenge_problem("the challenge is this verifier's, and no longer open")
        if found is None:
            return _challenge_problem("the challenge was not issued by this verifier")
        if found.used_at is not None:
            return _challenge_problem(
                f"the challenge was already used at {format_datetime(found.used_at)}"
            )
        if found.expires_at <= now:
            expired = format_datetime(found.expires_at)
            return _challenge_problem(f"the challenge expired at {expired}")
        return _challenge_problem("the challenge could not be used")


def _challenge_problem(detail: str) -> Problem:
    return Problem("INVALID_CHALLENGE_ERROR", detail, "options.challenge")
