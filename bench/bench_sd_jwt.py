"""SD-JWT VC: issue and verify throughput in process, and an OpenID4VP response over HTTP.

Builds the service's own ``Services`` on a fresh SQLite data directory and serves them with
uvicorn on loopback (the issuer's did:web and Token Status List are fetched from there, as a
verifier elsewhere would). Seeds CBP, accredited for C-TPAT, then times:

- ``issue``: ``services.sd_jwt_vc.issue`` of a C-TPAT certificate bound to a holder key
  (certificate data checked and built, a status index allocated and recorded, ES256 signed);
- ``verify``: ``services.sd_jwt_vc.verify`` of a presentation disclosing the company name
  and its sites with a key-binding JWT (issuer signature, disclosures, key binding, trust
  registry, validity, Token Status List);
- ``openid4vp``: a broker's OpenID4VP request for a C-TPAT by DCQL (created untimed, with
  the wallet's presentation for its nonce and ``client_id``), then the wallet's answer as the
  ``direct_post`` endpoint hands it over, timed: request consumed once, the SD-JWT VC and its
  key binding verified, the DCQL query matched, the result recorded.

Run: .venv/bin/python bench/bench_sd_jwt.py [--count N]
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import Measurement, measure

from vcservice.api.app import create_app
from vcservice.certificates import by_slug
from vcservice.keys import KeyPair, KeyPairSigner, KeyType
from vcservice.model.requester import Requester
from vcservice.sdjwt import bind, present
from vcservice.services.container import Services, build_services
from vcservice.settings import Settings, default_context_store

AUDIENCE = "https://aduana-nuevo-laredo.example"
DISCLOSED = [("member", "legalName"), ("member", "location", None)]
QUERY_ID = "ctpat"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served_services(data_dir: Path) -> Iterator[tuple[Services, httpx.Client]]:
    """The service's ``Services`` on a fresh SQLite directory, served on loopback."""
    port = _free_port()
    settings = Settings(
        data_dir=data_dir,
        public_url=f"http://localhost:{port}",
        context_store=default_context_store(),
        allow_http_hosts=frozenset({"localhost", "127.0.0.1"}),
        allow_private_networks=True,
    )
    services = build_services(settings)
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, services=services), port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    http = httpx.Client(base_url=settings.public_url, timeout=30.0)
    while not server.started:
        time.sleep(0.05)
    try:
        yield services, http
    finally:
        http.close()
        server.should_exit = True
        thread.join(timeout=10)


def _seed(services: Services) -> str:
    """CBP, accredited for C-TPAT certificates; its name."""
    types = ["CTPATCertificate"]
    authority = services.authorities.create(name="cbp", display_name="CBP", credential_types=types)
    services.trust.add(issuer=authority.did, name="CBP", credential_types=types)
    return authority.name


def _body() -> dict[str, Any]:
    return {"certificate": by_slug("ctpat").example_request(), "validUntil": "2027-11-28T00:00:00Z"}


def _openid4vp(
    services: Services, compact: str, signer: KeyPairSigner, *, count: int
) -> Measurement:
    """The wallet's answers to fresh DCQL requests, each verified and recorded once."""
    query = {
        "credentials": [
            {
                "id": QUERY_ID,
                "format": "dc+sd-jwt",
                "meta": {"vct_values": [services.sd_jwt_vc.vct("ctpat")]},
                "claims": [{"path": ["member", "legalName"]}],
            }
        ]
    }
    broker = Requester.client("bench-broker")
    latencies = []
    for _ in range(count + 20):
        request = services.openid4vp.create(requester=broker, dcql_query=query).request
        presented = bind(
            present(compact, disclose=DISCLOSED[:1]),
            signer=signer,
            nonce=request.nonce,
            audience=request.client_id,
            issued_at=datetime.now(UTC),
        )
        answer = {"vp_token": json.dumps({QUERY_ID: [presented]}), "state": request.state}
        start = time.perf_counter()
        outcome = services.openid4vp.answer(request.request_id, answer)
        latencies.append(time.perf_counter() - start)
        assert outcome.accepted, outcome
    return Measurement("OpenID4VP direct_post answer (SD-JWT VC)", latencies[20:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    args = parser.parse_args()
    holder = KeyPair.generate(KeyType.P256)
    signer = KeyPairSigner(holder, "did:jwk:holder#0")
    rows: list[Measurement] = []
    with (
        tempfile.TemporaryDirectory() as directory,
        served_services(Path(directory)) as (
            services,
            _http,
        ),
    ):
        authority = _seed(services)
        jwk = holder.public_key.to_jwk()

        def issue() -> str:
            return services.sd_jwt_vc.issue(
                authority=authority, slug="ctpat", body=_body(), holder_jwk=jwk
            ).compact

        rows.append(measure("SD-JWT VC issue (C-TPAT, ES256)", issue, count=args.count))
        compact = issue()

        def verify() -> None:
            presented = bind(
                present(compact, disclose=DISCLOSED),
                signer=signer,
                nonce="bench",
                audience=AUDIENCE,
                issued_at=datetime.now(UTC),
            )
            result = services.sd_jwt_vc.verify(presented, nonce="bench", audience=AUDIENCE)
            assert result.verified, result.to_json()

        rows.append(measure("SD-JWT VC present + verify (KB-JWT)", verify, count=args.count))
        rows.append(_openid4vp(services, compact, signer, count=args.count))
    for row in rows:
        print(row.row())


if __name__ == "__main__":
    main()
