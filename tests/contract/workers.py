"""Work for the processes that the concurrency tests start (importable after spawn).

Each worker waits at ``start`` with the others, then reports ``("ok", ids)`` or
``("error", repr)`` on ``results``.
"""

from __future__ import annotations

from datetime import timedelta
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from typing import Any

from tests.audit_events import event
from tests.contract.builders import NOW, allocation, credential
from vcservice.model.records import Challenge
from vcservice.storage.repository import OpenLimit
from vcservice.storage.sql import open_store


def add_credentials(
    url: str, numbers: list[int], key: str | None, start: Barrier, results: Queue[Any]
) -> None:
    """Open the store, then add credentials ``numbers`` of ``sat`` together with the others."""
    try:
        with open_store(url) as store:
            start.wait(timeout=120)
            ids = [
                store.credentials.add(credential(n, idempotency_key=key, request_digest="d")).id
                for n in numbers
            ]
        results.put(("ok", ids))
    except Exception as exc:  # reported to the test, which fails on it
        results.put(("error", repr(exc)))


def open_fresh(url: str, start: Barrier, results: Queue[Any]) -> None:
    """Open (and so migrate) the store together with the others."""
    try:
        start.wait(timeout=120)
        with open_store(url):
            pass
        results.put(("ok", []))
    except Exception as exc:  # reported to the test, which fails on it
        results.put(("error", repr(exc)))


def allocate_entries(
    url: str, numbers: list[int], size: int, start: Barrier, results: Queue[Any]
) -> None:
    """Allocate a revocation entry of ``sat`` for each of ``numbers`` together with the others.

    Reports ``(credential_id, list_id, index)`` per allocation.
    """
    try:
        with open_store(url) as store:
            start.wait(timeout=120)
            entries = [store.statuses.allocate(**allocation(n, size=size)) for n in numbers]
        results.put(("ok", [(e.credential_id, e.list_id, e.index) for e in entries]))
    except Exception as exc:  # reported to the test, which fails on it
        results.put(("error", repr(exc)))


def audited_work(
    url: str, numbers: list[int], mode: str, start: Barrier, results: Queue[Any]
) -> None:
    """Together with the others, for each of ``numbers``: add the credential with its audit
    event in one transaction (``mode`` "issue"), or append the event on its own ("append").
    """
    try:
        with open_store(url) as store:
            start.wait(timeout=120)
            for n in numbers:
                if mode == "issue":
                    store.credentials.add(credential(n), audit=event(n, subject=credential(n).id))
                else:
                    store.audit.append(event(n))
        results.put(("ok", numbers))
    except Exception as exc:  # reported to the test, which fails on it
        results.put(("error", repr(exc)))


def issue_challenges(
    url: str, names: list[str], caller: str, own: int, start: Barrier, results: Queue[Any]
) -> None:
    """Together with the others, issue a challenge of ``caller`` for each of ``names``
    within a limit of ``own`` open ones; reports the names stored."""
    try:
        with open_store(url) as store:
            start.wait(timeout=120)
            stored = [
                name
                for name in names
                if isinstance(
                    store.challenges.issue(
                        name,
                        domain=None,
                        expires_at=NOW + timedelta(minutes=5),
                        created_at=NOW,
                        caller=caller,
                        limit=OpenLimit(own=own),
                    ),
                    Challenge,
                )
            ]
        results.put(("ok", stored))
    except Exception as exc:  # reported to the test, which fails on it
        results.put(("error", repr(exc)))


def lease_tokens(
    url: str, key: str, count: int, now: float, start: Barrier, results: Queue[Any]
) -> None:
    """Together with the others, lease one token of ``key``'s bucket ``count`` times at
    ``now`` (the same instant for every process: nothing refills); reports how many came."""
    try:
        with open_store(url) as store:
            start.wait(timeout=120)
            granted = [
                store.rate_buckets.lease(key, want=1, rate=1.0, burst=50.0, now=now).granted
                for _ in range(count)
            ]
        results.put(("ok", granted))
    except Exception as exc:  # reported to the test, which fails on it
        results.put(("error", repr(exc)))
