"""Verifier policies: which credential types a presentation must carry to be accepted."""

from __future__ import annotations

from collections.abc import Sequence

from vcservice.errors import Problem
from vcservice.model import credential as vcdm
from vcservice.model.checks import Check
from vcservice.verification.result import VerificationResult

POLICY_CODE = "REQUIRED_CREDENTIAL_MISSING"


def accepted_types_check(presentation: VerificationResult, accepted_types: Sequence[str]) -> Check:
    """The ``credentialTypes`` check: some verified credential has one of ``accepted_types``.

    "C-TPAT or OEA under mutual recognition" is ``["CTPATCertificate", "OEACertificate"]``.
    A credential that failed any check does not count, so a suspended C-TPAT certificate
    next to nothing else fails the policy as well as the credential checks.
    """
    accepted = set(accepted_types)
    wanted = " or ".join(accepted_types)
    for credential in presentation.credentials:
        if credential.verified and credential.document is not None:
            matching = accepted.intersection(vcdm.types_of(credential.document))
            if matching:
                return Check.of(
                    "credentialTypes", [], detail=f"a verified {sorted(matching)[0]} ({wanted})"
                )
    problem = Problem(
        POLICY_CODE,
        f"the presentation holds no verified credential of an accepted type ({wanted})",
        "verifiableCredential",
    )
    return Check.of("credentialTypes", [problem])
