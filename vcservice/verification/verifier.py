"""Verify credentials and presentations, Data Integrity or VC-JOSE, into one result shape.

Cheap first, and nothing read that is not signed: the data model's shape (``structure``),
then the proof — which refuses any document not in the compact form its contexts define
(``vcservice.jsonld.compact_form``; that refusal is reported under ``structure``) — then
whether the issuer made it. Only a credential whose proof verified and whose issuer signed
it is checked further (trust, validity period, schema, status): every one of those reads
members of the JSON, and only then is the JSON known to say what was signed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from vcservice.clock import CLOCK_SKEW, Clock
from vcservice.dids.resolver import DidResolver
from vcservice.errors import ParsingError, Problem, VcError
from vcservice.jose import vc_jwt
from vcservice.jose.jws import decode_compact
from vcservice.jsonld.processor import SafeJsonLdProcessor
from vcservice.model import credential as vcdm
from vcservice.model.values import as_list, exact_json_digest
from vcservice.net import TtlCache
from vcservice.net.budget import fetch_budget
from vcservice.proofs.data_integrity import DataIntegrity, ProofVerification
from vcservice.proofs.purposes import ASSERTION_METHOD, AUTHENTICATION, ProofPurpose
from vcservice.trust.registry import IssuerTrust, TrustRegistry
from vcservice.verification.result import Check, Outcome, VerificationResult

DATA_INTEGRITY_FORMAT = "data-integrity"
COMPACT_FORM_ERROR = "COMPACT_FORM_ERROR"
# The checks that read the credential's members: run only once the JSON is known to be signed.
NO_STATUS_ENTRIES = "the credential has no credentialStatus"
_CHECKS_OF_SIGNED_DATA = ("issuerTrust", "validityPeriod", "credentialSchema", "status")
_PRESENTATION_CHECKS = ("structure", "proof", "holder", "credentials", "holderBinding")
FetchBudgetSize = tuple[float, int]
"""Seconds and fetches one verification may spend on the network (a presentation's
credentials share its budget)."""
MAX_PRESENTED_CREDENTIALS = 20
SCHEMA_ANSWERS_KEPT = 4096  # credentials whose schema answers are kept
_KEPT_SECONDS = 24 * 3600.0  # a bound on memory's age, not on correctness
"""Credentials one presentation may carry: each is a verification of its own."""
SELECTABLE_CHECKS = frozenset({*_CHECKS_OF_SIGNED_DATA, "holderBinding"})
"""The checks a caller may leave out; ``holderBinding`` is a presentation's. ``structure``,
``proof`` and ``issuer`` always run (a proof by a key the issuer does not control proves
nothing about the issuer's credential), as do a presentation's ``holder`` and challenge."""
NOT_REQUESTED = "not requested (options.checks)"


class StatusChecker(Protocol):
    """Checks a credential's ``credentialStatus`` entries (Bitstring Status List)."""

    def check(self, credential: Mapping[str, Any]) -> Check:
        """The ``status`` check for ``credential``."""
        ...


SchemaValidator = Callable[[Mapping[str, Any]], list[Problem] | None]
"""Problems of a credential against the schemas it names; None when none can be checked."""


@dataclass(frozen=True, slots=True)
class _Signed:
    """A document whose proof was checked: its shape, the proof check, who signed it, and
    the problems a JWT's registered claims have with it."""

    document: dict[str, Any]
    structure_check: Check
    proof_check: Check
    signers: tuple[str, ...]
    claims: vc_jwt.ClaimProblems = field(default_factory=vc_jwt.ClaimProblems)

    @property
    def proven(self) -> bool:
        """The proof verified: the document's members are what was signed."""
        return self.proof_check.outcome is Outcome.PASSED


class Verifier:
    """Verifies VCs and VPs; all dependencies (loader, resolver, clock, status) are injected."""

    def __init__(
        self,
        *,
        data_integrity: DataIntegrity,
        processor: SafeJsonLdProcessor,
        resolver: DidResolver,
        clock: Clock,
        status_checker: StatusChecker | None = None,
        trust_registry: IssuerTrust | None = None,
        schema_validator: SchemaValidator | None = None,
        clock_skew: timedelta = CLOCK_SKEW,
        fetch_budget: FetchBudgetSize | None = None,
        snapshot: Callable[[], AbstractContextManager[None]] = nullcontext,
        schema_answers: TtlCache[bytes, tuple[tuple[Problem, ...] | None]] | None = None,
    ) -> None:
        self._data_integrity = data_integrity
        self._processor = processor
        self._resolver = resolver
        self._clock = clock
        self._status_checker = status_checker
        self._trust_registry = trust_registry
        self._schema_validator = schema_validator
        self._clock_skew = clock_skew
        self._fetch_budget = fetch_budget
        self._snapshot = snapshot
        self._schema_answers = (
            TtlCache(max_entries=SCHEMA_ANSWERS_KEPT, max_ttl_seconds=_KEPT_SECONDS)
            if schema_answers is None
            else schema_answers
        )

    def trusting(self, trust_registry: IssuerTrust) -> Verifier:
        """This verifier, also checking issuers against ``trust_registry``."""
        return Verifier(
            data_integrity=self._data_integrity,
            processor=self._processor,
            resolver=self._resolver,
            clock=self._clock,
            status_checker=self._status_checker,
            trust_registry=trust_registry,
            schema_validator=self._schema_validator,
            clock_skew=self._clock_skew,
            fetch_budget=self._fetch_budget,
            snapshot=self._snapshot,
            schema_answers=self._schema_answers,
        )

    def forget(self) -> None:
        """Drop the kept schema answers (shared with ``trusting`` copies): the pinned
        schemas changed, and an answer may have been ``None`` (not pinned) or a gone one's."""
        self._schema_answers.clear()

    def verify(
        self,
        document: Mapping[str, Any] | str,
        *,
        challenge: str | None = None,
        domain: str | None = None,
    ) -> VerificationResult:
        """Verify a VC or VP given as JSON, an enveloped JSON object or a compact JWT."""
        if isinstance(document, str):
            typ = _jwt_typ(document)
            if typ == vc_jwt.VP_JWT:
                return self.verify_presentation(document, challenge=challenge, domain=domain)
            return self.verify_credential(document)
        if vcdm.VERIFIABLE_PRESENTATION in vcdm.types_of(document):
            return self.verify_presentation(document, challenge=challenge, domain=domain)
        return self.verify_credential(document)

    def verify_credential(
        self,
        credential: Mapping[str, Any] | str,
        *,
        checks: frozenset[str] = SELECTABLE_CHECKS,
        proof_purpose: str = ASSERTION_METHOD,
    ) -> VerificationResult:
        """Verify one credential: shape, proof, issuer binding; then, for a credential whose
        issuer signed it, trust, validity, schema and status. Of those, only ``checks`` run
        (the others are reported skipped, so a credential verifies without them); without
        ``issuer`` among them, a proof by any key confirms the members."""
        with self._one_verification():
            return self._verify_credential(credential, checks, proof_purpose)

    @contextmanager
    def _one_verification(self) -> Iterator[None]:
        """What one verification (a presentation's credentials included) runs within: one
        snapshot of the records ``snapshot`` stands for, and one network budget."""
        with self._snapshot(), self._network_budget():
            yield

    def _network_budget(self) -> AbstractContextManager[None]:
        """One verification's fetches (a presentation's, its credentials' included)."""
        if self._fetch_budget is None:
            return nullcontext()
        seconds, fetches = self._fetch_budget
        return fetch_budget(seconds=seconds, fetches=fetches)

    def _verify_credential(
        self, credential: Mapping[str, Any] | str, selected: frozenset[str], proof_purpose: str
    ) -> VerificationResult:
        unwrapped = _unwrap_enveloped(credential)
        if isinstance(unwrapped, str):
            fmt, signed = vc_jwt.VC_JWT, self._open_jwt(unwrapped, vc_jwt.VC_JWT)
        else:
            fmt = DATA_INTEGRITY_FORMAT
            signed = self._check_data_integrity(
                unwrapped, ProofPurpose(proof_purpose), structure=vcdm.credential_problems
            )
        if signed is None:
            return _unreadable("VerifiableCredential", fmt, unwrapped)
        document = signed.document
        issuer_check = _issuer_check(document, signed)
        checks = [signed.structure_check, signed.proof_check, issuer_check]
        if signed.proven and issuer_check.outcome is not Outcome.FAILED:
            run = {
                "issuerTrust": lambda: self._trust_check(document),
                "validityPeriod": lambda: self._validity_check(document, signed),
                "credentialSchema": lambda: self._schema_check(document),
                "status": lambda: self._status_check(document),
            }
            checks.extend(
                run[name]() if name in selected else Check.skipped(name, NOT_REQUESTED)
                for name in _CHECKS_OF_SIGNED_DATA
            )
        else:
            why = _unconfirmed_reason(signed, issuer_check)
            checks.extend(Check.skipped(name, why) for name in _CHECKS_OF_SIGNED_DATA)
        return VerificationResult(
            kind="VerifiableCredential", format=fmt, checks=tuple(checks), document=document
        )

    def verify_presentation(
        self,
        presentation: Mapping[str, Any] | str,
        *,
        challenge: str | None,
        domain: str | None,
        checks: frozenset[str] = SELECTABLE_CHECKS,
        proof_purpose: str = AUTHENTICATION,
    ) -> VerificationResult:
        """Verify a presentation, its binding to ``challenge``/``domain``, and each credential
        (with ``checks``, as ``verify_credential``)."""
        with self._one_verification():
            return self._verify_presentation(
                presentation,
                challenge=challenge,
                domain=domain,
                checks=checks,
                proof_purpose=proof_purpose,
            )

    def _verify_presentation(
        self,
        presentation: Mapping[str, Any] | str,
        *,
        challenge: str | None,
        domain: str | None,
        checks: frozenset[str],
        proof_purpose: str,
    ) -> VerificationResult:
        unwrapped = _unwrap_enveloped(presentation)
        if isinstance(unwrapped, str):
            fmt, signed = (
                vc_jwt.VP_JWT,
                self._open_jwt(unwrapped, vc_jwt.VP_JWT, challenge=challenge, domain=domain),
            )
        else:
            fmt = DATA_INTEGRITY_FORMAT
            purpose = ProofPurpose(proof_purpose, challenge=challenge, domain=domain)
            signed = self._check_data_integrity(
                unwrapped, purpose, structure=vcdm.presentation_problems
            )
        if signed is None:
            return _unreadable("VerifiablePresentation", fmt, unwrapped)
        document = signed.document
        if not signed.proven:
            # Cheap first: an unproven presentation's credentials are not worth checking.
            return VerificationResult(
                kind="VerifiablePresentation",
                format=fmt,
                checks=(
                    signed.structure_check,
                    signed.proof_check,
                    *(
                        Check.skipped(name, _unconfirmed_reason(signed, None))
                        for name in ("holder", "credentials", "holderBinding")
                    ),
                ),
                document=document,
            )
        presented = as_list(document.get("verifiableCredential"))
        if len(presented) > MAX_PRESENTED_CREDENTIALS:
            return _too_many_credentials(fmt, signed, len(presented))
        credentials = tuple(
            self._verify_credential(entry, checks, ASSERTION_METHOD) for entry in presented
        )
        return VerificationResult(
            kind="VerifiablePresentation",
            format=fmt,
            checks=(
                signed.structure_check,
                signed.proof_check,
                _holder_check(document, signed),
                Check.of("credentials", _credential_problems(credentials)),
                _holder_binding_check(credentials, signed)
                if "holderBinding" in checks
                else Check.skipped("holderBinding", NOT_REQUESTED),
            ),
            document=document,
            credentials=credentials,
        )

    def not_checked(self, presentation: Mapping[str, Any] | str, *, why: str) -> VerificationResult:
        """A presentation left unchecked (say, for a challenge that was refused): every check
        skipped with ``why``, nothing resolved, fetched or verified."""
        unwrapped = _unwrap_enveloped(presentation)
        return VerificationResult(
            kind="VerifiablePresentation",
            format=vc_jwt.VP_JWT if isinstance(unwrapped, str) else DATA_INTEGRITY_FORMAT,
            checks=tuple(Check.skipped(name, why) for name in _PRESENTATION_CHECKS),
            document=unwrapped if isinstance(unwrapped, dict) else None,
        )

    def _check_data_integrity(
        self,
        document: Any,
        purpose: ProofPurpose,
        *,
        structure: Callable[[Mapping[str, Any]], list[Problem]],
    ) -> _Signed | None:
        if not isinstance(document, dict):
            return None
        shape = structure(document)
        results = (
            []
            if shape
            else self._data_integrity.verify(document, purpose=purpose, now=self._clock.now())
        )
        # A verified proof read the whole document through the compact-form rule; on every
        # other path, ask the rule, so that another spelling is named as such. Of a
        # well-formed document without a proof only the top level is read: that is where a
        # proof spelled otherwise would be, and NO_PROOF is the answer whatever lies deeper.
        compact = _compact_form_problems(results)
        if not compact and (not results or not all(result.verified for result in results)):
            compact = self._compact_form(document, top_level_only=not shape and not results)
        if compact or shape:
            return _Signed(
                document=document,
                structure_check=Check.of("structure", [*compact, *shape]),
                proof_check=Check.skipped("proof", "not checked: the document is malformed"),
                signers=(),
            )
        return _Signed(
            document=document,
            structure_check=Check.of("structure", []),
            proof_check=_proof_check(results),
            signers=tuple(r.controller for r in results if r.verified and r.controller),
        )

    def _compact_form(
        self, document: Mapping[str, Any], *, top_level_only: bool = False
    ) -> list[Problem]:
        """The compact-form rule's refusal of ``document``, if any (and its contexts')."""
        try:
            self._processor.check_compact_form(document, top_level_only=top_level_only)
        except VcError as error:
            return [error.to_problem()]
        return []

    def _open_jwt(
        self, token: str, typ: str, *, challenge: str | None = None, domain: str | None = None
    ) -> _Signed | None:
        try:
            opened = vc_jwt.open_jwt(token, resolver=self._resolver, expected_typ=typ)
        except VcError as error:
            return _unverified_jwt(token, error)
        document = opened.document
        claims = vc_jwt.claim_problems(opened, now=self._clock.now(), skew=self._clock_skew)
        structure = [
            *(vcdm.credential_problems if typ == vc_jwt.VC_JWT else vcdm.presentation_problems)(
                document
            ),
            *claims.structure,
        ]
        problems = [
            *claims.proof,
            *(claims.validity if typ == vc_jwt.VP_JWT else ()),  # a credential's: validityPeriod
            *_jwt_binding_problems(opened.claims, challenge=challenge, domain=domain),
        ]
        if structure:
            structure[:0] = self._compact_form(document)
        else:
            try:
                self._processor.check(document)
            except VcError as error:
                (structure if error.code == COMPACT_FORM_ERROR else problems).append(
                    error.to_problem()
                )
        detail = f"{typ} {opened.algorithm} by {opened.verification_method.id}"
        proof_check = (
            Check.skipped("proof", "not checked: the payload is not a well-formed document")
            if structure
            else Check.of("proof", problems, detail=detail)
        )
        proven = proof_check.outcome is Outcome.PASSED
        return _Signed(
            document=document,
            structure_check=Check.of("structure", structure),
            proof_check=proof_check,
            signers=(opened.verification_method.controller,) if proven else (),
            claims=claims,
        )

    def _trust_check(self, credential: Mapping[str, Any]) -> Check:
        if self._trust_registry is None:
            return Check.skipped("issuerTrust", "no trust registry configured")
        issuer = vcdm.issuer_id(credential)
        registry = self._trust_registry.about(issuer) if issuer else TrustRegistry(())
        decision = registry.check(issuer, vcdm.types_of(credential), self._clock.now())
        name = registry.display_name(issuer) if issuer else None
        if decision.problems:
            return Check.of("issuerTrust", decision.problems)
        detail = None if name is None else f"accredited issuer {name}"
        return Check.of("issuerTrust", [], detail=detail, trusted_by=decision.trusted_by)

    def _validity_check(self, credential: Mapping[str, Any], signed: _Signed) -> Check:
        try:
            problems = vcdm.validity_problems(credential, self._clock.now())
        except VcError as error:
            problems = [error.to_problem()]
        return Check.of("validityPeriod", [*problems, *signed.claims.validity])

    def _schema_check(self, credential: Mapping[str, Any]) -> Check:
        if "credentialSchema" not in credential:
            return Check.skipped("credentialSchema", "the credential names no schema")
        problems = self._schema_problems(credential)
        if problems is None:
            return Check.skipped("credentialSchema", "the credential's schema is not pinned here")
        return Check.of("credentialSchema", problems)

    def _schema_problems(self, credential: Mapping[str, Any]) -> list[Problem] | None:
        """The schema validator's answer, kept for the exact credential (it is pure: the
        pinned schemas and rules of the credential's data)."""
        if self._schema_validator is None:
            return None
        key = exact_json_digest(credential)
        kept = self._schema_answers.get(key)
        if kept is None:
            answer = self._schema_validator(credential)
            kept = (None if answer is None else tuple(answer),)
            self._schema_answers.put(key, kept)
        return None if kept[0] is None else list(kept[0])

    def _status_check(self, credential: Mapping[str, Any]) -> Check:
        if "credentialStatus" not in credential:
            return Check.skipped("status", NO_STATUS_ENTRIES)
        if self._status_checker is None:
            return Check.skipped("status", "status checking is not configured here")
        return self._status_checker.check(credential)


def _proof_check(results: list[ProofVerification]) -> Check:
    if not results:
        return Check.of("proof", [Problem("NO_PROOF", "the document carries no proof", "proof")])
    problems = [problem for result in results for problem in result.problems]
    detail = "; ".join(
        f"{result.proof.get('cryptosuite', result.proof.get('type'))} "
        f"by {result.verification_method}"
        for result in results
        if isinstance(result.proof, Mapping)
    )
    return Check.of("proof", problems, detail=detail or None)


def _issuer_check(credential: Mapping[str, Any], signed: _Signed) -> Check:
    return _binding_check("issuer", vcdm.issuer_id(credential), signed, code="INVALID_ISSUER")


def _too_many_credentials(fmt: str, signed: _Signed, count: int) -> VerificationResult:
    problem = Problem(
        "MALFORMED_VALUE_ERROR",
        f"the presentation carries {count} credentials; at most "
        f"{MAX_PRESENTED_CREDENTIALS} are verified in one",
        "verifiableCredential",
    )
    return VerificationResult(
        kind="VerifiablePresentation",
        format=fmt,
        checks=(
            signed.structure_check,
            signed.proof_check,
            Check.skipped("holder", "not checked: too many credentials"),
            Check.of("credentials", [problem]),
            Check.skipped("holderBinding", "not checked: too many credentials"),
        ),
        document=signed.document,
    )


def _compact_form_problems(results: list[ProofVerification]) -> list[Problem]:
    """The compact-form refusals among the proofs' problems, each once."""
    found = {
        (problem.code, problem.detail, problem.field): problem
        for result in results
        for problem in result.problems
        if problem.code == COMPACT_FORM_ERROR
    }
    return list(found.values())


def _unconfirmed_reason(signed: _Signed, issuer_check: Check | None) -> str:
    if signed.structure_check.outcome is Outcome.FAILED:
        return "not checked: the document is malformed, so its members are unconfirmed"
    if not signed.proven:
        return "not checked: the proof did not verify, so the document's members are unconfirmed"
    if issuer_check is not None and issuer_check.outcome is not Outcome.PASSED:
        return "not checked: the issuer did not sign this credential"
    return "not checked"


def _holder_check(presentation: Mapping[str, Any], signed: _Signed) -> Check:
    holder = vcdm.id_of(presentation.get("holder"))
    if holder is None:
        return Check.skipped("holder", "the presentation names no holder")
    return _binding_check("holder", holder, signed, code="INVALID_HOLDER")


def _binding_check(role: str, claimed: str | None, signed: _Signed, *, code: str) -> Check:
    """Whether the ``issuer``/``holder`` named in the document made a verified proof (and a
    JWT's ``iss`` names it)."""
    if not signed.signers:
        return Check.skipped(role, f"no verified proof to bind the {role} to")
    problems = list(signed.claims.issuer)
    if claimed not in signed.signers:
        signers = ", ".join(signed.signers)
        problems.append(
            Problem(code, f"{role} is {claimed} but the proof was made by {signers}", role)
        )
    return Check.of(role, problems, detail=None if problems else f"signed by the {role} {claimed}")


def _holder_binding_check(credentials: tuple[VerificationResult, ...], signed: _Signed) -> Check:
    """Whether a signer of the presentation controls every verified credential's subject
    (its ``id``, or its ``member.id``: ``vcdm.holder_ids_of``)."""
    if not signed.signers:
        return Check.skipped("holderBinding", "no verified presentation proof to bind to")
    problems = []
    for index, result in enumerate(credentials):
        if not result.verified or result.document is None:
            continue
        where = f"verifiableCredential[{index}]"
        ids = vcdm.holder_ids_of(result.document)
        if not ids or len(ids) != len(vcdm.subjects_of(result.document)):
            detail = (
                f"{where} has a credentialSubject without an id (or a member with one), "
                "so it binds to no holder"
            )
            problems.append(Problem("HOLDER_BINDING_ERROR", detail, where))
            continue
        strangers = [subject for subject in dict.fromkeys(ids) if subject not in signed.signers]
        if strangers:
            detail = (
                f"{where} is about {', '.join(strangers)} "
                f"but the presentation was signed by {', '.join(signed.signers)}"
            )
            problems.append(Problem("HOLDER_BINDING_ERROR", detail, where))
    return Check.of("holderBinding", problems)


def _credential_problems(results: tuple[VerificationResult, ...]) -> list[Problem]:
    return [
        Problem(
            "INVALID_CREDENTIAL",
            f"verifiableCredential[{index}] does not verify: "
            + ", ".join(p.code for p in result.problems),
            f"verifiableCredential[{index}]",
        )
        for index, result in enumerate(results)
        if not result.verified
    ]


def _jwt_binding_problems(
    claims: Mapping[str, Any], *, challenge: str | None, domain: str | None
) -> list[Problem]:
    problems = []
    if challenge is not None and claims.get("nonce") != challenge:
        problems.append(
            Problem(
                "INVALID_CHALLENGE_ERROR",
                "the presentation's nonce does not match the challenge",
                "nonce",
            )
        )
    if domain is not None and domain not in as_list(claims.get("aud")):
        problems.append(
            Problem(
                "INVALID_DOMAIN_ERROR",
                f"the presentation's audience does not include {domain!r}",
                "aud",
            )
        )
    return problems


def _unwrap_enveloped(document: Mapping[str, Any] | str) -> Any:
    """An EnvelopedVerifiableCredential/Presentation becomes its JWT; others pass through."""
    if isinstance(document, Mapping) and any(
        t.startswith("Enveloped") for t in vcdm.types_of(document)
    ):
        data_url = document.get("id")
        if isinstance(data_url, str):
            try:
                return vc_jwt.token_from_enveloped_id(data_url)[1]
            except VcError:
                return None
        return None
    return document


def _jwt_typ(token: str) -> str | None:
    try:
        return vc_jwt.peek_typ(token)
    except VcError:
        return None


def _unverified_jwt(token: str, error: VcError) -> _Signed | None:
    """A JWT whose signature failed: its payload is still shown, flagged as unverified."""
    try:
        payload = _decode_unverified(token)
    except VcError:
        return None
    return _Signed(
        document=payload,
        structure_check=Check.skipped("structure", "not checked: the JWT's signature failed"),
        proof_check=Check.of("proof", [error.to_problem()]),
        signers=(),
    )


def _decode_unverified(token: str) -> dict[str, Any]:
    payload = decode_compact(token).payload_json()
    if not isinstance(payload, dict):
        raise ParsingError("the JWS payload must be a JSON object", field="payload")
    return {key: value for key, value in payload.items() if key not in vc_jwt.JWT_CLAIMS}


def _unreadable(kind: str, fmt: str, document: Any) -> VerificationResult:
    problem = Problem("PARSING_ERROR", f"the {kind} could not be read as JSON or a JWT", None)
    return VerificationResult(kind=kind, format=fmt, checks=(Check.of("structure", [problem]),))
