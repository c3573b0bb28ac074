"""The holder API: holders created by the admin; each keeps and presents its credentials.

``POST /admin/holders`` returns the holder's access token once; every other endpoint
takes that token as ``Authorization: Bearer`` and sees only that holder's credentials.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Response
from pydantic import Field, StringConstraints

from vcservice.api.deps import Admin, CurrentHolder, ServicesDep
from vcservice.api.routers.verifier import Domain, Secured
from vcservice.api.schemas import ApiModel, StrictModel
from vcservice.model.datetimes import format_datetime
from vcservice.model.records import HeldCredential
from vcservice.services.holder import DATA_INTEGRITY, PresentationFormat

router = APIRouter(tags=["holder"])

Challenge = Annotated[str, StringConstraints(min_length=1, max_length=200)]
CredentialId = Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class CreateHolder(StrictModel):
    """``POST /admin/holders``: the new holder's short name."""

    name: str = Field(examples=["maquiladora-norte"])


class HolderCreated(ApiModel):
    """A new holder: its DID and its access token (shown this once)."""

    name: str
    did: str
    access_token: str


class StoreCredential(StrictModel):
    """``POST /holder/credentials``: a credential issued to this holder's DID."""

    verifiable_credential: Secured


class HeldView(ApiModel):
    """A held credential: its id, format, when it was stored, and the credential."""

    id: str
    format: str
    stored_at: str
    verifiable_credential: Any

    @classmethod
    def of(cls, held: HeldCredential) -> HeldView:
        document = held.document if held.format != DATA_INTEGRITY else json.loads(held.document)
        return cls(
            id=held.credential_id,
            format=held.format,
            stored_at=format_datetime(held.stored_at),
            verifiable_credential=document,
        )


class HeldList(ApiModel):
    """Every credential the holder keeps, oldest first."""

    items: list[HeldView]


class ProveRequest(StrictModel):
    """``POST /presentations/prove``: which credentials, for which challenge and domain."""

    credential_ids: list[CredentialId] = Field(min_length=1, max_length=50)
    challenge: Challenge
    domain: Domain | None = None
    format: PresentationFormat = DATA_INTEGRITY


@router.post("/admin/holders", status_code=201, dependencies=[Admin])
def create_holder(body: CreateHolder, services: ServicesDep) -> HolderCreated:
    """Create a holder with an Ed25519 did:key; its access token is shown this once."""
    holder, token = services.holders.create(body.name)
    return HolderCreated(name=holder.name, did=holder.did, access_token=token)


@router.post("/holder/credentials", status_code=201)
def store_credential(
    body: StoreCredential, holder: CurrentHolder, services: ServicesDep
) -> HeldView:
    """Keep a credential once it verifies and names this holder's DID as its subject."""
    return HeldView.of(services.holders.store(holder, body.verifiable_credential))


@router.get("/holder/credentials")
def list_credentials(holder: CurrentHolder, services: ServicesDep) -> HeldList:
    """Every credential this holder keeps."""
    return HeldList(items=[HeldView.of(held) for held in services.holders.list(holder)])


@router.delete("/holder/credentials/{credential_id:path}", status_code=204)
def delete_credential(
    credential_id: Annotated[str, Path(max_length=2000)],
    holder: CurrentHolder,
    services: ServicesDep,
) -> Response:
    """Forget one credential."""
    services.holders.delete(holder, credential_id)
    return Response(status_code=204)


@router.post("/presentations/prove", status_code=201)
def prove(body: ProveRequest, holder: CurrentHolder, services: ServicesDep) -> dict[str, Any]:
    """A presentation of held credentials, signed for the verifier's challenge and domain."""
    presentation = services.holders.prove(
        holder,
        body.credential_ids,
        challenge=body.challenge,
        domain=body.domain,
        format=body.format,
    )
    return {"verifiablePresentation": presentation}
