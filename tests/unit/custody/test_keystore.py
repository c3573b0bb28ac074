"""SoftwareKeyStore: keys per type, encrypted at rest, rotation, publication, caching."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone

import pytest

from tests.unit.custody.memory import MemoryKeyRepository
from vcservice.clock import FixedClock
from vcservice.custody import KEY_DECRYPTION_FAILED, KeyEncryptionKey, KeyStore, SoftwareKeyStore
from vcservice.errors import KeyFormatError, StorageError
from vcservice.keys import KeyType
from vcservice.model.records import Authority, KeyStatus

NOW = datetime(2026, 11, 28, 6, 40, 5, tzinfo=UTC)
SAT = Authority(
    name="sat",
    display_name="Servicio de Administración Tributaria",
    did="did:web:vc.example:sat",
    credential_types=frozenset({"ImmexCertificate"}),
    created_at=NOW,
)
CBP = dataclasses.replace(SAT, name="cbp", did="did:web:vc.example:cbp")
KEY_TYPES = [KeyType.ED25519, KeyType.P256, KeyType.P384]
KEK = KeyEncryptionKey(bytes(range(32)))


class CountingKek(KeyEncryptionKey):
    """A KEK that counts decryptions (to observe the cache)."""

    __slots__ = ("decryptions",)

    def __init__(self, key: bytes) -> None:
        super().__init__(key)
        self.decryptions = 0

    def decrypt(self, blob: bytes, *, authority: str, key_id: str, key_type: str) -> bytes:
        self.decryptions += 1
        return super().decrypt(blob, authority=authority, key_id=key_id, key_type=key_type)


def make_store(
    repository: MemoryKeyRepository | None = None,
    *,
    kek: KeyEncryptionKey = KEK,
    now: datetime = NOW,
    cache_size: int = 64,
) -> SoftwareKeyStore:
    return SoftwareKeyStore(
        repository if repository is not None else MemoryKeyRepository(),
        kek,
        FixedClock(now),
        cache_size=cache_size,
    )


def test_software_store_is_a_key_store() -> None:
    store: KeyStore = make_store()
    assert store is not None


@pytest.mark.parametrize("key_type", KEY_TYPES, ids=str)
def test_create_sign_verify(key_type: KeyType) -> None:
    store = make_store()

    stored = store.create_key("sat", key_type)
    signer = store.signer(SAT, key_type)
    signature = signer.sign(b"payload")

    assert stored.status is KeyStatus.ACTIVE
    assert stored.key_type == key_type.value
    assert stored.created_at == NOW
    assert signer.key_type is key_type
    assert signer.verification_method == f"did:web:vc.example:sat#{stored.key_id}"
    [(key_id, public_key)] = store.published_keys("sat")
    assert key_id == stored.key_id
    assert public_key.to_multibase() == stored.public_key_multibase
    assert public_key.verify(signature, b"payload")
    assert not public_key.verify(signature, b"other payload")


@pytest.mark.parametrize(
    ("key_type", "expected"),
    [
        (KeyType.ED25519, "ed25519-2026-11-28T06-40-05Z"),
        (KeyType.P256, "p256-2026-11-28T06-40-05Z"),
        (KeyType.P384, "p384-2026-11-28T06-40-05Z"),
    ],
)
def test_key_ids_name_type_and_utc_time(key_type: KeyType, expected: str) -> None:
    local = NOW.astimezone(timezone(timedelta(hours=-6)))

    assert make_store(now=local).create_key("sat", key_type).key_id == expected


def test_secret_is_stored_encrypted_and_bound_to_its_record() -> None:
    store = make_store()
    stored = store.create_key("sat", KeyType.ED25519)

    secret = KEK.decrypt(
        stored.encrypted_secret, authority="sat", key_id=stored.key_id, key_type="Ed25519"
    )

    assert secret.startswith(b"z")  # a Multikey secretKeyMultibase
    assert secret not in stored.encrypted_secret
    assert secret.decode() not in repr(store.signer(SAT, KeyType.ED25519))


def test_create_refuses_a_second_active_key() -> None:
    store = make_store()
    store.create_key("sat", KeyType.ED25519)

    with pytest.raises(StorageError) as caught:
        store.create_key("sat", KeyType.ED25519)

    assert caught.value.code == "CONFLICT"
    store.create_key("sat", KeyType.P256)  # other types and authorities are independent
    store.create_key("cbp", KeyType.ED25519)


def test_signer_without_a_key_is_not_found() -> None:
    store = make_store()
    store.create_key("sat", KeyType.P256)

    with pytest.raises(StorageError) as caught:
        store.signer(SAT, KeyType.ED25519)

    assert caught.value.code == "NOT_FOUND"


@pytest.mark.parametrize("key_type", KEY_TYPES, ids=str)
def test_rotation_switches_signing_and_keeps_the_old_key_published(key_type: KeyType) -> None:
    repository = MemoryKeyRepository()
    first = make_store(repository).create_key("sat", key_type)
    old_signature = make_store(repository).signer(SAT, key_type).sign(b"old")
    later = make_store(repository, now=NOW + timedelta(days=90))

    second = later.rotate("sat", key_type)
    signer = later.signer(SAT, key_type)

    assert second.key_id != first.key_id
    assert signer.verification_method.endswith(f"#{second.key_id}")
    statuses = {key.key_id: key.status for key in repository.for_authority("sat")}
    assert statuses == {first.key_id: KeyStatus.RETIRED, second.key_id: KeyStatus.ACTIVE}
    published = dict(later.published_keys("sat"))
    assert list(published) == [first.key_id, second.key_id]
    assert published[first.key_id].verify(old_signature, b"old")
    assert published[second.key_id].verify(signer.sign(b"new"), b"new")
    assert not published[first.key_id].verify(signer.sign(b"new"), b"new")


def test_rotation_within_one_second_gets_a_distinct_id() -> None:
    store = make_store()
    first = store.create_key("sat", KeyType.ED25519)

    second = store.rotate("sat", KeyType.ED25519)
    third = store.rotate("sat", KeyType.ED25519)

    assert len({first.key_id, second.key_id, third.key_id}) == 3
    assert re.fullmatch(r"ed25519-2026-11-28T06-40-05Z-[0-9a-f]{6}", second.key_id)
    assert store.signer(SAT, KeyType.ED25519).verification_method.endswith(third.key_id)
    assert [key_id for key_id, _ in store.published_keys("sat")] == [
        first.key_id,
        second.key_id,
        third.key_id,
    ]


def test_rotate_without_a_key_creates_one() -> None:
    store = make_store()

    stored = store.rotate("sat", KeyType.P384)

    assert store.signer(SAT, KeyType.P384).verification_method.endswith(stored.key_id)


def test_rotation_of_one_type_leaves_the_others_alone() -> None:
    repository = MemoryKeyRepository()
    store = make_store(repository)
    p256 = store.create_key("sat", KeyType.P256)
    store.create_key("sat", KeyType.ED25519)

    store.rotate("sat", KeyType.ED25519)

    assert store.signer(SAT, KeyType.P256).verification_method.endswith(p256.key_id)
    assert store.published_keys("cbp") == []


def test_a_prepared_key_is_published_but_does_not_sign() -> None:
    repository = MemoryKeyRepository()
    store = make_store(repository)
    active = store.create_key("sat", KeyType.ED25519)
    store.create_key("sat", KeyType.P256)

    pending = make_store(repository, now=NOW + timedelta(days=1)).prepare("sat", KeyType.ED25519)

    assert pending.status is KeyStatus.PENDING
    assert store.pending("sat") == [pending]
    assert store.pending("cbp") == []
    assert [key_id for key_id, _ in store.published_keys("sat")][-1] == pending.key_id
    signer = store.signer(SAT, KeyType.ED25519)
    assert signer.verification_method.endswith(f"#{active.key_id}")
    with pytest.raises(StorageError) as caught:
        store.prepare("sat", KeyType.ED25519)
    assert caught.value.code == "CONFLICT"
    store.prepare("sat", KeyType.P256)  # other types and authorities are independent
    store.prepare("cbp", KeyType.ED25519)


def test_rotation_promotes_the_prepared_key() -> None:
    repository = MemoryKeyRepository()
    first = make_store(repository).create_key("sat", KeyType.ED25519)
    later = make_store(repository, now=NOW + timedelta(days=90))
    pending = later.prepare("sat", KeyType.ED25519)

    promoted = later.rotate("sat", KeyType.ED25519)

    assert promoted == dataclasses.replace(pending, status=KeyStatus.ACTIVE)
    statuses = {key.key_id: key.status for key in repository.for_authority("sat")}
    assert statuses == {first.key_id: KeyStatus.RETIRED, pending.key_id: KeyStatus.ACTIVE}
    assert later.pending("sat") == []
    signer = later.signer(SAT, KeyType.ED25519)
    assert signer.verification_method.endswith(f"#{pending.key_id}")
    published = dict(later.published_keys("sat"))
    assert published[pending.key_id].verify(signer.sign(b"announced"), b"announced")
    rotated = later.rotate("sat", KeyType.ED25519)  # none pending: a new key, as before
    assert rotated.key_id not in statuses


def test_a_prepared_key_can_be_the_first_of_its_type() -> None:
    store = make_store()
    pending = store.prepare("sat", KeyType.P384)

    with pytest.raises(StorageError):
        store.signer(SAT, KeyType.P384)  # pending keys never sign
    promoted = store.rotate("sat", KeyType.P384)

    assert promoted.key_id == pending.key_id
    assert store.signer(SAT, KeyType.P384).verification_method.endswith(pending.key_id)


def test_rotation_promotes_the_newest_pending_key_and_retires_older_ones() -> None:
    repository = MemoryKeyRepository()
    store = make_store(repository)
    store.create_key("sat", KeyType.ED25519)
    older = store.prepare("sat", KeyType.ED25519)
    newer = make_store(repository, now=NOW + timedelta(days=1)).new_key(
        "sat", KeyType.ED25519, status=KeyStatus.PENDING
    )
    repository.add(newer)  # a second pending key, as two prepares racing could leave

    assert store.rotate("sat", KeyType.ED25519).key_id == newer.key_id
    statuses = [key.status for key in repository.for_authority("sat")]
    assert statuses == [KeyStatus.RETIRED, KeyStatus.RETIRED, KeyStatus.ACTIVE]
    assert older.key_id != newer.key_id


def test_a_rotation_that_lost_the_promotion_returns_the_promoted_key() -> None:
    class RacedRepository(MemoryKeyRepository):
        """A repository where another rotation promotes the key just before this one."""

        def promote(self, authority: str, key_id: str, *, retiring: Sequence[str] = ()) -> bool:
            super().promote(authority, key_id, retiring=retiring)
            return False

    repository = RacedRepository()
    store = make_store(repository)
    store.create_key("sat", KeyType.ED25519)
    pending = store.prepare("sat", KeyType.ED25519)

    assert store.rotate("sat", KeyType.ED25519) == dataclasses.replace(
        pending, status=KeyStatus.ACTIVE
    )
    assert [key.key_id for key in repository.for_authority("sat")][-1] == pending.key_id
    assert len(repository.for_authority("sat")) == 2  # no key made past the announced one


def test_a_rotation_whose_pending_key_vanished_conflicts() -> None:
    class RefusingRepository(MemoryKeyRepository):
        def promote(self, authority: str, key_id: str, *, retiring: Sequence[str] = ()) -> bool:
            return False

    store = make_store(RefusingRepository())
    store.create_key("sat", KeyType.ED25519)
    store.prepare("sat", KeyType.ED25519)

    with pytest.raises(StorageError) as caught:
        store.rotate("sat", KeyType.ED25519)

    assert caught.value.code == "CONFLICT"


def test_wrong_kek_cannot_sign() -> None:
    repository = MemoryKeyRepository()
    make_store(repository).create_key("sat", KeyType.ED25519)

    with pytest.raises(KeyFormatError) as caught:
        make_store(repository, kek=KeyEncryptionKey(bytes(32))).signer(SAT, KeyType.ED25519)

    assert caught.value.code == KEY_DECRYPTION_FAILED


def test_blob_swapped_between_keys_cannot_sign() -> None:
    repository = MemoryKeyRepository()
    store = make_store(repository)
    sat_key = store.create_key("sat", KeyType.ED25519)
    cbp_key = store.create_key("cbp", KeyType.ED25519)
    repository.replace(dataclasses.replace(cbp_key, encrypted_secret=sat_key.encrypted_secret))

    with pytest.raises(KeyFormatError) as caught:
        make_store(repository).signer(CBP, KeyType.ED25519)

    assert caught.value.code == KEY_DECRYPTION_FAILED


def test_secret_not_matching_the_public_key_is_refused() -> None:
    repository = MemoryKeyRepository()
    store = make_store(repository)
    stored = store.create_key("sat", KeyType.ED25519)
    other = make_store().create_key("cbp", KeyType.ED25519)
    repository.replace(dataclasses.replace(stored, public_key_multibase=other.public_key_multibase))

    with pytest.raises(KeyFormatError) as caught:
        make_store(repository).signer(SAT, KeyType.ED25519)

    assert caught.value.code == "INVALID_KEY"
    assert caught.value.__cause__ is None


def test_decrypted_keys_are_cached() -> None:
    kek = CountingKek(bytes(range(32)))
    store = make_store(kek=kek)
    store.create_key("sat", KeyType.ED25519)

    for _ in range(5):
        store.signer(SAT, KeyType.ED25519).sign(b"data")

    assert kek.decryptions == 1


def test_cache_is_bounded() -> None:
    kek = CountingKek(bytes(range(32)))
    store = make_store(kek=kek, cache_size=1)
    store.create_key("sat", KeyType.ED25519)
    store.create_key("cbp", KeyType.ED25519)

    for authority in (SAT, CBP, SAT, CBP):
        store.signer(authority, KeyType.ED25519)

    assert kek.decryptions == 4


def test_cache_follows_the_stored_blob() -> None:
    repository = MemoryKeyRepository()
    store = make_store(repository)
    stored = store.create_key("sat", KeyType.ED25519)
    store.signer(SAT, KeyType.ED25519)  # now cached
    repository.replace(dataclasses.replace(stored, encrypted_secret=b"\x01" + bytes(40)))

    with pytest.raises(KeyFormatError) as caught:
        store.signer(SAT, KeyType.ED25519)

    assert caught.value.code == KEY_DECRYPTION_FAILED


def test_close_drops_the_decrypted_keys() -> None:
    kek = CountingKek(bytes(range(32)))
    store = make_store(kek=kek)
    store.create_key("sat", KeyType.ED25519)
    store.signer(SAT, KeyType.ED25519)

    store.close()
    store.signer(SAT, KeyType.ED25519)

    assert kek.decryptions == 2


def test_the_software_store_is_ready_with_its_key_encryption_key() -> None:
    store = SoftwareKeyStore(MemoryKeyRepository(), KeyEncryptionKey(bytes(32)), FixedClock(NOW))

    store.check()  # the KEK wraps and unwraps a probe
