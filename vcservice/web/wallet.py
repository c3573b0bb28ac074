"""The broker's page for a holder's own wallet: an OpenID4VP request as a QR code, then its answer.

``/verify/wallet`` lets the broker pick a public workflow ("C-TPAT, or an OEA that CBP
recognizes") and shows the request's QR code and link; the page asks the service every
few seconds whether the wallet answered (``wallet.js``, served from this package: the page
runs under the verify page's Content-Security-Policy, with ``connect-src 'self'`` for the
question) and shows the outcome when it did. Without JavaScript, a link reloads the page.
Words in English and Spanish, as the verify page's; verdicts in that page's words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from markupsafe import Markup

from vcservice.printing import dates as sheet_dates
from vcservice.printing.labels import Text
from vcservice.verification.verdict import Verdict
from vcservice.web.i18n import LANGUAGE_NAMES
from vcservice.web.templating import environment, static_file
from vcservice.web.verdicts import VERDICTS

__all__ = ["WALLET_ASSETS", "WORDS", "WalletRequest", "wallet_asset", "wallet_page"]

WALLET_ASSETS: Mapping[str, str] = {
    "wallet.js": "text/javascript; charset=utf-8",
    "wallet.css": "text/css; charset=utf-8",
}

WORDS: Mapping[str, Text] = {
    "site": Text("Trusted-trader certificates", "Certificados de operador confiable"),
    "skip": Text("Skip to content", "Ir al contenido"),
    "language": Text("Language", "Idioma"),
    "title": Text(
        "Verify with the company's wallet", "Verificar con la cartera digital de la empresa"
    ),
    "intro": Text(
        "Ask the company's own digital wallet for its certificate: the wallet scans a QR code, "
        "the holder chooses what to share, and the certificate is checked here as soon as it "
        "arrives.",
        "Solicite el certificado a la cartera digital de la propia empresa: la cartera escanea "
        "un código QR, el titular elige qué compartir y el certificado se comprueba aquí en "
        "cuanto llega.",
    ),
    "choose": Text("What to ask for", "Qué solicitar"),
    "workflow": Text("Certificates accepted", "Certificados aceptados"),
    "start": Text("Show the QR code", "Mostrar el código QR"),
    "none": Text(
        "No request is open to this page: an administrator makes a workflow public first.",
        "Esta página no tiene solicitudes disponibles: primero un administrador debe hacer "
        "público un flujo de verificación.",
    ),
    "scan": Text(
        "Scan this QR code with the company's wallet",
        "Escanee este código QR con la cartera digital de la empresa",
    ),
    "open_here": Text(
        "Or open the request in a wallet on this device",
        "O abra la solicitud en una cartera de este dispositivo",
    ),
    "expires": Text("The request expires at", "La solicitud vence a las"),
    "waiting": Text("Waiting for the wallet's answer…", "Esperando la respuesta de la cartera…"),
    "check": Text("Check for the answer", "Consultar la respuesta"),
    "checking": Text(
        "The wallet answered: checking its certificate…",
        "La cartera respondió: se está comprobando su certificado…",
    ),
    "expired": Text(
        "The request expired before the wallet answered.",
        "La solicitud venció antes de que la cartera respondiera.",
    ),
    "again": Text("New request", "Nueva solicitud"),
    "accepted": Text(
        "Accepted: the wallet presented what the request asks for.",
        "Aceptado: la cartera presentó lo que se solicita.",
    ),
    "not_accepted": Text(
        "Not accepted: what the wallet presented does not satisfy the request.",
        "No aceptado: lo que presentó la cartera no cumple con la solicitud.",
    ),
    "declined": Text("The wallet declined the request", "La cartera rechazó la solicitud"),
    "presented": Text("What the wallet presented", "Lo que presentó la cartera"),
    "status": Text("Status", "Situación"),
    "answers": Text("Answers", "Responde a"),
    "yes": Text("the request", "la solicitud"),
    "no": Text("not the request", "no la solicitud"),
    "not_found": Text("There is no such request.", "No existe esa solicitud."),
}

# The claims a workflow's request asks for, as a person reads them.
CLAIM_LABELS: Mapping[str, Text] = {
    "legalName": Text("Company", "Empresa"),
    "immexProgramNumber": Text("IMMEX program", "Programa IMMEX"),
    "oeaRegistrationNumber": Text("OEA registration", "Registro OEA"),
    "tier": Text("C-TPAT tier", "Nivel C-TPAT"),
    "recognizedBy": Text("Recognized by", "Reconocido por"),
    "recognizedRole": Text("Recognized role", "Función reconocida"),
    "arrangement": Text("Arrangement", "Acuerdo"),
}


@dataclass(frozen=True)
class WalletRequest:
    """What the page shows of one request (``result`` is the stored outcome's JSON)."""

    id: str
    status: str
    open: bool
    expired: bool
    expires_at: datetime
    link: str | None = None
    qr_svg: str | None = None
    workflow: str | None = None
    result: Mapping[str, Any] | None = None
    names: Mapping[str, str] = field(default_factory=dict)

    @property
    def verdict(self) -> Verdict | None:
        """The outcome's verdict, if it has one."""
        value = (self.result or {}).get("verdict")
        return Verdict(value) if value in set(Verdict) else None


def wallet_page(
    *,
    language: str,
    workflows: Sequence[tuple[str, str]] = (),
    request: WalletRequest | None = None,
    error: Text | None = None,
    missing: bool = False,
    zone: str = sheet_dates.DEFAULT_ZONE,
) -> str:
    """The page in ``language``: the choice of ``workflows`` (id, name), or ``request``."""
    return (
        environment()
        .get_template("wallet.html")
        .render(
            lang=language,
            w=WORDS,
            languages=LANGUAGE_NAMES,
            workflows=list(workflows),
            request=request,
            qr=Markup(request.qr_svg) if request and request.qr_svg else None,  # noqa: S704  (segno's SVG of our own link)
            words=VERDICTS,
            error=error,
            missing=missing,
            claim=_claim_text,
            moment=lambda instant: sheet_dates.moment_for_people(instant, language, zone),
        )
    )


def wallet_asset(name: str) -> tuple[bytes, str] | None:
    """The page's script or stylesheet and its media type (None for any other name)."""
    media_type = WALLET_ASSETS.get(name)
    return None if media_type is None else (static_file(name), media_type)


def _claim_text(path: Sequence[Any], language: str) -> str:
    """A claim's label: the last name in its path, in words where known."""
    names = [part for part in path if isinstance(part, str)]
    last = names[-1] if names else "?"
    known = CLAIM_LABELS.get(last)
    return known.in_language(language) if known is not None else last
