"""Metadata, offers, token requests and error answers: the messages as the spec words them."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from vcservice.model.credential_offers import OfferState
from vcservice.oid4vci.certificates import DISPLAYS, LOCALES, display_of
from vcservice.oid4vci.credential_response import build_credential_response
from vcservice.oid4vci.errors import ANSWERS, ErrorCode, ProtocolError, Refusal
from vcservice.oid4vci.metadata import (
    CREDENTIAL_ISSUER_WELL_KNOWN,
    LDP_VC,
    SD_JWT_VC,
    CredentialConfiguration,
    IssuerEndpoints,
    build_credential_issuer_metadata,
    configuration_id,
    well_known_url,
)
from vcservice.oid4vci.offer import (
    TxCode,
    build_credential_offer,
    offer_link_by_reference,
    offer_link_by_value,
)
from vcservice.oid4vci.token_request import (
    PreAuthorizedCodeRequest,
    check_redeemable,
    parse_token_request,
)

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
# RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E (no '"' nor '\').
DESCRIPTION = re.compile(r"^[\x20-\x21\x23-\x5b\x5d-\x7e]+$")
TX_CODE = TxCode(length=6, description="6-digit code")


def test_every_refusal_has_a_public_answer_in_the_allowed_characters() -> None:
    assert set(ANSWERS) == set(Refusal)
    for refusal, answer in ANSWERS.items():
        assert DESCRIPTION.match(answer.description), refusal
        assert answer.status in (400, 401, 403), refusal
        assert (answer.status == 401) == (answer.error is ErrorCode.INVALID_TOKEN), refusal
    error = ProtocolError(Refusal.TX_CODE_WRONG, "internal detail")
    assert (
        error.answer.error is ErrorCode.INVALID_GRANT and "internal" not in error.answer.description
    )


@pytest.mark.parametrize(
    ("identifier", "well_known"),
    [
        ("https://vc.example/issuers/sat", "https://vc.example/.well-known/openid-credential-issuer/issuers/sat"),
        ("https://vc.example/base/issuers/sat", "https://vc.example/.well-known/openid-credential-issuer/base/issuers/sat"),
        ("https://sat.example", "https://sat.example/.well-known/openid-credential-issuer"),
    ],
)  # fmt: skip
def test_the_well_known_path_goes_between_host_and_path(identifier: str, well_known: str) -> None:
    assert well_known_url(identifier, CREDENTIAL_ISSUER_WELL_KNOWN) == well_known


def test_the_metadata_lists_each_configuration_with_its_display() -> None:
    endpoints = IssuerEndpoints("https://vc.example/issuers/cbp")
    ldp = CredentialConfiguration(
        id=configuration_id("CTPATCertificate", LDP_VC),
        format=LDP_VC,
        credential_type="CTPATCertificate",
        display=display_of("CTPATCertificate", "C-TPAT"),
        binding_methods=("did:jwk",),
        types=("VerifiableCredential", "CTPATCertificate"),
        contexts=("https://www.w3.org/ns/credentials/v2",),
        signing_algorithms=("eddsa-rdfc-2022",),
    )
    sd_jwt = CredentialConfiguration(
        id=configuration_id("CTPATCertificate", SD_JWT_VC),
        format=SD_JWT_VC,
        credential_type="CTPATCertificate",
        display=display_of("CTPATCertificate", "C-TPAT"),
        binding_methods=("jwk",),
        vct="https://vc.example/vct/ctpat",
    )
    metadata = build_credential_issuer_metadata(
        endpoints, display_name="CBP", configurations=[ldp, sd_jwt]
    )
    configurations = metadata["credential_configurations_supported"]
    assert list(configurations) == ["CTPATCertificate_ldp_vc", "CTPATCertificate_sd_jwt_vc"]
    assert configurations["CTPATCertificate_ldp_vc"]["credential_definition"] == {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential", "CTPATCertificate"],
    }
    sd = configurations["CTPATCertificate_sd_jwt_vc"]
    assert sd["vct"] == "https://vc.example/vct/ctpat" and "credential_definition" not in sd
    assert "credential_signing_alg_values_supported" not in sd
    assert metadata["nonce_endpoint"] == "https://vc.example/issuers/cbp/nonce"


def test_each_certificate_type_is_named_in_spanish_and_english() -> None:
    for name, displays in DISPLAYS.items():
        assert tuple(entry.locale for entry in displays) == LOCALES, name
    assert [d.name for d in display_of("Other", "Other credential")] == ["Other credential"] * 2


def test_an_offer_travels_by_value_and_by_reference() -> None:
    offer = build_credential_offer(
        credential_issuer="https://vc.example/issuers/cbp",
        configuration_ids=["CTPATCertificate_ldp_vc"],
        pre_authorized_code="code-1",
        tx_code=TX_CODE,
    )
    assert offer["grants"][GRANT] == {
        "pre-authorized_code": "code-1",
        "tx_code": {"input_mode": "numeric", "length": 6, "description": "6-digit code"},
    }
    by_value = urlsplit(offer_link_by_value(offer))
    assert by_value.scheme == "openid-credential-offer" and "+" not in by_value.query
    assert json.loads(parse_qs(by_value.query)["credential_offer"][0]) == offer
    uri = "https://vc.example/issuers/cbp/offers/code-1"
    by_reference = offer_link_by_reference(uri)
    assert by_reference == (
        "openid-credential-offer://?credential_offer_uri="
        "https%3A%2F%2Fvc.example%2Fissuers%2Fcbp%2Foffers%2Fcode-1"
    )
    with pytest.raises(ValueError):
        build_credential_offer(
            credential_issuer="x", configuration_ids=[], pre_authorized_code="c", tx_code=TX_CODE
        )
    with pytest.raises(ValueError):
        TxCode(length=6, description="x" * 301)


def test_a_token_request_is_the_pre_authorized_code_grant() -> None:
    form = {
        "grant_type": [GRANT],
        "pre-authorized_code": ["c"],
        "tx_code": ["123456"],
        "client_id": ["w"],
    }
    assert parse_token_request(form) == PreAuthorizedCodeRequest("c", "123456")
    assert parse_token_request({**form, "tx_code": []}).tx_code is None
    cases = {
        Refusal.GRANT_TYPE_MISSING: {"pre-authorized_code": ["c"]},
        Refusal.GRANT_TYPE_UNSUPPORTED: {"grant_type": ["authorization_code"], "code": ["c"]},
        Refusal.CODE_MISSING: {"grant_type": [GRANT]},
        Refusal.MALFORMED_FORM: {**form, "tx_code": ["1", "2"]},
    }
    for refusal, bad in cases.items():
        with pytest.raises(ProtocolError) as refused:
            parse_token_request(bad)
        assert refused.value.refusal is refusal


@pytest.mark.parametrize(
    ("state", "now", "refusal"),
    [
        (OfferState.REDEEMED, NOW, Refusal.CODE_USED),
        (OfferState.LOCKED, NOW, Refusal.OFFER_LOCKED),
        (OfferState.OFFERED, NOW + timedelta(minutes=10), Refusal.CODE_EXPIRED),
    ],
)
def test_a_used_locked_or_expired_code_is_an_invalid_grant(
    state: OfferState, now: datetime, refusal: Refusal
) -> None:
    check_redeemable(OfferState.OFFERED, expires_at=NOW + timedelta(minutes=10), now=NOW)
    with pytest.raises(ProtocolError) as refused:
        check_redeemable(state, expires_at=NOW + timedelta(minutes=10), now=now)
    assert refused.value.refusal is refusal
    assert refused.value.answer.error is ErrorCode.INVALID_GRANT


def test_a_credential_response_lists_its_credentials_as_they_are() -> None:
    assert build_credential_response(["a.b.c", {"id": "x"}]) == {
        "credentials": [{"credential": "a.b.c"}, {"credential": {"id": "x"}}]
    }
    with pytest.raises(ValueError):
        build_credential_response([])
