"""The legacy suites, verify only: Ed25519Signature2018, JsonWebSignature2020, Ed25519Signature2020.

Real keys (secp256k1 too), real RDFC-1.0, real signatures; the proofs are made by the test
(``legacy_signing``) because vcservice refuses to make them. ``test_legacy_interop`` has
the same suites signed by Digital Bazaar's and Transmute's libraries.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from tests.factories import NOW, key_file
from tests.unit.proofs.legacy_signing import (
    CREATED,
    ED2018,
    ED2020,
    JWS2020,
    V1,
    V2,
    LegacyKey,
    credential,
    header,
    sign_legacy,
)
from vcservice.dids import DidDocument, DidKeyMethod, UniversalResolver
from vcservice.errors import DidError, ProofError
from vcservice.keys import KeyType, base58_encode, base58btc_encode, base64url_encode
from vcservice.proofs.data_integrity import DataIntegrity
from vcservice.proofs.purposes import AUTHENTICATION, ProofPurpose
from vcservice.proofs.suites import suite_for_proof
from vcservice.services.core import Core
from vcservice.verification.result import Outcome, VerificationResult

pytestmark = pytest.mark.shared
ASSERTION = ProofPurpose()
CASES = [
    pytest.param(suite, key_type, version, id=f"{suite}-{key_type}-vc{version}")
    for suite, key_types in (
        (ED2018, [KeyType.ED25519]),
        (ED2020, [KeyType.ED25519]),
        (JWS2020, [KeyType.ED25519, KeyType.P256, KeyType.P384, KeyType.SECP256K1]),
    )
    for key_type in key_types
    for version in (1, 2)
]
LEGACY = [ED2018, ED2020, JWS2020]
SIGNATURE_MEMBER = {ED2018: "jws", ED2020: "proofValue", JWS2020: "jws"}


def _signed(
    core: Core, suite: str, key: LegacyKey, *, version: int = 1, **kw: Any
) -> dict[str, Any]:
    document = credential(key.did, version=version, suite=suite)
    return sign_legacy(core, document, key, suite=suite, **kw)


def _codes(core: Core, document: dict[str, Any], purpose: ProofPurpose = ASSERTION) -> list[Any]:
    results = core.data_integrity.verify(document, purpose=purpose, now=NOW)
    return [[(problem.code, problem.field) for problem in result.problems] for result in results]


def _outcome(result: VerificationResult, name: str) -> Outcome | None:
    check = result.check(name)
    return None if check is None else check.outcome


def _report(result: VerificationResult) -> str:
    body = result.to_json()
    body.pop("document", None)
    return json.dumps(body, indent=2)


# ------------------------------------------------------------------ valid and tampered


@pytest.mark.parametrize(("suite", "key_type", "version"), CASES)
def test_a_legacy_credential_verifies_and_its_issuer_signed_it(
    fixed_core: Core, suite: str, key_type: KeyType, version: int
) -> None:
    key = LegacyKey.generate(key_type)
    signed = _signed(fixed_core, suite, key, version=version)

    result = fixed_core.verifier.verify(signed)

    assert result.verified is True, _report(result)
    assert _outcome(result, "proof") is Outcome.PASSED
    assert _outcome(result, "issuer") is Outcome.PASSED


@pytest.mark.parametrize(("suite", "key_type", "version"), CASES)
def test_a_tampered_legacy_credential_fails_at_its_signature(
    fixed_core: Core, suite: str, key_type: KeyType, version: int
) -> None:
    key = LegacyKey.generate(key_type)
    signed = _signed(fixed_core, suite, key, version=version)
    signed["credentialSubject"]["id"] = "did:web:impostor.example"

    result = fixed_core.verifier.verify(signed)

    assert result.verified is False
    assert _outcome(result, "proof") is Outcome.FAILED
    assert [(p.code, p.field) for p in result.problems] == [
        ("PROOF_VERIFICATION_ERROR", f"proof.{SIGNATURE_MEMBER[suite]}")
    ], _report(result)


@pytest.mark.parametrize("key_type", [KeyType.ED25519, KeyType.P256, KeyType.SECP256K1])
def test_json_web_signature_2020_by_a_did_jwk(fixed_core: Core, key_type: KeyType) -> None:
    key = LegacyKey.generate(key_type, did_method="jwk")
    signed = _signed(fixed_core, JWS2020, key, version=2)
    assert signed["proof"]["verificationMethod"].endswith("#0")

    assert fixed_core.verifier.verify(signed).verified is True


@pytest.mark.parametrize("suite", LEGACY)
def test_tampered_proof_options_fail(core: Core, suite: str) -> None:
    """``created`` and ``proofPurpose`` are signed: changing either breaks the signature."""
    key = LegacyKey.generate(KeyType.ED25519)
    signed = _signed(core, suite, key)
    member = SIGNATURE_MEMBER[suite]
    later = copy.deepcopy(signed)
    later["proof"]["created"] = "2026-11-28T11:00:01Z"
    assert _codes(core, later) == [[("PROOF_VERIFICATION_ERROR", f"proof.{member}")]]
    flipped = copy.deepcopy(signed)
    value = flipped["proof"][member]
    flipped["proof"][member] = value[:-2] + ("A" if value[-2] != "A" else "B") + value[-1]
    assert _codes(core, flipped) == [[("PROOF_VERIFICATION_ERROR", f"proof.{member}")]]


# ------------------------------------------------------------------ created


@pytest.mark.parametrize("suite", LEGACY)
def test_a_legacy_proof_without_created_is_malformed(core: Core, suite: str) -> None:
    """Signed without ``created`` (so the signature itself is good): still refused."""
    key = LegacyKey.generate(KeyType.ED25519)
    signed = _signed(core, suite, key, created=None)
    assert "created" not in signed["proof"]

    assert _codes(core, signed) == [[("MALFORMED_PROOF_ERROR", "proof.created")]]


def test_created_stays_optional_for_data_integrity_proofs(core: Core) -> None:
    key = key_file()
    document = credential(key.verification_method.split("#")[0], version=2, suite=JWS2020)
    document["@context"] = [V2]
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "verificationMethod": key.verification_method,
        "proofPurpose": "assertionMethod",
    }
    data = core.canonizer.hash_data(
        document, {**options, "@context": document["@context"]}, hash_algorithm="sha256"
    )
    signed = {
        **document,
        "proof": {**options, "proofValue": base58btc_encode(key.key_pair.sign(data))},
    }

    assert _codes(core, signed) == [[]]


# ------------------------------------------------------------------ keys and algorithms


@pytest.mark.parametrize("suite", [ED2018, ED2020])
def test_an_ed25519_suite_refuses_another_key_type(core: Core, suite: str) -> None:
    key = LegacyKey.generate(KeyType.P256)
    document = credential(key.did, version=1, suite=suite)
    if suite == ED2018:
        signed = sign_legacy(core, document, key, suite=suite, encoded_header=header("EdDSA"))
    else:
        signed = sign_legacy(core, document, key, suite=suite)

    [result] = core.data_integrity.verify(signed, purpose=ASSERTION, now=NOW)

    [problem] = result.problems
    assert (problem.code, problem.field) == ("PROOF_VERIFICATION_ERROR", "verificationMethod")
    assert f"{suite} does not use P-256 keys" in problem.detail


@pytest.mark.parametrize(
    ("suite", "key_type", "alg"),
    [
        (ED2018, KeyType.ED25519, "ES256"),
        (JWS2020, KeyType.ED25519, "ES256"),
        (JWS2020, KeyType.P256, "ES384"),
        (JWS2020, KeyType.P384, "ES256"),
        (JWS2020, KeyType.SECP256K1, "ES256"),
        (JWS2020, KeyType.P256, "ES256K"),
    ],
)
def test_the_jws_alg_must_be_the_one_of_the_key(
    core: Core, suite: str, key_type: KeyType, alg: str
) -> None:
    """A signature made under another alg's name is refused before any key is tried."""
    key = LegacyKey.generate(key_type)
    signed = _signed(core, suite, key, encoded_header=header(alg))

    results = core.data_integrity.verify(signed, purpose=ASSERTION, now=NOW)

    [problem] = results[0].problems
    assert (problem.code, problem.field) == ("PROOF_VERIFICATION_ERROR", "proof.jws")
    assert f"alg is '{alg}'" in problem.detail


def test_a_key_json_web_signature_2020_does_not_take_is_refused(core: Core) -> None:
    """P-521 and RSA are in the suite's table but not accepted here; X25519 never signs."""
    jwk = {"kty": "EC", "crv": "P-521", "x": "AA", "y": "AA"}
    did = "did:jwk:" + base64url_encode(json.dumps(jwk).encode())
    document = credential(did, version=2, suite=JWS2020)
    document["proof"] = {
        "type": JWS2020,
        "created": CREATED,
        "verificationMethod": f"{did}#0",
        "proofPurpose": "assertionMethod",
        "jws": f"{header('ES512')}..{base64url_encode(bytes(132))}",
    }
    [[(code, field)]] = _codes(core, document)
    assert (code, field) == ("INVALID_DID", None)


# ------------------------------------------------------------------ the jws itself


def _with_jws(signed: dict[str, Any], jws: Any) -> dict[str, Any]:
    changed = copy.deepcopy(signed)
    changed["proof"]["jws"] = jws
    return changed


def _encoded(members: str) -> str:
    return base64url_encode(members.encode())


@pytest.mark.parametrize(
    ("jws", "message"),
    [
        (None, "needs a 'jws' string"),
        (42, "needs a 'jws' string"),
        ("", "detached JWS"),
        ("{h}.{h}.{s}", "detached JWS"),
        ("{h}..{s}.x", "detached JWS"),
        ("{h}..", "detached JWS"),
        ("..{s}", "detached JWS"),
        ("{h}=..{s}", "base64url"),
        ("{h}..{s}=", "base64url"),
        (_encoded("not json") + "..{s}", "base64url JSON"),
        (_encoded("[1]") + "..{s}", "must be a JSON object"),
        (_encoded('{"alg":"EdDSA","b64":false}') + "..{s}", "exactly alg, b64 and crit"),
        (_encoded('{"alg":"EdDSA","b64":true,"crit":["b64"]}') + "..{s}", "RFC 7797"),
        (_encoded('{"alg":"EdDSA","b64":false,"crit":["b64","x"]}') + "..{s}", "RFC 7797"),
        (_encoded('{"alg":"EdDSA","b64":false,"crit":"b64"}') + "..{s}", "RFC 7797"),
        (_encoded('{"alg":"EdDSA","b64":0,"crit":["b64"]}') + "..{s}", "RFC 7797"),
        (_encoded('{"alg":1,"b64":false,"crit":["b64"]}') + "..{s}", "alg must be a string"),
        (
            _encoded('{"alg":"EdDSA","b64":false,"crit":["b64"],"kid":"x"}') + "..{s}",
            "exactly alg, b64 and crit",
        ),
        (
            _encoded('{"alg":"none","alg":"EdDSA","b64":false,"crit":["b64"]}') + "..{s}",
            "duplicate member 'alg'",
        ),
        ("{h}.." + "A" * 2000, "longer than 1024"),
    ],
)
def test_anything_but_a_detached_unencoded_jws_is_malformed(
    core: Core, jws: Any, message: str
) -> None:
    key = LegacyKey.generate(KeyType.ED25519)
    signed = _signed(core, ED2018, key)
    good_header, _, good_signature = signed["proof"]["jws"].split(".")
    if isinstance(jws, str):
        jws = jws.format(h=good_header, s=good_signature)

    [result] = core.data_integrity.verify(_with_jws(signed, jws), purpose=ASSERTION, now=NOW)

    [problem] = result.problems
    assert (problem.code, problem.field) == ("MALFORMED_PROOF_ERROR", "proof.jws")
    assert message in problem.detail


def test_the_header_is_verified_as_sent(core: Core) -> None:
    """The same header members in another order are another signing input."""
    key = LegacyKey.generate(KeyType.ED25519)
    reordered = _encoded('{"b64":false,"crit":["b64"],"alg":"EdDSA"}')
    signed = _signed(core, ED2018, key, encoded_header=reordered)
    assert _codes(core, signed) == [[]]
    swapped = _with_jws(signed, header("EdDSA") + signed["proof"]["jws"][len(reordered) :])
    assert _codes(core, swapped) == [[("PROOF_VERIFICATION_ERROR", "proof.jws")]]


@pytest.mark.parametrize("version", [1, 2])
@pytest.mark.parametrize("suite", [ED2018, JWS2020])
def test_a_proof_value_beside_the_jws_is_refused(core: Core, suite: str, version: int) -> None:
    """A JWS suite's signature is in ``jws`` alone. Where the suite's context defines
    proofValue (credentials/v1 does, for Ed25519Signature2018) the suite refuses it; where it
    does not, the compact-form rule already has."""
    key = LegacyKey.generate(KeyType.ED25519)
    signed = _signed(core, suite, key, version=version)
    signed["proof"]["proofValue"] = "z3FXQ"
    expected = (
        ("MALFORMED_PROOF_ERROR", "proof.proofValue")
        if (suite, version) == (ED2018, 1)
        else ("COMPACT_FORM_ERROR", "proofValue")
    )
    assert _codes(core, signed) == [[expected]]


# ------------------------------------------------------------------ compact form and suites


@pytest.mark.parametrize("suite", LEGACY)
def test_a_respelled_legacy_credential_is_refused(fixed_core: Core, suite: str) -> None:
    """Another spelling of the same graph keeps a valid signature, and is refused anyway."""
    key = LegacyKey.generate(KeyType.ED25519)
    signed = _signed(fixed_core, suite, key)
    respelled = copy.deepcopy(signed)
    respelled["https://www.w3.org/2018/credentials#credentialSubject"] = respelled.pop(
        "credentialSubject"
    )
    renamed_proof = copy.deepcopy(signed)
    renamed_proof["proof"]["http://purl.org/dc/terms/created"] = renamed_proof["proof"].pop(
        "created"
    )

    for document in (respelled, renamed_proof):
        result = fixed_core.verifier.verify(document)
        assert result.verified is False
        assert "COMPACT_FORM_ERROR" in [p.code for p in result.problems], _report(result)


def test_legacy_suites_never_sign(core: Core) -> None:
    key = key_file()
    document = credential(key.verification_method.split("#")[0], version=1, suite=ED2018)
    for suite in LEGACY:
        with pytest.raises(ProofError, match="verified, never created") as caught:
            core.data_integrity.add_proof(
                document, signer=key.signer(), cryptosuite=suite, created=NOW
            )
        assert caught.value.code == "PROOF_GENERATION_ERROR"


@pytest.mark.parametrize(
    ("proof", "field"),
    [
        ({"type": "DataIntegrityProof", "cryptosuite": ED2018}, "proof.cryptosuite"),
        ({"type": "DataIntegrityProof", "cryptosuite": JWS2020}, "proof.cryptosuite"),
        ({"type": "eddsa-rdfc-2022"}, "proof.type"),
        ({"type": "EcdsaSecp256k1Signature2019"}, "proof.type"),
    ],
)
def test_a_proof_type_and_a_cryptosuite_name_are_not_interchangeable(
    proof: dict[str, Any], field: str
) -> None:
    with pytest.raises(ProofError) as caught:
        suite_for_proof(proof)
    assert (caught.value.code, caught.value.field) == ("UNSUPPORTED_CRYPTOSUITE", field)
    assert suite_for_proof({"type": ED2018}).signs is False


def test_the_vcdm_11_context_and_the_ed25519_2018_context_do_not_mix(core: Core) -> None:
    """credentials/v1 defines Ed25519Signature2018 itself (protected); the suite context
    redefines it, so the two together are refused (as Digital Bazaar's suite refuses them)."""
    key = LegacyKey.generate(KeyType.ED25519)
    document = credential(key.did, version=1, suite=ED2018)
    document["@context"] = [V1, "https://w3id.org/security/suites/ed25519-2018/v1"]
    document["proof"] = {
        "type": ED2018,
        "created": CREATED,
        "verificationMethod": key.verification_method,
        "proofPurpose": "assertionMethod",
        "jws": f"{header('EdDSA')}..{base64url_encode(bytes(64))}",
    }
    [[(code, _)]] = _codes(core, document)
    assert code == "PARSING_ERROR"


# ------------------------------------------------------------------ verification methods


class _Documents:
    """A resolver over fixed DID documents (as a did:web document would come back)."""

    def __init__(self, *documents: dict[str, Any]) -> None:
        self._documents = {document["id"]: DidDocument(document) for document in documents}

    def resolve(self, did: str) -> DidDocument:
        try:
            return self._documents[did]
        except KeyError:
            raise DidError(f"no document for {did}", code="DID_RESOLUTION_ERROR") from None


ISSUER = "did:web:aduana.example"


def _document_with(method: dict[str, Any]) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": ISSUER,
        "verificationMethod": [{"id": f"{ISSUER}#key-1", "controller": ISSUER, **method}],
        "assertionMethod": [f"{ISSUER}#key-1"],
    }


@pytest.mark.parametrize(
    ("suite", "key_type", "method"),
    [
        (ED2018, KeyType.ED25519, "Ed25519VerificationKey2018"),
        (ED2018, KeyType.ED25519, "Ed25519VerificationKey2020"),
        (ED2018, KeyType.ED25519, "JsonWebKey2020"),
        (ED2020, KeyType.ED25519, "Ed25519VerificationKey2020"),
        (ED2020, KeyType.ED25519, "Ed25519VerificationKey2018"),
        (JWS2020, KeyType.ED25519, "JsonWebKey2020"),
        (JWS2020, KeyType.P384, "JsonWebKey2020"),
        (JWS2020, KeyType.SECP256K1, "JsonWebKey2020"),
        (JWS2020, KeyType.P256, "Multikey"),
        (JWS2020, KeyType.ED25519, "Ed25519VerificationKey2018"),
    ],
)
def test_verification_methods_of_every_legacy_type(
    core: Core, suite: str, key_type: KeyType, method: str
) -> None:
    key = LegacyKey.generate(key_type)
    material = {
        "Ed25519VerificationKey2018": {"publicKeyBase58": base58_encode(key.public_key.raw)},
        "Ed25519VerificationKey2020": {"publicKeyMultibase": key.public_key.to_multibase()},
        "Multikey": {"publicKeyMultibase": key.public_key.to_multibase()},
        "JsonWebKey2020": {"publicKeyJwk": key.public_key.to_jwk()},
    }[method]
    resolver = _Documents(_document_with({"type": method, **material}))
    verifier = DataIntegrity(core.canonizer, resolver)
    document = credential(ISSUER, version=2, suite=suite)
    signed = sign_legacy(
        core,
        document,
        key,
        suite=suite,
        options={"verificationMethod": f"{ISSUER}#key-1"},
    )

    [result] = verifier.verify(signed, purpose=ASSERTION, now=NOW)

    assert result.problems == ()
    assert result.controller == ISSUER
    assert (
        verifier.verify(
            {**signed, "validFrom": "2026-11-02T00:00:00Z"}, purpose=ASSERTION, now=NOW
        )[0]
        .problems[0]
        .code
        == "PROOF_VERIFICATION_ERROR"
    )


def test_a_secp256k1_did_key_resolves_and_verifies(core: Core) -> None:
    """did:key zQ3s… (secp256k1-pub, 0xe7) expands like the others; the did:key spec's own
    example resolves."""
    document = DidKeyMethod().resolve("did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme")
    method = document.verification_method("#zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme")
    assert method.public_key.key_type is KeyType.SECP256K1

    key = LegacyKey.generate(KeyType.SECP256K1)
    assert key.did.startswith("did:key:zQ3s")
    resolver = UniversalResolver([DidKeyMethod()])
    verifier = DataIntegrity(core.canonizer, resolver)
    signed = _signed(core, JWS2020, key)
    assert [r.problems for r in verifier.verify(signed, purpose=ASSERTION, now=NOW)] == [()]


# ------------------------------------------------------------------ purposes and the vectors


def test_an_authentication_proof_binds_challenge_and_domain(core: Core) -> None:
    key = LegacyKey.generate(KeyType.P256)
    presentation = {
        "@context": [V1, "https://w3id.org/security/suites/jws-2020/v1"],
        "type": ["VerifiablePresentation"],
        "holder": key.did,
    }
    signed = sign_legacy(
        core,
        presentation,
        key,
        suite=JWS2020,
        options={
            "proofPurpose": "authentication",
            "challenge": "c-0f3a",
            "domain": "aduana-nuevo-laredo.example",
        },
    )
    purpose = ProofPurpose(AUTHENTICATION, "c-0f3a", "aduana-nuevo-laredo.example")
    assert _codes(core, signed, purpose) == [[]]
    other = ProofPurpose(AUTHENTICATION, "c-other", "aduana-nuevo-laredo.example")
    assert _codes(core, signed, other) == [[("INVALID_CHALLENGE_ERROR", "proof.challenge")]]


def test_the_vc_api_verifier_suite_shape_of_ed25519_signature_2020(fixed_core: Core) -> None:
    """The W3C-CCG VC-API verifier suite's positive vector has this shape (VCDM 2.0 with the
    examples and ed25519-2020 contexts, an https issuer, a did:key signer): the proof passes
    and the issuer check fails, as for the W3C Data Integrity vectors. Its negative without
    ``created`` fails the proof as malformed."""
    key = LegacyKey.generate(KeyType.ED25519)
    document = {
        "@context": [
            V2,
            "https://www.w3.org/ns/credentials/examples/v2",
            "https://w3id.org/security/suites/ed25519-2020/v1",
        ],
        "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
        "type": ["VerifiableCredential", "AlumniCredential"],
        "name": "Alumni Credential",
        "issuer": "https://vc.example/issuers/5678",
        "validFrom": "2023-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
    }
    signed = sign_legacy(fixed_core, document, key, suite=ED2020)

    result = fixed_core.verifier.verify(signed)
    assert _outcome(result, "proof") is Outcome.PASSED, _report(result)
    assert _outcome(result, "issuer") is Outcome.FAILED

    without_created = copy.deepcopy(signed)
    del without_created["proof"]["created"]
    result = fixed_core.verifier.verify(without_created)
    assert _outcome(result, "proof") is Outcome.FAILED
    assert [(p.code, p.field) for p in result.problems] == [
        ("MALFORMED_PROOF_ERROR", "proof.created")
    ]
