"""The change counter moves with every change a verification reads, and with nothing else.

Verifiers keep what they read from the database while ``change_generation`` stands still,
so a change the counter misses would be a change a verifier never sees; one it counts
needlessly costs a re-read everywhere. Checked on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from tests.contract.builders import (
    NOW,
    allocation,
    authority,
    credential,
    credential_id,
    key,
    published_entry,
    published_list,
    snapshot,
    subscription,
)
from vcservice.model.records import Holder, StatusPurpose, TrustEntry
from vcservice.storage.schema import status_lists, trust_list_subscriptions
from vcservice.storage.sql import SqlStore

ENTRY = TrustEntry(
    id="urn:uuid:6c2e1a8e-6d4a-4b0f-9a57-2f8d8c1b7e01",
    issuer="did:web:aduanas.example:issuers:sat",
    name="SAT",
    credential_types=frozenset({"OEACertificate"}),
    valid_from=None,
    valid_until=None,
    created_at=NOW,
)
HOLDER = Holder(
    name="shipper",
    did="did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
    public_key_multibase="z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
    encrypted_secret=b"sealed",
    token_hash="digest",
    created_at=NOW,
)


def _moves(store: SqlStore, change: Callable[[], Any]) -> bool:
    """Whether ``change`` moved the counter on."""
    before = store.generation.current()
    change()
    return store.generation.current() > before


def _suspend(store: SqlStore, number: int) -> None:
    store.statuses.change(
        credential_id=credential_id(number),
        purpose=StatusPurpose.SUSPENSION,
        new_status=1,
        reason="incident",
        actor="cbp-client",
        now=NOW,
    )


def test_each_change_a_verification_reads_moves_the_counter(store: SqlStore) -> None:
    assert _moves(store, lambda: store.authorities.add(authority("sat")))
    assert _moves(store, lambda: store.keys.add(key("sat", "key-2")))
    assert _moves(store, lambda: store.keys.retire("sat", "key-2"))
    assert _moves(store, lambda: store.trust.add(ENTRY))
    assert _moves(store, lambda: store.trust.delete(ENTRY.id))
    assert _moves(store, lambda: store.holders.add(HOLDER))
    first = allocation(1, purpose=StatusPurpose.SUSPENSION)
    assert _moves(store, lambda: store.statuses.allocate(**first))  # a new list opened
    store.credentials.add(credential(1))
    assert _moves(store, lambda: _suspend(store, 1))


def test_changes_no_verification_reads_leave_the_counter(store: SqlStore) -> None:
    store.authorities.add(authority("sat"))
    store.statuses.allocate(**allocation(1, purpose=StatusPurpose.SUSPENSION))
    second = allocation(2, purpose=StatusPurpose.SUSPENSION)
    assert not _moves(store, lambda: store.statuses.allocate(**second))  # the same open list
    assert not _moves(store, lambda: store.credentials.add(credential(2)))
    list_id = store.statuses.lists_of("sat")[0].id
    assert not _moves(store, lambda: store.statuses.publish(list_id, 0, "{}"))  # re-signed
    challenge = "c-1"
    assert not _moves(
        store,
        lambda: store.challenges.issue(challenge, domain=None, expires_at=NOW, created_at=NOW),
    )


def test_a_change_by_hand_moves_the_counter(store: SqlStore) -> None:
    store.authorities.add(authority("sat"))
    store.statuses.allocate(**allocation(1, purpose=StatusPurpose.SUSPENSION))

    def bump_by_hand() -> None:
        with store.engine.begin() as connection:
            connection.execute(sa.update(status_lists).values(version=status_lists.c.version + 1))

    assert _moves(store, bump_by_hand)


SUBSCRIPTION = subscription()
LATER = NOW + timedelta(hours=1)


def test_subscribed_trust_lists_move_the_counter_when_what_they_hold_changes(
    store: SqlStore,
) -> None:
    subscriptions = store.subscriptions
    assert _moves(store, lambda: subscriptions.add(SUBSCRIPTION))
    first = snapshot(SUBSCRIPTION.id, 1)
    assert _moves(
        store,
        lambda: subscriptions.accept(
            SUBSCRIPTION.id, first, previous_sequence=None, etag='"1"', next_fetch_at=LATER
        ),
    )
    assert _moves(
        store,
        lambda: subscriptions.confirm(
            SUBSCRIPTION.id, sequence=1, confirmed_at=LATER, etag='"1"', next_fetch_at=LATER
        ),
    )
    assert _moves(store, lambda: subscriptions.delete(SUBSCRIPTION.id))


def test_fetching_a_trust_list_on_schedule_leaves_the_counter(store: SqlStore) -> None:
    subscriptions = store.subscriptions
    subscriptions.add(SUBSCRIPTION)
    assert not _moves(store, lambda: subscriptions.claim_due(NOW, until=LATER))
    assert not _moves(
        store,
        lambda: subscriptions.record_failure(
            SUBSCRIPTION.id, code="TRUST_LIST_UNREACHABLE", at=NOW, next_fetch_at=LATER
        ),
    )


def test_publishing_a_trust_list_leaves_the_counter(store: SqlStore) -> None:
    store.authorities.add(authority("sat"))
    published = store.published_lists
    assert not _moves(store, lambda: published.add_entry(published_entry(1)))
    assert not _moves(store, lambda: published.delete_entry("sat", published_entry(1).id))
    assert not _moves(store, lambda: published.publish(published_list(1)))


@pytest.mark.parametrize(
    ("column", "value", "moves"),
    [
        ("sequence", 7, True),
        ("confirmed_at", LATER, True),
        ("expected_signer", "did:web:cbp.example", True),
        ("credential_types", ["CTPATCertificate"], True),
        ("max_staleness_seconds", 60, True),
        ("label", "SAT", False),
        ("refresh_interval_seconds", 60, False),
        ("etag", '"7"', False),
        ("next_fetch_at", LATER, False),
        ("failures", 3, False),
        ("last_error_code", "TRUST_LIST_ROLLBACK", False),
        ("last_error_at", LATER, False),
    ],
)
def test_a_subscription_column_changed_by_hand_moves_the_counter_if_verifications_read_it(
    store: SqlStore, column: str, value: Any, moves: bool
) -> None:
    store.subscriptions.add(SUBSCRIPTION)

    def change_by_hand() -> None:
        with store.engine.begin() as connection:
            connection.execute(sa.update(trust_list_subscriptions).values({column: value}))

    assert _moves(store, change_by_hand) is moves
