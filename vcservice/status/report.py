"""The outcome of checking a credential's status entries, for the verifier and the API/UI."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vcservice.errors import Problem
from vcservice.model.checks import Notice
from vcservice.model.datetimes import format_datetime
from vcservice.model.records import StatusPurpose
from vcservice.status.list_credential import REFRESH, SPANISH_MESSAGES

__all__ = ["EntryResult", "ListFreshness", "StatusReport", "duration_text"]

# Wording for a one-word status: (value 0, any other value).
_MEANINGS = {
    StatusPurpose.REVOCATION.value: ("not revoked", "REVOKED"),
    StatusPurpose.SUSPENSION.value: ("not suspended", "SUSPENDED"),
    REFRESH: ("no update announced", "an updated credential is available"),
}
_UNITS = (("d", 86_400), ("h", 3_600), ("min", 60), ("s", 1))


def duration_text(seconds: float) -> str:
    """A duration for people, in its two largest units: ``45 s``, ``3 h 12 min``, ``2 d``."""
    total = max(0, round(seconds))
    for (name, size), (minor_name, minor_size) in itertools.pairwise(_UNITS):
        if total >= size:
            major, minor = total // size, total % size // minor_size
            return f"{major} {name} {minor} {minor_name}" if minor else f"{major} {name}"
    return f"{total} s"


@dataclass(frozen=True, slots=True)
class ListFreshness:
    """How current the status list used was: when it was obtained and until when it holds.

    ``origin`` says where a list fetched earlier came from (``the bundle``); None when it
    was fetched for this check or read from the service's own lists.
    """

    url: str
    fetched_at: datetime
    age_seconds: float
    valid_until: datetime | None
    refresh_after: datetime
    origin: str | None = None

    def describe(self) -> str:
        """E.g. ``list https://… fetched 2026-11-28T12:00:00Z (age 3 s), valid until …``.

        A list fetched earlier also says where it was kept: ``list https://… from the
        bundle, fetched … (age 3 h 12 min), …``.
        """
        until = format_datetime(self.valid_until) if self.valid_until else "no end date"
        origin = f" from {self.origin}," if self.origin else ""
        return (
            f"list {self.url}{origin} fetched {format_datetime(self.fetched_at)} "
            f"(age {duration_text(self.age_seconds)}), valid until {until}"
        )

    def to_json(self) -> dict[str, Any]:
        """JSON form for the API."""
        return {
            "url": self.url,
            "fetchedAt": format_datetime(self.fetched_at),
            "ageSeconds": round(self.age_seconds, 3),
            "validUntil": format_datetime(self.valid_until) if self.valid_until else None,
            "refreshAfter": format_datetime(self.refresh_after),
        }


@dataclass(frozen=True, slots=True)
class EntryResult:
    """One ``credentialStatus`` entry: what it says, or why it could not be read.

    ``status`` is the value read from the list; ``valid`` is the spec's ``valid`` (the value
    is 0). ``message`` is the entry's message for that value (the published English text,
    or the spec's ``set``/``unset``); ``message_es`` its Spanish display text when known.
    """

    field: str
    purpose: str | None = None
    index: str | None = None
    status_size: int = 1
    status: int | None = None
    message: str | None = None
    status_list: ListFreshness | None = None
    problems: tuple[Problem, ...] = ()

    @property
    def checked(self) -> bool:
        """Whether the value was read (the list was fetched, verified and decoded)."""
        return self.status is not None

    @property
    def valid(self) -> bool | None:
        """The spec's ``valid``: True for value 0, False otherwise, None if not read."""
        return None if self.status is None else self.status == 0

    @property
    def message_es(self) -> str | None:
        """Spanish display text for ``message``, for the messages this service publishes."""
        return SPANISH_MESSAGES.get(self.message) if self.message else None

    @property
    def status_hex(self) -> str | None:
        """The value as the spec writes it (``0x1``)."""
        return None if self.status is None else f"0x{self.status:x}"

    def describe(self) -> str:
        """One clause of the check detail, e.g. ``revocation: not revoked (index 7, 0x0)``."""
        name = self.purpose or self.field
        if self.status is None:
            codes = ", ".join(dict.fromkeys(problem.code for problem in self.problems))
            return f"{name}: not checked ({codes})"
        where = f"(index {self.index}, {self.status_hex})"
        meaning = _MEANINGS.get(self.purpose or "")
        if meaning is not None:
            return f"{name}: {meaning[0] if self.status == 0 else meaning[1]} {where}"
        return f"{name}: {self.message} {where}"

    def to_json(self) -> dict[str, Any]:
        """JSON form for the API (camelCase, as the rest of the verification reply)."""
        return {
            "field": self.field,
            "statusPurpose": self.purpose,
            "statusListIndex": self.index,
            "statusSize": self.status_size,
            "status": self.status_hex,
            "valid": self.valid,
            "message": self.message,
            "messageEs": self.message_es,
            "statusListCredential": self.status_list.to_json() if self.status_list else None,
            "codes": [problem.code for problem in self.problems],
        }


@dataclass(frozen=True, slots=True)
class StatusReport:
    """Every entry's result, checked at ``checked_at``; it passes when no entry has problems."""

    checked_at: datetime
    entries: tuple[EntryResult, ...]

    @property
    def problems(self) -> list[Problem]:
        """Every entry's problems, in entry order."""
        return [problem for entry in self.entries for problem in entry.problems]

    @property
    def passed(self) -> bool:
        """True when every entry was read and none is revoked, suspended or unreadable."""
        return not self.problems

    @property
    def notices(self) -> tuple[Notice, ...]:
        """The customs messages set for the credential (a ``message`` entry not at 0x0)."""
        return tuple(
            Notice("STATUS_MESSAGE", entry.message, entry.message_es, entry.status_hex)
            for entry in self.entries
            if entry.purpose == StatusPurpose.MESSAGE.value and entry.status and entry.message
        )

    @property
    def lists(self) -> list[ListFreshness]:
        """The status lists used, once each, in the order first used."""
        seen: dict[str, ListFreshness] = {}
        for entry in self.entries:
            if entry.status_list is not None:
                seen.setdefault(entry.status_list.url, entry.status_list)
        return list(seen.values())

    @property
    def detail(self) -> str:
        """The ``status`` check's detail: each entry's outcome, then each list's freshness."""
        if not self.entries:
            return "the credential has no status entries"
        parts = [entry.describe() for entry in self.entries]
        parts.extend(freshness.describe() for freshness in self.lists)
        return "; ".join(parts)

    def to_json(self) -> dict[str, Any]:
        """JSON form for the API/UI."""
        return {
            "checkedAt": format_datetime(self.checked_at),
            "passed": self.passed,
            "entries": [entry.to_json() for entry in self.entries],
        }
