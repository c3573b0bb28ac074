"""Scale: issue and look-up latency with an empty registry, and with 100,000 and 1,000,000
credentials in it (PostgreSQL).

Starts `vcservice serve` on the given (empty) PostgreSQL database, seeds one authority, and
measures over HTTP: issuing a C-TPAT certificate (which allocates three status-list
indices), reading one credential by id, and a registry page (`GET /credentials?limit=50`,
whose `total` is a count). Then it fills the registry straight through PostgreSQL's COPY —
credentials with their subject index rows, full status lists and three status entries per
credential, as issuance would have left them — and measures again at each size.

Run: .venv/bin/python bench/bench_scale.py --database-url postgresql://…/empty_db
     [--sizes 100000,1000000] [--count 200]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from seeding import authority_with_token, benchmarked_service
from timing import measure

from vcservice.certificates import by_slug

AUTHORITY = "cbp"
LIST_SIZE = 131_072
PER_LIST = 117_964  # a list closes at 90 % allocated
FIRST_FILLER_SEQUENCE = 10_000
PURPOSES = (("revocation", 1), ("suspension", 1), ("message", 2))


def _body() -> dict[str, object]:
    return {
        "certificate": by_slug("ctpat").example_request(),
        "validUntil": "2027-11-28T00:00:00Z",
    }


def _fill(database_url: str, start: int, stop: int) -> None:
    """Credentials ``start``…``stop - 1`` with subject rows, lists and status entries."""
    now = datetime.now(UTC)
    with psycopg.connect(database_url.replace("postgresql+psycopg", "postgresql")) as db:
        list_ids = _filler_lists(db, start, stop, now)
        with db.cursor() as cursor:
            with cursor.copy(
                "COPY credentials (id, authority, credential_type, securing_format, document,"
                " subject_id, subject_identifiers, issued_at, valid_from, valid_until, status)"
                " FROM STDIN"
            ) as copy:
                for number in range(start, stop):
                    copy.write_row(
                        (
                            _credential_id(number),
                            AUTHORITY,
                            "CTPATCertificate",
                            "eddsa-rdfc-2022",
                            "{}",
                            f"did:example:company-{number}",
                            f'["CTPAT{number:08d}"]',
                            now,
                            now,
                            now,
                            "active",
                        )
                    )
            with cursor.copy(
                "COPY credential_subjects (identifier, credential_id) FROM STDIN"
            ) as copy:
                for number in range(start, stop):
                    copy.write_row((f"did:example:company-{number}", _credential_id(number)))
                    copy.write_row((f"CTPAT{number:08d}", _credential_id(number)))
            with cursor.copy(
                'COPY status_entries (list_id, "index", credential_id, purpose, status) FROM STDIN'
            ) as copy:
                for number in range(start, stop):
                    for purpose, _ in PURPOSES:
                        list_id = list_ids[(purpose, number // PER_LIST)]
                        copy.write_row(
                            (list_id, number % PER_LIST, _credential_id(number), purpose, 0)
                        )
        db.execute("ANALYZE")


def _filler_lists(
    db: psycopg.Connection[tuple[object, ...]], start: int, stop: int, now: datetime
) -> dict[tuple[str, int], int]:
    ids = {}
    for purpose, status_size in PURPOSES:
        for block in range(start // PER_LIST, (stop - 1) // PER_LIST + 1):
            row = db.execute(
                "SELECT id FROM status_lists WHERE authority = %s AND purpose = %s"
                " AND sequence = %s",
                (AUTHORITY, purpose, FIRST_FILLER_SEQUENCE + block),
            ).fetchone()
            if row is None:
                sequence = FIRST_FILLER_SEQUENCE + block
                row = db.execute(
                    "INSERT INTO status_lists (authority, purpose, sequence, size, status_size,"
                    ' version, "full", created_at) VALUES (%s, %s, %s, %s, %s, 1, true, %s)'
                    " RETURNING id",
                    (AUTHORITY, purpose, sequence, LIST_SIZE, status_size, now),
                ).fetchone()
            assert row is not None
            ids[(purpose, block)] = int(str(row[0]))
    return ids


def _credential_id(number: int) -> str:
    return f"urn:uuid:{uuid.UUID(int=number + 1)}"


def _measure(http: httpx.Client, headers: dict[str, str], size: int, count: int) -> None:
    known = [_credential_id(random.randrange(size)) for _ in range(count)] if size else []
    print(f"registry of {size:,} credentials")

    def issue() -> None:
        key = {"Idempotency-Key": str(uuid.uuid4())}
        http.post("/certificates/ctpat", json=_body(), headers=headers | key).raise_for_status()

    print("  " + measure("issue (3 status indices)", issue, count=count).row())
    if known:
        ids = iter(known * 2)
        print(
            "  "
            + measure(
                "look up by id",
                lambda: http.get(f"/credentials/{next(ids)}", headers=headers).raise_for_status(),
                count=count,
                warmup=0,
            ).row()
        )
    print(
        "  "
        + measure(
            "registry page (limit 50, total)",
            lambda: http.get(
                "/credentials", params={"limit": 50}, headers=headers
            ).raise_for_status(),
            count=min(count, 50),
            warmup=3,
        ).row()
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True, help="an empty PostgreSQL database")
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()
    with (
        benchmarked_service(database_url=args.database_url) as target,
        httpx.Client(base_url=target.url, timeout=60) as http,
    ):
        _, headers = authority_with_token(
            http,
            target.admin_token,
            AUTHORITY,
            ["CTPATCertificate"],
            scopes=("issue:credentials", "read:credentials"),
        )
        filled = 0
        _measure(http, headers, filled, args.count)
        for size in (int(text) for text in args.sizes.split(",")):
            started = time.perf_counter()
            _fill(args.database_url, filled, size)
            filled = size
            print(f"(filled to {size:,} in {time.perf_counter() - started:.0f} s)")
            _measure(http, headers, filled, args.count)


if __name__ == "__main__":
    main()
