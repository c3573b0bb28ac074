"""The page's and the printed certificate's own words in English and Spanish, and the reader's
language: asked for (``?lang=``), else the best of ``Accept-Language``, else English.

Problem titles come from ``vcservice.messages`` and field labels from the vocabulary; only
the words of the pages themselves are here.
"""

from __future__ import annotations

from collections.abc import Mapping

from vcservice.printing.labels import LANGUAGES, Text

__all__ = [
    "DATA_VERSIONS",
    "DEFAULT_LANGUAGE",
    "LANGUAGE_NAMES",
    "STRINGS",
    "data_version",
    "negotiate",
    "strings",
]

DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES: Mapping[str, str] = {"en": "English", "es": "Español"}

STRINGS: Mapping[str, Text] = {
    "site": Text("Trusted-trader certificates", "Certificados de operador confiable"),
    "page_title": Text("Verify a certificate", "Verificar un certificado"),
    "intro": Text(
        "Check an IMMEX, OEA or C-TPAT certificate: paste it, choose its file or scan its "
        "QR code. Its electronic signature, its issuer, its dates, its data and its current "
        "status are checked every time.",
        "Verifique un certificado IMMEX, OEA o C-TPAT: péguelo, elija su archivo o escanee "
        "su código QR. En cada verificación se comprueban su firma electrónica, su emisor, sus "
        "fechas de vigencia, sus datos y su situación actual.",
    ),
    "skip": Text("Skip to content", "Ir al contenido"),
    "language": Text("Language", "Idioma"),
    "form_heading": Text("Certificate to verify", "Certificado por verificar"),
    "credential_label": Text("Certificate", "Certificado"),
    "credential_help": Text(
        "The certificate's JSON or JWT, or the link read from its QR code.",
        "El JSON o JWT del certificado, o el enlace leído de su código QR.",
    ),
    "file_label": Text("Or choose its file", "O elija su archivo"),
    "entry_label": Text(
        "Customs entry number (optional)", "Número de pedimento o de entrada en EE. UU. (opcional)"
    ),
    "entry_help": Text(
        "Ties this check's record to the entry it is for.",
        "Vincula la constancia de esta verificación con la operación correspondiente.",
    ),
    "verify": Text("Verify", "Verificar"),
    "status": Text("Status", "Situación"),
    "issuer": Text("Issuer", "Emisor"),
    "issuer_claimed": Text(
        "as the certificate names it; not confirmed",
        "según el propio certificado; sin confirmar",
    ),
    "unconfirmed": Text(
        "UNCONFIRMED data — it may have been altered",
        "Datos NO confirmados — pueden estar alterados",
    ),
    "company": Text("Company", "Empresa"),
    "program": Text("Program", "Programa"),
    "valid_from": Text("Valid from", "Inicio de vigencia"),
    "valid_until": Text("Valid until", "Fin de vigencia"),
    "subject": Text("Holder's identifier", "Identificador del titular"),
    "issuer_did": Text("Issuer's identifier", "Identificador del emisor"),
    "credential_id": Text("Certificate identifier", "Identificador del certificado"),
    "data_version": Text("Certificate data version", "Versión de los datos del certificado"),
    "checks": Text("Checks", "Comprobaciones"),
    "check": Text("Check", "Comprobación"),
    "outcome": Text("Result", "Resultado"),
    "reason": Text("Explanation", "Observaciones"),
    "technical": Text("Technical detail", "Detalle técnico"),
    "notice": Text("Customs notice", "Aviso de la autoridad"),
    "record": Text("Verification record", "Constancia de verificación"),
    "reference": Text("Reference", "Folio de la constancia"),
    "checked_at": Text("Checked on", "Fecha y hora de verificación"),
    "verifier": Text("Verifier", "Verificador"),
    "entry": Text("Customs entry", "Pedimento o entrada en EE. UU."),
    "print_record": Text("Print or save the record", "Imprimir o guardar la constancia"),
    "record_note": Text(
        "Kept in this verifier's audit log under the reference above. The status shown is "
        "the one at the time of the check.",
        "Se conserva en la bitácora de este verificador con el folio indicado. La situación "
        "mostrada es la del momento de la verificación.",
    ),
    "document": Text(
        "The certificate as received (JSON)", "El certificado tal como se recibió (JSON)"
    ),
    "empty": Text(
        "Paste a certificate or choose its file first.",
        "Primero pegue un certificado o elija su archivo.",
    ),
    "error_field": Text("Field", "Campo"),
    "noscript": Text(
        "JavaScript is off, so a QR code's link is not read by itself: paste the whole link "
        "in the box.",
        "JavaScript está desactivado, por lo que el enlace del código QR no se lee "
        "automáticamente: pegue el enlace completo en el cuadro.",
    ),
}

# The versions of the certificate data (``CertificateType.version``), named for people.
DATA_VERSIONS: Mapping[str, Text] = {
    "v1": Text("v1 (legacy)", "v1 (anterior)"),
    "v2": Text.same("v2"),
}


def strings(language: str) -> dict[str, str]:
    """Every page string in ``language``."""
    return {key: text.in_language(language) for key, text in STRINGS.items()}


def data_version(version: str) -> Text:
    """A version of the certificate data for people (a version not listed reads as it is)."""
    return DATA_VERSIONS.get(version, Text.same(version))


def negotiate(accept_language: str | None, requested: str | None = None) -> str:
    """The language to answer in: ``requested`` if supported, else the best of
    ``Accept-Language`` (RFC 9110 §12.5.4: by quality, then order; ``es-MX`` is ``es``),
    else English."""
    if requested in LANGUAGES:
        return requested
    best, best_quality = DEFAULT_LANGUAGE, 0.0
    for entry in (accept_language or "").split(",")[:50]:
        tag, _, parameters = entry.partition(";")
        language = tag.strip().split("-")[0].lower()
        quality = _quality(parameters)
        if language in LANGUAGES and quality > best_quality:
            best, best_quality = language, quality
    return best


def _quality(parameters: str) -> float:
    """The ``q`` weight of an Accept-Language entry (1 when absent, 0 when malformed)."""
    name, _, value = parameters.strip().partition("=")
    if name.strip().lower() != "q":
        return 1.0
    try:
        quality = float(value)
    except ValueError:
        return 0.0
    return quality if 0.0 <= quality <= 1.0 else 0.0
