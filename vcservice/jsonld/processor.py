"""JSON-LD to RDF in *safe mode*: nothing may be dropped or left undefined.

pyld, like every JSON-LD processor, silently drops properties that do not expand
to an IRI and RDF triples whose terms are relative IRIs.  A signature over such a
document would not cover what the reader sees, so here each of those cases is a
``DataLossError`` (DATA_LOSS_DETECTION_ERROR) naming the term, both when signing
and when verifying.  Terms that fall to the VCDM 2.0 issuer-dependent ``@vocab``
are treated as undefined too, unless explicitly allowed.

That holds for names in values as well as in keys. A string value of a term typed
``"@type": "@vocab"`` is IRI-expanded like a key or a type (JSON-LD 1.1 Value Expansion:
document-relative, and vocabulary-relative), so a name no context defines falls to the
``@vocab`` as an undefined key does, and one that is no IRI at all (``"Importador y/o
exportador"``) becomes an IRI with white space in it, which toRDF drops. Either is
refused, naming the term whose value it is; a defined term, an absolute IRI or a compact
IRI of a defined prefix is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Literal

from pyld import jsonld

from vcservice.errors import DataLossError, ParsingError, VcError
from vcservice.jsonld.compact_form import CompactForm
from vcservice.jsonld.contexts import PYLD_CRASHES, ContextWalker, DeclinedError
from vcservice.jsonld.fast import FastRdfPath
from vcservice.jsonld.loader import DocumentLoader
from vcservice.jsonld.resolver import PinnedContextCache
from vcservice.jsonld.safe_terms import ABSOLUTE_IRI, ISSUER_DEPENDENT_VOCAB
from vcservice.rdf.model import Quad, from_pyld_dataset
from vcservice.rdf.rdfc10 import canonicalize

JsonLdPath = Literal["fast", "reference", "checked"]
JSONLD_PATHS: tuple[JsonLdPath, ...] = ("fast", "reference", "checked")

MAX_NESTING_DEPTH = 48
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")


class SafeJsonLdProcessor:
    """Turns JSON-LD documents into RDF quads through a pinned loader, refusing data loss.

    With ``cache_contexts`` (the default) the contexts ``loader`` serves are resolved once
    per processor (``vcservice.jsonld.resolver``), so ``loader`` must serve the same
    document for a URL until ``forget`` is called, as ``PinnedDocumentLoader`` does;
    without it every call resolves them again, as plain pyld does.

    ``path`` chooses how documents become RDF: ``fast`` (the default; it needs the cache)
    tries ``vcservice.jsonld.fast`` first and reaches pyld only when it declines,
    ``reference`` always uses pyld, and ``checked`` runs both and raises
    ``FastPathDisagreementError`` on any difference — for test suites and roll-outs.

    With ``base_contexts`` (the VC Data Model's, for credentials, presentations and proofs)
    every document must also be in the compact form its contexts define, one of them first
    (``vcservice.jsonld.compact_form``): ``to_quads`` refuses any other spelling of a graph,
    so nothing is signed or verified that the JSON does not say plainly.
    """

    def __init__(
        self,
        loader: DocumentLoader,
        *,
        allow_undefined_terms: bool = False,
        cache_contexts: bool = True,
        path: JsonLdPath = "fast",
        base_contexts: Iterable[str] | None = None,
    ) -> None:
        if path not in JSONLD_PATHS:
            raise ValueError(f"unknown JSON-LD path {path!r} (choose from {JSONLD_PATHS})")
        if path != "reference" and not cache_contexts:
            raise ValueError("the fast JSON-LD path works over the context cache")
        self._loader = loader
        self._allow_undefined_terms = allow_undefined_terms
        self._cache_contexts = cache_contexts
        self._path = path
        self._base_contexts = None if base_contexts is None else tuple(base_contexts)
        self._checked = path == "checked"
        self.forget()

    def forget(self) -> None:
        """Start afresh: every context resolved and walked so far is dropped (the pins
        changed). A call running meanwhile finishes with what it began with."""
        self._contexts = PinnedContextCache() if self._cache_contexts else None
        self._walker = ContextWalker(self._load_for_pyld, self._contexts or PinnedContextCache())
        self.fast_path = (
            None
            if self._contexts is None or self._path == "reference"
            else FastRdfPath(self._walker, allow_undefined_terms=self._allow_undefined_terms)
        )
        self._compact_form = (
            None
            if self._base_contexts is None
            else CompactForm(self._walker, base_contexts=self._base_contexts)
        )

    def memos(self) -> list[dict[Any, Any]]:
        """The memos of the context walker and the compact-form rule (for tests of bounds)."""
        memos = self._walker.memos()
        return memos if self._compact_form is None else [*memos, *self._compact_form.memos()]

    def check_compact_form(self, document: Any, *, top_level_only: bool = False) -> None:
        """Refuse a document not in the compact form its contexts define (with
        ``top_level_only``, its own members only).

        Raises ``CompactFormError`` naming the member, or the context's own error
        (``ContextError``, ``ParsingError``). Without ``base_contexts`` it checks nothing.
        """
        self._require_compact_form(document, top_level_only=top_level_only)

    def _require_compact_form(self, document: Any, *, top_level_only: bool = False) -> None:
        if self._compact_form is None:
            return
        try:
            self._compact_form.check(document, top_level_only=top_level_only)
        except RecursionError:
            raise ParsingError("document is nested too deeply to process") from None
        except jsonld.JsonLdError as exc:
            raise _translate(exc) from exc
        except PYLD_CRASHES as exc:
            raise ParsingError(f"JSON-LD processing failed: {exc!r}") from None

    def check(self, document: dict[str, Any]) -> None:
        """What ``to_quads`` refuses, refused; nothing built when the fast path takes it.

        Raises ``CompactFormError``, ``DataLossError``, ``ContextError`` or ``ParsingError``.
        """
        _check_depth(document)
        self._require_compact_form(document)
        if self.fast_path is None:
            self._reference_quads(document)
            return
        try:
            self.fast_path.check(document)
        except DeclinedError:
            self._reference_quads(document)
            return
        if self._checked:
            self._check_agreement(document, self.fast_path.to_quads(document))

    def to_quads(self, document: dict[str, Any]) -> list[Quad]:
        """Expand ``document`` and return its RDF dataset as quads.

        Raises ``CompactFormError``, ``DataLossError``, ``ContextError`` or ``ParsingError``.
        """
        _check_depth(document)
        self._require_compact_form(document)
        if self.fast_path is None:
            return self._reference_quads(document)
        try:
            quads = self.fast_path.to_quads(document)
        except DeclinedError:
            return self._reference_quads(document)
        if self._checked:
            self._check_agreement(document, quads)
        return quads

    def _check_agreement(self, document: dict[str, Any], quads: list[Quad]) -> None:
        try:
            reference = self._reference_quads(document)
        except VcError as error:
            raise FastPathDisagreementError(
                f"the fast path accepted a document the reference path refuses: {error.message}"
            ) from error
        if canonicalize(quads) != canonicalize(reference):
            raise FastPathDisagreementError("the fast and reference paths made different datasets")

    def _reference_quads(self, document: dict[str, Any]) -> list[Quad]:
        options = {
            "documentLoader": self._load_for_pyld,
            "rdfDirection": "i18n-datatype",
            "base": None,  # pyld would resolve relative IRIs against example.org
        }
        if self._contexts is not None:
            options["contextResolver"] = self._contexts.resolver(self._load_for_pyld)
        processor = _CheckingProcessor(self._allow_undefined_terms)
        try:
            dataset = processor.to_rdf(document, options)
        except RecursionError:
            raise ParsingError("document is nested too deeply to process") from None
        except jsonld.JsonLdError as exc:
            raise _translate(exc) from exc
        except PYLD_CRASHES as exc:
            # pyld's own failures on odd input (a relative context URL, an @id of null…)
            raise ParsingError(f"JSON-LD processing failed: {exc!r}") from None
        return from_pyld_dataset(dataset)

    def _load_for_pyld(self, url: str, options: Any = None) -> dict[str, Any]:
        return {"contextUrl": None, "documentUrl": url, "document": self._loader.load(url)}


class FastPathDisagreementError(RuntimeError):
    """In ``checked`` mode: the fast path's RDF differs from the reference path's (a bug)."""


class _CheckingProcessor(jsonld.JsonLdProcessor):  # type: ignore[misc]
    """pyld's processor with every drop turned into an error."""

    def __init__(self, allow_undefined_terms: bool) -> None:
        super().__init__(on_property_dropped=_refuse_dropped_property)
        self._allow_undefined_terms = allow_undefined_terms

    def expand(self, input_: Any, options: Any) -> Any:
        expanded = super().expand(input_, options)
        _ExpandedChecker(self._allow_undefined_terms).check_all(expanded)
        return expanded

    def _expand_value(self, active_ctx: Any, active_property: Any, value: Any, options: Any) -> Any:
        """pyld's Value Expansion, with a ``@vocab``-typed name checked like a key.

        The expanded form keeps no trace of which ``@id`` came from ``@vocab`` coercion
        (``_ExpandedChecker`` sees only a node reference), so the check is made here,
        where the term and its ``@type`` are known.
        """
        expanded = super()._expand_value(active_ctx, active_property, value, options)
        if (
            isinstance(value, str)
            and isinstance(expanded, dict)
            and "@id" in expanded
            and _coerces_to_vocab(active_ctx, active_property)
        ):
            _check_vocab_value(active_property, value, expanded["@id"], self._allow_undefined_terms)
        return expanded


def _coerces_to_vocab(active_ctx: Any, term: Any) -> bool:
    """Whether ``term``'s definition has ``"@type": "@vocab"`` (a keyword alias aside)."""
    mapping = active_ctx["mappings"].get(term) if isinstance(term, str) else None
    if not mapping:
        return False
    return mapping.get("@type") == "@vocab" and not _is_keyword(mapping.get("@id"))


def _is_keyword(iri: Any) -> bool:
    return isinstance(iri, str) and iri.startswith("@")


def _check_vocab_value(term: str, value: str, iri: Any, allow_undefined_terms: bool) -> None:
    """Refuse a ``@vocab``-typed value that names nothing a context defines, or no IRI."""
    if isinstance(iri, str) and iri.startswith("_:"):
        return  # a blank node label, as an ``@id`` may be (the compact-form rule refuses it)
    if (
        isinstance(iri, str)
        and iri.startswith(ISSUER_DEPENDENT_VOCAB)
        and not allow_undefined_terms
    ):
        raise DataLossError(
            f"value '{value}' of {term} is not defined by any context "
            "(it would fall to the issuer-dependent vocabulary)",
            field=term,
        )
    if not isinstance(iri, str) or not ABSOLUTE_IRI.match(iri):
        raise DataLossError(
            f"value '{value}' of {term} does not expand to an absolute IRI and would be dropped",
            field=term,
        )


def _refuse_dropped_property(expanded_property: str | None) -> None:
    name = expanded_property if expanded_property is not None else "(unnamed)"
    raise DataLossError(
        f"property '{name}' is not defined by any context and would be dropped",
        field=name,
    )


class _ExpandedChecker:
    """Walks expanded JSON-LD and refuses what toRDF would drop or leave undefined."""

    def __init__(self, allow_undefined_terms: bool) -> None:
        self._allow_undefined_terms = allow_undefined_terms

    def check_all(self, elements: Iterable[Any]) -> None:
        for element in elements:
            self._check_element(element)

    def _check_element(self, element: Any) -> None:
        if not isinstance(element, dict):
            return
        if "@value" in element:
            self._check_value(element)
        elif "@list" in element:
            self.check_all(element["@list"])
        else:
            self._check_node(element)

    def _check_node(self, node: dict[str, Any]) -> None:
        for key, value in node.items():
            if key == "@id":
                _require_reference(value, kind="@id")
            elif key == "@type":
                for type_iri in value:
                    self._check_iri(type_iri, kind="type")
            elif key in ("@graph", "@included"):
                self.check_all(value)
            elif key == "@reverse":
                self._check_properties(value)
            elif not key.startswith("@"):
                self._check_properties({key: value})

    def _check_properties(self, properties: dict[str, Any]) -> None:
        for iri, values in properties.items():
            if iri.startswith("_:"):
                raise DataLossError(
                    f"property '{iri}' is a blank node and cannot appear in RDF", field=iri
                )
            self._check_iri(iri, kind="property")
            self.check_all(values)

    def _check_value(self, value: dict[str, Any]) -> None:
        datatype = value.get("@type")
        if datatype is not None and datatype != "@json":
            self._check_iri(datatype, kind="datatype")
        language = value.get("@language")
        if language is not None and not _LANGUAGE_TAG.match(language):
            raise DataLossError(f"'{language}' is not a well-formed language tag", field=language)

    def _check_iri(self, iri: str, *, kind: str) -> None:
        _require_reference(iri, kind=kind)
        if iri.startswith(ISSUER_DEPENDENT_VOCAB) and not self._allow_undefined_terms:
            term = iri[len(ISSUER_DEPENDENT_VOCAB) :]
            raise DataLossError(
                f"{kind} '{term}' is not defined by any context "
                "(it would fall to the issuer-dependent vocabulary)",
                field=term,
            )


def _require_reference(value: str, *, kind: str) -> None:
    if not (value.startswith("_:") or ABSOLUTE_IRI.match(value)):
        raise DataLossError(
            f"{kind} '{value}' does not expand to an absolute IRI and would be dropped",
            field=value,
        )


def _check_depth(document: Any) -> None:
    """Refuse documents nested deeper than MAX_NESTING_DEPTH, iteratively."""
    stack: list[tuple[Any, int]] = [(document, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_NESTING_DEPTH:
            raise ParsingError(f"document nests deeper than {MAX_NESTING_DEPTH} levels")
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node)


def _translate(error: jsonld.JsonLdError) -> VcError:
    """Surface our own error from inside pyld's wrapping, or describe pyld's."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, VcError):
            return cause
        details = getattr(cause, "details", None)
        nested = details.get("cause") if isinstance(details, dict) else None
        cause = nested if isinstance(nested, BaseException) else cause.__cause__
    root = _innermost_jsonld_error(error)
    code = getattr(root, "code", None) or getattr(root, "type", "jsonld error")
    return ParsingError(f"JSON-LD processing failed ({code}): {root.args[0]}")


def _innermost_jsonld_error(error: jsonld.JsonLdError) -> jsonld.JsonLdError:
    innermost = error
    cause = error.__cause__
    while isinstance(cause, jsonld.JsonLdError):
        innermost = cause
        cause = cause.__cause__
    return innermost
