"""QR codes for printed certificates (segno), as inline SVG, as robust as their size allows.

A link carrying a whole certificate (``payload.verification_link``) is 640–740 characters
for the project's credentials, which is QR version 24–26 at error correction Q (25 % of
the symbol may be lost: a fold, a stain, a staple) and 20–22 at M. Printed 66 mm wide, a
version 27 symbol (125 modules and a 4-module quiet zone) has 0.5 mm modules, which phone
cameras read at arm's length; so the strongest level that stays within version 27 is
chosen, and only a credential too large for that gets a larger symbol at level L.
"""

from __future__ import annotations

from dataclasses import dataclass

import segno

__all__ = ["MAX_PRINTED_VERSION", "QrCode", "qr_code"]

MAX_PRINTED_VERSION = 27
LEVELS = ("Q", "M", "L")  # the strongest first; H never fits a certificate within 27
QUIET_ZONE = 4  # modules, as ISO/IEC 18004 requires


@dataclass(frozen=True, slots=True)
class QrCode:
    """A rendered QR code: inline SVG (scalable, no size of its own) and what it is."""

    data: str
    svg: str
    version: int
    error: str
    modules: int

    @property
    def designator(self) -> str:
        """Version and error level, as ``25-Q``."""
        return f"{self.version}-{self.error}"


def qr_code(
    data: str, *, title: str = "QR", max_version: int = MAX_PRINTED_VERSION
) -> QrCode | None:
    """The QR code of ``data`` at the strongest level within ``max_version``.

    Past ``max_version`` at every level: the level-L symbol, whatever its version; None
    when ``data`` does not fit any QR code at all.
    """
    fallback = None
    for level in LEVELS:
        try:
            code = segno.make_qr(data, error=level, boost_error=True)
        except segno.DataOverflowError:
            continue
        if int(code.version) <= max_version:  # a QR code (not Micro QR) has a number
            return _rendered(data, code, title)
        fallback = code
    return _rendered(data, fallback, title) if fallback is not None else None


def _rendered(data: str, code: segno.QRCode, title: str) -> QrCode:
    svg = code.svg_inline(
        border=QUIET_ZONE, omitsize=True, svgclass="qr", lineclass=None, light="#fff", title=title
    )
    return QrCode(
        data=data,
        svg=svg,
        version=int(code.version),
        error=str(code.error),
        modules=int(code.symbol_size(border=0)[0]),
    )
