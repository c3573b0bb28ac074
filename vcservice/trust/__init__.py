"""Which issuers are accredited for which credential types (the customs trust registry)."""

from vcservice.trust.registry import (
    Accreditation,
    IssuerTrust,
    TrustDecision,
    TrustRegistry,
    UnavailableList,
)

__all__ = ["Accreditation", "IssuerTrust", "TrustDecision", "TrustRegistry", "UnavailableList"]
