"""Soak under attack: legitimate verifications at a fixed rate, first alone, then while an
attacker mix runs against the same service; prints the legitimate latency of both runs.

Loopback only and bounded: `vcservice serve --workers W` on a fresh SQLite data directory
(fetches to 127.0.0.1 allowed, a 2 s fetch deadline), an accredited authority and a pool of
its certificates. The legitimate client, a broker's `verify:credentials` client, verifies them
open-loop at `--rate` per second for `--duration` seconds (latency from each request's
scheduled start). The attackers are `--attackers` processes (at lower priority: they stand
for other machines), each anonymous from its own loopback address (127.0.x.y, so per-address
limits do not simply shut them out) under the default limits, cycling closed-loop through:

- a credential whose status list lives on a host that trickles its headers (slow-loris);
- a presentation for a challenge nobody issued, carrying 300 credentials;
- a credential without a proof naming a schema, with 3,000 invalid addresses;
- a credential signed by the attacker naming 20 status lists;
- holder requests with a bogus bearer token;
- anonymous challenges, as fast as they are answered.

Target: the legitimate p99 under attack within twice the p99 alone.

Run: .venv/bin/python bench/bench_soak.py [--workers 2] [--rate 40] [--duration 20]
     [--attackers 8] [--only challenge …]
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import multiprocessing
import os
import random
import socket
import sys
import threading
import time
from collections import Counter
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
    # The broker's client verifies many times a second; anonymous callers (the attackers)
    # keep the default limits of every kind.
    "VCSERVICE_CLIENT_VERIFY_RATE_PER_MINUTE": "100000",
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


def _attacks(pool: list[dict[str, Any]], trickle_url: str) -> list[tuple[str, str, str, Any]]:
    """(name, method, path, JSON body) of each attack."""
    key = KeyFile(KeyPair.generate(KeyType.ED25519))
    attacker = key.verification_method.split("#")[0]
    core = build_core(CoreConfig(store_dir=default_context_store()))

    def signed_by_attacker(status: list[dict[str, Any]]) -> dict[str, Any]:
        credential = sample_certificate("ctpat")
        credential["issuer"] = {**credential["issuer"], "id": attacker, "name": "Nobody"}
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
        "id": "https://w3id.org/vcservice/trade-certificates/schemas/immex-v2.json",
        "type": "JsonSchema",
    }
    member = bomb["credentialSubject"]["member"]
    site = copy.deepcopy(member["location"][0])
    site["address"]["postalCode"] = "none"
    member["location"] = [site] * 3000
    presentation = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [pool[0]] * 300,
    }
    one_list = [entry(trickle_url, 1, "revocation")]
    twenty_lists = [entry(f"{trickle_url}/{n}", n, f"p{n}") for n in range(20)]
    unchallenged = {"verifiablePresentation": presentation, "options": {"challenge": "nope"}}
    return [
        ("trickling-list", "POST", "/credentials/verify",
         {"verifiableCredential": signed_by_attacker(one_list)}),
        ("300-credentials", "POST", "/presentations/verify", unchallenged),
        ("schema-bomb", "POST", "/credentials/verify", {"verifiableCredential": bomb}),
        ("20-lists", "POST", "/credentials/verify",
         {"verifiableCredential": signed_by_attacker(twenty_lists)}),
        ("bogus-token", "GET", "/holder/credentials", None),
        ("challenge", "POST", "/challenges", {}),
    ]  # fmt: skip


def _now() -> datetime:
    return datetime.now(UTC)


def _attacker(
    url: str, attacks: list[tuple[str, str, str, bytes]], number: int, stop: Any, seen: Any
) -> None:
    """Send ``attacks`` in random order from loopback address ``number`` until ``stop``,
    then put the count of each answer ("name status") on ``seen``.

    Runs in a process of its own at lower priority: the attackers stand for other machines,
    so their own CPU (the client's JSON and HTTP) must not be taken from the service's
    two cores, nor their GIL from the legitimate client's event loop.
    """
    os.nice(19)
    address = f"127.0.{1 + number // 250}.{1 + number % 250}"
    transport = httpx.HTTPTransport(local_address=address)
    order = random.Random(number)
    answers: Counter[str] = Counter()
    with httpx.Client(base_url=url, transport=transport, timeout=30) as http:
        while not stop.is_set():
            name, method, path, body = order.choice(attacks)
            headers = {"Content-Type": "application/json"}
            if name == "bogus-token":
                headers["Authorization"] = "Bearer x.y"
            try:
                status = str(http.request(method, path, content=body, headers=headers).status_code)
            except httpx.HTTPError as exc:
                status = type(exc).__name__
                time.sleep(0.1)
            answers[f"{name} {status}"] += 1
    seen.put(answers)


async def _legitimate(
    url: str, pool: list[dict[str, Any]], token: str, args: argparse.Namespace
) -> Recorder:
    client = RawHttp(url)
    headers = {"Authorization": f"Bearer {token}"}
    bodies = [json.dumps({"verifiableCredential": item}).encode() for item in pool]
    recorder = Recorder()
    try:
        for seconds, keep in ((2.0, Recorder()), (args.duration, recorder)):
            tasks = []
            start = time.perf_counter()
            for number in range(int(args.rate * seconds)):
                scheduled = start + number / args.rate
                await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
                request = ("/credentials/verify", bodies[number % len(bodies)], headers)
                tasks.append(asyncio.create_task(_one(client, keep, "verify", request, scheduled)))
            await asyncio.gather(*tasks)
    finally:
        client.close()
    return recorder


def _verifier_token(http: httpx.Client, admin_token: str) -> str:
    """An access token of a broker's ``verify:credentials`` client."""
    _, headers = authority_with_token(
        http, admin_token, "broker", ["OEACertificate"], scopes=("verify:credentials",)
    )
    return headers["Authorization"].removeprefix("Bearer ")


def _start_attackers(
    url: str, attacks: list[tuple[str, str, str, bytes]], count: int
) -> tuple[list[Any], Any, Any]:
    """``count`` attacker processes, started; with the event that stops them and the queue
    each puts its answers on."""
    context = multiprocessing.get_context("spawn")
    stop, seen = context.Event(), context.Queue()
    processes = [
        context.Process(target=_attacker, args=(url, attacks, n, stop, seen), daemon=True)
        for n in range(count)
    ]
    for process in processes:
        process.start()
    time.sleep(2.0)  # until they are all sending
    return processes, stop, seen


def _p99(recorder: Recorder) -> float:
    ordered = sorted(recorder.latencies["verify"])
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] if ordered else float("inf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rate", type=float, default=40.0)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--attackers", type=int, default=8)
    parser.add_argument(
        "--only", action="append", default=[], help="run only this attack (repeatable)"
    )
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
        attacks = [
            (name, method, path, json.dumps(body).encode())
            for name, method, path, body in _attacks(pool, trickler.url)
            if not args.only or name in args.only
        ]
        broker = _verifier_token(http, target.admin_token)
        print(
            f"soak over HTTP — legitimate verifications at {args.rate:g}/s for "
            f"{args.duration:g} s; uvicorn workers={args.workers}; attackers={args.attackers}"
        )
        print("alone:")
        alone = asyncio.run(_legitimate(target.url, pool, broker, args))
        alone.report(args.duration)
        attackers, stop, seen = _start_attackers(target.url, attacks, args.attackers)
        try:
            print("under attack:")
            attacked = asyncio.run(_legitimate(target.url, pool, broker, args))
            attacked.report(args.duration)
        finally:
            stop.set()
        answers: Counter[str] = sum((seen.get(timeout=60) for _ in attackers), Counter())
        for process in attackers:
            process.join(timeout=60)
        print("attack answers:", ", ".join(f"{k} ×{v}" for k, v in sorted(answers.items())))
        ratio = _p99(attacked) / _p99(alone)
        print(f"legitimate p99 under attack / alone: {ratio:.2f} (target < 2)")


if __name__ == "__main__":
    main()
