"""The certificate types as OpenID4VCI credential configurations, and their holder binding.

Each type an authority issues is offered in three formats: ``dc+sd-jwt`` (when an SD-JWT VC
issuer is wired in), ``jwt_vc_json`` (a ``vc+jwt``) and ``ldp_vc`` (Data Integrity with the
authority's default cryptosuite). The W3C formats bind a certificate to its holder by the
company's DID (``credentialSubject.member.id``): the key proof's did:jwk, or the did:key or
did:jwk its ``kid`` names; SD-JWT VC by the key itself (``cnf``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from vcservice.certificates import CERTIFICATE_TYPES, CertificateType
from vcservice.dids.methods import DidJwkMethod, DidKeyMethod, did_jwk_from_public_key
from vcservice.dids.resolver import UniversalResolver, dereference_verification_method
from vcservice.dids.syntax import split_fragment
from vcservice.errors import DidError, ParsingError, VcError
from vcservice.jose.jws import ALGORITHM_BY_KEY_TYPE
from vcservice.jose.vc_jwt import VC_JWT
from vcservice.keys import KeyType, PublicKey
from vcservice.model.credential_offers import CredentialOffer
from vcservice.model.datetimes import parse_datetime
from vcservice.model.records import Authority
from vcservice.oid4vci.certificates import display_of
from vcservice.oid4vci.credential_request import KeyProof
from vcservice.oid4vci.metadata import (
    FORMATS,
    JWT_VC_JSON,
    LDP_VC,
    SD_JWT_VC,
    CredentialConfiguration,
    configuration_id,
)
from vcservice.services.issuer import (
    ISSUING_FORMATS,
    IssuanceOptions,
    IssuerService,
    request_field,
    stored_document,
)
from vcservice.services.signing import default_format

__all__ = [
    "IssuedSdJwt",
    "SdJwtVcIssuing",
    "check_certificate",
    "configurations",
    "holder_of",
    "issue_bound",
    "key_of_kid",
    "offered_type",
    "validated",
    "w3c_securing",
    "with_holder",
    "without_holder",
]

W3C_BINDINGS = ("did:jwk", "did:key")
# The holder a certificate is checked with when the offer is made: the wallet's key, which
# replaces it, is not known until the credential request.
PLACEHOLDER_HOLDER = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
OFFERED = "credentialConfigurationIds"
_KID_DIDS = UniversalResolver([DidJwkMethod(), DidKeyMethod()])


class IssuedSdJwt(Protocol):
    """An SD-JWT VC as issued: its compact form and the registry's credential id."""

    @property
    def compact(self) -> str:
        """``<issuer JWT>~<disclosure>~…~``."""
        ...

    @property
    def credential_id(self) -> str:
        """The id the credential is registered (and its status kept) under."""
        ...


class SdJwtVcIssuing(Protocol):
    """Issues a certificate as an SD-JWT VC bound to a holder's key (``services.sd_jwt_vc``)."""

    def issue(
        self,
        *,
        authority: Authority,
        slug: str,
        body: Mapping[str, Any],
        holder_jwk: Mapping[str, Any],
    ) -> IssuedSdJwt:
        """Issue the certificate of ``body`` (as ``POST /certificates/{slug}`` takes it)."""
        ...

    def vct(self, slug: str) -> str:
        """The SD-JWT VC type (``vct``) of the certificate type ``slug``."""
        ...


def configurations(
    authority: Authority, held: Sequence[KeyType], sd_jwt_vc: SdJwtVcIssuing | None
) -> list[CredentialConfiguration]:
    """A configuration per certificate type ``authority`` issues and per format (none in
    ``dc+sd-jwt`` without ``sd_jwt_vc``); ``held``: the types of its active keys."""
    found = []
    for certificate_type in CERTIFICATE_TYPES.values():
        if not authority.may_issue(certificate_type.name):
            continue
        name = certificate_type.name
        display = display_of(name, certificate_type.default_name)
        if sd_jwt_vc is not None:
            found.append(
                CredentialConfiguration(
                    id=configuration_id(name, SD_JWT_VC),
                    format=SD_JWT_VC,
                    credential_type=name,
                    display=display,
                    binding_methods=("jwk",),
                    vct=sd_jwt_vc.vct(certificate_type.slug),
                )
            )
        for credential_format in (JWT_VC_JSON, LDP_VC):
            _, algorithm = w3c_securing(credential_format, held)
            found.append(
                CredentialConfiguration(
                    id=configuration_id(name, credential_format),
                    format=credential_format,
                    credential_type=name,
                    display=display,
                    binding_methods=W3C_BINDINGS,
                    types=("VerifiableCredential", name),
                    contexts=certificate_type.contexts,
                    signing_algorithms=(algorithm,) if algorithm else (),
                )
            )
    return found


def offered_type(
    authority: Authority, ids: Sequence[str], known: Mapping[str, CredentialConfiguration]
) -> CertificateType:
    """The one certificate type ``ids`` offer, each among the issuer's configurations
    ``known`` (MALFORMED_VALUE_ERROR; FORBIDDEN for a type the authority may not issue)."""
    if not ids or len(set(ids)) != len(ids):
        raise ParsingError(
            "name one or more distinct credential configurations",
            code="MALFORMED_VALUE_ERROR",
            field=OFFERED,
        )
    every = {
        configuration_id(name, credential_format): name
        for name in CERTIFICATE_TYPES
        for credential_format in FORMATS
    }
    types = set()
    for wanted in ids:
        if wanted in known:
            types.add(known[wanted].credential_type)
        elif wanted in every and not authority.may_issue(every[wanted]):
            raise VcError(
                f"authority {authority.name} may not issue {every[wanted]}",
                code="FORBIDDEN",
                field=OFFERED,
            )
        else:
            raise ParsingError(
                f"unknown credential configuration {wanted[:100]!r} (this issuer offers "
                f"{', '.join(known) or 'none'})",
                code="MALFORMED_VALUE_ERROR",
                field=OFFERED,
            )
    if len(types) != 1:
        raise ParsingError(
            "an offer is of one certificate: its configurations must be of one type",
            code="MALFORMED_VALUE_ERROR",
            field=OFFERED,
        )
    return CERTIFICATE_TYPES[types.pop()]


def w3c_securing(credential_format: str, held: Sequence[KeyType]) -> tuple[str, str | None]:
    """The securing format a W3C configuration is issued in, and the algorithm (JWS ``alg``
    or cryptosuite) it is signed with: None when the authority holds no key for it."""
    if credential_format == JWT_VC_JSON:
        key_type = next((kind for kind in ISSUING_FORMATS[VC_JWT] if kind in held), None)
        return VC_JWT, ALGORITHM_BY_KEY_TYPE[key_type] if key_type is not None else None
    suite = default_format(held[0]) if held else None
    return suite or default_format(KeyType.ED25519), suite


def without_holder(certificate: Mapping[str, Any]) -> dict[str, Any]:
    """The certificate data without ``member.id``: the wallet's key decides the holder."""
    copied = dict(certificate)
    member = copied.get("member")
    if isinstance(member, Mapping):
        copied["member"] = {name: value for name, value in member.items() if name != "id"}
    return copied


def with_holder(certificate: Mapping[str, Any], holder: str) -> dict[str, Any]:
    """The certificate data with ``holder`` as ``member.id``."""
    member = certificate.get("member")
    return {
        **certificate,
        "member": {**(member if isinstance(member, Mapping) else {}), "id": holder},
    }


def validated(certificate_type: CertificateType, certificate: Mapping[str, Any]) -> BaseModel:
    """The certificate data as the type's request model (MALFORMED_VALUE_ERROR naming the
    first member that breaks it, as ``certificate.…``)."""
    try:
        return certificate_type.request_model.model_validate(certificate)
    except ValidationError as error:
        first = error.errors()[0]
        path = ".".join(str(part) for part in first.get("loc", ()))
        raise ParsingError(
            f"{path or 'certificate'}: {first.get('msg', 'invalid')}",
            code="MALFORMED_VALUE_ERROR",
            field=f"certificate.{path}" if path else "certificate",
        ) from None


def check_certificate(
    authority: Authority,
    certificate_type: CertificateType,
    certificate: Mapping[str, Any],
    *,
    valid_from: datetime,
    valid_until: datetime,
) -> None:
    """Build the certificate as it will be issued, refusing now what would be refused then
    (each field named as the officer sent it)."""
    data = validated(certificate_type, with_holder(certificate, PLACEHOLDER_HOLDER))
    try:
        certificate_type.build_credential(
            data,
            issuer_id=authority.did,
            issuer_name=authority.display_name,
            credential_id=f"urn:uuid:{uuid.uuid4()}",
            valid_from=valid_from,
            valid_until=valid_until,
        )
    except VcError as error:
        field_name = request_field(error.field, certificate_data=True)
        raise type(error)(error.message, code=error.code, field=field_name) from None


def holder_of(proof: KeyProof) -> str:
    """The holder DID a W3C credential is bound to: the DID ``kid`` names, else the
    did:jwk of the proof's ``jwk``."""
    return split_fragment(proof.kid)[0] if proof.kid else did_jwk_from_public_key(proof.public_key)


def key_of_kid(kid: str) -> PublicKey:
    """The key a did:jwk or did:key URL names for authentication (DidError otherwise):
    resolved without the network."""
    document, method = dereference_verification_method(_KID_DIDS, kid)
    if not document.authorizes(method.id, "authentication"):
        raise DidError(f"{kid} is not an authentication key", code="INVALID_VERIFICATION_METHOD")
    return method.public_key


def issue_bound(
    *,
    issuer: IssuerService,
    sd_jwt_vc: SdJwtVcIssuing | None,
    authority: Authority,
    held: Sequence[KeyType],
    offer: CredentialOffer,
    configuration: CredentialConfiguration,
    proof: KeyProof,
) -> tuple[str | dict[str, Any], str]:
    """Issue the offered certificate in ``configuration``, bound to the proof's key: the
    credential as the format has it, and its registry id."""
    certificate_type = CERTIFICATE_TYPES[offer.credential_type]
    stored = json.loads(offer.request)
    body = {**stored, "certificate": with_holder(stored["certificate"], holder_of(proof))}
    if configuration.format == SD_JWT_VC:
        if sd_jwt_vc is None:  # not offered then: configurations() lists none
            raise ParsingError(f"{configuration.id} is not issued here", field="format")
        issued = sd_jwt_vc.issue(
            authority=authority,
            slug=certificate_type.slug,
            body=body,
            holder_jwk=proof.public_key.to_jwk(),
        )
        return issued.compact, issued.credential_id
    data = validated(certificate_type, body["certificate"])
    securing_format, _ = w3c_securing(configuration.format, held)
    valid_from = body.get("validFrom")
    record = issuer.issue_certificate(
        authority,
        certificate_type,
        data,
        valid_from=parse_datetime(valid_from, field="validFrom") if valid_from else None,
        valid_until=parse_datetime(body["validUntil"], field="validUntil"),
        options=IssuanceOptions(securing_format=securing_format),
    )
    return stored_document(record), record.id
