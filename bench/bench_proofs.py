"""Sign and verify on one C-TPAT certificate: reference and fast JSON-LD paths, and over HTTP.

In one run, on the same credential:
1. in-process sign and verify for eddsa-rdfc-2022, ecdsa-rdfc-2019 P-256 and P-384, and
   vc+jwt (ES384, EdDSA), once on the reference JSON-LD path (pyld) and once on the fast
   path (``vcservice.jsonld.fast``) — one core, sequential calls;
2. ``POST /credentials/verify`` over HTTP against ``vcservice serve`` with one and with two
   workers: one client in sequence (latency), then several concurrent clients (throughput).

Run: .venv/bin/python bench/bench_proofs.py [--count N] [--http-count N] [--clients C]
Contexts come from the installed store (``vcservice contexts install``).
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_load import _certificate_body
from seeding import authority_with_token, benchmarked_service
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
PATHS = ("reference", "fast")


def in_process(count: int, canonicalizer: str) -> list[Measurement]:
    """Sign and verify every case on the same credential, on each JSON-LD path."""
    now = datetime.now(UTC)
    keys = {key_type: KeyFile(KeyPair.generate(key_type)) for _, key_type in CASES}
    rows = []
    for securing_format, key_type in CASES:
        key = keys[key_type]
        credential = sample_certificate("ctpat")
        credential["issuer"]["id"] = key.verification_method.split("#")[0]
        for path in PATHS:
            core = build_core(
                CoreConfig(
                    store_dir=default_context_store(),
                    canonicalizer=canonicalizer,
                    jsonld_path=path,  # type: ignore[arg-type]
                )
            )
            label = f"{securing_format} {key_type} [{path}]"
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
            verify = partial(core.verifier.verify, secured)
            rows.append(measure(f"verify {label}", verify, count=count))
    return rows


def crypto_only(count: int) -> list[Measurement]:
    """The signature primitives alone, over 64 bytes (two hashes): the floor for each suite."""
    data = bytes(range(64))
    rows = []
    for key_type in (KeyType.ED25519, KeyType.P256, KeyType.P384):
        pair = KeyPair.generate(key_type)
        signature = pair.sign(data)
        sign = partial(pair.sign, data)
        rows.append(measure(f"sign   {key_type} (signature only)", sign, count=count))
        verify = partial(pair.public_key.verify, signature, data)
        rows.append(measure(f"verify {key_type} (signature only)", verify, count=count))
    return rows


def over_http(workers: int, count: int, clients: int) -> tuple[Measurement, Measurement, float]:
    """``POST /credentials/verify`` of one issued certificate: sequential, then concurrent."""
    with benchmarked_service(workers) as target:
        with httpx.Client(base_url=target.url, timeout=60) as http:
            did, headers = authority_with_token(
                http, target.admin_token, "cbp", ["CTPATCertificate"]
            )
            # accredited, so that a verification runs every check and answers 200
            accreditation = {"id": did, "name": "CBP", "credentialTypes": ["CTPATCertificate"]}
            admin = {"Authorization": f"Bearer {target.admin_token}"}
            http.post(
                "/admin/trust-registry/issuers", json=accreditation, headers=admin
            ).raise_for_status()
            issued = http.post("/certificates/ctpat", json=_certificate_body(), headers=headers)
            credential = issued.raise_for_status().json()["verifiableCredential"]
            body = {"verifiableCredential": credential}

            def verify(client: httpx.Client = http) -> Any:
                response = client.post("/credentials/verify", json=body)
                assert response.status_code == 200 and "verified" in response.json()
                return response

            sequential = measure(f"HTTP verify, {workers} worker(s), 1 client", verify, count=count)
        return (sequential, *_concurrent(target.url, verify, workers, count, clients))


def _concurrent(
    url: str, verify: Any, workers: int, count: int, clients: int
) -> tuple[Measurement, float]:
    pool_clients = [httpx.Client(base_url=url, timeout=60) for _ in range(clients)]

    def timed(index: int) -> float:
        start = time.perf_counter()
        verify(pool_clients[index % clients])
        return time.perf_counter() - start

    try:
        with ThreadPoolExecutor(max_workers=clients) as pool:
            list(pool.map(timed, range(clients * 5)))  # warm every connection
            start = time.perf_counter()
            latencies = list(pool.map(timed, range(count)))
            elapsed = time.perf_counter() - start
    finally:
        for client in pool_clients:
            client.close()
    name = f"HTTP verify, {workers} worker(s), {clients} clients"
    return Measurement(name, latencies), count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=300, help="in-process operations per row")
    parser.add_argument("--http-count", type=int, default=1000, help="HTTP requests per row")
    parser.add_argument("--clients", type=int, default=4, help="concurrent HTTP clients")
    parser.add_argument("--canonicalizer", default="rdfc10")
    args = parser.parse_args()
    print(
        f"vcservice proof benchmark — {args.count} sequential ops per row, one process, "
        f"canonicalizer {args.canonicalizer}"
    )
    for row in [*crypto_only(args.count), *in_process(args.count, args.canonicalizer)]:
        print(row.row())
    print(f"\nPOST /credentials/verify over HTTP (SQLite, fast path), {args.http_count} requests")
    for workers in (1, 2):
        sequential, concurrent, throughput = over_http(workers, args.http_count, args.clients)
        print(sequential.row())
        print(f"{concurrent.row()}   throughput {throughput:.1f}/s")


if __name__ == "__main__":
    main()
