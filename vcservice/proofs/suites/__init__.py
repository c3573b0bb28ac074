"""The registry of cryptosuites: one module per suite, one line here each."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vcservice.errors import ProofError
from vcservice.proofs.cryptosuite import DATA_INTEGRITY_PROOF, PROOF_VALUE, Cryptosuite
from vcservice.proofs.suites import (
    ecdsa_rdfc_2019,
    ed25519_signature_2018,
    ed25519_signature_2020,
    eddsa_rdfc_2022,
    json_web_signature_2020,
)

SUITES: Mapping[str, Cryptosuite] = {
    suite.name: suite
    for suite in (
        eddsa_rdfc_2022.SUITE,
        ecdsa_rdfc_2019.SUITE,
        ed25519_signature_2020.SUITE,
        ed25519_signature_2018.SUITE,
        json_web_signature_2020.SUITE,
    )
}

__all__ = ["SUITES", "signature_member", "suite_for_proof", "suite_named"]


def suite_named(name: str) -> Cryptosuite:
    """The suite called ``name``, or UNSUPPORTED_CRYPTOSUITE."""
    try:
        return SUITES[name]
    except KeyError:
        supported = ", ".join(SUITES)
        raise ProofError(
            f"cryptosuite '{name}' is not supported (supported: {supported})",
            code="UNSUPPORTED_CRYPTOSUITE",
            field="proof.cryptosuite",
        ) from None


def suite_for_proof(proof: Mapping[str, Any]) -> Cryptosuite:
    """The suite that verifies ``proof``, from its ``type`` and ``cryptosuite``.

    A ``DataIntegrityProof`` names a cryptosuite; any other proof type is a suite of its own
    (the legacy suites), and neither form stands for the other.
    """
    proof_type = proof.get("type")
    if proof_type == DATA_INTEGRITY_PROOF:
        name = proof.get("cryptosuite")
        if not isinstance(name, str):
            raise ProofError(
                "a DataIntegrityProof needs a 'cryptosuite'",
                code="MALFORMED_PROOF_ERROR",
                field="proof.cryptosuite",
            )
        suite = suite_named(name)
        if suite.proof_type != DATA_INTEGRITY_PROOF:
            raise ProofError(
                f"{name} is a proof type of its own, not a DataIntegrityProof cryptosuite",
                code="UNSUPPORTED_CRYPTOSUITE",
                field="proof.cryptosuite",
            )
        return suite
    legacy = SUITES.get(proof_type) if isinstance(proof_type, str) else None
    if legacy is None or legacy.proof_type != proof_type:
        raise ProofError(
            f"proof type {proof_type!r} is not supported",
            code="UNSUPPORTED_CRYPTOSUITE",
            field="proof.type",
        )
    return legacy


def signature_member(proof: Mapping[str, Any]) -> str:
    """The member that holds ``proof``'s signature: ``jws`` for the JWS suites, else
    ``proofValue`` (also when the suite is unknown; ``suite_for_proof`` refuses it later)."""
    try:
        return suite_for_proof(proof).signature_member
    except ProofError:
        return PROOF_VALUE
