"""The issuer API (VC API / VCALM shapes): issue, typed certificates, look up, list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query

from vcservice.api.deps import Caller, Issuing, Reading, ServicesDep
from vcservice.api.problems import problems
from vcservice.api.schemas import (
    CertificateIssue,
    CredentialList,
    CredentialRecord,
    DateTimeText,
    IssuanceWarning,
    IssueCredentialRequest,
    IssueCredentialResponse,
    IssueOptions,
    SecuringOptions,
    StatusChangeView,
    StatusRequest,
)
from vcservice.certificates import CERTIFICATE_TYPES, CertificateType
from vcservice.errors import VcError
from vcservice.keys import KeyType
from vcservice.model.datetimes import to_utc
from vcservice.model.records import IssuedCredential, StatusPurpose
from vcservice.services.container import Services
from vcservice.services.issuer import IssuanceOptions, data_version, stored_document
from vcservice.storage.repository import CredentialQuery

router = APIRouter(tags=["issuer"])
ISSUING_PROBLEMS = problems(400, 401, 403, 409, 413, 422, 429, 503)
READING_PROBLEMS = problems(401, 403, 404, 422, 429, 503)
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="retrying with the same key returns the same credential",
    ),
]


@router.post(
    "/credentials/issue",
    status_code=201,
    response_model=IssueCredentialResponse,
    responses=ISSUING_PROBLEMS,
)
def issue_credential(
    body: IssueCredentialRequest,
    caller: Issuing,
    services: ServicesDep,
    idempotency_key: IdempotencyKey = None,
) -> IssueCredentialResponse:
    """Sign a credential as the caller's authority (which must be allowed its type): a
    certificate, or for an authority allowed them any VCDM 2.0 or 1.1 credential."""
    options = body.options
    issuance = replace(
        _issuance_options(options, idempotency_key),
        status_purposes=_status_purposes(options.credential_status),
    )
    document = stored_document(services.issuer.issue(caller.authority, body.credential, issuance))
    warnings = _ignored(options) + _findings(services, document, certificate_data=False)
    return IssueCredentialResponse(verifiable_credential=document, warnings=warnings or None)


def _issuance_options(options: SecuringOptions, idempotency_key: str | None) -> IssuanceOptions:
    return IssuanceOptions(
        securing_format=options.format,
        key_type=KeyType(options.key_type) if options.key_type else None,
        idempotency_key=idempotency_key,
    )


def _status_purposes(requested: StatusRequest | None) -> tuple[StatusPurpose, ...]:
    """The status entries ``options.credentialStatus`` asks for: its purpose, or both."""
    if requested is None:
        return ()
    if requested.status_purpose is not None:
        return (StatusPurpose(requested.status_purpose),)
    return (StatusPurpose.REVOCATION, StatusPurpose.SUSPENSION)


def _ignored(options: IssueOptions) -> list[IssuanceWarning]:
    """A warning for each option this service does not know."""
    return [
        IssuanceWarning(field=f"options.{name}", detail=f"options.{name} is not supported: ignored")
        for name in sorted(options.model_extra or {})
    ]


def _findings(
    services: Services, document: dict[str, Any] | str, *, certificate_data: bool
) -> list[IssuanceWarning]:
    """The certificate's findings that did not refuse it, as warnings."""
    return [
        IssuanceWarning(code=finding.code, field=finding.field or "", detail=finding.detail)
        for finding in services.issuer.findings(document, certificate_data=certificate_data)
    ]


def _certificate_route(certificate_type: CertificateType) -> None:
    body_model = CertificateIssue[certificate_type.request_model]  # type: ignore[name-defined]

    def issue_certificate(
        body: body_model,
        caller: Issuing,
        services: ServicesDep,
        idempotency_key: IdempotencyKey = None,
    ) -> IssueCredentialResponse:
        issue: CertificateIssue[Any] = body
        record = services.issuer.issue_certificate(
            caller.authority,
            certificate_type,
            issue.certificate,
            valid_from=issue.valid_from,
            valid_until=issue.valid_until,
            options=_issuance_options(issue.options, idempotency_key),
        )
        document = stored_document(record)
        return IssueCredentialResponse(
            verifiable_credential=document,
            warnings=_findings(services, document, certificate_data=True) or None,
        )

    # Postponed annotations are strings; FastAPI must see this local class itself.
    issue_certificate.__annotations__["body"] = body_model
    router.add_api_route(
        f"/certificates/{certificate_type.slug}",
        issue_certificate,
        dependencies=[Depends(_may_issue(certificate_type.name))],
        methods=["POST"],
        status_code=201,
        response_model=IssueCredentialResponse,
        responses=ISSUING_PROBLEMS,
        summary=f"Issue a {certificate_type.name} from plain certificate data",
    )


def _may_issue(credential_type: str) -> Callable[[Caller], None]:
    """Refuse (403) before the body is even validated when the type is not the caller's."""

    def check(caller: Issuing) -> None:
        if not caller.authority.may_issue(credential_type):
            raise VcError(
                f"authority {caller.authority.name} may not issue {credential_type}",
                code="FORBIDDEN",
                field="type",
            )

    return check


for _type in CERTIFICATE_TYPES.values():
    _certificate_route(_type)


@router.get(
    "/credentials/{credential_id:path}",
    response_model=CredentialRecord,
    responses=READING_PROBLEMS,
)
def get_credential(credential_id: str, caller: Reading, services: ServicesDep) -> CredentialRecord:
    """A credential the caller's authority issued."""
    record = services.issuer.get(caller.authority, credential_id)
    view = _view(record)
    view.status_history = [
        StatusChangeView.of(change) for change in services.statuses.history(record.id)
    ]
    return view


@router.get("/credentials", response_model=CredentialList, responses=READING_PROBLEMS)
def list_credentials(
    *,
    caller: Reading,
    services: ServicesDep,
    type: Annotated[str | None, Query(description="e.g. IMMEXCertificate")] = None,
    subject: Annotated[str | None, Query(description="subject DID, RFC or number")] = None,
    status: str | None = None,
    issued_from: Annotated[DateTimeText | None, Query(alias="issuedFrom")] = None,
    issued_until: Annotated[DateTimeText | None, Query(alias="issuedUntil")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> CredentialList:
    """The caller's authority's credentials, newest first, filtered."""
    page = services.issuer.search(
        CredentialQuery(
            authority=caller.authority.name,
            credential_type=type,
            subject=subject,
            status=status,
            issued_from=to_utc(issued_from, field="issuedFrom") if issued_from else None,
            issued_until=to_utc(issued_until, field="issuedUntil") if issued_until else None,
            limit=limit,
            offset=offset,
        )
    )
    items = [_view(record) for record in page.items]
    return CredentialList(
        items=items,
        total=page.total,
        total_is_exact=page.total_is_exact,
        limit=limit,
        offset=offset,
    )


def _view(record: IssuedCredential) -> CredentialRecord:
    document = stored_document(record)  # parsed once for the view and its data version
    return CredentialRecord.of(record, document, data_version=data_version(document))
