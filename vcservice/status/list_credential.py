"""What an issuer publishes and embeds: the status list credential and status entries.

Per the Bitstring Status List Recommendation, ``statusSize``, ``statusMessage`` and
``statusReference`` belong to the ``BitstringStatusListEntry`` inside the issued credential
(the issuer commits to its message set at issuance); the list credential's subject carries
only ``statusPurpose``, ``encodedList`` and the optional ``ttl``. Every member used here is
defined by the ``https://www.w3.org/ns/credentials/v2`` context.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vcservice.model.credential import CREDENTIALS_V2, VERIFIABLE_CREDENTIAL
from vcservice.model.datetimes import format_datetime
from vcservice.model.records import StatusPurpose
from vcservice.status.bitstring import MAX_STATUS_SIZE, MINIMUM_ENTRIES, Bitstring

__all__ = [
    "CUSTOMS_MESSAGES",
    "CUSTOMS_STATUS_SIZE",
    "DEFAULT_TTL_MS",
    "ENTRY_TYPE",
    "LIST_CREDENTIAL_TYPE",
    "LIST_TYPE",
    "REFRESH",
    "SPANISH_MESSAGES",
    "StatusMessage",
    "status_entry",
    "status_list_credential",
]

LIST_CREDENTIAL_TYPE = "BitstringStatusListCredential"
LIST_TYPE = "BitstringStatusList"
ENTRY_TYPE = "BitstringStatusListEntry"
# The Recommendation's fourth purpose: "an updated credential is available" (not a failure).
REFRESH = "refresh"
# Published ttl: the Rec gives no default, so say it (and align Cache-Control with it).
DEFAULT_TTL_MS = 300_000


@dataclass(frozen=True, slots=True)
class StatusMessage:
    """One value of a multi-bit status: its English ``message`` (as published) and Spanish.

    The spec's ``message`` is debugging text that SHOULD NOT be shown to end users, so
    interfaces show their own wording; ``message_es`` is that wording in Spanish.
    """

    status: int
    message: str
    message_es: str

    @property
    def hex(self) -> str:
        """The value as the spec writes it: ``0x`` and lowercase hexadecimal."""
        return f"0x{self.status:x}"

    def to_json(self) -> dict[str, str]:
        """The ``statusMessage`` element (only the spec's two members)."""
        return {"status": self.hex, "message": self.message}


# The customs message list: two bits per credential, four states.
CUSTOMS_STATUS_SIZE = 2
CUSTOMS_MESSAGES: tuple[StatusMessage, ...] = (
    StatusMessage(0x0, "active", "vigente"),
    StatusMessage(0x1, "under revalidation", "en revalidación"),
    StatusMessage(0x2, "under review by customs", "en revisión aduanera"),
    StatusMessage(0x3, "pending renewal", "renovación pendiente"),
)
# Spanish display text for the English messages this service publishes.
SPANISH_MESSAGES: Mapping[str, str] = {m.message: m.message_es for m in CUSTOMS_MESSAGES}


def status_list_credential(
    *,
    list_url: str,
    issuer: str,
    purpose: StatusPurpose | str,
    bitstring: Bitstring,
    valid_from: datetime,
    valid_until: datetime | None = None,
    ttl_ms: int | None = DEFAULT_TTL_MS,
) -> dict[str, Any]:
    """The unsigned ``BitstringStatusListCredential`` published at ``list_url``.

    Refuses bitstrings shorter than the spec's minimum of 131,072 entries: verifiers
    reject such lists with STATUS_LIST_LENGTH_ERROR.
    """
    if bitstring.size < MINIMUM_ENTRIES:
        raise ValueError(
            f"a status list needs at least {MINIMUM_ENTRIES} entries, got {bitstring.size}"
        )
    if ttl_ms is not None and (isinstance(ttl_ms, bool) or ttl_ms < 0):
        raise ValueError(f"ttl_ms must be a non-negative integer, got {ttl_ms!r}")
    subject: dict[str, Any] = {
        "id": f"{list_url}#list",
        "type": LIST_TYPE,
        "statusPurpose": str(purpose),
        "encodedList": bitstring.encode(),
    }
    if ttl_ms is not None:
        subject["ttl"] = ttl_ms
    credential: dict[str, Any] = {
        "@context": [CREDENTIALS_V2],
        "id": list_url,
        "type": [VERIFIABLE_CREDENTIAL, LIST_CREDENTIAL_TYPE],
        "issuer": issuer,
        "validFrom": format_datetime(valid_from),
    }
    if valid_until is not None:
        if valid_until < valid_from:
            raise ValueError("valid_until is before valid_from")
        credential["validUntil"] = format_datetime(valid_until)
    credential["credentialSubject"] = subject
    return credential


def status_entry(
    list_url: str,
    index: int,
    purpose: StatusPurpose | str,
    *,
    status_size: int = 1,
    messages: Sequence[StatusMessage] | None = None,
    reference: str | Sequence[str] | None = None,
) -> dict[str, Any]:
    """A ``BitstringStatusListEntry`` for entry ``index`` of the list at ``list_url``.

    ``statusListIndex`` is a base-10 string, as the spec requires. ``statusSize`` is written
    when it is not 1; ``messages`` (``statusMessage``) must then list one message per value,
    and may be given for one-bit entries too. ``reference`` becomes ``statusReference``
    (strongly encouraged for the ``message`` purpose).
    """
    if isinstance(index, bool) or index < 0:
        raise ValueError(f"index must be a non-negative integer, got {index!r}")
    if isinstance(status_size, bool) or not 1 <= status_size <= MAX_STATUS_SIZE:
        raise ValueError(f"status_size must be 1…{MAX_STATUS_SIZE}, got {status_size!r}")
    if status_size > 1 and messages is None:
        raise ValueError("a statusSize above 1 needs messages (statusMessage)")
    entry: dict[str, Any] = {
        "id": f"{list_url}#{index}",
        "type": ENTRY_TYPE,
        "statusPurpose": str(purpose),
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }
    if status_size != 1:
        entry["statusSize"] = status_size
    if messages is not None:
        entry["statusMessage"] = _message_list(messages, status_size)
    if reference is not None:
        entry["statusReference"] = reference if isinstance(reference, str) else list(reference)
    return entry


def _message_list(messages: Sequence[StatusMessage], status_size: int) -> list[dict[str, str]]:
    values = sorted(message.status for message in messages)
    if values != list(range(1 << status_size)):
        raise ValueError(
            f"statusMessage must give one message for each value 0…{(1 << status_size) - 1}"
        )
    return [message.to_json() for message in sorted(messages, key=lambda m: m.status)]
