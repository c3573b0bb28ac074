"""Soak under attack: legitimate verifications at a fixed rate, first alone, then while an
attacker mix runs against the same service; prints the legitimate latency of both runs.

Loopback only and bounded: `vcservice serve --workers W` on a fresh SQLite data directory
(fetches to 127.0.0.1 allowed, a 2 s fetch deadline), an accredited authority and a pool of
its certificates. The legitimate client verifies them open-loop at `--rate` per second for
`--duration` seconds (latency from each request's scheduled start). The attackers are
`--attackers` threads, each connecting from its own loopback address (127.0.x.y, so
per-address limits do not simply shut them out), cycling through:

- a credential whose status list lives on a host that trickles its headers (slow-loris);
- a presentation for a challenge nobody issued, carrying 300 credentials;
- a credential without a proof naming a schema, with 3,000 invalid addresses;
- a credential signed by the attacker naming 20 status lists;
- holder requests with a bogus bearer token;
- anonymous challenges, as fast as they are answered.

Target: the legitimate p99 under attack within twice the p99 alone.

Run: .venv/bin/python bench/bench_soak.py [--workers 2] [--rate 40] [--duration 20]
     [--attackers 8]
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import os
import random
import socket
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_load import RawHttp, Recorder, _one, _pool
from seeding import authority_with_token

from vcservice.certificates.samples import sample_certificate
from vcservice.cli.background import running_service
from vcservice.keys import KeyFile, KeyPair, KeyType
from vcservice.services.core import CoreConfig, build_core
from vcservice.settings import default_context_store

SERVICE_SETTINGS = {
    "VCSERVICE_ALLOW_HTTP_HOSTS": '["127.0.0.1"]',
    "VCSERVICE_ALLOW_PRIVATE_NETWORKS": "true",
    "VCSERVICE_FETCH_TIMEOUT_SECONDS": "2",
    # The legitimate client is one address verifying many times a second; the attackers
    # keep the default limits of every other kind.
    "VCSERVICE_VERIFY_RATE_PER_MINUTE": "100000",
}


class Trickler:
    """A host that answers every connection one byte every half second, forever."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}/list"

    def _accept(self) -> None:
        while True:
            connection, _ = self._listener.accept()
            threading.Thread(target=self._trickle, args=(connection,), daemon=True).start()

    @staticmethod
    def _trickle(connection: socket.socket) -> None:
        with connection:
            try:
                connection.recv(65536)
                for byte in b"HTTP/1.1 200 OK\r\n" * 1000:
                    time.sleep(0.5)
                    connection.send(bytes([byte]))
            except OSError:
                return


def _attacks(pool: list[dict[str, Any]], trickle_url: str) -> list[tuple[str, str, Any]]:
    """(method, path, JSON body) of each attack."""
    key = KeyFile(KeyPair.generate(KeyType.ED25519))
    attacker = key.verification_method.split("#")[0]
    core = build_core(CoreConfig(store_dir=default_context_store()))

    def signed_by_attacker(status: list[dict[str, Any]]) -> dict[str, Any]:
        credential = sample_certificate("ctpat")
        credential["issuer"] = {"id": attacker, "name": "Nobody"}
        credential["credentialStatus"] = status
        return core.data_integrity.add_proof(
            credential, signer=key.signer(), cryptosuite="eddsa-rdfc-2022", created=_now()
        )

    def entry(url: str, number: int, purpose: str) -> dict[str, Any]:
        return {
            "id": f"{url}#{number}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": purpose,
            "statusListIndex": str(number),
            "statusListCredential": url,
        }

    bomb = sample_certificate("immex")
    bomb["credentialSchema"] = {
        "id": "https://w3id.org/vcservice/trade-certificates/schemas/immex-v1.json",
        "type": "JsonSchema",
    }
    address = copy.deepcopy(bomb["credentialSubject"]["authorizedAddresses"][0])
    address["address"]["postalCode"] = "none"
    bomb["credentialSubject"]["authorizedAddresses"] = [address] * 3000
    presentation = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [pool[0]] * 300,
    }
    return [
        ("POST", "/credentials/verify", {"verifiableCredential": signed_by_attacker(
            [entry(trickle_url, 1, "revocation")])}),
        ("POST", "/presentations/verify", {
            "verifiablePresentation": presentation, "options": {"challenge": "nope"}}),
        ("POST", "/credentials/verify", {"verifiableCredential": bomb}),
        ("POST", "/credentials/verify", {"verifiableCredential": signed_by_attacker(
            [entry(f"{trickle_url}/{n}", n, f"p{n}") for n in range(20)])}),
        ("GET", "/holder/credentials", None),
        ("POST", "/challenges", {}),
    ]  # fmt: skip


def _now() -> datetime:
    return datetime.now(UTC)


def _attacker(url: str, attacks: list[tuple[str, str, Any]], number: int, stop: Any) -> None:
    address = f"127.0.{1 + number // 250}.{1 + number % 250}"
    transport = httpx.HTTPTransport(local_address=address)
    bodies = [(method, path, json.dumps(body).encode()) for method, path, body in attacks]
    headers = {"Content-Type": "application/json", "Authorization": "Bearer x.y"}
    order = random.Random(number)
    with httpx.Client(base_url=url, transport=transport, timeout=30) as http:
        while not stop.is_set():
            method, path, body = order.choice(bodies)
            try:
                http.request(method, path, content=body, headers=headers)
            except httpx.HTTPError:
                time.sleep(0.1)


async def _legitimate(url: str, pool: list[dict[str, Any]], args: argparse.Namespace) -> Recorder:
    client = RawHttp(url)
    bodies = [json.dumps({"verifiableCredential": item}).encode() for item in pool]
    recorder = Recorder()
    try:
        for seconds, keep in ((2.0, Recorder()), (args.duration, recorder)):
            tasks = []
            start = time.perf_counter()
            for number in range(int(args.rate * seconds)):
                scheduled = start + number / args.rate
                await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
                request = ("/credentials/verify", bodies[number % len(bodies)], {})
                tasks.append(asyncio.create_task(_one(client, keep, "verify", request, scheduled)))
            await asyncio.gather(*tasks)
    finally:
        client.close()
    return recorder


def _p99(recorder: Recorder) -> float:
    ordered = sorted(recorder.latencies["verify"])
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] if ordered else float("inf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rate", type=float, default=40.0)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--attackers", type=int, default=8)
    args = parser.parse_args()
    os.environ.update(SERVICE_SETTINGS)
    trickler = Trickler()
    with (
        running_service(
            None, None, default_context_store(), serve_args=["--workers", str(args.workers)]
        ) as target,
        httpx.Client(base_url=target.url, timeout=60) as http,
    ):
        did, issuer = authority_with_token(http, target.admin_token, "cbp", ["CTPATCertificate"])
        admin = {"Authorization": f"Bearer {target.admin_token}"}
        entry = {"id": did, "name": "CBP", "credentialTypes": ["CTPATCertificate"]}
        http.post("/admin/trust-registry/issuers", json=entry, headers=admin).raise_for_status()
        pool = _pool(http, issuer)
        attacks = _attacks(pool, trickler.url)
        print(
            f"soak over HTTP — legitimate verifications at {args.rate:g}/s for "
            f"{args.duration:g} s; uvicorn workers={args.workers}; attackers={args.attackers}"
        )
        print("alone:")
        alone = asyncio.run(_legitimate(target.url, pool, args))
        alone.report(args.duration)
        stop = threading.Event()
        threads = [
            threading.Thread(target=_attacker, args=(target.url, attacks, n, stop), daemon=True)
            for n in range(args.attackers)
        ]
        for thread in threads:
            thread.start()
        try:
            print("under attack:")
            attacked = asyncio.run(_legitimate(target.url, pool, args))
            attacked.report(args.duration)
        finally:
            stop.set()
        ratio = _p99(attacked) / _p99(alone)
        print(f"legitimate p99 under attack / alone: {ratio:.2f} (target < 2)")


if __name__ == "__main__":
    main()
