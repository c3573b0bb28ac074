"""Public documents: authorities' DID documents, the project's context, vocabulary, schemas."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from fastapi import APIRouter, Response

from vcservice.api.deps import ServicesDep
from vcservice.api.problems import answer, json_document, problems
from vcservice.api.schemas import ReadinessView
from vcservice.certificates.schemas import schema_document
from vcservice.errors import StorageError, VcError
from vcservice.jsonld.manifest import default_contexts_dir
from vcservice.jsonld.store import ContextStore
from vcservice.trust.list_schema import SCHEMA_FILE

router = APIRouter(tags=["public"])  # served by every role
issuer_documents = APIRouter(tags=["public"])  # served by the issuer role
PROJECT_NAMESPACE = "https://w3id.org/vcservice/"
VOCABULARY_FILE = "trade-certificates-vocab.jsonld"
CACHE_LONG = "public, max-age=86400"


@issuer_documents.get(
    "/issuers/{name}/did.json",
    summary="An authority's did:web DID document",
    response_class=Response,
    responses=json_document("application/did+json") | problems(404, 503),
)
def did_document(name: str, services: ServicesDep) -> Response:
    """The DID document for ``did:web:<host>:issuers:<name>``."""
    return _json(
        services.authorities.did_document(name), "application/did+json", cache="public, max-age=300"
    )


@router.get(
    "/contexts/{path:path}",
    summary="The project's JSON-LD contexts",
    response_class=Response,
    responses=json_document("application/ld+json") | problems(404),
)
def context(path: str, services: ServicesDep) -> Response:
    """A bundled context, at the path its URL has below ``https://w3id.org/vcservice/``."""
    pinned = services.core.store.manifest.contexts.get(PROJECT_NAMESPACE + path)
    if pinned is None or pinned.bundled_file is None:
        raise StorageError(f"no context at {path!r}", code="NOT_FOUND", field="path")
    return _json(services.core.store.read(pinned.url), "application/ld+json")


@router.get(
    "/vocab/trade-certificates",
    summary="The trade-certificate vocabulary (en/es)",
    response_class=Response,
    responses=json_document("application/ld+json"),
)
def vocabulary() -> Response:
    """The RDFS vocabulary with English and Spanish labels for every term."""
    return _json(_vocabulary_document(), "application/ld+json")


@cache
def _vocabulary_document() -> Any:
    return json.loads((default_contexts_dir() / VOCABULARY_FILE).read_text(encoding="utf-8"))


@router.get(
    "/schemas/{slug}-{version}.json",
    summary="JSON Schema of a certificate type, in a version of the certificate data",
    response_class=Response,
    responses=json_document("application/schema+json") | problems(404),
)
def schema(slug: str, version: str) -> Response:
    """The JSON Schema (draft 2020-12) a certificate's ``credentialSchema`` points to: v2 for
    what is issued now, v1 for credentials issued before it; and the trust lists' schema
    (``trust-list-v1``)."""
    if f"{slug}-{version}.json" == SCHEMA_FILE.name:
        return _json(_trust_list_schema(), "application/schema+json")
    try:
        document = schema_document(slug, version)
    except KeyError:
        name = f"{slug}-{version}"
        raise StorageError(f"no schema {name!r}", code="NOT_FOUND", field="slug") from None
    return _json(document, "application/schema+json")


@cache
def _trust_list_schema() -> Any:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


@router.get("/healthz", summary="Liveness")
def healthz() -> dict[str, str]:
    """The process is up (nothing else is checked: see ``/readyz``)."""
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Readiness",
    response_model=ReadinessView,
    responses=answer(
        200, ReadinessView, "the database and the key store can be used, the contexts installed"
    )
    | problems(503),
)
def readyz(services: ServicesDep) -> ReadinessView:
    """Ready when a trivial database query succeeds, the key store can be used and every
    pinned context is installed; otherwise 503 ``NOT_READY`` naming what failed."""
    checks = {**services.readiness(), "contexts": contexts_outcome(services.core.store)}
    failed = {name: outcome for name, outcome in checks.items() if outcome != "ok"}
    if failed:
        raise VcError(
            "not ready: " + "; ".join(f"{name}: {why}" for name, why in failed.items()),
            code="NOT_READY",
        )
    return ReadinessView(status="ready", checks={name: "ok" for name in checks})


def contexts_outcome(store: ContextStore) -> str:
    """``ok``, or which pinned contexts the store lacks and how to install them.

    Without them the service would start and then refuse every credential that uses one
    (422 ``CONTEXT_NOT_INSTALLED``): not ready is the truthful answer.
    """
    missing = [pinned.url for pinned in store.manifest if not store.is_installed(pinned)]
    if not missing:
        return "ok"
    return (
        f"{len(missing)} pinned context(s) not installed in {store.directory} "
        f"({', '.join(missing)}); install them with "
        f"`vcservice --context-store {store.directory} contexts install` (add --from DIR "
        "to take them from files instead of their URLs)"
    )


def _json(document: Any, media_type: str, *, cache: str = CACHE_LONG) -> Response:
    return Response(
        json.dumps(document, ensure_ascii=False),
        media_type=media_type,
        headers={"Cache-Control": cache},
    )
