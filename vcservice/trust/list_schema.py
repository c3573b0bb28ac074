"""The JSON Schema of trust lists (``schemas/trust-list-v1.json``), checked on reading one.

Checked with ``jsonschema`` (as the certificate schemas), with ECMA-262's ``$`` in patterns;
the first problem, in path order, is raised naming its member (a missing or unknown member
at that member).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import ValidationError, validators  # type: ignore[import-untyped]

from vcservice.errors import ParsingError

__all__ = ["MALFORMED", "SCHEMA_FILE", "SCHEMA_URL", "check_schema"]

SCHEMA_FILE = Path(__file__).parents[1] / "data" / "schemas" / "trust-list-v1.json"
SCHEMA_URL = "https://w3id.org/vcservice/trade-certificates/schemas/trust-list-v1.json"
MALFORMED = "MALFORMED_VALUE_ERROR"


def _ecma_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    """``pattern`` with ECMA-262's ``$`` (end of text only; Python's also takes a final
    newline): every pattern of this schema ends with its only ``$``."""
    if validator.is_type(instance, "string") and not _regex(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern[:-1] + r"\Z" if pattern.endswith("$") else pattern)


@cache
def _validator() -> Any:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    kind = validators.extend(validators.Draft202012Validator, {"pattern": _ecma_pattern})
    kind.check_schema(schema)
    return kind(schema)


def check_schema(document: Any) -> None:
    """Refuse, naming the first offending member, what the schema does not describe."""
    errors = sorted(_validator().iter_errors(document), key=lambda e: (e.json_path, e.message))
    if not errors:
        return
    error = errors[0]
    path = list(error.absolute_path)
    members = error.instance if isinstance(error.instance, Mapping) else {}
    if error.validator == "required":
        path.append(next(m for m in error.validator_value if m not in members))
    elif error.validator == "additionalProperties":
        known = error.schema.get("properties", {})
        path.append(next(m for m in members if m not in known))
    where = _json_path(path)
    raise ParsingError(
        f"not a trust list: {where or 'the document'}: {_short(error.message)}",
        code=MALFORMED,
        field=where or None,
    )


def _json_path(parts: list[Any]) -> str:
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else part
    return path


def _short(message: str, limit: int = 200) -> str:
    return message if len(message) <= limit else message[: limit - 1] + "…"
