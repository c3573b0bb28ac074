"""Load over real HTTP: issuers and verifiers at once, several uvicorn workers, PostgreSQL.

Starts `vcservice serve --workers W` on a fresh data directory, seeds an accredited
authority, issues a pool of certificates, then drives an open-loop load for `--duration`
seconds: requests start on a fixed schedule (`--rate` per second, `--verify-share` of them
`POST /credentials/verify` of a pooled certificate, the rest `POST /certificates/ctpat`),
whether or not earlier ones have finished, as independent clients at a crossing would.
Prints, per kind: requests, errors, achieved throughput and p50/p95/p99 latency.

Run: .venv/bin/python bench/bench_load.py --database-url postgresql://… [--workers 2]
     [--rate 100] [--duration 20] [--verify-share 0.8]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from seeding import authority_with_token, benchmarked_service

from vcservice.certificates import by_slug

POOL = 50


def _certificate_body() -> dict[str, Any]:
    return {
        "certificate": by_slug("ctpat").example_request(),
        "validUntil": "2027-11-28T00:00:00Z",
    }


def _pool(http: httpx.Client, headers: dict[str, str]) -> list[dict[str, Any]]:
    return [
        http.post("/certificates/ctpat", json=_certificate_body(), headers=headers)
        .raise_for_status()
        .json()["verifiableCredential"]
        for _ in range(POOL)
    ]


class Recorder:
    """Latencies and errors by request kind."""

    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)

    def report(self, elapsed: float) -> None:
        columns = ("requests", "errors", "per s", "p50", "p95", "p99")
        widths = (8, 6, 7, 9, 9, 9)
        print(f"{'kind':<8} " + " ".join(f"{c:>{w}}" for c, w in zip(columns, widths, strict=True)))
        for kind in sorted(set(self.latencies) | set(self.errors)):
            ordered = sorted(self.latencies[kind])
            count = len(ordered) + self.errors[kind]

            def at(q: float, ordered: list[float] = ordered) -> str:
                if not ordered:
                    return "-"
                return f"{ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000:.1f} ms"

            print(
                f"{kind:<8} {count:>8} {self.errors[kind]:>6} {len(ordered) / elapsed:>7.1f} "
                f"{at(0.50):>9} {at(0.95):>9} {at(0.99):>9}"
            )


async def _one(
    client: httpx.AsyncClient,
    recorder: Recorder,
    kind: str,
    request: tuple[str, dict[str, Any], dict[str, str]],
) -> None:
    path, body, headers = request
    start = time.perf_counter()
    try:
        response = await client.post(path, json=body, headers=headers)
        ok = response.status_code in (200, 201) and (
            kind != "verify" or response.json()["verified"]
        )
    except httpx.HTTPError:
        ok = False
    if ok:
        recorder.latencies[kind].append(time.perf_counter() - start)
    else:
        recorder.errors[kind] += 1


async def _drive(
    url: str,
    issuer: dict[str, str],
    pool: list[dict[str, Any]],
    args: argparse.Namespace,
) -> tuple[Recorder, float]:
    recorder = Recorder()
    random_source = random.Random(7)
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:
        tasks = []
        start = time.perf_counter()
        total = int(args.rate * args.duration)
        for number in range(total):
            await asyncio.sleep(max(0.0, start + number / args.rate - time.perf_counter()))
            if random_source.random() < args.verify_share:
                body = {"verifiableCredential": random_source.choice(pool)}
                request: tuple[str, dict[str, Any], dict[str, str]] = (
                    "/credentials/verify",
                    body,
                    {},
                )
                kind = "verify"
            else:
                key = {"Idempotency-Key": str(uuid.uuid4())}
                request = ("/certificates/ctpat", _certificate_body(), issuer | key)
                kind = "issue"
            tasks.append(asyncio.create_task(_one(client, recorder, kind, request)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - start
    return recorder, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rate", type=float, default=100.0, help="requests started per second")
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--verify-share", type=float, default=0.8)
    args = parser.parse_args()
    with (
        benchmarked_service(args.workers, args.database_url) as target,
        httpx.Client(base_url=target.url, timeout=60) as http,
    ):
        did, issuer = authority_with_token(http, target.admin_token, "cbp", ["CTPATCertificate"])
        admin = {"Authorization": f"Bearer {target.admin_token}"}
        entry = {"id": did, "name": "CBP", "credentialTypes": ["CTPATCertificate"]}
        http.post("/admin/trust-registry/issuers", json=entry, headers=admin).raise_for_status()
        pool = _pool(http, issuer)
        print(
            f"open-loop load over HTTP — {args.rate:g} requests/s for {args.duration:g} s, "
            f"{args.verify_share:.0%} verify; uvicorn workers={args.workers}, "
            f"database={args.database_url or 'SQLite'}"
        )
        recorder, elapsed = asyncio.run(_drive(target.url, issuer, pool, args))
        recorder.report(elapsed)


if __name__ == "__main__":
    main()
