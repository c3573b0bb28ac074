"""DCQL and the selection of claims and credentials (OpenID4VP 1.0 §6–7): the
specification's own examples parse, match and select as it says; what this verifier
refuses is refused naming the member."""

from __future__ import annotations

from typing import Any

import pytest

from vcservice.errors import ParsingError
from vcservice.oid4vp.dcql import (
    Alternative,
    ClaimsQuery,
    parse_dcql_query,
    query_for_alternatives,
)
from vcservice.oid4vp.selection import (
    PresentedCredential,
    credential_mismatch,
    select_claims,
    unsatisfied,
)

PID = "https://credentials.example.com/identity_credential"
# §7.3's credential, and what each of its pointers selects.
ARTHUR = {
    "name": "Arthur Dent",
    "address": {
        "street_address": "42 Market Street",
        "locality": "Milliways",
        "postal_code": "12345",
    },
    "degrees": [
        {"type": "Bachelor of Science", "university": "University of Betelgeuse"},
        {"type": "Master of Science", "university": "University of Betelgeuse"},
    ],
    "nationalities": ["British", "Betelgeusian"],
}
# Appendix D (1.0/examples/query_lang/credentials_alternatives.json).
ALTERNATIVES: dict[str, Any] = {
    "credentials": [
        {
            "id": "pid",
            "format": "dc+sd-jwt",
            "meta": {"vct_values": [PID]},
            "claims": [
                {"path": ["given_name"]},
                {"path": ["family_name"]},
                {"path": ["address", "street_address"]},
            ],
        },
        {
            "id": "other_pid",
            "format": "dc+sd-jwt",
            "meta": {"vct_values": ["https://othercredentials.example/pid"]},
        },
        {
            "id": "pid_reduced_cred_1",
            "format": "dc+sd-jwt",
            "meta": {"vct_values": ["https://credentials.example.com/reduced_identity_credential"]},
        },
        {
            "id": "pid_reduced_cred_2",
            "format": "dc+sd-jwt",
            "meta": {"vct_values": ["https://cred.example/residence_credential"]},
        },
        {
            "id": "nice_to_have",
            "format": "dc+sd-jwt",
            "meta": {"vct_values": ["https://company.example/company_rewards"]},
        },
    ],
    "credential_sets": [
        {"options": [["pid"], ["other_pid"], ["pid_reduced_cred_1", "pid_reduced_cred_2"]]},
        {"required": False, "options": [["nice_to_have"]]},
    ],
}
# Appendix D (claims_alternatives.json).
CLAIM_SETS: dict[str, Any] = {
    "credentials": [
        {
            "id": "pid",
            "format": "dc+sd-jwt",
            "meta": {"vct_values": [PID]},
            "claims": [
                {"id": "a", "path": ["family_name"]},
                {"id": "b", "path": ["postal_code"]},
                {"id": "c", "path": ["locality"]},
                {"id": "d", "path": ["region"]},
                {"id": "e", "path": ["date_of_birth"]},
            ],
            "claim_sets": [["a", "c", "d", "e"], ["a", "b", "e"]],
        }
    ]
}


@pytest.mark.parametrize(
    ("path", "selected"),
    [
        (["name"], ["Arthur Dent"]),
        (["address"], [ARTHUR["address"]]),
        (["address", "street_address"], ["42 Market Street"]),
        (["degrees", None, "type"], ["Bachelor of Science", "Master of Science"]),
        (["nationalities", 1], ["Betelgeusian"]),
    ],
)
def test_the_specifications_claims_path_pointers(path: list[Any], selected: list[Any]) -> None:
    assert select_claims(ARTHUR, path) == selected


@pytest.mark.parametrize(
    "path",
    [
        ["nationalities", 7],  # no such index: nothing selected
        ["name", "first"],  # a key of a string
        ["address", None],  # all elements of an object
        ["degrees", "type"],  # a key of an array
        ["surname"],
    ],
)
def test_a_pointer_that_selects_nothing_or_aborts(path: list[Any]) -> None:
    assert select_claims(ARTHUR, path) is None


def test_the_specifications_queries_round_trip() -> None:
    for raw in (ALTERNATIVES, CLAIM_SETS):
        assert parse_dcql_query(raw).to_json() == raw


def test_credential_sets_need_one_option_of_every_required_set() -> None:
    query = parse_dcql_query(ALTERNATIVES)
    assert unsatisfied(query, {"pid"}) is None
    assert unsatisfied(query, {"pid_reduced_cred_1", "pid_reduced_cred_2"}) is None
    assert unsatisfied(query, {"nice_to_have", "pid_reduced_cred_1"}) is not None
    assert unsatisfied(query, set()) is not None


def test_without_credential_sets_every_query_is_needed() -> None:
    query = parse_dcql_query({"credentials": ALTERNATIVES["credentials"][:2]})
    assert unsatisfied(query, {"pid"}) == "no verified presentation for other_pid"
    assert unsatisfied(query, {"pid", "other_pid"}) is None


def test_claim_sets_need_every_claim_of_one_set() -> None:
    query = parse_dcql_query(CLAIM_SETS).credentials[0]
    base = {"family_name": "Dent", "date_of_birth": "1952-03-11"}

    def presented(**claims: Any) -> PresentedCredential:
        return PresentedCredential("dc+sd-jwt", base | claims, vct=PID)

    assert credential_mismatch(query, presented(postal_code="12345")) is None
    assert credential_mismatch(query, presented(locality="Milliways", region="Arcturus")) is None
    assert credential_mismatch(query, presented(locality="Milliways")) == (
        "it discloses none of the claim sets asked for"
    )


def test_a_w3c_credential_matches_on_expanded_types_and_claim_values() -> None:
    ctpat = "https://w3id.org/traceability#CTPATCertificate"
    [query] = query_for_alternatives(
        [
            Alternative(
                "ctpat",
                "ldp_vc",
                type_iri=ctpat,
                claims=(ClaimsQuery(("credentialSubject", "tier"), values=("Validated",)),),
            )
        ]
    ).credentials
    document = {"credentialSubject": {"tier": "Validated"}}
    types = frozenset({"https://www.w3.org/2018/credentials#VerifiableCredential", ctpat})
    assert credential_mismatch(query, PresentedCredential("ldp_vc", document, types)) is None
    assert "jwt_vc_json, not ldp_vc" in str(
        credential_mismatch(query, PresentedCredential("jwt_vc_json", document, types))
    )
    other = frozenset({"https://w3id.org/vcservice/trade-certificates#OEACertificate"})
    assert "not of the types asked for" in str(
        credential_mismatch(query, PresentedCredential("ldp_vc", document, other))
    )
    certified = {"credentialSubject": {"tier": "Certified"}}
    assert credential_mismatch(query, PresentedCredential("ldp_vc", certified, types)) == (
        "it does not disclose credentialSubject/tier"
    )


def test_values_match_in_type_as_well() -> None:
    [query] = parse_dcql_query(
        {
            "credentials": [
                {
                    "id": "x",
                    "format": "dc+sd-jwt",
                    "meta": {"vct_values": ["v"]},
                    "claims": [{"path": ["flag"], "values": [1]}],
                }
            ]
        }
    ).credentials
    assert (
        credential_mismatch(query, PresentedCredential("dc+sd-jwt", {"flag": 1}, vct="v")) is None
    )
    assert credential_mismatch(query, PresentedCredential("dc+sd-jwt", {"flag": True}, vct="v"))


def test_a_policy_of_one_credential_needs_no_credential_sets() -> None:
    query = query_for_alternatives([Alternative("ctpat", "ldp_vc", type_iri="T")])
    assert query.to_json() == {
        "credentials": [{"id": "ctpat", "format": "ldp_vc", "meta": {"type_values": [["T"]]}}]
    }


def _query(**credential: Any) -> dict[str, Any]:
    entry = {"id": "q", "format": "ldp_vc", "meta": {"type_values": [["T"]]}} | credential
    return {"credentials": [{k: v for k, v in entry.items() if v is not None}]}


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({}, "dcql_query.credentials"),
        ({"credentials": []}, "dcql_query.credentials"),
        (_query(id="no spaces"), "dcql_query.credentials[0].id"),
        (_query(format="mso_mdoc"), "dcql_query.credentials[0].format"),
        (_query(meta=None), "dcql_query.credentials[0].meta"),
        (_query(meta={"vct_values": ["v"]}), "dcql_query.credentials[0].meta.type_values"),
        (_query(meta={"type_values": ["T"]}), "dcql_query.credentials[0].meta.type_values[0]"),
        (
            _query(require_cryptographic_holder_binding=False),
            "dcql_query.credentials[0].require_cryptographic_holder_binding",
        ),
        (
            _query(trusted_authorities=[{"type": "aki", "values": ["x"]}]),
            "dcql_query.credentials[0].trusted_authorities",
        ),
        (_query(claims=[{"path": []}]), "dcql_query.credentials[0].claims[0].path"),
        (_query(claims=[{"path": ["a", -1]}]), "dcql_query.credentials[0].claims[0].path[1]"),
        (_query(claims=[{"path": ["a", True]}]), "dcql_query.credentials[0].claims[0].path[1]"),
        (
            _query(claims=[{"path": ["a"], "values": [1.5]}]),
            "dcql_query.credentials[0].claims[0].values[0]",
        ),
        (_query(claim_sets=[["a"]]), "dcql_query.credentials[0].claim_sets"),
        (
            _query(claims=[{"id": "a", "path": ["a"]}], claim_sets=[["b"]]),
            "dcql_query.credentials[0].claim_sets[0]",
        ),
        (
            _query(claims=[{"path": ["a"]}], claim_sets=[["a"]]),
            "dcql_query.credentials[0].claims",
        ),
        (
            {"credentials": _query()["credentials"] * 2},
            "dcql_query.credentials",
        ),
        (
            _query() | {"credential_sets": [{"options": [["other"]]}]},
            "dcql_query.credential_sets[0].options[0]",
        ),
        (_query(multiple="yes"), "dcql_query.credentials[0].multiple"),
    ],
)
def test_what_this_verifier_refuses(raw: dict[str, Any], field: str) -> None:
    with pytest.raises(ParsingError) as refused:
        parse_dcql_query(raw)
    assert (refused.value.code, refused.value.field) == ("MALFORMED_VALUE_ERROR", field)


def test_formats_this_verifier_does_not_check_are_refused() -> None:
    with pytest.raises(ParsingError) as refused:
        parse_dcql_query(ALTERNATIVES, formats=("ldp_vc", "jwt_vc_json"))
    assert refused.value.field == "dcql_query.credentials[0].format"
