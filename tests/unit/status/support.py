"""Builders shared by the status tests: keys, signed lists and credentials, a settable clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from tests.factories import NOW, certificate, did_of, key_file
from vcservice.keys import KeyFile, KeyType
from vcservice.model.records import StatusPurpose
from vcservice.services.core import Core
from vcservice.status import Bitstring, status_list_credential

ISSUER = key_file(KeyType.ED25519, seed=1)
OTHER = key_file(KeyType.ED25519, seed=2)
BASE = "https://status.example/lists"


def sign(core: Core, document: dict[str, Any], key: KeyFile = ISSUER) -> dict[str, Any]:
    """``document`` with an eddsa-rdfc-2022 (or ecdsa-rdfc-2019) assertion proof by ``key``."""
    suite = "eddsa-rdfc-2022" if key.key_pair.key_type is KeyType.ED25519 else "ecdsa-rdfc-2019"
    return core.data_integrity.add_proof(
        document, signer=key.signer(), cryptosuite=suite, created=NOW
    )


def signed_list(
    core: Core,
    url: str,
    purpose: StatusPurpose | str,
    *,
    set_values: dict[int, int] | None = None,
    status_size: int = 1,
    signer: KeyFile = ISSUER,
    issuer: KeyFile | None = None,
    valid_until: datetime | None = NOW + timedelta(days=1),
    ttl_ms: int | None = 300_000,
    edit: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """A signed list at ``url`` with ``set_values`` set; ``edit`` runs before signing."""
    bitstring = Bitstring(status_size=status_size)
    for index, value in (set_values or {}).items():
        bitstring.set(index, value)
    document = status_list_credential(
        list_url=url,
        issuer=did_of(issuer or signer),
        purpose=purpose,
        bitstring=bitstring,
        valid_from=NOW - timedelta(hours=1),
        valid_until=valid_until,
        ttl_ms=ttl_ms,
    )
    if edit is not None:
        edit(document)
    return sign(core, document, signer)


def signed_credential(
    core: Core, status: dict[str, Any] | list[dict[str, Any]], key: KeyFile = ISSUER
) -> dict[str, Any]:
    """A signed sample certificate by ``key`` carrying ``credentialStatus``."""
    credential = certificate(issuer=key)
    credential["credentialStatus"] = status
    return sign(core, credential, key)


class FakeTime:
    """A clock for the checker (``now()``) and, as seconds, for the HTTP client and caches."""

    def __init__(self, moment: datetime = NOW) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment

    def seconds(self) -> float:
        return self.moment.timestamp()

    def advance(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)
