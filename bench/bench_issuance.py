"""Issuance throughput over HTTP: POST /credentials/issue for each securing format.

Starts `vcservice serve` (uvicorn, real HTTP) on a fresh data directory, seeds an
authority and a client, then measures sequential latency (p50/p99) and concurrent
throughput (credentials/s) for eddsa-rdfc-2022, ecdsa-rdfc-2019 (P-384) and vc+jwt.

Run: .venv/bin/python bench/bench_issuance.py [--count N] [--workers W] [--concurrency C]
     [--database-url postgresql://…]
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from seeding import authority_with_token, benchmarked_service
from timing import measure

from vcservice.certificates.samples import sample_certificate

FORMATS = ("eddsa-rdfc-2022", "ecdsa-rdfc-2019", "vc+jwt")


def _unsigned(issuer_did: str) -> dict[str, object]:
    credential = sample_certificate("immex")
    del credential["id"]  # the service assigns it; the issuer must be the authority's DID
    credential["issuer"] = {**credential["issuer"], "id": issuer_did}
    return credential


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with (
        benchmarked_service(args.workers, args.database_url) as target,
        httpx.Client(base_url=target.url, timeout=60) as http,
    ):
        did, headers = authority_with_token(http, target.admin_token, "bench", ["*"])
        print(
            f"issuance over HTTP — uvicorn workers={args.workers}, "
            f"database={args.database_url or 'SQLite'}, {args.count} requests per row"
        )
        for securing_format in FORMATS:
            body = {"credential": _unsigned(did), "options": {"format": securing_format}}

            def issue(body: dict[str, object] = body) -> None:
                http.post("/credentials/issue", json=body, headers=headers).raise_for_status()

            print(measure(f"sequential {securing_format}", issue, count=args.count).row())
            start = time.perf_counter()
            with ThreadPoolExecutor(args.concurrency) as pool:
                list(pool.map(lambda _: issue(), range(args.count)))
            rate = args.count / (time.perf_counter() - start)
            print(
                f"{'concurrent(' + str(args.concurrency) + ') ' + securing_format:<34} "
                f"{rate:>9.1f} credentials/s"
            )


if __name__ == "__main__":
    main()
