"""Which issuers are accredited for which credential types (the customs trust registry)."""

from vcservice.trust.registry import Accreditation, IssuerTrust, TrustRegistry

__all__ = ["Accreditation", "IssuerTrust", "TrustRegistry"]
