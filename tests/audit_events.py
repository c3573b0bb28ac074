"""Audit events and intact chains for the audit tests, each built from a number."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from vcservice.audit.chain import GENESIS_HASH, chain_entry
from vcservice.model.records import AuditAction, AuditEntry, AuditEvent

T0 = datetime(2026, 11, 28, 12, 0, 0, 123456, tzinfo=UTC)


def event(number: int, **changes: Any) -> AuditEvent:
    """Event ``number``: ``sat-client`` issued credential ``number``, ``number`` s after T0."""
    values: dict[str, Any] = {
        "recorded_at": T0 + timedelta(seconds=number),
        "actor": "sat-client",
        "authority": "sat",
        "action": AuditAction.CREDENTIAL_ISSUED.value,
        "subject": f"urn:uuid:00000000-0000-4000-8000-{number:012d}",
        "details": {"type": "IMMEXCertificate", "format": "eddsa-rdfc-2022"},
        "request_id": f"request-{number}",
    }
    return AuditEvent(**(values | changes))


def chain(length: int) -> list[AuditEntry]:
    """An intact log of ``length`` entries, ``event(1)`` first."""
    entries: list[AuditEntry] = []
    for number in range(1, length + 1):
        previous = entries[-1].hash if entries else GENESIS_HASH
        entries.append(chain_entry(event(number), sequence=number, previous_hash=previous))
    return entries
