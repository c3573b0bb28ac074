"""HTML for people: the verify page and the printable certificate (Jinja2, autoescaped).

The verify page links its stylesheet and script from ``/verify/assets/`` (served by this
service: no CDN, no web fonts). A printable certificate is one self-contained document —
styles inline, the QR code inline SVG, no script — so it prints, saves and opens from a
file as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from markupsafe import Markup

from vcservice.printing import dates as sheet_dates
from vcservice.printing.labels import Text
from vcservice.printing.payload import verification_link
from vcservice.printing.qr import QrCode, qr_code
from vcservice.printing.view import (
    CertificateView,
    certificate_view,
    credential_document,
)
from vcservice.web.i18n import LANGUAGE_NAMES, data_version, strings
from vcservice.web.result import ResultView
from vcservice.web.sheet_words import SHEET, annex_heading, first_page_sites, sites_shown
from vcservice.web.templating import environment, static_file
from vcservice.web.verdicts import OUTCOMES

__all__ = ["ASSETS", "PageError", "asset", "printable_certificate", "verify_page"]

# The verify page's static files: name → media type.
ASSETS: Mapping[str, str] = {
    "verify.css": "text/css; charset=utf-8",
    "verify.js": "text/javascript; charset=utf-8",
}
CERTIFICATE_CSS = "certificate.css"


@dataclass(frozen=True, slots=True)
class PageError:
    """Why the page could not verify what was submitted (shown by the input box)."""

    title: Text
    detail: str | None = None
    field: str | None = None


def verify_page(
    *,
    language: str,
    result: ResultView | None = None,
    submitted: str = "",
    entry: str = "",
    error: PageError | None = None,
    zone: str = sheet_dates.DEFAULT_ZONE,
) -> str:
    """The verify page in ``language``: the form, and the result or error of a submission;
    times are shown in the IANA time ``zone``."""
    return (
        environment()
        .get_template("verify.html")
        .render(
            lang=language,
            t=strings(language),
            languages=LANGUAGE_NAMES,
            result=result,
            submitted=submitted,
            entry=entry,
            error=error,
            data_version=data_version,
            outcomes=OUTCOMES,
            moment=lambda instant: sheet_dates.moment_for_people(instant, language, zone),
        )
    )


def printable_certificate(
    credential: Mapping[str, Any] | str,
    *,
    page_url: str,
    printed_at: datetime,
    zone: sheet_dates.Zone = sheet_dates.DEFAULT_ZONE,
) -> str:
    """The printable certificate of ``credential`` (JSON, or a compact ``vc+jwt``).

    Bilingual, the program's own language first, with a QR code of ``page_url`` carrying
    the whole credential (``#vc1=…``), so that any verify page checks it live. One page of
    Letter or A4 with up to three sites (``sheet_words.first_page_sites``); the others on an
    annex page. The moment it was printed reads in local time of ``zone`` (an IANA name or a
    tzinfo).
    """
    view = certificate_view(credential_document(credential))
    title = SHEET["scan"].in_language(view.languages[0])
    qr = qr_code(verification_link(page_url, credential), title=title)
    return _certificate_page(view, qr=qr, page_url=page_url, printed_at=printed_at, zone=zone)


def _certificate_page(
    view: CertificateView,
    *,
    qr: QrCode | None,
    page_url: str,
    printed_at: datetime,
    zone: sheet_dates.Zone = sheet_dates.DEFAULT_ZONE,
) -> str:
    return (
        environment()
        .get_template("certificate.html")
        .render(
            view=view,
            lang=view.languages[0],
            first=view.languages[0],
            second=view.languages[1],
            s=SHEET,
            data_version=data_version,
            first_page_sites=first_page_sites,
            sites_shown=sites_shown,
            annex_heading=annex_heading,
            qr=qr,
            qr_svg=Markup(qr.svg) if qr else None,  # noqa: S704  (segno's own SVG, no input text)
            page_url=page_url,
            printed_at=sheet_dates.moment_texts(printed_at, zone),
            css=Markup(static_file(CERTIFICATE_CSS).decode()),  # noqa: S704  (a file of this package)
        )
    )


def asset(name: str) -> tuple[bytes, str] | None:
    """A static file of the verify page and its media type (None for any other name)."""
    media_type = ASSETS.get(name)
    return None if media_type is None else (static_file(name), media_type)
