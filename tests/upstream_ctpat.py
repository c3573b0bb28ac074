"""The upstream traceability ``CTPATCertificate`` JSON Schema and the overlay our C-TPAT needs.

The schema is w3c-ccg/traceability-vocab's, bundled (every ``$ref`` inlined) into
../shared/upstream/traceability/bundled/ from commit ``UPSTREAM_COMMIT``. It is read from
there and never copied into this repository; the calling test skips when ../shared is
absent, and any change to the file fails loudly against its sha256 pin.

No VC Data Model 2.0 credential that carries our extension context can pass the schema
unmodified: its envelope predates VCDM 2.0 and its objects refuse unknown members. So
our C-TPAT credentials are checked against the schema plus ``OVERLAY``, which only

* (E) replaces four envelope keywords: the ``@context`` const (no room for an extension
  context), ``credentialSchema.type`` (``OpenApiSpecificationValidator2022``),
  ``credentialStatus`` (one ``RevocationList2020Status``) and ``proof.type``
  (``Ed25519Signature2018``); and
* (X) adds named extension members beside the upstream ones.

It never removes, retypes or relaxes an upstream member, and every
``additionalProperties: false`` stays, so a member nobody named is still refused.
``apply_overlay`` refuses a replacement whose target is missing and an addition whose
target already exists. Formats are not asserted (as when upstream checks its examples).
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NamedTuple

from jsonschema import Draft202012Validator, validators  # type: ignore[import-untyped]
from referencing import Registry, Resource

from tests.conftest import upstream_path

UPSTREAM_COMMIT = "961fb742"  # w3c-ccg/traceability-vocab main, 2024-12-04 (INDEX.md)
SCHEMA_FILE = ("traceability", "bundled", "CTPATCertificate.schema.json")
SCHEMA_SHA256 = "d5f6b963b0f94dbbe04052bace2b6dd9ce2dcf5764723cf1b60259bdb024dbed"
EXAMPLE_FILE = ("traceability", "examples", "CTPATCertificate.example.json")
EXAMPLE_SHA256 = "7576cf5b1759700c16c8c293267b4d89eac6b6ff438f245ebc54e4461049bca8"
DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
TRACEABILITY_V1 = "https://w3id.org/traceability/v1"
TRADE_CERTIFICATES_V2 = "https://w3id.org/vcservice/trade-certificates/v2"

SUBJECT = "/properties/credentialSubject/properties"
MEMBER = f"{SUBJECT}/member/properties"
SITE = f"{MEMBER}/location/items/properties"


class UpstreamChangedError(Exception):
    """An upstream file is not the one the overlay was written against."""


class OverlayError(Exception):
    """A patch does not fit the schema it is applied to."""


# ---------------------------------------------------------------- JSON pointers


def pointer(parts: Sequence[str | int]) -> str:
    """The RFC 6901 JSON pointer of ``parts`` (``""`` for the whole document)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def pointer_parts(text: str) -> list[str]:
    """The reference tokens of the JSON pointer ``text``."""
    if text == "":
        return []
    if not text.startswith("/"):
        raise ValueError(f"not a JSON pointer: {text!r}")
    return [part.replace("~1", "/").replace("~0", "~") for part in text[1:].split("/")]


def is_at_or_under(target: str, root: str) -> bool:
    """Whether the pointer ``target`` is ``root`` or points inside it."""
    return target == root or target.startswith(root + "/")


# ---------------------------------------------------------------- the upstream files


def read_pinned(path: Path, sha256: str) -> Any:
    """The JSON in ``path``, after checking its bytes against the ``sha256`` pin."""
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != sha256:
        raise UpstreamChangedError(
            f"{path} is not the file pinned here (sha256 {digest}, pinned {sha256}, from "
            f"traceability-vocab {UPSTREAM_COMMIT}). Review OVERLAY in {__name__} against "
            "the new file before updating the pin."
        )
    return json.loads(data)


def upstream_schema() -> dict[str, Any]:
    """The bundled upstream ``CTPATCertificate`` schema (skips the test without ../shared)."""
    schema: dict[str, Any] = read_pinned(upstream_path(*SCHEMA_FILE), SCHEMA_SHA256)
    if schema.get("$schema") != DRAFT_2020_12:
        raise UpstreamChangedError(f"expected a draft 2020-12 schema, got {schema.get('$schema')}")
    if UPSTREAM_COMMIT not in schema.get("$comment", ""):
        raise UpstreamChangedError(f"the bundled schema does not say it is from {UPSTREAM_COMMIT}")
    references = sorted(set(_references(schema)))
    if references:
        raise UpstreamChangedError(f"the bundled schema still has references: {references}")
    return schema


def _references(schema: Any) -> Iterator[str]:
    """Every ``$ref`` and ``$dynamicRef`` in ``schema`` (a bundled schema has none)."""
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key in ("$ref", "$dynamicRef"):
                yield str(value)
            yield from _references(value)
    elif isinstance(schema, list):
        for item in schema:
            yield from _references(item)


def upstream_example() -> dict[str, Any]:
    """The schema's own example credential (skips the test without ../shared)."""
    example: dict[str, Any] = read_pinned(upstream_path(*EXAMPLE_FILE), EXAMPLE_SHA256)
    return example


# ---------------------------------------------------------------- the overlay


@dataclass(frozen=True)
class Patch:
    """One change to the upstream schema: replace an envelope keyword or add a member."""

    name: str
    pointer: str
    kind: Literal["replace", "add"]
    value: Mapping[str, Any]
    reason: str


def _added(name: str, at: str, member: str, value: Mapping[str, Any], reason: str) -> Patch:
    return Patch(name, f"{at}/{member}", "add", value, reason)


_TEXT: Mapping[str, Any] = {"type": "string"}
_DATE: Mapping[str, Any] = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
_STATUS_ENTRY: Mapping[str, Any] = {
    "type": "object",
    "required": ["type", "statusPurpose", "statusListIndex", "statusListCredential"],
    "properties": {
        "id": {"type": "string"},
        "type": {"const": "BitstringStatusListEntry"},
        "statusPurpose": {"type": "string"},
        "statusListIndex": {"type": "string"},
        "statusListCredential": {"type": "string"},
    },
}
_MUTUAL_RECOGNITION: Mapping[str, Any] = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"const": ["MutualRecognition"]}},
    },
}

ENVELOPE: tuple[Patch, ...] = (
    Patch(
        "E1",
        "/properties/@context",
        "replace",
        {"type": "array", "const": [CREDENTIALS_V2, TRACEABILITY_V1, TRADE_CERTIFICATES_V2]},
        "Upstream fixes @context to [credentials/v2, traceability/v1, status-list/2021/v1]: "
        "no room for the extension context that defines our members, and a status-list "
        "context we do not use.",
    ),
    Patch(
        "E2",
        "/properties/credentialSchema/properties/type",
        "replace",
        {"const": "JsonSchema"},
        "VCDM 2.0 (VC JSON Schema) names the validator JsonSchema; "
        "OpenApiSpecificationValidator2022 is traceability's own.",
    ),
    Patch(
        "E3",
        "/properties/credentialStatus",
        "replace",
        {"anyOf": [_STATUS_ENTRY, {"type": "array", "minItems": 1, "items": _STATUS_ENTRY}]},
        "The service attaches a BitstringStatusListEntry per purpose (revocation, suspension, "
        "message) as an array; upstream allows one RevocationList2020Status, which Bitstring "
        "Status List superseded.",
    ),
    Patch(
        "E4",
        "/properties/proof/properties/type",
        "replace",
        {"type": "string", "enum": ["DataIntegrityProof"]},
        "The service signs Data Integrity proofs (eddsa-rdfc-2022, ecdsa-rdfc-2019); "
        "upstream allows only Ed25519Signature2018, which credentials/v2 does not define. "
        "The rest of upstream's proof (proofPurpose assertionMethod, ...) stays.",
    ),
)

SUBJECT_MEMBERS: tuple[Patch, ...] = (
    _added(
        "X1",
        SUBJECT,
        "certificationDate",
        _DATE,
        "The date of Tier 1 certification, from which 6 USC 965 counts the validation.",
    ),
    _added(
        "X2",
        SUBJECT,
        "lastValidationDate",
        _DATE,
        "The last validation as an xsd:date; upstream's dateOfLastValidation maps to "
        "schema:endDate (an end date) and is not emitted, though still allowed.",
    ),
    _added(
        "X3",
        SUBJECT,
        "revalidationDueDate",
        _DATE,
        "When revalidation is due: at least every 4 years (6 USC 969).",
    ),
    _added(
        "X4",
        SUBJECT,
        "mutualRecognition",
        _MUTUAL_RECOGNITION,
        "The CBP-SAT mutual recognition arrangement (2014) between C-TPAT and OEA; its "
        "shape is the project schema's to check.",
    ),
)

COMPANY_MEMBERS: tuple[Patch, ...] = tuple(
    _added(f"X5.{member}", MEMBER, member, _TEXT, reason)
    for member, reason in (
        ("legalName", "The registered name (schema:legalName); upstream has only name."),
        ("rfc", "The Mexican tax id (RFC) of a Mexican member."),
        ("manufacturerId", "CBP's Manufacturer ID (MID), which foreign manufacturers need."),
        ("usdotNumber", "The U.S. DOT number, which highway carriers need."),
        ("caat", "The CAAT code of a carrier at Mexican customs."),
        ("sctPermit", "The SCT permit of a Mexican long-haul carrier."),
        ("patenteAduanal", "The licence of a Mexican customs broker."),
        ("leiCode", "The ISO 17442 Legal Entity Identifier."),
        ("globalLocationNumber", "The GS1 Global Location Number of the company."),
    )
)

SITE_MEMBERS: tuple[Patch, ...] = tuple(
    _added(f"X6.{member}", SITE, member, _TEXT, reason)
    for member, reason in (
        ("siteRole", "Which site this is: tax domicile, plant, warehouse, terminal or office."),
        ("manufacturerId", "The MID of this plant, where a site has its own."),
        ("unLocode", "The UN/LOCODE of the site's location."),
        ("globalLocationNumber", "The GS1 Global Location Number of the site."),
    )
)

OVERLAY: tuple[Patch, ...] = ENVELOPE + SUBJECT_MEMBERS + COMPANY_MEMBERS + SITE_MEMBERS


def apply_overlay(schema: Mapping[str, Any], overlay: Sequence[Patch] = OVERLAY) -> dict[str, Any]:
    """A copy of ``schema`` with every patch of ``overlay`` applied, in order."""
    patched: dict[str, Any] = copy.deepcopy(dict(schema))
    for patch in overlay:
        *parents, key = pointer_parts(patch.pointer)
        node: Any = patched
        for part in parents:
            if not isinstance(node, dict) or part not in node:
                raise OverlayError(f"{patch.name}: {patch.pointer} has no parent in the schema")
            node = node[part]
        if not isinstance(node, dict):
            raise OverlayError(f"{patch.name}: the parent of {patch.pointer} is not an object")
        if patch.kind == "replace" and key not in node:
            raise OverlayError(f"{patch.name}: nothing at {patch.pointer} to replace")
        if patch.kind == "add" and key in node:
            raise OverlayError(f"{patch.name}: {patch.pointer} is an upstream member already")
        node[key] = copy.deepcopy(dict(patch.value))
    return patched


# ---------------------------------------------------------------- validation


class ErrorPath(NamedTuple):
    """Where a credential fails a schema: a JSON pointer into it and the failing keyword.

    A member that ``additionalProperties: false`` refuses is reported at its own pointer.
    """

    pointer: str
    keyword: str


def _refuse_retrieval(uri: str) -> Resource[Any]:
    raise LookupError(f"{uri}: remote references are not fetched (the check is offline)")


# Never fetch a remote $ref: the bundled schema has none, and this check stays offline.
OFFLINE: Registry[Any] = Registry(retrieve=_refuse_retrieval)  # type: ignore[call-arg]


def _refused_members(instance: Mapping[str, Any], schema: Mapping[str, Any]) -> Iterator[str]:
    known = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    for member in instance:
        if member not in known and not any(re.search(p, member) for p in patterns):
            yield member


def schema_errors(credential: Any, schema: Mapping[str, Any]) -> list[ErrorPath]:
    """Every place ``credential`` fails ``schema`` (validated as the draft it declares)."""
    validator_class = validators.validator_for(schema, default=Draft202012Validator)
    found: set[ErrorPath] = set()
    for error in validator_class(schema, registry=OFFLINE).iter_errors(credential):
        path = list(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            for member in _refused_members(error.instance, error.schema):
                found.add(ErrorPath(pointer([*path, member]), "additionalProperties"))
        else:
            found.add(ErrorPath(pointer(path), str(error.validator)))
    return sorted(found)


def schema_pointer_of(instance_pointer: str) -> str:
    """The schema pointer that describes ``instance_pointer`` (array items -> ``items``)."""
    parts = []
    for part in pointer_parts(instance_pointer):
        parts.extend(["items"] if part.isdigit() else ["properties", part])
    return pointer(parts)
