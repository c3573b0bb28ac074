"""The Credential Offer (OpenID4VCI 1.0 §4.1): by value, or by reference for QR codes.

An offer of the pre-authorized code flow always asks for a transaction code here: the code
reaches the company by another channel than the link, so someone who only saw the link (or
its QR code over a shoulder) cannot redeem it (§13.6).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from vcservice.oid4vci.metadata import PRE_AUTHORIZED_CODE_GRANT

__all__ = [
    "OFFER_SCHEME",
    "TxCode",
    "build_credential_offer",
    "offer_link_by_reference",
    "offer_link_by_value",
]

OFFER_SCHEME = "openid-credential-offer://"
MAX_TX_CODE_DESCRIPTION = 300  # characters (§4.1.1)


@dataclass(frozen=True, slots=True)
class TxCode:
    """What the wallet is told of the transaction code it must ask its user for."""

    length: int
    description: str
    input_mode: str = "numeric"

    def __post_init__(self) -> None:
        if len(self.description) > MAX_TX_CODE_DESCRIPTION:
            raise ValueError(f"a tx_code description is at most {MAX_TX_CODE_DESCRIPTION} chars")

    def to_json(self) -> dict[str, Any]:
        """The ``tx_code`` object of the offer's grant."""
        return {
            "input_mode": self.input_mode,
            "length": self.length,
            "description": self.description,
        }


def build_credential_offer(
    *,
    credential_issuer: str,
    configuration_ids: Sequence[str],
    pre_authorized_code: str,
    tx_code: TxCode,
) -> dict[str, Any]:
    """The Credential Offer object of a pre-authorized code grant with a transaction code."""
    if not configuration_ids or len(set(configuration_ids)) != len(configuration_ids):
        raise ValueError("an offer names one or more distinct credential configurations")
    return {
        "credential_issuer": credential_issuer,
        "credential_configuration_ids": list(configuration_ids),
        "grants": {
            PRE_AUTHORIZED_CODE_GRANT: {
                "pre-authorized_code": pre_authorized_code,
                "tx_code": tx_code.to_json(),
            }
        },
    }


def offer_link_by_value(offer: Mapping[str, Any]) -> str:
    """``openid-credential-offer://?credential_offer=…``: the whole offer in the link."""
    text = json.dumps(offer, separators=(",", ":"), ensure_ascii=False)
    return OFFER_SCHEME + "?" + urlencode({"credential_offer": text}, quote_via=quote)


def offer_link_by_reference(offer_uri: str) -> str:
    """``openid-credential-offer://?credential_offer_uri=…``: where the wallet fetches it."""
    return OFFER_SCHEME + "?" + urlencode({"credential_offer_uri": offer_uri}, quote_via=quote)
