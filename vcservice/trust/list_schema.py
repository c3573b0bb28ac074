"""The JSON Schema of trust lists (``schemas/trust-list-v1.json``), checked on reading one.

Checked as the certificate schemas are (``model.json_schema``: ECMA-262's ``$`` in patterns,
a missing or unknown member named at that member); the first problem, in path order, is
raised.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from vcservice.errors import ParsingError
from vcservice.model.json_schema import MALFORMED, Validator, error_problems

__all__ = ["MALFORMED", "SCHEMA_FILE", "SCHEMA_URL", "check_schema"]

SCHEMA_FILE = Path(__file__).parents[1] / "data" / "schemas" / "trust-list-v1.json"
SCHEMA_URL = "https://w3id.org/vcservice/trade-certificates/schemas/trust-list-v1.json"


@cache
def _validator() -> Any:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    Validator.check_schema(schema)
    return Validator(schema)


def check_schema(document: Any) -> None:
    """Refuse, naming the first offending member, what the schema does not describe."""
    errors = sorted(_validator().iter_errors(document), key=lambda e: (e.json_path, e.message))
    if not errors:
        return
    problem = next(error_problems(errors[0]))
    raise ParsingError(
        f"not a trust list: {problem.field or 'the document'}: {problem.detail}",
        code=MALFORMED,
        field=problem.field,
    )
