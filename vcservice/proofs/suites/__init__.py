"""The registry of cryptosuites: one module per suite, one line here each."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vcservice.errors import ProofError
from vcservice.proofs.cryptosuite import DATA_INTEGRITY_PROOF, Cryptosuite
from vcservice.proofs.suites import ecdsa_rdfc_2019, ed25519_signature_2020, eddsa_rdfc_2022

SUITES: Mapping[str, Cryptosuite] = {
    suite.name: suite
    for suite in (eddsa_rdfc_2022.SUITE, ecdsa_rdfc_2019.SUITE, ed25519_signature_2020.SUITE)
}

__all__ = ["SUITES", "suite_for_proof", "suite_named"]


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
    """The suite that verifies ``proof``, from its ``type`` and ``cryptosuite``."""
    proof_type = proof.get("type")
    if proof_type == DATA_INTEGRITY_PROOF:
        name = proof.get("cryptosuite")
        if not isinstance(name, str):
            raise ProofError(
                "a DataIntegrityProof needs a 'cryptosuite'",
                code="MALFORMED_PROOF_ERROR",
                field="proof.cryptosuite",
            )
        return suite_named(name)
    if isinstance(proof_type, str) and proof_type in SUITES:
        return SUITES[proof_type]
    raise ProofError(
        f"proof type {proof_type!r} is not supported",
        code="UNSUPPORTED_CRYPTOSUITE",
        field="proof.type",
    )
