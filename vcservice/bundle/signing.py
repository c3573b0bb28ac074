"""Signed bundles: the verifier organisation vouches for everything a bundle holds.

A signed bundle file is one compact JWS (RFC 7515 §7.1) whose payload is the bundle's JSON
(format in :mod:`vcservice.bundle.bundle`) and whose protected header is::

    {"typ": "vcservice-bundle+jwt", "alg": "EdDSA", "kid": "did:key:z6Mk…#z6Mk…"}

Why an enveloping compact JWS rather than a detached JWS or a Data Integrity proof:

- It covers every byte the verifier uses. The verifier reads the bundle from the signed
  payload bytes themselves, so there is no canonicalization (JCS, RDFC) whose gaps or
  differences between implementations could let an edit through, and nothing outside the
  signature: the trust registry, each issuer's DID document, each status list snapshot
  with its ``fetchedAt`` and the bundle's ``created`` are all inside it. (The issuers' own
  proofs on their status lists cover neither the fetch times nor the registry: before this
  signature an edited registry could accredit any issuer.)
- Standard tools check it: any JOSE library, ``step crypto jws verify``, or by hand (split
  at the dots, verify the signature over ``header.payload``). The payload is a JSON object,
  so the file is also a JWT; ``typ`` names what it is (explicit typing, RFC 8725 §3.11) so
  that no other JWS signed with the same key (a ``vc+jwt`` say) is taken for a bundle.
- It reuses the algorithms and code that sign ``vc+jwt`` credentials here (EdDSA, ES256,
  ES384), so an organisation signs bundles with a key file of the kinds it already has.

``kid`` names the signer: the verification method of its key file, a DID URL (``did:key``,
``did:jwk`` or the organisation's ``did:web`` with a fragment). Trust does not come from
``kid``: a bundle is accepted only if its signature verifies with a key the operator
configured (:func:`trusted_keys`); ``kid`` is what the verifier reports and, when it is a
self-certifying ``did:key``/``did:jwk``, it tells "signed by someone else" from "altered".
The JSON itself is parsed only after the signature has verified.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vcservice.bundle.bundle import VerificationBundle
from vcservice.dids.document import DidDocument
from vcservice.dids.methods.jwk import DidJwkMethod, did_jwk_from_public_key
from vcservice.dids.methods.key import DidKeyMethod
from vcservice.dids.resolver import DidMethod
from vcservice.errors import DidError, ParsingError, ProofError
from vcservice.jose.jws import MAX_COMPACT_LENGTH, DecodedJws, decode_compact, sign_compact
from vcservice.keys import PublicKey, Signer
from vcservice.model.json_files import read_json_file

__all__ = [
    "BUNDLE_JWS_TYPE",
    "BundleSignature",
    "LoadedBundle",
    "TrustedKey",
    "load_bundle",
    "open_signed_bundle",
    "sign_bundle",
    "trusted_keys",
]

BUNDLE_JWS_TYPE = "vcservice-bundle+jwt"
_ASSERTION_METHOD = "assertionMethod"
_SELF_CERTIFYING: Mapping[str, DidMethod] = {"did:key:": DidKeyMethod(), "did:jwk:": DidJwkMethod()}


@dataclass(frozen=True, slots=True)
class TrustedKey:
    """A public key trusted to sign bundles, and the verification method it is known as."""

    name: str
    public_key: PublicKey


@dataclass(frozen=True, slots=True)
class BundleSignature:
    """Who signed a bundle: the trusted key that verified it, and the JWS ``kid`` and ``alg``."""

    signer: str
    kid: str
    algorithm: str

    def to_json(self) -> dict[str, str]:
        """The signature as a report shows it."""
        return {"signedBy": self.signer, "kid": self.kid, "alg": self.algorithm}


@dataclass(frozen=True, slots=True)
class LoadedBundle:
    """A bundle as loaded: ``signature`` is None only for an unsigned bundle let through."""

    bundle: VerificationBundle
    signature: BundleSignature | None


def sign_bundle(bundle: VerificationBundle, *, signer: Signer) -> str:
    """The bundle as a compact JWS signed by ``signer`` (``kid``: its verification method)."""
    token = sign_compact(bundle.to_json(), signer=signer, header={"typ": BUNDLE_JWS_TYPE})
    if len(token) > MAX_COMPACT_LENGTH:
        raise ProofError(
            f"the signed bundle would be {len(token)} characters, more than the "
            f"{MAX_COMPACT_LENGTH} a verifier reads: bundle fewer issuers or status lists",
            code="PROOF_GENERATION_ERROR",
        )
    return token


def open_signed_bundle(token: str, *, trusted: Sequence[TrustedKey]) -> LoadedBundle:
    """The bundle a compact JWS carries, if one of the ``trusted`` keys signed it.

    PARSING_ERROR when it is not a signed bundle (malformed, another ``typ``, no ``kid``);
    PROOF_VERIFICATION_ERROR when no trusted key verifies its signature.
    """
    jws = decode_compact(token)
    if jws.header.get("typ") != BUNDLE_JWS_TYPE:
        raise ParsingError(
            f"the JWS is not a signed verification bundle: typ is {jws.header.get('typ')!r}, "
            f"not {BUNDLE_JWS_TYPE!r}",
            field="header.typ",
        )
    kid = jws.header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise ParsingError("the bundle's JWS names no signer (kid)", field="header.kid")
    signer = _trusted_signer(jws, trusted)
    if signer is None:
        raise _refusal(jws, kid, trusted)
    signature = BundleSignature(signer=signer.name, kid=kid, algorithm=str(jws.header["alg"]))
    return LoadedBundle(VerificationBundle.from_json(jws.payload_json()), signature)


def load_bundle(
    path: Path, *, trusted: Sequence[TrustedKey], allow_unsigned: bool = False
) -> LoadedBundle:
    """Read a bundle file: a signed bundle checked against ``trusted``, an unsigned one
    (plain JSON) only with ``allow_unsigned`` (CRYPTOGRAPHIC_SECURITY_ERROR otherwise)."""
    try:
        text = Path(path).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ParsingError(f"cannot read the bundle {path}: {exc}", field=str(path)) from exc
    if text.startswith("{"):
        if not allow_unsigned:
            raise ProofError(
                f"the bundle {path} is not signed, so nothing shows who made it or that it "
                "was not changed since: export it again with --sign-key",
                code="CRYPTOGRAPHIC_SECURITY_ERROR",
                field="bundle",
            )
        return LoadedBundle(VerificationBundle.load(path), None)
    if not trusted:
        raise ParsingError(
            f"the bundle {path} is signed, but no key to check it with is configured "
            "(--bundle-key or VCSERVICE_BUNDLE_KEYS)",
            field="--bundle-key",
        )
    return open_signed_bundle(text, trusted=trusted)


def trusted_keys(spec: str) -> tuple[TrustedKey, ...]:
    """The keys ``spec`` names: a ``did:key``/``did:jwk`` (or a DID URL of one), or a file
    holding a public JWK, a JWK Set or a DID document (its ``assertionMethod`` keys)."""
    if spec.startswith("did:"):
        did, _, fragment = spec.partition("#")
        method = next((m for p, m in _SELF_CERTIFYING.items() if did.startswith(p)), None)
        if method is None:
            raise DidError(
                f"{did} cannot be resolved offline: give its DID document as a file",
                field=spec,
            )
        return _assertion_keys(method.resolve(did), only=spec if fragment else None)
    data = read_json_file(Path(spec), "bundle key")
    if isinstance(data, Mapping) and isinstance(data.get("keys"), list):
        return tuple(_jwk_key(jwk) for jwk in data["keys"])
    if isinstance(data, Mapping) and "kty" in data:
        return (_jwk_key(data),)
    if isinstance(data, Mapping) and isinstance(data.get("id"), str):
        return _assertion_keys(DidDocument(data), only=None)
    raise ParsingError(
        f"the bundle key {spec} is neither a public JWK, a JWK Set nor a DID document",
        field=spec,
    )


def _trusted_signer(jws: DecodedJws, trusted: Sequence[TrustedKey]) -> TrustedKey | None:
    for key in trusted:
        try:
            jws.verify_with(key.public_key)
        except ProofError:
            continue
        return key
    return None


def _refusal(jws: DecodedJws, kid: str, trusted: Sequence[TrustedKey]) -> ProofError:
    """Why no trusted key verified: another signer (when ``kid`` tells), or an alteration."""
    names = ", ".join(key.name for key in trusted)
    named = _self_certified(kid)
    if named is not None and _trusted_signer(jws, named) is not None:
        return ProofError(
            f"the bundle is signed by {kid}, which is not a key trusted to sign bundles "
            f"(trusted: {names})",
            field="header.kid",
        )
    return ProofError(
        f"the bundle's signature (kid {kid}) does not verify with any trusted key "
        f"({names}): the bundle was altered after it was signed, or another key signed it",
        field="signature",
    )


def _self_certified(kid: str) -> tuple[TrustedKey, ...] | None:
    """The key a ``did:key``/``did:jwk`` ``kid`` holds (None for other DIDs or bad ones)."""
    if not kid.startswith(tuple(_SELF_CERTIFYING)):
        return None
    try:
        return trusted_keys(kid)
    except DidError:
        return None


def _assertion_keys(document: DidDocument, *, only: str | None) -> tuple[TrustedKey, ...]:
    """The verification methods ``document`` authorizes for assertionMethod (or just ``only``)."""
    references = document.data.get(_ASSERTION_METHOD)
    entries = references if isinstance(references, list) else [references]
    ids = [entry.get("id") if isinstance(entry, Mapping) else entry for entry in entries]
    methods = [document.verification_method(ref) for ref in ids if isinstance(ref, str)]
    keys = tuple(
        TrustedKey(method.id, method.public_key)
        for method in methods
        if only is None or method.id == only
    )
    if not keys:
        target = only or document.id
        raise DidError(
            f"{target} names no key authorized for assertionMethod (signing bundles)",
            code="INVALID_VERIFICATION_METHOD",
            field=target,
        )
    return keys


def _jwk_key(jwk: Any) -> TrustedKey:
    """A public JWK, known by its ``kid`` if it has one, else by its ``did:jwk``."""
    public_key = PublicKey.from_jwk(jwk)
    kid = jwk.get("kid")
    name = kid if isinstance(kid, str) and kid else f"{did_jwk_from_public_key(public_key)}#0"
    return TrustedKey(name, public_key)
