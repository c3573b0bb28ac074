"""IETF Token Status List (draft-ietf-oauth-status-list): the list an SD-JWT VC's ``status``
refers to, its JWT claims, and the reference in the credential.

Layout (§4.1): ``bits`` of 1, 2, 4 or 8 per token; token ``i`` occupies a block of the byte
array packed from the least significant bit, so with two bits token 0 is bits 0–1 of byte 0
and token 3 bits 6–7. ``lst`` is the base64url (no padding) of the ZLIB (RFC 1950) DEFLATE
compression of the byte array, at the highest level. Values (§7): 0 VALID, 1 INVALID
(revoked), 2 SUSPENDED; 3 and 0x0C–0x0F are application-specific.

The Status List Token in JWT form (§5.1) has ``typ`` ``statuslist+jwt`` and the claims
``sub`` (the list's own URI, equal to the ``uri`` of the referencing token), ``iat``,
``exp``, ``ttl`` and ``status_list``; this module builds and checks the claims, the caller
signs and verifies the JWT. Decoding refuses a list that expands past ``max_bytes`` without
ever holding more than that in memory.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from vcservice.errors import ParsingError, StatusError, VcError
from vcservice.keys.multibase import base64url_decode, base64url_encode

__all__ = [
    "INVALID",
    "MEDIA_TYPE",
    "STATUS_LIST_JWT_TYP",
    "SUSPENDED",
    "VALID",
    "StatusReference",
    "TokenStatusList",
    "read_status_list_claims",
    "status_list_claims",
]

STATUS_LIST_JWT_TYP = "statuslist+jwt"
MEDIA_TYPE = "application/statuslist+jwt"
VALID, INVALID, SUSPENDED = 0, 1, 2
ALLOWED_BITS = (1, 2, 4, 8)
MAX_DECODED_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class TokenStatusList:
    """A Status List: ``bits`` per token over the (uncompressed) byte array ``data``."""

    bits: int
    data: bytes

    def __post_init__(self) -> None:
        if self.bits not in ALLOWED_BITS:
            raise ValueError(f"bits must be one of {ALLOWED_BITS}, not {self.bits}")

    @classmethod
    def of(cls, size: int, statuses: Mapping[int, int], *, bits: int) -> TokenStatusList:
        """A list of ``size`` tokens, each VALID but those in ``statuses`` (index → value)."""
        if size < 1:
            raise ValueError("a status list holds at least one token")
        data = bytearray(-(-size * bits // 8))
        for index, value in statuses.items():
            if not 0 <= index < size or not 0 <= value < 2**bits:
                raise ValueError(f"status {value} at {index} does not fit the list")
            byte, offset = divmod(index * bits, 8)
            data[byte] |= value << offset
        return cls(bits, bytes(data))

    @property
    def size(self) -> int:
        """How many tokens the list holds statuses for."""
        return len(self.data) * 8 // self.bits

    def get(self, index: int) -> int:
        """The status of token ``index`` (RANGE_ERROR past the end: no statement can be made)."""
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < self.size:
            raise StatusError(
                f"index {index!r} is outside the status list (size {self.size})",
                code="RANGE_ERROR",
                field="status.status_list.idx",
            )
        byte, offset = divmod(index * self.bits, 8)
        return int((self.data[byte] >> offset) & ((1 << self.bits) - 1))

    def to_json(self) -> dict[str, Any]:
        """The ``StatusList`` JSON object (§4.2): ``bits`` and ``lst``."""
        return {"bits": self.bits, "lst": base64url_encode(zlib.compress(self.data, 9))}

    @classmethod
    def from_json(cls, value: Any, *, max_bytes: int = MAX_DECODED_BYTES) -> TokenStatusList:
        """Read a ``StatusList`` object (STATUS_VERIFICATION_ERROR when malformed,
        STATUS_LIST_TOO_LARGE past ``max_bytes`` decompressed)."""
        if not isinstance(value, Mapping):
            raise StatusError("status_list must be a JSON object", field="status_list")
        bits, lst = value.get("bits"), value.get("lst")
        if isinstance(bits, bool) or bits not in ALLOWED_BITS or not isinstance(lst, str):
            raise StatusError(
                "status_list needs bits (1, 2, 4 or 8) and lst (a string)", field="status_list"
            )
        try:
            compressed = base64url_decode(lst)
        except VcError as error:
            raise StatusError(f"lst: {error.message}", field="status_list.lst") from error
        return cls(int(bits), _inflate(compressed, max_bytes))


def _inflate(compressed: bytes, max_bytes: int) -> bytes:
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(compressed, max_bytes + 1)
    except zlib.error as exc:
        raise StatusError(f"lst is not ZLIB data: {exc}", field="status_list.lst") from exc
    if len(data) > max_bytes or inflater.unconsumed_tail:
        raise StatusError(
            f"the status list expands past {max_bytes} bytes",
            code="STATUS_LIST_TOO_LARGE",
            field="status_list.lst",
        )
    if not inflater.eof or not data:
        raise StatusError("lst is not a complete, non-empty ZLIB stream", field="status_list.lst")
    return data


@dataclass(frozen=True, slots=True)
class StatusReference:
    """A Referenced Token's ``status.status_list`` (§6.2): where its status is."""

    idx: int
    uri: str

    def to_json(self) -> dict[str, Any]:
        """The ``status`` claim."""
        return {"status_list": {"idx": self.idx, "uri": self.uri}}

    @classmethod
    def from_claim(cls, status: Any) -> StatusReference:
        """Read a ``status`` claim (MALFORMED_VALUE_ERROR unless it has a ``status_list`` with
        a non-negative integer ``idx`` and a string ``uri``)."""
        reference = status.get("status_list") if isinstance(status, Mapping) else None
        idx = reference.get("idx") if isinstance(reference, Mapping) else None
        uri = reference.get("uri") if isinstance(reference, Mapping) else None
        if isinstance(idx, bool) or not isinstance(idx, int) or idx < 0 or not isinstance(uri, str):
            raise ParsingError(
                "status.status_list needs idx (a non-negative integer) and uri (a string)",
                code="MALFORMED_VALUE_ERROR",
                field="status.status_list",
            )
        return cls(idx, uri)


def status_list_claims(
    *,
    uri: str,
    issuer: str,
    status_list: TokenStatusList,
    issued_at: datetime,
    expires_at: datetime,
    ttl: timedelta,
) -> dict[str, Any]:
    """The claims of a Status List Token for the list at ``uri`` (§5.1)."""
    return {
        "sub": uri,
        "iss": issuer,
        "iat": int(issued_at.timestamp()),
        "exp": int(expires_at.timestamp()),
        "ttl": int(ttl.total_seconds()),
        "status_list": status_list.to_json(),
    }


def read_status_list_claims(
    claims: Any,
    *,
    uri: str,
    now: datetime,
    skew: timedelta,
    max_bytes: int = MAX_DECODED_BYTES,
) -> TokenStatusList:
    """Check a verified Status List Token's claims for the list at ``uri`` (§8.3 step 4)
    and read its list: ``sub`` must be ``uri``; ``iat`` is required, not in the future;
    an ``exp`` past (beyond ``skew``) is stale data (STATUS_DATA_STALE); ``ttl``, if
    present, a positive number."""
    if not isinstance(claims, Mapping):
        raise StatusError("the Status List Token's payload is not an object", field="payload")
    if claims.get("sub") != uri:
        raise StatusError(
            f"the Status List Token's sub is {claims.get('sub')!r}, not {uri!r}", field="sub"
        )
    issued, expires = _moment(claims, "iat"), _moment(claims, "exp")
    if issued is None or issued - skew > now:
        raise StatusError("the Status List Token needs an iat, not in the future", field="iat")
    if expires is not None and expires + skew <= now:
        raise StatusError(
            f"the Status List Token expired at {expires:%Y-%m-%dT%H:%M:%SZ}",
            code="STATUS_DATA_STALE",
            field="exp",
        )
    ttl = claims.get("ttl")
    if ttl is not None and (isinstance(ttl, bool) or not isinstance(ttl, int | float) or ttl <= 0):
        raise StatusError("ttl must be a positive number", field="ttl")
    return TokenStatusList.from_json(claims.get("status_list"), max_bytes=max_bytes)


def _moment(claims: Mapping[str, Any], name: str) -> datetime | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise StatusError(f"{name} must be a NumericDate", field=name)
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise StatusError(f"{name} is out of range", field=name) from exc
