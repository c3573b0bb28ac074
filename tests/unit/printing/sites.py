"""Version 2 samples with more sites, as a company with several plants and warehouses has.

The sites are real-looking places on both sides of the border: Ciudad Juárez (Chih.),
Reynosa (Tamps.), Apodaca (N.L.), Tijuana (B.C.), and Laredo and El Paso (TX), each with
its own role and postal code, so every one reads differently on paper.
"""

from __future__ import annotations

import copy
from typing import Any

from vcservice.certificates.samples import sample_certificate

__all__ = ["EXTRA_SITES", "with_sites"]


def _site(
    role: str, name: str, street: str, city: str, region: str, code: str, country: str
) -> dict[str, Any]:
    return {
        "siteRole": role,
        "type": ["Place"],
        "address": {
            "name": name,
            "streetAddress": street,
            "addressLocality": city,
            "addressRegion": region,
            "postalCode": code,
            "addressCountry": country,
            "type": ["PostalAddress"],
        },
    }


# After the samples' own two (the tax domicile and Planta 1 in Ciudad Juárez).
EXTRA_SITES: tuple[dict[str, Any], ...] = (
    _site(
        "SiteWarehouse",
        "Almacén de materias primas",
        "Calle Ramón Rayón 1420, Col. Partido Romero",
        "Ciudad Juárez",
        "CHH",
        "32030",
        "MX",
    ),
    _site(
        "SitePlant",
        "Planta 2",
        "Av. Industrial Rioplatense 210, Parque Industrial Villa Florida",
        "Reynosa",
        "TAM",
        "88730",
        "MX",
    ),
    _site(
        "SiteWarehouse",
        "Centro de distribución Apodaca",
        "Carretera Miguel Alemán km 24.5, Parque Industrial Stiva",
        "Apodaca",
        "NLE",
        "66600",
        "MX",
    ),
    _site(
        "SiteTerminal",
        "Laredo cross-dock",
        "15210 Mines Rd",
        "Laredo",
        "TX",
        "78045",
        "US",
    ),
    _site(
        "SiteOffice",
        "El Paso office",
        "221 N Kansas St, Suite 1500",
        "El Paso",
        "TX",
        "79901",
        "US",
    ),
    _site(
        "SitePlant",
        "Planta 3",
        "Blvd. Insurgentes 20400, Parque Industrial El Florido",
        "Tijuana",
        "BCN",
        "22244",
        "MX",
    ),
)


def with_sites(name: str, count: int) -> dict[str, Any]:
    """The version 2 sample of ``name`` with ``count`` sites (its own two first; up to 8)."""
    credential = sample_certificate(name, "v2")
    sites = credential["credentialSubject"]["member"]["location"]
    sites[:] = [*sites, *copy.deepcopy(EXTRA_SITES)][:count]
    assert len(sites) == count, f"at most {2 + len(EXTRA_SITES)} sites"
    return credential
