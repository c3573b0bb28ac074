"""Postal addresses as each country writes them, the country named in the reader's language.

From a schema.org ``PostalAddress`` (street, locality, region code, postal code, ISO country
code; see ``vcservice.certificates.places``):

- **Mexico**, as Correos de México and SAT forms write it: street and number (and the
  colonia or industrial park, which the street line carries), ``C.P.`` and the postal code,
  the city or municipality, the state by its customary abbreviation (``Chih.``, ``B.C.``,
  ``N.L.``, ``Edo. Méx.``, ``CDMX``), the country:
  ``Blvd. Independencia 9850, Parque Industrial Río Bravo, C.P. 32575, Ciudad Juárez, Chih.,
  México``;
- **the United States**, as USPS writes it: street, city, state code and ZIP code together:
  ``15210 Mines Rd, Laredo, TX 78045, United States`` (``Estados Unidos`` in Spanish);
- elsewhere: street, locality, region and postal code, country.

The parts are the credential's own; a part of the wrong shape (a tampered credential) is
shown as JSON text, a region the tables do not list as it is.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vcservice.printing.labels import Text

__all__ = [
    "COUNTRY_NAMES",
    "MEXICAN_STATE_ABBREVIATIONS",
    "PostalLines",
    "country_name",
    "postal_lines",
]

# ISO 3166-2:MX codes (without "MX-") → the state's customary abbreviation.
MEXICAN_STATE_ABBREVIATIONS: Mapping[str, str] = {
    "AGU": "Ags.",
    "BCN": "B.C.",
    "BCS": "B.C.S.",
    "CAM": "Camp.",
    "CHP": "Chis.",
    "CHH": "Chih.",
    "CMX": "CDMX",
    "COA": "Coah.",
    "COL": "Col.",
    "DUR": "Dgo.",
    "GUA": "Gto.",
    "GRO": "Gro.",
    "HID": "Hgo.",
    "JAL": "Jal.",
    "MEX": "Edo. Méx.",
    "MIC": "Mich.",
    "MOR": "Mor.",
    "NAY": "Nay.",
    "NLE": "N.L.",
    "OAX": "Oax.",
    "PUE": "Pue.",
    "QUE": "Qro.",
    "ROO": "Q. Roo",
    "SLP": "S.L.P.",
    "SIN": "Sin.",
    "SON": "Son.",
    "TAB": "Tab.",
    "TAM": "Tamps.",
    "TLA": "Tlax.",
    "VER": "Ver.",
    "YUC": "Yuc.",
    "ZAC": "Zac.",
}
# Countries a border certificate names, in English and Spanish; any other by its ISO code.
COUNTRY_NAMES: Mapping[str, Text] = {
    "MX": Text("Mexico", "México"),
    "US": Text("United States", "Estados Unidos"),
    "CA": Text("Canada", "Canadá"),
    "GT": Text("Guatemala", "Guatemala"),
    "BZ": Text("Belize", "Belice"),
    "SV": Text("El Salvador", "El Salvador"),
    "HN": Text("Honduras", "Honduras"),
    "NI": Text("Nicaragua", "Nicaragua"),
    "CR": Text("Costa Rica", "Costa Rica"),
    "PA": Text("Panama", "Panamá"),
    "CO": Text("Colombia", "Colombia"),
    "PE": Text("Peru", "Perú"),
    "CL": Text("Chile", "Chile"),
    "AR": Text("Argentina", "Argentina"),
    "BR": Text("Brazil", "Brasil"),
    "CN": Text("China", "China"),
    "TW": Text("Taiwan", "Taiwán"),
    "JP": Text("Japan", "Japón"),
    "KR": Text("South Korea", "Corea del Sur"),
    "IN": Text("India", "India"),
    "VN": Text("Vietnam", "Vietnam"),
    "DE": Text("Germany", "Alemania"),
    "ES": Text("Spain", "España"),
    "FR": Text("France", "Francia"),
    "GB": Text("United Kingdom", "Reino Unido"),
    "IT": Text("Italy", "Italia"),
    "NL": Text("Netherlands", "Países Bajos"),
}
_PARTS = ("streetAddress", "addressLocality", "addressRegion", "postalCode", "addressCountry")


@dataclass(frozen=True, slots=True)
class PostalLines:
    """An address as lines (street; locality, state and postal code) and its country."""

    lines: tuple[str, ...]
    country: Text | None

    def in_language(self, language: str) -> tuple[str, ...]:
        """The lines and the country's name in ``language``."""
        country = self.country.in_language(language) if self.country else None
        return (*self.lines, country) if country else self.lines

    @property
    def text(self) -> Text:
        """The whole address on one line, in English and Spanish."""
        return Text(", ".join(self.in_language("en")), ", ".join(self.in_language("es")))


def country_name(code: Any) -> Text | None:
    """The name of the country ``code`` (ISO 3166-1 alpha-2) in both languages; else the code."""
    if code is None:
        return None
    shown = _shown(code)
    return COUNTRY_NAMES.get(shown, Text.same(shown)) if shown else None


def postal_lines(address: Mapping[str, Any]) -> PostalLines:
    """``address`` in its country's national format."""
    street, locality, region, postal_code, country = (_shown(address.get(key)) for key in _PARTS)
    if country == "MX":
        state = MEXICAN_STATE_ABBREVIATIONS.get(region, region)
        postal = f"C.P. {postal_code}" if postal_code else ""
        second = _joined(", ", postal, locality, state)
    else:  # the US (state code and ZIP code together), and as near as that elsewhere
        second = _joined(", ", locality, _joined(" ", region, postal_code))
    return PostalLines(
        tuple(line for line in (street, second) if line), country_name(address.get(_PARTS[4]))
    )


def _joined(separator: str, *parts: str) -> str:
    return separator.join(part for part in parts if part)


def _shown(value: Any) -> str:
    """A part as text: a string stripped, anything else as JSON, None as empty."""
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
