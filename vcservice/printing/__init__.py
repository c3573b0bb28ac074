"""Certificates for people: the human view of a credential, and QR codes that carry it.

``view`` turns an IMMEX, C-TPAT or OEA credential into what a broker reads (company,
identifiers, program, modality or tier, validity, issuer), labelled in English and
Spanish from the project's vocabulary, its dates as people write them and its addresses
in their country's format (``dates``, ``addresses``); ``moment_for_people`` writes a moment
(a check, a printout) in local time of a display time zone; ``payload`` packs a credential
into a link to a verification page (``…/verify#vc1=…``); ``qr`` draws that link as a QR
code in SVG.
"""

from __future__ import annotations

from vcservice.printing.addresses import country_name, postal_lines
from vcservice.printing.dates import (
    DEFAULT_ZONE,
    date_for_people,
    date_text,
    display_zone,
    moment_for_people,
    moment_texts,
)
from vcservice.printing.labels import Text
from vcservice.printing.payload import decode_payload, encode_payload, payload_in, verification_link
from vcservice.printing.qr import QrCode, qr_code
from vcservice.printing.view import (
    CertificateView,
    certificate_view,
    credential_document,
    moment_text,
)

__all__ = [
    "DEFAULT_ZONE",
    "CertificateView",
    "QrCode",
    "Text",
    "certificate_view",
    "country_name",
    "credential_document",
    "date_for_people",
    "date_text",
    "decode_payload",
    "display_zone",
    "encode_payload",
    "moment_for_people",
    "moment_text",
    "moment_texts",
    "payload_in",
    "postal_lines",
    "qr_code",
    "verification_link",
]
