"""What an SD-JWT VC of a trade certificate is issued from: the body of ``POST
/certificates/{slug}`` and the holder's key.

The body is read as that endpoint reads it — ``certificate`` (the type's request model),
``validFrom`` (optional), ``validUntil`` and ``options`` — so one body issues a certificate
in any format. Of the options, ``keyType`` picks the authority's signing key; ``format``
names a W3C securing and does not apply to an SD-JWT VC.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vcservice.certificates import CertificateType, by_slug
from vcservice.certificates.models import model_problems
from vcservice.errors import KeyFormatError, ParsingError, VcError
from vcservice.keys import SIGNING_KEY_TYPES, KeyType, PublicKey
from vcservice.model.datetimes import parse_datetime

__all__ = ["CertificateRequest", "certificate_type", "holder_key", "parse_certificate_request"]

BODY_MEMBERS = frozenset({"certificate", "validFrom", "validUntil", "options"})
_MALFORMED = "MALFORMED_VALUE_ERROR"


@dataclass(frozen=True, slots=True)
class CertificateRequest:
    """A checked ``POST /certificates/{slug}`` body: the certificate data (an instance of
    the type's request model), its validity and the key type asked for, if any."""

    data: Any
    valid_from: datetime | None
    valid_until: datetime
    key_type: KeyType | None


def certificate_type(slug: str) -> CertificateType:
    """The current certificate type ``slug`` (NOT_FOUND naming ``slug`` for another)."""
    try:
        return by_slug(slug)
    except KeyError:
        raise VcError(f"no certificate type {slug!r}", code="NOT_FOUND", field="slug") from None


def parse_certificate_request(
    certificate_type: CertificateType, body: Mapping[str, Any]
) -> CertificateRequest:
    """Check ``body`` as ``POST /certificates/{slug}`` does (MALFORMED_VALUE_ERROR naming the
    member at fault, ``certificate.…`` for the certificate data)."""
    if not isinstance(body, Mapping):
        raise ParsingError("the body must be a JSON object", code=_MALFORMED, field="body")
    unknown = sorted(set(body) - BODY_MEMBERS)
    if unknown:
        raise ParsingError(f"unknown member {unknown[0]!r}", code=_MALFORMED, field=unknown[0])
    model = certificate_type.request_model
    problems = model_problems(model, body.get("certificate"), prefix=("certificate",))
    if problems:
        raise ParsingError(problems[0].detail, code=problems[0].code, field=problems[0].field)
    options = body.get("options") or {}
    if not isinstance(options, Mapping):
        raise ParsingError("options must be an object", code=_MALFORMED, field="options")
    wanted = options.get("keyType")
    try:
        key_type = None if wanted is None else KeyType(wanted)
    except ValueError:
        raise ParsingError(
            f"unknown keyType {wanted!r}", code=_MALFORMED, field="options.keyType"
        ) from None
    valid_from = body.get("validFrom")
    return CertificateRequest(
        data=model.model_validate(body["certificate"]),
        valid_from=None if valid_from is None else parse_datetime(valid_from, field="validFrom"),
        valid_until=parse_datetime(body.get("validUntil"), field="validUntil"),
        key_type=key_type,
    )


def holder_key(jwk: Mapping[str, Any]) -> PublicKey:
    """The holder's public key for ``cnf``: a public JWK of a key type that signs JWTs here
    (INVALID_KEY or UNSUPPORTED_KEY_TYPE naming ``holderJwk``)."""
    try:
        key = PublicKey.from_jwk(jwk)
    except KeyFormatError as error:
        raise KeyFormatError(error.message, code=error.code, field="holderJwk") from error
    if key.key_type not in SIGNING_KEY_TYPES:
        raise KeyFormatError(
            f"a {key.key_type} holder key cannot sign a Key Binding JWT here",
            code="UNSUPPORTED_KEY_TYPE",
            field="holderJwk",
        )
    return key
