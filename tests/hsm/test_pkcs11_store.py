"""Pkcs11KeyStore against a real SoftHSM2 token: keys made and used inside, never let out."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.hsm.conftest import OTHER_TOKEN, TOKEN, SoftHsm, require_pkcs11
from tests.unit.custody.memory import MemoryKeyRepository
from vcservice.clock import FixedClock
from vcservice.custody import KeyEncryptionKey, KeyStore, SoftwareKeyStore
from vcservice.errors import KeyFormatError, StorageError
from vcservice.keys import KeyType, PublicKey
from vcservice.model.records import Authority, KeyStatus, StoredKey

pytestmark = pytest.mark.hsm
pkcs11 = require_pkcs11()

from vcservice.custody.pkcs11 import Pkcs11KeyStore, Pkcs11Signer, TokenReference  # noqa: E402
from vcservice.custody.pkcs11_token import Pkcs11Token, public_key_from_ec_point  # noqa: E402

NOW = datetime(2026, 11, 28, 6, 40, 5, tzinfo=UTC)
SAT = Authority(
    name="sat",
    display_name="Servicio de Administración Tributaria",
    did="did:web:vc.example:issuers:sat",
    credential_types=frozenset({"IMMEXCertificate"}),
    created_at=NOW,
)
KEY_TYPES = [KeyType.ED25519, KeyType.P256, KeyType.P384]
A = pkcs11.Attribute


def open_store(
    softhsm: SoftHsm,
    repository: MemoryKeyRepository | None = None,
    *,
    token: str = TOKEN,
    pin: str | None = None,
    now: datetime = NOW,
    sessions: int = 4,
) -> Pkcs11KeyStore:
    return Pkcs11KeyStore.open(
        repository if repository is not None else MemoryKeyRepository(),
        FixedClock(now),
        module=softhsm.module,
        token_label=token,
        pin=softhsm.pin if pin is None else pin,
        sessions=sessions,
    )


@pytest.fixture
def repository() -> MemoryKeyRepository:
    return MemoryKeyRepository()


@pytest.fixture
def store(softhsm: SoftHsm, repository: MemoryKeyRepository) -> Iterator[Pkcs11KeyStore]:
    store = open_store(softhsm, repository)
    yield store
    store.close()


@pytest.fixture
def inspect(softhsm: SoftHsm, store: Pkcs11KeyStore) -> Iterator[Any]:
    """A plain session of this process on the token: logged in while ``store`` is open."""
    session = pkcs11.lib(str(softhsm.module)).get_token(token_label=TOKEN).open(rw=True)
    yield session
    session.close()


def token_object(session: Any, object_class: Any, stored: StoredKey) -> Any:
    reference = TokenReference.parse(stored.encrypted_secret)
    assert reference is not None
    return session.get_key(object_class=object_class, id=reference.object_id)


def test_pkcs11_store_is_a_key_store(store: Pkcs11KeyStore) -> None:
    key_store: KeyStore = store
    assert key_store is not None


@pytest.mark.parametrize("key_type", KEY_TYPES, ids=str)
def test_keys_are_generated_in_the_token_and_never_extractable(
    store: Pkcs11KeyStore, inspect: Any, key_type: KeyType
) -> None:
    stored = store.create_key("sat", key_type)
    private = token_object(inspect, pkcs11.ObjectClass.PRIVATE_KEY, stored)

    assert private[A.TOKEN] and private[A.PRIVATE] and private[A.SENSITIVE]
    assert private[A.EXTRACTABLE] is False
    # Generated here (LOCAL), sensitive and unextractable from the start.
    assert private[A.LOCAL] and private[A.ALWAYS_SENSITIVE] and private[A.NEVER_EXTRACTABLE]
    assert private[A.SIGN] and not private[A.DERIVE] and not private[A.DECRYPT]
    assert private[A.LABEL] == f"vcservice/sat/{stored.key_id}"
    with pytest.raises(pkcs11.AttributeSensitive):
        private[A.VALUE]
    wrapping = inspect.generate_key(pkcs11.KeyType.AES, 256, capabilities=pkcs11.MechanismFlag.WRAP)
    with pytest.raises(pkcs11.KeyUnextractable):
        wrapping.wrap_key(private, mechanism=pkcs11.Mechanism.AES_KEY_WRAP_PAD)
    with pytest.raises(pkcs11.AttributeReadOnly):
        private[A.EXTRACTABLE] = True


@pytest.mark.parametrize("key_type", KEY_TYPES, ids=str)
def test_the_record_holds_a_token_reference_and_the_tokens_public_key(
    store: Pkcs11KeyStore, inspect: Any, key_type: KeyType
) -> None:
    stored = store.create_key("sat", key_type)
    public = token_object(inspect, pkcs11.ObjectClass.PUBLIC_KEY, stored)

    reference = TokenReference.parse(stored.encrypted_secret)
    assert reference is not None and reference.token == TOKEN
    assert stored.encrypted_secret.startswith(b"pkcs11:token=vcservice-test;object=vcservice%2Fsat")
    assert stored.encrypted_secret.endswith(b";type=private")
    assert TokenReference.parse(reference.to_uri().encode()) == reference
    from_token = public_key_from_ec_point(key_type, public[A.EC_POINT])
    assert from_token.to_multibase() == stored.public_key_multibase
    assert dict(store.published_keys("sat")) == {stored.key_id: from_token}


@pytest.mark.parametrize("key_type", KEY_TYPES, ids=str)
def test_signatures_made_in_the_token_verify_with_the_published_key(
    store: Pkcs11KeyStore, key_type: KeyType
) -> None:
    stored = store.create_key("sat", key_type)

    signer = store.signer(SAT, key_type)
    signature = signer.sign(b"payload")

    assert isinstance(signer, Pkcs11Signer)
    assert signer.key_type is key_type
    assert signer.verification_method == f"{SAT.did}#{stored.key_id}"
    assert len(signature) == key_type.params.signature_length  # Ed25519 R‖S, ECDSA r‖s
    [(key_id, public_key)] = store.published_keys("sat")
    assert key_id == stored.key_id
    assert public_key.verify(signature, b"payload")
    assert not public_key.verify(signature, b"other payload")
    assert "token=" not in repr(signer)


def test_rotation_makes_a_new_token_key_and_keeps_the_old_one_published(
    softhsm: SoftHsm, repository: MemoryKeyRepository, inspect: Any
) -> None:
    first_store = open_store(softhsm, repository)
    first = first_store.create_key("sat", KeyType.P384)
    old_signature = first_store.signer(SAT, KeyType.P384).sign(b"old")
    first_store.close()
    later = open_store(softhsm, repository, now=NOW + timedelta(days=90))

    second = later.rotate("sat", KeyType.P384)
    signer = later.signer(SAT, KeyType.P384)

    assert signer.verification_method.endswith(f"#{second.key_id}")
    statuses = {key.key_id: key.status for key in repository.for_authority("sat")}
    assert statuses == {first.key_id: KeyStatus.RETIRED, second.key_id: KeyStatus.ACTIVE}
    published = dict(later.published_keys("sat"))
    assert published[first.key_id].verify(old_signature, b"old")
    assert published[second.key_id].verify(signer.sign(b"new"), b"new")
    for stored in (first, second):  # both stay in the token
        token_object(inspect, pkcs11.ObjectClass.PRIVATE_KEY, stored)
    later.close()


def test_a_prepared_token_key_is_published_then_promoted_by_the_rotation(
    store: Pkcs11KeyStore, repository: MemoryKeyRepository, inspect: Any
) -> None:
    first = store.create_key("sat", KeyType.ED25519)
    pending = store.prepare("sat", KeyType.ED25519)
    token_object(inspect, pkcs11.ObjectClass.PRIVATE_KEY, pending)  # made in the token
    assert store.pending("sat") == [pending]
    assert pending.key_id in dict(store.published_keys("sat"))
    assert store.signer(SAT, KeyType.ED25519).verification_method.endswith(f"#{first.key_id}")

    promoted = store.rotate("sat", KeyType.ED25519)
    signer = store.signer(SAT, KeyType.ED25519)

    assert promoted.key_id == pending.key_id
    assert signer.verification_method.endswith(f"#{pending.key_id}")
    assert dict(store.published_keys("sat"))[pending.key_id].verify(signer.sign(b"n"), b"n")
    statuses = {key.key_id: key.status for key in repository.for_authority("sat")}
    assert statuses == {first.key_id: KeyStatus.RETIRED, pending.key_id: KeyStatus.ACTIVE}


def test_create_refuses_a_second_active_key(store: Pkcs11KeyStore) -> None:
    store.create_key("sat", KeyType.ED25519)

    with pytest.raises(StorageError) as caught:
        store.create_key("sat", KeyType.ED25519)

    assert caught.value.code == "CONFLICT"


def test_a_key_whose_record_cannot_be_stored_is_destroyed(softhsm: SoftHsm, inspect: Any) -> None:
    class RefusingRepository(MemoryKeyRepository):
        def add(self, key: StoredKey) -> None:
            self.refused = key
            raise StorageError("the database is down")

    repository = RefusingRepository()
    refusing = open_store(softhsm, repository)

    with pytest.raises(StorageError, match="the database is down"):
        refusing.create_key("sat", KeyType.ED25519)

    reference = TokenReference.parse(repository.refused.encrypted_secret)
    assert reference is not None
    assert list(inspect.get_objects({A.ID: reference.object_id})) == []
    refusing.close()


def test_stores_of_one_process_share_the_login(softhsm: SoftHsm) -> None:
    """PKCS#11 logs in per process: closing one store must not log the other out."""
    first, second = open_store(softhsm), open_store(softhsm)
    first.create_key("sat", KeyType.ED25519)
    second.create_key("sat", KeyType.ED25519)

    first.close()

    signature = second.signer(SAT, KeyType.ED25519).sign(b"still logged in")
    [(_, public_key)] = second.published_keys("sat")
    assert public_key.verify(signature, b"still logged in")
    second.close()
    third = open_store(softhsm)  # logs in again after the last one logged out
    third.create_key("sat", KeyType.P256)
    third.signer(SAT, KeyType.P256).sign(b"again")
    third.close()


def test_sessions_sign_concurrently(softhsm: SoftHsm) -> None:
    store = open_store(softhsm, sessions=2)
    store.create_key("sat", KeyType.P384)
    signer = store.signer(SAT, KeyType.P384)
    [(_, public_key)] = store.published_keys("sat")
    messages = [f"message {n}".encode() for n in range(64)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        signatures = list(pool.map(signer.sign, messages))

    assert all(map(public_key.verify, signatures, messages))
    store.close()
    with pytest.raises(StorageError) as caught:
        signer.sign(b"after close")
    assert caught.value.code == "KEY_STORE_UNAVAILABLE"


def test_another_process_signs_with_a_key_made_here(
    store: Pkcs11KeyStore, softhsm: SoftHsm
) -> None:
    """As uvicorn workers do: each process logs in itself and finds the key in the token."""
    stored = store.create_key("sat", KeyType.ED25519)
    reference = TokenReference.parse(stored.encrypted_secret)
    assert reference is not None
    object_id = reference.object_id.hex()
    script = (
        "import sys\nfrom pathlib import Path\n"
        "from vcservice.custody.pkcs11_token import Pkcs11Token\n"
        "from vcservice.keys import KeyType\n"
        "token = Pkcs11Token(module=Path(sys.argv[1]), token_label=sys.argv[2], pin=sys.argv[3])\n"
        "signature = token.sign(KeyType.ED25519, object_id=bytes.fromhex(sys.argv[4]), "
        "data=b'from another process')\n"
        "token.close()\nprint(signature.hex())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(softhsm.module), TOKEN, softhsm.pin, object_id],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )

    public_key = PublicKey.from_multibase(stored.public_key_multibase)
    assert public_key.verify(bytes.fromhex(result.stdout.strip()), b"from another process")


# ---------------------------------------------------------------- failures, clearly coded


def test_a_wrong_pin_fails_the_login(softhsm: SoftHsm) -> None:
    with pytest.raises(StorageError) as caught:
        open_store(softhsm, token=OTHER_TOKEN, pin="0000")

    assert caught.value.code == "KEY_STORE_LOGIN_FAILED"
    assert "PinIncorrect" in caught.value.message and "0000" not in caught.value.message


def test_a_second_store_with_another_pin_is_refused(
    store: Pkcs11KeyStore, softhsm: SoftHsm
) -> None:
    with pytest.raises(StorageError) as caught:
        open_store(softhsm, pin="0000")

    assert caught.value.code == "KEY_STORE_LOGIN_FAILED"


def test_a_missing_module_is_reported(softhsm: SoftHsm, tmp_path: Path) -> None:
    with pytest.raises(StorageError) as caught:
        Pkcs11Token(module=tmp_path / "libnothing.so", token_label=TOKEN, pin=softhsm.pin)

    assert caught.value.code == "KEY_STORE_UNAVAILABLE"
    assert "libnothing.so" in caught.value.message


def test_a_missing_token_is_reported_with_the_tokens_there_are(softhsm: SoftHsm) -> None:
    with pytest.raises(StorageError) as caught:
        Pkcs11Token(module=softhsm.module, token_label="no-such-token", pin=softhsm.pin)

    assert caught.value.code == "KEY_STORE_UNAVAILABLE"
    assert "'no-such-token'" in caught.value.message and f"'{TOKEN}'" in caught.value.message


def test_a_software_key_cannot_sign_through_the_token(
    store: Pkcs11KeyStore, repository: MemoryKeyRepository
) -> None:
    SoftwareKeyStore(repository, KeyEncryptionKey(bytes(32)), FixedClock(NOW)).create_key(
        "sat", KeyType.ED25519
    )

    with pytest.raises(StorageError) as caught:
        store.signer(SAT, KeyType.ED25519)

    assert caught.value.code == "KEY_NOT_IN_KEY_STORE"
    assert "rotate" in caught.value.message
    store.rotate("sat", KeyType.ED25519)  # the way out: the successor is made in the token
    store.signer(SAT, KeyType.ED25519).sign(b"now from the token")


def test_a_key_recorded_in_another_token_is_refused(
    softhsm: SoftHsm, store: Pkcs11KeyStore, repository: MemoryKeyRepository
) -> None:
    other = open_store(softhsm, repository, token=OTHER_TOKEN)
    other.create_key("sat", KeyType.ED25519)
    other.close()

    with pytest.raises(StorageError) as caught:
        store.signer(SAT, KeyType.ED25519)

    assert caught.value.code == "KEY_NOT_IN_KEY_STORE"
    assert OTHER_TOKEN in caught.value.message


def test_a_key_gone_from_the_token_is_reported(
    store: Pkcs11KeyStore, repository: MemoryKeyRepository, inspect: Any
) -> None:
    stored = store.create_key("sat", KeyType.P256)
    token_object(inspect, pkcs11.ObjectClass.PRIVATE_KEY, stored).destroy()

    with pytest.raises(StorageError) as caught:
        store.signer(SAT, KeyType.P256)

    assert caught.value.code == "KEY_NOT_IN_KEY_STORE"


def test_a_record_pointing_at_another_token_key_is_refused(
    softhsm: SoftHsm, repository: MemoryKeyRepository
) -> None:
    store = open_store(softhsm, repository)
    sat_key = store.create_key("sat", KeyType.ED25519)
    cbp_key = store.create_key("cbp", KeyType.ED25519)
    repository.replace(dataclasses.replace(sat_key, encrypted_secret=cbp_key.encrypted_secret))

    fresh = open_store(softhsm, repository)  # nothing checked yet in this one

    with pytest.raises(KeyFormatError) as caught:
        fresh.signer(SAT, KeyType.ED25519)

    assert caught.value.code == "INVALID_KEY"
    fresh.close()
    store.close()


def test_the_store_is_ready_while_its_token_is_open(softhsm: SoftHsm) -> None:
    store = open_store(softhsm)
    store.check()  # a fresh session opens on the logged-in token

    store.close()

    with pytest.raises(StorageError) as raised:
        store.check()
    assert raised.value.code == "KEY_STORE_UNAVAILABLE"
