"""The review before a context is pinned: JSON-LD 1.1's protected-term rule, and safe mode's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vcservice.errors import ContextError
from vcservice.jsonld.loader import PinnedDocumentLoader
from vcservice.jsonld.manifest import ContextManifest, default_contexts_dir
from vcservice.jsonld.review import (
    MAX_SCOPED_DEPTH,
    ContextRefusedError,
    ContextReview,
    review_context,
)
from vcservice.jsonld.store import ContextStore

pytestmark = pytest.mark.shared

PARTNER = "https://partner.example/contexts/shipping/v1"
VOCAB = "https://partner.example/vocab#"
CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
TRACEABILITY = "https://w3id.org/traceability/v1"
TRADE_V2 = "https://w3id.org/vcservice/trade-certificates/v2"
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"


@pytest.fixture(scope="module")
def store(context_store_dir: Path) -> ContextStore:
    return ContextStore(context_store_dir, ContextManifest.load(default_contexts_dir()))


@pytest.fixture
def review(store: ContextStore) -> Any:
    def run(context: Any, *after: str) -> ContextReview:
        return review_context(
            PARTNER,
            {"@context": context},
            after=after or (CREDENTIALS_V2,),
            loader=PinnedDocumentLoader(store),
            pinned=frozenset(store.manifest.contexts),
        )

    return run


def refusal(review: Any, context: Any, *after: str) -> ContextRefusedError:
    with pytest.raises(ContextRefusedError) as refused:
        review(context, *after)
    assert refused.value.code == "CONTEXT_REFUSED"
    return refused.value


def test_a_partner_context_is_reviewed_term_by_term(review: Any) -> None:
    reviewed = review(
        {
            "@protected": True,
            "ShipmentCredential": f"{VOCAB}ShipmentCredential",
            "Shipment": {"@id": f"{VOCAB}Shipment", "@context": {"weight": f"{VOCAB}weight"}},
            "carrier": {"@id": f"{VOCAB}carrier", "@protected": False},
        }
    )
    assert reviewed.to_json()["terms"] == [
        {"term": "ShipmentCredential", "iri": f"{VOCAB}ShipmentCredential", "protected": True},
        {
            "term": "Shipment",
            "iri": f"{VOCAB}Shipment",
            "protected": True,
            "scopedContext": "type",
        },
        {"term": "carrier", "iri": f"{VOCAB}carrier", "protected": False},
    ]
    assert reviewed.after == (CREDENTIALS_V2,) and reviewed.scoped_overrides == ()


def test_redefining_a_protected_term_names_the_term_and_the_earlier_context(review: Any) -> None:
    refused = refusal(review, {"name": f"{VOCAB}name"})
    assert refused.field == "name"
    assert refused.message.startswith(
        f"'name' is protected by {CREDENTIALS_V2}; this context maps it to {VOCAB}name"
    )


def test_a_term_protected_in_the_credential_type_scope_is_protected_too(review: Any) -> None:
    """credentials/v2 protects issuer in VerifiableCredential's scoped context, which every
    credential node applies: a second meaning would hold only where that scope does not."""
    refused = refusal(review, {"issuer": f"{VOCAB}issuer"})
    assert refused.field == "issuer"
    assert f"'issuer' is protected by {CREDENTIALS_V2}; this context maps it to" in refused.message


def test_protected_false_does_not_exempt_a_redefinition(review: Any) -> None:
    refused = refusal(review, {"issuer": {"@id": f"{VOCAB}issuer", "@protected": False}})
    assert refused.field == "issuer" and '"@protected": false' in refused.message


def test_a_changed_coercion_of_the_same_iri_is_a_redefinition(review: Any) -> None:
    redefined = {"@id": "https://www.w3.org/2018/credentials#validFrom", "@type": "@id"}
    refused = refusal(review, {"validFrom": redefined})
    assert "changes its @type" in refused.message


def test_an_identical_redefinition_passes(review: Any) -> None:
    issuer = {"@id": "https://www.w3.org/2018/credentials#issuer", "@type": "@id"}
    reviewed = review({"name": "https://schema.org/name", "issuer": issuer})
    assert [term.term for term in reviewed.terms] == ["name", "issuer"]
    assert all(term.overrides is None for term in reviewed.terms)


def test_the_protecting_context_is_the_one_that_defined_the_term(review: Any) -> None:
    refused = refusal(review, {"rfc": f"{VOCAB}rfc"}, CREDENTIALS_V2, TRACEABILITY, TRADE_V2)
    assert refused.message.startswith(f"'rfc' is protected by {TRADE_V2};")


def test_overriding_an_unprotected_earlier_term_is_reported(review: Any) -> None:
    reviewed = review({"manufacturer": f"{VOCAB}manufacturer"}, CREDENTIALS_V2, TRACEABILITY)
    [term] = reviewed.terms
    assert term.overrides == TRACEABILITY and term.to_json()["overrides"] == TRACEABILITY


def test_a_property_scoped_override_is_allowed_and_reported(review: Any) -> None:
    scoped = {"@id": f"{VOCAB}cargo", "@type": "@id", "@context": {"name": f"{VOCAB}name"}}
    reviewed = review({"cargo": scoped})
    assert [term.scoped for term in reviewed.terms] == ["property"]
    assert [override.to_json() for override in reviewed.scoped_overrides] == [
        {"term": "cargo", "redefines": "name", "protectedBy": CREDENTIALS_V2}
    ]


def test_a_type_scoped_redefinition_is_refused(review: Any) -> None:
    scoped = {"@id": f"{VOCAB}Shipment", "@context": {"name": f"{VOCAB}name"}}
    refused = refusal(review, {"Shipment": scoped})
    assert refused.field == "name"
    assert refused.message.startswith(
        f"'name' is protected by {CREDENTIALS_V2}; the type-scoped context of 'Shipment' maps it"
    )


def test_a_type_scoped_redefinition_of_the_contexts_own_protected_term_is_refused(
    review: Any,
) -> None:
    own = {
        "@protected": True,
        "carrier": f"{VOCAB}carrier",
        "Shipment": {"@id": f"{VOCAB}Shipment", "@context": {"carrier": f"{VOCAB}other"}},
    }
    assert refusal(review, own).message.startswith(f"'carrier' is protected by {PARTNER};")


@pytest.mark.parametrize(
    ("context", "field"),
    [
        ([None, {"carrier": f"{VOCAB}carrier"}], "@context"),
        ({"Shipment": {"@id": f"{VOCAB}Shipment", "@context": None}}, "Shipment"),
        (
            {"Shipment": {"@id": f"{VOCAB}Shipment", "@context": [None, {"w": f"{VOCAB}w"}]}},
            "Shipment",
        ),
        (
            {
                "cargo": {
                    "@id": f"{VOCAB}cargo",
                    "@context": {"Crate": {"@id": f"{VOCAB}Crate", "@context": [None]}},
                }
            },
            "Crate",
        ),
    ],
    ids=["top level", "type-scoped", "type-scoped array", "nested type-scoped array"],
)
def test_nullification_is_refused(review: Any, context: Any, field: str) -> None:
    refused = refusal(review, context)
    assert refused.field == field
    assert f"which would drop the protected terms of {CREDENTIALS_V2}" in refused.message


@pytest.mark.parametrize(
    "context",
    [
        {"@vocab": VOCAB},
        {"cargo": {"@id": f"{VOCAB}cargo", "@context": {"@vocab": VOCAB}}},
        {"@import": EXAMPLES_V2},
        [EXAMPLES_V2],
    ],
    ids=["top level", "scoped", "imported", "included"],
)
def test_a_vocabulary_is_refused(review: Any, context: Any) -> None:
    assert "sets @vocab" in refusal(review, context).message


def test_the_issuer_dependent_vocabulary_is_what_safe_mode_refuses_already(review: Any) -> None:
    reviewed = review([TRACEABILITY, {"carrier": f"{VOCAB}carrier"}])
    assert reviewed.refers_to == (TRACEABILITY,)


@pytest.mark.parametrize(
    ("context", "field"),
    [
        ({"@import": "https://unpinned.example/context"}, "@import"),
        (["https://unpinned.example/context"], "@context"),
        ({"cargo": {"@id": f"{VOCAB}cargo", "@context": "https://unpinned.example/c"}}, "@context"),
    ],
    ids=["imported", "included", "scoped"],
)
def test_a_context_that_is_not_pinned_is_refused(review: Any, context: Any, field: str) -> None:
    refused = refusal(review, context)
    assert refused.field == field and "which is not pinned: pin it first" in refused.message


def test_only_json_ld_1_1_is_accepted(review: Any) -> None:
    refused = refusal(review, {"@version": 1.0, "carrier": f"{VOCAB}carrier"})
    assert refused.field == "@version"


@pytest.mark.parametrize("document", [[], {"carrier": f"{VOCAB}carrier"}, "text"])
def test_a_file_that_is_not_a_context_is_refused(store: ContextStore, document: Any) -> None:
    with pytest.raises(ContextRefusedError, match="a JSON object with @context"):
        review_context(PARTNER, document, loader=PinnedDocumentLoader(store), pinned=())


def test_invalid_json_ld_is_refused_with_pyld_s_reason(review: Any) -> None:
    refused = refusal(review, {"carrier": {"@id": f"{VOCAB}carrier", "@type": "@nothing"}})
    assert "(invalid type mapping)" in refused.message


def test_an_earlier_context_must_be_pinned(review: Any) -> None:
    with pytest.raises(ContextError) as refused:
        review({"carrier": f"{VOCAB}carrier"}, "https://unpinned.example/context")
    assert refused.value.code == "CONTEXT_NOT_PINNED"


def nested(depth: int) -> dict[str, Any]:
    """A context whose type-scoped contexts nest ``depth`` deep."""
    context: dict[str, Any] = {"weight": f"{VOCAB}weight"}
    for level in reversed(range(depth)):
        context = {f"Level{level}": {"@id": f"{VOCAB}Level{level}", "@context": context}}
    return context


def test_scoped_contexts_nested_too_deeply_are_refused_not_a_crash(review: Any) -> None:
    assert len(review(nested(MAX_SCOPED_DEPTH)).terms) == 1
    refused = refusal(review, nested(300))
    assert refused.field == f"Level{MAX_SCOPED_DEPTH}"
    assert refused.message == (
        f"the scoped contexts nest too deeply to review: at most {MAX_SCOPED_DEPTH} levels "
        "of scoped contexts within scoped contexts are accepted"
    )


def test_a_recursion_error_is_a_refusal_as_a_last_resort(
    review: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("vcservice.jsonld.review.MAX_SCOPED_DEPTH", 100_000)
    refused = refusal(review, nested(5_000))
    assert (refused.field, refused.message) == (
        "@context",
        "the context nests too deeply to review",
    )
