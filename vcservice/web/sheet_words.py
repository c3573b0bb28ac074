"""The printed certificate's own words in Spanish and English, and how much one page holds.

Field labels come from the vocabulary and the names of coded values too; these are the
sheet's own words around them (headings, the notice, the annex). Spanish is the Mexican
usage of customs and foreign trade: a *certificado* (never a *credencial*), *domicilios*,
*anexo*, dates dd/mm/aaaa.
"""

from __future__ import annotations

from collections.abc import Mapping

from vcservice.printing.labels import Text

__all__ = ["SHEET", "SITES_ON_FIRST_PAGE", "annex_heading", "first_page_sites", "sites_shown"]

# The first page lists this many sites (two columns: two rows); the others go to an annex.
SITES_ON_FIRST_PAGE = 3
# What the first page holds besides, with three sites: the company's identifiers in two rows
# of three, one mutual recognition. Each row or recognition more takes a row of sites.
_COMPANY_FIELDS, _COMPANY_COLUMNS, _RECOGNITIONS = 6, 3, 1

SHEET: Mapping[str, Text] = {
    "company": Text("Company", "Empresa"),
    "valid_from": Text("Valid from", "Vigente desde"),
    "valid_until": Text("Valid until", "Vigente hasta"),
    "credential_id": Text("Certificate ID", "Identificador del certificado"),
    "subject": Text("Holder (DID)", "Titular (DID)"),
    "issuer_did": Text("Issuer (DID)", "Emisor (DID)"),
    "data_version": Text("Certificate data version", "Versión de los datos del certificado"),
    "scan": Text(
        "Scan to verify the certificate and its current status",
        "Escanee para verificar el certificado y su situación actual",
    ),
    "no_qr": Text(
        "This certificate is too large for a QR code: verify its electronic file at",
        "Este certificado es demasiado grande para un código QR: verifique su archivo "
        "electrónico en",
    ),
    "paper_notice": Text(
        "This printout proves nothing by itself: the certificate holds only if its QR code "
        "verifies at the page named beside it, which checks the electronic signature and the "
        "current status (a suspension or revocation shows at once).",
        "Esta impresión no tiene validez por sí sola: el certificado solo es válido si su "
        "código QR se verifica en la página indicada junto a él, que comprueba la firma "
        "electrónica y la situación actual (una suspensión o revocación se refleja de "
        "inmediato).",
    ),
    "printed": Text("Printed", "Fecha de impresión"),
}
_ANNEX = (Text("Annex: site", "Anexo: domicilio"), Text("Annex: sites", "Anexo: domicilios"))
_SHOWN = Text(
    "{shown} of {total} shown; the others are in the annex.",
    "Se muestran {shown} de {total}; los demás, en el anexo.",
)


def sites_shown(shown: int, total: int) -> Text:
    """The first page's note when some sites are in the annex: ``3 of 6 shown; …``."""
    return Text(
        _SHOWN.en.format(shown=shown, total=total), _SHOWN.es.format(shown=shown, total=total)
    )


def annex_heading(count: int) -> Text:
    """The annex page's heading for ``count`` sites (singular or plural)."""
    return _ANNEX[0] if count == 1 else _ANNEX[1]


def first_page_sites(company_fields: int, recognitions: int) -> int:
    """How many sites the first page lists, given how many identifiers and mutual
    recognitions it shows: ``SITES_ON_FIRST_PAGE``, or one row of two where the company
    has a third row of identifiers or there is more than one recognition."""
    extra_rows = -(-max(0, company_fields - _COMPANY_FIELDS) // _COMPANY_COLUMNS)
    crowded = extra_rows + max(0, recognitions - _RECOGNITIONS) > 0
    return SITES_ON_FIRST_PAGE - 1 if crowded else SITES_ON_FIRST_PAGE
