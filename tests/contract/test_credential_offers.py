"""OpenID4VCI offers and nonces behave the same on SQLite and PostgreSQL: each single-use
transition (a code redeemed, a transaction code tried, a credential claimed, a nonce
consumed) happens at most as often as allowed, also under callers racing in threads."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta
from typing import Any, TypeVar

import pytest

from tests.audit_events import event
from tests.contract.builders import NOW
from vcservice.errors import StorageError
from vcservice.model.credential_offers import CredentialOffer, IssuanceNonce, OfferState
from vcservice.storage.sql import SqlStore

LATER = NOW + timedelta(minutes=10)
TOKEN_EXPIRY = NOW + timedelta(minutes=5)
RACERS = 8
_Result = TypeVar("_Result")


def _offer(authority: str, number: int = 1, **changes: Any) -> CredentialOffer:
    values: dict[str, Any] = {
        "id": f"offer-{number}",
        "authority": authority,
        "credential_type": "IMMEXCertificate",
        "configuration_ids": ("IMMEXCertificate_ldp_vc", "IMMEXCertificate_jwt_vc_json"),
        "request": '{"certificate": {}, "validUntil": "2027-11-28T12:00:00Z"}',
        "code_digest": f"hmac-sha256$code-{number}",
        "tx_code_digest": f"hmac-sha256$tx-{number}",
        "state": OfferState.OFFERED,
        "tx_code_attempts": 0,
        "created_at": NOW,
        "expires_at": LATER,
        "created_by": "sat-client",
    }
    return CredentialOffer(**(values | changes))


def _race(action: Callable[[int], _Result]) -> list[_Result]:
    """``action(n)`` for ``RACERS`` threads started at once; their results."""
    start = threading.Barrier(RACERS)

    def run(number: int) -> _Result:
        start.wait(timeout=60)
        return action(number)

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        return list(pool.map(run, range(RACERS)))


def test_an_offer_is_stored_and_found_by_its_code(store: SqlStore, sat: str) -> None:
    offer = _offer(sat)
    store.credential_offers.add(offer, audit=event(1, action="credential_offer.created"))
    assert store.credential_offers.get("offer-1") == offer
    assert store.credential_offers.find_by_code("hmac-sha256$code-1") == offer
    assert store.credential_offers.find_by_code("hmac-sha256$code-2") is None
    assert store.credential_offers.find_by_token("hmac-sha256$token") is None
    assert [entry.action for entry in store.audit.entries()] == ["credential_offer.created"]


def test_an_offer_names_a_known_authority_and_a_new_code(store: SqlStore, sat: str) -> None:
    with pytest.raises(StorageError) as unknown:
        store.credential_offers.add(_offer("nobody"))
    assert unknown.value.code == "NOT_FOUND"
    store.credential_offers.add(_offer(sat))
    with pytest.raises(StorageError) as taken:
        store.credential_offers.add(_offer(sat, 2, code_digest="hmac-sha256$code-1"))
    assert taken.value.code == "CONFLICT"
    assert store.audit.entries() == []


def test_a_code_is_redeemed_once(store: SqlStore, sat: str) -> None:
    store.credential_offers.add(_offer(sat))
    redeemed = store.credential_offers.redeem(
        "offer-1",
        token_digest="hmac-sha256$token",
        token_expires_at=TOKEN_EXPIRY,
        now=NOW,
        audit=event(1, action="credential_offer.redeemed"),
    )
    assert redeemed == replace(
        _offer(sat),
        state=OfferState.REDEEMED,
        token_digest="hmac-sha256$token",
        token_expires_at=TOKEN_EXPIRY,
        redeemed_at=NOW,
    )
    assert store.credential_offers.find_by_token("hmac-sha256$token") == redeemed
    again = store.credential_offers.redeem(
        "offer-1", token_digest="hmac-sha256$other", token_expires_at=TOKEN_EXPIRY, now=NOW
    )
    assert again is None
    assert store.credential_offers.find_by_token("hmac-sha256$other") is None
    assert len(store.audit.entries()) == 1


def test_an_expired_or_locked_offer_is_not_redeemed(store: SqlStore, sat: str) -> None:
    store.credential_offers.add(_offer(sat))
    store.credential_offers.add(_offer(sat, 2))
    redeem = store.credential_offers.redeem
    assert redeem("offer-1", token_digest="t-1", token_expires_at=LATER, now=LATER) is None
    assert store.credential_offers.lock("offer-2", audit=event(1))
    assert not store.credential_offers.lock("offer-2", audit=event(2))  # audited once
    assert redeem("offer-2", token_digest="t-2", token_expires_at=LATER, now=NOW) is None
    assert store.credential_offers.count_attempt("offer-2", now=NOW, max_attempts=5) is None
    locked = store.credential_offers.get("offer-2")
    assert locked is not None and locked.state is OfferState.LOCKED
    assert len(store.audit.entries()) == 1


def test_racing_redemptions_leave_one_token(store: SqlStore, sat: str) -> None:
    store.credential_offers.add(_offer(sat))
    results = _race(
        lambda n: store.credential_offers.redeem(
            "offer-1", token_digest=f"token-{n}", token_expires_at=TOKEN_EXPIRY, now=NOW
        )
    )
    winners = [result for result in results if result is not None]
    assert len(winners) == 1
    assert store.credential_offers.get("offer-1") == winners[0]


def test_transaction_codes_are_tried_at_most_the_allowed_times(store: SqlStore, sat: str) -> None:
    store.credential_offers.add(_offer(sat))
    counted = _race(
        lambda _: store.credential_offers.count_attempt("offer-1", now=NOW, max_attempts=3)
    )
    attempts = sorted(result.tx_code_attempts for result in counted if result is not None)
    assert attempts == [1, 2, 3]
    offer = store.credential_offers.get("offer-1")
    assert offer is not None and offer.tx_code_attempts == 3
    assert store.credential_offers.count_attempt("offer-1", now=LATER, max_attempts=5) is None


def test_each_offered_credential_is_claimed_once(store: SqlStore, sat: str) -> None:
    store.credential_offers.add(_offer(sat))
    offers = store.credential_offers
    claims = _race(lambda _: offers.claim("offer-1", "IMMEXCertificate_ldp_vc", now=NOW))
    assert claims.count(True) == 1
    assert offers.issued("offer-1") == {"IMMEXCertificate_ldp_vc": None}
    offers.release("offer-1", "IMMEXCertificate_ldp_vc")  # its issuance failed
    assert offers.issued("offer-1") == {}
    assert offers.claim("offer-1", "IMMEXCertificate_ldp_vc", now=NOW)
    offers.record_issued("offer-1", "IMMEXCertificate_ldp_vc", "urn:uuid:1")
    offers.release("offer-1", "IMMEXCertificate_ldp_vc")  # an issued one stays claimed
    assert offers.claim("offer-1", "IMMEXCertificate_jwt_vc_json", now=NOW)
    assert offers.issued("offer-1") == {
        "IMMEXCertificate_jwt_vc_json": None,
        "IMMEXCertificate_ldp_vc": "urn:uuid:1",
    }
    with pytest.raises(StorageError) as unknown:
        offers.claim("offer-2", "IMMEXCertificate_ldp_vc", now=NOW)
    assert unknown.value.code == "NOT_FOUND"


def test_purge_keeps_what_can_still_be_used(store: SqlStore, sat: str) -> None:
    offers = store.credential_offers
    offers.add(_offer(sat, 1))  # its code expires at LATER
    offers.add(_offer(sat, 2, expires_at=NOW + timedelta(minutes=1)))
    offers.redeem("offer-2", token_digest="t-2", token_expires_at=LATER, now=NOW)
    offers.claim("offer-2", "IMMEXCertificate_ldp_vc", now=NOW)
    offers.add(_offer(sat, 3, expires_at=NOW + timedelta(minutes=1)))
    assert offers.purge_expired(NOW + timedelta(minutes=2)) == 1  # offer 3 only
    assert offers.get("offer-3") is None and offers.get("offer-2") is not None
    assert offers.purge_expired(LATER + timedelta(seconds=1)) == 2
    assert offers.get("offer-1") is None and offers.issued("offer-2") == {}


def test_a_nonce_is_consumed_once_by_its_issuer(store: SqlStore) -> None:
    nonces = store.issuance_nonces
    nonces.issue(IssuanceNonce("n-1", "sat", NOW, LATER))
    with pytest.raises(StorageError) as taken:
        nonces.issue(IssuanceNonce("n-1", "cbp", NOW, LATER))
    assert taken.value.code == "CONFLICT"
    assert not nonces.consume("n-1", authority="cbp", now=NOW)  # another issuer's
    assert not nonces.consume("n-1", authority="sat", now=LATER)  # expired
    assert _race(lambda _: nonces.consume("n-1", authority="sat", now=NOW)).count(True) == 1
    assert not nonces.consume("n-2", authority="sat", now=NOW)
    nonces.issue(IssuanceNonce("n-2", "sat", NOW, NOW + timedelta(minutes=1)))
    assert nonces.purge_expired(NOW + timedelta(minutes=1)) == 1
    assert nonces.purge_expired(LATER) == 1
