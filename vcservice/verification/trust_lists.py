"""A fetched trust list, read only once its proof verified: the one way every reader takes it.

The verifier's subscriptions and an offline bundle's export and check both read a list so:
the credential's one Data Integrity proof verified (issuer bound to the signing key), then
the list parsed from the verified document. Whether that list may replace the one held
(signer, announced keys, sequence, dates) is ``trust.lists.accept_list``'s to say.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vcservice.errors import FetchError
from vcservice.trust.lists import TrustList, TrustListRefused
from vcservice.verification.verdict import UNREACHABLE_CODES
from vcservice.verification.verifier import DATA_INTEGRITY_FORMAT, Verifier

__all__ = ["verified_trust_list"]


def verified_trust_list(verifier: Verifier, document: Any, *, named: str) -> tuple[TrustList, str]:
    """The list ``document`` holds and the verification method that signed it.

    TRUST_LIST_INVALID (``TrustListRefused``) unless it is a credential with exactly one Data
    Integrity proof that verifies; a ``FetchError`` when what the check needed could not be
    had (the signer's DID document, say). ``named`` says which list, in messages.
    """
    if not isinstance(document, Mapping):
        raise TrustListRefused(
            f"{named} is not a JSON object", code="TRUST_LIST_INVALID", field="document"
        )
    result = verifier.verify_credential(document, checks=frozenset())
    if not result.verified:
        codes = {problem.code for problem in result.problems}
        reasons = "; ".join(f"{problem.code}: {problem.detail}" for problem in result.problems)
        detail = f"{named} does not verify: {reasons or 'not verified'}"
        if codes and codes <= UNREACHABLE_CODES:
            raise FetchError(detail, code=sorted(codes)[0])
        raise TrustListRefused(detail, code="TRUST_LIST_INVALID", field="proof")
    verified = result.document or {}
    proof = verified.get("proof")
    if result.format != DATA_INTEGRITY_FORMAT or not isinstance(proof, Mapping):
        raise TrustListRefused(
            f"{named}: a trust list is a credential with exactly one Data Integrity proof",
            code="TRUST_LIST_INVALID",
            field="proof",
        )
    return TrustList.from_credential(verified), str(proof.get("verificationMethod"))
