"""The credential JSON Schemas in the top-level ``schemas/`` directory: load, cache, check.

Schemas are JSON Schema draft 2020-12, validated with ``jsonschema``.  Two details
make its answers match pydantic's and the published ECMA-262 semantics:

- ``pattern`` is searched with ECMA-262's ``$`` (end of text only, see
  ``model.json_schema``), not Python's (which also matches before a final newline);
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
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from vcservice.errors import Problem
from vcservice.model.json_schema import Validator, error_problems

SCHEMAS_DIR = Path(__file__).parents[1] / "data" / "schemas"  # a link to schemas/ in a checkout
SCHEMA_BASE_URL = "https://w3id.org/vcservice/trade-certificates/schemas/"
MAX_PROBLEMS = 100
"""Problems reported for one document, at most: enough to fix it, bounded work to say so."""
_JSON_SCALARS = frozenset({str, int, float, bool, type(None)})


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
    Validator.check_schema(document)
    try:
        fast = jsonschema_rs.Draft202012Validator(
            document, validate_formats=False, registry=_sibling_schemas(path.parent), offline=True
        )
    except ValueError:  # a $ref to no file beside it, a pattern Rust's regex does not take
        fast = None
    return LoadedSchema(document, Validator(document), fast)


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
    Validator.check_schema(document)
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
    return LoadedSchema(document, Validator(document, registry=registry), fast)


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
        problems.update(dict.fromkeys(error_problems(error)))
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
