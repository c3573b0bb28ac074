"""vcservice: issue, hold and verify W3C Verifiable Credentials for US–Mexico trusted traders.

The credential core (contexts, canonicalization, proofs, DIDs, verification) is
usable on its own::

    from vcservice import CoreConfig, build_core
    core = build_core(CoreConfig(store_dir=Path("contexts-store")))
    result = core.verifier.verify(credential)
    result.verified, result.to_json()
"""

from vcservice.clock import Clock, FixedClock, SystemClock
from vcservice.errors import Problem, VcError
from vcservice.keys import KeyFile, KeyPair, KeyType, Signer, load_key_file
from vcservice.services.core import Core, CoreConfig, build_core
from vcservice.services.signing import secure_credential
from vcservice.verification.result import Check, Outcome, VerificationResult

__all__ = [
    "Check",
    "Clock",
    "Core",
    "CoreConfig",
    "FixedClock",
    "KeyFile",
    "KeyPair",
    "KeyType",
    "Outcome",
    "Problem",
    "Signer",
    "SystemClock",
    "VcError",
    "VerificationResult",
    "build_core",
    "load_key_file",
    "secure_credential",
]
