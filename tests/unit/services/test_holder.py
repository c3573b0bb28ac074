"""HolderService over memory repositories: DIDs (did:key, did:web), tokens, presentations."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import pytest

from tests.factories import NOW, certificate, did_of, held_by, key_file
from tests.legacy_hashes import scrypt_hash
from vcservice.certificates.samples import sample_certificate
from vcservice.clock import FixedClock
from vcservice.custody import KeyEncryptionKey, SecretDigester
from vcservice.dids.document import DidDocument
from vcservice.errors import StorageError, VcError
from vcservice.keys import KeyType, PublicKey
from vcservice.model.records import HeldCredential, Holder
from vcservice.services.core import Core, CoreConfig, build_core
from vcservice.services.freshness import Freshness
from vcservice.services.holder import HolderService
from vcservice.storage.repository import Store

PUBLIC_URL = "http://localhost:8082"
ACME_WEB = "did:web:localhost%3A8082:holders:acme"
ISSUER = key_file(KeyType.ED25519, seed=31)
DOMAIN = "aduana-nuevo-laredo.example"


class MemoryHolders:
    """Holders by name (a HolderRepository)."""

    def __init__(self) -> None:
        self.holders: dict[str, Holder] = {}

    def add(self, holder: Holder) -> None:
        if holder.name in self.holders or any(h.did == holder.did for h in self.holders.values()):
            raise StorageError(f"holder {holder.name} exists", code="CONFLICT")
        self.holders[holder.name] = holder

    def get(self, name: str) -> Holder | None:
        return self.holders.get(name)

    def list(self) -> list[Holder]:
        return [self.holders[name] for name in sorted(self.holders)]

    def replace_token_hash(self, name: str, token_hash: str) -> None:
        if name not in self.holders:
            raise StorageError(f"no holder {name}", code="NOT_FOUND")
        self.holders[name] = dataclasses.replace(self.holders[name], token_hash=token_hash)

    def upgrade_token_hash(self, name: str, *, current: str, upgraded: str) -> bool:
        holder = self.holders.get(name)
        if holder is None or holder.token_hash != current:
            return False
        self.holders[name] = dataclasses.replace(holder, token_hash=upgraded)
        return True

    def delete(self, name: str, *, retired_at: datetime) -> bool:
        return self.holders.pop(name, None) is not None


class MemoryHeld:
    """Held credentials by (holder, id) (a HeldCredentialRepository)."""

    def __init__(self) -> None:
        self.held: dict[tuple[str, str], HeldCredential] = {}

    def add(self, credential: HeldCredential) -> None:
        self.held[(credential.holder, credential.credential_id)] = credential

    def get(self, holder: str, credential_id: str) -> HeldCredential | None:
        return self.held.get((holder, credential_id))

    def for_holder(self, holder: str) -> list[HeldCredential]:
        return [held for (owner, _), held in self.held.items() if owner == holder]

    def delete(self, holder: str, credential_id: str) -> bool:
        return self.held.pop((holder, credential_id), None) is not None


@dataclasses.dataclass
class MemoryStore:
    """The two repositories HolderService reads."""

    holders: MemoryHolders = dataclasses.field(default_factory=MemoryHolders)
    held_credentials: MemoryHeld = dataclasses.field(default_factory=MemoryHeld)


def _service(core: Core | None = None, store: MemoryStore | None = None) -> HolderService:
    kek = KeyEncryptionKey(bytes(range(32)))
    return HolderService(
        core=cast(Core, core),
        store=cast(Store, store or MemoryStore()),
        kek=kek,
        digests=SecretDigester.from_kek(kek),
        public_url=PUBLIC_URL,
        clock=FixedClock(NOW),
        freshness=Freshness(itertools.count().__next__),  # in memory: never kept
    )


@pytest.fixture
def service() -> HolderService:
    """A holder service without a credential core (no verification or signing)."""
    return _service()


@pytest.fixture
def scrypt_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bytes]]:
    """The passwords of every ``hashlib.scrypt`` call, in order."""
    calls: list[bytes] = []
    real = hashlib.scrypt

    def counting(password: bytes, **options: Any) -> bytes:
        calls.append(password)
        return real(password, **options)

    monkeypatch.setattr(hashlib, "scrypt", counting)
    yield calls


def _code(caught: pytest.ExceptionInfo[VcError]) -> tuple[str, str | None]:
    return caught.value.code, caught.value.field


# ---------------------------------------------------------------- DIDs


def test_a_did_key_holder_by_default(service: HolderService) -> None:
    holder, _ = service.create("acme")
    assert holder.did == f"did:key:{holder.public_key_multibase}"
    assert holder.did.startswith("did:key:z6Mk")
    assert service.find_did_document(holder.did) is None
    with pytest.raises(StorageError) as caught:
        service.did_document("acme")
    assert _code(caught) == ("NOT_FOUND", "name")


def test_a_did_web_holder_and_its_document(service: HolderService) -> None:
    holder, _ = service.create("acme", did_method="web")
    assert holder.did == ACME_WEB
    served = service.did_document("acme")
    method_id = f"{ACME_WEB}#{holder.public_key_multibase}"
    assert served["id"] == ACME_WEB
    assert [vm["id"] for vm in served["verificationMethod"]] == [method_id]
    assert served["authentication"] == [method_id]
    assert served["assertionMethod"] == [method_id]

    document = service.find_did_document(ACME_WEB)
    assert document is not None and document.data == served
    method = DidDocument(served).verification_method(method_id)
    assert method.type == "Multikey" and method.controller == ACME_WEB
    assert method.public_key == PublicKey.from_multibase(holder.public_key_multibase)
    assert document.authorizes(method_id, "authentication")


@pytest.mark.parametrize(
    "did",
    [
        "did:web:localhost%3A8082:holders:other",  # no such holder
        "did:web:elsewhere.example:holders:acme",  # our holder's name, someone else's host
        "did:web:localhost%3A8082:issuers:acme",
        "did:web:localhost%3A8082:holders:acme:extra",
        "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
    ],
)
def test_only_our_did_web_holders_are_found(service: HolderService, did: str) -> None:
    service.create("acme", did_method="web")
    assert service.find_did_document(did) is None


@pytest.mark.parametrize("name", ["", "Acme", "acme\n", "-acme", "ac.me", "ac me", "a" * 64])
def test_a_bad_holder_name_is_refused(service: HolderService, name: str) -> None:
    with pytest.raises(VcError) as caught:
        service.create(name, did_method="web")
    assert _code(caught) == ("MALFORMED_VALUE_ERROR", "name")
    assert service.list_holders() == []


def test_a_name_is_taken_once(service: HolderService) -> None:
    service.create("acme")
    with pytest.raises(StorageError) as caught:
        service.create("acme", did_method="web")
    assert caught.value.code == "CONFLICT"


# ---------------------------------------------------------------- holders and tokens


def test_list_get_and_remove(service: HolderService) -> None:
    zeta, _ = service.create("zeta")
    acme, _ = service.create("acme", did_method="web")
    assert service.list_holders() == [acme, zeta]
    assert service.get("zeta") == zeta
    service.remove("zeta")
    assert service.list_holders() == [acme]
    for call in (service.get, service.remove, service.rotate_token):
        with pytest.raises(StorageError) as caught:
            call("zeta")
        assert _code(caught) == ("NOT_FOUND", "name")


def test_rotating_the_token_retires_the_old_one(service: HolderService) -> None:
    holder, old = service.create("acme")
    assert service.authenticate(old) == holder
    rotated, new = service.rotate_token("acme")
    assert new != old and new.startswith("acme.")
    assert rotated == service.get("acme")
    assert service.authenticate(new) == rotated
    with pytest.raises(VcError) as caught:
        service.authenticate(old)
    assert _code(caught) == ("INVALID_TOKEN", "Authorization")


@pytest.mark.parametrize(
    "token",
    ["nobody.secret", "no-dot-at-all", "Bad Name.secret", ".secret", "acme", "acme.wrong-secret"],
)
def test_a_wrong_token_takes_no_slow_hash(
    service: HolderService, scrypt_calls: list[bytes], token: str
) -> None:
    holder, right = service.create("acme")
    assert holder.token_hash.startswith("hmac-sha256$")
    assert right not in holder.token_hash
    with pytest.raises(VcError) as caught:
        service.authenticate(token)
    assert _code(caught) == ("INVALID_TOKEN", "Authorization")
    assert service.authenticate(right) == holder
    assert scrypt_calls == []


def test_a_token_stored_as_scrypt_works_once_slowly_then_as_a_digest(
    scrypt_calls: list[bytes],
) -> None:
    store = MemoryStore()
    service = _service(store=store)
    holder, token = service.create("acme")
    store.holders.replace_token_hash("acme", scrypt_hash(token))  # as an older version kept it
    scrypt_calls.clear()

    with pytest.raises(VcError):
        service.authenticate("acme.wrong-secret")
    assert len(scrypt_calls) == 1
    assert store.holders.holders["acme"].token_hash.startswith("scrypt$")  # not upgraded

    assert service.authenticate(token).name == "acme"
    assert len(scrypt_calls) == 2
    assert store.holders.holders["acme"] == holder  # the digest a new holder gets
    assert service.authenticate(token) == holder
    with pytest.raises(VcError):
        service.authenticate("acme.wrong-secret")
    assert len(scrypt_calls) == 2


def test_an_upgrade_never_undoes_a_rotation(monkeypatch: pytest.MonkeyPatch) -> None:
    """A token rotated while its old scrypt hash was being checked stays rotated."""
    store = MemoryStore()
    service = _service(store=store)
    _, old = service.create("acme")
    store.holders.replace_token_hash("acme", scrypt_hash(old))
    read = store.holders.get

    def read_then_rotate(name: str) -> Holder | None:
        found = read(name)
        monkeypatch.setattr(store.holders, "get", read)
        rotated.append(service.rotate_token(name)[1])
        return found

    rotated: list[str] = []
    monkeypatch.setattr(store.holders, "get", read_then_rotate)

    service.authenticate(old)  # it was still the token when it was read
    assert service.authenticate(rotated[0]).name == "acme"
    with pytest.raises(VcError):
        service.authenticate(old)


# ---------------------------------------------------------------- presentations


@dataclasses.dataclass
class Wallets:
    """A holder service and the core it signs and verifies with."""

    service: HolderService
    core: Core


@pytest.fixture(scope="module")
def wallets(context_store_dir: Path) -> Wallets:
    """A holder service whose core resolves its did:web holders locally (as the container)."""
    service: HolderService | None = None

    def lookup(did: str) -> DidDocument | None:
        assert service is not None
        return service.find_did_document(did)

    core = build_core(
        CoreConfig(store_dir=context_store_dir), clock=FixedClock(NOW), local_dids=lookup
    )
    service = _service(core)
    return Wallets(service, core)


def _immex(version: str) -> dict[str, Any]:
    """An IMMEX certificate from ``ISSUER`` in certificate data ``version``, valid at ``NOW``."""
    if version == "v2":
        return certificate("immex", issuer=ISSUER)
    credential = sample_certificate("immex", version)
    credential["issuer"]["id"] = did_of(ISSUER)
    return credential


@pytest.mark.shared
@pytest.mark.parametrize("version", ["v2", "v1"])
@pytest.mark.parametrize("fmt", ["data-integrity", "vp+jwt"])
def test_a_did_web_holder_proves_and_the_core_verifies_it(
    wallets: Wallets, fmt: Any, version: str
) -> None:
    """In data v1 the holder is the subject's ``id``; in v2 the company's ``member.id``."""
    name = f"acme-{fmt.replace('+', '-')}-{version}"
    holder, _ = wallets.service.create(name, did_method="web")
    credential = held_by(_immex(version), holder.did)
    signed = wallets.core.data_integrity.add_proof(
        credential, signer=ISSUER.signer(), cryptosuite="eddsa-rdfc-2022", created=NOW
    )
    held = wallets.service.store(holder, signed)

    presentation = wallets.service.prove(
        holder, [held.credential_id], challenge="c-1", domain=DOMAIN, format=fmt
    )
    result = wallets.core.verifier.verify_presentation(presentation, challenge="c-1", domain=DOMAIN)
    assert result.verified, result.to_json()
    outcomes = {check.name: check.outcome.value for check in result.checks}
    assert outcomes["holderBinding"] == "passed"
    if fmt == "data-integrity":
        assert isinstance(presentation, dict)
        assert presentation["proof"]["verificationMethod"] == (
            f"{holder.did}#{holder.public_key_multibase}"
        )

    wallets.service.remove(name)  # its DID no longer resolves locally
    gone = wallets.core.verifier.verify_presentation(presentation, challenge="c-1", domain=DOMAIN)
    assert not gone.verified


@pytest.mark.shared
def test_a_holder_keeps_and_presents_a_credential_naming_it_as_the_member(
    wallets: Wallets,
) -> None:
    holder, _ = wallets.service.create("bravo", did_method="web")
    stranger, _ = wallets.service.create("stranger", did_method="web")
    credential = certificate("ctpat", issuer=ISSUER)  # data v2: the member holds it
    assert "id" not in credential["credentialSubject"]
    credential["credentialSubject"]["member"]["id"] = holder.did
    signed = wallets.core.data_integrity.add_proof(
        credential, signer=ISSUER.signer(), cryptosuite="eddsa-rdfc-2022", created=NOW
    )

    with pytest.raises(VcError) as caught:
        wallets.service.store(stranger, signed)
    assert _code(caught) == ("CREDENTIAL_NOT_ACCEPTED", "verifiableCredential.credentialSubject.id")
    assert wallets.service.list(stranger) == []

    held = wallets.service.store(holder, signed)
    presentation = wallets.service.prove(
        holder, [held.credential_id], challenge="c-2", domain=DOMAIN
    )
    result = wallets.core.verifier.verify_presentation(presentation, challenge="c-2", domain=DOMAIN)
    assert result.verified, result.to_json()
    assert {check.name: check.outcome.value for check in result.checks}["holderBinding"] == (
        "passed"
    )
    wallets.service.remove("bravo")
    wallets.service.remove("stranger")
