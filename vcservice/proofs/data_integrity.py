"""Data Integrity proofs: add and verify proofs, proof sets and proof chains.

The suites in ``vcservice.proofs.suites`` share one algorithm (VC Data Integrity
1.0 with the RDFC transformation): the proof configuration is the proof without
``proofValue`` and with the document's ``@context``; the signed bytes are
H(canonical proof configuration) ‖ H(canonical document). The legacy JWS suites
(Ed25519Signature2018, JsonWebSignature2020: Linked Data Signatures, whose "proof options"
are this configuration without ``jws``) sign those bytes as the unencoded payload of the
detached JWS in ``jws`` (``vcservice.proofs.detached_jws``).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from vcservice.clock import CLOCK_SKEW
from vcservice.dids.resolver import DidResolver, dereference_verification_method
from vcservice.errors import Problem, ProofError, VcError
from vcservice.keys import Signer
from vcservice.keys.multibase import base58btc_decode, base58btc_encode
from vcservice.model.credential import CREDENTIALS_V1
from vcservice.model.datetimes import format_datetime
from vcservice.model.values import as_list
from vcservice.proofs.cryptosuite import DATA_INTEGRITY_PROOF, JWS, PROOF_VALUE, Cryptosuite
from vcservice.proofs.detached_jws import DetachedJws, parse_detached_jws
from vcservice.proofs.purposes import ASSERTION_METHOD, ProofPurpose
from vcservice.proofs.suites import signature_member, suite_for_proof, suite_named
from vcservice.proofs.transform import RdfCanonizer

DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"


@dataclass(frozen=True, slots=True)
class ProofVerification:
    """The outcome for one proof: verified or not, by which method, and why not."""

    proof: Mapping[str, Any]
    verification_method: str | None
    controller: str | None
    problems: tuple[Problem, ...]

    @property
    def verified(self) -> bool:
        """True when nothing is wrong with this proof."""
        return not self.problems


class DataIntegrity:
    """Creates and verifies Data Integrity proofs with injected canonizer and DID resolver."""

    def __init__(
        self, canonizer: RdfCanonizer, resolver: DidResolver, *, clock_skew: timedelta = CLOCK_SKEW
    ) -> None:
        self._canonizer = canonizer
        self._resolver = resolver
        self._clock_skew = clock_skew

    def add_proof(
        self,
        document: Mapping[str, Any],
        *,
        signer: Signer,
        cryptosuite: str,
        created: datetime,
        purpose: str = ASSERTION_METHOD,
        challenge: str | None = None,
        domain: str | None = None,
        proof_id: str | None = None,
        previous_proof: str | None = None,
    ) -> dict[str, Any]:
        """Return a copy of ``document`` with a new proof added to its proof set."""
        suite = suite_named(cryptosuite)
        if not suite.signs:
            raise ProofError(
                f"{suite.name} proofs are verified, never created",
                code="PROOF_GENERATION_ERROR",
                field="cryptosuite",
            )
        hash_algorithm = suite.hash_algorithm(signer.key_type)
        if suite.proof_type == DATA_INTEGRITY_PROOF:
            document = _with_data_integrity_context(document)
        existing = _proof_list(document)
        options: dict[str, Any] = {
            **({"id": proof_id} if proof_id else {}),
            **suite.proof_identity(),
            "created": format_datetime(created),
            "verificationMethod": signer.verification_method,
            "proofPurpose": purpose,
            **({"challenge": challenge} if challenge is not None else {}),
            **({"domain": domain} if domain is not None else {}),
            **({"previousProof": previous_proof} if previous_proof else {}),
        }
        unsecured = _unsecured_for(document, options, existing)
        data = self._canonizer.hash_data(
            unsecured, _proof_config(unsecured, options), hash_algorithm=hash_algorithm
        )
        proof = {**options, "proofValue": base58btc_encode(signer.sign(data))}
        secured = {key: copy.deepcopy(value) for key, value in document.items() if key != "proof"}
        secured["proof"] = [*existing, proof] if existing else proof
        return secured

    def verify(
        self, document: Mapping[str, Any], *, purpose: ProofPurpose, now: datetime
    ) -> list[ProofVerification]:
        """Verify every proof on ``document``; an empty list means it has none."""
        proofs = _proof_list(document)
        return [self._verify_one(document, proof, proofs, purpose, now) for proof in proofs]

    def _verify_one(
        self,
        document: Mapping[str, Any],
        proof: Any,
        proof_set: Sequence[Any],
        purpose: ProofPurpose,
        now: datetime,
    ) -> ProofVerification:
        vm_id: str | None = None
        controller: str | None = None
        try:
            if not isinstance(proof, dict):
                raise ProofError(
                    "a proof must be an object", code="MALFORMED_PROOF_ERROR", field="proof"
                )
            # The signature member is left out of what is signed: ``jws`` for the JWS suites.
            signed_member = signature_member(proof)
            options = {key: value for key, value in proof.items() if key != signed_member}
            unsecured = _unsecured_for(document, options, proof_set)
            _check_proof_context(document, options)
            # What is signed is read first, through the compact-form rule: no member of the
            # proof is trusted before, and a malformed document costs no DID lookup.
            transformed = self._canonizer.transform(unsecured, _proof_config(unsecured, options))
            suite = suite_for_proof(proof)
            _check_required_members(suite, proof)
            signature = _decode_signature(suite, proof)
            vm_id = _verification_method_id(proof)
            controller_document, method = dereference_verification_method(self._resolver, vm_id)
            controller = method.controller
            problems = purpose.check(
                proof,
                controller_document=controller_document,
                verification_method=method.id,
                now=now,
                skew=self._clock_skew,
            )
            key_type = method.public_key.key_type
            data = self._canonizer.hash_transformed(
                transformed, hash_algorithm=suite.hash_algorithm(key_type)
            )
            if isinstance(signature, DetachedJws):
                expected = suite.jws_algorithm(key_type)
                if signature.algorithm != expected:
                    raise ProofError(
                        f"the jws header's alg is {signature.algorithm!r}, but a {key_type} "
                        f"key signs {suite.name} with {expected}",
                        field="proof.jws",
                    )
                signature_bytes, data = signature.signature, signature.signing_input(data)
            else:
                signature_bytes = signature
            if not method.public_key.verify(signature_bytes, data):
                problems.append(
                    Problem(
                        code="PROOF_VERIFICATION_ERROR",
                        detail="the signature does not match the document and proof options",
                        field=f"proof.{suite.signature_member}",
                    )
                )
        except VcError as error:
            problems = [error.to_problem()]
        return ProofVerification(
            proof=proof, verification_method=vm_id, controller=controller, problems=tuple(problems)
        )


def _with_data_integrity_context(document: Mapping[str, Any]) -> Mapping[str, Any]:
    """VCDM 1.1 documents need the Data Integrity context to define ``DataIntegrityProof``."""
    contexts = as_list(document.get("@context"))
    if contexts[:1] != [CREDENTIALS_V1] or DATA_INTEGRITY_V2 in contexts:
        return document
    return {**document, "@context": [*contexts, DATA_INTEGRITY_V2]}


def _proof_list(document: Mapping[str, Any]) -> list[Any]:
    proof = document.get("proof")
    if proof is None:
        return []
    return list(proof) if isinstance(proof, list) else [proof]


def _unsecured_for(
    document: Mapping[str, Any], options: Mapping[str, Any], proof_set: Sequence[Any]
) -> dict[str, Any]:
    """The document a proof covers: no proofs, except those it names as ``previousProof``."""
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    previous = options.get("previousProof")
    if previous is None:
        return unsecured
    wanted = previous if isinstance(previous, list) else [previous]
    found = [p for p in proof_set if isinstance(p, dict) and p.get("id") in wanted]
    if len(found) != len(wanted):
        raise ProofError(
            f"previousProof {previous!r} is not in the proof set",
            code="PROOF_VERIFICATION_ERROR",
            field="proof.previousProof",
        )
    unsecured["proof"] = found[0] if len(found) == 1 else found
    return unsecured


def _proof_config(unsecured: Mapping[str, Any], options: Mapping[str, Any]) -> dict[str, Any]:
    config = {key: value for key, value in options.items() if key != "@context"}
    if "@context" not in unsecured:
        raise ProofError(
            "the document has no @context", code="PROOF_TRANSFORMATION_ERROR", field="@context"
        )
    config["@context"] = unsecured["@context"]
    return config


def _check_proof_context(document: Mapping[str, Any], options: Mapping[str, Any]) -> None:
    """A proof's own ``@context`` must be a leading part of the document's (DI §4.3)."""
    if "@context" not in options:
        return
    proof_context = as_list(options["@context"])
    document_context = as_list(document.get("@context"))
    if document_context[: len(proof_context)] != proof_context:
        raise ProofError(
            "the proof's @context does not begin the document's @context",
            code="PROOF_VERIFICATION_ERROR",
            field="proof.@context",
        )


def _check_required_members(suite: Cryptosuite, proof: Mapping[str, Any]) -> None:
    """The legacy suites' proofs must say when they were made (``created``); a JWS suite's
    proof carries its signature in ``jws`` alone, so a ``proofValue`` beside it is refused."""
    if suite.requires_created and "created" not in proof:
        raise ProofError(
            f"a {suite.name} proof must have 'created'",
            code="MALFORMED_PROOF_ERROR",
            field="proof.created",
        )
    if suite.signature_member != PROOF_VALUE and PROOF_VALUE in proof:
        raise ProofError(
            f"a {suite.name} proof carries its signature in 'jws', not 'proofValue'",
            code="MALFORMED_PROOF_ERROR",
            field="proof.proofValue",
        )


def _decode_signature(suite: Cryptosuite, proof: Mapping[str, Any]) -> bytes | DetachedJws:
    """The proof's signature: the ``jws`` parsed, or the ``proofValue`` decoded."""
    if suite.signature_member == JWS:
        return parse_detached_jws(proof.get("jws"))
    return _decode_proof_value(proof)


def _decode_proof_value(proof: Mapping[str, Any]) -> bytes:
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        raise ProofError(
            "proofValue must be a base58btc multibase string ('z…')",
            code="MALFORMED_PROOF_ERROR",
            field="proof.proofValue",
        )
    try:
        return base58btc_decode(value)
    except VcError as error:
        raise ProofError(
            f"proofValue is not valid base58btc: {error.message}",
            code="MALFORMED_PROOF_ERROR",
            field="proof.proofValue",
        ) from error


def _verification_method_id(proof: Mapping[str, Any]) -> str:
    method = proof.get("verificationMethod")
    if isinstance(method, dict):
        method = method.get("id")
    if not isinstance(method, str):
        raise ProofError(
            "proof.verificationMethod must be a URL",
            code="MALFORMED_PROOF_ERROR",
            field="proof.verificationMethod",
        )
    return method
