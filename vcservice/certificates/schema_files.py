"""The credential JSON Schemas in the top-level ``schemas/`` directory: load, cache, check.

Schemas are JSON Schema draft 2020-12, validated with ``jsonschema``.  Two details
make its answers match pydantic's and the published ECMA-262 semantics:

- ``pattern`` is searched with ECMA-262's ``$`` (end of text only, see
  ``values.python_pattern``), not Python's (which also matches before a final newline);
- a missing required member or an unknown member is reported *at that member*
  (``credentialSubject.rfc``), not at the object holding it, so that a problem from
  the schema and one from a model name the same field.

A valid instance (the usual case) is recognised by a compiled ``jsonschema_rs``
validator; ``jsonschema`` runs only when that one says no, and its errors make the
problems.  The two agree on validity for what these schemas use (a differential test
holds them to it): Rust's ``$`` is ECMA-262's, formats are annotations on both sides,
lengths count code points, 1.0 and 10**40 are integers.  A ``$ref`` to another schema
file resolves to that file by its ``$id``, never over the network; schemas that cannot
be compiled so (with the files beside them) are left to ``jsonschema``.  So are
instances holding anything but the exact types ``json.loads`` returns (the compiled
validator would take a tuple for an array, ``Decimal("1")`` for an integer) or a lone
surrogate (which it cannot read).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
from jsonschema import ValidationError, validators  # type: ignore[import-untyped]
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from vcservice.certificates.values import json_path, python_pattern
from vcservice.errors import Problem

SCHEMAS_DIR = Path(__file__).parents[1] / "data" / "schemas"  # a link to schemas/ in a checkout
SCHEMA_BASE_URL = "https://w3id.org/vcservice/trade-certificates/schemas/"
MALFORMED = "MALFORMED_VALUE_ERROR"
MAX_PROBLEMS = 100
"""Problems reported for one document, at most: enough to fix it, bounded work to say so."""
_MAX_DETAIL = 240
_JSON_SCALARS = frozenset({str, int, float, bool, type(None)})


def _ecma_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    if validator.is_type(instance, "string") and not python_pattern(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


_Validator = validators.extend(validators.Draft202012Validator, {"pattern": _ecma_pattern})


@dataclass(frozen=True, slots=True)
class LoadedSchema:
    """A schema document, its validator and, if it compiles offline, a fast validity check.

    The document must not be mutated.
    """

    document: Mapping[str, Any]
    validator: Any
    fast: jsonschema_rs.Validator | None


@cache
def load_schema(path: Path) -> LoadedSchema:
    """Read, check and cache the schema at ``path`` (``SchemaError`` if it is not valid)."""
    document = json.loads(path.read_text(encoding="utf-8"))
    _Validator.check_schema(document)
    try:
        fast = jsonschema_rs.Draft202012Validator(
            document, validate_formats=False, registry=_sibling_schemas(path.parent), offline=True
        )
    except ValueError:  # a $ref to no file beside it, a pattern Rust's regex does not take
        fast = None
    return LoadedSchema(document, _Validator(document), fast)


@cache
def _sibling_schemas(directory: Path) -> jsonschema_rs.Registry:
    """The schemas in ``directory`` under their ``$id``: where a ``$ref`` to one resolves."""
    return jsonschema_rs.Registry(list(schemas_by_id(directory).items()))


def schemas_by_id(directory: Path = SCHEMAS_DIR) -> dict[str, dict[str, Any]]:
    """The schema files in ``directory`` (by default the built-in ones) by their ``$id``."""
    documents = (json.loads(path.read_text(encoding="utf-8")) for path in directory.glob("*.json"))
    return {document["$id"]: document for document in documents if "$id" in document}


def compile_schema(document: dict[str, Any], pinned: Mapping[str, dict[str, Any]]) -> LoadedSchema:
    """Check and compile a schema whose ``$ref``s resolve among ``pinned`` (schemas by
    ``$id``), never over the network (``SchemaError`` if it is not valid)."""
    _Validator.check_schema(document)
    registry: Registry[Any] = Registry().with_resources(
        (uri, Resource.from_contents(schema, default_specification=DRAFT202012))
        for uri, schema in pinned.items()
    )
    try:
        fast = jsonschema_rs.Draft202012Validator(
            document,
            validate_formats=False,
            registry=jsonschema_rs.Registry(list(pinned.items())),
            offline=True,
        )
    except ValueError:
        fast = None
    return LoadedSchema(document, _Validator(document, registry=registry), fast)


def schema_problems(path: Path, instance: Any) -> list[Problem]:
    """Every way ``instance`` breaks the schema at ``path``, each naming a field."""
    return problems_against(load_schema(path), instance)


def problems_against(schema: LoadedSchema, instance: Any) -> list[Problem]:
    """Every way ``instance`` breaks ``schema``, each naming a field."""
    if schema.fast is not None and _fast_valid(schema.fast, instance):
        return []
    # The first MAX_PROBLEMS errors (iteration is deterministic), then in path order: a
    # credential of thousands of bad values costs no more to refuse than one of a hundred.
    errors = itertools.islice(schema.validator.iter_errors(instance), MAX_PROBLEMS)
    problems: dict[Problem, None] = {}
    for error in sorted(errors, key=lambda error: (error.json_path, error.message)):
        problems.update(dict.fromkeys(_problems_of(error)))
    return list(problems)[:MAX_PROBLEMS]


def _fast_valid(fast: jsonschema_rs.Validator, instance: Any) -> bool:
    """Whether ``fast`` calls ``instance`` valid; False when it is not to be asked."""
    if not _is_json(instance):
        return False
    try:
        return fast.is_valid(instance)
    except ValueError:  # a lone surrogate, which Rust's strings cannot hold
        return False


def _is_json(instance: Any) -> bool:
    """Whether ``instance`` is made only of the types ``json.loads`` returns."""
    pending = [instance]
    while pending:
        value = pending.pop()
        kind = type(value)
        if kind is dict:
            if any(type(key) is not str for key in value):
                return False
            pending.extend(value.values())
        elif kind is list:
            pending.extend(value)
        elif kind not in _JSON_SCALARS:
            return False
    return True


def _problems_of(error: Any) -> Iterator[Problem]:
    path = list(error.absolute_path)
    instance = error.instance
    if error.validator == "required" and isinstance(instance, Mapping):
        for member in error.validator_value:
            if member not in instance:
                yield Problem(MALFORMED, f"{member!r} is required", json_path([*path, member]))
    elif error.validator == "additionalProperties" and isinstance(instance, Mapping):
        known = error.schema.get("properties", {})
        for member in instance:
            if member not in known:
                yield Problem(
                    MALFORMED, f"{member!r} is not allowed here", json_path([*path, member])
                )
    else:
        detail = error.message
        if len(detail) > _MAX_DETAIL:
            detail = detail[: _MAX_DETAIL - 1] + "…"
        yield Problem(MALFORMED, detail, json_path(path) or None)
