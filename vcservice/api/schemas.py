"""Request and response bodies of the HTTP API (what OpenAPI documents)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)
from pydantic.alias_generators import to_camel

from vcservice.model.records import (
    Authority,
    Client,
    IssuedCredential,
    Scope,
    StatusChange,
    StatusReason,
)
from vcservice.printing.labels import Text, label

RequestT = TypeVar("RequestT", bound=BaseModel)
IssuingFormat = Literal["eddsa-rdfc-2022", "ecdsa-rdfc-2019", "vc+jwt"]
KeyTypeName = Literal["Ed25519", "P-256", "P-384"]
EXAMPLE_VC_ID = "urn:uuid:56fed605-b68d-4fbd-b368-02a44d0e7421"


CredentialTypeName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9]{0,99}$")]
_NUMBER = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")


def _date_time_text(value: Any) -> Any:
    """Only date-time text: pydantic would read a number (or numeric text) as Unix time."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or _NUMBER.fullmatch(value):
        raise ValueError(
            "must be an RFC 3339 date-time with a time zone, e.g. 2027-11-28T00:00:00Z"
        )
    return value


DateTimeText = Annotated[AwareDatetime, BeforeValidator(_date_time_text)]
"""A time-zone-aware date-time given as RFC 3339 text (a number is refused, not a Unix time)."""


class ApiModel(BaseModel):
    """camelCase on the wire (as VC API and JSON-LD), snake_case in Python."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class StrictModel(ApiModel):
    """A request body: unknown members are refused, never ignored."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class SecuringOptions(StrictModel):
    """How to secure a certificate: the format, and which of the authority's keys signs."""

    format: IssuingFormat | None = Field(
        None,
        description="a Data Integrity cryptosuite or vc+jwt; default: eddsa-rdfc-2022 (a "
        "did:key authority: its key's suite)",
    )
    key_type: KeyTypeName | None = Field(
        None,
        description="default: Ed25519 for eddsa-rdfc-2022, P-384 for ecdsa-rdfc-2019 and "
        "vc+jwt (ES384), or the key a did:key authority holds",
    )


class StatusRequest(StrictModel):
    """``options.credentialStatus``: give a generic credential Bitstring Status List entries."""

    type: Literal["BitstringStatusListEntry"]
    status_purpose: Literal["revocation", "suspension"] | None = Field(
        None, description="default: an entry of each (revocation and suspension)"
    )


class IssueOptions(SecuringOptions):
    """VC API ``options`` of ``POST /credentials/issue``: members this service does not
    know are ignored, each named in the response's ``warnings``."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="allow")

    credential_status: StatusRequest | None = Field(
        None, description="status entries for a generic credential (a certificate has all)"
    )


class CertificateIssue(StrictModel, Generic[RequestT]):
    """A typed certificate endpoint's body: plain certificate data, validity and options."""

    certificate: RequestT = Field(description="the certificate data")
    valid_from: DateTimeText | None = Field(None, description="default: now")
    valid_until: DateTimeText = Field(description="end of the certificate's validity")
    options: SecuringOptions = Field(default_factory=SecuringOptions)


class IssueCredentialRequest(StrictModel):
    """VC API ``POST /credentials/issue``: an unsigned credential and options."""

    credential: dict[str, Any] = Field(
        description="an unsigned credential, VCDM 2.0 or 1.1: a certificate of a type the "
        "authority issues, or any credential for an authority allowed generic ones"
    )
    options: IssueOptions = Field(default_factory=IssueOptions)


class IssuanceWarning(BaseModel):
    """What the issuer should know but did not refuse: an option the service did not act
    on (``OPTION_IGNORED``), or a finding about a certificate's data (``RFC_CHECK_DIGIT``,
    ``IMMEX_ANNUAL_REPORT_OVERDUE``, ``OEA_SECIIT_WITHOUT_IMMEX``, ``CTPAT_VALIDATION_LATE``)."""

    code: str = Field("OPTION_IGNORED", examples=["RFC_CHECK_DIGIT"])
    field: str = Field(examples=["credentialSubject.member.rfc"])
    detail: str


class IssueCredentialResponse(ApiModel):
    """The issued credential: a JSON object (Data Integrity) or a compact JWT string."""

    verifiable_credential: dict[str, Any] | str
    warnings: list[IssuanceWarning] | None = Field(
        None, description="options that were ignored, findings that did not refuse the credential"
    )


class StatusChangeView(ApiModel):
    """One recorded status change."""

    purpose: str = Field(examples=["suspension"])
    old_status: str = Field(examples=["0x0"])
    new_status: str = Field(examples=["0x1"])
    reason: str = Field(description="the officer's note")
    reason_code: StatusReason | None = Field(
        None,
        examples=[StatusReason.SECURITY_INCIDENT.value],
        description="the coded reason (a term of the trade-certificates vocabulary), if given",
    )
    reason_label: Text | None = Field(
        None,
        examples=[{"en": "Security incident", "es": "Incidente de seguridad"}],
        description="the coded reason's English and Spanish labels, from the vocabulary",
    )
    actor: str = Field(description="the OAuth2 client that made the change")
    changed_at: datetime

    @classmethod
    def of(cls, change: StatusChange) -> StatusChangeView:
        """The API view of a recorded change."""
        code = change.reason_code
        return cls(
            purpose=change.purpose.value,
            old_status=hex(change.old_status),
            new_status=hex(change.new_status),
            reason=change.reason,
            reason_code=code,
            reason_label=None if code is None else label(code.iri),
            actor=change.actor,
            changed_at=change.changed_at,
        )


class CredentialRecord(ApiModel):
    """A credential in the issuer's registry."""

    id: str = Field(examples=[EXAMPLE_VC_ID])
    type: str = Field(examples=["IMMEXCertificate"])
    format: str = Field(examples=["eddsa-rdfc-2022"])
    subject_id: str | None = None
    subject_identifiers: list[str] = Field(examples=[["EEB030821R49", "4521-2007"]])
    issued_at: datetime
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    status: str = Field(examples=["active"])
    data_version: str | None = Field(
        None,
        examples=["v2"],
        description="version of the certificate data (v1: issued before traceability "
        "alignment, still verifying); none for other credentials",
    )
    verifiable_credential: dict[str, Any] | str
    status_history: list[StatusChangeView] | None = Field(
        None, description="who changed the status, when and why (single-credential view)"
    )

    @classmethod
    def of(
        cls,
        record: IssuedCredential,
        document: dict[str, Any] | str,
        *,
        data_version: str | None = None,
    ) -> CredentialRecord:
        """The API view of a stored credential."""
        return cls(
            id=record.id,
            type=record.credential_type,
            format=record.securing_format,
            subject_id=record.subject_id,
            subject_identifiers=list(record.subject_identifiers),
            issued_at=record.issued_at,
            valid_from=record.valid_from,
            valid_until=record.valid_until,
            status=record.status,
            data_version=data_version,
            verifiable_credential=document,
        )


class CredentialList(ApiModel):
    """One page of the registry, newest first."""

    items: list[CredentialRecord]
    total: int = Field(description="matches counted up to 10,000 (see totalIsExact)")
    total_is_exact: bool = Field(description="false when there are more than total matches")
    limit: int
    offset: int


class TokenResponse(BaseModel):
    """RFC 6749 §5.1 access token response."""

    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105  (a token type, not a secret)
    expires_in: int
    scope: str


class AuthorityCreate(StrictModel):
    """A new issuing authority."""

    name: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{1,39}$")] = Field(
        examples=["sat"], description="short lowercase name, used in its DID"
    )
    display_name: str = Field(examples=["Servicio de Administración Tributaria"])
    credential_types: list[str] = Field(
        examples=[["IMMEXCertificate", "OEACertificate"]],
        description='the credential types it may issue; ["*"] for any type',
    )
    did_method: Literal["web", "key"] = Field(
        "web",
        description="web: did:web under this service, with Ed25519, P-256 and P-384 keys; "
        "key: the did:key of one key of keyType (which then never changes)",
    )
    key_type: KeyTypeName | None = Field(None, description="the did:key authority's key")


class AuthorityView(ApiModel):
    """An issuing authority as the admin API shows it (keys are never shown)."""

    name: str
    display_name: str
    did: str
    credential_types: list[str]
    created_at: datetime

    @classmethod
    def of(cls, authority: Authority) -> AuthorityView:
        """The API view of ``authority``."""
        return cls(
            name=authority.name,
            display_name=authority.display_name,
            did=authority.did,
            credential_types=sorted(authority.credential_types),
            created_at=authority.created_at,
        )


class KeyRotation(StrictModel):
    """Which key to rotate."""

    key_type: KeyTypeName


class KeyView(ApiModel):
    """A new signing key of an authority (its public part is in the DID document)."""

    key_id: str
    key_type: str = Field(examples=["Ed25519"])


class ClientCreate(StrictModel):
    """A new OAuth2 client for an authority."""

    scopes: list[Scope] = Field(min_length=1, examples=[["issue:credentials", "read:credentials"]])


class ClientView(ApiModel):
    """An OAuth2 client (its secret is shown once, at creation)."""

    client_id: str
    authority: str
    scopes: list[str]
    created_at: datetime
    client_secret: str | None = Field(None, description="only in the creation response")

    @classmethod
    def of(cls, client: Client, secret: str | None = None) -> ClientView:
        """The API view of ``client``."""
        return cls(
            client_id=client.client_id,
            authority=client.authority,
            scopes=sorted(client.scopes),
            created_at=client.created_at,
            client_secret=secret,
        )


class ProblemTitle(BaseModel):
    """A problem's title in one language."""

    model_config = ConfigDict(extra="forbid")

    title: str


class ProblemItem(BaseModel):
    """One invalid member of a request (``errors`` of a validation problem)."""

    model_config = ConfigDict(extra="forbid")

    field: str = Field(examples=["certificate.rfc"])
    detail: str


class Problem(BaseModel):
    """RFC 9457 problem details (``application/problem+json``), every error the API returns."""

    model_config = ConfigDict(extra="forbid")

    type: str = Field(examples=["https://www.w3.org/TR/vc-data-model#MALFORMED_VALUE_ERROR"])
    title: str = Field(examples=["A value is malformed"])
    status: int = Field(ge=400, le=599, examples=[422])
    detail: str
    code: str = Field(
        pattern=r"^[A-Z][A-Z0-9_]*$",
        examples=["MALFORMED_VALUE_ERROR"],
        description="stable, for programs",
    )
    field: str | None = Field(None, description="the offending member, header or parameter")
    errors: list[ProblemItem] | None = Field(None, description="every invalid member")
    i18n: dict[Literal["en", "es"], ProblemTitle] = Field(
        description="the title in English and Spanish"
    )


# What the verifier, exchange and trust registry endpoints answer. Their handlers build the
# JSON themselves (as ``vcservice verify`` prints it); these models document it in OpenAPI.


class NoticeView(BaseModel):
    """What a passed check found that a reader must see (a customs message)."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(examples=["STATUS_MESSAGE"])
    message: str = Field(examples=["under review by customs"])
    message_es: str | None = Field(None, alias="messageEs", examples=["en revisión aduanera"])
    value: str | None = Field(None, examples=["0x2"])


class TrustBasisView(BaseModel):
    """What made the issuer trusted for some of the credential's types: the verifier's
    registry file, an entry stored in it, or a signed trust list it subscribes to."""

    model_config = ConfigDict(extra="forbid")

    source: Literal["file", "local", "trustList"]
    name: str = Field(description="the issuer's name as that source gives it")
    credential_types: list[str] = Field(alias="credentialTypes")
    entry_id: str | None = Field(None, alias="entryId")
    url: str | None = Field(None, description="the trust list's URL")
    operator: str | None = Field(None, description="the DID that signed the list")
    operator_name: str | None = Field(None, alias="operatorName")
    sequence: int | None = Field(None, description="the list's sequence number (its version)")
    issued: str | None = None
    confirmed_at: str | None = Field(None, alias="confirmedAt")
    next_update: str | None = Field(None, alias="nextUpdate")


class CheckView(BaseModel):
    """One check of a verification and how it ended."""

    model_config = ConfigDict(extra="forbid")

    check: str = Field(examples=["proof"])
    outcome: Literal["passed", "failed", "skipped"]
    detail: str | None = None
    codes: list[str] | None = Field(None, examples=[["PROOF_VERIFICATION_ERROR"]])
    notices: list[NoticeView] | None = None
    trusted_by: list[TrustBasisView] | None = Field(None, alias="trustedBy")


class ProblemDetail(BaseModel):
    """A coded problem of a failed check (as in a problem+json body, without a status)."""

    model_config = ConfigDict(extra="forbid")

    type: str
    code: str
    title: str
    detail: str
    field: str | None = None
    i18n: dict[Literal["en", "es"], ProblemTitle]


class SkippedCheck(BaseModel):
    """A check that was skipped, and why."""

    model_config = ConfigDict(extra="forbid")

    check: str
    detail: str | None = None


class VerificationResultView(BaseModel):
    """The verification result: ``verified`` with every check, coded problems, warnings."""

    model_config = ConfigDict(extra="forbid")

    verified: bool
    kind: str = Field(examples=["VerifiableCredential"])
    format: str = Field(examples=["data-integrity"])
    checks: list[CheckView]
    problem_details: list[ProblemDetail] = Field(alias="problemDetails")
    warnings: list[SkippedCheck]
    credential_results: list[VerificationResultView] | None = Field(
        None, alias="credentialResults", description="each credential of a presentation"
    )
    document: dict[str, Any] | None = Field(None, description="the verified document")


class VerificationProblem(Problem):
    """A 422 of a verify endpoint: a malformed request, or (``code`` VERIFICATION_FAILED) a
    credential or presentation that did not verify, with the whole verification result."""

    verified: Literal[False] | None = None
    kind: str | None = None
    format: str | None = None
    checks: list[CheckView] | None = None
    problem_details: list[ProblemDetail] | None = Field(None, alias="problemDetails")
    warnings: list[SkippedCheck] | None = None
    credential_results: list[VerificationResultView] | None = Field(None, alias="credentialResults")
    document: dict[str, Any] | None = None


class AccreditationView(ApiModel):
    """An accreditation: from the configured file (``source: file``) or stored (``api``)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    id: str = Field(description="the issuer's DID or URL")
    name: str
    credential_types: list[str]
    valid_from: str | None = None
    valid_until: str | None = None
    source: Literal["file", "api"]
    entry_id: str | None = Field(None, description="withdraws a stored entry")
    created: str | None = None


class TrustRegistryView(BaseModel):
    """The trust registry in its file format, each entry marked with its source."""

    model_config = ConfigDict(extra="forbid")

    issuers: list[AccreditationView]


class ExchangeView(ApiModel):
    """A VCALM exchange: its state and, once answered, the verification result (without the
    documents verified) and the presentation it answers."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    id: str
    workflow: str
    url: str = Field(description="where the holder's wallet takes part (a capability)")
    state: Literal["pending", "active", "complete", "invalid"]
    created: str
    expires: str
    verifiable_presentation_request: dict[str, Any] | None = None
    completed: str | None = None
    result: VerificationResultView | None = None
    verifiable_presentation: dict[str, Any] | str | None = Field(
        None, description="the presentation as the holder sent it (JSON, or a compact vp+jwt)"
    )


class ExchangeAnswer(BaseModel):
    """The holder's first message answered: the presentation request to fulfil."""

    model_config = ConfigDict(extra="forbid")

    verifiable_presentation_request: dict[str, Any] = Field(alias="verifiablePresentationRequest")


class ReadinessView(BaseModel):
    """``/readyz`` when every check passed."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["ready"]
    checks: dict[str, Literal["ok"]] = Field(
        description="each dependency checked (database, keyStore, contexts) and its outcome"
    )


class ProfileProblem(Problem):
    """A problem of a profile's endpoint: RFC 9457 members plus the ``message`` the profile's
    own error schema requires (traceability-interop: a fixed text per status)."""

    message: str = Field(
        examples=["Bad Request: Your request body does not conform to the required schema"]
    )
