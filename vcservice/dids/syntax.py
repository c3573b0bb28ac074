"""DID syntax (DID Core §3.1): parsing DIDs and splitting DID URLs at the fragment."""

from __future__ import annotations

import re
from dataclasses import dataclass

from vcservice.errors import DidError

__all__ = ["MAX_DID_LENGTH", "ParsedDid", "parse_did", "split_fragment"]

# Far above any did:key/did:jwk/did:web we support; bounds work done on untrusted input.
MAX_DID_LENGTH = 4096

_IDCHAR = r"(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})"
_DID = re.compile(rf"did:([a-z0-9]+):((?:{_IDCHAR}*:)*{_IDCHAR}+)")


@dataclass(frozen=True)
class ParsedDid:
    """The parts of a DID: ``did:<method>:<method_specific_id>``."""

    method: str
    method_specific_id: str


def parse_did(did: str) -> ParsedDid:
    """Parse a DID (not a DID URL), raising DidError INVALID_DID naming it."""
    if len(did) > MAX_DID_LENGTH:
        raise DidError(
            f"DID {did[:60]!r}… is longer than {MAX_DID_LENGTH} characters", code="INVALID_DID"
        )
    match = _DID.fullmatch(did)
    if match is None:
        raise DidError(f"{did!r} is not a valid DID (did:<method>:<id>)", code="INVALID_DID")
    return ParsedDid(match[1], match[2])


def split_fragment(did_url: str) -> tuple[str, str]:
    """Split ``did:…#fragment`` into the DID and fragment; both must be present."""
    did, _, fragment = did_url.partition("#")
    if not fragment:
        raise DidError(
            f"verification method id {did_url!r} has no #fragment",
            code="INVALID_VERIFICATION_METHOD",
        )
    parse_did(did)
    return did, fragment
