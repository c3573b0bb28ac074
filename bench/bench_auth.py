"""Token checks over HTTP: what a wrong bearer token or secret costs, and what a flood of them
does to everyone else.

Starts `vcservice serve` (one worker unless `--workers`; no rate limits, since a benchmark
is one very busy caller), creates a holder, an accredited authority with a client and one
C-TPAT certificate, then times sequential requests from one client:

- `GET /holder/credentials` with a bogus holder token (`x.y`, the issue's), with the holder's
  name and a wrong secret, and with the holder's own token;
- `GET /admin/authorities` with a wrong admin token and with the admin token;
- `POST /oauth/token` with a wrong client secret and with the right one;

then `POST /credentials/verify` of the certificate alone, and again while `--flood` threads
send `Bearer x.y` to `/holder/credentials`: as fast as they are answered (the issue's 32
threads), and paced at `--flood-rate` a second in all (what a bogus request costs the others).

Run: .venv/bin/python bench/bench_auth.py [--count N] [--flood 32] [--flood-rate 40]
     [--workers W] [--database-url postgresql://…]
"""

from __future__ import annotations

import argparse
import secrets
import sys
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_load import _certificate_body
from seeding import authority_with_token, benchmarked_service
from timing import Measurement, measure

BOGUS = {"Authorization": "Bearer x.y"}
TOKEN_FORM = {"grant_type": "client_credentials"}


def _expecting(status: int, send: Callable[[], httpx.Response]) -> Callable[[], None]:
    """``send``, failing the benchmark unless it is answered ``status``."""

    def call() -> None:
        response = send()
        if response.status_code != status:
            raise SystemExit(f"expected {status}, got {response.status_code}: {response.text}")

    return call


def _seed(http: httpx.Client, admin_token: str) -> dict[str, Any]:
    """A holder, an accredited CBP with an issuing client, a C-TPAT certificate."""
    admin = {"Authorization": f"Bearer {admin_token}"}
    holder = http.post("/admin/holders", json={"name": "shipper"}, headers=admin)
    did, issuer = authority_with_token(http, admin_token, "cbp", ["CTPATCertificate"])
    entry = {"id": did, "name": "CBP", "credentialTypes": ["CTPATCertificate"]}
    http.post("/admin/trust-registry/issuers", json=entry, headers=admin).raise_for_status()
    client = http.post(
        "/admin/authorities/cbp/clients", json={"scopes": ["read:credentials"]}, headers=admin
    ).raise_for_status()
    issued = http.post("/certificates/ctpat", json=_certificate_body(), headers=issuer)
    return {
        "holder": {"Authorization": f"Bearer {holder.raise_for_status().json()['accessToken']}"},
        "client": (client.json()["clientId"], client.json()["clientSecret"]),
        "credential": issued.raise_for_status().json()["verifiableCredential"],
    }


def _token_checks(
    http: httpx.Client, admin: dict[str, str], seeded: dict[str, Any], count: int
) -> list[Measurement]:
    """One row per kind of token, wrong and right."""
    client_id, secret = seeded["client"]
    wrong_holder = {"Authorization": f"Bearer shipper.{secrets.token_urlsafe(32)}"}
    wrong_admin = {"Authorization": f"Bearer {secrets.token_urlsafe(32)}"}
    holder = partial(http.get, "/holder/credentials")
    authorities = partial(http.get, "/admin/authorities")
    token = partial(http.post, "/oauth/token", data=TOKEN_FORM)
    cases = [
        ("holder: bogus token x.y", 401, partial(holder, headers=BOGUS)),
        ("holder: its name, wrong secret", 401, partial(holder, headers=wrong_holder)),
        ("holder: its token", 200, partial(holder, headers=seeded["holder"])),
        ("admin: wrong token", 401, partial(authorities, headers=wrong_admin)),
        ("admin: its token", 200, partial(authorities, headers=admin)),
        ("client: wrong secret", 401, partial(token, auth=(client_id, "x" * 43))),
        ("client: its secret", 200, partial(token, auth=(client_id, secret))),
    ]
    return [measure(name, _expecting(status, send), count=count) for name, status, send in cases]


def _flooded(
    url: str, verify: Callable[[], None], count: int, flood: int, rate: float | None
) -> tuple[Measurement, float]:
    """``verify`` timed while ``flood`` threads send ``Bearer x.y``: as fast as they are
    answered, or ``rate`` a second in all; and the rate of bogus requests answered."""
    stop, sent = threading.Event(), [0] * flood
    interval = flood / rate if rate else 0.0

    def bogus(index: int) -> None:
        with httpx.Client(base_url=url, timeout=60) as own:
            due = time.monotonic() + index * interval / flood
            while not stop.wait(max(0.0, due - time.monotonic())):
                own.get("/holder/credentials", headers=BOGUS)
                sent[index] += 1
                due += interval

    threads = [threading.Thread(target=bogus, args=(i,)) for i in range(flood)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    try:
        pace = f"at {rate:g}/s" if rate else "as fast as answered"
        flooded = measure(f"verify, {flood} threads of x.y {pace}", verify, count=count)
    finally:
        stop.set()
        elapsed = time.monotonic() - started
        for thread in threads:
            thread.join()
    return flooded, sum(sent) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--flood", type=int, default=32)
    parser.add_argument("--flood-rate", type=float, default=40.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with (
        benchmarked_service(args.workers, args.database_url) as target,
        httpx.Client(base_url=target.url, timeout=60) as http,
    ):
        admin = {"Authorization": f"Bearer {target.admin_token}"}
        seeded = _seed(http, target.admin_token)
        print(
            f"token checks over HTTP — uvicorn workers={args.workers}, "
            f"database={args.database_url or 'SQLite'}, {args.count} sequential requests each"
        )
        for row in _token_checks(http, admin, seeded, args.count):
            print(row.row())
        body = {"verifiableCredential": seeded["credential"]}
        verify = _expecting(200, partial(http.post, "/credentials/verify", json=body))
        print(measure("verify, quiet", verify, count=args.count).row())
        for rate in (None, args.flood_rate):
            flooded, answered = _flooded(target.url, verify, args.count, args.flood, rate)
            print(f"{flooded.row()}   bogus answered {answered:.0f}/s")


if __name__ == "__main__":
    main()
