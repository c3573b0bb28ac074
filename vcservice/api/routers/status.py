"""Certificate lifecycle over HTTP: change a credential's status; serve the status lists."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Request, Response
from pydantic import ConfigDict, Field

from vcservice.api.deps import Caller, ServicesDep, Updating
from vcservice.api.problems import json_document, problems
from vcservice.api.schemas import ApiModel, StrictModel
from vcservice.errors import VcError
from vcservice.model.records import StatusPurpose, StatusReason
from vcservice.services.container import Services

router = APIRouter(tags=["status"])


class StatusUpdate(StrictModel):
    """One purpose's new value, as in a BitstringStatusListEntry."""

    type: Literal["BitstringStatusListEntry"] = "BitstringStatusListEntry"
    status_purpose: StatusPurpose = Field(examples=["suspension"])
    status: str = Field(
        pattern=r"^0x[0-9a-fA-F]{1,2}$",
        examples=["0x1"],
        description='"0x1" revokes or suspends, "0x0" reinstates; message lists take 0x0–0x3',
    )


class UpdateStatusRequest(StrictModel):
    """VC API ``POST /credentials/status``: which credential, what changes, and why.

    ``reason`` is the officer's note; ``reasonCode`` (optional) the coded reason, a term
    of the trade-certificates vocabulary, which the registry shows with its English and
    Spanish labels. ``StatusReasonReinstated`` only lifts: every update sets 0x0, and none
    is a revocation (else 422 naming ``reasonCode``).
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "credentialId": "urn:uuid:56fed605-b68d-4fbd-b368-02a44d0e7421",
                    "credentialStatus": [
                        {
                            "type": "BitstringStatusListEntry",
                            "statusPurpose": "suspension",
                            "status": "0x1",
                        }
                    ],
                    "reason": "security incident under review (CBP case 2026-114)",
                    "reasonCode": StatusReason.SECURITY_INCIDENT.value,
                }
            ]
        },
    )

    credential_id: str = Field(examples=["urn:uuid:56fed605-b68d-4fbd-b368-02a44d0e7421"])
    credential_status: list[StatusUpdate] = Field(min_length=1, max_length=3)
    reason: str = Field(
        min_length=1,
        max_length=500,
        examples=["security incident under review (CBP case 2026-114)"],
        description="the officer's note: free text, recorded with each change",
    )
    reason_code: StatusReason | None = Field(
        None,
        examples=[StatusReason.SECURITY_INCIDENT.value],
        description="the coded reason, a StatusReason term of the trade-certificates "
        "vocabulary (https://w3id.org/vcservice/trade-certificates#); optional",
    )


class StatusView(ApiModel):
    """The credential's status after the change."""

    credential_id: str
    status: dict[str, str]
    summary: str


@router.post(
    "/credentials/status",
    response_model=StatusView,
    responses=problems(400, 401, 403, 404, 409, 413, 422, 429, 503),
)
def update_status(body: UpdateStatusRequest, caller: Updating, services: ServicesDep) -> StatusView:
    """Revoke, suspend, reinstate or set the customs message of a credential (audited)."""
    updates = [(update.status_purpose, int(update.status, 16)) for update in body.credential_status]
    return change_status(
        services,
        caller,
        body.credential_id,
        updates,
        reason=body.reason,
        reason_code=body.reason_code,
    )


def change_status(
    services: Services,
    caller: Caller,
    credential_id: str,
    updates: Sequence[tuple[StatusPurpose, int]],
    *,
    reason: str,
    reason_code: StatusReason | None = None,
) -> StatusView:
    """Apply ``updates`` (each purpose once) to one of the caller's credentials, as its
    client, for ``reason`` (and ``reason_code``, if coded); the credential's status after
    them."""
    purposes = [purpose for purpose, _ in updates]
    if len(set(purposes)) != len(purposes):
        raise VcError(
            "each statusPurpose may appear once",
            code="MALFORMED_VALUE_ERROR",
            field="credentialStatus",
        )
    services.statuses.apply(
        caller.authority,
        credential_id=credential_id,
        updates=dict(updates),
        reason=reason,
        reason_code=reason_code,
        actor=caller.grant.client_id,
    )
    current = services.statuses.current(credential_id)
    return StatusView(
        credential_id=credential_id,
        status={purpose.value: hex(value) for purpose, value in current.items()},
        summary=services.statuses.summary(credential_id),
    )


class StatusListIndex(ApiModel):
    """Every status list an authority has opened (its DID document's ``StatusListIndex``)."""

    status_lists: list[str] = Field(
        examples=[["https://aduanas.example/status-lists/sat/revocation/1"]]
    )


@router.get(
    "/status-lists/{authority}",
    response_model=StatusListIndex,
    responses=problems(404, 503),
    summary="The URLs of an authority's status lists",
)
def status_list_index(authority: str, services: ServicesDep) -> StatusListIndex:
    """Where to fetch every status list of ``authority`` (to verify offline later)."""
    return StatusListIndex(status_lists=services.statuses.index(authority))


@router.get(
    "/status-lists/{authority}/{purpose}/{sequence}",
    summary="A published BitstringStatusListCredential",
    response_class=Response,
    responses=json_document("application/vc+ld+json", "the signed list credential")
    | {304: {"description": "unchanged since the ETag given in If-None-Match"}}
    | problems(404, 422, 503),
)
def status_list(
    authority: str,
    purpose: StatusPurpose,
    sequence: Annotated[int, Path(ge=1, le=2**31 - 1)],
    request: Request,
    services: ServicesDep,
) -> Response:
    """The signed list; conditional GET with ``If-None-Match`` answers 304 when unchanged."""
    published = services.statuses.publish(authority, purpose, sequence)
    headers = {"ETag": published.etag, "Cache-Control": "public, max-age=300"}
    if request.headers.get("if-none-match") == published.etag:
        return Response(status_code=304, headers=headers)
    return Response(published.document, media_type="application/vc+ld+json", headers=headers)
