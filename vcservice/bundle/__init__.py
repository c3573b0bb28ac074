"""Offline verification bundles: a trust registry, issuers' DID documents, status list snapshots.

- :mod:`~vcservice.bundle.bundle`: ``VerificationBundle`` and its file format.
"""

from vcservice.bundle.bundle import (
    BUNDLE_TYPE,
    BUNDLE_VERSION,
    StatusListSnapshot,
    VerificationBundle,
)

__all__ = ["BUNDLE_TYPE", "BUNDLE_VERSION", "StatusListSnapshot", "VerificationBundle"]
