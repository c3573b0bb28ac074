"""Trusted-trader certificate types: IMMEX, C-TPAT and OEA, in two versions of their data.

Each type of each version is a module (``v2.immex``, ``v2.ctpat``, ``v2.oea``;
``v1.…``) defining the pydantic models of the data an authority submits and of the
credentialSubject, and a ``CertificateType`` that builds the VCDM 2.0 credential; its
JSON Schema is in the top-level ``schemas/`` directory (``<slug>-<version>.json``).
Version 2 is issued; version 1 credentials keep verifying (``type_of`` tells them
apart by the context that names the version).  Adding a type: a module, a line in
``CURRENT``, a schema file, its terms in the project context, tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from vcservice.certificates.base import VERSION_CONTEXTS, CertificateType
from vcservice.certificates.v1 import ctpat as ctpat_v1
from vcservice.certificates.v1 import immex as immex_v1
from vcservice.certificates.v1 import oea as oea_v1
from vcservice.certificates.v2.ctpat import CTPAT
from vcservice.certificates.v2.immex import IMMEX
from vcservice.certificates.v2.oea import OEA

__all__ = [
    "ALL_VERSIONS",
    "CERTIFICATE_TYPES",
    "CURRENT_VERSION",
    "CertificateType",
    "by_slug",
    "type_of",
]

CURRENT_VERSION = "v2"
_CURRENT = (IMMEX, CTPAT, OEA)
_LEGACY = (immex_v1.IMMEX, ctpat_v1.CTPAT, oea_v1.OEA)
CERTIFICATE_TYPES: Mapping[str, CertificateType] = MappingProxyType(
    {certificate_type.name: certificate_type for certificate_type in _CURRENT}
)
"""The types that are issued, by name."""
ALL_VERSIONS: tuple[CertificateType, ...] = (*_CURRENT, *_LEGACY)
"""Every type of every version, current first."""
_BY_SLUG = {(kind.slug, kind.version): kind for kind in ALL_VERSIONS}


def by_slug(slug: str, version: str = CURRENT_VERSION) -> CertificateType:
    """The certificate type whose slug is ``slug``, in ``version`` (``KeyError`` if none)."""
    try:
        return _BY_SLUG[slug, version]
    except KeyError:
        slugs = ", ".join(sorted({kind.slug for kind in ALL_VERSIONS}))
        raise KeyError(f"no certificate type {slug!r} {version!r} (choose from {slugs})") from None


def type_of(credential: Mapping[str, Any]) -> CertificateType | None:
    """The certificate type ``credential`` declares in ``type``, in the version its context names.

    ``None`` when it declares no certificate type or more than one, or when its
    ``@context`` names no version of the project context, or both.
    """
    types = credential.get("type")
    names = types if isinstance(types, list) else [types]
    found = {name for name in names if isinstance(name, str) and name in CERTIFICATE_TYPES}
    contexts = credential.get("@context")
    listed = contexts if isinstance(contexts, list) else [contexts]
    versions = [version for version, url in VERSION_CONTEXTS.items() if url in listed]
    if len(found) != 1 or len(versions) != 1:
        return None
    name = found.pop()
    return next(kind for kind in ALL_VERSIONS if kind.name == name and kind.version == versions[0])
