"""Sign and verify throughput on a C-TPAT certificate: eddsa, ecdsa P-256/P-384, vc+jwt.

Run: .venv/bin/python bench/bench_proofs.py [--count N]
Contexts come from the installed store (``vcservice contexts install``).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import Measurement, measure

from vcservice.certificates.samples import sample_certificate
from vcservice.keys import KeyFile, KeyPair, KeyType
from vcservice.services.core import CoreConfig, build_core
from vcservice.services.signing import JOSE, secure_credential
from vcservice.settings import default_context_store

CASES = (
    ("eddsa-rdfc-2022", KeyType.ED25519),
    ("ecdsa-rdfc-2019", KeyType.P256),
    ("ecdsa-rdfc-2019", KeyType.P384),
    (JOSE, KeyType.P384),
    (JOSE, KeyType.ED25519),
)


def run(count: int, canonicalizer: str) -> list[Measurement]:
    """Measure sign and verify for every case on one credential."""
    core = build_core(CoreConfig(store_dir=default_context_store(), canonicalizer=canonicalizer))
    now = datetime.now(UTC)
    rows = []
    for securing_format, key_type in CASES:
        key = KeyFile(KeyPair.generate(key_type))
        credential = sample_certificate("ctpat")
        credential["issuer"]["id"] = key.verification_method.split("#")[0]
        label = f"{securing_format} {key_type}"

        sign = partial(
            secure_credential,
            core,
            credential,
            signer=key.signer(),
            securing_format=securing_format,
            now=now,
        )
        secured = sign()
        assert core.verifier.verify(secured).verified
        rows.append(measure(f"sign   {label}", sign, count=count))
        rows.append(
            measure(f"verify {label}", lambda s=secured: core.verifier.verify(s), count=count)
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--canonicalizer", default="rdfc10")
    args = parser.parse_args()
    print(
        f"vcservice proof benchmark — {args.count} sequential ops each, one process, "
        f"canonicalizer {args.canonicalizer}"
    )
    for row in run(args.count, args.canonicalizer):
        print(row.row())


if __name__ == "__main__":
    main()
