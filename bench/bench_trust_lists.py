"""Signed trust lists: publishing, refreshing, and what a subscribed list costs a verification.

Builds the service in a temporary directory (SQLite): SAT publishes a list of ``--entries``
issuers (its office AGACE among them), served by a tiny ``http.server`` on 127.0.0.1 with
ETags; the same service subscribes to it as a verifier would. Measured:

- publish: one entry added, so a new version of the whole list is signed (eddsa-rdfc-2022)
  and stored;
- refresh, unchanged: a conditional GET answered 304 (the list confirmed);
- refresh, a new version: fetched, its proof verified, parsed, accepted and stored;
- verify: an OEA certificate whose issuer the subscribed list accredits, beside one whose
  issuer a local registry entry accredits (every check on, the status lists local).

Run: .venv/bin/python bench/bench_trust_lists.py [--entries N] [--count N] [--context-store DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import Measurement, measure

from vcservice.certificates.samples import sample_certificate
from vcservice.model.records import Authority, PublishedEntry
from vcservice.services.container import Services, build_services
from vcservice.services.issuer import IssuanceOptions
from vcservice.settings import Settings, default_context_store

TYPE = "OEACertificate"


class _Publisher(BaseHTTPRequestHandler):
    """Serves ``document`` with its ETag; 304 for a matching If-None-Match."""

    document: ClassVar[bytes] = b""
    etag: ClassVar[str] = ""

    def do_GET(self) -> None:
        if self.headers.get("If-None-Match") == self.etag:
            self.send_response(304)
            self.send_header("ETag", self.etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/vc+ld+json")
        self.send_header("Content-Length", str(len(self.document)))
        self.send_header("ETag", self.etag)
        self.end_headers()
        self.wfile.write(self.document)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@contextmanager
def _served() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Publisher)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/trust-lists/sat"
    finally:
        server.shutdown()
        server.server_close()


def _serve_current(services: Services) -> None:
    version = services.trust_lists.current("sat")
    _Publisher.document = version.document.encode()
    _Publisher.etag = f'"{version.digest[:32]}"'


def _fill(services: Services, entries: int, office: str) -> None:
    """SAT's list: ``office`` and ``entries - 1`` other issuers (stored without publishing)."""
    now = datetime.now(UTC)
    for number in range(entries):
        issuer = office if number == 0 else f"did:web:aduanas.example:oficinas:o{number}"
        services.store.published_lists.add_entry(
            PublishedEntry(
                id=f"urn:uuid:{uuid.uuid4()}",
                authority="sat",
                issuer=issuer,
                name=f"Oficina {number}",
                credential_types=frozenset({TYPE}),
                accredited_from=None,
                accredited_until=None,
                created_at=now,
            )
        )


def _issue(services: Services, authority: Authority) -> dict[str, Any]:
    unsigned = sample_certificate("oea")
    del unsigned["id"]  # the service assigns it; the issuer must be the authority
    unsigned["issuer"] = {**unsigned["issuer"], "id": authority.did}
    issued = services.issuer.issue(authority, unsigned, IssuanceOptions())
    return dict(json.loads(issued.document))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--context-store", type=Path, default=default_context_store())
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data, _served() as url:
        settings = Settings(
            data_dir=Path(data),
            context_store=args.context_store,
            allow_http_hosts=frozenset({"127.0.0.1"}),
            allow_private_networks=True,
        )
        services = build_services(settings)
        try:
            rows = _run(services, url, args.entries, args.count)
        finally:
            services.close()
    print(f"trust list of {args.entries} entries")
    for row in rows:
        print(row.row())


def _run(services: Services, url: str, entries: int, count: int) -> list[Measurement]:
    authorities = services.authorities
    sat = authorities.create(name="sat", display_name="SAT", credential_types=[TYPE])
    office = authorities.create(name="agace", display_name="AGACE", credential_types=[TYPE])
    local = authorities.create(name="aduana", display_name="Aduana", credential_types=[TYPE])
    _fill(services, entries, office.did)
    _serve_current(services)
    subscriptions = services.trust_list_subscriptions
    subscription = subscriptions.subscribe(
        url=url, expected_signer=sat.did, credential_types=[TYPE], label="SAT"
    )
    assert subscriptions.refresh(subscription.id).result == "accepted"
    services.trust.add(issuer=local.did, name="Aduana", credential_types=[TYPE])
    listed, stored = _issue(services, office), _issue(services, local)
    verifier = services.verifier
    assert verifier.verify_credential(listed).verified
    assert verifier.verify_credential(stored).verified
    rounds = max(5, count // 30)
    added = [0]

    def publish() -> None:
        added[0] += 1
        services.trust_lists.add_entry(
            "sat", issuer=f"did:web:nuevas.example:o{added[0]}", name="Nueva",
            credential_types=[TYPE],
        )  # fmt: skip

    def refresh_new() -> None:
        publish()
        _serve_current(services)
        assert subscriptions.refresh(subscription.id).result == "accepted"

    def refresh_unchanged() -> None:
        assert subscriptions.refresh(subscription.id).result == "unchanged"

    return [
        measure(f"publish a version ({entries} entries)", publish, count=rounds, warmup=2),
        measure("refresh: a new version accepted", refresh_new, count=rounds, warmup=2),
        measure("refresh: unchanged (304)", refresh_unchanged, count=count),
        measure(
            "verify: issuer accredited by the list",
            lambda: verifier.verify_credential(listed),
            count=count,
        ),
        measure(
            "verify: issuer accredited by a local entry",
            lambda: verifier.verify_credential(stored),
            count=count,
        ),
    ]


if __name__ == "__main__":
    main()
