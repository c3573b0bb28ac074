"""The verify page, ``/verify``: brokers and officers check a certificate without an API.

Served by the verifier role. ``GET /verify`` is the form, in the language asked for
(``?lang=es``) or preferred (``Accept-Language``). ``POST /verify`` takes what was pasted,
a chosen file, or the link read from a QR code (``…/verify#vc1=…``: the page's script puts
it in the box and submits it) and verifies it with the verifier service — the checks of
``POST /credentials/verify``, under the same admission (the per-address rate, and a
``verify:credentials`` token when the settings require one) — then shows the result.

Pages for people, not an API: left out of the OpenAPI document. Their stylesheet and
script are served from ``/verify/assets/`` under a Content-Security-Policy that allows
nothing else: no inline script, no other origin.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from vcservice.api.body import check_json
from vcservice.api.deps import ServicesDep, admitted_verification
from vcservice.api.offload import verify_here_or_in_thread
from vcservice.api.problems import DEFAULT_STATUS, STATUS_BY_CODE
from vcservice.errors import ParsingError, RetryLaterError, VcError
from vcservice.printing import decode_payload, payload_in
from vcservice.web.i18n import STRINGS, negotiate
from vcservice.web.render import PageError, asset, verify_page
from vcservice.web.result import Record, result_view
from vcservice.web.verdicts import reason_title

router = APIRouter(include_in_schema=False)

COMPACT_JWT = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
PAGE_HEADERS: Mapping[str, str] = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Vary": "Accept-Language",
}
ASSET_HEADERS: Mapping[str, str] = {
    "Cache-Control": "public, max-age=3600",
    "X-Content-Type-Options": "nosniff",
}
ENTRY_MAX_LENGTH = 40
ENTRY_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9 -]*")
Language = Annotated[str | None, Query(max_length=16, description="en or es")]


@router.get("/verify", response_class=HTMLResponse)
def verify_form(request: Request, lang: Language = None) -> HTMLResponse:
    """The empty form, in the reader's language."""
    language = negotiate(request.headers.get("accept-language"), lang)
    return page_response(verify_page(language=language), language)


@router.post("/verify", response_class=HTMLResponse)
async def verify_submitted(
    request: Request,
    services: ServicesDep,
    *,
    lang: Language = None,
    credential: Annotated[str, Form()] = "",
    upload: Annotated[UploadFile | None, File()] = None,
    entry: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """Verify the submitted certificate (the chosen file, else the box), keep the check in
    the audit log (with the customs entry typed, if any) and show the result as a record.

    As ``POST /credentials/verify``, the verification runs on the event loop unless it must
    fetch (``api.offload``); the record, a committed write, is kept on a worker thread."""
    language = negotiate(request.headers.get("accept-language"), lang)
    try:
        text = _uploaded(upload) or credential
        if not text.strip():
            return _error(language, PageError(STRINGS["empty"]), submitted=text, status=422)
        entry_number = customs_entry(entry)
        await admitted_verification(request, services)
        submitted = submitted_credential(text)
        result = await verify_here_or_in_thread(
            lambda: services.verifier.verify_credential(submitted)
        )
        reference, checked_at, _ = await run_in_threadpool(
            services.verifier.record_check, result, entry_number=entry_number
        )
    except VcError as error:
        return _refused(language, error, submitted=credential, entry=entry)
    record = Record(reference, checked_at, services.settings.verifier_label, entry_number)
    view = result_view(result, registry_name=services.trust.display_name).with_record(record)
    html = verify_page(
        language=language,
        result=view,
        submitted=text,
        entry=entry_number or "",
        zone=services.settings.display_timezone,
    )
    return page_response(html, language)


@router.get("/verify/assets/{name}")
def verify_asset(name: str) -> Response:
    """The page's stylesheet or script."""
    return asset_response(name, asset(name))


def asset_response(name: str, found: tuple[bytes, str] | None) -> Response:
    """A page's static file ``name``, ``found`` with its media type (NOT_FOUND if not)."""
    if found is None:
        raise VcError(f"no asset {name!r}", code="NOT_FOUND", field="name")
    content, media_type = found
    return Response(content, media_type=media_type, headers=dict(ASSET_HEADERS))


def submitted_credential(text: str) -> dict[str, Any] | str:
    """What was submitted: a credential's JSON, a compact JWT, or a QR code's link.

    JSON is held to the API's rules for request bodies (interoperable JSON: no duplicate
    members, UTF-8, bounded depth); anything else is PARSING_ERROR.
    """
    text = text.strip()
    payload = None if text.startswith("{") else payload_in(text)
    if payload is not None:
        text = decode_payload(payload).strip()
    if text.startswith("{"):
        check_json(text.encode())
        document = json.loads(text)
        if isinstance(document, dict):
            return document
    elif COMPACT_JWT.fullmatch(text):
        return text
    raise ParsingError(
        "this is not a credential: paste its JSON, its JWT or the link of its QR code",
        field="credential",
    )


def customs_entry(text: str) -> str | None:
    """The customs entry a check is for (a pedimento or a CBP entry number), or None.

    Letters, digits, spaces and hyphens only (``26 47 3807 6001234``, ``ABC-1234567-8``):
    it goes into the audit log and onto a printed record.
    """
    entry = " ".join(text.split())
    if not entry:
        return None
    if len(entry) > ENTRY_MAX_LENGTH or not ENTRY_PATTERN.fullmatch(entry):
        raise ParsingError(
            f"a customs entry (pedimento or entry number) has up to {ENTRY_MAX_LENGTH} "
            "letters, digits, spaces and hyphens",
            field="entry",
        )
    return entry


def _uploaded(upload: UploadFile | None) -> str | None:
    """The chosen file's text (None when no file was chosen)."""
    if upload is None or not upload.filename:
        return None
    try:
        return upload.file.read().decode("utf-8")
    except UnicodeDecodeError:
        raise ParsingError("the file is not UTF-8 text", field="upload") from None


def _refused(language: str, error: VcError, *, submitted: str, entry: str) -> HTMLResponse:
    """The form again with why the submission was refused, under the API's status."""
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, RetryLaterError) else {}
    page_error = PageError(reason_title(error.code), error.message, error.field)
    status = STATUS_BY_CODE.get(error.code, DEFAULT_STATUS)
    return _error(
        language, page_error, submitted=submitted, entry=entry, status=status, headers=headers
    )


def _error(
    language: str,
    error: PageError,
    *,
    submitted: str,
    status: int,
    entry: str = "",
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    html = verify_page(language=language, submitted=submitted, entry=entry, error=error)
    return page_response(html, language, status=status, headers=headers)


def page_response(
    html: str,
    language: str,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    page_headers: Mapping[str, str] = PAGE_HEADERS,
) -> HTMLResponse:
    """A page in ``language``, with ``page_headers`` (and ``headers``)."""
    return HTMLResponse(
        html,
        status_code=status,
        headers={**page_headers, "Content-Language": language, **(headers or {})},
    )
