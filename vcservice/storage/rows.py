"""Records to table rows and back: sets become sorted JSON lists, enums their values.

Each record's fields are its table's columns, by the same names; only the fields that
need converting name a converter, every other value passes through unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, fields
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import RowMapping

from vcservice.model.records import (
    AuditEntry,
    AuditHead,
    Authority,
    Challenge,
    Client,
    Exchange,
    ExchangeState,
    HeldCredential,
    Holder,
    IssuedCredential,
    KeyStatus,
    PublishedEntry,
    PublishedList,
    RecognitionPolicy,
    Scope,
    StatusChange,
    StatusEntry,
    StatusList,
    StatusPurpose,
    StatusReason,
    StoredKey,
    TrustEntry,
    TrustListSnapshot,
    TrustListSubscription,
    Workflow,
)

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Row = dict[str, Any]
Convert = Callable[[Any], Any]
_Record = TypeVar("_Record", bound="DataclassInstance")


def _to_row(record: DataclassInstance, **encode: Convert) -> Row:
    """Every field of ``record`` under its name, through ``encode[name]`` where given."""
    row: Row = {}
    for column in fields(record):
        value = getattr(record, column.name)
        row[column.name] = encode[column.name](value) if column.name in encode else value
    return row


def _from_row(record: type[_Record], row: Mapping[Any, Any], **decode: Convert) -> _Record:
    """The ``record`` built from the row's columns, through ``decode[name]`` where given."""
    values: Row = {}
    for column in fields(record):
        value = row[column.name]
        values[column.name] = decode[column.name](value) if column.name in decode else value
    return record(**values)


def _enum_value(member: KeyStatus | StatusPurpose | ExchangeState) -> str:
    return member.value


def _scope_values(scopes: Iterable[Scope]) -> list[str]:
    return sorted(scope.value for scope in scopes)


def _scopes(values: Iterable[str]) -> frozenset[Scope]:
    return frozenset(Scope(value) for value in values)


def authority_row(authority: Authority) -> Row:
    """The ``authorities`` row of ``authority``."""
    return _to_row(authority, credential_types=sorted)


def to_authority(row: RowMapping) -> Authority:
    """The authority an ``authorities`` row holds."""
    return _from_row(Authority, row, credential_types=frozenset)


def key_row(key: StoredKey) -> Row:
    """The ``keys`` row of ``key``."""
    return _to_row(key, status=_enum_value)


def to_key(row: RowMapping) -> StoredKey:
    """The key a ``keys`` row holds."""
    return _from_row(StoredKey, row, encrypted_secret=bytes, status=KeyStatus)


def client_row(client: Client) -> Row:
    """The ``clients`` row of ``client``."""
    return _to_row(client, scopes=_scope_values)


def to_client(row: RowMapping) -> Client:
    """The client a ``clients`` row holds."""
    return _from_row(Client, row, scopes=_scopes)


def credential_row(credential: IssuedCredential) -> Row:
    """The ``credentials`` row of ``credential``."""
    return _to_row(credential, subject_identifiers=list)


def subject_rows(credential: IssuedCredential) -> list[Row]:
    """The ``credential_subjects`` rows: one per distinct subject id or identifier."""
    candidates = (credential.subject_id, *credential.subject_identifiers)
    values = {value for value in candidates if value is not None}
    return [{"identifier": value, "credential_id": credential.id} for value in sorted(values)]


def to_credential(row: RowMapping) -> IssuedCredential:
    """The credential a ``credentials`` row holds."""
    return _from_row(IssuedCredential, row, subject_identifiers=tuple)


def to_status_list(row: RowMapping) -> StatusList:
    """The status list a ``status_lists`` row holds (other columns are ignored)."""
    return _from_row(StatusList, row, purpose=StatusPurpose, full=bool)


def status_entry_row(entry: StatusEntry) -> Row:
    """The ``status_entries`` row of ``entry``."""
    return _to_row(entry, purpose=_enum_value)


def to_status_entry(row: RowMapping) -> StatusEntry:
    """The entry a ``status_entries`` row holds."""
    return _from_row(StatusEntry, row, purpose=StatusPurpose)


def status_change_row(change: StatusChange) -> Row:
    """The ``status_changes`` row of ``change``."""
    return _to_row(change, purpose=_enum_value, reason_code=_optional_enum_value)


def to_status_change(row: RowMapping) -> StatusChange:
    """The change a ``status_changes`` row holds."""
    return _from_row(StatusChange, row, purpose=StatusPurpose, reason_code=_status_reason)


def _optional_enum_value(member: StatusReason | None) -> str | None:
    return None if member is None else member.value


def _status_reason(value: str | None) -> StatusReason | None:
    return None if value is None else StatusReason(value)


def challenge_row(challenge: Challenge) -> Row:
    """The ``challenges`` row of ``challenge``."""
    return _to_row(challenge)


def to_challenge(row: RowMapping) -> Challenge:
    """The challenge a ``challenges`` row holds."""
    return _from_row(Challenge, row)


def holder_row(holder: Holder) -> Row:
    """The ``holders`` row of ``holder``."""
    return _to_row(holder)


def to_holder(row: RowMapping) -> Holder:
    """The holder a ``holders`` row holds."""
    return _from_row(Holder, row, encrypted_secret=bytes)


def held_credential_row(credential: HeldCredential) -> Row:
    """The ``held_credentials`` row of ``credential``."""
    return _to_row(credential)


def to_held_credential(row: RowMapping) -> HeldCredential:
    """The held credential a ``held_credentials`` row holds."""
    return _from_row(HeldCredential, row)


def trust_entry_row(entry: TrustEntry) -> Row:
    """The ``accreditations`` row of ``entry``."""
    return _to_row(entry, credential_types=sorted)


def to_trust_entry(row: RowMapping) -> TrustEntry:
    """The trust entry an ``accreditations`` row holds."""
    return _from_row(TrustEntry, row, credential_types=frozenset)


def published_entry_row(entry: PublishedEntry) -> Row:
    """The ``trust_list_entries`` row of ``entry``."""
    return _to_row(entry, credential_types=sorted)


def to_published_entry(row: RowMapping) -> PublishedEntry:
    """The entry a ``trust_list_entries`` row holds."""
    return _from_row(PublishedEntry, row, credential_types=frozenset)


def published_list_row(version: PublishedList) -> Row:
    """The ``trust_list_versions`` row of ``version``."""
    return _to_row(version)


def to_published_list(row: RowMapping) -> PublishedList:
    """The version a ``trust_list_versions`` row holds."""
    return _from_row(PublishedList, row)


# The subscription's periods, kept as whole seconds in columns named for the unit.
_PERIODS = {
    "max_staleness": "max_staleness_seconds",
    "refresh_interval": "refresh_interval_seconds",
}


def subscription_row(subscription: TrustListSubscription) -> Row:
    """The ``trust_list_subscriptions`` row of ``subscription`` (ValueError for a period
    that is not a whole number of seconds)."""
    row = _to_row(subscription, credential_types=sorted)
    for field_name, column in _PERIODS.items():
        row[column] = _whole_seconds(row.pop(field_name))
    return row


def to_subscription(row: Mapping[Any, Any]) -> TrustListSubscription:
    """The subscription a ``trust_list_subscriptions`` row holds (other columns are ignored)."""
    values = dict(row)
    for field_name, column in _PERIODS.items():
        values[field_name] = timedelta(seconds=values[column])
    return _from_row(TrustListSubscription, values, credential_types=frozenset)


def _whole_seconds(period: timedelta) -> int:
    seconds = period.total_seconds()
    if seconds != int(seconds):
        raise ValueError("a subscription's periods are whole seconds")
    return int(seconds)


def snapshot_row(snapshot: TrustListSnapshot) -> Row:
    """The ``trust_list_snapshots`` row of ``snapshot``."""
    return _to_row(snapshot)


def to_snapshot(row: Mapping[Any, Any]) -> TrustListSnapshot:
    """The snapshot a ``trust_list_snapshots`` row holds."""
    return _from_row(TrustListSnapshot, row)


def workflow_row(workflow: Workflow) -> Row:
    """The ``workflows`` row of ``workflow``."""
    return _to_row(workflow, accepted_types=list, accepted_recognitions=_recognition_values)


def to_workflow(row: RowMapping) -> Workflow:
    """The workflow a ``workflows`` row holds."""
    return _from_row(
        Workflow, row, accepted_types=tuple, accepted_recognitions=_recognition_policies
    )


def _recognition_values(policies: Iterable[RecognitionPolicy]) -> list[dict[str, str | None]]:
    return [asdict(policy) for policy in policies]


def _recognition_policies(values: Iterable[dict[str, Any]]) -> tuple[RecognitionPolicy, ...]:
    return tuple(RecognitionPolicy(**value) for value in values)


def exchange_row(exchange: Exchange) -> Row:
    """The ``exchanges`` row of ``exchange``."""
    return _to_row(exchange, state=_enum_value)


def to_exchange(row: RowMapping) -> Exchange:
    """The exchange an ``exchanges`` row holds."""
    return _from_row(Exchange, row, state=ExchangeState)


def audit_entry_row(entry: AuditEntry) -> Row:
    """The ``audit_log`` row of ``entry``."""
    return _to_row(entry)


def to_audit_entry(row: RowMapping) -> AuditEntry:
    """The entry an ``audit_log`` row holds."""
    return _from_row(AuditEntry, row)


def to_audit_head(row: RowMapping) -> AuditHead:
    """The head an ``audit_head`` row holds (its ``id`` is ignored)."""
    return _from_row(AuditHead, row)
