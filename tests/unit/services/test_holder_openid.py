"""The wallet's choices, without the network: which Credential Queries it answers, which
claims it discloses, what it reads of a token response and a direct_post.jwt request.
(``tests/api/test_holder_openid.py`` runs the protocols over HTTP.)"""

from __future__ import annotations

from typing import Any

import pytest

from vcservice.errors import ParsingError
from vcservice.oid4vp.dcql import parse_dcql_query
from vcservice.services.holder_openid.presenting import _path_text
from vcservice.services.holder_openid.receiving import _credential_identifiers
from vcservice.services.holder_openid.requests import _dcql_query, _encryption_key
from vcservice.services.holder_openid.selection import _claims_to_disclose, _needed

CTPAT = {"member": {"legalName": "Ensambles", "rfc": "EEB030821R49"}, "tier": "Validated"}


def _query(*ids: str, sets: list[dict[str, Any]] | None = None) -> Any:
    credentials = [
        {"id": query_id, "format": "dc+sd-jwt", "meta": {"vct_values": ["https://x/vct/ctpat"]}}
        for query_id in ids
    ]
    return parse_dcql_query(
        {"credentials": credentials} | ({"credential_sets": sets} if sets else {})
    )


def test_every_query_or_the_first_answerable_option_of_each_required_set() -> None:
    assert _needed(_query("a", "b"), {"a", "b"}) == {"a", "b"}
    assert _needed(_query("a", "b"), {"a"}) is None
    sets = [
        {"options": [["a"], ["b", "c"]]},
        {"options": [["d"]], "required": False},  # optional: never answered
    ]
    query = _query("a", "b", "c", "d", sets=sets)
    assert _needed(query, {"a", "b", "c", "d"}) == {"a"}
    assert _needed(query, {"b", "c", "d"}) == {"b", "c"}
    assert _needed(query, {"b", "d"}) is None


def test_the_claims_disclosed_are_those_asked_or_the_first_claim_set_met() -> None:
    raw = {
        "credentials": [
            {
                "id": "q",
                "format": "dc+sd-jwt",
                "meta": {"vct_values": ["https://x/vct/ctpat"]},
                "claims": [
                    {"id": "svi", "path": ["sviNumber"]},
                    {"id": "name", "path": ["member", "legalName"]},
                    {"id": "tier", "path": ["tier"], "values": ["Validated"]},
                ],
                "claim_sets": [["svi"], ["name", "tier"]],
            }
        ]
    }
    [query] = parse_dcql_query(raw).credentials
    chosen = _claims_to_disclose(query, CTPAT)  # no SVI number: the second set
    assert [claim.id for claim in chosen] == ["name", "tier"]
    assert _claims_to_disclose(query, {**CTPAT, "tier": "Certified"}) == ()
    without_sets = {k: v for k, v in raw["credentials"][0].items() if k != "claim_sets"}
    [plain] = parse_dcql_query({"credentials": [without_sets]}).credentials
    assert [claim.id for claim in _claims_to_disclose(plain, CTPAT)] == ["svi", "name", "tier"]
    assert [_path_text(path) for path in (("member", "location", None, "address"), ("a", 0))] == [
        "member.location[].address",
        "a[0]",
    ]


def test_what_only_a_verifier_acts_on_is_left_out_of_the_query() -> None:
    raw = {
        "credentials": [
            {
                "id": "q",
                "format": "dc+sd-jwt",
                "meta": {"vct_values": ["v"]},
                "trusted_authorities": [{"type": "aki", "values": ["x"]}],
                "require_cryptographic_holder_binding": False,
            }
        ]
    }
    assert [query.id for query in _dcql_query(raw).credentials] == ["q"]
    with pytest.raises(ParsingError) as caught:
        _dcql_query({"credentials": [{"id": "q", "format": "mso_mdoc", "meta": {}}]})
    assert caught.value.field == "request.dcql_query.credentials[0].format"


def test_credential_identifiers_of_a_token_response() -> None:
    body = {
        "access_token": "t",
        "authorization_details": [
            {
                "type": "openid_credential",
                "credential_configuration_id": "CTPATCertificate_sd_jwt_vc",
                "credential_identifiers": ["ctpat-1", ""],
            },
            {"type": "other", "credential_configuration_id": "x", "credential_identifiers": ["y"]},
        ],
    }
    assert _credential_identifiers(body) == {"CTPATCertificate_sd_jwt_vc": ("ctpat-1",)}
    assert _credential_identifiers({"access_token": "t"}) == {}


def test_the_key_and_encryption_of_a_direct_post_jwt_answer() -> None:
    key = {"kty": "EC", "crv": "P-256", "x": "x", "y": "y", "use": "enc", "kid": "k"}
    signing = key | {"use": "sig"}
    metadata = {
        "jwks": {"keys": [signing, key]},
        "encrypted_response_enc_values_supported": ["A256GCM", "A128GCM"],
    }
    assert _encryption_key({"client_metadata": metadata}) == (key, "A256GCM")
    with pytest.raises(ParsingError):
        _encryption_key({"client_metadata": {"jwks": {"keys": [signing]}}})
    with pytest.raises(ParsingError):
        _encryption_key(
            {"client_metadata": metadata | {"encrypted_response_enc_values_supported": ["XC20P"]}}
        )
