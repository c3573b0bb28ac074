"""The page's and the printed certificate's own words in English and Spanish, and the reader's
language: asked for (``?lang=``), else the best of ``Accept-Language``, else English.

Problem titles come from ``vcservice.messages`` and field labels from the vocabulary; only
the words of the pages themselves are here.
"""

from __future__ import annotations

from collections.abc import Mapping

from vcservice.printing.labels import LANGUAGES, Text

__all__ = [
    "CHECKS",
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
    "site": Text("Trusted-trader certificates", "Certificados de comercio exterior confiable"),
    "page_title": Text("Verify a certificate", "Verificar un certificado"),
    "intro": Text(
        "Check an IMMEX, C-TPAT or OEA certificate: paste it, choose its file, or scan its "
        "QR code. The signature, the issuer, the dates, the data and the current status are "
        "checked every time.",
        "Compruebe un certificado IMMEX, C-TPAT u OEA: péguelo, elija su archivo o escanee su "
        "código QR. Cada vez se comprueban la firma, el emisor, las fechas, los datos y el "
        "estado actual.",
    ),
    "skip": Text("Skip to content", "Ir al contenido"),
    "language": Text("Language", "Idioma"),
    "form_heading": Text("Certificate to verify", "Certificado por verificar"),
    "credential_label": Text("Certificate", "Certificado"),
    "credential_help": Text(
        "The certificate's JSON, its JWT, or the link read from its QR code.",
        "El JSON del certificado, su JWT o el enlace leído de su código QR.",
    ),
    "file_label": Text("Or choose its file", "O elija su archivo"),
    "verify": Text("Verify", "Verificar"),
    "verified": Text("Verified", "Verificado"),
    "not_verified": Text("Not verified", "No verificado"),
    "verified_summary": Text(
        "Authentic, in force and issued by an accredited authority.",
        "Auténtico, vigente y emitido por una autoridad acreditada.",
    ),
    "not_verified_summary": Text(
        "Do not rely on this certificate.", "No confíe en este certificado."
    ),
    "status": Text("Status", "Estado"),
    "status_active": Text("Active", "Vigente"),
    "status_suspended": Text("Suspended", "Suspendido"),
    "status_revoked": Text("Revoked", "Revocado"),
    "status_unknown": Text("Could not be checked", "No se pudo comprobar"),
    "status_none": Text("Not checked", "Sin comprobar"),
    "status_unproven": Text("Unknown (no valid signature)", "Desconocido (sin firma válida)"),
    "issuer": Text("Issuer", "Emisor"),
    "issuer_registry": Text("trust registry", "registro de confianza"),
    "issuer_claimed": Text(
        "as the certificate names it; not confirmed by this verifier's trust registry",
        "según el propio certificado; no lo confirma el registro de confianza",
    ),
    "unconfirmed": Text(
        "UNCONFIRMED data — it may have been altered",
        "Datos NO confirmados — pueden estar alterados",
    ),
    "company": Text("Company", "Empresa"),
    "program": Text("Program", "Programa"),
    "valid_from": Text("Valid from", "Vigente desde"),
    "valid_until": Text("Valid until", "Vigente hasta"),
    "subject": Text("Holder (DID)", "Titular (DID)"),
    "issuer_did": Text("Issuer (DID)", "Emisor (DID)"),
    "credential_id": Text("Credential id", "Identificador de la credencial"),
    "data_version": Text("Certificate data version", "Versión de los datos del certificado"),
    "checks": Text("Checks", "Comprobaciones"),
    "check": Text("Check", "Comprobación"),
    "outcome": Text("Result", "Resultado"),
    "reason": Text("Reason", "Motivo"),
    "passed": Text("Passed", "Correcta"),
    "failed": Text("Failed", "Fallida"),
    "skipped": Text("Not run", "No realizada"),
    "document": Text("The credential as verified (JSON)", "La credencial verificada (JSON)"),
    "empty": Text(
        "Paste a certificate or choose its file first.",
        "Primero pegue un certificado o elija su archivo.",
    ),
    "unavailable": Text("Verification is not available", "La verificación no está disponible"),
    "noscript": Text(
        "JavaScript is off, so a QR code's link is not read by itself: paste the whole link "
        "in the box.",
        "JavaScript está desactivado, así que el enlace de un código QR no se lee solo: pegue "
        "el enlace completo en el cuadro.",
    ),
    "scan": Text(
        "Scan to verify the certificate and its current status",
        "Escanee para verificar el certificado y su estado actual",
    ),
    "paper_notice": Text(
        "This printout proves nothing by itself: the certificate holds only if its QR code "
        "verifies at the verification page named beside it, which checks its signature and "
        "current status (a suspension or revocation shows at once).",
        "Esta impresión no acredita nada por sí sola: el certificado es válido solo si su "
        "código QR se verifica en la página de verificación indicada junto a él, que comprueba "
        "su firma y su estado actual (una suspensión o revocación se ve de inmediato).",
    ),
    "no_qr": Text(
        "This certificate is too large for a QR code: verify its electronic file at",
        "Este certificado es demasiado grande para un código QR: verifique su archivo "
        "electrónico en",
    ),
    "printed": Text("Printed", "Impreso"),
}

# The versions of the certificate data (``CertificateType.version``), named for people.
DATA_VERSIONS: Mapping[str, Text] = {
    "v1": Text("v1 (legacy)", "v1 (anterior)"),
    "v2": Text.same("v2"),
}

# The verifier's checks, named for people.
CHECKS: Mapping[str, Text] = {
    "structure": Text("Credential structure", "Estructura de la credencial"),
    "proof": Text("Electronic signature", "Firma electrónica"),
    "issuer": Text("Signed by its issuer", "Firmada por su emisor"),
    "issuerTrust": Text("Issuer accredited", "Emisor acreditado"),
    "validityPeriod": Text("Validity period", "Periodo de vigencia"),
    "credentialSchema": Text("Certificate data", "Datos del certificado"),
    "status": Text("Revocation, suspension, customs", "Revocación, suspensión, aduanas"),
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
