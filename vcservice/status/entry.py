"""Reading a ``credentialStatus`` entry: a ``BitstringStatusListEntry`` checked against the spec."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vcservice.errors import StatusError
from vcservice.model.values import as_list
from vcservice.status.bitstring import MAX_STATUS_SIZE
from vcservice.status.list_credential import ENTRY_TYPE

__all__ = ["ParsedEntry", "default_message", "is_bitstring_entry", "parse_entry"]

_INDEX = re.compile(r"[0-9]+")
# Longer indexes are valid syntax ("arbitrary size integer") but outside any list we accept.
_MAX_INDEX_DIGITS = 20
_HEX_STATUS = re.compile(r"0x[0-9a-fA-F]+")


@dataclass(frozen=True, slots=True)
class ParsedEntry:
    """A well-formed entry. ``index`` is None when it is too long to lie in any list."""

    field: str
    purpose: str
    index: int | None
    index_text: str
    list_url: str
    status_size: int
    messages: Mapping[int, str] | None

    def message_for(self, value: int) -> str:
        """The entry's message for ``value`` (the spec's "set"/"unset" without statusMessage)."""
        if self.messages is not None and value in self.messages:
            return self.messages[value]
        return default_message(value)


def default_message(value: int) -> str:
    """The spec's messages when ``statusMessage`` is absent: ``unset`` for 0, else ``set``."""
    return "unset" if value == 0 else "set"


def is_bitstring_entry(entry: Any) -> bool:
    """Whether ``entry`` declares the ``BitstringStatusListEntry`` type."""
    return isinstance(entry, Mapping) and ENTRY_TYPE in as_list(entry.get("type"))


def parse_entry(entry: Mapping[str, Any], *, field: str) -> ParsedEntry:
    """Check ``entry`` (already known to be a BitstringStatusListEntry) member by member.

    Raises StatusError MALFORMED_VALUE_ERROR naming the member that breaks a MUST, or
    STATUS_VERIFICATION_ERROR for a statusSize above the supported MAX_STATUS_SIZE.
    """
    purpose = entry.get("statusPurpose")
    if not isinstance(purpose, str) or not purpose:
        raise _malformed("statusPurpose must be a non-empty string", f"{field}.statusPurpose")
    index_text = entry.get("statusListIndex")
    if not isinstance(index_text, str) or not _INDEX.fullmatch(index_text):
        raise _malformed(
            "statusListIndex must be a non-negative integer written as a base-10 string, "
            f"got {index_text!r}",
            f"{field}.statusListIndex",
        )
    digits = index_text.lstrip("0") or "0"
    index = int(digits) if len(digits) <= _MAX_INDEX_DIGITS else None
    list_url = entry.get("statusListCredential")
    if not isinstance(list_url, str) or ":" not in list_url:
        raise _malformed("statusListCredential must be a URL", f"{field}.statusListCredential")
    if entry.get("id") == list_url:
        raise _malformed(
            "the entry's id must not be the URL of the status list itself", f"{field}.id"
        )
    status_size = _status_size(entry, field)
    messages = _messages(entry, status_size, field)
    _check_reference(entry, field)
    return ParsedEntry(
        field=field,
        purpose=purpose,
        index=index,
        index_text=index_text,
        list_url=list_url,
        status_size=status_size,
        messages=messages,
    )


def _status_size(entry: Mapping[str, Any], field: str) -> int:
    size = entry.get("statusSize", 1)
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise _malformed(
            f"statusSize must be an integer greater than zero, got {size!r}", f"{field}.statusSize"
        )
    if size > MAX_STATUS_SIZE:
        raise StatusError(
            f"statusSize {size} is not supported here (at most {MAX_STATUS_SIZE})",
            code="STATUS_VERIFICATION_ERROR",
            field=f"{field}.statusSize",
        )
    return size


def _messages(entry: Mapping[str, Any], status_size: int, field: str) -> dict[int, str] | None:
    where = f"{field}.statusMessage"
    raw = entry.get("statusMessage")
    if raw is None:
        if status_size > 1:
            raise _malformed("statusMessage must be present when statusSize is above 1", where)
        return None
    count = 1 << status_size
    if not isinstance(raw, list) or len(raw) != count:
        raise _malformed(
            f"statusMessage must be an array of {count} messages (one per value of "
            f"{status_size} bit(s))",
            where,
        )
    messages: dict[int, str] = {}
    for position, element in enumerate(raw):
        here = f"{where}[{position}]"
        if not isinstance(element, Mapping):
            raise _malformed("each statusMessage element must be an object", here)
        status, message = element.get("status"), element.get("message")
        if not isinstance(status, str) or not _HEX_STATUS.fullmatch(status):
            raise _malformed(f"status must be a '0x'-prefixed hex string, got {status!r}", here)
        if not isinstance(message, str):
            raise _malformed("message must be a string", here)
        value = int(status, 16)
        if value >= count or value in messages:
            raise _malformed(f"status {status} is out of range or listed twice", here)
        messages[value] = message
    return messages


def _check_reference(entry: Mapping[str, Any], field: str) -> None:
    reference = entry.get("statusReference")
    if reference is None:
        return
    urls = reference if isinstance(reference, list) else [reference]
    if not urls or not all(isinstance(url, str) and ":" in url for url in urls):
        raise _malformed(
            "statusReference must be a URL or an array of URLs", f"{field}.statusReference"
        )


def _malformed(message: str, field: str) -> StatusError:
    return StatusError(message, code="MALFORMED_VALUE_ERROR", field=field)
