"""The SD-JWT VC form of the three trade certificates, and what a holder may withhold.

One ``vct`` per certificate type, an https URL of the issuing service:
``<public URL>/vct/immex``, ``…/vct/oea``, ``…/vct/ctpat``, where its type metadata is
served. The claims are the certificate's ``credentialSubject`` (version 2 data) as plain
JSON, without JSON-LD ``type`` members: its members at the top level and the company at
``member``, beside the credential's ``name`` and the SD-JWT VC claims.

Selective disclosure choices — what a carrier at the gate needs is "C-TPAT, validated,
active", not the SVI number or every plant's address:

- always visible: ``vct``, ``iss``, ``iat``, ``nbf`` and ``exp`` (the validity period),
  ``status`` (the Token Status List entry), ``cnf`` (the holder's key), the certificate's
  ``name``, and what the programme says about the company: the IMMEX modality and annual
  report (``immexModality``, ``lastAnnualReportYear``, ``annualReportDueDate``), the OEA
  rubro and term (``oeaRubro``, ``termStart``, ``termEnd``), the C-TPAT sector, tier and
  validation (``tradeSector``, ``tier``, ``issuingCountry``, ``certificationDate``,
  ``lastValidationDate``, ``revalidationDueDate``), the programme dates
  (``authorizationDate``, ``lastRenewalDate``) and each mutual recognition (arrangement,
  recognizing authority, programme, roles), on which a crossing's workflow decides;
- selectively disclosable, each on its own: the identifiers (``immexProgramNumber``,
  ``oeaRegistrationNumber``, ``sviNumber``, ``ctpatAccountNumber``, a recognition's
  ``counterpartAccountNumber``), and every member of the company — its DID, names,
  RFC, MID, DUNS, LEI and other numbers — with each site of ``member.location`` a
  Disclosure of its own (an array element, RFC 9901 §4.2.2), so one plant can be shown
  without the others. A member added to the company node later is disclosable too.

The type metadata's ``sd`` for each claim (``always``/``never``) is :func:`disclosable`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

from vcservice.sdjwt.disclosures import ClaimPath

__all__ = [
    "MEMBER",
    "SITES",
    "SLUGS",
    "VCT_PATH",
    "certificate_claims",
    "disclosable",
    "disclosable_paths",
    "slug_of_vct",
    "vct_url",
]

VCT_PATH = "vct"
SLUGS: Mapping[str, str] = MappingProxyType(
    {"IMMEXCertificate": "immex", "OEACertificate": "oea", "CTPATCertificate": "ctpat"}
)
"""The certificate type of each slug's ``vct``, by type name."""
MEMBER = "member"
SITES = "location"
_IDENTIFIERS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "immex": frozenset({"immexProgramNumber"}),
        "oea": frozenset({"oeaRegistrationNumber", "immexProgramNumber"}),
        "ctpat": frozenset({"sviNumber", "ctpatAccountNumber"}),
    }
)
_RECOGNITION_NUMBER: ClaimPath = ("mutualRecognition", None, "counterpartAccountNumber")
_SUBJECT = "credentialSubject"


def vct_url(base_url: str, slug: str) -> str:
    """The ``vct`` of the certificate type ``slug`` issued by the service at ``base_url``."""
    return f"{base_url.rstrip('/')}/{VCT_PATH}/{slug}"


def slug_of_vct(vct: str, base_urls: tuple[str, ...]) -> str | None:
    """The slug whose ``vct`` under one of ``base_urls`` is ``vct``, else None."""
    for base in base_urls:
        for slug in SLUGS.values():
            if vct == vct_url(base, slug):
                return slug
    return None


def certificate_claims(credential: Mapping[str, Any]) -> dict[str, Any]:
    """The claims of a (version 2) certificate credential: its ``name`` and its subject's
    members, without JSON-LD ``type`` members (the ``vct`` says what it is)."""
    subject = credential.get(_SUBJECT)
    if not isinstance(subject, Mapping):
        raise ValueError("a certificate has one credentialSubject object")
    claims = {"name": credential.get("name"), **_untyped(subject)}
    return {name: value for name, value in claims.items() if value is not None}


def disclosable(slug: str, path: ClaimPath) -> bool:
    """Whether the claim at ``path`` of a ``slug`` certificate is selectively disclosable."""
    if path[:1] == (MEMBER,):
        return path == (MEMBER, SITES, None) or (len(path) == 2 and path[1] != SITES)
    return path == _RECOGNITION_NUMBER or (len(path) == 1 and path[0] in _IDENTIFIERS[slug])


def disclosable_paths(slug: str, claims: Mapping[str, Any]) -> frozenset[ClaimPath]:
    """The paths of ``claims`` that :func:`disclosable` says to conceal."""
    return frozenset(path for path in _paths(claims, ()) if disclosable(slug, path))


def _paths(value: Any, path: ClaimPath) -> Iterator[ClaimPath]:
    if isinstance(value, Mapping):
        for name, member in value.items():
            yield (*path, name)
            yield from _paths(member, (*path, name))
    elif isinstance(value, list):
        yield (*path, None)
        for element in value:
            yield from _paths(element, (*path, None))


def _untyped(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {name: _untyped(member) for name, member in value.items() if name != "type"}
    if isinstance(value, list):
        return [_untyped(element) for element in value]
    return value
