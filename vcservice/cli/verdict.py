"""What ``vcservice verify`` reads and prints.

It reads a credential, a presentation or a compact JWT from a file, from standard input
(``-``), or from the link a printed certificate's QR code carries (``…/verify#vc1=…``,
given as it is or in a file), decoded by the printing package as the verify page decodes it.

It prints, for a person at a terminal, a one-line verdict and then one line per check, in
Spanish or English, with the verify page's words (``vcservice.web.verdict_text``); for a
program (output not a terminal, or ``--format json``), the verification result as JSON.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TextIO

from vcservice.errors import ParsingError
from vcservice.printing import decode_payload, payload_in
from vcservice.verification.result import VerificationResult
from vcservice.web.verdict_text import check_lines, verdict_line

FORMATS = ("text", "json")
LANGUAGES = ("es", "en")
STDIN = "-"
# gettext's order: the first of these that is set names the user's language.
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
INDENT = "  "


def output_format(chosen: str | None, stream: TextIO) -> str:
    """``chosen``, else text for a terminal and JSON for anything else (a pipe, a file)."""
    if chosen is not None:
        return chosen
    return "text" if stream.isatty() else "json"


def user_language(chosen: str | None, environ: Mapping[str, str] = os.environ) -> str:
    """``chosen``, else Spanish when the locale is Spanish, else English."""
    if chosen is not None:
        return chosen
    for name in LOCALE_VARIABLES:
        value = environ.get(name)
        if value:
            return "es" if value.split(":")[0].lower().startswith("es") else "en"
    return "en"


def result_text(
    result: VerificationResult,
    language: str,
    *,
    registry_name: Callable[[str], str | None] = lambda _issuer: None,
) -> str:
    """The verdict on one line, then the checks; a presentation's credentials follow it,
    each indented the same way."""
    lines = [verdict_line(result, language, registry_name=registry_name)]
    lines += [INDENT + line for line in check_lines(result, language)]
    for credential in result.credentials:
        nested = result_text(credential, language, registry_name=registry_name)
        lines += [INDENT + line for line in nested.splitlines()]
    return "\n".join(lines)


def read_input(argument: str, stdin: TextIO) -> Any:
    """The document ``verify`` was given: a file, ``-`` (standard input), or a QR link."""
    if argument == STDIN:
        return document_from_text(stdin.read(), where="standard input")
    path = Path(argument)
    if not path.exists() and payload_in(argument) is not None:
        return document_from_text(argument, where="the link")
    return read_document(path)


def read_document(path: Path) -> Any:
    """A JSON document, a compact JWT (a file whose text is not JSON), or a QR link's."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ParsingError(f"cannot read {path}: {exc}", field=str(path)) from exc
    return document_from_text(text, where=str(path))


def document_from_text(text: str, *, where: str) -> Any:
    """JSON when ``text`` is JSON; what a ``vc1`` link carries when it is one; else the
    text itself (a compact JWT)."""
    text = text.strip()
    if not text.startswith(("{", "[")):
        payload = payload_in(text)
        if payload is not None:
            text = decode_payload(payload).strip()
    if text.startswith(("{", "[")):
        try:
            return json.loads(text)
        except ValueError as exc:
            raise ParsingError(f"{where} is not valid JSON: {exc}", field=where) from exc
    return text
