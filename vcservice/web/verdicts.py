"""What a verification means to a person, in English and Spanish: verdicts, checks, reasons.

Written for a customs broker or officer at a crossing, not for a developer: one heading
per verdict (``vcservice.verification.verdict``) that cannot be misread, what to do, and
each reason a check failed in plain words. Mexican customs Spanish: "certificado" for the
document checked, "firma electrónica", "autoridad emisora", "vigente" only of a certificate
established as in force. The API's problem titles (``vcservice.messages``) speak of any
verifiable credential; these speak of a trusted-trader certificate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from vcservice.messages import message_for
from vcservice.model.checks import Outcome
from vcservice.printing.labels import Text
from vcservice.verification.verdict import Verdict

__all__ = [
    "CHECKS",
    "CHECK_PASSED",
    "OUTCOMES",
    "UNCHECKABLE_WHAT",
    "VERDICTS",
    "VerdictWords",
    "reason_title",
]


@dataclass(frozen=True, slots=True)
class VerdictWords:
    """How a verdict reads: its heading, what it means and what to do, its one-word status."""

    heading: Text
    summary: Text
    status: Text


NOT_ESTABLISHED = Text("Not established", "Sin determinar")

VERDICTS: Mapping[Verdict, VerdictWords] = {
    Verdict.VERIFIED: VerdictWords(
        Text("Verified — in force", "Verificado — vigente"),
        Text(
            "Authentic, issued by an accredited authority, in force, neither suspended nor "
            "revoked.",
            "Auténtico, expedido por una autoridad acreditada, vigente, sin suspensión ni "
            "revocación.",
        ),
        Text("In force", "Vigente"),
    ),
    Verdict.MESSAGE: VerdictWords(
        Text("Verified — with a customs notice", "Verificado — con aviso de la autoridad"),
        Text(
            "Authentic and in force, but the issuing authority has posted a notice on it:",
            "Auténtico y vigente, pero la autoridad emisora publicó un aviso sobre él:",
        ),
        Text("In force, with a notice", "Vigente, con aviso"),
    ),
    Verdict.UNCHECKABLE: VerdictWords(
        Text("Could not be checked — try again", "No se pudo comprobar — intente de nuevo"),
        Text(
            "This does not mean it is forged: something needed to check it could not be "
            "obtained. Try again in a few minutes; if it persists, confirm with the issuing "
            "authority.",
            "Esto no significa que sea falso: no se pudo obtener información necesaria para "
            "comprobarlo. Intente de nuevo en unos minutos; si el problema persiste, confirme "
            "con la autoridad emisora.",
        ),
        Text("Not confirmed", "Sin confirmar"),
    ),
    Verdict.ALTERED: VerdictWords(
        Text("Not authentic — altered or forged", "No auténtico — alterado o falsificado"),
        Text(
            "Its electronic signature does not match its content. Do not accept it.",
            "Su firma electrónica no corresponde a su contenido. No lo acepte.",
        ),
        NOT_ESTABLISHED,
    ),
    Verdict.REVOKED: VerdictWords(
        Text("Revoked", "Revocado"),
        Text(
            "The issuing authority has revoked this certificate. Do not accept it.",
            "La autoridad emisora revocó este certificado. No lo acepte.",
        ),
        Text("Revoked", "Revocado"),
    ),
    Verdict.SUSPENDED: VerdictWords(
        Text("Suspended", "Suspendido"),
        Text(
            "The issuing authority has suspended this certificate. Do not accept it while "
            "the suspension lasts.",
            "La autoridad emisora suspendió este certificado. No lo acepte mientras dure la "
            "suspensión.",
        ),
        Text("Suspended", "Suspendido"),
    ),
    Verdict.EXPIRED: VerdictWords(
        Text("Expired", "Vencido"),
        Text(
            "Authentic, but its validity has ended. Do not accept it.",
            "Auténtico, pero su vigencia terminó. No lo acepte.",
        ),
        Text("Expired", "Vencido"),
    ),
    Verdict.NOT_YET_VALID: VerdictWords(
        Text("Not yet in force", "Aún no vigente"),
        Text(
            "Authentic, but its validity has not begun. Do not accept it yet.",
            "Auténtico, pero su vigencia aún no comienza. No lo acepte todavía.",
        ),
        Text("Not yet in force", "Aún no vigente"),
    ),
    Verdict.NOT_ACCREDITED: VerdictWords(
        Text("Issuer not accredited", "Emisor no acreditado"),
        Text(
            "Its signature is valid, but whoever signed it is not accredited with this "
            "verifier to issue this type of certificate. Do not accept it.",
            "Su firma es válida, pero quien lo firmó no está acreditado ante este "
            "verificador para expedir este tipo de certificado. No lo acepte.",
        ),
        NOT_ESTABLISHED,
    ),
    Verdict.INVALID_DATA: VerdictWords(
        Text("Data not valid", "Datos no válidos"),
        Text(
            "Authentic, but its data do not meet the rules of its program. Do not accept it.",
            "Auténtico, pero sus datos no cumplen las reglas de su programa. No lo acepte.",
        ),
        NOT_ESTABLISHED,
    ),
}

# For an ``uncheckable`` verdict: what could not be had, by the check that needed it (a
# trust list too old to rely on is not "not accredited": it is not known).
UNCHECKABLE_WHAT: Mapping[str, Text] = {
    "proof": Text(
        "The issuing authority's public keys could not be obtained.",
        "No se pudieron obtener las claves públicas de la autoridad emisora.",
    ),
    "status": Text(
        "The issuing authority's suspension and revocation lists could not be obtained, "
        "or are out of date.",
        "No se pudieron obtener las listas de suspensión y revocación de la autoridad "
        "emisora, o están desactualizadas.",
    ),
    "issuerTrust": Text(
        "The trust list that accredits issuers of this type of certificate is too old to "
        "rely on, so whether the issuer is accredited could not be checked.",
        "La lista de confianza que acredita a los emisores de este tipo de certificado es "
        "demasiado antigua para confiar en ella, por lo que no se pudo comprobar si el emisor "
        "está acreditado.",
    ),
}

# The verifier's checks, named for people.
CHECKS: Mapping[str, Text] = {
    "structure": Text("Certificate format", "Formato del certificado"),
    "proof": Text("Electronic signature", "Firma electrónica"),
    "issuer": Text("Signed by its issuer", "Firmado por su emisor"),
    "issuerTrust": Text("Issuer accredited", "Emisor acreditado"),
    "validityPeriod": Text("Validity dates", "Fechas de vigencia"),
    "credentialSchema": Text("Program rules", "Reglas del programa"),
    "status": Text("Suspension, revocation, notices", "Suspensión, revocación y avisos"),
    # A presentation's own checks (the command line shows them).
    "holder": Text("Signed by its holder", "Firmada por su titular"),
    "credentials": Text("Its certificates", "Sus certificados"),
    "holderBinding": Text(
        "Certificates of whoever presents them", "Certificados de quien los presenta"
    ),
    "credentialTypes": Text("Certificates required", "Certificados requeridos"),
}

# How a check ended; gender-free in Spanish, whatever the check is called.
OUTCOMES: Mapping[str, Text] = {
    Outcome.PASSED.value: Text("Passed", "Conforme"),
    Outcome.FAILED.value: Text("Failed", "No conforme"),
    Outcome.SKIPPED.value: Text("Not checked", "Sin comprobar"),
}

# What a passed check established.
CHECK_PASSED: Mapping[str, Text] = {
    "structure": Text(
        "A well-formed certificate in the accepted vocabulary.",
        "Certificado con formato correcto y vocabulario aceptado.",
    ),
    "proof": Text(
        "The electronic signature matches the content.",
        "La firma electrónica corresponde al contenido.",
    ),
    "issuer": Text(
        "Signed with a key of the authority it names as issuer.",
        "Firmado con una clave de la autoridad que figura como emisora.",
    ),
    "validityPeriod": Text("Within its validity dates.", "Dentro de sus fechas de vigencia."),
    "credentialSchema": Text(
        "The data meet the rules of the program.", "Los datos cumplen las reglas del programa."
    ),
    "status": Text(
        "Neither suspended nor revoked in the issuing authority's current lists.",
        "Sin suspensión ni revocación en las listas actuales de la autoridad emisora.",
    ),
}
NOT_RUN = Text("Not run by this verifier.", "Este verificador no realiza esta comprobación.")
NOT_RUN_UNSIGNED = Text(
    "It would rest on data without a valid signature.",
    "Dependería de datos sin firma válida.",
)
NO_STATUS_ENTRIES = Text(
    "The certificate names no suspension or revocation list.",
    "El certificado no indica listas de suspensión ni revocación.",
)

UNSIGNED = Text(
    "The certificate carries no electronic signature", "El certificado no tiene firma electrónica"
)
# Why a check failed, for the codes a certificate's verification gives.
REASONS: Mapping[str, Text] = {
    "PARSING_ERROR": Text("This is not a readable certificate", "No es un certificado legible"),
    "MALFORMED_VALUE_ERROR": Text(
        "A value of the certificate does not meet its rules",
        "Un dato del certificado no cumple sus reglas",
    ),
    "CRYPTOGRAPHIC_SECURITY_ERROR": Text(
        "The certificate carries no electronic signature",
        "El certificado no tiene firma electrónica",
    ),
    "NO_PROOF": Text(
        "The certificate carries no electronic signature",
        "El certificado no tiene firma electrónica",
    ),
    "PROOF_VERIFICATION_ERROR": Text(
        "The electronic signature does not match the content",
        "La firma electrónica no corresponde al contenido",
    ),
    "MALFORMED_PROOF_ERROR": Text(
        "The electronic signature is malformed", "La firma electrónica tiene formato inválido"
    ),
    "PROOF_TRANSFORMATION_ERROR": Text(
        "The content could not be prepared to check its signature",
        "No se pudo preparar el contenido para comprobar su firma",
    ),
    "INVALID_PROOF_PURPOSE": Text(
        "The key that signed it may not sign certificates",
        "La clave que lo firmó no está autorizada para firmar certificados",
    ),
    "UNSUPPORTED_CRYPTOSUITE": Text(
        "The signature uses a method this verifier does not accept",
        "La firma usa un método que este verificador no acepta",
    ),
    "INVALID_ISSUER": Text(
        "It was not signed by the authority it names as issuer",
        "No lo firmó la autoridad que figura como emisora",
    ),
    "ISSUER_NOT_TRUSTED": Text(
        "The issuer is not accredited for this type of certificate",
        "El emisor no está acreditado para este tipo de certificado",
    ),
    "TRUST_LIST_STALE": Text(
        "The trust list that would say whether the issuer is accredited is too old to rely on",
        "La lista de confianza que indicaría si el emisor está acreditado es demasiado antigua "
        "para confiar en ella",
    ),
    "CREDENTIAL_EXPIRED": Text("The certificate has expired", "El certificado está vencido"),
    "CREDENTIAL_NOT_YET_VALID": Text(
        "The certificate is not in force yet", "El certificado aún no entra en vigor"
    ),
    "CREDENTIAL_REVOKED": Text(
        "The issuing authority revoked the certificate",
        "La autoridad emisora revocó el certificado",
    ),
    "CREDENTIAL_SUSPENDED": Text(
        "The issuing authority suspended the certificate",
        "La autoridad emisora suspendió el certificado",
    ),
    "CONTEXT_NOT_PINNED": Text(
        "The certificate uses a vocabulary this verifier does not accept",
        "El certificado usa un vocabulario que este verificador no acepta",
    ),
    "CONTEXT_NOT_INSTALLED": Text(
        "This verifier is missing a vocabulary file it needs",
        "A este verificador le falta un archivo de vocabulario que necesita",
    ),
    "CONTEXT_DIGEST_MISMATCH": Text(
        "A vocabulary file does not match its official version",
        "Un archivo de vocabulario no coincide con su versión oficial",
    ),
    "DATA_LOSS_DETECTION_ERROR": Text(
        "The certificate contains data outside its vocabulary, which its signature would not cover",
        "El certificado contiene datos fuera de su vocabulario, que su firma no cubriría",
    ),
    "COMPACT_FORM_ERROR": Text(
        "The certificate is not written in its standard form",
        "El certificado no está escrito en su forma normalizada",
    ),
    "CANONICALIZATION_LIMIT_EXCEEDED": Text(
        "The certificate is too complex to check safely",
        "El certificado es demasiado complejo para comprobarlo con seguridad",
    ),
    "INVALID_KEY": Text("The signing key is malformed", "La clave de firma tiene formato inválido"),
    "UNSUPPORTED_KEY_TYPE": Text(
        "The signing key is of a type this verifier does not accept",
        "La clave de firma es de un tipo que este verificador no acepta",
    ),
    "INVALID_DID": Text(
        "The issuer's identifier is not valid", "El identificador del emisor no es válido"
    ),
    "INVALID_VERIFICATION_METHOD": Text(
        "The signing key is not one of the issuer's", "La clave de firma no es del emisor"
    ),
    "DID_NOT_FOUND": Text(
        "The issuing authority's public keys were not found",
        "No se encontraron las claves públicas de la autoridad emisora",
    ),
    "DID_RESOLUTION_ERROR": Text(
        "The issuing authority's public keys could not be obtained",
        "No se pudieron obtener las claves públicas de la autoridad emisora",
    ),
    "FETCH_FAILED": Text(
        "The issuing authority's server could not be reached",
        "No se pudo conectar con el servidor de la autoridad emisora",
    ),
    "FETCH_BLOCKED": Text(
        "This verifier is not allowed to consult that address",
        "Este verificador no tiene permitido consultar esa dirección",
    ),
    "FETCH_TOO_LARGE": Text(
        "The issuing authority's server answered with too much data",
        "El servidor de la autoridad emisora respondió con demasiados datos",
    ),
    "RETRY_LATER": Text(
        "The verifier is busy; try again in a moment",
        "El verificador está ocupado; intente de nuevo en un momento",
    ),
    "STATUS_RETRIEVAL_ERROR": Text(
        "The suspension and revocation list could not be obtained",
        "No se pudo obtener la lista de suspensión y revocación",
    ),
    "STATUS_DATA_STALE": Text(
        "The stored suspension and revocation list is out of date",
        "La lista de suspensión y revocación guardada está desactualizada",
    ),
    "STATUS_VERIFICATION_ERROR": Text(
        "The suspension and revocation list is not the issuing authority's, or is out of date",
        "La lista de suspensión y revocación no es de la autoridad emisora o está desactualizada",
    ),
    "STATUS_LIST_LENGTH_ERROR": Text(
        "The suspension and revocation list is malformed",
        "La lista de suspensión y revocación tiene formato inválido",
    ),
    "STATUS_LIST_TOO_LARGE": Text(
        "The suspension and revocation list is too large",
        "La lista de suspensión y revocación es demasiado grande",
    ),
    "UNSUPPORTED_STATUS_TYPE": Text(
        "The certificate uses a kind of status list this verifier does not read",
        "El certificado usa un tipo de lista de suspensión y revocación que este verificador "
        "no acepta",
    ),
    "RANGE_ERROR": Text(
        "The certificate's place in its status list is out of range",
        "La posición del certificado en su lista de suspensión y revocación está fuera de rango",
    ),
}


def reason_title(code: str) -> Text:
    """Why a check failed, for people (the API's problem title for codes not listed)."""
    found = REASONS.get(code)
    if found is not None:
        return found
    message = message_for(code)
    return Text(message.en, message.es)
