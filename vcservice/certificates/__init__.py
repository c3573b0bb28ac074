"""Trusted-trader certificate types: IMMEX, C-TPAT and OEA.

Each type is a module (``immex``, ``ctpat``, ``oea``) defining the pydantic models of
the data an authority submits and of the credentialSubject, and a ``CertificateType``
that builds the VCDM 2.0 credential; its JSON Schema is in the top-level ``schemas/``
directory (see ``vcservice.certificates.schemas``).  Adding a type: a module, a line
in ``CERTIFICATE_TYPES``, a schema file, its terms in the project context, tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from vcservice.certificates.base import CertificateType
from vcservice.certificates.ctpat import CTPAT
from vcservice.certificates.immex import IMMEX
from vcservice.certificates.oea import OEA

__all__ = ["CERTIFICATE_TYPES", "CertificateType", "by_slug", "type_of"]

CERTIFICATE_TYPES: Mapping[str, CertificateType] = MappingProxyType(
    {certificate_type.name: certificate_type for certificate_type in (IMMEX, CTPAT, OEA)}
)
_BY_SLUG = {certificate_type.slug: certificate_type for certificate_type in (IMMEX, CTPAT, OEA)}


def by_slug(slug: str) -> CertificateType:
    """The certificate type whose slug is ``slug`` (``KeyError`` if there is none)."""
    try:
        return _BY_SLUG[slug]
    except KeyError:
        raise KeyError(
            f"no certificate type {slug!r} (choose from {', '.join(sorted(_BY_SLUG))})"
        ) from None


def type_of(credential: Mapping[str, Any]) -> CertificateType | None:
    """The certificate type ``credential`` declares in ``type``, or ``None``.

    ``None`` also when it declares more than one certificate type.
    """
    types = credential.get("type")
    names = types if isinstance(types, list) else [types]
    found = {
        CERTIFICATE_TYPES[name]
        for name in names
        if isinstance(name, str) and name in CERTIFICATE_TYPES
    }
    return found.pop() if len(found) == 1 else None
