"""Token checks in constant, small time, limited per address, over real HTTP on both databases.

Holder tokens, client secrets and the admin token are checked as keyed digests: a wrong one,
however well formed, costs a look-up and an HMAC, never scrypt (counted here, since the
service runs in this process). Hashes an older version stored (scrypt) work once, slowly,
and are then replaced by the keyed digest. Every failed authentication — holder token, admin
token, client secret, access token — spends its address's one budget (TOKEN_RATE_PER_MINUTE,
12 here: bursts of two); once spent, the address is refused (429) before anything is
checked, even with the right secret. Each test fails from its own address (X-Forwarded-For,
which the in-process uvicorn takes from loopback).
"""

from __future__ import annotations

import hashlib
import itertools
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.builders import SAT_TYPES
from tests.api.conftest import READ, LiveService, assert_problem, database_for, serve
from tests.legacy_hashes import scrypt_hash
from vcservice.custody import KeyEncryptionKey, SecretDigester, SecretPurpose
from vcservice.storage.sql import SqlStore, open_store

pytestmark = pytest.mark.shared
TOKEN_FORM = {"grant_type": "client_credentials"}
_addresses = (f"198.51.100.{n}" for n in itertools.count(1))


@pytest.fixture
def scrypt_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bytes]]:
    """The password of every ``hashlib.scrypt`` call the service makes during the test."""
    calls: list[bytes] = []
    real = hashlib.scrypt

    def counting(password: bytes, **options: Any) -> bytes:
        calls.append(password)
        return real(password, **options)

    monkeypatch.setattr(hashlib, "scrypt", counting)
    yield calls


@pytest.fixture(scope="module")
def store(live_service: LiveService) -> Iterator[SqlStore]:
    """The service's database, opened beside it (to read and plant stored hashes)."""
    with open_store(live_service.settings.resolved_database_url, migrate=False) as opened:
        yield opened


def _bearer(token: str, address: str | None = None) -> dict[str, str]:
    forwarded = {"X-Forwarded-For": address} if address else {}
    return {"Authorization": f"Bearer {token}"} | forwarded


def _holder(live: LiveService) -> tuple[str, str]:
    """A new holder: its name and access token."""
    name = live.unique_name("shipper")
    response = live.http.post("/admin/holders", headers=live.admin, json={"name": name})
    assert response.status_code == 201, response.text
    return name, response.json()["accessToken"]


def _client(live: LiveService) -> tuple[str, str]:
    """A new client of a new authority: its id and secret."""
    authority = live.unique_name("sat")
    live.create_authority(authority, SAT_TYPES)
    return live.create_client(authority, [READ])


def _holder_credentials(live: LiveService, token: str) -> httpx.Response:
    return live.http.get("/holder/credentials", headers=_bearer(token))


def _digests(live: LiveService) -> SecretDigester:
    """What any process holding this deployment's KEK checks digests with."""
    return SecretDigester.from_kek(KeyEncryptionKey.from_file(live.data_dir / "kek"))


# ---------------------------------------------------------------- no slow hash


def test_a_wrong_holder_token_takes_no_scrypt(
    live_service: LiveService, scrypt_calls: list[bytes]
) -> None:
    name, token = _holder(live_service)
    wrong = ["x.y", f"{name}.{secrets.token_urlsafe(32)}", f"{name}.", token[:-1], token + "x"]
    for presented in [*wrong, f"nobody.{secrets.token_urlsafe(32)}", "x" * 5000]:
        response = _holder_credentials(live_service, presented)
        assert_problem(response, 401, "INVALID_TOKEN", "Authorization")
    assert _holder_credentials(live_service, token).status_code == 200
    assert scrypt_calls == []


def test_a_wrong_client_secret_takes_no_scrypt(
    live_service: LiveService, scrypt_calls: list[bytes]
) -> None:
    client_id, secret = _client(live_service)
    for credentials in [
        (client_id, secrets.token_urlsafe(32)),
        (client_id, secret[:-1]),
        ("nobody-0000000000000000", secret),
    ]:
        assert_problem(live_service.request_token(*credentials), 401, "INVALID_CLIENT")
    huge = TOKEN_FORM | {"client_id": client_id, "client_secret": "x" * 500_000}  # in the body
    assert_problem(live_service.http.post("/oauth/token", data=huge), 401, "INVALID_CLIENT")
    assert live_service.request_token(client_id, secret).status_code == 200
    assert scrypt_calls == []


def test_tokens_and_secrets_are_stored_as_digests_any_process_with_the_kek_checks(
    live_service: LiveService, store: SqlStore
) -> None:
    name, token = _holder(live_service)
    client_id, secret = _client(live_service)
    holder, client = store.holders.get(name), store.clients.get(client_id)
    assert holder is not None and client is not None
    digests = _digests(live_service)
    assert holder.token_hash == digests.digest(
        token, purpose=SecretPurpose.HOLDER_TOKEN, owner=name
    )
    assert client.secret_hash == digests.digest(
        secret, purpose=SecretPurpose.CLIENT_SECRET, owner=client_id
    )
    assert holder.token_hash.startswith("hmac-sha256$")
    assert client.secret_hash.startswith("hmac-sha256$")


# ---------------------------------------------------------------- hashes stored before


def test_a_holder_token_stored_as_scrypt_works_once_then_as_a_digest(
    live_service: LiveService, store: SqlStore, scrypt_calls: list[bytes]
) -> None:
    name, token = _holder(live_service)
    store.holders.replace_token_hash(name, scrypt_hash(token))  # as an older version kept it
    scrypt_calls.clear()

    wrong = f"{name}.{secrets.token_urlsafe(32)}"
    assert_problem(_holder_credentials(live_service, wrong), 401, "INVALID_TOKEN")
    assert len(scrypt_calls) == 1  # the old hash takes its scrypt, and stays
    assert _stored_token(store, name).startswith("scrypt$")

    assert _holder_credentials(live_service, token).status_code == 200
    assert len(scrypt_calls) == 2
    digest = _digests(live_service).digest(token, purpose=SecretPurpose.HOLDER_TOKEN, owner=name)
    assert _stored_token(store, name) == digest

    assert _holder_credentials(live_service, token).status_code == 200
    assert_problem(_holder_credentials(live_service, wrong), 401, "INVALID_TOKEN")
    assert len(scrypt_calls) == 2


def test_a_client_secret_stored_as_scrypt_works_once_then_as_a_digest(
    live_service: LiveService, store: SqlStore, scrypt_calls: list[bytes]
) -> None:
    client_id, secret = _client(live_service)
    digest = _stored_secret(store, client_id)
    assert store.clients.upgrade_secret_hash(
        client_id, current=digest, upgraded=scrypt_hash(secret)
    )  # back to what an older version kept
    scrypt_calls.clear()

    assert_problem(live_service.request_token(client_id, "x" * 43), 401, "INVALID_CLIENT")
    assert len(scrypt_calls) == 1
    assert _stored_secret(store, client_id).startswith("scrypt$")

    assert live_service.request_token(client_id, secret).status_code == 200
    assert len(scrypt_calls) == 2
    assert _stored_secret(store, client_id) == digest

    assert live_service.request_token(client_id, secret).status_code == 200
    assert len(scrypt_calls) == 2


def _stored_token(store: SqlStore, name: str) -> str:
    holder = store.holders.get(name)
    assert holder is not None
    return holder.token_hash


def _stored_secret(store: SqlStore, client_id: str) -> str:
    client = store.clients.get(client_id)
    assert client is not None
    return client.secret_hash


# ---------------------------------------------------------------- failures per address


@pytest.fixture(scope="module")
def limited(
    backend: str, context_store_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveService]:
    """A service letting an address fail twice in a burst (12 a minute); refusals are
    answered at once (a refusal delay would let the budget refill between the checks)."""
    with (
        database_for(backend) as database_url,
        serve(
            tmp_path_factory.mktemp(f"limited-{backend}"),
            database_url,
            context_store_dir,
            token_rate_per_minute=12,
            refusal_delay_seconds=0,
        ) as live,
    ):
        yield live


@dataclass(frozen=True)
class Attempts:
    """A wrong and a right attempt at one kind of credential, from a given address."""

    wrong: Callable[[str], httpx.Response]
    right: Callable[[str], httpx.Response]
    failure: str


def _attempts(live: LiveService, kind: str) -> Attempts:
    """Fresh credentials of ``kind`` (a client of its own has its own grant budget)."""
    if kind == "holder":
        _, token = _holder(live)
        holder = "/holder/credentials"
        return Attempts(
            wrong=lambda address: live.http.get(holder, headers=_bearer("x.y", address)),
            right=lambda address: live.http.get(holder, headers=_bearer(token, address)),
            failure="INVALID_TOKEN",
        )
    if kind == "admin":
        wrong = secrets.token_urlsafe(32)
        admin = "/admin/holders"
        return Attempts(
            wrong=lambda address: live.http.get(admin, headers=_bearer(wrong, address)),
            right=lambda address: live.http.get(admin, headers=_bearer(live.admin_token, address)),
            failure="INVALID_TOKEN",
        )
    if kind == "client":
        client_id, secret = _client(live)

        def grant(secret: str, address: str) -> httpx.Response:
            forwarded = {"X-Forwarded-For": address}
            return live.http.post(
                "/oauth/token", data=TOKEN_FORM, auth=(client_id, secret), headers=forwarded
            )

        return Attempts(
            wrong=lambda address: grant("x" * 43, address),
            right=lambda address: grant(secret, address),
            failure="INVALID_CLIENT",
        )
    token = live.token(*_client(live))
    header, payload, signature = token.split(".")
    forged = f"{header}.{payload}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}"
    return Attempts(
        wrong=lambda address: live.http.get("/credentials", headers=_bearer(forged, address)),
        right=lambda address: live.http.get("/credentials", headers=_bearer(token, address)),
        failure="INVALID_TOKEN",
    )


KINDS = ["holder", "admin", "client", "access-token"]


def _assert_limited(response: httpx.Response) -> None:
    problem = assert_problem(response, 429, "RATE_LIMITED", "Authorization")
    assert int(response.headers["retry-after"]) >= 1
    assert "retry after" in problem["detail"]


@pytest.mark.parametrize("kind", KINDS)
def test_an_address_that_failed_its_burst_is_refused_even_the_right_secret(
    limited: LiveService, kind: str
) -> None:
    attempts, guesser, other = _attempts(limited, kind), next(_addresses), next(_addresses)
    for _ in range(2):
        assert_problem(attempts.wrong(guesser), 401, attempts.failure)
    _assert_limited(attempts.wrong(guesser))
    _assert_limited(attempts.right(guesser))
    assert attempts.right(other).status_code == 200  # another address has its own budget


@pytest.mark.parametrize("kind", KINDS)
def test_successes_spend_nothing(limited: LiveService, kind: str) -> None:
    """A success before two failures leaves both failures their 401 (a burst is two)."""
    attempts, address = _attempts(limited, kind), next(_addresses)
    assert attempts.right(address).status_code == 200
    for _ in range(2):
        assert_problem(attempts.wrong(address), 401, attempts.failure)
    _assert_limited(attempts.wrong(address))


def test_every_kind_of_failure_spends_one_budget(limited: LiveService) -> None:
    """A guesser gains nothing by switching from holder tokens to admin tokens, say."""
    kinds = {kind: _attempts(limited, kind) for kind in KINDS}
    address = next(_addresses)
    assert_problem(kinds["holder"].wrong(address), 401, "INVALID_TOKEN")
    assert_problem(kinds["client"].wrong(address), 401, "INVALID_CLIENT")
    for attempts in kinds.values():
        _assert_limited(attempts.wrong(address))
        _assert_limited(attempts.right(address))


def test_a_request_without_credentials_is_401_not_429(limited: LiveService) -> None:
    """Nothing is checked, so nothing is refused for the failures before it."""
    attempts, address = _attempts(limited, "holder"), next(_addresses)
    for _ in range(2):
        attempts.wrong(address)
    _assert_limited(attempts.wrong(address))
    forwarded = {"X-Forwarded-For": address}
    response = limited.http.get("/holder/credentials", headers=forwarded)
    assert_problem(response, 401, "UNAUTHORIZED", "Authorization")
