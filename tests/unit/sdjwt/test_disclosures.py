"""RFC 9901 Disclosures: the RFC's own digests, concealing claims, and every way §7.1 refuses."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from vcservice.errors import ParsingError, ProofError
from vcservice.sdjwt.disclosures import Disclosure, conceal, digest, reveal

# RFC 9901 §4.2.1 and §4.2.2: a Disclosure as the RFC encodes it, and its SHA-256 digest.
FAMILY_NAME = "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0"
FAMILY_NAME_DIGEST = "X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0"
NATIONALITY = "WyJsa2x4RjVqTVlsR1RQVW92TU5JdkNBIiwgIkZSIl0"
NATIONALITY_DIGEST = "w0I8EKcdCtUPkGCNUrfwVp2xEgNjtoIDlOxc9-PlOhs"
CLAIMS: dict[str, Any] = {
    "tier": "Validated",
    "sviNumber": "F7K2Q9M1",
    "member": {
        "legalName": "Ensambles Electrónicos del Bravo, S.A. de C.V.",
        "rfc": "EEB030821R49",
        "location": [{"siteRole": "SitePlant"}, {"siteRole": "SiteWarehouse"}],
    },
}
DISCLOSABLE = {
    ("sviNumber",),
    ("member", "legalName"),
    ("member", "rfc"),
    ("member", "location", None),
    ("member",),  # recursive: the member itself, holding disclosable claims
}


def _salts() -> Any:
    counter = itertools.count()
    return lambda: f"salt-{next(counter)}"


def test_the_rfc_s_disclosures_and_digests() -> None:
    claim = Disclosure.parse(FAMILY_NAME)
    assert (claim.salt, claim.name, claim.value) == (
        "_26bc4LT-ac6q2KI6cBW5es",
        "family_name",
        "Möbius",
    )
    assert claim.digest() == digest(FAMILY_NAME) == FAMILY_NAME_DIGEST
    element = Disclosure.parse(NATIONALITY)
    assert (element.name, element.value) == (None, "FR")
    assert element.digest() == NATIONALITY_DIGEST


def test_an_rfc_payload_reveals_what_was_disclosed_and_drops_the_rest() -> None:
    payload = {
        "_sd": [FAMILY_NAME_DIGEST, "decoy-digest"],
        "nationalities": ["DE", {"...": NATIONALITY_DIGEST}, {"...": "undisclosed"}],
    }
    disclosures = [Disclosure.parse(FAMILY_NAME), Disclosure.parse(NATIONALITY)]
    revealed = reveal(payload, disclosures, algorithm="sha-256")
    assert revealed.claims == {"family_name": "Möbius", "nationalities": ["DE", "FR"]}
    assert revealed.paths == {FAMILY_NAME: ("family_name",), NATIONALITY: ("nationalities", None)}


def test_concealed_claims_come_back_whole_and_nothing_disclosable_is_in_the_clear() -> None:
    payload, disclosures = conceal(CLAIMS, DISCLOSABLE, salt=_salts())
    assert payload["tier"] == "Validated" and payload["_sd_alg"] == "sha-256"
    assert "member" not in payload and "sviNumber" not in payload
    assert payload["_sd"] == sorted(payload["_sd"])
    assert len(disclosures) == 6  # svi, member, legal name, rfc, two sites
    assert reveal(payload, disclosures, algorithm="sha-256").claims == CLAIMS
    # A site cannot be shown without the member Disclosure that references it.
    site = next(d for d in disclosures if d.name is None)
    with pytest.raises(ProofError) as raised:
        reveal(payload, [site], algorithm="sha-256")
    assert raised.value.code == "PROOF_VERIFICATION_ERROR"


def test_a_disclosure_the_issuer_did_not_sign_is_refused() -> None:
    payload, disclosures = conceal(CLAIMS, DISCLOSABLE, salt=_salts())
    forged = Disclosure.of_claim("salt-0", "sviNumber", "FORGED")
    with pytest.raises(ProofError):
        reveal(payload, [*disclosures[:1], forged], algorithm="sha-256")


@pytest.mark.parametrize(
    ("payload", "disclosures"),
    [
        # one digest twice in the payload
        ({"_sd": [FAMILY_NAME_DIGEST], "x": {"_sd": [FAMILY_NAME_DIGEST]}}, [FAMILY_NAME]),
        # the same Disclosure sent twice
        ({"_sd": [FAMILY_NAME_DIGEST]}, [FAMILY_NAME, FAMILY_NAME]),
        # a claim name that is already in the clear
        ({"_sd": [FAMILY_NAME_DIGEST], "family_name": "Other"}, [FAMILY_NAME]),
        # an array element's Disclosure referenced from _sd, and the other way round
        ({"_sd": [NATIONALITY_DIGEST]}, [NATIONALITY]),
        ({"n": [{"...": FAMILY_NAME_DIGEST}]}, [FAMILY_NAME]),
        # _sd that is no array of digests; '...' beside other members
        ({"_sd": "digest"}, []),
        ({"n": [{"...": NATIONALITY_DIGEST, "x": 1}]}, [NATIONALITY]),
    ],
)
def test_malformed_payloads_and_disclosures_are_refused(
    payload: dict[str, Any], disclosures: list[str]
) -> None:
    with pytest.raises(ParsingError) as raised:
        reveal(payload, [Disclosure.parse(d) for d in disclosures], algorithm="sha-256")
    assert raised.value.code == "MALFORMED_VALUE_ERROR"


@pytest.mark.parametrize("encoded", ["not base64!", "WyJvbmx5LXNhbHQiXQ", "eyJhIjoxfQ"])
def test_a_disclosure_must_be_an_array_of_salt_name_value(encoded: str) -> None:
    with pytest.raises(ParsingError):
        Disclosure.parse(encoded)


def test_an_unknown_hash_algorithm_is_refused() -> None:
    with pytest.raises(ParsingError):
        digest(FAMILY_NAME, "md5")
