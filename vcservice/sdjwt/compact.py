"""The compact serialization of an SD-JWT and an SD-JWT+KB (RFC 9901 §4).

``<Issuer-signed JWT>~<Disclosure 1>~…~<Disclosure N>~`` is an SD-JWT; the same followed by
a Key Binding JWT is an SD-JWT+KB. The two are told apart by the last component only: empty
for an SD-JWT (§4: "the last separating tilde character MUST NOT be omitted").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vcservice.errors import ParsingError

__all__ = ["MAX_SD_JWT_LENGTH", "SdJwtParts", "split"]

MAX_SD_JWT_LENGTH = 1_000_000
SEPARATOR = "~"
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")
_JWT = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


@dataclass(frozen=True, slots=True)
class SdJwtParts:
    """An SD-JWT split into its Issuer-signed JWT, Disclosures and Key Binding JWT (if any)."""

    issuer_jwt: str
    disclosures: tuple[str, ...]
    key_binding_jwt: str | None = None

    @property
    def sd_jwt(self) -> str:
        """The SD-JWT without its Key Binding JWT: what ``sd_hash`` is taken over (§4.3.1)."""
        return SEPARATOR.join((self.issuer_jwt, *self.disclosures, ""))

    def serialize(self) -> str:
        """The compact form: the SD-JWT, followed by the Key Binding JWT if there is one."""
        return self.sd_jwt + (self.key_binding_jwt or "")


def split(compact: str) -> SdJwtParts:
    """Split a compact SD-JWT or SD-JWT+KB (PARSING_ERROR when it is not one)."""
    if not isinstance(compact, str) or len(compact) > MAX_SD_JWT_LENGTH:
        raise ParsingError("an SD-JWT must be a string of at most 1 MB", field="sdJwt")
    issuer_jwt, *middle = compact.strip().split(SEPARATOR)
    if not middle:
        raise ParsingError(
            "an SD-JWT has a '~' after its Issuer-signed JWT (RFC 9901 §4)", field="sdJwt"
        )
    *disclosures, last = middle
    if not _JWT.fullmatch(issuer_jwt):
        raise ParsingError("the Issuer-signed JWT is not a compact JWS", field="sdJwt")
    if not all(_BASE64URL.fullmatch(disclosure) for disclosure in disclosures):
        raise ParsingError("a Disclosure is empty or not base64url", field="disclosures")
    if last and not _JWT.fullmatch(last):
        raise ParsingError("the Key Binding JWT is not a compact JWS", field="kbJwt")
    return SdJwtParts(issuer_jwt, tuple(disclosures), last or None)
