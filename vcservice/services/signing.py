"""Secure a credential with Data Integrity or as a ``vc+jwt``, refusing malformed input."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from vcservice.errors import ParsingError
from vcservice.jose import vc_jwt
from vcservice.keys import KeyType, Signer
from vcservice.model import credential as vcdm
from vcservice.proofs.suites import ecdsa_rdfc_2019, eddsa_rdfc_2022
from vcservice.services.core import Core

JOSE = "jose"
SECURING_FORMATS = (eddsa_rdfc_2022.NAME, ecdsa_rdfc_2019.NAME, JOSE)


def default_format(key_type: KeyType) -> str:
    """The Data Integrity cryptosuite for a key type."""
    return eddsa_rdfc_2022.NAME if key_type is KeyType.ED25519 else ecdsa_rdfc_2019.NAME


def secure_credential(
    core: Core,
    credential: Mapping[str, Any],
    *,
    signer: Signer,
    securing_format: str,
    now: datetime,
) -> dict[str, Any] | str:
    """Return ``credential`` with a Data Integrity proof, or as a compact ``vc+jwt``.

    The credential must already be well-formed: the VC data model's shape, only
    pinned contexts, and no term that JSON-LD processing would drop.
    """
    problems = vcdm.credential_problems(credential)
    if problems:
        first = problems[0]
        raise ParsingError(first.detail, code=first.code, field=first.field)
    if securing_format == JOSE:
        core.processor.check(dict(credential))
        return vc_jwt.secure_credential(credential, signer=signer)
    if securing_format not in SECURING_FORMATS:
        raise ParsingError(
            f"unknown securing format {securing_format!r} (choose from "
            f"{', '.join(SECURING_FORMATS)})",
            field="cryptosuite",
        )
    return core.data_integrity.add_proof(
        credential, signer=signer, cryptosuite=securing_format, created=now
    )
