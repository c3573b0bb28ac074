"""Load over real HTTP: issuers and verifiers at once, several uvicorn workers, PostgreSQL.

Starts `vcservice serve --workers W` on a fresh data directory, seeds an accredited
authority, issues a pool of certificates, then drives an open-loop load for `--duration`
seconds: requests start on a fixed schedule (`--rate` per second, `--verify-share` of them
`POST /credentials/verify` of a pooled certificate, the rest `POST /certificates/ctpat`),
whether or not earlier ones have finished, as independent clients at a crossing would.
Latency counts from each request's scheduled start. Prints, per kind: requests, errors,
achieved throughput and p50/p95/p99 latency.

Run: .venv/bin/python bench/bench_load.py --database-url postgresql://… [--workers 2]
     [--rate 100] [--duration 20] [--verify-share 0.8] [--warmup 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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
    return [_issued(http, headers) for _ in range(POOL)]


def _issued(http: httpx.Client, headers: dict[str, str]) -> dict[str, Any]:
    response = http.post("/certificates/ctpat", json=_certificate_body(), headers=headers)
    if response.status_code != 201:
        raise SystemExit(f"issuing the pool's certificates: {response.status_code} {response.text}")
    credential: dict[str, Any] = response.json()["verifiableCredential"]
    return credential


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


class RawHttp:
    """A minimal HTTP/1.1 keep-alive client over asyncio streams.

    httpx costs about a millisecond of CPU per request, which at a few hundred requests a
    second takes a good part of the two cores the service is measured on; this sends
    pre-serialised requests and reads ``Content-Length`` bodies, and nothing more.
    """

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self._host, self._port = parts.hostname or "localhost", parts.port or 80
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        """Send one POST and return its status and body."""
        while self._idle:
            reader, writer = self._idle.pop(0)
            try:
                return await self._exchange(reader, writer, path, body, headers)
            except (OSError, IndexError, asyncio.IncompleteReadError):
                writer.close()  # the server closed it while it was idle (keep-alive timeout)
        reader, writer = await asyncio.open_connection(self._host, self._port)
        return await self._exchange(reader, writer, path, body, headers)

    async def _exchange(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        path: str,
        body: bytes,
        headers: dict[str, str],
    ) -> tuple[int, bytes]:
        lines = [
            f"POST {path} HTTP/1.1",
            f"Host: {self._host}:{self._port}",
            "Content-Type: application/json",
            f"Content-Length: {len(body)}",
            *(f"{name}: {value}" for name, value in headers.items()),
        ]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        status = int((await reader.readline()).split()[1])
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        payload = await reader.readexactly(length)
        self._idle.append((reader, writer))
        return status, payload

    def close(self) -> None:
        """Close every idle connection."""
        for _, writer in self._idle:
            writer.close()


async def _one(
    client: RawHttp,
    recorder: Recorder,
    kind: str,
    request: tuple[str, bytes, dict[str, str]],
    scheduled: float,
) -> None:
    path, body, headers = request
    try:
        status, payload = await client.post(path, body, headers)
        ok = status in (200, 201) and (kind != "verify" or payload.startswith(b'{"verified":true'))
    except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
        ok = False
    if ok:
        # From the request's scheduled start: a driver that falls behind is counted too.
        recorder.latencies[kind].append(time.perf_counter() - scheduled)
    else:
        recorder.errors[kind] += 1


async def _drive(
    url: str,
    issuer: dict[str, str],
    pool: list[dict[str, Any]],
    args: argparse.Namespace,
) -> tuple[Recorder, float]:
    """``--warmup`` seconds of the same load, not recorded, then ``--duration`` recorded."""
    client = RawHttp(url)
    verify_bodies = [json.dumps({"verifiableCredential": item}).encode() for item in pool]
    random_source = random.Random(7)
    try:
        load = {
            "issuer": issuer,
            "verify_bodies": verify_bodies,
            "random_source": random_source,
            "args": args,
        }
        await _schedule(client, Recorder(), seconds=args.warmup, **load)
        recorder = Recorder()
        elapsed = await _schedule(client, recorder, seconds=args.duration, **load)
    finally:
        client.close()
    return recorder, elapsed


async def _schedule(
    client: RawHttp,
    recorder: Recorder,
    *,
    issuer: dict[str, str],
    verify_bodies: list[bytes],
    random_source: random.Random,
    seconds: float,
    args: argparse.Namespace,
) -> float:
    tasks = []
    start = time.perf_counter()
    for number in range(int(args.rate * seconds)):
        scheduled = start + number / args.rate
        await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
        if random_source.random() < args.verify_share:
            request = ("/credentials/verify", random_source.choice(verify_bodies), {})
            kind = "verify"
        else:
            key = {"Idempotency-Key": str(uuid.uuid4())}
            certificate = json.dumps(_certificate_body()).encode()
            request = ("/certificates/ctpat", certificate, issuer | key)
            kind = "issue"
        tasks.append(asyncio.create_task(_one(client, recorder, kind, request, scheduled)))
    await asyncio.gather(*tasks)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rate", type=float, default=100.0, help="requests started per second")
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--verify-share", type=float, default=0.8)
    parser.add_argument(
        "--warmup", type=float, default=2.0, help="seconds of the same load first, not recorded"
    )
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
