"""Verify credentials and presentations, Data Integrity or VC-JOSE, into one result shape."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from vcservice.clock import Clock
from vcservice.dids.resolver import DidResolver
from vcservice.errors import ParsingError, Problem, VcError
from vcservice.jose import vc_jwt
from vcservice.jose.jws import decode_compact
from vcservice.jsonld.processor import SafeJsonLdProcessor
from vcservice.model import credential as vcdm
from vcservice.model.values import as_list
from vcservice.proofs.data_integrity import DataIntegrity, ProofVerification
from vcservice.proofs.purposes import AUTHENTICATION, ProofPurpose
from vcservice.trust.registry import IssuerTrust, TrustRegistry
from vcservice.verification.result import Check, Outcome, VerificationResult

DATA_INTEGRITY_FORMAT = "data-integrity"


class StatusChecker(Protocol):
    """Checks a credential's ``credentialStatus`` entries (Bitstring Status List)."""

    def check(self, credential: Mapping[str, Any]) -> Check:
        """The ``status`` check for ``credential``."""
        ...


SchemaValidator = Callable[[Mapping[str, Any]], list[Problem] | None]
"""Problems of a credential against the schemas it names; None when none can be checked."""


@dataclass(frozen=True, slots=True)
class _Signed:
    """A document whose proof was checked: the proof check and who signed it."""

    document: dict[str, Any]
    proof_check: Check
    signers: tuple[str, ...]


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
    ) -> None:
        self._data_integrity = data_integrity
        self._processor = processor
        self._resolver = resolver
        self._clock = clock
        self._status_checker = status_checker
        self._trust_registry = trust_registry
        self._schema_validator = schema_validator

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
        )

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

    def verify_credential(self, credential: Mapping[str, Any] | str) -> VerificationResult:
        """Verify one credential: shape, proof, issuer binding and trust, validity, status."""
        unwrapped = _unwrap_enveloped(credential)
        if isinstance(unwrapped, str):
            fmt, signed = vc_jwt.VC_JWT, self._open_jwt(unwrapped, vc_jwt.VC_JWT)
        else:
            fmt = DATA_INTEGRITY_FORMAT
            signed = self._check_data_integrity(unwrapped, ProofPurpose())
        if signed is None:
            return _unreadable("VerifiableCredential", fmt, unwrapped)
        document = signed.document
        checks = [Check.of("structure", vcdm.credential_problems(document)), signed.proof_check]
        issuer_check = _issuer_check(document, signed)
        checks.append(issuer_check)
        checks.append(self._trust_check(document, issuer_check))
        checks.append(self._validity_check(document))
        checks.append(self._schema_check(document))
        checks.append(self._status_check(document))
        return VerificationResult(
            kind="VerifiableCredential", format=fmt, checks=tuple(checks), document=document
        )

    def verify_presentation(
        self,
        presentation: Mapping[str, Any] | str,
        *,
        challenge: str | None,
        domain: str | None,
    ) -> VerificationResult:
        """Verify a presentation, its binding to ``challenge``/``domain``, and each credential."""
        unwrapped = _unwrap_enveloped(presentation)
        if isinstance(unwrapped, str):
            fmt, signed = (
                vc_jwt.VP_JWT,
                self._open_jwt(unwrapped, vc_jwt.VP_JWT, challenge=challenge, domain=domain),
            )
        else:
            fmt = DATA_INTEGRITY_FORMAT
            purpose = ProofPurpose(AUTHENTICATION, challenge=challenge, domain=domain)
            signed = self._check_data_integrity(unwrapped, purpose)
        if signed is None:
            return _unreadable("VerifiablePresentation", fmt, unwrapped)
        document = signed.document
        credentials = tuple(
            self.verify_credential(entry) for entry in as_list(document.get("verifiableCredential"))
        )
        checks = (
            Check.of("structure", vcdm.presentation_problems(document)),
            signed.proof_check,
            _holder_check(document, signed),
            Check.of("credentials", _credential_problems(credentials)),
            _holder_binding_check(credentials, signed),
        )
        return VerificationResult(
            kind="VerifiablePresentation",
            format=fmt,
            checks=checks,
            document=document,
            credentials=credentials,
        )

    def _check_data_integrity(self, document: Any, purpose: ProofPurpose) -> _Signed | None:
        if not isinstance(document, dict):
            return None
        results = self._data_integrity.verify(document, purpose=purpose, now=self._clock.now())
        return _Signed(
            document=document,
            proof_check=_proof_check(results),
            signers=tuple(r.controller for r in results if r.verified and r.controller),
        )

    def _open_jwt(
        self, token: str, typ: str, *, challenge: str | None = None, domain: str | None = None
    ) -> _Signed | None:
        try:
            opened = vc_jwt.open_jwt(token, resolver=self._resolver, expected_typ=typ)
        except VcError as error:
            return _unverified_jwt(token, error)
        problems = _jwt_binding_problems(opened.claims, challenge=challenge, domain=domain)
        try:
            self._processor.to_quads(opened.document)
        except VcError as error:
            problems.append(error.to_problem())
        detail = f"{typ} {opened.algorithm} by {opened.verification_method.id}"
        return _Signed(
            document=opened.document,
            proof_check=Check.of("proof", problems, detail=detail),
            signers=() if problems else (opened.verification_method.controller,),
        )

    def _trust_check(self, credential: Mapping[str, Any], issuer_check: Check) -> Check:
        if self._trust_registry is None:
            return Check.skipped("issuerTrust", "no trust registry configured")
        if issuer_check.outcome is not Outcome.PASSED:
            return Check.skipped(
                "issuerTrust", "the issuer is not bound to a verified proof, so trust is moot"
            )
        issuer = vcdm.issuer_id(credential)
        registry = self._trust_registry.about(issuer) if issuer else TrustRegistry(())
        problems = registry.check(issuer, vcdm.types_of(credential), self._clock.now())
        name = registry.display_name(issuer) if issuer else None
        detail = None if problems or name is None else f"accredited issuer {name}"
        return Check.of("issuerTrust", problems, detail=detail)

    def _validity_check(self, credential: Mapping[str, Any]) -> Check:
        try:
            problems = vcdm.validity_problems(credential, self._clock.now())
        except VcError as error:
            problems = [error.to_problem()]
        return Check.of("validityPeriod", problems)

    def _schema_check(self, credential: Mapping[str, Any]) -> Check:
        if "credentialSchema" not in credential:
            return Check.skipped("credentialSchema", "the credential names no schema")
        problems = self._schema_validator(credential) if self._schema_validator else None
        if problems is None:
            return Check.skipped("credentialSchema", "the credential's schema is not pinned here")
        return Check.of("credentialSchema", problems)

    def _status_check(self, credential: Mapping[str, Any]) -> Check:
        if "credentialStatus" not in credential:
            return Check.skipped("status", "the credential has no credentialStatus")
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


def _holder_check(presentation: Mapping[str, Any], signed: _Signed) -> Check:
    holder = vcdm.id_of(presentation.get("holder"))
    if holder is None:
        return Check.skipped("holder", "the presentation names no holder")
    return _binding_check("holder", holder, signed, code="INVALID_HOLDER")


def _binding_check(role: str, claimed: str | None, signed: _Signed, *, code: str) -> Check:
    """Whether the ``issuer``/``holder`` named in the document made a verified proof."""
    if not signed.signers:
        return Check.skipped(role, f"no verified proof to bind the {role} to")
    if claimed in signed.signers:
        return Check.of(role, [], detail=f"signed by the {role} {claimed}")
    signers = ", ".join(signed.signers)
    return Check.of(
        role, [Problem(code, f"{role} is {claimed} but the proof was made by {signers}", role)]
    )


def _holder_binding_check(credentials: tuple[VerificationResult, ...], signed: _Signed) -> Check:
    """Whether a signer of the presentation controls every verified credential's subject."""
    if not signed.signers:
        return Check.skipped("holderBinding", "no verified presentation proof to bind to")
    problems = []
    for index, result in enumerate(credentials):
        if not result.verified or result.document is None:
            continue
        where = f"verifiableCredential[{index}]"
        subjects = [vcdm.id_of(subject) for subject in vcdm.subjects_of(result.document)]
        ids = [subject for subject in subjects if subject is not None]
        if not ids or len(ids) != len(subjects):
            detail = f"{where} has a credentialSubject without an id, so it binds to no holder"
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
        document=payload, proof_check=Check.of("proof", [error.to_problem()]), signers=()
    )


def _decode_unverified(token: str) -> dict[str, Any]:
    payload = decode_compact(token).payload_json()
    if not isinstance(payload, dict):
        raise ParsingError("the JWS payload must be a JSON object", field="payload")
    return {key: value for key, value in payload.items() if key not in vc_jwt.JWT_CLAIMS}


def _unreadable(kind: str, fmt: str, document: Any) -> VerificationResult:
    problem = Problem("PARSING_ERROR", f"the {kind} could not be read as JSON or a JWT", None)
    return VerificationResult(kind=kind, format=fmt, checks=(Check.of("structure", [problem]),))
