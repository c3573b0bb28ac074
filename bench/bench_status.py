"""Status list costs: checking a credential's status, and publishing a full list.

Builds the service in a temporary directory (SQLite), creates one authority, issues one
IMMEX certificate and fills each of its three status lists (revocation, suspension,
message; 131,072 entries each) so that ``--fill`` of the entries are set.

(a) ``BitstringStatusChecker.check`` on that credential (three lists, each verified and
    expanded on every check), the lists coming
      - local: from the service's own lists (``StatusService.local_document``: the signed
        copy kept in the database, no re-signing);
      - HTTP, warm: from a tiny ``http.server`` on 127.0.0.1 through ``GuardedHttpClient``
        and ``HttpStatusListSource`` whose TTL cache already holds the lists;
      - HTTP, cold: the same with ``Cache-Control: no-store`` (a fetch on every check).
(b) ``StatusService.publish`` of a full list after a change (its version bumped, so it is
    re-signed): read the set entries, build the Bitstring, encode it (GZIP + base64url),
    sign it (eddsa-rdfc-2022) and store the signed copy; then each step alone, and the
    encoded sizes.

Run: .venv/bin/python bench/bench_status.py [--count N] [--publish-count N] [--fill F]
     [--context-store DIR]
Contexts come from the installed store (``vcservice contexts install``) unless
``--context-store`` names another.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import insert, select, update
from timing import Measurement, measure

from vcservice.certificates.samples import sample_certificate
from vcservice.keys import KeyType
from vcservice.model.checks import Outcome
from vcservice.model.records import Authority, StatusPurpose
from vcservice.net import FetchPolicy, GuardedHttpClient, TtlCache
from vcservice.proofs.purposes import ProofPurpose
from vcservice.proofs.suites import eddsa_rdfc_2022
from vcservice.services.container import Services, build_services
from vcservice.services.issuer import IssuanceOptions
from vcservice.services.status import LIST_TTL, LIST_VALIDITY, STATUS_LISTS_PATH, STATUS_SIZES
from vcservice.settings import Settings, default_context_store
from vcservice.status.bitstring import Bitstring, decode_list
from vcservice.status.checker import BitstringStatusChecker
from vcservice.status.list_credential import status_list_credential
from vcservice.status.sources import HttpStatusListSource, LocalFirstStatusListSource
from vcservice.storage.schema import status_entries, status_lists

LIST_SIZE = 131_072
AUTHORITY = "bench"
WARMUP = 20


class _ListHandler(BaseHTTPRequestHandler):
    """Serves the pre-rendered signed lists; counts requests."""

    documents: ClassVar[dict[str, bytes]] = {}
    cache_control: ClassVar[str] = f"max-age={int(LIST_TTL.total_seconds())}"
    requests: ClassVar[int] = 0

    def do_GET(self) -> None:
        type(self).requests += 1
        body = self.documents.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/vc+ld+json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", self.cache_control)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@contextmanager
def _list_server() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ListHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _fill(services: Services, fill: float, rng: random.Random) -> None:
    """Set ``fill`` of every list's entries (values 1…max), leaving the issued entries at 0."""
    with services.store.engine.begin() as connection:
        lists = connection.execute(
            select(status_lists.c.id, status_lists.c.purpose, status_lists.c.status_size)
        ).all()
        for list_id, purpose, status_size in lists:
            taken = set(
                connection.scalars(
                    select(status_entries.c.index).where(status_entries.c.list_id == list_id)
                )
            )
            wanted = round(fill * LIST_SIZE) - len(taken)
            free = [index for index in range(LIST_SIZE) if index not in taken]
            rows = [
                {
                    "list_id": list_id,
                    "index": index,
                    "credential_id": f"urn:uuid:{uuid.uuid4()}",
                    "purpose": purpose,
                    "status": rng.randint(1, (1 << status_size) - 1),
                }
                for index in rng.sample(free, wanted)
            ]
            connection.execute(insert(status_entries), rows)
        connection.execute(update(status_lists).values(version=status_lists.c.version + 1))


def _bump(services: Services, list_id: int) -> None:
    """What a status change does to the list: a new version, so publish re-signs."""
    with services.store.engine.begin() as connection:
        connection.execute(
            update(status_lists)
            .where(status_lists.c.id == list_id)
            .values(version=status_lists.c.version + 1)
        )


def _measure_with_setup(
    name: str, setup: Callable[[], Any], operation: Callable[[], Any], *, count: int, warmup: int
) -> Measurement:
    """Like ``timing.measure``, with an untimed ``setup`` before every call."""
    for _ in range(warmup):
        setup()
        operation()
    latencies = []
    for _ in range(count):
        setup()
        start = time.perf_counter()
        operation()
        latencies.append(time.perf_counter() - start)
    return Measurement(name, latencies)


def _passes(checker: BitstringStatusChecker, credential: dict[str, Any]) -> None:
    check = checker.check(credential)
    assert check.outcome is Outcome.PASSED, check


def bench_checks(services: Services, credential: dict[str, Any], count: int) -> list[Measurement]:
    """(a): the status check of one credential from each source."""
    clock = services.clock
    data_integrity = services.core.data_integrity
    urls = [entry["statusListCredential"] for entry in credential["credentialStatus"]]
    for url in urls:  # what the service serves; publishing (re-signing) happens here once
        document = services.statuses.local_document(url)
        assert document is not None
        path = url.removeprefix(services.settings.public_url)
        _ListHandler.documents[path] = json.dumps(document).encode()

    local = BitstringStatusChecker(
        source=LocalFirstStatusListSource(services.statuses.local_documents, clock=clock),
        data_integrity=data_integrity,
        clock=clock,
    )
    policy = FetchPolicy(
        allow_http_hosts=frozenset({"127.0.0.1", "localhost"}), allow_private_networks=True
    )
    clients: list[GuardedHttpClient] = []

    def http_checker() -> BitstringStatusChecker:
        """A checker on a new client: neither its HTTP cache nor its list cache is shared."""
        clients.append(GuardedHttpClient(policy))
        source = HttpStatusListSource(
            clients[-1], cache=TtlCache(max_entries=1024, max_ttl_seconds=300), clock=clock
        )
        return BitstringStatusChecker(source=source, data_integrity=data_integrity, clock=clock)

    rows = []
    try:
        _passes(local, credential)
        rows.append(
            measure("check, local (DB-cached list)", lambda: local.check(credential), count=count)
        )
        # Where a check's time goes: per list, the proof is verified and the bits expanded.
        revocation = services.statuses.local_document(urls[0])
        assert revocation is not None
        rows.append(
            measure(
                "  1 list: verify proof",
                lambda: data_integrity.verify(revocation, purpose=ProofPurpose(), now=clock.now()),
                count=count,
            )
        )
        encoded = revocation["credentialSubject"]["encodedList"]
        rows.append(
            measure("  1 list: decode encodedList", lambda: decode_list(encoded), count=count)
        )
        rows.append(
            measure(
                "  1 list: read (DB + JSON parse)",
                lambda: services.statuses.local_document(urls[0]),
                count=count,
            )
        )
        assert services.core.verifier.verify(credential).verified
        rows.append(
            measure(
                "verify, proof + status (local)",
                lambda: services.core.verifier.verify(credential),
                count=count,
            )
        )

        warm = http_checker()
        _passes(warm, credential)  # fills the TTL cache
        before = _ListHandler.requests
        rows.append(
            measure("check, HTTP warm TTL cache", lambda: warm.check(credential), count=count)
        )
        assert _ListHandler.requests == before, "the warm cache went to the network"

        _ListHandler.cache_control = "no-store"  # nothing fetched from now on is kept
        cold = http_checker()
        _passes(cold, credential)
        before = _ListHandler.requests
        rows.append(
            measure(
                f"check, HTTP cold ({len(urls)} fetches)",
                lambda: cold.check(credential),
                count=count,
                warmup=WARMUP,
            )
        )
        fetched = _ListHandler.requests - before
        assert fetched == len(urls) * (count + WARMUP), f"{fetched} fetches"
    finally:
        for client in clients:
            client.close()
    return rows


def bench_publish(
    services: Services, authority: Authority, purpose: StatusPurpose, count: int
) -> tuple[list[Measurement], dict[str, int]]:
    """(b): publishing the full list of ``purpose`` after a change, whole and step by step."""
    statuses, store = services.statuses, services.store
    status_list = store.statuses.get_list(authority.name, purpose, 1)
    assert status_list is not None
    label = purpose.value
    signer = services.authorities.signer(authority, KeyType.ED25519)
    url = f"{services.settings.public_url}/{STATUS_LISTS_PATH}/{authority.name}/{purpose.value}/1"
    now = services.clock.now()

    def build() -> Bitstring:
        bitstring = Bitstring(status_list.size, status_size=status_list.status_size)
        for index, value in bits.items():
            bitstring.set(index, value)
        return bitstring

    bits = store.statuses.set_bits(status_list.id)
    bitstring = build()
    document = status_list_credential(
        list_url=url,
        issuer=authority.did,
        purpose=purpose.value,
        bitstring=bitstring,
        valid_from=now,
        valid_until=now + LIST_VALIDITY,
        ttl_ms=int(LIST_TTL.total_seconds() * 1000),
    )
    rows = [
        _measure_with_setup(
            f"publish changed {label}",
            lambda: _bump(services, status_list.id),
            lambda: statuses.publish(authority.name, purpose, 1),
            count=count,
            warmup=3,
        ),
        measure(
            "  read set entries (DB)",
            lambda: store.statuses.set_bits(status_list.id),
            count=count,
            warmup=3,
        ),
        measure("  build Bitstring", build, count=count, warmup=3),
        measure("  encode (gzip + base64url)", bitstring.encode, count=count, warmup=3),
        measure(
            "  authority + signer (key unwrap)",
            lambda: services.authorities.signer(
                services.authorities.get(authority.name), KeyType.ED25519
            ),
            count=count,
            warmup=3,
        ),
        measure(
            "  sign eddsa-rdfc-2022",
            lambda: services.core.data_integrity.add_proof(
                document, signer=signer, cryptosuite=eddsa_rdfc_2022.NAME, created=now
            ),
            count=count,
            warmup=3,
        ),
        measure(
            f"publish unchanged {label}",
            lambda: statuses.publish(authority.name, purpose, 1),
            count=count,
            warmup=3,
        ),
    ]
    published = statuses.publish(authority.name, purpose, 1).document
    sizes = {
        "set": len(bits),
        "raw": len(bitstring.to_bytes()),
        "encoded": len(bitstring.encode()),
        "document": len(published.encode()),
    }
    return rows, sizes


def encoded_sizes(fills: list[float], rng: random.Random) -> list[tuple[float, int, int]]:
    """``(fill, 1-bit encodedList chars, 2-bit encodedList chars)`` for random lists."""
    sizes = []
    for fill in fills:
        row = []
        for status_size in (1, 2):
            bitstring = Bitstring(LIST_SIZE, status_size=status_size)
            for index in rng.sample(range(LIST_SIZE), round(fill * LIST_SIZE)):
                bitstring.set(index, rng.randint(1, bitstring.max_value))
            row.append(len(bitstring.encode()))
        sizes.append((fill, row[0], row[1]))
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=300, help="status checks per source")
    parser.add_argument("--publish-count", type=int, default=50, help="publications per list")
    parser.add_argument("--fill", type=float, default=0.10, help="share of entries set")
    parser.add_argument("--context-store", type=Path, default=default_context_store())
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    print(
        f"vcservice status benchmark — SQLite, lists of {LIST_SIZE:,} entries with "
        f"{args.fill:.0%} set, one process"
    )
    with tempfile.TemporaryDirectory() as tmp, _list_server() as server:
        port = server.server_address[1]
        services = build_services(
            Settings(
                data_dir=Path(tmp) / "data",
                public_url=f"http://localhost:{port}",
                context_store=args.context_store,
                status_list_size=LIST_SIZE,
            )
        )
        try:
            authority = services.authorities.create(
                name=AUTHORITY, display_name="Benchmark Authority", credential_types=["*"]
            )
            unsigned = sample_certificate("immex")
            del unsigned["id"]  # the service assigns it; the issuer must be the authority
            unsigned["issuer"] = {**unsigned["issuer"], "id": authority.did}
            issued = services.issuer.issue(authority, unsigned, IssuanceOptions())
            credential = json.loads(issued.document)
            _fill(services, args.fill, rng)

            print(
                f"\n(a) status check of one credential ({len(STATUS_SIZES)} lists), "
                f"{args.count} sequential checks each"
            )
            for row in bench_checks(services, credential, args.count):
                print(row.row())

            print(f"\n(b) publication of a full list, {args.publish_count} sequential each")
            for purpose in (StatusPurpose.REVOCATION, StatusPurpose.MESSAGE):
                rows, sizes = bench_publish(services, authority, purpose, args.publish_count)
                for row in rows:
                    print(row.row())
                print(
                    f"  {sizes['set']:,} entries set, {STATUS_SIZES[purpose]} bit each: "
                    f"bitstring {sizes['raw']:,} B, encodedList {sizes['encoded']:,} chars, "
                    f"signed list {sizes['document']:,} B"
                )
        finally:
            services.close()

    print("\nencodedList size of a random 131,072-entry list by share of entries set")
    print(f"{'fill':>6} {'1-bit':>10} {'2-bit':>10}")
    for fill, one_bit, two_bit in encoded_sizes([0.0, 0.01, 0.05, 0.10, 0.25, 0.50], rng):
        print(f"{fill:>6.0%} {one_bit:>10,} {two_bit:>10,}")


if __name__ == "__main__":
    main()
