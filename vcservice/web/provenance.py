"""Who made an issuer trusted, in words: this verifier, or a signed trust list and its version.

The ``issuerTrust`` check names its sources (``model.checks.TrustBasis``). An entry of this
verifier's own registry (its file, or one an administrator added) reads "accredited with
this verifier"; a trust list reads "accredited by SAT's trust list, version 12, 1 Dec 2026"
(Spanish: "acreditado por la lista de confianza del SAT, versión 12, 01/12/2026"): its
operator, its version and the day it was issued, so that a reader can tell which list
vouched. The operator's name is data, shown as it is: a ``Phrase`` keeps it apart from the
words around it (the page marks it ``translate="no"``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from vcservice.model.checks import TrustBasis
from vcservice.printing.dates import date_for_people
from vcservice.printing.labels import Text

__all__ = [
    "THIS_VERIFIER",
    "Phrase",
    "Provenance",
    "Words",
    "accredited_note",
    "accredited_sentence",
    "plain",
    "provenances",
]

_WITH_THIS_VERIFIER = Text("with this verifier", "ante este verificador")
_BY_LIST = Text("by {operator}'s trust list", "por la lista de confianza {of}{operator}")
_VERSION = Text("version {}", "versión {}")
_ACCREDITED = Text("accredited ", "acreditado ")
_SENTENCE = Text(
    "The issuer is accredited for this type of certificate ",
    "El emisor está acreditado para este tipo de certificado ",
)
_AND = Text(" and ", " y ")
# The article Spanish puts before an institution's name, by the name's first word ("del
# Servicio de Administración Tributaria", "de la Agencia Nacional de Aduanas de México");
# none for a name it does not know ("de U.S. Customs and Border Protection").
_MASCULINE = frozenset({"servicio", "sat", "instituto", "departamento"})
_FEMININE = frozenset(
    {"secretaría", "agencia", "administración", "aduana", "oficina", "dirección", "anam"}
)


@dataclass(frozen=True, slots=True)
class Words:
    """A run of words; a ``name`` is shown as it is, never translated."""

    text: str
    name: bool = False


Phrase = tuple[Words, ...]


@dataclass(frozen=True, slots=True)
class Provenance:
    """One source that made the issuer trusted: this verifier (no ``operator``), or the
    trust list of ``operator``, its version ``sequence``, ``issued`` on that day."""

    operator: str | None = None
    sequence: int | None = None
    issued: Text | None = None

    def by(self, language: str) -> Phrase:
        """ "with this verifier", or "by SAT's trust list, version 12, 1 Dec 2026"."""
        if self.operator is None:
            return (Words(_WITH_THIS_VERIFIER.in_language(language)),)
        before, after = _BY_LIST.in_language(language).split("{operator}")
        details = []
        if self.sequence is not None:
            details.append(_VERSION.in_language(language).format(self.sequence))
        if self.issued is not None:
            details.append(self.issued.in_language(language))
        return (
            Words(before.format(of=_of(self.operator))),
            Words(self.operator, name=True),
            Words(after + "".join(f", {part}" for part in details)),
        )


THIS_VERIFIER = Provenance()


def provenances(trusted_by: Iterable[TrustBasis]) -> tuple[Provenance, ...]:
    """The distinct sources of ``trusted_by``, in order (a file's and a local entry's are
    both this verifier)."""
    return tuple(dict.fromkeys(_provenance(basis) for basis in trusted_by))


def accredited_note(sources: Sequence[Provenance], language: str) -> Phrase:
    """ "accredited with this verifier; accredited by SAT's trust list, …" (beside a name)."""
    notes = [(Words(_ACCREDITED.in_language(language)), *source.by(language)) for source in sources]
    return _joined(notes, "; ")


def accredited_sentence(sources: Sequence[Provenance], language: str) -> Phrase:
    """ "The issuer is accredited for this type of certificate by SAT's trust list, …."."""
    sources_said = _joined([source.by(language) for source in sources], _AND.in_language(language))
    return (Words(_SENTENCE.in_language(language)), *sources_said, Words("."))


def plain(phrase: Phrase) -> str:
    """``phrase`` as plain text."""
    return "".join(words.text for words in phrase)


def _provenance(basis: TrustBasis) -> Provenance:
    if basis.source != "trustList":
        return THIS_VERIFIER
    issued = None if basis.issued is None else date_for_people(basis.issued.date())
    operator = basis.operator_name or basis.operator or basis.list_url or basis.name
    return Provenance(operator, basis.sequence, issued)


def _of(name: str) -> str:
    """Spanish "of" before an institution's name: "del ", "de la " or "de "."""
    first = name.split(maxsplit=1)[0].lower() if name.strip() else ""
    if first in _MASCULINE:
        return "del "
    return "de la " if first in _FEMININE else "de "


def _joined(phrases: Sequence[Phrase], separator: str) -> Phrase:
    joined: list[Words] = []
    for i, phrase in enumerate(phrases):
        if i:
            joined.append(Words(separator))
        joined.extend(phrase)
    return tuple(joined)
