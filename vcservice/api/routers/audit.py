"""The audit log over HTTP (admin token): its entries, oldest first, and its head."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from vcservice.api.deps import Admin, ServicesDep
from vcservice.api.problems import problems
from vcservice.api.schemas import ApiModel
from vcservice.audit.chain import entry_json

router = APIRouter(
    prefix="/admin/audit", tags=["audit"], dependencies=[Admin], responses=problems(401, 429, 503)
)


class AuditEntryView(ApiModel):
    """One entry as it is hashed (``vcservice.audit.chain``), with its hash."""

    sequence: int
    recorded_at: str
    actor: str
    authority: str | None
    action: str
    subject: str
    details: dict[str, Any]
    request_id: str | None
    previous_hash: str
    hash: str


class AuditHeadView(ApiModel):
    """The newest sequence and hash, as recorded beside the log."""

    sequence: int
    hash: str


class AuditPage(ApiModel):
    """Entries after a sequence, and the head when they were read (None if it is missing)."""

    entries: list[AuditEntryView]
    head: AuditHeadView | None


@router.get("", response_model=AuditPage, responses=problems(422))
def list_entries(
    services: ServicesDep,
    after: Annotated[int, Query(ge=0, le=2**31 - 1, description="entries after this sequence")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditPage:
    """Up to ``limit`` entries after sequence ``after``, oldest first (page on the last one)."""
    head = services.audit.head()
    return AuditPage(
        entries=[
            AuditEntryView.model_validate(entry_json(entry))
            for entry in services.audit.entries(after=after, limit=limit)
        ],
        head=AuditHeadView(sequence=head.sequence, hash=head.hash) if head else None,
    )
