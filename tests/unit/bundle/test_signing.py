"""Signed bundles: a trusted key's signature over every byte, checked before anything is read."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from tests.factories import key_file
from tests.unit.bundle.test_bundle import LIST_URL, REGISTRY, SAT
from vcservice.bundle import (
    BUNDLE_JWS_TYPE,
    TrustedKey,
    VerificationBundle,
    load_bundle,
    open_signed_bundle,
    sign_bundle,
    trusted_keys,
)
from vcservice.dids.methods.jwk import did_jwk_from_public_key
from vcservice.errors import DidError, KeyFormatError, ParsingError, ProofError, VcError
from vcservice.jose.jws import decode_compact, sign_compact
from vcservice.keys import KeyFile, KeyPairSigner, KeyType
from vcservice.keys.multibase import base64url_encode

ORGANISATION = key_file(seed=40)
STRANGER = key_file(seed=41)
ENCODED_LIST = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"
ORG_WEB = "did:web:aduana-nuevo-laredo.example"


def _bundle() -> VerificationBundle:
    return VerificationBundle.from_json(
        {
            "type": "VerificationBundle",
            "version": 1,
            "created": "2026-11-28T12:00:00Z",
            "trustRegistry": REGISTRY,
            "didDocuments": [{"id": SAT, "verificationMethod": []}],
            "statusLists": [
                {
                    "url": LIST_URL,
                    "fetchedAt": "2026-11-28T11:57:00Z",
                    "credential": {
                        "id": LIST_URL,
                        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
                        "credentialSubject": {"encodedList": ENCODED_LIST},
                    },
                }
            ],
        }
    )


def _trusting(key: KeyFile = ORGANISATION) -> tuple[TrustedKey, ...]:
    return trusted_keys(key.verification_method.split("#")[0])


def _payload_edited(token: str, edit: Callable[[bytes], bytes]) -> str:
    """``token`` with its payload bytes edited, header and signature kept."""
    header, _, signature = token.split(".")
    payload = edit(decode_compact(token).payload)
    return f"{header}.{base64url_encode(payload)}.{signature}"


def _flip_in_the_status_list(payload: bytes) -> bytes:
    """One byte of the snapshot's encodedList changed (a set bit cleared, say)."""
    at = payload.index(ENCODED_LIST.encode()) + 40
    return payload[:at] + bytes([payload[at] ^ 0x01]) + payload[at + 1 :]


def _json_edit(edit: Callable[[dict[str, Any]], None]) -> Callable[[bytes], bytes]:
    def apply(payload: bytes) -> bytes:
        data = json.loads(payload)
        edit(data)
        return json.dumps(data).encode()

    return apply


def _accredit_another(data: dict[str, Any]) -> None:
    entry = {"id": "did:web:rogue.example", "name": "ROGUE", "credentialTypes": ["IMMEX"]}
    data["trustRegistry"]["issuers"].append(entry)


@pytest.mark.parametrize("key_type", [KeyType.ED25519, KeyType.P256, KeyType.P384])
def test_a_bundle_signed_by_a_trusted_key_opens(key_type: KeyType) -> None:
    key = key_file(key_type, seed=40)
    token = sign_bundle(_bundle(), signer=key.signer())
    header = decode_compact(token).header
    assert header["typ"] == BUNDLE_JWS_TYPE and header["kid"] == key.verification_method
    loaded = open_signed_bundle(token, trusted=_trusting(STRANGER) + _trusting(key))
    assert loaded.bundle.to_json() == _bundle().to_json()
    assert loaded.signature is not None
    assert loaded.signature.to_json() == {
        "signedBy": key.verification_method,
        "kid": key.verification_method,
        "alg": header["alg"],
    }


def test_the_signed_bundle_is_a_plain_rfc_7515_jws() -> None:
    """Checked with nothing of this project: base64url, JSON and a bare Ed25519 verify."""
    token = sign_bundle(_bundle(), signer=ORGANISATION.signer())
    header, payload, signature = token.split(".")

    def decode(part: str) -> bytes:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))

    assert json.loads(decode(header))["alg"] == "EdDSA"
    raw_key = decode(ORGANISATION.key_pair.public_key.to_jwk()["x"])
    Ed25519PublicKey.from_public_bytes(raw_key).verify(
        decode(signature), f"{header}.{payload}".encode("ascii")
    )
    assert json.loads(decode(payload)) == _bundle().to_json()


@pytest.mark.parametrize(
    "edit",
    [
        _flip_in_the_status_list,
        _json_edit(_accredit_another),
        _json_edit(lambda data: data["statusLists"][0].update(fetchedAt="2026-11-28T11:59:00Z")),
        _json_edit(lambda data: data.update(created="2026-11-28T12:30:00Z")),
        _json_edit(lambda data: data["didDocuments"][0]["verificationMethod"].append({})),
    ],
    ids=["status-list-byte", "registry", "fetched-at", "created", "did-document"],
)
def test_any_change_after_signing_is_refused(edit: Callable[[bytes], bytes]) -> None:
    token = sign_bundle(_bundle(), signer=ORGANISATION.signer())
    altered = _payload_edited(token, edit)
    assert altered != token
    with pytest.raises(ProofError) as raised:
        open_signed_bundle(altered, trusted=_trusting())
    assert raised.value.code == "PROOF_VERIFICATION_ERROR"
    assert raised.value.field == "signature"
    assert "altered after it was signed" in raised.value.message


def test_a_bundle_signed_by_another_key_is_refused_and_its_signer_named() -> None:
    token = sign_bundle(_bundle(), signer=STRANGER.signer())
    with pytest.raises(ProofError) as raised:
        open_signed_bundle(token, trusted=_trusting())
    assert raised.value.code == "PROOF_VERIFICATION_ERROR"
    assert raised.value.field == "header.kid"
    signed_by = f"signed by {STRANGER.verification_method}, which is not a key trusted"
    assert signed_by in raised.value.message


def test_another_signer_that_names_a_trusted_kid_is_still_refused() -> None:
    impostor = KeyPairSigner(STRANGER.key_pair, ORGANISATION.verification_method)
    token = sign_bundle(_bundle(), signer=impostor)
    with pytest.raises(ProofError) as raised:
        open_signed_bundle(token, trusted=_trusting())
    assert raised.value.field == "signature"


def test_a_jws_of_another_type_is_not_a_bundle() -> None:
    """A vc+jwt (say) signed by the same key is not taken for a bundle, even with a bundle in it."""
    header = {"typ": "vc+jwt"}
    token = sign_compact(_bundle().to_json(), signer=ORGANISATION.signer(), header=header)
    with pytest.raises(ParsingError) as raised:
        open_signed_bundle(token, trusted=_trusting())
    assert raised.value.field == "header.typ"


def test_a_signature_must_name_its_signer() -> None:
    token = sign_bundle(_bundle(), signer=KeyPairSigner(ORGANISATION.key_pair, ""))
    with pytest.raises(ParsingError) as raised:
        open_signed_bundle(token, trusted=_trusting())
    assert raised.value.field == "header.kid"


def test_a_malformed_token_is_a_parsing_error() -> None:
    token = sign_bundle(_bundle(), signer=ORGANISATION.signer())
    for broken in (token.rsplit(".", 1)[0], "not a bundle", token[:-3] + "!!!"):
        with pytest.raises(VcError) as raised:
            open_signed_bundle(broken, trusted=_trusting())
        assert raised.value.code in ("PARSING_ERROR", "PROOF_VERIFICATION_ERROR")


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_files_signed_unsigned_and_without_a_trusted_key(tmp_path: Path) -> None:
    token = sign_bundle(_bundle(), signer=ORGANISATION.signer())
    signed = _write(tmp_path / "bundle.jws", token + "\n")
    unsigned = _write(tmp_path / "bundle.json", json.dumps(_bundle().to_json(), indent=2))

    assert load_bundle(signed, trusted=_trusting()).signature is not None
    with pytest.raises(ProofError) as raised:
        load_bundle(unsigned, trusted=_trusting())
    assert raised.value.code == "CRYPTOGRAPHIC_SECURITY_ERROR"
    assert "is not signed" in raised.value.message
    with pytest.raises(ParsingError) as missing:
        load_bundle(signed, trusted=())
    assert missing.value.field == "--bundle-key"
    with pytest.raises(ParsingError):
        load_bundle(tmp_path / "absent.jws", trusted=_trusting())

    let_through = load_bundle(unsigned, trusted=_trusting(), allow_unsigned=True)
    assert let_through.signature is None
    assert let_through.bundle.to_json() == _bundle().to_json()
    # Allowing unsigned bundles does not let a signed one skip its check.
    with pytest.raises(ProofError):
        load_bundle(signed, trusted=_trusting(STRANGER), allow_unsigned=True)


def test_the_signer_is_limited_by_what_verifiers_read(tmp_path: Path) -> None:
    bundle = _bundle().to_json()
    bundle["statusLists"][0]["credential"]["padding"] = "x" * 800_000
    with pytest.raises(ProofError) as raised:
        sign_bundle(VerificationBundle.from_json(bundle), signer=ORGANISATION.signer())
    assert raised.value.code == "PROOF_GENERATION_ERROR"


# Trusted keys: the ways an operator names the organisation's key.


def _did_document(*, assertion: bool) -> dict[str, Any]:
    public = ORGANISATION.key_pair.public_key
    return {
        "id": ORG_WEB,
        "verificationMethod": [
            {
                "id": "#bundles-2026",
                "type": "Multikey",
                "controller": ORG_WEB,
                "publicKeyMultibase": public.to_multibase(),
            }
        ],
        ("assertionMethod" if assertion else "authentication"): ["#bundles-2026"],
    }


def test_keys_from_dids_and_did_urls() -> None:
    public = ORGANISATION.key_pair.public_key
    did_key = ORGANISATION.verification_method.split("#")[0]
    did_jwk = did_jwk_from_public_key(public)
    for spec, name in [
        (did_key, ORGANISATION.verification_method),
        (ORGANISATION.verification_method, ORGANISATION.verification_method),
        (did_jwk, f"{did_jwk}#0"),
    ]:
        assert trusted_keys(spec) == (TrustedKey(name, public),)
    with pytest.raises(DidError, match="cannot be resolved offline"):
        trusted_keys(ORG_WEB)
    with pytest.raises(DidError):
        trusted_keys(f"{did_key}#another")


def test_keys_from_jwk_jwk_set_and_did_document_files(tmp_path: Path) -> None:
    public = ORGANISATION.key_pair.public_key
    jwk = public.to_jwk()
    other = STRANGER.key_pair.public_key.to_jwk() | {"kid": "bundles-2025"}
    files = {
        "org.jwk": jwk,
        "org.jwks": {"keys": [other, jwk]},
        "did.json": _did_document(assertion=True),
    }
    paths = {name: _write(tmp_path / name, json.dumps(data)) for name, data in files.items()}
    did_jwk_name = f"{did_jwk_from_public_key(public)}#0"
    assert trusted_keys(str(paths["org.jwk"])) == (TrustedKey(did_jwk_name, public),)
    assert trusted_keys(str(paths["org.jwks"])) == (
        TrustedKey("bundles-2025", STRANGER.key_pair.public_key),
        TrustedKey(did_jwk_name, public),
    )
    assert trusted_keys(str(paths["did.json"])) == (TrustedKey(f"{ORG_WEB}#bundles-2026", public),)

    # A bundle signed as the organisation's did:web key opens with its DID document.
    signer = KeyFile(ORGANISATION.key_pair, id="#bundles-2026", controller=ORG_WEB).signer()
    token = sign_bundle(_bundle(), signer=signer)
    loaded = open_signed_bundle(token, trusted=trusted_keys(str(paths["did.json"])))
    assert loaded.signature is not None
    assert loaded.signature.signer == loaded.signature.kid == f"{ORG_WEB}#bundles-2026"


def test_only_assertion_keys_of_a_did_document_are_trusted(tmp_path: Path) -> None:
    path = _write(tmp_path / "did.json", json.dumps(_did_document(assertion=False)))
    with pytest.raises(DidError) as raised:
        trusted_keys(str(path))
    assert raised.value.code == "INVALID_VERIFICATION_METHOD"


def test_private_keys_and_other_json_are_not_bundle_keys(tmp_path: Path) -> None:
    jwk = ORGANISATION.key_pair.public_key.to_jwk() | {"d": "x"}
    private = _write(tmp_path / "private.jwk", json.dumps(jwk))
    with pytest.raises(KeyFormatError):
        trusted_keys(str(private))
    with pytest.raises(ParsingError, match="neither a public JWK"):
        trusted_keys(str(_write(tmp_path / "list.json", "[]")))
