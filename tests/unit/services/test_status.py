"""StatusService.apply over memory repositories: coded reasons, their checks and audit."""

from __future__ import annotations

import itertools
from dataclasses import replace
from types import SimpleNamespace
from typing import Any, cast

import pytest

from tests.factories import NOW
from vcservice.clock import FixedClock
from vcservice.errors import StorageError, VcError
from vcservice.model.records import (
    AuditEvent,
    Authority,
    IssuedCredential,
    StatusChange,
    StatusEntry,
    StatusPurpose,
    StatusReason,
)
from vcservice.services.freshness import Freshness
from vcservice.services.status import StatusService
from vcservice.storage.repository import Store

REVOCATION = StatusPurpose.REVOCATION
SUSPENSION = StatusPurpose.SUSPENSION
MESSAGE = StatusPurpose.MESSAGE
CREDENTIAL = "urn:uuid:00000000-0000-4000-8000-000000000001"
SAT = Authority("sat", "SAT", "did:web:sat.example", frozenset({"*"}), NOW)


class MemoryCredentials:
    """One issued credential (the part of a CredentialRepository ``apply`` uses)."""

    def __init__(self) -> None:
        self.records = {
            CREDENTIAL: IssuedCredential(
                id=CREDENTIAL,
                authority="sat",
                credential_type="CTPATCertificate",
                securing_format="eddsa-rdfc-2022",
                document="{}",
                subject_id=None,
                subject_identifiers=(),
                issued_at=NOW,
                valid_from=None,
                valid_until=None,
            )
        }

    def get(self, credential_id: str) -> IssuedCredential | None:
        return self.records.get(credential_id)

    def set_status(self, credential_id: str, status: str) -> None:
        self.records[credential_id] = replace(self.records[credential_id], status=status)


class MemoryStatuses:
    """The credential's three entries, its changes and their audit events."""

    def __init__(self) -> None:
        self.entries = {
            purpose: StatusEntry(1, index, CREDENTIAL, purpose, 0)
            for index, purpose in enumerate(StatusPurpose)
        }
        self.changes: list[StatusChange] = []
        self.audited: list[AuditEvent] = []

    def entries_for(self, credential_id: str) -> list[StatusEntry]:
        return [entry for entry in self.entries.values() if entry.credential_id == credential_id]

    def change(self, **arguments: Any) -> StatusChange:
        purpose = arguments["purpose"]
        if self.entries[REVOCATION].status and arguments["unless_revoked"]:
            raise StorageError("revoked", code="CONFLICT")
        old = self.entries[purpose].status
        self.entries[purpose] = replace(self.entries[purpose], status=arguments["new_status"])
        record = StatusChange(
            credential_id=arguments["credential_id"],
            purpose=purpose,
            old_status=old,
            new_status=arguments["new_status"],
            reason=arguments["reason"],
            actor=arguments["actor"],
            changed_at=arguments["now"],
            reason_code=arguments.get("reason_code"),
        )
        self.changes.append(record)
        self.audited.append(arguments["audit"])
        return record

    def history(self, credential_id: str) -> list[StatusChange]:
        return [change for change in self.changes if change.credential_id == credential_id]


@pytest.fixture
def store() -> SimpleNamespace:
    return SimpleNamespace(credentials=MemoryCredentials(), statuses=MemoryStatuses())


@pytest.fixture
def service(store: SimpleNamespace) -> StatusService:
    return StatusService(
        store=cast(Store, store),
        authorities=cast(Any, None),  # apply needs neither keys nor signing
        core=cast(Any, None),
        public_url="http://localhost:8082",
        clock=FixedClock(NOW),
        freshness=Freshness(itertools.count().__next__),  # in memory: never kept
    )


def _apply(
    service: StatusService,
    updates: dict[StatusPurpose, int],
    reason_code: StatusReason | None = None,
    reason: str = "nota",
) -> list[StatusChange]:
    return service.apply(
        SAT,
        credential_id=CREDENTIAL,
        updates=updates,
        reason=reason,
        actor="cbp-client",
        reason_code=reason_code,
    )


def test_a_coded_reason_is_recorded_with_each_change_and_audited(
    service: StatusService, store: SimpleNamespace
) -> None:
    changes = _apply(
        service, {SUSPENSION: 1, MESSAGE: 2}, StatusReason.SECURITY_INCIDENT, "CBP case 2026-114"
    )
    assert [(c.purpose, c.new_status, c.reason, c.reason_code) for c in changes] == [
        (SUSPENSION, 1, "CBP case 2026-114", StatusReason.SECURITY_INCIDENT),
        (MESSAGE, 2, "CBP case 2026-114", StatusReason.SECURITY_INCIDENT),
    ]
    assert service.history(CREDENTIAL) == changes
    assert [event.details for event in store.statuses.audited] == [
        {
            "purpose": purpose,
            "status": status,
            "reason": "CBP case 2026-114",
            "reasonCode": "StatusReasonSecurityIncident",
        }
        for purpose, status in (("suspension", "0x1"), ("message", "0x2"))
    ]
    assert store.credentials.records[CREDENTIAL].status == "suspended"


def test_without_a_coded_reason_nothing_changes(
    service: StatusService, store: SimpleNamespace
) -> None:
    (change,) = _apply(service, {SUSPENSION: 1})
    assert change.reason_code is None
    (event,) = store.statuses.audited
    assert event.details == {"purpose": "suspension", "status": "0x1", "reason": "nota"}


def test_reinstated_lifts_a_suspension_and_a_message(
    service: StatusService, store: SimpleNamespace
) -> None:
    _apply(service, {SUSPENSION: 1, MESSAGE: 1}, StatusReason.UNDER_REVIEW)
    lifted = _apply(service, {SUSPENSION: 0, MESSAGE: 0}, StatusReason.REINSTATED)
    assert {(c.purpose, c.old_status, c.new_status, c.reason_code) for c in lifted} == {
        (SUSPENSION, 1, 0, StatusReason.REINSTATED),
        (MESSAGE, 1, 0, StatusReason.REINSTATED),
    }
    assert store.credentials.records[CREDENTIAL].status == "active"


@pytest.mark.parametrize(
    "updates",
    [
        {REVOCATION: 1},
        {REVOCATION: 0},
        {SUSPENSION: 1},
        {MESSAGE: 3},
        {SUSPENSION: 0, MESSAGE: 1},
        {SUSPENSION: 0, REVOCATION: 0},
    ],
)
def test_reinstated_is_refused_unless_every_update_lifts_a_suspension_or_message(
    service: StatusService, store: SimpleNamespace, updates: dict[StatusPurpose, int]
) -> None:
    with pytest.raises(VcError) as excinfo:
        _apply(service, updates, StatusReason.REINSTATED)
    assert (excinfo.value.code, excinfo.value.field) == ("MALFORMED_VALUE_ERROR", "reasonCode")
    assert store.statuses.changes == [] and store.statuses.audited == []


@pytest.mark.parametrize(
    "reason_code", [r for r in StatusReason if r is not StatusReason.REINSTATED]
)
def test_every_other_reason_may_revoke(service: StatusService, reason_code: StatusReason) -> None:
    (change,) = _apply(service, {REVOCATION: 1}, reason_code)
    assert change.reason_code is reason_code
