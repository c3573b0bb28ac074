"""A credential carried in a link: ``<verify page>#vc1=<payload>``, small enough for a QR code.

The payload is ``base64url(raw DEFLATE(body))`` (RFC 7515 base64url without padding,
RFC 1951 DEFLATE at level 9) with a preset dictionary, ``payload-dictionary-v1.txt``
beside this module: the JSON skeleton of the project's credentials (contexts, member
names, status entries, proofs, the certificate types' fixed texts), so only what is
particular to one credential costs bytes. The dictionary is frozen: a printed code must
decode for as long as its credential is valid, so a new dictionary needs a new key
(``vc2``), and ``tests/unit/printing`` pins this one's digest.

The body is the credential as issued:

* a JSON credential (Data Integrity): its compact UTF-8 JSON text. Data Integrity proofs
  sign the RDF canonical form, so whitespace and member order do not matter;
* a compact JWS (``vc+jwt``): ``NUL header NUL payload NUL signature`` with each part
  base64url-decoded. JSON text never contains NUL, and base64url decoding is canonical
  here, so re-encoding the parts gives back exactly the token that was signed.

The fragment never reaches a server unless the page submits it, and it carries the whole
credential, so any ``/verify`` page (the issuer's, a broker's, one at a crossing) checks
it live without the issuer keeping a public copy.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from vcservice.errors import ParsingError
from vcservice.keys.multibase import base64url_decode, base64url_encode

__all__ = [
    "KEY",
    "MAX_DECODED_BYTES",
    "decode_payload",
    "encode_payload",
    "payload_in",
    "verification_link",
]

KEY = "vc1"
DICTIONARY_FILE = "payload-dictionary-v1.txt"
MAX_DECODED_BYTES = 1_000_000  # the request body cap: nothing larger could be verified
MAX_PAYLOAD_CHARS = 200_000  # far beyond any QR code (about 2,950 bytes at most)
_NUL = b"\0"
_WINDOW_BITS = -15  # raw DEFLATE: no zlib header or checksum, the base64url text is the frame


@cache
def dictionary() -> bytes:
    """The frozen preset dictionary of ``vc1`` payloads."""
    return resources.files(__package__).joinpath(DICTIONARY_FILE).read_bytes()


def encode_payload(credential: Mapping[str, Any] | str) -> str:
    """The ``vc1`` payload of a JSON credential or a compact ``vc+jwt``."""
    if isinstance(credential, str):
        parts = credential.split(".")
        if len(parts) != 3:
            raise ParsingError("a compact JWS has exactly three '.'-separated parts", field="jwt")
        body = _NUL + _NUL.join(base64url_decode(part) for part in parts)
    else:
        body = json.dumps(credential, separators=(",", ":"), ensure_ascii=False).encode()
    compressor = zlib.compressobj(
        9, zlib.DEFLATED, _WINDOW_BITS, 9, zlib.Z_DEFAULT_STRATEGY, dictionary()
    )
    return base64url_encode(compressor.compress(body) + compressor.flush())


def decode_payload(payload: str) -> str:
    """The credential a ``vc1`` payload carries: JSON text, or a compact JWT.

    Raises ``ParsingError`` (field ``vc1``) for anything that is not such a payload,
    including one that inflates past ``MAX_DECODED_BYTES``.
    """
    if len(payload) > MAX_PAYLOAD_CHARS:
        raise ParsingError("the link's credential payload is too long", field=KEY)
    try:
        compressed = base64url_decode(payload)
        inflater = zlib.decompressobj(_WINDOW_BITS, dictionary())
        body = inflater.decompress(compressed, MAX_DECODED_BYTES)
    except (ParsingError, zlib.error) as error:
        raise ParsingError(
            f"the link's credential payload is damaged: {error}", field=KEY
        ) from None
    if not inflater.eof:  # stopped at the cap, or the stream is incomplete
        if inflater.unconsumed_tail or len(body) >= MAX_DECODED_BYTES:
            raise ParsingError(f"the credential exceeds {MAX_DECODED_BYTES} bytes", field=KEY)
        raise ParsingError("the link's credential payload is cut short", field=KEY)
    if body.startswith(_NUL):
        parts = body[1:].split(_NUL, 2)
        if len(parts) != 3:
            raise ParsingError("the link's JWT payload lacks a part", field=KEY)
        return ".".join(base64url_encode(part) for part in parts)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise ParsingError("the link's credential is not UTF-8 text", field=KEY) from None


def verification_link(page_url: str, credential: Mapping[str, Any] | str) -> str:
    """``page_url`` with the credential in its fragment: ``…/verify#vc1=…``."""
    return f"{page_url}#{KEY}={encode_payload(credential)}"


def payload_in(text: str) -> str | None:
    """The ``vc1`` payload in a pasted link or fragment (``…#vc1=…``, ``vc1=…``), if any."""
    marker = f"{KEY}="
    _, found, rest = text.strip().rpartition(marker)
    if not found:
        return None
    return rest.split("&", 1)[0]
