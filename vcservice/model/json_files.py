"""JSON documents read from files, with errors that name the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from vcservice.errors import ParsingError


def read_json_file(path: Path, what: str) -> Any:
    """The parsed JSON of ``path``; ParsingError naming ``what`` and the file otherwise."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ParsingError(f"cannot read the {what} {path}: {exc}", field=str(path)) from exc
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ParsingError(f"the {what} {path} is not valid JSON: {exc}", field=str(path)) from exc
