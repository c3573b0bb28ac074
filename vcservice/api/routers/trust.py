"""The verifier's trust registry over HTTP (admin token): list, accredit, withdraw.

``GET`` answers in the registry file format (``issuers``), each entry marked with its
``source`` (``file`` or ``api``) and, for stored ones, the ``entryId`` that withdraws it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response
from pydantic import Field, StringConstraints

from vcservice.api.deps import Admin, ServicesDep
from vcservice.api.problems import answer, problems
from vcservice.api.schemas import (
    AccreditationView,
    CredentialTypeName,
    DateTimeText,
    StrictModel,
    TrustRegistryView,
)
from vcservice.model.datetimes import format_datetime
from vcservice.model.records import TrustEntry
from vcservice.services.trust import as_accreditation

router = APIRouter(
    prefix="/admin/trust-registry",
    tags=["trust registry"],
    dependencies=[Admin],
    responses=problems(401, 429, 503),
)

IssuerId = Annotated[
    str, StringConstraints(pattern=r"^(did:[a-z0-9]+:\S+|https?://\S+)$", max_length=2000)
]


class Accredit(StrictModel):
    """An issuer (DID or URL) accredited for credential types, maybe for a period."""

    id: IssuerId = Field(examples=["did:web:vc.sat.gob.mx:issuers:sat"])
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        examples=["Servicio de Administración Tributaria"]
    )
    credential_types: list[CredentialTypeName] = Field(
        min_length=1, max_length=20, examples=[["IMMEXCertificate", "OEACertificate"]]
    )
    valid_from: DateTimeText | None = None
    valid_until: DateTimeText | None = None


@router.get("", responses=answer(200, TrustRegistryView, "every accreditation"))
def list_entries(services: ServicesDep) -> dict[str, Any]:
    """Every accreditation in force or not: the configured file's and the stored ones."""
    configured = [
        entry.to_json() | {"source": "file"} for entry in services.trust.configured().entries()
    ]
    stored = [_view(entry) for entry in services.trust.stored()]
    return {"issuers": configured + stored}


@router.post(
    "/issuers",
    status_code=201,
    responses=answer(201, AccreditationView, "the stored accreditation")
    | problems(400, 409, 413, 422),
)
def accredit(body: Accredit, services: ServicesDep) -> dict[str, Any]:
    """Accredit an issuer for credential types; every verifier process sees it at once."""
    entry = services.trust.add(
        issuer=body.id,
        name=body.name,
        credential_types=body.credential_types,
        valid_from=body.valid_from,
        valid_until=body.valid_until,
    )
    return _view(entry)


@router.delete("/issuers/{entry_id}", status_code=204, responses=problems(404, 422))
def withdraw(entry_id: Annotated[str, Path(max_length=200)], services: ServicesDep) -> Response:
    """Withdraw a stored accreditation (file entries change with the file)."""
    services.trust.remove(entry_id)
    return Response(status_code=204)


def _view(entry: TrustEntry) -> dict[str, Any]:
    return as_accreditation(entry).to_json() | {
        "entryId": entry.id,
        "source": "api",
        "created": format_datetime(entry.created_at),
    }
