"""Audit events name the caller and the request; reports say what is wrong, first."""

from __future__ import annotations

from dataclasses import replace

from tests.audit_events import T0, chain
from vcservice.audit.context import RequestContext, current_request, request_scope
from vcservice.clock import FixedClock
from vcservice.model.records import AuditAction, AuditEntry, AuditHead
from vcservice.services.audit import AuditTrail, audit_event

CLOCK = FixedClock(T0)


def _event(actor: str | None = None) -> tuple[str, str | None]:
    made = audit_event(
        CLOCK, AuditAction.CLIENT_CREATED, subject="sat-1", authority="sat", actor=actor
    )
    assert (made.recorded_at, made.action, made.subject) == (T0, "client.created", "sat-1")
    return made.actor, made.request_id


def test_outside_a_request_the_actor_is_system_without_a_request_id() -> None:
    assert current_request() is None
    assert _event() == ("system", None)


def test_inside_a_request_its_caller_and_id_are_recorded() -> None:
    with request_scope(RequestContext("req-1", "admin")):
        assert _event() == ("admin", "req-1")
        assert _event(actor="sat-client") == ("sat-client", "req-1")
    assert current_request() is None


def test_an_unauthenticated_request_is_recorded_as_system() -> None:
    with request_scope(RequestContext("req-2")):
        assert _event() == ("system", "req-2")


class _Log:
    """Just what ``AuditTrail.verify`` reads."""

    def __init__(self, head: AuditHead | None, entries: list[AuditEntry]) -> None:
        self._snapshot = head, entries

    def snapshot(self) -> tuple[AuditHead | None, list[AuditEntry]]:
        return self._snapshot


def test_a_report_of_an_intact_log() -> None:
    entries = chain(3)
    trail = AuditTrail(_Log(AuditHead(3, entries[-1].hash), entries))  # type: ignore[arg-type]
    report = trail.verify()
    assert report.intact
    assert report.to_json() == {
        "intact": True,
        "entriesChecked": 3,
        "head": {"sequence": 3, "hash": entries[-1].hash},
        "problemCount": 0,
        "firstProblem": None,
    }


def test_a_report_names_the_first_problem_in_both_languages() -> None:
    entries = chain(3)
    head = AuditHead(3, entries[-1].hash)
    entries[1] = replace(entries[1], subject="forged")
    del entries[2]
    report = AuditTrail(_Log(head, entries)).verify()  # type: ignore[arg-type]
    summary = report.to_json()
    assert not report.intact and summary["problemCount"] == 2
    first = summary["firstProblem"]
    assert (first["code"], first["field"]) == ("AUDIT_ENTRY_ALTERED", "entry 2")
    assert first["i18n"]["es"]["title"] != first["i18n"]["en"]["title"]
