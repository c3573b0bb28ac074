"""Issue an SD-JWT VC, and the Holder's side: choose which Disclosures to present.

The SD-JWT VC profile (draft-ietf-oauth-sd-jwt-vc, "Data Format"): the Issuer-signed JWT has ``typ``
``dc+sd-jwt``, a ``vct``, and never discloses ``iss``, ``nbf``, ``exp``, ``cnf``, ``vct``,
``vct#integrity``, ``aka_vcts`` or ``status`` selectively (:data:`NEVER_DISCLOSABLE`). The
Issuer signs through the ``Signer`` role only (its ``kid`` is the verification method), so
a key in an HSM signs as well as one in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

from vcservice.errors import ParsingError
from vcservice.jose.jws import decode_compact, sign_compact
from vcservice.keys import Signer
from vcservice.sdjwt.compact import SdJwtParts, split
from vcservice.sdjwt.disclosures import (
    DEFAULT_HASH,
    SD_ALG,
    ClaimPath,
    Disclosure,
    conceal,
    new_salt,
    reveal,
)

__all__ = [
    "NEVER_DISCLOSABLE",
    "SD_JWT_VC_MEDIA_TYPE",
    "SD_JWT_VC_TYP",
    "disclosure_paths",
    "issue_sd_jwt",
    "present",
]

SD_JWT_VC_TYP = "dc+sd-jwt"
SD_JWT_VC_MEDIA_TYPE = "application/dc+sd-jwt"
NEVER_DISCLOSABLE = frozenset(
    {"iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "aka_vcts", "status"}
)
"""Top-level claims an SD-JWT VC carries in the clear (draft-ietf-oauth-sd-jwt-vc,
"Registered JWT Claims")."""


def issue_sd_jwt(
    claims: Mapping[str, Any],
    *,
    disclosable: Collection[ClaimPath],
    signer: Signer,
    typ: str = SD_JWT_VC_TYP,
    salt: Callable[[], str] = new_salt,
) -> str:
    """The SD-JWT (issuance form, ending in ``~``) of ``claims``, those at ``disclosable``
    paths selectively disclosable, signed by ``signer``."""
    if typ == SD_JWT_VC_TYP:
        refused = sorted(str(path[0]) for path in disclosable if path[:1] in _NEVER)
        if refused:
            raise ParsingError(
                f"an SD-JWT VC never discloses {', '.join(refused)} selectively",
                field="disclosable",
            )
    payload, disclosures = conceal(claims, disclosable, salt=salt, algorithm=DEFAULT_HASH)
    issuer_jwt = sign_compact(payload, signer=signer, header={"typ": typ})
    return SdJwtParts(issuer_jwt, tuple(d.encoded for d in disclosures)).serialize()


def disclosure_paths(sd_jwt: str) -> dict[str, ClaimPath]:
    """Each Disclosure of ``sd_jwt`` and the claim path of the value it discloses.

    The Holder's view: the Issuer's signature is not checked here (verify the credential
    when it is received).
    """
    parts = split(sd_jwt)
    payload = decode_compact(parts.issuer_jwt).payload_json()
    if not isinstance(payload, dict):
        raise ParsingError("the Issuer-signed JWT's payload is not an object", field="payload")
    disclosures = [Disclosure.parse(encoded) for encoded in parts.disclosures]
    algorithm = payload.get(SD_ALG, DEFAULT_HASH)
    return reveal(payload, disclosures, algorithm=str(algorithm)).paths


def present(sd_jwt: str, *, disclose: Iterable[ClaimPath]) -> str:
    """The SD-JWT to present (without a Key Binding JWT): the Issuer-signed JWT and the
    Disclosures needed for the claims at ``disclose``.

    A requested path takes every Disclosure on the way to it (a site's, to reach its
    address) and below it (the sites of ``("member", "location")``); ``None`` in a path is
    any array element, and so is an index (a DCQL path's ``0`` takes every site). A
    requested claim that is always disclosed needs no Disclosure.
    """
    parts = split(sd_jwt)
    if parts.key_binding_jwt is not None:
        raise ParsingError("present an SD-JWT, not an SD-JWT+KB", field="sdJwt")
    wanted = [tuple(path) for path in disclose]
    chosen = tuple(
        encoded
        for encoded, path in disclosure_paths(sd_jwt).items()
        if any(_prefix(path, request) or _prefix(request, path) for request in wanted)
    )
    return SdJwtParts(parts.issuer_jwt, chosen).serialize()


_NEVER = frozenset((name,) for name in NEVER_DISCLOSABLE)


def _prefix(shorter: ClaimPath, longer: ClaimPath) -> bool:
    """Whether ``shorter`` leads to ``longer`` (``None`` matching any array element)."""
    if len(shorter) > len(longer):
        return False
    return all(a == b or a is None or b is None for a, b in zip(shorter, longer, strict=False))
