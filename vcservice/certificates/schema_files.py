"""The credential JSON Schemas in the top-level ``schemas/`` directory: load, cache, check.

Schemas are JSON Schema draft 2020-12, validated with ``jsonschema``.  Two details
make its answers match pydantic's and the published ECMA-262 semantics:

- ``pattern`` is searched with ECMA-262's ``$`` (end of text only, see
  ``values.python_pattern``), not Python's (which also matches before a final newline);
- a missing required member or an unknown member is reported *at that member*
  (``credentialSubject.rfc``), not at the object holding it, so that a problem from
  the schema and one from a model name the same field.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import ValidationError, validators  # type: ignore[import-untyped]

from vcservice.certificates.values import json_path, python_pattern
from vcservice.errors import Problem

SCHEMAS_DIR = Path(__file__).parents[1] / "data" / "schemas"  # a link to schemas/ in a checkout
SCHEMA_BASE_URL = "https://w3id.org/vcservice/trade-certificates/schemas/"
MALFORMED = "MALFORMED_VALUE_ERROR"
_MAX_DETAIL = 240


def _ecma_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    if validator.is_type(instance, "string") and not python_pattern(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


_Validator = validators.extend(validators.Draft202012Validator, {"pattern": _ecma_pattern})


@dataclass(frozen=True, slots=True)
class LoadedSchema:
    """A schema document and its validator (the document must not be mutated)."""

    document: Mapping[str, Any]
    validator: Any


@cache
def load_schema(path: Path) -> LoadedSchema:
    """Read, check and cache the schema at ``path`` (``SchemaError`` if it is not valid)."""
    document = json.loads(path.read_text(encoding="utf-8"))
    _Validator.check_schema(document)
    return LoadedSchema(document, _Validator(document))


def schema_problems(path: Path, instance: Any) -> list[Problem]:
    """Every way ``instance`` breaks the schema at ``path``, each naming a field."""
    errors = load_schema(path).validator.iter_errors(instance)
    problems: list[Problem] = []
    for error in sorted(errors, key=lambda error: (error.json_path, error.message)):
        for problem in _problems_of(error):
            if problem not in problems:
                problems.append(problem)
    return problems


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
