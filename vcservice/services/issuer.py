"""Issue credentials for an authority and keep every one of them in the registry."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import rfc8785

from vcservice.certificates import CERTIFICATE_TYPES, CURRENT_VERSION, CertificateType, type_of
from vcservice.certificates.base import VERSION_CONTEXTS
from vcservice.certificates.schemas import validate_credential
from vcservice.clock import Clock
from vcservice.errors import ParsingError, Problem, StorageError, VcError
from vcservice.jose.jws import decode_compact
from vcservice.jose.vc_jwt import VC_JWT
from vcservice.keys import KeyType
from vcservice.model import credential as vcdm
from vcservice.model.datetimes import format_datetime, parse_datetime
from vcservice.model.records import AuditAction, Authority, IssuedCredential, StatusPurpose
from vcservice.model.values import as_list
from vcservice.proofs.purposes import AUTHENTICATION
from vcservice.proofs.suites import ecdsa_rdfc_2019, eddsa_rdfc_2022
from vcservice.services.audit import audit_event
from vcservice.services.authorities import AuthorityService
from vcservice.services.core import Core
from vcservice.services.observer import NO_OBSERVER, Observer
from vcservice.services.registry import issued_by
from vcservice.services.signing import JOSE, default_format, secure_credential
from vcservice.services.status import STATUS_SIZES, StatusService
from vcservice.storage.repository import CredentialQuery, Page, Store

# The securing formats an issuer offers, and the key types each signs with (the first is
# its default: P-384 for ECDSA and JOSE, the key a did:web authority has always had).
ISSUING_FORMATS: Mapping[str, tuple[KeyType, ...]] = {
    eddsa_rdfc_2022.NAME: (KeyType.ED25519,),
    ecdsa_rdfc_2019.NAME: (KeyType.P384, KeyType.P256),
    VC_JWT: (KeyType.P384, KeyType.P256, KeyType.ED25519),
}


@dataclass(frozen=True, slots=True)
class IssuanceOptions:
    """How to secure a credential, which status entries a generic credential gets, and the
    client's idempotency key if it sent one.

    Without ``securing_format`` an authority signs with its first key's default format
    (eddsa-rdfc-2022 for a did:web authority; a did:key authority's one key decides);
    without ``key_type``, with the format's first key type the authority holds. A
    certificate always gets every status entry; a generic credential those of
    ``status_purposes`` only.
    """

    securing_format: str | None = None
    idempotency_key: str | None = None
    key_type: KeyType | None = None
    status_purposes: tuple[StatusPurpose, ...] = ()


class IssuerService:
    """Builds, validates, signs and records credentials for one authority at a time."""

    def __init__(
        self,
        *,
        core: Core,
        store: Store,
        authorities: AuthorityService,
        statuses: StatusService,
        clock: Clock,
        observer: Observer = NO_OBSERVER,
        refused_findings: frozenset[str] = frozenset(),
    ) -> None:
        """``refused_findings``: codes of certificate findings that refuse the credential
        instead of being reported with it (``rfc_check_digit = "refuse"``)."""
        self._refused_findings = refused_findings
        self._core = core
        self._store = store
        self._authorities = authorities
        self._statuses = statuses
        self._clock = clock
        self._observer = observer

    def issue(
        self, authority: Authority, credential: dict[str, Any], options: IssuanceOptions
    ) -> IssuedCredential:
        """Issue ``credential`` as ``authority``; it is recorded before it is returned.

        The record and its audit entry are stored in one transaction. A retried request
        with the same idempotency key returns the first credential (and audits nothing).
        """
        return self._issue_once(authority, options, {"credential": credential}, lambda: credential)

    def issue_certificate(
        self,
        authority: Authority,
        certificate_type: CertificateType,
        data: Any,
        *,
        valid_from: datetime | None,
        valid_until: datetime,
        options: IssuanceOptions,
    ) -> IssuedCredential:
        """Build a certificate of ``certificate_type`` from plain ``data`` and issue it.

        Without ``valid_from`` it is valid from the moment of issuance.
        """

        def build() -> dict[str, Any]:
            try:
                credential = certificate_type.build_credential(
                    data,
                    issuer_id=authority.did,
                    issuer_name=authority.display_name,
                    credential_id=f"urn:uuid:{uuid.uuid4()}",
                    valid_from=valid_from or self._clock.now(),
                    valid_until=valid_until,
                )
                refused = self._refused(credential)
                if refused:
                    first = refused[0]
                    raise ParsingError(first.detail, code=first.code, field=first.field)
            except VcError as error:
                raise _as_request_error(error) from error
            return credential

        material = {
            "certificate": certificate_type.name,
            "data": data.model_dump(mode="json"),
            "validFrom": format_datetime(valid_from, field="validFrom") if valid_from else None,
            "validUntil": format_datetime(valid_until, field="validUntil"),
        }
        return self._issue_once(authority, options, material, build)

    def _issue_once(
        self,
        authority: Authority,
        options: IssuanceOptions,
        material: dict[str, Any],
        build: Callable[[], dict[str, Any]],
    ) -> IssuedCredential:
        securing_format, key_type = self._signing_key(authority, options)
        digest = _request_digest(
            authority,
            {
                **material,
                "keyType": key_type.value,
                "status": sorted(purpose.value for purpose in options.status_purposes),
            },
            securing_format,
        )
        if options.idempotency_key is not None:
            earlier = self._store.credentials.find_by_idempotency_key(
                authority.name, options.idempotency_key
            )
            if earlier is not None:
                return _same_request(earlier, digest)
        credential = self._complete(authority, build())
        certificate_type = _authorized_type(authority, credential)
        if self._store.credentials.get(credential["id"]) is not None:
            raise StorageError(
                f"credential id {credential['id']!r} is already in use",
                code="CONFLICT",
                field="credential.id",
            )
        purposes = STATUS_SIZES if certificate_type is not None else options.status_purposes
        if purposes and "credentialStatus" in credential:
            # A generic credential may carry status entries of the client's own (VC API);
            # a certificate's, and those options.credentialStatus asks for, are the issuer's.
            raise ParsingError(
                "credentialStatus is assigned by the issuer here, not the client",
                code="MALFORMED_VALUE_ERROR",
                field="credential.credentialStatus",
            )
        if purposes and vcdm.base_context(credential) != vcdm.CREDENTIALS_V2:
            raise ParsingError(
                "status entries are Bitstring Status List entries, which only a VCDM 2.0 "
                "credential can carry",
                code="MALFORMED_VALUE_ERROR",
                field="options.credentialStatus",
            )
        if purposes:
            credential["credentialStatus"] = self._statuses.entries_for(
                authority, credential["id"], purposes
            )
        secured = self._secure(authority, credential, securing_format, key_type)
        record = _record(
            authority,
            credential=credential,
            secured=secured,
            securing_format=securing_format,
            idempotency_key=options.idempotency_key,
            digest=digest,
            certificate_type=certificate_type,
            issued_at=self._clock.now(),
        )
        issued = audit_event(
            self._clock,
            AuditAction.CREDENTIAL_ISSUED,
            subject=record.id,
            authority=authority.name,
            details={"type": record.credential_type, "format": record.securing_format},
        )
        try:
            stored = self._store.credentials.add(record, audit=issued)
            self._observer.issued(record.credential_type, record.securing_format)
        except StorageError as error:
            # Lost a race with the same Idempotency-Key: answer as a retry would be answered.
            earlier = (
                self._store.credentials.find_by_idempotency_key(
                    authority.name, options.idempotency_key
                )
                if options.idempotency_key
                else None
            )
            if error.code != "CONFLICT" or earlier is None:
                raise
            stored = earlier
        return _same_request(stored, digest)

    def prove(
        self,
        authority: Authority,
        presentation: Mapping[str, Any],
        *,
        challenge: str | None,
        domain: str | None,
    ) -> dict[str, Any]:
        """Sign ``presentation`` as ``authority``, its holder (unless it names none):
        eddsa-rdfc-2022 with the Ed25519 key, for authentication, bound to ``challenge`` and
        ``domain``. Presentations only: a document with a credential's members is refused."""
        problems = vcdm.presentation_problems(presentation)
        if problems or {"issuer", "credentialSubject"} & presentation.keys():
            detail = problems[0].detail if problems else "a presentation has no issuer or subject"
            raise ParsingError(detail, code="MALFORMED_VALUE_ERROR", field="presentation")
        unsigned = {"holder": authority.did, **presentation}
        if unsigned["holder"] != authority.did:
            raise ParsingError(
                f"this organisation presents only as {authority.did}",
                code="MALFORMED_VALUE_ERROR",
                field="presentation.holder",
            )
        return self._core.data_integrity.add_proof(
            unsigned,
            signer=self._authorities.signer(authority, KeyType.ED25519),
            cryptosuite=eddsa_rdfc_2022.NAME,
            created=self._clock.now().replace(microsecond=0),
            purpose=AUTHENTICATION,
            challenge=challenge,
            domain=domain,
        )

    def findings(self, document: dict[str, Any] | str, *, certificate_data: bool) -> list[Problem]:
        """What the issuer is told about a certificate it issued without being refused:
        a doubtful RFC check digit, an overdue annual report … (none for other credentials),
        each field named as the client sent it (``certificate_data``: plain data).

        Computed from the issued ``document`` (``stored_document``), so a retried request
        is told the same."""
        credential = credential_of(document)
        certificate_type = type_of(credential)
        if certificate_type is None:
            return []
        return [
            Problem(
                finding.code,
                finding.detail,
                request_field(finding.field, certificate_data=certificate_data),
            )
            for finding in certificate_type.findings(credential, self._clock.now().date())
        ]

    def get(self, authority: Authority, credential_id: str) -> IssuedCredential:
        """A credential this authority issued (NOT_FOUND for others' and unknown ids)."""
        return issued_by(self._store, authority, credential_id, field="id")

    def search(self, query: CredentialQuery) -> Page:
        """The authority's credentials matching ``query``, newest first."""
        return self._store.credentials.search(query)

    def _complete(self, authority: Authority, credential: Mapping[str, Any]) -> dict[str, Any]:
        """Fill in what the issuer decides (id, validFrom or issuanceDate) and refuse a
        credential that does not name this authority as its issuer (VC API: the credential
        MUST have an issuer)."""
        completed = dict(credential)
        completed.setdefault("id", f"urn:uuid:{uuid.uuid4()}")
        first_context = as_list(completed.get("@context"))[:1]
        if vcdm.id_of(completed.get("issuer")) != authority.did:
            raise ParsingError(
                f"issuer must be this authority's DID {authority.did}",
                code="MALFORMED_VALUE_ERROR",
                field="credential.issuer",
            )
        if first_context == [vcdm.CREDENTIALS_V2]:
            completed.setdefault("validFrom", format_datetime(self._clock.now()))
        elif first_context == [vcdm.CREDENTIALS_V1]:
            completed.setdefault("issuanceDate", format_datetime(self._clock.now()))
        problems = vcdm.credential_problems(completed)
        # A certificate (naming any certificate type): its schema and the program's rules,
        # which refuse two certificate types in one credential.
        if any(name in CERTIFICATE_TYPES for name in vcdm.types_of(completed)):
            problems += validate_credential(completed) or _superseded(completed)
        if not problems:
            try:  # only what a verifier will read as it is: the compact form, nothing dropped
                self._core.processor.check(completed)
            except VcError as error:
                problems = [error.to_problem()]
        if not problems:
            problems = self._refused(completed)
        _raise_first(problems)
        return completed

    def _refused(self, credential: Mapping[str, Any]) -> list[Problem]:
        """The certificate's findings that this service is configured to refuse, as problems."""
        certificate_type = type_of(credential)
        if certificate_type is None or not self._refused_findings:
            return []
        return [
            Problem(
                "MALFORMED_VALUE_ERROR",
                f"{finding.detail} (refused: {finding.code})",
                finding.field,
            )
            for finding in certificate_type.findings(credential, self._clock.now().date())
            if finding.code in self._refused_findings
        ]

    def _signing_key(self, authority: Authority, options: IssuanceOptions) -> tuple[str, KeyType]:
        """The securing format and key type to sign with (MALFORMED_VALUE_ERROR naming the
        option when they do not go together or the authority holds no such key)."""
        held = self._authorities.key_types(authority)
        securing_format = options.securing_format or (
            default_format(held[0]) if held else eddsa_rdfc_2022.NAME
        )
        usable = ISSUING_FORMATS.get(securing_format)
        if usable is None:
            raise ParsingError(
                f"unknown format {securing_format!r} (choose from {', '.join(ISSUING_FORMATS)})",
                field="options.format",
            )
        wanted = (options.key_type,) if options.key_type is not None else usable
        key_type = next((kind for kind in wanted if kind in usable and kind in held), None)
        if key_type is None:
            which = options.key_type or " or ".join(usable)
            raise ParsingError(
                f"{securing_format} cannot sign with a {which} key of authority "
                f"{authority.name} (it holds {', '.join(held) or 'none'})",
                field="options.keyType" if options.key_type else "options.format",
            )
        return securing_format, key_type

    def _secure(
        self,
        authority: Authority,
        credential: dict[str, Any],
        securing_format: str,
        key_type: KeyType,
    ) -> dict[str, Any] | str:
        if securing_format == VC_JWT and vcdm.base_context(credential) != vcdm.CREDENTIALS_V2:
            raise ParsingError(
                "vc+jwt secures VC Data Model 2.0 credentials only (VC-JOSE-COSE)",
                field="options.format",
            )
        signer = self._authorities.signer(authority, key_type)
        mechanism = JOSE if securing_format == VC_JWT else securing_format
        return secure_credential(
            self._core, credential, signer=signer, securing_format=mechanism, now=self._clock.now()
        )


def _superseded(credential: Mapping[str, Any]) -> list[Problem]:
    """A certificate in a version of the data that is no longer issued (it still verifies)."""
    certificate_type = type_of(credential)
    if certificate_type is None or certificate_type.version == CURRENT_VERSION:
        return []
    detail = (
        f"version {certificate_type.version} of the certificate data is no longer issued: "
        f"issue a {certificate_type.name} with the context {VERSION_CONTEXTS[CURRENT_VERSION]}"
    )
    return [Problem("MALFORMED_VALUE_ERROR", detail, "@context")]


def _authorized_type(authority: Authority, credential: Mapping[str, Any]) -> CertificateType | None:
    """The certificate type of ``credential``, if the authority may issue its types."""
    certificate_type = type_of(credential)
    names = [t for t in vcdm.types_of(credential) if t != vcdm.VERIFIABLE_CREDENTIAL]
    for name in names or [vcdm.VERIFIABLE_CREDENTIAL]:
        if not authority.may_issue(name):
            raise VcError(
                f"authority {authority.name} may not issue {name}",
                code="FORBIDDEN",
                field="credential.type",
            )
    return certificate_type


def _record(
    authority: Authority,
    *,
    credential: Mapping[str, Any],
    secured: dict[str, Any] | str,
    securing_format: str,
    idempotency_key: str | None,
    digest: str,
    certificate_type: CertificateType | None,
    issued_at: datetime,
) -> IssuedCredential:
    holders = vcdm.holder_ids_of(credential)
    start, end = vcdm.validity_members(credential)
    return IssuedCredential(
        id=str(credential["id"]),
        authority=authority.name,
        credential_type=_main_type(credential),
        securing_format=securing_format,
        document=secured if isinstance(secured, str) else json.dumps(secured),
        subject_id=holders[0] if holders else None,
        subject_identifiers=(
            certificate_type.subject_identifiers(credential) if certificate_type else ()
        ),
        issued_at=issued_at,
        valid_from=_optional_datetime(credential, start),
        valid_until=_optional_datetime(credential, end),
        idempotency_key=idempotency_key,
        request_digest=digest,
    )


def _main_type(credential: Mapping[str, Any]) -> str:
    names = [t for t in vcdm.types_of(credential) if t != vcdm.VERIFIABLE_CREDENTIAL]
    return names[0] if names else vcdm.VERIFIABLE_CREDENTIAL


def _optional_datetime(credential: Mapping[str, Any], member: str) -> datetime | None:
    value = credential.get(member)
    return parse_datetime(value, field=member) if value is not None else None


def _request_digest(authority: Authority, material: dict[str, Any], securing_format: str) -> str:
    """What makes two requests "the same" for idempotency: authority, content and format."""
    whole = {"authority": authority.name, "format": securing_format, **material}
    try:
        return hashlib.sha256(rfc8785.dumps(whole)).hexdigest()
    except (rfc8785.CanonicalizationError, ValueError, UnicodeError) as exc:
        raise ParsingError(
            f"the credential holds a value JSON cannot carry exactly: {exc}",
            code="MALFORMED_VALUE_ERROR",
            field="credential",
        ) from exc


def request_field(field: str | None, *, certificate_data: bool) -> str:
    """Name a credential's ``field`` as the client sent it: ``certificate.…`` (not
    ``credentialSubject.…``) for plain certificate data, ``credential.…`` for a credential."""
    if not certificate_data:
        return ".".join(part for part in ("credential", field) if part)
    field = field or "certificate"
    if field.startswith("credentialSubject."):
        return "certificate." + field.removeprefix("credentialSubject.")
    return field


def _as_request_error(error: VcError) -> VcError:
    field = request_field(error.field, certificate_data=True)
    return type(error)(error.message, code=error.code, field=field)


def _raise_first(problems: list[Problem]) -> None:
    """Raise the first of a credential's ``problems``, if any, named as the client sent it."""
    if problems:
        first = problems[0]
        field = request_field(first.field, certificate_data=False)
        raise ParsingError(first.detail, code=first.code, field=field)


def stored_document(record: IssuedCredential) -> dict[str, Any] | str:
    """The stored credential: JSON for Data Integrity, the compact string for vc+jwt."""
    if record.document.startswith("{"):
        parsed: dict[str, Any] = json.loads(record.document)
        return parsed
    return record.document


def credential_of(document: dict[str, Any] | str) -> dict[str, Any]:
    """The credential a stored document is: itself, or a vc+jwt's payload."""
    if isinstance(document, dict):
        return document
    payload = decode_compact(document).payload_json()
    return payload if isinstance(payload, dict) else {}


def data_version(document: dict[str, Any] | str) -> str | None:
    """The version of the certificate data a stored document holds (None: no certificate)."""
    certificate_type = type_of(credential_of(document))
    return certificate_type.version if certificate_type is not None else None


def _same_request(record: IssuedCredential, digest: str) -> IssuedCredential:
    if record.request_digest != digest:
        raise VcError(
            "this Idempotency-Key was already used for a different request",
            code="IDEMPOTENCY_KEY_REUSED",
            field="Idempotency-Key",
        )
    return record
