"""The audit trail for the use cases: events to record, and the log to read and check.

The services build an event for each change (``audit_event``) and hand it to the
repository write that makes the change, which appends it in the same transaction.
Who acted comes from the caller when the service is told (a status change names its
client), else from the request being served (``vcservice.audit.context``), else it is
``system``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vcservice.audit.chain import verify_log
from vcservice.audit.context import SYSTEM, current_request
from vcservice.clock import Clock
from vcservice.errors import Problem
from vcservice.messages import problem_details
from vcservice.model.records import AuditAction, AuditEntry, AuditEvent, AuditHead
from vcservice.storage.repository import AuditRepository


def audit_event(
    clock: Clock,
    action: AuditAction,
    *,
    subject: str,
    authority: str | None,
    details: Mapping[str, Any] | None = None,
    actor: str | None = None,
) -> AuditEvent:
    """What to append for ``action`` on ``subject`` now, by ``actor`` or the current caller."""
    request = current_request()
    return AuditEvent(
        recorded_at=clock.now(),
        actor=actor or (request.actor if request and request.actor else SYSTEM),
        authority=authority,
        action=action.value,
        subject=subject,
        details=dict(details or {}),
        request_id=request.request_id if request else None,
    )


@dataclass(frozen=True, slots=True)
class AuditReport:
    """The outcome of checking the whole log: how much was read, its head, what is wrong."""

    entries_checked: int
    head: AuditHead | None
    problems: tuple[Problem, ...]

    @property
    def intact(self) -> bool:
        """Whether nothing was found wrong."""
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        """The report as JSON: ``intact``, counts, the head and the first problem in full."""
        first = problem_details(self.problems[:1])
        return {
            "intact": self.intact,
            "entriesChecked": self.entries_checked,
            "head": (
                {"sequence": self.head.sequence, "hash": self.head.hash} if self.head else None
            ),
            "problemCount": len(self.problems),
            "firstProblem": first[0] if first else None,
        }


class AuditTrail:
    """Reads the audit log and checks its chain and head."""

    def __init__(self, log: AuditRepository) -> None:
        self._log = log

    def entries(self, *, after: int = 0, limit: int = 100) -> list[AuditEntry]:
        """Up to ``limit`` entries after sequence ``after``, oldest first."""
        return self._log.entries(after=after, limit=limit)

    def latest(self, limit: int) -> list[AuditEntry]:
        """The newest ``limit`` entries, oldest first."""
        return self._log.latest(limit)

    def head(self) -> AuditHead | None:
        """The newest sequence and hash as recorded."""
        return self._log.head()

    def verify(self) -> AuditReport:
        """Check every entry and the head, read in one snapshot (the whole log in memory)."""
        head, entries = self._log.snapshot()
        return AuditReport(len(entries), head, tuple(verify_log(entries, head)))
