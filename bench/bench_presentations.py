"""Presentation verification over HTTP: POST /presentations/verify at a crossing.

Starts `vcservice serve` (uvicorn, real HTTP) on a fresh data directory, seeds CBP,
accredits it in the trust registry, creates a holder and has CBP issue it a C-TPAT
certificate (eddsa-rdfc-2022). Then, for every request to be timed, the holder proves a
presentation for a fresh challenge (untimed), and the verifier's full check is timed:
challenge consumed, presentation proof, holder binding, and the credential's proof,
issuer trust, validity, schema and three status lists. Sequential latency (p50/p99),
then throughput with concurrent clients.

Run: .venv/bin/python bench/bench_presentations.py [--count N] [--workers W]
     [--concurrency C] [--database-url postgresql://…] [--format data-integrity|vp+jwt]
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from seeding import authority_with_token, benchmarked_service
from timing import Measurement

from vcservice.certificates import by_slug

DOMAIN = "aduana-nuevo-laredo.example"


def _seed(http: httpx.Client, admin_token: str) -> tuple[dict[str, str], dict[str, str]]:
    """CBP (accredited) and a holder: the issuer's headers, and the holder's token and DID."""
    did, issuer = authority_with_token(http, admin_token, "cbp", ["CTPATCertificate"])
    admin = {"Authorization": f"Bearer {admin_token}"}
    accreditation = {"id": did, "name": "CBP", "credentialTypes": ["CTPATCertificate"]}
    http.post("/admin/trust-registry/issuers", json=accreditation, headers=admin).raise_for_status()
    holder = http.post("/admin/holders", json={"name": "shipper"}, headers=admin).json()
    return issuer, {"Authorization": f"Bearer {holder['accessToken']}", "did": holder["did"]}


def _held_certificate(http: httpx.Client, issuer: dict[str, str], wallet: dict[str, str]) -> str:
    certificate = by_slug("ctpat").example_request()
    certificate["member"]["id"] = wallet["did"]
    body = {"certificate": certificate, "validUntil": "2027-11-28T00:00:00Z"}
    issued = http.post("/certificates/ctpat", json=body, headers=issuer).raise_for_status()
    credential = issued.json()["verifiableCredential"]
    stored = http.post(
        "/holder/credentials", json={"verifiableCredential": credential}, headers=_auth(wallet)
    )
    return str(stored.raise_for_status().json()["id"])


def _auth(wallet: dict[str, str]) -> dict[str, str]:
    return {"Authorization": wallet["Authorization"]}


def _presentations(
    http: httpx.Client, wallet: dict[str, str], credential_id: str, count: int, fmt: str
) -> list[dict[str, Any]]:
    """``count`` verify requests, each a presentation proved for its own fresh challenge."""
    requests = []
    for _ in range(count):
        challenge = http.post("/challenges", json={"domain": DOMAIN}).json()["challenge"]
        body = {
            "credentialIds": [credential_id],
            "challenge": challenge,
            "domain": DOMAIN,
            "format": fmt,
        }
        proved = http.post("/presentations/prove", json=body, headers=_auth(wallet))
        presentation = proved.raise_for_status().json()["verifiablePresentation"]
        requests.append(
            {"verifiablePresentation": presentation, "options": {"challenge": challenge}}
        )
    return requests


def _verify(http: httpx.Client, request: dict[str, Any]) -> float:
    start = time.perf_counter()
    result = http.post("/presentations/verify", json=request).raise_for_status().json()
    elapsed = time.perf_counter() - start
    if not result["verified"]:
        raise SystemExit(f"a presentation did not verify: {result['problemDetails']}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database-url")
    parser.add_argument("--format", default="data-integrity", choices=("data-integrity", "vp+jwt"))
    args = parser.parse_args()
    with (
        benchmarked_service(args.workers, args.database_url) as target,
        httpx.Client(base_url=target.url, timeout=60) as http,
    ):
        issuer, wallet = _seed(http, target.admin_token)
        credential_id = _held_certificate(http, issuer, wallet)
        print(
            f"presentation verification over HTTP — {args.format}, uvicorn workers="
            f"{args.workers}, database={args.database_url or 'SQLite'}"
        )
        for request in _presentations(http, wallet, credential_id, 20, args.format):
            _verify(http, request)  # warm-up
        batch = _presentations(http, wallet, credential_id, args.count, args.format)
        sequential = Measurement("sequential verify", [_verify(http, r) for r in batch])
        print(sequential.row())
        batch = _presentations(http, wallet, credential_id, args.count, args.format)
        clients = [httpx.Client(base_url=target.url, timeout=60) for _ in range(args.concurrency)]
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            latencies = list(
                pool.map(lambda i: _verify(clients[i % len(clients)], batch[i]), range(len(batch)))
            )
        elapsed = time.perf_counter() - start
        concurrent = Measurement(f"{args.concurrency} concurrent clients", latencies)
        print(f"{concurrent.row()}   throughput {len(batch) / elapsed:.1f}/s")
        for client in clients:
            client.close()


if __name__ == "__main__":
    main()
