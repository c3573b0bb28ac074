"""Certificates for people: the human view of a credential, and QR codes that carry it.

``view`` turns an IMMEX, C-TPAT or OEA credential into what a broker reads (company,
identifiers, program, modality or tier, validity, issuer), labelled in English and
Spanish from the project's vocabulary; ``payload`` packs a credential into a link to a
verification page (``…/verify#vc1=…``); ``qr`` draws that link as a QR code in SVG.
"""

from __future__ import annotations

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
    "CertificateView",
    "QrCode",
    "Text",
    "certificate_view",
    "credential_document",
    "decode_payload",
    "encode_payload",
    "moment_text",
    "payload_in",
    "qr_code",
    "verification_link",
]
