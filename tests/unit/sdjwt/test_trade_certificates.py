"""The certificates as SD-JWT VCs: what is always visible, what a holder may withhold, and
type metadata that describes every claim as it is issued."""

from __future__ import annotations

from typing import Any

import pytest

from vcservice.certificates.samples import sample_certificate
from vcservice.keys import KeyPair, KeyPairSigner, KeyType
from vcservice.printing.labels import label
from vcservice.sdjwt import disclosure_paths, issue_sd_jwt, present, split
from vcservice.sdjwt.disclosures import ClaimPath
from vcservice.sdjwt.trade_certificates import (
    certificate_claims,
    disclosable_paths,
    slug_of_vct,
    vct_url,
)
from vcservice.sdjwt.type_metadata import claim_terms, type_metadata

SLUGS = ("immex", "oea", "ctpat")
IDENTIFIERS = {
    "immex": {("immexProgramNumber",)},
    "oea": {("oeaRegistrationNumber",)},
    "ctpat": {("sviNumber",), ("ctpatAccountNumber",)},
}
PROGRAM = {
    "immex": {("immexModality",), ("annualReportDueDate",)},
    "oea": {("oeaRubro",), ("termEnd",), ("mutualRecognition",)},
    "ctpat": {("tier",), ("tradeSector",), ("revalidationDueDate",), ("mutualRecognition",)},
}
SIGNER = KeyPairSigner(KeyPair.generate(KeyType.P256), "did:example:issuer#key-1")


def _paths(value: Any, path: ClaimPath = ()) -> set[ClaimPath]:
    if isinstance(value, dict):
        return {p for k, v in value.items() for p in {(*path, k)} | _paths(v, (*path, k))}
    if isinstance(value, list):
        return {p for v in value for p in {(*path, None)} | _paths(v, (*path, None))}
    return set()


@pytest.mark.parametrize("slug", SLUGS)
def test_identifiers_names_and_each_site_are_disclosable_and_the_programme_is_not(
    slug: str,
) -> None:
    claims = certificate_claims(sample_certificate(slug))
    assert "type" not in claims["member"] and "credentialSubject" not in claims
    disclosable = disclosable_paths(slug, claims)
    member = {("member", name) for name in claims["member"] if name != "location"}
    assert {("member", "rfc"), ("member", "legalName"), ("member", "id")} <= member
    assert IDENTIFIERS[slug] | member | {("member", "location", None)} <= disclosable
    assert not PROGRAM[slug] & disclosable
    assert ("member",) not in disclosable and ("member", "location") not in disclosable
    recognitions = claims.get("mutualRecognition", [])
    number = ("mutualRecognition", None, "counterpartAccountNumber")
    assert (number in disclosable) is any("counterpartAccountNumber" in r for r in recognitions)
    assert ("mutualRecognition", None, "recognizedBy") not in disclosable


@pytest.mark.parametrize("slug", SLUGS)
def test_each_site_is_a_disclosure_of_its_own(slug: str) -> None:
    claims = certificate_claims(sample_certificate(slug))
    issued = issue_sd_jwt(claims, disclosable=disclosable_paths(slug, claims), signer=SIGNER)
    sites = [
        d for d, path in disclosure_paths(issued).items() if path == ("member", "location", None)
    ]
    assert len(sites) == len(claims["member"]["location"]) == 2
    shown = present(issued, disclose=[("member", "location", None, "address")])
    assert set(split(shown).disclosures) == set(sites)


@pytest.mark.parametrize("slug", SLUGS)
def test_type_metadata_describes_every_claim_with_its_sd_and_two_labels(slug: str) -> None:
    claims = certificate_claims(sample_certificate(slug))
    metadata = type_metadata(
        slug,
        vct=vct_url("https://vcservice.example", slug),
        name=slug,
        description=slug,
        label=lambda iri: (label(iri).en, label(iri).es),
    )
    described = {tuple(claim["path"]): claim for claim in metadata["claims"]}
    assert _paths(claims) <= described.keys()
    disclosable = disclosable_paths(slug, claims)
    for path in _paths(claims):
        assert described[path]["sd"] == ("always" if path in disclosable else "never"), path
    for claim in metadata["claims"]:
        locales = {entry["locale"]: entry["label"] for entry in claim["display"]}
        assert set(locales) == {"es-MX", "en-US"} and all(locales.values()), claim
    assert {entry["locale"] for entry in metadata["display"]} == {"es-MX", "en-US"}
    assert len(described) == len(claim_terms(slug))


def test_a_vct_names_its_certificate_type_only_under_a_known_service() -> None:
    bases = ("https://vcservice.example", "https://issuer.example:8443")
    assert slug_of_vct("https://issuer.example:8443/vct/oea", bases) == "oea"
    assert slug_of_vct("https://elsewhere.example/vct/oea", bases) is None
    assert slug_of_vct("https://vcservice.example/vct/other", bases) is None
