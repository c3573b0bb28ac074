"""Which issuers are accredited for which credential types (the customs trust registry)."""

from vcservice.trust.registry import Accreditation, TrustRegistry

__all__ = ["Accreditation", "TrustRegistry"]
