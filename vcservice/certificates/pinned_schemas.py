"""Credential schemas an operator pinned (``vcservice schemas add``): reviewed, then used offline.

``review_schema`` decides whether a JSON Schema may be pinned at a URL: draft 2020-12 that
``check_schema`` accepts, its ``$id`` (if any) that URL, and every ``$ref`` to itself or to
a schema already pinned — nothing is ever fetched. ``AddedSchemas.problems`` validates a
credential against each pinned schema its ``credentialSchema`` names with ``type``
``JsonSchema``, with the project's validators (``schema_files``), and checks that entry's
``digestSRI`` / ``digestMultibase`` (VC Data Model 2.0 resource integrity) against the pinned
document: its bytes as pinned, or their RFC 8785 canonical form.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urldefrag, urljoin

import rfc8785
from jsonschema.exceptions import SchemaError  # type: ignore[import-untyped]

from vcservice.certificates.schema_files import LoadedSchema, compile_schema, problems_against
from vcservice.errors import Problem, VcError
from vcservice.model.json_schema import json_path

__all__ = ["AddedSchemas", "PinnedSchema", "SchemaRefusedError", "review_schema"]

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
DIGEST_MISMATCH = "SCHEMA_DIGEST_MISMATCH"
# Subresource Integrity's algorithms, weakest first (the strongest one given decides).
_SRI = ("sha256", "sha384", "sha512")
# Multihash codes of the SHA-2 and SHA-3 digests (Data Integrity's resource integrity).
_MULTIHASH = {
    0x12: "sha256",
    0x20: "sha384",
    0x13: "sha512",
    0x16: "sha3_256",
    0x15: "sha3_384",
    0x14: "sha3_512",
}


class SchemaRefusedError(VcError):
    """A schema that may not be pinned: the message says why, ``field`` names the member."""

    code = "SCHEMA_REFUSED"


@dataclass(frozen=True, slots=True)
class PinnedSchema:
    """A pinned schema: its bytes as pinned, and the JSON they hold."""

    content: bytes
    document: dict[str, Any]


def review_schema(url: str, document: Any, pinned: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """What a schema pinned at ``url`` is (``$id``, title, the schemas it refers to), or
    ``SchemaRefusedError``; ``pinned`` holds the schemas pinned so far, by ``$id``."""
    if not isinstance(document, dict):
        raise SchemaRefusedError("a JSON Schema must be a JSON object", field="document")
    declared = document.get("$schema", DRAFT_2020_12)
    if not isinstance(declared, str) or declared.rstrip("#") != DRAFT_2020_12:
        raise SchemaRefusedError(
            f"only JSON Schema draft 2020-12 ({DRAFT_2020_12}) is accepted, not {declared!r}",
            field="$schema",
        )
    if document.get("$id", url) != url:
        raise SchemaRefusedError(
            f"the schema's $id is {document['$id']!r}; pin it at that URL, not {url}", field="$id"
        )
    references = sorted(_references(document, url))
    unpinned = [reference for reference in references if reference not in pinned]
    if unpinned:
        raise SchemaRefusedError(
            f"$ref to {unpinned[0]}, which is not pinned: a schema may refer only to itself "
            "and to pinned schemas (pin that one first)",
            field="$ref",
        )
    try:
        compile_schema(document, pinned)
    except SchemaError as error:
        raise SchemaRefusedError(
            f"not a valid JSON Schema: {error.message}", field=json_path(error.path) or "document"
        ) from None
    except RecursionError:  # the validators recurse through the schema
        raise SchemaRefusedError("the schema nests too deeply to check", field="document") from None
    return {"$id": url, "title": document.get("title"), "refs": references}


class AddedSchemas:
    """The pinned schemas a verifier validates against, each compiled on first use.

    ``read`` gives the pinned schema at a URL (a ``VcError`` when it cannot: not installed,
    altered); ``builtin`` holds the project's schemas by ``$id``, which a ``$ref`` may name.
    """

    def __init__(
        self,
        urls: Collection[str],
        read: Callable[[str], PinnedSchema],
        builtin: Mapping[str, dict[str, Any]],
    ) -> None:
        self._urls = frozenset(urls)
        self._read = read
        self._builtin = builtin
        self._compiled: dict[str, tuple[PinnedSchema, LoadedSchema]] = {}

    def problems(self, credential: Mapping[str, Any]) -> list[Problem] | None:
        """Problems against the pinned schemas ``credentialSchema`` names; None if it names
        none (the verifier cannot tell)."""
        named = list(self._named(credential))
        if not named:
            return None
        problems: list[Problem] = []
        for where, entry in named:
            try:
                pinned, schema = self._schema(entry["id"])
            except VcError as error:
                problems.append(Problem(error.code, error.message, json_path(where)))
                continue
            problems.extend(_digest_problems(entry, pinned, where))
            problems.extend(problems_against(schema, credential))
        return problems

    def _named(self, credential: Mapping[str, Any]) -> Iterator[tuple[list[str | int], Any]]:
        declared = credential.get("credentialSchema")
        listed = isinstance(declared, list)
        entries: list[Any] = declared if isinstance(declared, list) else [declared]
        for index, entry in enumerate(entries):
            if (
                isinstance(entry, Mapping)
                and entry.get("type") == "JsonSchema"
                and entry.get("id") in self._urls
            ):
                yield (["credentialSchema", index] if listed else ["credentialSchema"]), entry

    def _schema(self, url: str) -> tuple[PinnedSchema, LoadedSchema]:
        compiled = self._compiled.get(url)
        if compiled is None:
            pinned = self._read(url)
            document = _identified(pinned.document, url)
            compiled = (pinned, compile_schema(document, self._registry(document, url)))
            self._compiled[url] = compiled
        return compiled

    def _registry(self, document: dict[str, Any], url: str) -> dict[str, dict[str, Any]]:
        """The schemas ``document`` (pinned at ``url``) refers to, and those they refer to,
        by URL; each ``$ref`` resolved as the review resolved it (against the URL the schema
        is pinned at when it has no ``$id``)."""
        found: dict[str, dict[str, Any]] = {}
        pending = [(document, url)]
        while pending:
            for reference in _references(*pending.pop()):
                if reference in found:
                    continue
                if reference in self._builtin:
                    found[reference] = self._builtin[reference]
                else:
                    found[reference] = _identified(self._read(reference).document, reference)
                pending.append((found[reference], reference))
        return found


def _identified(document: dict[str, Any], url: str) -> dict[str, Any]:
    """``document`` with ``$id`` ``url`` if it has none (the review refused any other), so
    the validators resolve its relative ``$ref``s against the URL it is pinned at."""
    return document if "$id" in document else {"$id": url, **document}


def _references(document: Any, url: str) -> set[str]:
    """The other schemas ``document``, pinned at ``url``, refers to: each ``$ref`` resolved
    against ``url`` (which its ``$id``, if any, equals)."""
    base = url
    found: set[str] = set()
    pending = [document]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("$ref", "$dynamicRef") and isinstance(value, str):
                    target = urldefrag(urljoin(base, value)).url
                    if target and target != base:
                        found.add(target)
                else:
                    pending.append(value)
        elif isinstance(node, list):
            pending.extend(node)
    return found


def _digest_problems(
    entry: Mapping[str, Any], pinned: PinnedSchema, where: list[str | int]
) -> list[Problem]:
    """The entry's ``digestSRI`` and ``digestMultibase`` that do not match the pinned schema."""
    forms = (pinned.content, rfc8785.dumps(pinned.document))
    problems = []
    for member, matches in (("digestSRI", _sri_matches), ("digestMultibase", _multibase_matches)):
        value = entry.get(member)
        if value is not None and not matches(value, forms):
            problems.append(
                Problem(
                    DIGEST_MISMATCH,
                    f"{member} {str(value)[:80]!r} does not match the schema pinned at "
                    f"{entry['id']}",
                    json_path([*where, member]),
                )
            )
    return problems


def _sri_matches(value: Any, forms: tuple[bytes, ...]) -> bool:
    """Subresource Integrity: the strongest algorithm given must match one of ``forms``."""
    given = [
        (algorithm, encoded.partition("?")[0])
        for algorithm, _, encoded in (token.partition("-") for token in str(value).split())
        if algorithm in _SRI
    ]
    if not given:
        return False
    strongest = max(_SRI.index(algorithm) for algorithm, _ in given)
    return any(
        base64.b64encode(hashlib.new(algorithm, form).digest()).decode("ascii") == encoded
        for algorithm, encoded in given
        if _SRI.index(algorithm) == strongest
        for form in forms
    )


def _multibase_matches(value: Any, forms: tuple[bytes, ...]) -> bool:
    """A base64url (``u``) multibase multihash of SHA-2 or SHA-3 that matches one of ``forms``."""
    if not isinstance(value, str) or not value.startswith("u"):
        return False
    try:
        multihash = base64.urlsafe_b64decode(value[1:] + "=" * (-len(value[1:]) % 4))
    except (binascii.Error, ValueError):
        return False
    algorithm = _MULTIHASH.get(multihash[0]) if len(multihash) > 2 else None
    if algorithm is None or multihash[1] != len(multihash) - 2:
        return False
    return any(hashlib.new(algorithm, form).digest() == multihash[2:] for form in forms)
