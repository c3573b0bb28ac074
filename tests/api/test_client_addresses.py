"""Whose address a request counts under: ``create_app`` reads X-Forwarded-For itself.

The verify limit (six a minute: bursts of one per address) shows which address a request
was counted under. The test client connects from 127.0.0.1.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.api.conftest import serve

pytestmark = pytest.mark.shared


def _status(http: httpx.Client, *forwarded_for: str) -> int:
    headers = [("X-Forwarded-For", value) for value in forwarded_for]
    return http.post("/challenges", json={}, headers=headers).status_code


def test_the_client_is_the_right_most_address_not_a_proxy(
    context_store_dir: Path, tmp_path: Path
) -> None:
    with serve(
        tmp_path,
        None,
        context_store_dir,
        verify_rate_per_minute=6,
        forwarded_allow_ips="127.0.0.1, 10.0.0.0/8",  # this client, and an inner network
    ) as live:
        http = live.http
        assert _status(http, "203.0.113.9") == 201
        # Whatever the client writes in front of its address does not count.
        assert _status(http, "198.51.100.1, 203.0.113.9") == 429
        assert _status(http, "198.51.100.1", "203.0.113.9") == 429  # two header lines
        # An inner proxy (trusted) passing the same client along.
        assert _status(http, "203.0.113.9, 10.1.2.3") == 429
        # Every entry trusted: the inner proxy itself is the client.
        assert _status(http, "10.1.2.3") == 201
        assert _status(http, "198.51.100.1") == 201  # another client
        assert _status(http) == 201  # no header: the peer, 127.0.0.1
        assert _status(http) == 429


def test_an_untrusted_peer_is_the_client_whatever_it_forwards(
    context_store_dir: Path, tmp_path: Path
) -> None:
    with serve(
        tmp_path, None, context_store_dir, verify_rate_per_minute=6, forwarded_allow_ips="10.9.9.9"
    ) as live:
        statuses = [_status(live.http, f"203.0.113.{n}") for n in range(1, 4)]
        assert statuses == [201, 429, 429]
