"""Holders and their credentials behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from tests.contract.builders import NOW
from vcservice.errors import StorageError
from vcservice.model.records import HeldCredential, Holder
from vcservice.storage.sql import SqlStore


def _holder(name: str = "acme", **changes: Any) -> Holder:
    values: dict[str, Any] = {
        "name": name,
        "did": f"did:key:z6Mk{name}",
        "public_key_multibase": f"z6Mk{name}",
        "encrypted_secret": b"\x01wrapped\x00secret",
        "token_hash": "scrypt$16384$8$1$salt$hash",
        "created_at": NOW,
        **changes,
    }
    return Holder(**values)


def _held(credential_id: str, holder: str = "acme", minutes: int = 0) -> HeldCredential:
    return HeldCredential(
        holder=holder,
        credential_id=credential_id,
        document=json.dumps({"id": credential_id}),
        format="vc+jwt" if credential_id.endswith("jwt") else "data-integrity",
        stored_at=NOW + timedelta(minutes=minutes),
    )


def test_a_holder_round_trips(store: SqlStore) -> None:
    holder = _holder()
    store.holders.add(holder)
    assert store.holders.get("acme") == holder
    assert store.holders.get("other") is None


def test_a_holder_name_or_did_is_taken_once(store: SqlStore) -> None:
    store.holders.add(_holder())
    for clash in (_holder(did="did:key:z6Mkother"), _holder("other", did="did:key:z6Mkacme")):
        with pytest.raises(StorageError) as excinfo:
            store.holders.add(clash)
        assert excinfo.value.code == "CONFLICT"


def test_held_credentials_are_listed_per_holder_in_order(store: SqlStore) -> None:
    store.holders.add(_holder())
    store.holders.add(_holder("other"))
    store.held_credentials.add(_held("urn:b", minutes=1))
    store.held_credentials.add(_held("urn:a", minutes=1))
    store.held_credentials.add(_held("urn:c-jwt"))
    store.held_credentials.add(_held("urn:a", holder="other"))
    listed = store.held_credentials.for_holder("acme")
    assert [held.credential_id for held in listed] == ["urn:c-jwt", "urn:a", "urn:b"]
    assert listed[0] == _held("urn:c-jwt")
    assert store.held_credentials.get("other", "urn:a") == _held("urn:a", holder="other")
    assert store.held_credentials.get("other", "urn:b") is None
    assert store.held_credentials.for_holder("nobody") == []


def test_the_same_credential_twice_is_a_conflict(store: SqlStore) -> None:
    store.holders.add(_holder())
    store.held_credentials.add(_held("urn:a"))
    with pytest.raises(StorageError) as excinfo:
        store.held_credentials.add(_held("urn:a", minutes=5))
    assert excinfo.value.code == "CONFLICT"


def test_a_credential_of_an_unknown_holder_is_not_found(store: SqlStore) -> None:
    with pytest.raises(StorageError) as excinfo:
        store.held_credentials.add(_held("urn:a", holder="nobody"))
    assert excinfo.value.code == "NOT_FOUND"


def test_delete_removes_only_that_holders_credential(store: SqlStore) -> None:
    store.holders.add(_holder())
    store.holders.add(_holder("other"))
    store.held_credentials.add(_held("urn:a"))
    store.held_credentials.add(_held("urn:a", holder="other"))
    assert store.held_credentials.delete("acme", "urn:a") is True
    assert store.held_credentials.delete("acme", "urn:a") is False
    assert store.held_credentials.get("acme", "urn:a") is None
    assert store.held_credentials.get("other", "urn:a") is not None


def test_holders_are_listed_by_name(store: SqlStore) -> None:
    assert store.holders.list() == []
    for name in ("zeta", "acme", "maquila-9"):
        store.holders.add(_holder(name))
    assert [holder.name for holder in store.holders.list()] == ["acme", "maquila-9", "zeta"]
    assert store.holders.list()[0] == _holder("acme")


def test_a_token_hash_is_replaced(store: SqlStore) -> None:
    store.holders.add(_holder())
    store.holders.add(_holder("other"))
    store.holders.replace_token_hash("acme", "scrypt$16384$8$1$salt$new")
    assert store.holders.get("acme") == _holder(token_hash="scrypt$16384$8$1$salt$new")
    assert store.holders.get("other") == _holder("other")
    with pytest.raises(StorageError) as excinfo:
        store.holders.replace_token_hash("nobody", "scrypt$16384$8$1$salt$new")
    assert excinfo.value.code == "NOT_FOUND"


def test_a_token_hash_is_upgraded_only_from_what_it_was(store: SqlStore) -> None:
    """The conditional write an upgrade makes: a rotation that came first is kept."""
    legacy = _holder().token_hash
    store.holders.add(_holder())
    store.holders.add(_holder("other"))
    store.holders.replace_token_hash("acme", "hmac-sha256$rotated")
    upgraded = store.holders.upgrade_token_hash("acme", current=legacy, upgraded="hmac-sha256$old")
    assert upgraded is False
    assert store.holders.get("acme") == _holder(token_hash="hmac-sha256$rotated")
    store.holders.replace_token_hash("acme", legacy)
    upgraded = store.holders.upgrade_token_hash("acme", current=legacy, upgraded="hmac-sha256$old")
    assert upgraded is True
    assert store.holders.get("acme") == _holder(token_hash="hmac-sha256$old")
    assert store.holders.get("other") == _holder("other")
    assert store.holders.upgrade_token_hash("nobody", current=legacy, upgraded="x") is False


def test_deleting_a_holder_removes_its_credentials_only(store: SqlStore) -> None:
    store.holders.add(_holder())
    store.holders.add(_holder("other"))
    store.held_credentials.add(_held("urn:a"))
    store.held_credentials.add(_held("urn:b-jwt"))
    store.held_credentials.add(_held("urn:a", holder="other"))
    assert store.holders.delete("acme", retired_at=NOW) is True
    assert store.holders.get("acme") is None
    assert store.held_credentials.for_holder("acme") == []
    assert store.held_credentials.for_holder("other") == [_held("urn:a", holder="other")]
    assert store.holders.delete("acme", retired_at=NOW) is False
    assert store.holders.delete("nobody", retired_at=NOW) is False
    # the name is free again (with a new DID), with nothing left over from before
    store.holders.add(_holder(did="did:key:z6MkNew"))
    assert store.held_credentials.for_holder("acme") == []


def test_a_deleted_holders_did_is_never_given_again(store: SqlStore) -> None:
    store.holders.add(_holder("acme"))
    assert store.holders.delete("acme", retired_at=NOW) is True
    with pytest.raises(StorageError) as excinfo:
        store.holders.add(_holder("acme", public_key_multibase="z6MkOther"))
    assert excinfo.value.code == "CONFLICT"
    assert "deleted holder" in excinfo.value.message
    assert store.holders.get("acme") is None
