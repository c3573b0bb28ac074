"""VC-JOSE-COSE: vc+jwt and vp+jwt with ES256, ES384 and EdDSA."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from tests.factories import NOW, certificate, held_by, key_file
from vcservice.certificates.samples import sample_certificate
from vcservice.dids.methods.key import DidKeyMethod
from vcservice.dids.resolver import UniversalResolver
from vcservice.errors import ParsingError, ProofError
from vcservice.jose import vc_jwt
from vcservice.jose.jws import decode_compact, sign_compact
from vcservice.keys import KeyFile, KeyPairSigner, KeyType
from vcservice.keys.multibase import base64url_decode, base64url_encode

RESOLVER = UniversalResolver([DidKeyMethod()])
ALGORITHMS = [(KeyType.ED25519, "EdDSA"), (KeyType.P256, "ES256"), (KeyType.P384, "ES384")]


@pytest.mark.parametrize(("key_type", "alg"), ALGORITHMS)
def test_vc_jwt_round_trip(key_type: KeyType, alg: str) -> None:
    key = key_file(key_type)
    credential = certificate("oea", issuer=key)
    token = vc_jwt.secure_credential(credential, signer=key.signer())
    header = decode_compact(token).header
    assert header == {"typ": "vc+jwt", "cty": "vc", "alg": alg, "kid": key.verification_method}
    opened = vc_jwt.open_jwt(token, resolver=RESOLVER, expected_typ=vc_jwt.VC_JWT)
    assert opened.document == credential
    assert opened.algorithm == alg
    assert opened.verification_method.id == key.verification_method


def _reencode(
    token: str, *, header: dict[str, object] | None = None, payload: dict[str, object] | None = None
) -> str:
    parts = token.split(".")
    if header is not None:
        parts[0] = base64url_encode(json.dumps(header).encode())
    if payload is not None:
        parts[1] = base64url_encode(json.dumps(payload).encode())
    return ".".join(parts)


def test_changed_payload_fails() -> None:
    key = key_file(KeyType.P384)
    token = vc_jwt.secure_credential(certificate(issuer=key), signer=key.signer())
    payload = json.loads(base64url_decode(token.split(".")[1]))
    payload["credentialSubject"]["member"]["legalName"] = "Otra Empresa, S.A. de C.V."
    with pytest.raises(ProofError, match="does not verify"):
        vc_jwt.open_jwt(
            _reencode(token, payload=payload), resolver=RESOLVER, expected_typ=vc_jwt.VC_JWT
        )


def test_algorithm_must_fit_the_key() -> None:
    key = key_file(KeyType.P384)
    token = vc_jwt.secure_credential(certificate(issuer=key), signer=key.signer())
    header = decode_compact(token).header
    with pytest.raises(ProofError, match="does not fit a P-384 key"):
        vc_jwt.open_jwt(
            _reencode(token, header={**header, "alg": "ES256"}),
            resolver=RESOLVER,
            expected_typ=vc_jwt.VC_JWT,
        )
    with pytest.raises(ProofError):
        vc_jwt.open_jwt(
            _reencode(token, header={**header, "alg": "none"}),
            resolver=RESOLVER,
            expected_typ=vc_jwt.VC_JWT,
        )


def test_signature_by_another_key_under_the_same_kid_fails() -> None:
    key, other = key_file(KeyType.ED25519, seed=1), key_file(KeyType.ED25519, seed=2)
    impostor = KeyPairSigner(other.key_pair, key.verification_method)
    token = vc_jwt.secure_credential(certificate(issuer=key), signer=impostor)
    with pytest.raises(ProofError):
        vc_jwt.open_jwt(token, resolver=RESOLVER, expected_typ=vc_jwt.VC_JWT)


@pytest.mark.parametrize("token", ["", "a.b", "a.b.c.d", "!!!.???.***", "e30.e30.AAAA"])
def test_malformed_tokens_are_parsing_errors(token: str) -> None:
    with pytest.raises((ParsingError, ProofError)):
        vc_jwt.open_jwt(token, resolver=RESOLVER, expected_typ=vc_jwt.VC_JWT)


def test_typ_and_kid_are_required() -> None:
    key: KeyFile = key_file()
    wrong_typ = sign_compact({"a": 1}, signer=key.signer(), header={"typ": "JWT"})
    with pytest.raises(ParsingError, match="typ"):
        vc_jwt.open_jwt(wrong_typ, resolver=RESOLVER, expected_typ=vc_jwt.VC_JWT)
    presentation = vc_jwt.secure_presentation(
        {"type": ["VerifiablePresentation"]}, signer=key.signer()
    )
    with pytest.raises(ParsingError, match="typ"):
        vc_jwt.open_jwt(presentation, resolver=RESOLVER, expected_typ=vc_jwt.VC_JWT)


def test_presentation_carries_nonce_and_audience_as_claims() -> None:
    key = key_file(KeyType.P256)
    token = vc_jwt.secure_presentation(
        {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiablePresentation"]},
        signer=key.signer(),
        nonce="n-1",
        audience="https://broker.example",
    )
    opened = vc_jwt.open_jwt(token, resolver=RESOLVER, expected_typ=vc_jwt.VP_JWT)
    assert opened.claims == {"nonce": "n-1", "aud": "https://broker.example"}
    assert "nonce" not in opened.document


def test_enveloped_data_urls() -> None:
    url = vc_jwt.enveloped_id("aaa.bbb.ccc", vc_jwt.VC_JWT)
    assert url == "data:application/vc+jwt,aaa.bbb.ccc"
    assert vc_jwt.token_from_enveloped_id(url) == ("vc+jwt", "aaa.bbb.ccc")
    with pytest.raises(ParsingError):
        vc_jwt.token_from_enveloped_id("data:text/plain,hello")


def _sub_problems(credential: dict[str, object], sub: str) -> list[tuple[str, str | None]]:
    """What ``claim_problems`` says of a vc+jwt of ``credential`` whose ``sub`` is ``sub``."""
    key = key_file(KeyType.P256)
    token = sign_compact(
        {**credential, "sub": sub}, signer=key.signer(), header={"typ": "vc+jwt", "cty": "vc"}
    )
    opened = vc_jwt.open_jwt(token, resolver=RESOLVER, expected_typ=vc_jwt.VC_JWT)
    problems = vc_jwt.claim_problems(opened, now=NOW, skew=timedelta(minutes=2))
    return [(p.code, p.field) for p in problems.structure]


def test_sub_must_be_the_subject_id() -> None:
    v1 = sample_certificate("ctpat", "v1")  # valid at NOW
    assert _sub_problems(v1, v1["credentialSubject"]["id"]) == []
    assert _sub_problems(v1, "did:web:someone.else") == [("MALFORMED_VALUE_ERROR", "sub")]


def test_sub_may_be_the_member_id_when_the_subject_has_none() -> None:
    company = "did:web:ensambles-frontera.example"
    v2 = held_by(certificate("ctpat"), company)
    assert "id" not in v2["credentialSubject"]
    assert v2["credentialSubject"]["member"]["id"] == company
    assert _sub_problems(v2, company) == []
    assert _sub_problems(v2, "did:web:someone.else") == [("MALFORMED_VALUE_ERROR", "sub")]
    both = held_by(certificate("ctpat"), company)  # a subject with its own id is bound by it
    both["credentialSubject"]["id"] = "did:web:ctpat-membership.example"
    assert _sub_problems(both, company) == [("MALFORMED_VALUE_ERROR", "sub")]
    assert _sub_problems(both, "did:web:ctpat-membership.example") == []
