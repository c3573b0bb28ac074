"""The Authorization Request and Response messages: the Request Object's claims and its
signature, the link, a wallet's POST to the request_uri, a direct_post body and the VP
Token's shape against the query."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from vcservice.dids.methods.jwk import DidJwkMethod, did_jwk_from_public_key
from vcservice.errors import ParsingError
from vcservice.jose.jws import decode_compact
from vcservice.keys import KeyPair, KeyPairSigner, KeyType
from vcservice.oid4vp.authorization_request import (
    WalletRequest,
    authorization_link,
    build_request_object,
    by_reference,
    by_value,
    client_id_for,
    client_metadata,
    parse_request_uri_post,
    sign_request_object,
)
from vcservice.oid4vp.authorization_response import (
    AuthorizationResponse,
    WalletError,
    parse_authorization_response,
    presentations_in,
)
from vcservice.oid4vp.dcql import parse_dcql_query
from vcservice.oid4vp.errors import SPEC_ERROR, Oid4vpError, refusal

QUERY = {
    "credentials": [
        {"id": "ldp", "format": "ldp_vc", "meta": {"type_values": [["T"]]}},
        {"id": "sd", "format": "dc+sd-jwt", "multiple": True, "meta": {"vct_values": ["v"]}},
    ]
}


def _claims(**changes: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "client_id": "decentralized_identifier:did:jwk:x",
        "response_uri": "https://verifier.example/openid4vp/responses/r",
        "response_mode": "direct_post",
        "nonce": "n",
        "state": "s",
        "dcql_query": QUERY,
        "metadata": client_metadata(["ldp_vc"]),
        "issued_at": 1_000,
        "expires_at": 1_300,
    }
    return build_request_object(**(arguments | changes))


def test_the_request_object_names_everything_the_wallet_needs() -> None:
    claims = _claims()
    assert claims == {
        "aud": "https://self-issued.me/v2",
        "iat": 1_000,
        "exp": 1_300,
        "client_id": "decentralized_identifier:did:jwk:x",
        "response_type": "vp_token",
        "response_mode": "direct_post",
        "response_uri": "https://verifier.example/openid4vp/responses/r",
        "nonce": "n",
        "state": "s",
        "dcql_query": QUERY,
        "client_metadata": {
            "vp_formats_supported": {
                "ldp_vc": client_metadata(["ldp_vc"])["vp_formats_supported"]["ldp_vc"]
            }
        },
    }
    wallet = WalletRequest("wn", {"issuer": "https://wallet.example"})
    posted = _claims(wallet=wallet)
    assert (posted["aud"], posted["wallet_nonce"]) == ("https://wallet.example", "wn")
    with pytest.raises(ParsingError):
        _claims(response_mode="fragment")


def test_it_is_signed_by_the_key_of_the_client_ids_did() -> None:
    key = KeyPair.generate(KeyType.P256)
    did = did_jwk_from_public_key(key.public_key)
    token = sign_request_object(_claims(), signer=KeyPairSigner(key, f"{did}#0"))
    jws = decode_compact(token)
    assert jws.header == {"typ": "oauth-authz-req+jwt", "alg": "ES256", "kid": f"{did}#0"}
    document = DidJwkMethod().resolve(did)
    assert document.authorizes(jws.header["kid"], "assertionMethod")
    jws.verify_with(document.verification_method(jws.header["kid"]).public_key)


def test_client_ids_and_links() -> None:
    uri = "https://verifier.example/openid4vp/responses/r"
    assert client_id_for("decentralized_identifier", did="did:jwk:x", response_uri=uri) == (
        "decentralized_identifier:did:jwk:x"
    )
    assert client_id_for("redirect_uri", did="did:jwk:x", response_uri=uri) == f"redirect_uri:{uri}"
    with pytest.raises(ParsingError):
        client_id_for("x509_san_dns", did="did:jwk:x", response_uri=uri)
    link = authorization_link(
        by_reference("decentralized_identifier:did:jwk:x", "https://v/r", "post")
    )
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == ("openid4vp", "", "")
    assert dict(parse_qsl(parts.query)) == {
        "client_id": "decentralized_identifier:did:jwk:x",
        "request_uri": "https://v/r",
        "request_uri_method": "post",
    }
    assert "request_uri_method" not in by_reference("c", "https://v/r", "get")
    with pytest.raises(ParsingError):
        by_reference("c", "https://v/r", "put")
    value = by_value(_claims())
    assert "aud" not in value and "exp" not in value
    assert json.loads(value["dcql_query"]) == QUERY


def test_a_wallets_post_to_the_request_uri() -> None:
    posted = parse_request_uri_post(
        {"wallet_nonce": "qPmxiNFCR3QTm19POc8u", "wallet_metadata": '{"vp_formats_supported": {}}'}
    )
    assert posted.wallet_nonce == "qPmxiNFCR3QTm19POc8u"
    assert posted.wallet_metadata == {"vp_formats_supported": {}}
    assert parse_request_uri_post({}) == WalletRequest()
    for form in ({"wallet_nonce": "a b"}, {"wallet_metadata": "[1]"}, {"wallet_metadata": "{"}):
        with pytest.raises(ParsingError):
            parse_request_uri_post(form)


def test_a_direct_post_body() -> None:
    answer = parse_authorization_response({"vp_token": '{"ldp": [{}]}', "state": "s"})
    assert answer == AuthorizationResponse({"ldp": [{}]}, "s")
    declined = parse_authorization_response({"error": "access_denied", "state": "s"})
    assert declined == WalletError("access_denied", None, "s")
    for parameters in (
        {},
        {"state": "s"},
        {"vp_token": "[]"},
        {"vp_token": '{"a": 1, "a": 2}'},
        {"vp_token": '{"a": NaN}'},
        {"error": 'bad"quote'},
    ):
        with pytest.raises(ParsingError):
            parse_authorization_response(parameters)


def test_the_vp_tokens_shape_follows_the_query() -> None:
    query = parse_dcql_query(QUERY)
    found = presentations_in({"sd": ["a~", "b~"], "ldp": [{"type": "VP"}]}, query)
    assert [(entry.query_id, entry.format) for entry in found] == [
        ("ldp", "ldp_vc"),
        ("sd", "dc+sd-jwt"),
        ("sd", "dc+sd-jwt"),
    ]
    for token, field in (
        ({"other": ["a~"]}, "vp_token.other"),
        ({"ldp": {"type": "VP"}}, "vp_token.ldp"),
        ({"ldp": []}, "vp_token.ldp"),
        ({"ldp": [{}, {}]}, "vp_token.ldp"),  # not multiple
        ({"ldp": ["a string"]}, "vp_token.ldp[0]"),
        ({"sd": [{"an": "object"}]}, "vp_token.sd[0]"),
        ({}, "vp_token"),
    ):
        with pytest.raises(ParsingError) as refused:
            presentations_in(token, query)
        assert refused.value.field == field


def test_every_refusal_has_the_specifications_code() -> None:
    assert set(SPEC_ERROR.values()) == {"invalid_request"}
    error = refusal(ParsingError("x", field="vp_token"))
    assert isinstance(error, Oid4vpError) and error.error == "invalid_request"
    assert error.code == "PARSING_ERROR"
