"""JSON Schema (draft 2020-12) as this project checks documents against it.

Two details make its answers match pydantic's and the published ECMA-262 semantics, for the
certificate schemas and the trust lists' alike:

- ``pattern`` is searched with ECMA-262's ``$`` (end of text only, ``python_pattern``), not
  Python's (which also matches before a final newline);
- a missing required member or an unknown member is reported *at that member*
  (``credentialSubject.rfc``), not at the object holding it (``error_problems``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from typing import Any

from jsonschema import ValidationError, validators  # type: ignore[import-untyped]

from vcservice.errors import Problem

__all__ = ["MALFORMED", "Validator", "error_problems", "json_path", "python_pattern"]

MALFORMED = "MALFORMED_VALUE_ERROR"
_MAX_DETAIL = 240


@cache
def python_pattern(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled with ECMA-262 semantics for ``$``.

    Python's ``$`` also matches before a final newline, so ``"MX\\n"`` would match
    ``^[A-Z]{2}$``; ECMA-262 and Rust do not allow that.  The patterns here end in
    ``$`` and never use it elsewhere, so turning the final ``$`` into ``\\Z`` suffices.
    """
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + "\\Z"
    return re.compile(pattern)


def _ecma_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    if validator.is_type(instance, "string") and not python_pattern(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


Validator = validators.extend(validators.Draft202012Validator, {"pattern": _ecma_pattern})
"""Draft 2020-12, with ECMA-262's ``$`` in ``pattern``."""


def json_path(parts: Iterable[str | int]) -> str:
    """A location as the field path used in problems: ``credentialSubject.location[0].address``."""
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path


def error_problems(error: Any) -> Iterator[Problem]:
    """The problems one validation error stands for, each at the member it concerns."""
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
