"""Offline verification bundles: a trust registry, issuers' DID documents, status list snapshots
and the signed trust lists used.

- :mod:`~vcservice.bundle.bundle`: ``VerificationBundle`` and its file format.
- :mod:`~vcservice.bundle.lists`: the trust lists a bundle carries, and the trust they give.
- :mod:`~vcservice.bundle.signing`: bundles signed by the verifier organisation (a compact
  JWS), and the keys trusted to sign them.
"""

from vcservice.bundle.bundle import (
    BUNDLE_TYPE,
    BUNDLE_VERSION,
    StatusListSnapshot,
    VerificationBundle,
    trust_list_terms,
)
from vcservice.bundle.lists import CarriedTrustList, ListedTrust, ListTerms
from vcservice.bundle.signing import (
    BUNDLE_JWS_TYPE,
    BundleSignature,
    LoadedBundle,
    TrustedKey,
    load_bundle,
    open_signed_bundle,
    sign_bundle,
    trusted_keys,
)

__all__ = [
    "BUNDLE_JWS_TYPE",
    "BUNDLE_TYPE",
    "BUNDLE_VERSION",
    "BundleSignature",
    "CarriedTrustList",
    "ListTerms",
    "ListedTrust",
    "LoadedBundle",
    "StatusListSnapshot",
    "TrustedKey",
    "VerificationBundle",
    "load_bundle",
    "open_signed_bundle",
    "sign_bundle",
    "trust_list_terms",
    "trusted_keys",
]
