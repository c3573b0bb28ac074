"""RFC 9901 Disclosures: make them (§4.2), embed their digests, and process them back (§7.1).

A claim path is a tuple of object keys and ``None`` (every element of an array), as the
SD-JWT VC type metadata's ``path`` (draft-ietf-oauth-sd-jwt-vc, "Claim Path"): ``("member", "rfc")``
is the company's RFC, ``("member", "location", None)`` each of its sites.

:func:`conceal` turns plain claims into an SD-JWT payload and its Disclosures, the
disclosable claims given by path; nested disclosable claims inside a disclosable value
become recursive Disclosures (§4.2.6). :func:`reveal` is the verifier's side: every
Disclosure must be referenced exactly once by a digest of the signed payload or of another
Disclosure, no digest may appear twice, and no claim name may be given twice. Malformed
input raises ``ParsingError`` (MALFORMED_VALUE_ERROR); a Disclosure the signed payload does
not reference raises ``ProofError`` (PROOF_VERIFICATION_ERROR): it is not covered by the
Issuer's signature.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vcservice.errors import ParsingError, ProofError, VcError
from vcservice.keys import base64url_decode, base64url_encode

__all__ = [
    "DEFAULT_HASH",
    "HASH_ALGORITHMS",
    "ClaimPath",
    "Disclosure",
    "Revealed",
    "conceal",
    "digest",
    "new_salt",
    "reveal",
]

ClaimPath = tuple[str | None, ...]
SD = "_sd"
SD_ALG = "_sd_alg"
ELLIPSIS = "..."
DEFAULT_HASH = "sha-256"
# "Hash Name String"s of the IANA Named Information registry that this service accepts.
HASH_ALGORITHMS: Mapping[str, Callable[[bytes], Any]] = {
    "sha-256": hashlib.sha256,
    "sha-384": hashlib.sha384,
    "sha-512": hashlib.sha512,
}
SALT_BYTES = 16  # 128 bits, as §9.3 recommends
MAX_DEPTH = 32  # nesting of objects and arrays processed
MAX_DISCLOSURES = 512
_MALFORMED = "MALFORMED_VALUE_ERROR"


@dataclass(frozen=True, slots=True)
class Disclosure:
    """One Disclosure: its encoded form and what it discloses (``name`` is None for an
    array element)."""

    encoded: str
    salt: str
    name: str | None
    value: Any

    def digest(self, algorithm: str = DEFAULT_HASH) -> str:
        """The digest the SD-JWT embeds for it (§4.2.3)."""
        return digest(self.encoded, algorithm)

    @classmethod
    def of_claim(cls, salt: str, name: str, value: Any) -> Disclosure:
        """The Disclosure of an object property."""
        return cls(_encode([salt, name, value]), salt, name, value)

    @classmethod
    def of_element(cls, salt: str, value: Any) -> Disclosure:
        """The Disclosure of an array element."""
        return cls(_encode([salt, value]), salt, None, value)

    @classmethod
    def parse(cls, encoded: str) -> Disclosure:
        """Decode a Disclosure (MALFORMED_VALUE_ERROR unless it is a base64url JSON array of a
        string salt and either a string name and a value, or a value)."""
        try:
            content = json.loads(base64url_decode(encoded))
        except (ValueError, VcError, RecursionError) as exc:
            raise ParsingError(
                "a Disclosure is not base64url-encoded JSON", code=_MALFORMED, field="disclosures"
            ) from exc
        if not isinstance(content, list) or len(content) not in (2, 3):
            raise ParsingError(
                "a Disclosure must be a JSON array of two or three elements",
                code=_MALFORMED,
                field="disclosures",
            )
        salt, *rest = content
        if not isinstance(salt, str) or (len(rest) == 2 and not isinstance(rest[0], str)):
            raise ParsingError(
                "a Disclosure's salt and claim name must be strings",
                code=_MALFORMED,
                field="disclosures",
            )
        if len(rest) == 2:
            return cls(encoded, salt, rest[0], rest[1])
        return cls(encoded, salt, None, rest[0])


def digest(encoded: str, algorithm: str = DEFAULT_HASH) -> str:
    """base64url of the hash of the US-ASCII bytes of ``encoded`` (a Disclosure, or an SD-JWT
    for ``sd_hash``)."""
    hasher = HASH_ALGORITHMS.get(algorithm)
    if hasher is None:
        raise ParsingError(
            f"_sd_alg {algorithm!r} is not supported (use {', '.join(HASH_ALGORITHMS)})",
            code=_MALFORMED,
            field=SD_ALG,
        )
    return base64url_encode(hasher(encoded.encode("ascii")).digest())


def new_salt() -> str:
    """128 random bits, base64url."""
    return base64url_encode(secrets.token_bytes(SALT_BYTES))


def conceal(
    claims: Mapping[str, Any],
    disclosable: Collection[ClaimPath],
    *,
    salt: Callable[[], str] = new_salt,
    algorithm: str = DEFAULT_HASH,
) -> tuple[dict[str, Any], list[Disclosure]]:
    """The SD-JWT payload of ``claims`` with the claims at ``disclosable`` paths replaced by
    digests (each ``_sd`` sorted, so the order of claims is not revealed), and the
    Disclosures. A path that names no claim is ignored."""
    made: list[Disclosure] = []
    wanted = frozenset(disclosable)

    def walk(value: Any, path: ClaimPath) -> Any:
        if isinstance(value, Mapping):
            result: dict[str, Any] = {}
            digests = []
            for name, member in value.items():
                if name in (SD, ELLIPSIS, SD_ALG):
                    raise ParsingError(f"{name!r} cannot be a claim name", field=name)
                inner = walk(member, (*path, name))
                if (*path, name) in wanted:
                    disclosure = Disclosure.of_claim(salt(), name, inner)
                    made.append(disclosure)
                    digests.append(disclosure.digest(algorithm))
                else:
                    result[name] = inner
            if digests:
                result[SD] = sorted(digests)
            return result
        if isinstance(value, list):
            elements = []
            for element in value:
                inner = walk(element, (*path, None))
                if (*path, None) in wanted:
                    disclosure = Disclosure.of_element(salt(), inner)
                    made.append(disclosure)
                    elements.append({ELLIPSIS: disclosure.digest(algorithm)})
                else:
                    elements.append(inner)
            return elements
        return value

    payload = walk(claims, ())
    return {**payload, SD_ALG: algorithm}, made


@dataclass(frozen=True, slots=True)
class Revealed:
    """A processed SD-JWT payload (§7.1 step 3), and where each Disclosure was used: the
    claim path of the value it disclosed, by its encoded form."""

    claims: dict[str, Any]
    paths: dict[str, ClaimPath]


def reveal(
    payload: Mapping[str, Any], disclosures: Sequence[Disclosure], *, algorithm: str
) -> Revealed:
    """Process ``disclosures`` against the signed ``payload`` (RFC 9901 §7.1, steps 3–5).

    Undisclosed (and decoy) array elements are dropped, ``_sd`` and ``_sd_alg`` removed.
    """
    if len(disclosures) > MAX_DISCLOSURES:
        raise ParsingError(f"more than {MAX_DISCLOSURES} Disclosures", field="disclosures")
    by_digest: dict[str, Disclosure] = {}
    for disclosure in disclosures:
        found = disclosure.digest(algorithm)
        if found in by_digest:
            raise ParsingError("a Disclosure is given twice", code=_MALFORMED, field="disclosures")
        by_digest[found] = disclosure
    walker = _Revealer(by_digest)
    revealed = Revealed(
        walker.object({k: v for k, v in payload.items() if k != SD_ALG}, ()), walker.paths
    )
    if len(walker.seen & by_digest.keys()) != len(by_digest):
        unreferenced = len(by_digest) - len(walker.seen & by_digest.keys())
        raise ProofError(
            f"{unreferenced} Disclosure(s) are not referenced by the signed payload",
            code="PROOF_VERIFICATION_ERROR",
            field="disclosures",
        )
    return revealed


class _Revealer:
    """One walk of a payload, putting each referenced Disclosure in place (§7.1 step 3)."""

    def __init__(self, by_digest: Mapping[str, Disclosure]) -> None:
        self.by_digest = by_digest
        self.seen: set[str] = set()
        self.paths: dict[str, ClaimPath] = {}

    def value(self, value: Any, path: ClaimPath) -> Any:
        if len(path) > MAX_DEPTH:
            raise ParsingError(f"claims nested deeper than {MAX_DEPTH}", code=_MALFORMED)
        if isinstance(value, Mapping):
            return self.object(value, path)
        if isinstance(value, list):
            return self.array(value, path)
        return value

    def take(self, found: str) -> Disclosure | None:
        """The Disclosure of a digest met for the first time (None: undisclosed or decoy)."""
        if found in self.seen:
            raise ParsingError(
                "a digest appears more than once in the SD-JWT", code=_MALFORMED, field=SD
            )
        self.seen.add(found)
        return self.by_digest.get(found)

    def object(self, value: Mapping[str, Any], path: ClaimPath) -> dict[str, Any]:
        if ELLIPSIS in value or (path and SD_ALG in value):
            raise ParsingError(f"misplaced '...' or {SD_ALG}", code=_MALFORMED, field=_at(path))
        embedded = value.get(SD, [])
        if not isinstance(embedded, list) or not all(isinstance(d, str) for d in embedded):
            raise ParsingError("_sd must be an array of digests", code=_MALFORMED, field=SD)
        result = {
            name: self.value(member, (*path, name)) for name, member in value.items() if name != SD
        }
        for found in embedded:
            disclosure = self.take(found)
            if disclosure is None:
                continue
            if disclosure.name is None:
                raise ParsingError(
                    "an array element's Disclosure is referenced from _sd",
                    code=_MALFORMED,
                    field=_at(path),
                )
            if disclosure.name in (SD, ELLIPSIS) or disclosure.name in result:
                raise ParsingError(
                    f"the claim {disclosure.name!r} is given twice or is reserved",
                    code=_MALFORMED,
                    field=_at((*path, disclosure.name)),
                )
            claim_path = (*path, disclosure.name)
            self.paths[disclosure.encoded] = claim_path
            result[disclosure.name] = self.value(disclosure.value, claim_path)
        return result

    def array(self, value: list[Any], path: ClaimPath) -> list[Any]:
        elements = []
        for element in value:
            if not (isinstance(element, Mapping) and ELLIPSIS in element):
                elements.append(self.value(element, (*path, None)))
                continue
            found = element[ELLIPSIS]
            if len(element) != 1 or not isinstance(found, str):
                raise ParsingError("malformed '...' element", code=_MALFORMED, field=_at(path))
            disclosure = self.take(found)
            if disclosure is None:
                continue
            if disclosure.name is not None:
                raise ParsingError(
                    "an object property's Disclosure is referenced from an array",
                    code=_MALFORMED,
                    field=_at(path),
                )
            self.paths[disclosure.encoded] = (*path, None)
            elements.append(self.value(disclosure.value, (*path, None)))
        return elements


def _encode(content: list[Any]) -> str:
    return base64url_encode(
        json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    )


def _at(path: ClaimPath) -> str:
    return ".".join("[]" if part is None else part for part in path) or "payload"
