"""How wallets show each certificate type: its name and description in Spanish and English."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["DISPLAYS", "LOCALES", "Display", "display_of"]

LOCALES = ("es", "en")


@dataclass(frozen=True, slots=True)
class Display:
    """A credential's ``display`` entry for one language (OpenID4VCI 1.0 §12.2.4)."""

    locale: str
    name: str
    description: str

    def to_json(self) -> dict[str, str]:
        """The entry as the metadata carries it."""
        return {"name": self.name, "locale": self.locale, "description": self.description}


DISPLAYS: Mapping[str, tuple[Display, ...]] = MappingProxyType(
    {
        "IMMEXCertificate": (
            Display(
                "es",
                "Constancia de Programa IMMEX",
                "Programa de la Industria Manufacturera, Maquiladora y de Servicios de "
                "Exportación, autorizado por la Secretaría de Economía.",
            ),
            Display(
                "en",
                "IMMEX Program Certificate",
                "Mexico's Manufacturing, Maquila and Export Services Industry program, "
                "authorized by the Secretaría de Economía.",
            ),
        ),
        "OEACertificate": (
            Display(
                "es",
                "Certificación como Operador Económico Autorizado (OEA)",
                "Registro en el Esquema de Certificación de Empresas del SAT, modalidad "
                "Operador Económico Autorizado.",
            ),
            Display(
                "en",
                "Authorized Economic Operator (OEA) Certification",
                "Registration in SAT's Company Certification Scheme as an Authorized "
                "Economic Operator (Mexico).",
            ),
        ),
        "CTPATCertificate": (
            Display(
                "es",
                "Certificación C-TPAT",
                "Alianza Aduanas-Comercio contra el Terrorismo (C-TPAT) de la Oficina de "
                "Aduanas y Protección Fronteriza de los Estados Unidos (CBP).",
            ),
            Display(
                "en",
                "C-TPAT Certification",
                "Customs Trade Partnership Against Terrorism of U.S. Customs and Border "
                "Protection (CBP).",
            ),
        ),
    }
)


def display_of(credential_type: str, fallback: str) -> tuple[Display, ...]:
    """The displays of ``credential_type``; for a type without its own, ``fallback`` as
    its name in each language."""
    return DISPLAYS.get(credential_type) or tuple(
        Display(locale, fallback, fallback) for locale in LOCALES
    )
