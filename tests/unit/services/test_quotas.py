"""Who a verifier's caller is, what it may hold open, and how a refusal says when to retry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from vcservice.model.requester import Requester
from vcservice.services.quotas import Quotas, too_many
from vcservice.storage.repository import LimitReached, OpenLimit

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
QUOTAS = Quotas(
    per_address=20,
    per_client=1_000,
    anonymous_total=10_000,
    anonymous_challenge=timedelta(minutes=2),
    anonymous_exchange=timedelta(minutes=5),
)


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("192.0.2.7", "address:192.0.2.7"),
        ("2001:db8:1:2:3:4:5:6", "address:2001:db8:1:2::/64"),  # a subscriber's whole /64
        ("2001:db8:1:2:ffff::1", "address:2001:db8:1:2::/64"),
        ("::ffff:192.0.2.7", "address:192.0.2.7"),  # IPv4 seen through an IPv6 socket
        ("unknown", "address:unknown"),
    ],
)
def test_an_anonymous_caller_is_its_address(host: str, key: str) -> None:
    requester = Requester.address(host)
    assert requester.key == key and requester.anonymous


def test_a_client_is_not_anonymous() -> None:
    requester = Requester.client("broker-1")
    assert requester.key == "client:broker-1" and not requester.anonymous


def test_only_anonymous_callers_share_a_pool() -> None:
    assert QUOTAS.limit_for(Requester.address("192.0.2.7")) == OpenLimit(own=20, pool=10_000)
    assert QUOTAS.limit_for(Requester.client("broker-1")) == OpenLimit(own=1_000)


def test_a_refusal_says_whose_limit_and_when_to_retry() -> None:
    limit = OpenLimit(own=20, pool=10_000)
    own = too_many("exchanges", "TOO_MANY_EXCHANGES", limit, LimitReached(False, NOW), NOW)
    assert (own.code, own.retry_after, own.field) == ("TOO_MANY_EXCHANGES", 1, None)
    assert own.message.startswith("this caller holds 20 open exchanges, its quota")
    later = NOW + timedelta(seconds=90, milliseconds=1)
    pooled = too_many("challenges", "TOO_MANY_CHALLENGES", limit, LimitReached(True, later), NOW)
    assert pooled.retry_after == 91
    assert pooled.message.startswith("anonymous callers together hold 10000 open challenges")
    assert "verify:credentials" in pooled.message
