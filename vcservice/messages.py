"""Human text for every problem code, in English and Spanish, and RFC 9457 problem details."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from vcservice.errors import Problem

VCDM = "https://www.w3.org/TR/vc-data-model#"
DATA_INTEGRITY = "https://w3id.org/security#"
STATUS_LIST = "https://www.w3.org/ns/credentials/status-list#"
VCSERVICE = "https://w3id.org/vcservice/problems#"


class Message(NamedTuple):
    """Where a code is defined, and its title in English and Spanish."""

    namespace: str
    en: str
    es: str


CATALOG: Mapping[str, Message] = {
    "PARSING_ERROR": Message(
        VCDM, "The document could not be parsed", "No se pudo interpretar el documento"
    ),
    "MALFORMED_VALUE_ERROR": Message(
        VCDM, "A value is malformed", "Un valor tiene un formato incorrecto"
    ),
    "CRYPTOGRAPHIC_SECURITY_ERROR": Message(
        VCDM,
        "The document is not cryptographically secured",
        "El documento no está firmado electrónicamente",
    ),
    "PROOF_VERIFICATION_ERROR": Message(
        DATA_INTEGRITY, "The proof does not verify", "La firma no es válida"
    ),
    "PROOF_GENERATION_ERROR": Message(
        DATA_INTEGRITY,
        "The proof could not be created",
        "No se pudo generar la firma",
    ),
    "PROOF_TRANSFORMATION_ERROR": Message(
        DATA_INTEGRITY,
        "The document could not be transformed for its proof",
        "No se pudo transformar el documento para su firma",
    ),
    "MALFORMED_PROOF_ERROR": Message(
        DATA_INTEGRITY, "The proof is malformed", "La firma tiene un formato incorrecto"
    ),
    "INVALID_CHALLENGE_ERROR": Message(
        DATA_INTEGRITY,
        "The proof was not made for this challenge",
        "La firma no corresponde a este desafío",
    ),
    "INVALID_DOMAIN_ERROR": Message(
        DATA_INTEGRITY,
        "The proof was not made for this domain",
        "La firma no corresponde a este dominio",
    ),
    "CREDENTIAL_NOT_ACCEPTED": Message(
        VCSERVICE,
        "The credential was not accepted by the holder",
        "El titular no aceptó la credencial",
    ),
    "TOO_MANY_CHALLENGES": Message(
        VCSERVICE,
        "Too many challenges are open",
        "Hay demasiados desafíos abiertos",
    ),
    "TOO_MANY_EXCHANGES": Message(
        VCSERVICE,
        "Too many exchanges are open",
        "Hay demasiados intercambios abiertos",
    ),
    "EXCHANGE_NOT_PENDING": Message(
        VCSERVICE,
        "The exchange cannot be answered any more",
        "El intercambio ya no admite respuesta",
    ),
    "RATE_LIMITED": Message(
        VCSERVICE,
        "Too many requests",
        "Demasiadas solicitudes",
    ),
    "VERIFICATION_FAILED": Message(
        VCSERVICE,
        "The credential or presentation did not verify",
        "No se pudo verificar la credencial o la presentación",
    ),
    "RETRY_LATER": Message(
        VCSERVICE,
        "The request cannot be served now; try again later",
        "La solicitud no puede atenderse ahora; inténtelo más tarde",
    ),
    "PRESENTATION_TOO_LARGE": Message(
        VCSERVICE,
        "The presentation is too large to keep",
        "La presentación es demasiado grande para conservarla",
    ),
    "REQUIRED_CREDENTIAL_MISSING": Message(
        VCSERVICE,
        "The presentation lacks a credential the verifier requires",
        "La presentación no incluye una credencial que el verificador exige",
    ),
    "INVALID_PROOF_PURPOSE": Message(
        VCSERVICE,
        "The key was not authorized for this purpose",
        "La clave no está autorizada para este propósito",
    ),
    "UNSUPPORTED_CRYPTOSUITE": Message(
        VCSERVICE,
        "The proof's cryptosuite is not supported",
        "El conjunto criptográfico de la firma no es compatible",
    ),
    "NO_PROOF": Message(VCSERVICE, "The document has no proof", "El documento no tiene firma"),
    "INVALID_ISSUER": Message(
        VCSERVICE,
        "The credential was not signed by its issuer",
        "La credencial no fue firmada por su emisor",
    ),
    "INVALID_HOLDER": Message(
        VCSERVICE,
        "The presentation was not signed by its holder",
        "La presentación no fue firmada por su titular",
    ),
    "HOLDER_BINDING_ERROR": Message(
        VCSERVICE,
        "A credential in the presentation is not about its signer",
        "Una credencial de la presentación no corresponde a quien la presenta",
    ),
    "ISSUER_NOT_TRUSTED": Message(
        VCSERVICE,
        "The issuer is not accredited for this credential type",
        "El emisor no está acreditado para este tipo de credencial",
    ),
    "TRUST_LIST_STALE": Message(
        VCSERVICE,
        "A trust list needed to check the issuer cannot be relied on now",
        "Una lista de confianza necesaria para verificar al emisor no es fiable en este momento",
    ),
    "TRUST_LIST_INVALID": Message(
        VCSERVICE,
        "The trust list is not a validly signed trust list",
        "La lista de confianza no es una lista firmada válida",
    ),
    "TRUST_LIST_SIGNER_MISMATCH": Message(
        VCSERVICE,
        "The trust list is not signed by its expected operator",
        "La lista de confianza no está firmada por su operador esperado",
    ),
    "TRUST_LIST_KEY_NOT_ANNOUNCED": Message(
        VCSERVICE,
        "The trust list is signed by a key the previous list did not announce",
        "La lista de confianza está firmada con una clave que la lista anterior no anunció",
    ),
    "TRUST_LIST_ROLLBACK": Message(
        VCSERVICE,
        "The trust list is older than the one already held",
        "La lista de confianza es anterior a la que ya se tiene",
    ),
    "TRUST_LIST_EQUIVOCATION": Message(
        VCSERVICE,
        "The trust list has the sequence number of a different list already held",
        "La lista de confianza tiene el número de secuencia de otra lista ya recibida",
    ),
    "TRUST_LIST_NOT_YET_VALID": Message(
        VCSERVICE,
        "The trust list is not valid yet",
        "La lista de confianza aún no entra en vigor",
    ),
    "TRUST_LIST_EXPIRED": Message(
        VCSERVICE,
        "The trust list has expired",
        "La lista de confianza está vencida",
    ),
    "INVALID_CREDENTIAL": Message(
        VCSERVICE,
        "A credential in the presentation does not verify",
        "Una credencial de la presentación no es válida",
    ),
    "CREDENTIAL_EXPIRED": Message(
        VCSERVICE, "The credential has expired", "La credencial está vencida"
    ),
    "CREDENTIAL_NOT_YET_VALID": Message(
        VCSERVICE, "The credential is not valid yet", "La credencial aún no entra en vigor"
    ),
    "CONTEXT_NOT_PINNED": Message(
        VCSERVICE,
        "The document uses a context that is not accepted",
        "El documento usa un contexto no aceptado",
    ),
    "CONTEXT_NOT_INSTALLED": Message(
        VCSERVICE,
        "An accepted context is not installed on this system",
        "Un contexto aceptado no está instalado en este sistema",
    ),
    "CONTEXT_REFUSED": Message(
        VCSERVICE,
        "The context may not be accepted",
        "El contexto no puede aceptarse",
    ),
    "SCHEMA_REFUSED": Message(
        VCSERVICE,
        "The schema may not be accepted",
        "El esquema no puede aceptarse",
    ),
    "SCHEMA_NOT_INSTALLED": Message(
        VCSERVICE,
        "An accepted schema is not installed on this system",
        "Un esquema aceptado no está instalado en este sistema",
    ),
    "SCHEMA_DIGEST_MISMATCH": Message(
        VCSERVICE,
        "The credential's schema digest does not match the pinned schema",
        "El resumen del esquema de la credencial no coincide con el esquema fijado",
    ),
    "CONTEXT_DIGEST_MISMATCH": Message(
        VCSERVICE,
        "A context does not match its pinned content",
        "Un contexto no coincide con el contenido esperado",
    ),
    "DATA_LOSS_DETECTION_ERROR": Message(
        VCSERVICE,
        "The document contains terms that are not defined",
        "El documento contiene términos no definidos",
    ),
    "COMPACT_FORM_ERROR": Message(
        VCSERVICE,
        "The document is not written in the form its contexts define",
        "El documento no está escrito en la forma que definen sus contextos",
    ),
    "CANONICALIZATION_LIMIT_EXCEEDED": Message(
        VCSERVICE,
        "The document is too complex to canonicalize safely",
        "El documento es demasiado complejo para canonicalizarlo con seguridad",
    ),
    "INVALID_KEY": Message(
        VCSERVICE, "A key is malformed", "Una clave tiene un formato incorrecto"
    ),
    "UNSUPPORTED_KEY_TYPE": Message(
        VCSERVICE, "The key type is not supported", "El tipo de clave no es compatible"
    ),
    "INVALID_DID": Message(
        VCSERVICE,
        "The DID is not valid or its method is not supported",
        "El DID no es válido o su método no es compatible",
    ),
    "DID_NOT_FOUND": Message(VCSERVICE, "The DID could not be found", "No se encontró el DID"),
    "DID_RESOLUTION_ERROR": Message(
        VCSERVICE, "The DID could not be resolved", "No se pudo obtener el documento DID"
    ),
    "INVALID_VERIFICATION_METHOD": Message(
        VCSERVICE, "The verification method is not valid", "El método de verificación no es válido"
    ),
    "FETCH_BLOCKED": Message(
        VCSERVICE,
        "A network fetch was refused by policy",
        "La política de red bloqueó una descarga",
    ),
    "FETCH_FAILED": Message(VCSERVICE, "A network fetch failed", "Falló una descarga de red"),
    "FETCH_TOO_LARGE": Message(
        VCSERVICE, "A fetched document is too large", "Un documento descargado es demasiado grande"
    ),
    "STATUS_RETRIEVAL_ERROR": Message(
        STATUS_LIST,
        "The status list could not be retrieved",
        "No se pudo obtener la lista de estado",
    ),
    "STATUS_VERIFICATION_ERROR": Message(
        STATUS_LIST,
        "The status list or status entry does not verify",
        "La lista de estado o la entrada de estado no es válida",
    ),
    "STATUS_LIST_LENGTH_ERROR": Message(
        STATUS_LIST,
        "The status list is too short to protect privacy",
        "La lista de estado es demasiado corta para proteger la privacidad",
    ),
    "RANGE_ERROR": Message(VCDM, "A value is out of range", "Un valor está fuera de rango"),
    "CREDENTIAL_REVOKED": Message(
        VCSERVICE, "The credential has been revoked", "La credencial está revocada"
    ),
    "CREDENTIAL_SUSPENDED": Message(
        VCSERVICE, "The credential is suspended", "La credencial está suspendida"
    ),
    "STATUS_DATA_STALE": Message(
        VCSERVICE,
        "The status data is older than allowed",
        "Los datos de estado son más antiguos de lo permitido",
    ),
    "UNSUPPORTED_STATUS_TYPE": Message(
        VCSERVICE,
        "The credential's status type is not supported",
        "El tipo de estado de la credencial no es compatible",
    ),
    "STATUS_LIST_TOO_LARGE": Message(
        VCSERVICE, "The status list is too large", "La lista de estado es demasiado grande"
    ),
    "UNAUTHORIZED": Message(VCSERVICE, "Authentication is required", "Se requiere autenticación"),
    "INVALID_CLIENT": Message(
        VCSERVICE, "The client could not be authenticated", "No se pudo autenticar al cliente"
    ),
    "INVALID_TOKEN": Message(
        VCSERVICE, "The access token is not valid", "El token de acceso no es válido"
    ),
    "INSUFFICIENT_SCOPE": Message(
        VCSERVICE,
        "The access token does not allow this",
        "El token de acceso no autoriza esta operación",
    ),
    "INVALID_SCOPE": Message(
        VCSERVICE,
        "The requested scope is not allowed for this client",
        "El alcance solicitado no está permitido para este cliente",
    ),
    "FORBIDDEN": Message(
        VCSERVICE,
        "This is not allowed for this authority",
        "Esta operación no está permitida para esta autoridad",
    ),
    "NOT_FOUND": Message(VCSERVICE, "Not found", "No encontrado"),
    "METHOD_NOT_ALLOWED": Message(VCSERVICE, "Method not allowed", "Método no permitido"),
    "CONFLICT": Message(
        VCSERVICE,
        "This conflicts with an existing record",
        "La solicitud entra en conflicto con un registro existente",
    ),
    "IDEMPOTENCY_KEY_REUSED": Message(
        VCSERVICE,
        "The Idempotency-Key was used for a different request",
        "La clave de idempotencia ya se usó para otra solicitud",
    ),
    "PAYLOAD_TOO_LARGE": Message(
        VCSERVICE, "The request body is too large", "El cuerpo de la solicitud es demasiado grande"
    ),
    "UNSUPPORTED_MEDIA_TYPE": Message(
        VCSERVICE,
        "The request's media type is not supported",
        "El tipo de contenido de la solicitud no es compatible",
    ),
    "STORAGE_ERROR": Message(
        VCSERVICE, "The registry is unavailable", "El registro no está disponible"
    ),
    "NOT_READY": Message(
        VCSERVICE,
        "The service is not ready: its database, key store or contexts are unavailable",
        "El servicio no está listo: su base de datos, su almacén de claves o sus contextos no "
        "están disponibles",
    ),
    "KEY_DECRYPTION_FAILED": Message(
        VCSERVICE,
        "A signing key could not be unlocked",
        "No se pudo desbloquear una clave de firma",
    ),
    "KEY_STORE_UNAVAILABLE": Message(
        VCSERVICE,
        "The key store (HSM token) is unavailable",
        "El almacén de claves (token del HSM) no está disponible",
    ),
    "KEY_STORE_LOGIN_FAILED": Message(
        VCSERVICE,
        "The key store (HSM token) refused the login",
        "El almacén de claves (token del HSM) rechazó el inicio de sesión",
    ),
    "KEY_NOT_IN_KEY_STORE": Message(
        VCSERVICE,
        "A signing key is not in the configured key store",
        "Una clave de firma no está en el almacén de claves configurado",
    ),
    "AUDIT_ENTRY_ALTERED": Message(
        VCSERVICE,
        "An audit entry does not match its hash",
        "Una entrada de auditoría no coincide con su hash",
    ),
    "AUDIT_ENTRY_MISSING": Message(
        VCSERVICE,
        "Audit entries are missing",
        "Faltan entradas de auditoría",
    ),
    "AUDIT_ENTRY_OUT_OF_ORDER": Message(
        VCSERVICE,
        "An audit entry is out of order",
        "Una entrada de auditoría está fuera de orden",
    ),
    "AUDIT_CHAIN_BROKEN": Message(
        VCSERVICE,
        "An audit entry does not follow the one before it",
        "Una entrada de auditoría no sigue a la anterior",
    ),
    "AUDIT_HEAD_MISMATCH": Message(
        VCSERVICE,
        "The audit log does not end where its head says",
        "La bitácora de auditoría no termina donde indica su registro de cabecera",
    ),
    "ISSUER_REFUSED": Message(
        VCSERVICE,
        "The credential issuer refused the wallet's request",
        "El emisor de la credencial rechazó la solicitud de la cartera",
    ),
    "HTTP_ERROR": Message(VCSERVICE, "The request failed", "La solicitud falló"),
    "INTERNAL_ERROR": Message(
        VCSERVICE, "An unexpected error occurred", "Ocurrió un error inesperado"
    ),
}

_UNKNOWN = Message(VCSERVICE, "Verification problem", "Problema de verificación")


def message_for(code: str) -> Message:
    """The catalog entry for ``code`` (a generic one for codes not in the catalog)."""
    return CATALOG.get(code, _UNKNOWN)


def problem_details(problems: Iterable[Problem]) -> list[dict[str, Any]]:
    """RFC 9457-style problem details, with titles in every supported language."""
    details = []
    for problem in problems:
        message = message_for(problem.code)
        entry: dict[str, Any] = {
            "type": message.namespace + problem.code,
            "code": problem.code,
            "title": message.en,
            "detail": problem.detail,
            "i18n": {"en": {"title": message.en}, "es": {"title": message.es}},
        }
        if problem.field:
            entry["field"] = problem.field
        details.append(entry)
    return details
