"""``vcservice demo``: sign the three trade certificates with every suite and verify them.

Each authority gets a fresh key controlled by a ``did:key``; each certificate is
signed, verified offline from the pinned contexts, then tampered with and refused.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from vcservice.certificates.samples import sample_certificate
from vcservice.clock import SystemClock
from vcservice.errors import VcError
from vcservice.keys import KeyFile, KeyPair, KeyType
from vcservice.keys.multibase import base64url_decode, base64url_encode
from vcservice.model.datetimes import format_datetime
from vcservice.services.core import Core
from vcservice.services.signing import JOSE, secure_credential
from vcservice.verification.result import VerificationResult


@dataclass(frozen=True)
class DemoStep:
    """One certificate, the key type of its authority and how it is secured."""

    sample: str
    key_type: KeyType
    securing_format: str
    out_name: str


STEPS = (
    DemoStep("immex", KeyType.ED25519, "eddsa-rdfc-2022", "immex.json"),
    DemoStep("ctpat", KeyType.P256, "ecdsa-rdfc-2019", "ctpat.json"),
    DemoStep("oea", KeyType.P384, "ecdsa-rdfc-2019", "oea.json"),
    DemoStep("ctpat", KeyType.P384, JOSE, "ctpat.vc-jwt"),
)


def run_demo(core: Core, *, out_dir: Path | None) -> int:
    """Run every step, narrating to stdout; 0 when every outcome was the expected one."""
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
    ok = all(_run_step(core, step, out_dir) for step in STEPS)
    ok = _show_undefined_term_refused(core) and ok
    _say("\nAll steps behaved as expected." if ok else "\nSome step did NOT behave as expected.")
    return 0 if ok else 1


def _run_step(core: Core, step: DemoStep, out_dir: Path | None) -> bool:
    key_file = KeyFile(KeyPair.generate(step.key_type))
    signer = key_file.signer()
    credential = _fresh_certificate(step.sample, issuer=signer.verification_method.split("#")[0])
    _say(f"\n== {credential['type'][1]} — {step.securing_format}, key type {step.key_type}")
    _say(f"   issuer {credential['issuer']['id']}")
    secured = secure_credential(
        core,
        credential,
        signer=signer,
        securing_format=step.securing_format,
        now=SystemClock().now(),
    )
    if out_dir is not None:
        text = secured if isinstance(secured, str) else json.dumps(secured, indent=2)
        (out_dir / step.out_name).write_text(text + "\n", encoding="utf-8")
        _say(f"   written to {out_dir / step.out_name}")
    good = core.verifier.verify(secured)
    _report("   verify as issued:", good)
    bad = core.verifier.verify(_tamper(secured))
    _report("   verify after changing one claim:", bad)
    return good.verified and not bad.verified


def _show_undefined_term_refused(core: Core) -> bool:
    credential = _fresh_certificate("oea", issuer="did:example:unused")
    credential["credentialSubject"]["favouriteColour"] = "verde"
    signer = KeyFile(KeyPair.generate(KeyType.ED25519)).signer()
    _say("\n== An OEA certificate with an undefined term ('favouriteColour')")
    try:
        secure_credential(
            core,
            credential,
            signer=signer,
            securing_format="eddsa-rdfc-2022",
            now=SystemClock().now(),
        )
    except VcError as error:
        _say(f"   refused at signing: {error.code}: {error.message}")
        return error.code == "DATA_LOSS_DETECTION_ERROR"
    _say("   it was signed — this should not happen")
    return False


def _fresh_certificate(sample: str, *, issuer: str) -> dict[str, Any]:
    credential = sample_certificate(sample)
    now = SystemClock().now()
    credential["issuer"]["id"] = issuer
    credential["validFrom"] = format_datetime(now)
    credential["validUntil"] = format_datetime(now + timedelta(days=365))
    return credential


def _tamper(secured: dict[str, Any] | str) -> dict[str, Any] | str:
    if isinstance(secured, str):
        header, payload, signature = secured.split(".")
        claims = json.loads(base64url_decode(payload))
        _forge_claim(claims)
        return f"{header}.{base64url_encode(json.dumps(claims).encode())}.{signature}"
    tampered: dict[str, Any] = json.loads(json.dumps(secured))
    _forge_claim(tampered)
    return tampered


def _forge_claim(credential: dict[str, Any]) -> None:
    subject = credential["credentialSubject"]
    if "legalName" in subject:
        subject["legalName"] += " (forged)"
    else:
        subject["tier"] = "Exceeding"


def _report(label: str, result: VerificationResult) -> None:
    verdict = "VERIFIED" if result.verified else "NOT VERIFIED"
    codes = ", ".join(sorted({problem.code for problem in result.problems}))
    checks = ", ".join(f"{check.name}={check.outcome.value}" for check in result.checks)
    _say(f"{label} {verdict}" + (f" ({codes})" if codes else ""))
    _say(f"      checks: {checks}")


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
