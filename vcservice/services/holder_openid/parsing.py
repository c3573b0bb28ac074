"""What both halves of the wallet read: links, JSON objects and OAuth error answers."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from vcservice.errors import ParsingError, VcError
from vcservice.net.guarded_client import HttpAnswer

JSON = "application/json"
MAX_LINK = 16_384
_MALFORMED = "MALFORMED_VALUE_ERROR"
_REFUSED = "ISSUER_REFUSED"


def _refused_unless_ok(answer: HttpAnswer, endpoint: str, *, field: str) -> Mapping[str, Any]:
    """The JSON of a 200 answer; ISSUER_REFUSED naming the OAuth error otherwise."""
    if answer.status == 200:
        return _object(answer.json(), endpoint)
    why = _oauth_error(answer) or f"HTTP {answer.status}"
    raise VcError(f"the issuer's {endpoint} endpoint refused: {why}", code=_REFUSED, field=field)


def _oauth_error(answer: HttpAnswer) -> str | None:
    """``error: error_description`` of an OAuth error answer, if it is one."""
    if answer.media_type != JSON:
        return None
    try:
        body = answer.json()
    except VcError:
        return None
    if not isinstance(body, Mapping) or not isinstance(body.get("error"), str):
        return None
    description = body.get("error_description")
    return str(body["error"])[:64] + (
        f": {str(description)[:300]}" if isinstance(description, str) else ""
    )


def _link_parameters(link: str, field: str) -> dict[str, list[str]]:
    """The query parameters of a link (MALFORMED_VALUE_ERROR when it is no URL)."""
    try:
        return parse_qs(urlsplit(link).query)
    except ValueError:
        raise ParsingError(f"{field} is not a link", code=_MALFORMED, field=field) from None


def _single(parameters: Mapping[str, list[str]], name: str, field: str) -> str:
    values = parameters.get(name)
    if not values or len(values) != 1 or not values[0]:
        raise ParsingError(
            f"the link must carry {name} once", code=_MALFORMED, field=f"{field}.{name}"
        )
    return values[0]


def _json_object(text: str, field: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise ParsingError(f"{field} is not JSON", field=field) from None
    return _object(value, field)


def _object(value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ParsingError(f"{field} is not a JSON object", code=_MALFORMED, field=field)
    return dict(value)
