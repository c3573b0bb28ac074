"""A check of a verification (proof, issuer, validity, status …) and how it ended."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from vcservice.errors import Problem
from vcservice.model.datetimes import format_datetime


class Outcome(StrEnum):
    """How a check ended."""

    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class Notice:
    """What a check found that does not fail it but a reader must see.

    A customs message set in a status list (``STATUS_MESSAGE``: the value, the published
    English ``message`` and, for the messages this service publishes, a Spanish one).
    """

    code: str
    message: str
    message_es: str | None = None
    value: str | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON form (camelCase, as the rest of the verification reply)."""
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.message_es is not None:
            body["messageEs"] = self.message_es
        if self.value is not None:
            body["value"] = self.value
        return body


@dataclass(frozen=True, slots=True)
class TrustBasis:
    """What made an issuer trusted for a type: a registry file, a local entry, or a trust list.

    ``source`` is ``file``, ``local`` (``entry_id``) or ``trustList`` (the list's ``list_url``,
    its ``operator`` DID and name, ``sequence``, ``issued`` moment, when this verifier last
    ``confirmed_at`` it and its ``next_update``); ``credential_types`` are the checked
    credential's types this source accredited.
    """

    source: str
    name: str
    credential_types: tuple[str, ...]
    entry_id: str | None = None
    list_url: str | None = None
    operator: str | None = None
    operator_name: str | None = None
    sequence: int | None = None
    issued: datetime | None = None
    confirmed_at: datetime | None = None
    next_update: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON form (camelCase; members without a value left out)."""
        members: dict[str, Any] = {
            "source": self.source,
            "name": self.name,
            "credentialTypes": list(self.credential_types),
            "entryId": self.entry_id,
            "url": self.list_url,
            "operator": self.operator,
            "operatorName": self.operator_name,
            "sequence": self.sequence,
        }
        moments = {
            "issued": self.issued,
            "confirmedAt": self.confirmed_at,
            "nextUpdate": self.next_update,
        }
        members.update({key: format_datetime(m) for key, m in moments.items() if m is not None})
        return {key: value for key, value in members.items() if value is not None}


@dataclass(frozen=True, slots=True)
class Check:
    """One named check (``proof``, ``issuer``, ``validityPeriod`` …) and its outcome."""

    name: str
    outcome: Outcome
    problems: tuple[Problem, ...] = ()
    detail: str | None = None
    notices: tuple[Notice, ...] = ()
    trusted_by: tuple[TrustBasis, ...] = ()

    @classmethod
    def of(
        cls,
        name: str,
        problems: list[Problem],
        *,
        detail: str | None = None,
        notices: tuple[Notice, ...] = (),
        trusted_by: tuple[TrustBasis, ...] = (),
    ) -> Check:
        """PASSED when ``problems`` is empty, FAILED otherwise."""
        outcome = Outcome.FAILED if problems else Outcome.PASSED
        return cls(name, outcome, tuple(problems), detail, notices, trusted_by)

    @classmethod
    def skipped(cls, name: str, detail: str) -> Check:
        """A check that was not run, and why."""
        return cls(name=name, outcome=Outcome.SKIPPED, detail=detail)

    def to_json(self) -> dict[str, Any]:
        """JSON form; problems are reported once, at the result level."""
        body: dict[str, Any] = {"check": self.name, "outcome": self.outcome.value}
        if self.detail:
            body["detail"] = self.detail
        if self.problems:
            body["codes"] = [problem.code for problem in self.problems]
        if self.notices:
            body["notices"] = [notice.to_json() for notice in self.notices]
        if self.trusted_by:
            body["trustedBy"] = [basis.to_json() for basis in self.trusted_by]
        return body
