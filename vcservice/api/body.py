"""The request body, guarded before any handler sees it: bounded in size, and strict JSON.

Bodies over ``max_bytes`` are refused with 413, whether their length is declared or they
arrive chunked; a middleware outside may lower the cap for one request (``BODY_LIMIT`` in
its scope: say, for a caller without credentials). A body declared as JSON
(``application/json`` or ``…+json``) must be what RFC 8259 calls interoperable JSON, or the
request is refused with 400 PARSING_ERROR naming the trouble: UTF-8 only, no duplicate
member names (a parser would silently keep one of them), no ``NaN``/``Infinity``, no lone
surrogates, and nesting no deeper than ``MAX_DEPTH``. The body is then replayed unchanged
to the application, its size in the scope (``BODY_BYTES``: rate limits charge large bodies
more).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vcservice.api.problems import problem_response
from vcservice.errors import ParsingError

MAX_DEPTH = 256  # far beyond any credential, far below the interpreter's recursion limit
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
BODY_BYTES = "vcservice.body_bytes"  # the scope key under which the body's size is passed on
BODY_LIMIT = "vcservice.body_limit"  # a lower cap for this request, set by a middleware outside


MembersFor = Callable[[str, int], Mapping[str, Any]]
"""The members a profile adds to the problems of the paths it serves (by path and status)."""


class BodyGuard:
    """ASGI middleware: refuse oversized bodies (413) and non-interoperable JSON (400)."""

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, members_for: MembersFor = lambda path, status: {}
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.members_for = members_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Read the whole (bounded) body, check it, then pass it on as it came."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        limit = min(self.max_bytes, scope.get(BODY_LIMIT, self.max_bytes))
        declared = headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._too_large(scope, receive, send, limit)
            return
        body, more = await self._read(receive, limit)
        if body is None:
            await self._too_large(scope, receive, send, limit)
            return
        if body and _is_json(headers.get("content-type", "")):
            try:
                check_json(body)
            except ParsingError as error:
                response = problem_response(
                    400,
                    error.code,
                    error.message,
                    field=error.field or "body",
                    extensions=self.members_for(scope["path"], 400),
                )
                await response(scope, receive, send)
                return
        scope[BODY_BYTES] = len(body)
        await self.app(scope, _replay(body, more, receive), send)

    async def _read(self, receive: Receive, limit: int) -> tuple[bytes | None, list[Message]]:
        """The body (None past the cap) and any non-body messages received meanwhile."""
        chunks: list[bytes] = []
        size = 0
        others: list[Message] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                others.append(message)
                return b"".join(chunks), others
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return None, others
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks), others

    async def _too_large(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        detail = f"the body exceeds {limit} bytes"
        if limit < self.max_bytes:
            detail += f" (without credentials; with a token, {self.max_bytes})"
        response = problem_response(
            413,
            "PAYLOAD_TOO_LARGE",
            detail,
            field="body",
            extensions=self.members_for(scope["path"], 413),
        )
        await response(scope, receive, send)


def check_json(body: bytes) -> None:
    """Raise ParsingError unless ``body`` is interoperable JSON (see the module docstring)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParsingError(
            f"the body is not UTF-8 (byte {exc.start}); JSON must be", field="body"
        ) from None
    try:
        document = json.loads(
            text, object_pairs_hook=_refuse_duplicates, parse_constant=_refuse_constant
        )
    except RecursionError:
        raise ParsingError(f"the JSON nests deeper than {MAX_DEPTH} levels", field="body") from None
    except ValueError as exc:
        if isinstance(exc, ParsingError):
            raise
        raise ParsingError(f"the body is not valid JSON: {exc}", field="body") from None
    if body.count(b"{") + body.count(b"[") > MAX_DEPTH:
        _check_depth(document, depth=0)
    # Valid UTF-8 carries no surrogate: only an escape can make one, so only then look.
    if _SURROGATE_ESCAPE.search(body):
        _check_surrogates(document)


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) != len(pairs):
        seen: set[str] = set()
        for name, _ in pairs:
            if name in seen:
                raise ParsingError(f"the member {name!r} appears twice in one object", field=name)
            seen.add(name)
    return document


def _refuse_constant(name: str) -> Any:
    raise ParsingError(f"{name} is not a JSON number", field="body")


def _check_depth(value: Any, *, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise ParsingError(f"the JSON nests deeper than {MAX_DEPTH} levels", field="body")
    members = value.values() if isinstance(value, dict) else value
    for member in members:
        if isinstance(member, (dict, list)):
            _check_depth(member, depth=depth + 1)


def _check_surrogates(value: Any) -> None:
    """Lone surrogates (which no UTF-8 text can carry), in names and strings."""
    if isinstance(value, str):
        _check_text(value)
    elif isinstance(value, dict):
        for name, member in value.items():
            _check_text(name)
            _check_surrogates(member)
    elif isinstance(value, list):
        for item in value:
            _check_surrogates(item)


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ParsingError(
            "a string holds a lone surrogate (\\ud800–\\udfff)", field="body"
        ) from None


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def _replay(body: bytes, others: list[Message], receive: Receive) -> Receive:
    """A ``receive`` that hands out the body once, then what else arrived, then the client's."""
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]
    pending += others

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed
