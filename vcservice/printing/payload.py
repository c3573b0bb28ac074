"""A credential carried in a link: ``<verify page>#vc1=<payload>``, small enough for a QR code.

The payload is ``base64url(raw DEFLATE(body))`` (RFC 7515 base64url without padding,
RFC 1951 DEFLATE at level 9) with a preset dictionary beside this module: the JSON
skeleton of the project's credentials (contexts, member names, status entries, proofs,
the certificate types' fixed texts), so only what is particular to one credential costs
bytes. There is one dictionary per version of the certificate data, since each holds
that version's JSON: ``payload-dictionary-v1.txt`` and ``payload-dictionary-v2.txt``
(IMMEX, OEA and C-TPAT with the company at ``member``). A credential is packed with the
dictionary of its data's version; any other credential with the first. The second holds,
the most common nearest its end (the shortest DEFLATE distances): JWT headers; C-TPAT's
sector and tier strings and the vocabulary's coded values; the company's identifiers;
words of company names and addresses; each type's credential up to its schema, with its
fixed texts, its issuer's name and a company with a tax domicile and a plant; proofs; and
the envelope (contexts, status entries), all as the issuer writes them (compact JSON, its
member order).

The payload names its dictionary. A first-dictionary payload is the DEFLATE stream
alone, as every payload was before the second: their printed codes decode as they always
did. Any other payload starts with one byte before its stream, ``number << 3 | 0b110``
(``0x16`` for the second): its bits 1–2 are DEFLATE's reserved block type 11 (RFC 1951
§3.2.3), so no DEFLATE stream starts that way, and the two forms never meet. Dictionaries
are frozen: a printed code must decode for as long as its credential is valid, so a
dictionary is never changed, only added under the next number (``tests/unit/printing``
pins each one's digest). Older verify pages, which know only the first dictionary, refuse
a later payload as damaged.

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

from vcservice.certificates import type_of
from vcservice.errors import ParsingError
from vcservice.keys.multibase import base64url_decode, base64url_encode

__all__ = [
    "KEY",
    "MAX_DECODED_BYTES",
    "decode_payload",
    "dictionary_number",
    "encode_payload",
    "payload_in",
    "verification_link",
]

KEY = "vc1"
# The preset dictionaries, by number; 1 is untagged (see above).
DICTIONARY_FILES: Mapping[int, str] = {
    1: "payload-dictionary-v1.txt",
    2: "payload-dictionary-v2.txt",
}
# The dictionary of each version of the certificate data (``CertificateType.version``).
DICTIONARY_OF_DATA: Mapping[str, int] = {"v1": 1, "v2": 2}
_TAG_BITS = 0b110  # a tag byte's three low bits: BFINAL 0, BTYPE 11 (reserved)
MAX_DECODED_BYTES = 1_000_000  # the request body cap: nothing larger could be verified
MAX_PAYLOAD_CHARS = 200_000  # far beyond any QR code (about 2,950 bytes at most)
_NUL = b"\0"
_WINDOW_BITS = -15  # raw DEFLATE: no zlib header or checksum, the base64url text is the frame


@cache
def dictionary(number: int = 1) -> bytes:
    """The frozen preset dictionary ``number`` (``KeyError`` for a number not listed)."""
    return resources.files(__package__).joinpath(DICTIONARY_FILES[number]).read_bytes()


def dictionary_number(document: Any) -> int:
    """The dictionary that packs ``document``: its certificate data version's, else the first."""
    certificate_type = type_of(document) if isinstance(document, Mapping) else None
    return DICTIONARY_OF_DATA.get(certificate_type.version, 1) if certificate_type else 1


def encode_payload(credential: Mapping[str, Any] | str) -> str:
    """The ``vc1`` payload of a JSON credential or a compact ``vc+jwt``."""
    if isinstance(credential, str):
        parts = [base64url_decode(part) for part in _jws_parts(credential)]
        body = _NUL + _NUL.join(parts)
        number = dictionary_number(_json_or_none(parts[1]))
    else:
        body = json.dumps(credential, separators=(",", ":"), ensure_ascii=False).encode()
        number = dictionary_number(credential)
    compressor = zlib.compressobj(
        9, zlib.DEFLATED, _WINDOW_BITS, 9, zlib.Z_DEFAULT_STRATEGY, dictionary(number)
    )
    tag = b"" if number == 1 else bytes([number << 3 | _TAG_BITS])
    return base64url_encode(tag + compressor.compress(body) + compressor.flush())


def decode_payload(payload: str) -> str:
    """The credential a ``vc1`` payload carries: JSON text, or a compact JWT.

    Raises ``ParsingError`` (field ``vc1``) for anything that is not such a payload,
    including one that inflates past ``MAX_DECODED_BYTES``.
    """
    if len(payload) > MAX_PAYLOAD_CHARS:
        raise ParsingError("the link's credential payload is too long", field=KEY)
    try:
        compressed = base64url_decode(payload)
    except ParsingError as error:
        raise _damaged(error) from None
    body = _inflated(*_tagged(compressed))
    if body.startswith(_NUL):
        parts = body[1:].split(_NUL, 2)
        if len(parts) != 3:
            raise ParsingError("the link's JWT payload lacks a part", field=KEY)
        return ".".join(base64url_encode(part) for part in parts)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise ParsingError("the link's credential is not UTF-8 text", field=KEY) from None


def _tagged(compressed: bytes) -> tuple[int, bytes]:
    """The dictionary a payload names, and its DEFLATE stream."""
    if not compressed or compressed[0] & 0b111 != _TAG_BITS:
        return 1, compressed  # a first-dictionary payload: its stream alone
    number = compressed[0] >> 3
    if number == 1 or number not in DICTIONARY_FILES:
        raise ParsingError(
            f"the link's credential payload names dictionary {number}, which this verify page "
            "does not know (it may be newer than this service)",
            field=KEY,
        )
    return number, compressed[1:]


def _inflated(number: int, stream: bytes) -> bytes:
    """The body a DEFLATE stream packed with dictionary ``number`` holds, within the cap."""
    inflater = zlib.decompressobj(_WINDOW_BITS, dictionary(number))
    try:
        body = inflater.decompress(stream, MAX_DECODED_BYTES)
    except zlib.error as error:
        raise _damaged(error) from None
    if not inflater.eof:  # stopped at the cap, or the stream is incomplete
        if inflater.unconsumed_tail or len(body) >= MAX_DECODED_BYTES:
            raise ParsingError(f"the credential exceeds {MAX_DECODED_BYTES} bytes", field=KEY)
        raise ParsingError("the link's credential payload is cut short", field=KEY)
    return body


def _damaged(error: Exception) -> ParsingError:
    return ParsingError(f"the link's credential payload is damaged: {error}", field=KEY)


def _jws_parts(token: str) -> list[str]:
    parts = token.split(".")
    if len(parts) != 3:
        raise ParsingError("a compact JWS has exactly three '.'-separated parts", field="jwt")
    return parts


def _json_or_none(text: bytes) -> Any:
    """A JWT payload's JSON (None when it is not JSON: packed with the first dictionary)."""
    try:
        return json.loads(text)
    except ValueError:
        return None


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
