"""The verifier's OpenID4VP requests on each backend: stored and read back as they were,
answered once (also by concurrent answers), never with another state or after expiry, and
within each caller's limit of open requests."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from tests.contract.builders import NOW
from vcservice.errors import StorageError
from vcservice.model.presentation_requests import PresentationRequest
from vcservice.model.records import ExchangeState
from vcservice.storage.repository import LimitReached, OpenLimit
from vcservice.storage.sql import SqlStore

LATER = NOW + timedelta(minutes=5)
QUERY = {"credentials": [{"id": "q", "format": "ldp_vc", "meta": {"type_values": [["T"]]}}]}


def _request(number: int = 1, **changes: Any) -> PresentationRequest:
    request = PresentationRequest(
        id=f"handle-{number}",
        request_id=f"public-{number}",
        client_id="decentralized_identifier:did:jwk:x",
        nonce=f"nonce-{number}",
        state=f"state-{number}",
        response_mode="direct_post",
        request_uri_method="get",
        dcql_query=QUERY,
        status=ExchangeState.PENDING,
        created_at=NOW,
        expires_at=LATER,
        caller="address:192.0.2.1",
        workflow="w",
        policy={"acceptedTypes": ["CTPATCertificate"], "acceptedRecognitions": []},
    )
    return replace(request, **changes)


def test_a_request_reads_back_by_either_identifier(store: SqlStore) -> None:
    assert store.presentation_requests.add(_request()) is None
    assert store.presentation_requests.get("handle-1") == _request()
    assert store.presentation_requests.by_public_id("public-1") == _request()
    assert store.presentation_requests.get("public-1") is None  # the handle is not public
    with pytest.raises(StorageError) as excinfo:
        store.presentation_requests.add(_request(id="handle-2"))  # the same public id
    assert excinfo.value.code == "CONFLICT"


def test_a_request_starts_once_with_its_state_and_finishes(store: SqlStore) -> None:
    requests = store.presentation_requests
    requests.add(_request())
    assert requests.start("public-1", state="another", now=NOW) is None
    started = requests.start("public-1", state="state-1", now=NOW)
    assert started is not None and started.status is ExchangeState.ACTIVE
    assert requests.start("public-1", state="state-1", now=NOW) is None
    requests.finish(
        "handle-1",
        status=ExchangeState.COMPLETE,
        result='{"accepted": true}',
        presentation='{"q": []}',
        error=None,
        now=LATER,
    )
    finished = requests.get("handle-1")
    assert finished is not None
    assert (finished.status, finished.result, finished.completed_at) == (
        ExchangeState.COMPLETE,
        '{"accepted": true}',
        LATER,
    )
    with pytest.raises(StorageError) as excinfo:
        requests.finish(
            "handle-1",
            status=ExchangeState.INVALID,
            result="{}",
            presentation=None,
            error=None,
            now=LATER,
        )
    assert excinfo.value.code == "NOT_FOUND"


def test_an_expired_request_does_not_start_and_is_purged(store: SqlStore) -> None:
    requests = store.presentation_requests
    requests.add(_request())
    requests.add(_request(2, expires_at=LATER + timedelta(hours=1)))
    assert requests.start("public-1", state="state-1", now=LATER) is None
    assert requests.purge_expired(LATER) == 0  # expiry is exclusive
    assert requests.purge_expired(LATER + timedelta(seconds=1)) == 1
    assert requests.get("handle-1") is None and requests.get("handle-2") is not None


def test_a_caller_holds_at_most_its_limit_of_open_requests(store: SqlStore) -> None:
    requests = store.presentation_requests
    limit = OpenLimit(own=2)
    soon = NOW + timedelta(minutes=1)
    assert requests.add(_request(1, expires_at=soon), limit=limit) is None
    assert requests.add(_request(2), limit=limit) is None
    assert requests.add(_request(3), limit=limit) == LimitReached(pooled=False, frees_at=soon)
    assert requests.get("handle-3") is None
    requests.start("public-2", state="state-2", now=NOW)  # answered: no longer open
    assert requests.add(_request(3), limit=limit) is None


def test_concurrent_answers_start_a_request_once(store: SqlStore) -> None:
    store.presentation_requests.add(_request())
    with ThreadPoolExecutor(max_workers=8) as pool:
        started = list(
            pool.map(
                lambda _: store.presentation_requests.start("public-1", state="state-1", now=NOW),
                range(16),
            )
        )
    assert sum(result is not None for result in started) == 1
