"""Contexts and schemas the operator pins over HTTP (admin token): list, add, remove.

The body of a ``POST`` is the document itself, byte for byte as published (so a
credential's ``digestSRI`` can be checked against it); ``url`` — the URL documents name it
by, slashes and all — is a query parameter, as is each ``after`` of a context. Every process
sharing the context store uses an added document from its next verification, and each
change is in the audit log.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel
from starlette.concurrency import run_in_threadpool

from vcservice.api.deps import Admin, ServicesDep
from vcservice.api.problems import answer, problems
from vcservice.jsonld.review import DEFAULT_AFTER
from vcservice.services.pinning import PinOutcome

router = APIRouter(
    prefix="/admin",
    tags=["pinned contexts and schemas"],
    dependencies=[Admin],
    responses=problems(401, 429, 503),
)

PinnedUrl = Annotated[
    str,
    Query(
        max_length=2000,
        pattern=r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$",
        description="the URL documents name it by",
        examples=["https://partner.example/contexts/shipping/v1"],
    ),
]
_DOCUMENT = {
    "requestBody": {
        "required": True,
        "description": "the document, exactly as published",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


class PinnedRowView(BaseModel):
    """A pinned context or schema: built in or added, its digest, whether installed."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    url: str
    source: Literal["built-in", "added"]
    sha256: str = Field(description="SHA-256 of the document's RFC 8785 (JCS) form")
    installed: bool
    added_at: str | None = None
    review: dict[str, Any] | None = Field(None, description="what the review found")


class PinnedListView(BaseModel):
    """Every pinned context, or every pinned schema."""

    model_config = ConfigDict(extra="forbid")

    pinned: list[PinnedRowView]


class PinOutcomeView(BaseModel):
    """An added or removed document: its entry, whether it changed, its audit record."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    url: str
    kind: Literal["context", "schema"]
    sha256: str
    added_at: str
    review: dict[str, Any]
    changed: bool = Field(description="false: it was pinned with this content already")
    audit_sequence: int | None = Field(None, description="its entry in the audit log")


ADDED = answer(201, PinOutcomeView, "pinned") | {
    200: {"description": "already pinned with this content (nothing changed)"}
}
WRITING = problems(400, 409, 413, 422)


@router.get("/contexts", responses=answer(200, PinnedListView, "every pinned context"))
def list_contexts(services: ServicesDep) -> dict[str, Any]:
    """Every pinned context: the built-in ones, then those added."""
    return {"pinned": [row.to_json() for row in services.pinning.contexts()]}


@router.post("/contexts", status_code=201, responses=ADDED | WRITING, openapi_extra=_DOCUMENT)
async def add_context(
    request: Request,
    url: PinnedUrl,
    services: ServicesDep,
    after: Annotated[
        list[str] | None,
        Query(max_length=10, description="pinned contexts documents list before it, in order"),
    ] = None,
) -> JSONResponse:
    """Review a context and pin it: refused (``CONTEXT_REFUSED``, ``field`` naming the
    term) if it redefines a protected term of an earlier context, nullifies the context,
    sets ``@vocab``, or names a context that is not pinned."""
    content = await request.body()
    outcome = await run_in_threadpool(
        services.pinning.add_context, url, content, after=tuple(after or DEFAULT_AFTER)
    )
    return _added(outcome)


@router.delete("/contexts", status_code=204, responses=problems(404, 409, 422))
def remove_context(url: PinnedUrl, services: ServicesDep) -> Response:
    """Unpin an added context (built-in ones stay: 409)."""
    services.pinning.remove_context(url)
    return Response(status_code=204)


@router.get("/schemas", responses=answer(200, PinnedListView, "every pinned schema"))
def list_schemas(services: ServicesDep) -> dict[str, Any]:
    """Every pinned credential schema: the project's, then those added."""
    return {"pinned": [row.to_json() for row in services.pinning.schemas()]}


@router.post("/schemas", status_code=201, responses=ADDED | WRITING, openapi_extra=_DOCUMENT)
async def add_schema(request: Request, url: PinnedUrl, services: ServicesDep) -> JSONResponse:
    """Check a JSON Schema (draft 2020-12, ``$ref`` only to pinned schemas) and pin it:
    credentials naming it in ``credentialSchema`` are validated against it."""
    content = await request.body()
    return _added(await run_in_threadpool(services.pinning.add_schema, url, content))


@router.delete("/schemas", status_code=204, responses=problems(404, 409, 422))
def remove_schema(url: PinnedUrl, services: ServicesDep) -> Response:
    """Unpin an added schema (built-in ones stay: 409)."""
    services.pinning.remove_schema(url)
    return Response(status_code=204)


def _added(outcome: PinOutcome) -> JSONResponse:
    return JSONResponse(outcome.to_json(), status_code=201 if outcome.changed else 200)
