"""The verifier side: check a credential's ``credentialStatus`` against its status lists.

For every ``BitstringStatusListEntry`` this follows the Validate Algorithm of Bitstring
Status List v1.0 (W3C Recommendation, §3.2):

1. obtain the list (STATUS_RETRIEVAL_ERROR when it cannot be had) and verify it: a VCDM 2.0
   ``BitstringStatusListCredential`` whose ``id`` (if any) is the entry's URL, every Data
   Integrity proof verifying for ``assertionMethod``, issued by the credential's own issuer
   and signed by that issuer, inside its validity period (a past ``validUntil`` is a stale
   list) — else STATUS_VERIFICATION_ERROR;
2. the entry's ``statusPurpose`` must be one the list records (STATUS_VERIFICATION_ERROR);
3. expand ``encodedList`` (MALFORMED_VALUE_ERROR, or STATUS_LIST_TOO_LARGE past the cap);
   fewer than 131,072 entries of ``statusSize`` bits is STATUS_LIST_LENGTH_ERROR, an index
   past the end RANGE_ERROR;
4. read the value: a set ``revocation`` is CREDENTIAL_REVOKED, a set ``suspension``
   CREDENTIAL_SUSPENDED; ``message`` and ``refresh`` values are reported, never failures.
   A set value of a purpose not named by the spec fails (STATUS_VERIFICATION_ERROR): its
   meaning is unknown here.

Requiring the list's issuer to be the credential's issuer is this service's policy; the spec
allows them to differ. Entries of other types fail with UNSUPPORTED_STATUS_TYPE.

Verifying a list's proof is most of a check's cost, and a crossing sees the same few lists
all day. Given a ``verified_lists`` cache, a list whose exact content (SHA-256 of its
canonical JSON) already verified for the same issuer is not verified again while the entry
lives; its shape and validity period are still checked every time.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vcservice.clock import CLOCK_SKEW, Clock
from vcservice.errors import Problem, StatusError
from vcservice.model import credential as vcdm
from vcservice.model.checks import Check
from vcservice.model.datetimes import format_datetime, parse_datetime
from vcservice.model.records import StatusPurpose
from vcservice.model.values import as_list, exact_json_digest
from vcservice.net import TtlCache
from vcservice.proofs.data_integrity import DataIntegrity
from vcservice.proofs.purposes import ProofPurpose
from vcservice.status.bitstring import MAX_DECODED_BYTES, MINIMUM_ENTRIES, Bitstring, decode_list
from vcservice.status.entry import ParsedEntry, is_bitstring_entry, parse_entry
from vcservice.status.list_credential import LIST_CREDENTIAL_TYPE, LIST_TYPE, REFRESH
from vcservice.status.report import EntryResult, ListFreshness, StatusReport
from vcservice.status.sources import FetchedList, StatusListSource

__all__ = ["CHECK_NAME", "BitstringStatusChecker", "ExpandedList"]

CHECK_NAME = "status"
MAX_STATUS_ENTRIES = 4
"""Entries read per credential: one per purpose (revocation, suspension, message, refresh)."""

# Purposes whose value is information, not a reason to refuse the credential.
_INFORMATIONAL = frozenset({StatusPurpose.MESSAGE.value, REFRESH})


@dataclass(frozen=True, slots=True)
class ExpandedList:
    """A list whose proof verified: the purposes it records, its expanded bits, and the
    validity period it states (checked against the time of each use)."""

    purposes: tuple[str, ...]
    bits: bytes
    valid_from: datetime | None = None
    valid_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class _VerifiedList:
    """A status list that verified: the purposes it records and its expanded bits."""

    purposes: tuple[str, ...]
    bits: bytes
    freshness: ListFreshness


class BitstringStatusChecker:
    """The ``StatusChecker`` of the verifier, for Bitstring Status List entries.

    :meth:`check` gives the verifier's check; :meth:`report` the structured result.
    ``minimum_entries`` is the spec's 131,072 unless an ecosystem specification sets
    another lower bound.
    """

    def __init__(
        self,
        *,
        source: StatusListSource,
        data_integrity: DataIntegrity,
        clock: Clock,
        minimum_entries: int = MINIMUM_ENTRIES,
        max_decoded_bytes: int = MAX_DECODED_BYTES,
        verified_lists: TtlCache[str, ExpandedList] | None = None,
    ) -> None:
        self._source = source
        self._verified = verified_lists
        self._data_integrity = data_integrity
        self._clock = clock
        self._minimum_entries = minimum_entries
        self._max_decoded_bytes = max_decoded_bytes

    def check(self, credential: Mapping[str, Any]) -> Check:
        """The ``status`` check: failed on any problem; the detail states every outcome."""
        report = self.report(credential)
        return Check.of(CHECK_NAME, report.problems, detail=report.detail, notices=report.notices)

    def report(self, credential: Mapping[str, Any]) -> StatusReport:
        """Check every ``credentialStatus`` entry; each list is fetched and verified once.

        A credential names at most one entry per ``statusPurpose`` (and so at most
        MAX_STATUS_ENTRIES); one that names more is refused before any list is fetched.
        """
        now = self._clock.now()
        raw = credential.get("credentialStatus")
        entries = as_list(raw)
        too_many = _too_many_entries(entries)
        if too_many is not None:
            return StatusReport(
                checked_at=now,
                entries=(EntryResult(field="credentialStatus", problems=(too_many,)),),
            )
        issuer = vcdm.issuer_id(credential)
        read = [
            _read_entry(entry, f"credentialStatus[{position}]" if isinstance(raw, list) else None)
            for position, entry in enumerate(entries)
        ]
        urls = list(dict.fromkeys(item.list_url for item in read if isinstance(item, ParsedEntry)))
        fetched = self._source.fetch_all(urls) if urls else {}
        lists: dict[str, _VerifiedList | tuple[Problem, ...]] = {}
        results = [
            item
            if isinstance(item, EntryResult)
            else self._entry(item, issuer, fetched, lists, now)
            for item in read
        ]
        return StatusReport(checked_at=now, entries=tuple(results))

    def _entry(
        self,
        parsed: ParsedEntry,
        issuer: str | None,
        fetched: Mapping[str, FetchedList | StatusError],
        lists: dict[str, _VerifiedList | tuple[Problem, ...]],
        now: datetime,
    ) -> EntryResult:
        """One well-formed entry's result; ``lists`` keeps the lists loaded so far."""
        field = parsed.field
        result = EntryResult(
            field=field,
            purpose=parsed.purpose,
            index=parsed.index_text,
            status_size=parsed.status_size,
        )
        loaded = lists.get(parsed.list_url)
        if loaded is None:
            found = fetched[parsed.list_url]
            loaded = lists[parsed.list_url] = self._load(parsed.list_url, found, issuer, now)
        if isinstance(loaded, tuple):
            where = f"{field}.statusListCredential"
            problems = tuple(dataclasses.replace(problem, field=where) for problem in loaded)
            return dataclasses.replace(result, problems=problems)
        try:
            value = self._read(parsed, loaded)
        except StatusError as error:
            return dataclasses.replace(
                result, status_list=loaded.freshness, problems=(error.to_problem(),)
            )
        return dataclasses.replace(
            result,
            status_list=loaded.freshness,
            status=value,
            message=parsed.message_for(value),
            problems=_value_problems(parsed, value),
        )

    def _load(
        self, url: str, fetched: FetchedList | StatusError, issuer: str | None, now: datetime
    ) -> _VerifiedList | tuple[Problem, ...]:
        """Verify and expand the list fetched from ``url``, or say why it cannot be used.

        A list verified before for this issuer and URL, of exactly this content, is kept
        (``verified_lists``): only its validity period is checked again, against ``now``.
        """
        if isinstance(fetched, StatusError):
            return (fetched.to_problem(),)
        document = fetched.document
        digest = fetched.digest or exact_json_digest(document)
        key = f"{issuer}\n{url}\n{digest.hex()}"
        expanded = self._verified.get(key) if self._verified is not None else None
        if expanded is None:
            problems = _list_problems(document, url, now)
            if problems:
                return (*problems, *self._proof_problems(document, url, issuer, now))
            checked = self._verify_and_expand(document, url, issuer, now)
            if isinstance(checked, tuple):
                return checked
            expanded = checked
            if self._verified is not None:
                self._verified.put(key, expanded)
        else:
            stale = _validity_problems(expanded.valid_from, expanded.valid_until, url, now)
            if stale:
                return tuple(stale)
        return _VerifiedList(
            purposes=expanded.purposes,
            bits=expanded.bits,
            freshness=_freshness(url, fetched, expanded.valid_until, now),
        )

    def _verify_and_expand(
        self, document: Mapping[str, Any], url: str, issuer: str | None, now: datetime
    ) -> ExpandedList | tuple[Problem, ...]:
        """The list's proof checked and its bits expanded, or why it cannot be used."""
        problems = self._proof_problems(document, url, issuer, now)
        if problems:
            return tuple(problems)
        subject = vcdm.subjects_of(document)[0]
        try:
            bits = decode_list(subject["encodedList"], max_bytes=self._max_decoded_bytes)
        except StatusError as error:
            return (Problem(error.code, f"status list {url}: {error.message}"),)
        return ExpandedList(
            purposes=tuple(as_list(subject["statusPurpose"])),
            bits=bits,
            valid_from=_moment(document, "validFrom"),
            valid_until=_moment(document, "validUntil"),
        )

    def _proof_problems(
        self, document: Mapping[str, Any], url: str, issuer: str | None, now: datetime
    ) -> list[Problem]:
        """Every proof verifies, and the list's issuer is the credential's and signed it."""
        results = self._data_integrity.verify(document, purpose=ProofPurpose(), now=now)
        if not results:
            return [_unverified(url, "it carries no proof")]
        failed = [problem for result in results for problem in result.problems]
        if failed:
            reasons = "; ".join(f"{problem.code}: {problem.detail}" for problem in failed)
            return [_unverified(url, f"its proof does not verify ({reasons})")]
        list_issuer = vcdm.issuer_id(document)
        signers = [result.controller for result in results if result.controller]
        if issuer is None:
            return [_unverified(url, "the credential names no issuer to compare it with")]
        if list_issuer != issuer:
            return [
                _unverified(
                    url, f"it is issued by {list_issuer}, not by the credential's issuer {issuer}"
                )
            ]
        if list_issuer not in signers:
            return [
                _unverified(
                    url, f"it names {list_issuer} as issuer but was signed by {', '.join(signers)}"
                )
            ]
        return []

    def _read(self, entry: ParsedEntry, loaded: _VerifiedList) -> int:
        """The entry's value in a verified list (Validate Algorithm steps 5 and 9–10)."""
        if entry.purpose not in loaded.purposes:
            recorded = ", ".join(repr(purpose) for purpose in loaded.purposes)
            raise StatusError(
                f"the status list records {recorded}, not {entry.purpose!r}",
                code="STATUS_VERIFICATION_ERROR",
                field=f"{entry.field}.statusPurpose",
            )
        entries = len(loaded.bits) * 8 // entry.status_size
        if entries < self._minimum_entries:
            raise StatusError(
                f"the status list holds {entries} entries of {entry.status_size} bit(s); "
                f"at least {self._minimum_entries} are required for herd privacy",
                code="STATUS_LIST_LENGTH_ERROR",
                field=f"{entry.field}.statusListCredential",
            )
        if entry.index is None or entry.index >= entries:
            raise StatusError(
                f"statusListIndex {entry.index_text} is outside the list (0…{entries - 1})",
                code="RANGE_ERROR",
                field=f"{entry.field}.statusListIndex",
            )
        return Bitstring.from_bytes(loaded.bits, status_size=entry.status_size).get(entry.index)


def _too_many_entries(entries: list[Any]) -> Problem | None:
    """Why a credential's entries are more than it may name (None when they are not)."""
    purposes = Counter(
        str(entry.get("statusPurpose")) for entry in entries if isinstance(entry, Mapping)
    )
    repeated = sorted(purpose for purpose, count in purposes.items() if count > 1)
    if len(entries) <= MAX_STATUS_ENTRIES and not repeated:
        return None
    why = (
        f"statusPurpose {', '.join(repeated)} is named more than once"
        if repeated
        else f"{len(entries)} entries; at most {MAX_STATUS_ENTRIES} are read"
    )
    return Problem(
        "STATUS_VERIFICATION_ERROR",
        f"a credential names at most one status entry per purpose: {why}",
        "credentialStatus",
    )


def _list_problems(document: Mapping[str, Any], url: str, now: datetime) -> list[Problem]:
    """Why ``document`` is not a usable BitstringStatusListCredential for ``url`` at ``now``."""
    problems = [
        Problem(problem.code, f"status list {url}: {problem.detail} (at {problem.field})")
        for problem in vcdm.credential_problems(document)
    ]
    if problems:
        return problems
    if vcdm.base_context(document) != vcdm.CREDENTIALS_V2:
        problems.append(_unverified(url, "a status list must be a VC Data Model 2.0 credential"))
    if LIST_CREDENTIAL_TYPE not in vcdm.types_of(document):
        problems.append(_unverified(url, f"its type does not include {LIST_CREDENTIAL_TYPE}"))
    list_id = document.get("id")
    if list_id is not None and list_id != url:
        problems.append(_unverified(url, f"it identifies itself as {list_id}"))
    valid_from, valid_until = _moment(document, "validFrom"), _moment(document, "validUntil")
    problems.extend(_validity_problems(valid_from, valid_until, url, now))
    problems.extend(_subject_problems(document, url))
    return problems


def _moment(document: Mapping[str, Any], member: str) -> datetime | None:
    value = document.get(member)
    return None if value is None else parse_datetime(value, field=member)


def _validity_problems(
    valid_from: datetime | None, valid_until: datetime | None, url: str, now: datetime
) -> list[Problem]:
    if valid_from is not None and valid_from > now + CLOCK_SKEW:
        return [_unverified(url, f"the list is not valid before {format_datetime(valid_from)}")]
    if valid_until is not None and valid_until < now:
        return [_unverified(url, f"stale list: it was valid until {format_datetime(valid_until)}")]
    return []


def _subject_problems(document: Mapping[str, Any], url: str) -> list[Problem]:
    subjects = vcdm.subjects_of(document)
    if len(subjects) != 1 or LIST_TYPE not in vcdm.types_of(subjects[0]):
        return [_unverified(url, f"its credentialSubject must be one {LIST_TYPE}")]
    subject = subjects[0]
    problems = []
    purposes = as_list(subject.get("statusPurpose"))
    if not purposes or not all(isinstance(p, str) and p for p in purposes):
        problems.append(_malformed(url, "credentialSubject.statusPurpose must be strings"))
    if not isinstance(subject.get("encodedList"), str):
        problems.append(_malformed(url, "credentialSubject.encodedList must be a string"))
    ttl = subject.get("ttl")
    if ttl is not None and (isinstance(ttl, bool) or not isinstance(ttl, int) or ttl < 0):
        problems.append(_malformed(url, "credentialSubject.ttl must be milliseconds (an integer)"))
    return problems


def _value_problems(entry: ParsedEntry, value: int) -> tuple[Problem, ...]:
    """What a value means for the credential (Validate Algorithm steps 12–14)."""
    if value == 0 or entry.purpose in _INFORMATIONAL:
        return ()
    where = f"statusListIndex {entry.index_text} in {entry.list_url}"
    if entry.purpose == StatusPurpose.REVOCATION:
        return (Problem("CREDENTIAL_REVOKED", f"the credential is revoked ({where})", entry.field),)
    if entry.purpose == StatusPurpose.SUSPENSION:
        return (
            Problem("CREDENTIAL_SUSPENDED", f"the credential is suspended ({where})", entry.field),
        )
    return (
        Problem(
            "STATUS_VERIFICATION_ERROR",
            f"status purpose {entry.purpose!r} has value 0x{value:x} ({where}) and its meaning "
            "is not known here",
            entry.field,
        ),
    )


def _freshness(
    url: str, fetched: FetchedList, valid_until: datetime | None, now: datetime
) -> ListFreshness:
    return ListFreshness(
        url=url,
        fetched_at=fetched.fetched_at,
        age_seconds=max(0.0, (now - fetched.fetched_at).total_seconds()),
        valid_until=valid_until,
        refresh_after=fetched.expires_at,
        origin=fetched.origin,
    )


def _read_entry(entry: Any, position: str | None) -> ParsedEntry | EntryResult:
    """The entry read (a ``BitstringStatusListEntry``), or its result when it cannot be;
    ``position`` names it in a list of entries (None: the only one)."""
    field = position or "credentialStatus"
    if not is_bitstring_entry(entry):
        return EntryResult(field=field, problems=(_unsupported(entry, field),))
    try:
        return parse_entry(entry, field=field)
    except StatusError as error:
        purpose = entry.get("statusPurpose")
        return EntryResult(
            field=field,
            purpose=purpose if isinstance(purpose, str) else None,
            problems=(error.to_problem(),),
        )


def _unsupported(entry: Any, field: str) -> Problem:
    types = vcdm.types_of(entry) if isinstance(entry, Mapping) else []
    described = ", ".join(types) if types else f"no type ({type(entry).__name__})"
    return Problem(
        "UNSUPPORTED_STATUS_TYPE",
        f"unsupported status type {described}: only BitstringStatusListEntry is checked",
        f"{field}.type",
    )


def _unverified(url: str, why: str) -> Problem:
    return Problem("STATUS_VERIFICATION_ERROR", f"status list {url}: {why}")


def _malformed(url: str, why: str) -> Problem:
    return Problem("MALFORMED_VALUE_ERROR", f"status list {url}: {why}")
