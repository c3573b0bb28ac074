"""Words of one language on a page written in the other: what a reader would stumble on.

Each list holds common words of its language that are not also words of the other
(``no``, ``a``, ``programa``/``program`` stems and proper names are left out), so a page
in Spanish that shows any of the English ones — or the other way round — mixes them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping


def _words(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text``."""
    return frozenset(text.split())


ENGLISH = _words(
    """
    the and of is are was were be been it its this that with from by for to at on or
    not none nothing could would should may must has have had do does
    certificate certificates verified verify signature signed issuer issued issuing status
    valid validity check checks checked passed failed expired revoked suspended customs
    notice record unconfirmed data until holder authority accredited company version entry
    reference verifier print save language skip content choose file paste scan link
    keys key list lists try again forged altered authentic program rules dates
    """
)
SPANISH = _words(
    """
    el la los las del al que para por con sin está están este esta estos sus su una y
    certificado certificados verificado verificar firma firmado emisor emisora vigente
    vigencia situación aviso aduana constancia folio comprobación comprobaciones revocado
    suspendido vencido empresa datos fechas fecha titular autoridad acreditado versión
    pedimento bitácora imprimir guardar idioma contenido elija archivo pegue escanee
    enlace claves clave lista listas intente nuevo alterado falsificado auténtico reglas
    """
)
FOREIGN: Mapping[str, frozenset[str]] = {"es": ENGLISH, "en": SPANISH}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def foreign_words(text: str, language: str) -> list[str]:
    """The words of ``text`` from the other language's list, in order, once each."""
    found = (word for word in _WORD.findall(text.lower()) if word in FOREIGN[language])
    return list(dict.fromkeys(found))
