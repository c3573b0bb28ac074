"""An SD-JWT VC presentation into named checks: each refusal with its code, real keys throughout."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from vcservice.errors import DidError, ParsingError
from vcservice.jose.jws import decode_compact, sign_compact
from vcservice.keys import KeyPair, KeyPairSigner, KeyType, PublicKey
from vcservice.keys.multibase import base64url_decode, base64url_encode
from vcservice.model.checks import Outcome
from vcservice.sdjwt import SdJwtParts, bind, issue_sd_jwt, present, split, verify_sd_jwt_vc
from vcservice.sdjwt.verification import SdJwtVcVerification

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
SKEW = timedelta(minutes=2)
ISSUER = "did:example:cbp"
KID = f"{ISSUER}#key-1"
NONCE, AUDIENCE = "nonce-1", "https://aduana.example"
ISSUER_KEY = KeyPair.generate(KeyType.P256)
HOLDER_KEY = KeyPair.generate(KeyType.P256)
HOLDER = KeyPairSigner(HOLDER_KEY, "did:example:holder#key-1")
CLAIMS: dict[str, Any] = {
    "iss": ISSUER,
    "iat": int(NOW.timestamp()) - 60,
    "exp": int((NOW + timedelta(days=365)).timestamp()),
    "vct": "https://vcservice.example/vct/ctpat",
    "cnf": {"jwk": HOLDER_KEY.public_key.to_jwk()},
    "tier": "Validated",
    "member": {"legalName": "Ensambles Bravo", "rfc": "EEB030821R49"},
}
DISCLOSABLE = {("member", "legalName"), ("member", "rfc")}


def _issuer_key(kid: str) -> tuple[PublicKey, str]:
    if kid != KID:
        raise DidError(f"unknown key {kid}", code="DID_NOT_FOUND")
    return ISSUER_KEY.public_key, ISSUER


def _issued(
    claims: dict[str, Any] = CLAIMS, *, signer: KeyPair = ISSUER_KEY, kid: str = KID
) -> str:
    return issue_sd_jwt(claims, disclosable=DISCLOSABLE, signer=KeyPairSigner(signer, kid))


def _presented(issued: str, **binding: Any) -> str:
    chosen = present(issued, disclose=[("member", "legalName")])
    options = {"signer": HOLDER, "nonce": NONCE, "audience": AUDIENCE, "issued_at": NOW}
    return bind(chosen, **(options | binding))


def _verify(presentation: str, *, required: bool = True, **expected: Any) -> SdJwtVcVerification:
    return verify_sd_jwt_vc(
        presentation,
        issuer_key=_issuer_key,
        require_key_binding=required,
        expected_nonce=expected.get("nonce", NONCE),
        expected_audience=expected.get("audience", AUDIENCE),
        now=NOW,
        skew=SKEW,
    )


def _failed(result: SdJwtVcVerification) -> dict[str, list[str]]:
    return {
        name: [problem.code for problem in check.problems]
        for name, check in result.checks.items()
        if check.outcome is Outcome.FAILED
    }


def test_a_presentation_of_some_claims_verifies_and_shows_only_those() -> None:
    result = _verify(_presented(_issued()))
    assert _failed(result) == {} and result.proven
    assert {check.outcome for check in result.checks.values()} == {Outcome.PASSED}
    assert result.claims is not None
    assert result.claims["member"] == {"legalName": "Ensambles Bravo"}
    assert result.claims["tier"] == "Validated" and "_sd" not in result.claims
    assert result.checks["issuer"].detail == f"signed by the issuer {ISSUER}"


def test_the_issuance_form_verifies_without_key_binding_when_none_is_required() -> None:
    result = _verify(_issued(), required=False)
    assert _failed(result) == {}
    assert result.checks["holderBinding"].outcome is Outcome.SKIPPED
    assert result.claims is not None and result.claims["member"]["rfc"] == "EEB030821R49"


def _tamper(presentation: str) -> str:
    parts = split(presentation)
    content = json.loads(base64url_decode(parts.disclosures[0]))
    content[2] = "Another Company"
    forged = base64url_encode(json.dumps(content).encode())
    return SdJwtParts(parts.issuer_jwt, (forged,), parts.key_binding_jwt).serialize()


def _case(name: str, make: Any, check: str, code: str, **expected: str) -> Any:
    return pytest.param(make, expected, {check: [code]}, id=name)


def _expiring(seconds: int) -> dict[str, Any]:
    return {**CLAIMS, "exp": int(NOW.timestamp()) + seconds}


STRANGER = KeyPairSigner(KeyPair.generate(KeyType.P256), "did:example:stranger#key-1")
PROOF, BINDING = "PROOF_VERIFICATION_ERROR", "HOLDER_BINDING_ERROR"
CASES = [
    _case("tampered disclosure", lambda: _tamper(_presented(_issued())), "proof", PROOF),
    _case(
        "wrong nonce",
        lambda: _presented(_issued()),
        "holderBinding",
        "INVALID_CHALLENGE_ERROR",
        nonce="other",
    ),
    _case(
        "wrong aud",
        lambda: _presented(_issued()),
        "holderBinding",
        "INVALID_DOMAIN_ERROR",
        audience="https://other.example",
    ),
    _case(
        "stale iat",
        lambda: _presented(_issued(), issued_at=NOW - timedelta(minutes=3)),
        "holderBinding",
        PROOF,
    ),
    _case(
        "future iat",
        lambda: _presented(_issued(), issued_at=NOW + timedelta(minutes=3)),
        "holderBinding",
        PROOF,
    ),
    _case("no key binding", lambda: split(_presented(_issued())).sd_jwt, "holderBinding", BINDING),
    _case(
        "not the cnf key", lambda: _presented(_issued(), signer=STRANGER), "holderBinding", BINDING
    ),
    _case("sd_hash of other disclosures", lambda: _unhashed(_issued()), "holderBinding", PROOF),
    _case(
        "not the issuer's signature",
        lambda: _presented(_issued(signer=KeyPair.generate(KeyType.P256))),
        "proof",
        PROOF,
    ),
    _case(
        "unknown issuer key",
        lambda: _presented(_issued(kid="did:example:other#key-1")),
        "proof",
        "DID_NOT_FOUND",
    ),
    _case(
        "iss is not the signer",
        lambda: _presented(_issued({**CLAIMS, "iss": "did:example:sat"})),
        "issuer",
        "INVALID_ISSUER",
    ),
    _case(
        "expired",
        lambda: _presented(_issued(_expiring(-300))),
        "validityPeriod",
        "CREDENTIAL_EXPIRED",
    ),
    _case(
        "not yet valid",
        lambda: _presented(_issued({**CLAIMS, "nbf": int(NOW.timestamp()) + 300})),
        "validityPeriod",
        "CREDENTIAL_NOT_YET_VALID",
    ),
    _case(
        "typ is not dc+sd-jwt",
        lambda: _presented(_retyped(_issued(), "vc+sd-jwt")),
        "structure",
        "MALFORMED_VALUE_ERROR",
    ),
    _case("unreadable", lambda: "not an SD-JWT", "structure", "PARSING_ERROR"),
]


@pytest.mark.parametrize(("presentation", "expected", "failed"), CASES)
def test_each_check_refuses_with_its_code(
    presentation: Any, expected: dict[str, str], failed: dict[str, list[str]]
) -> None:
    result = _verify(presentation(), **expected)
    assert _failed(result) == failed
    assert not (result.proven and "structure" in failed)


def _unhashed(issued: str) -> str:
    """Other Disclosures of the same credential under a KB-JWT made for the first ones."""
    bound = split(_presented(issued))
    other = present(issued, disclose=[("member", "rfc")])
    return other + (bound.key_binding_jwt or "")


def _retyped(issued: str, typ: str) -> str:
    parts = split(issued)
    payload = decode_compact(parts.issuer_jwt).payload_json()
    jwt = sign_compact(payload, signer=KeyPairSigner(ISSUER_KEY, KID), header={"typ": typ})
    return SdJwtParts(jwt, parts.disclosures).serialize()


def test_claims_an_sd_jwt_vc_never_discloses_cannot_be_made_disclosable() -> None:
    with pytest.raises(ParsingError):
        issue_sd_jwt(CLAIMS, disclosable={("exp",)}, signer=KeyPairSigner(ISSUER_KEY, KID))
