"""The holder API: holders managed by the admin; each keeps and presents its credentials.

``/admin/holders…`` take the admin token; creating a holder or rotating its token
returns the holder's access token once. ``/holder/…`` and ``/presentations/prove`` take
that token as ``Authorization: Bearer`` and see only that holder's credentials.
``/holders/{name}/did.json`` (a did:web holder's DID document) is public.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Response
from pydantic import Field, StringConstraints

from vcservice.api.deps import Admin, CurrentHolder, ServicesDep
from vcservice.api.problems import json_document, problems
from vcservice.api.routers.verifier import Domain, Secured
from vcservice.api.schemas import ApiModel, StrictModel
from vcservice.model.datetimes import format_datetime
from vcservice.model.records import HeldCredential, Holder
from vcservice.services.holder import DATA_INTEGRITY, HolderDidMethod, PresentationFormat

router = APIRouter(tags=["holder"])
ADMIN = HOLDER = problems(401, 429, 503)  # a token checked, within the failure limit
WRITING = problems(400, 413, 422)

Challenge = Annotated[str, StringConstraints(min_length=1, max_length=200)]
CredentialId = Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class CreateHolder(StrictModel):
    """``POST /admin/holders``: the new holder's short name and its DID method."""

    name: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")] = Field(
        examples=["maquiladora-norte"]
    )
    did_method: HolderDidMethod = Field(
        "key", description="did:key, or a did:web under this service's public URL"
    )


class HolderView(ApiModel):
    """A holder as the admin API shows it (never its key or token)."""

    name: str
    did: str
    created_at: str

    @classmethod
    def of(cls, holder: Holder) -> HolderView:
        """The API view of ``holder``."""
        return cls(name=holder.name, did=holder.did, created_at=format_datetime(holder.created_at))


class HolderWithToken(HolderView):
    """A holder and its new access token (shown this once)."""

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


@router.post(
    "/admin/holders",
    status_code=201,
    dependencies=[Admin],
    responses=ADMIN | WRITING | problems(409),
)
def create_holder(body: CreateHolder, services: ServicesDep) -> HolderWithToken:
    """Create a holder with an Ed25519 key and a did:key or did:web; the token is shown once."""
    holder, token = services.holders.create(body.name, did_method=body.did_method)
    return HolderWithToken(**HolderView.of(holder).model_dump(), access_token=token)


@router.get("/admin/holders", dependencies=[Admin], responses=ADMIN)
def list_holders(services: ServicesDep) -> list[HolderView]:
    """Every holder, by name."""
    return [HolderView.of(holder) for holder in services.holders.list_holders()]


@router.get("/admin/holders/{name}", dependencies=[Admin], responses=ADMIN | problems(404))
def get_holder(name: str, services: ServicesDep) -> HolderView:
    """One holder."""
    return HolderView.of(services.holders.get(name))


@router.post(
    "/admin/holders/{name}/token",
    status_code=201,
    dependencies=[Admin],
    responses=ADMIN | problems(404),
)
def rotate_token(name: str, services: ServicesDep) -> HolderWithToken:
    """A new access token for the holder, shown this once; the old one stops working now."""
    holder, token = services.holders.rotate_token(name)
    return HolderWithToken(**HolderView.of(holder).model_dump(), access_token=token)


@router.delete(
    "/admin/holders/{name}", status_code=204, dependencies=[Admin], responses=ADMIN | problems(404)
)
def delete_holder(name: str, services: ServicesDep) -> Response:
    """Remove a holder with its key and every credential it keeps."""
    services.holders.remove(name)
    return Response(status_code=204)


@router.get(
    "/holders/{name}/did.json",
    tags=["public"],
    summary="A did:web holder's DID document",
    response_class=Response,
    responses=json_document("application/did+json") | problems(404, 503),
)
def holder_did_document(name: str, services: ServicesDep) -> Response:
    """The DID document for ``did:web:<host>:holders:<name>``."""
    return Response(
        json.dumps(services.holders.did_document(name), ensure_ascii=False),
        media_type="application/did+json",
        headers={"Cache-Control": "public, max-age=300"},
    )


@router.post("/holder/credentials", status_code=201, responses=WRITING | HOLDER | problems(409))
def store_credential(
    body: StoreCredential, holder: CurrentHolder, services: ServicesDep
) -> HeldView:
    """Keep a credential once it verifies and names this holder's DID as its subject."""
    return HeldView.of(services.holders.store(holder, body.verifiable_credential))


@router.get("/holder/credentials", responses=HOLDER)
def list_credentials(holder: CurrentHolder, services: ServicesDep) -> HeldList:
    """Every credential this holder keeps."""
    return HeldList(items=[HeldView.of(held) for held in services.holders.list(holder)])


@router.delete(
    "/holder/credentials/{credential_id:path}",
    status_code=204,
    responses=HOLDER | problems(404, 422),
)
def delete_credential(
    credential_id: Annotated[str, Path(max_length=2000)],
    holder: CurrentHolder,
    services: ServicesDep,
) -> Response:
    """Forget one credential."""
    services.holders.delete(holder, credential_id)
    return Response(status_code=204)


class PresentationView(ApiModel):
    """A signed presentation: Data Integrity JSON, or a compact ``vp+jwt``."""

    verifiable_presentation: dict[str, Any] | str


@router.post(
    "/presentations/prove",
    status_code=201,
    response_model=PresentationView,
    responses=WRITING | HOLDER | problems(404),
)
def prove(body: ProveRequest, holder: CurrentHolder, services: ServicesDep) -> PresentationView:
    """A presentation of held credentials, signed for the verifier's challenge and domain."""
    presentation = services.holders.prove(
        holder,
        body.credential_ids,
        challenge=body.challenge,
        domain=body.domain,
        format=body.format,
    )
    return PresentationView(verifiable_presentation=presentation)
