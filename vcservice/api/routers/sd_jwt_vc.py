"""SD-JWT VC documents: each certificate type's Type Metadata at its ``vct``, and each
authority's Token Status Lists.

``GET /vct/{slug}`` (``immex``, ``oea``, ``ctpat``) is the type metadata of the SD-JWT VC
whose ``vct`` is that URL (draft-ietf-oauth-sd-jwt-vc, "From a URL in the vct Claim"). ``GET
/token-status-lists/{authority}/{n}`` is the authority's Status List Token ``n``
(draft-ietf-oauth-status-list §8): ``application/statuslist+jwt``, or — for a client whose
``Accept`` prefers JSON and names no ``statuslist+jwt``, such as this service's own
guarded fetcher — the same token as a JSON string. Both are public and cacheable, and may
be read by browser-based wallets (CORS).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response

from vcservice.api.deps import ServicesDep
from vcservice.api.problems import json_document, problems
from vcservice.sdjwt.trade_certificates import VCT_PATH
from vcservice.services.sd_jwt_vc_status import TOKEN_STATUS_LISTS_PATH
from vcservice.services.status import LIST_TTL
from vcservice.status.token_status_list import MEDIA_TYPE

router = APIRouter(tags=["SD-JWT VC"])
TYPE_METADATA_CACHE = "public, max-age=3600"
_JSON_TYPES = ("application/json", "+json")
TOKEN_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the signed Status List Token (to a client that prefers JSON, the same "
        "token as a JSON string)",
        "content": {MEDIA_TYPE: {"schema": {}}, "application/json": {"schema": {"type": "string"}}},
    }
}


@router.get(
    f"/{VCT_PATH}/{{slug}}",
    summary="The SD-JWT VC Type Metadata of a certificate type (its vct)",
    response_class=Response,
    responses=json_document("application/json", "the Type Metadata document") | problems(404),
)
def type_metadata(
    slug: Annotated[str, Path(description="immex, oea or ctpat")], services: ServicesDep
) -> Response:
    """Display names (es, en) and claim metadata (labels in es and en, ``sd``) of the type."""
    document = services.sd_jwt_vc.type_metadata(slug)
    return Response(
        json.dumps(document, ensure_ascii=False),
        media_type="application/json",
        headers={"Cache-Control": TYPE_METADATA_CACHE, "Access-Control-Allow-Origin": "*"},
    )


@router.get(
    f"/{TOKEN_STATUS_LISTS_PATH}/{{authority}}/{{sequence}}",
    summary="An authority's Token Status List (statuslist+jwt)",
    response_class=Response,
    responses=TOKEN_RESPONSE | problems(404, 422, 503),
)
def status_list_token(
    authority: str,
    sequence: Annotated[int, Path(ge=1, le=2**31 - 1)],
    request: Request,
    services: ServicesDep,
) -> Response:
    """The Status List Token the ``status.status_list.uri`` of the authority's SD-JWT VCs
    names: 0 valid, 1 revoked (INVALID), 2 suspended, two bits per credential."""
    published = services.sd_jwt_vc.status_list_token(authority, sequence)
    headers = {
        "Cache-Control": f"public, max-age={int(LIST_TTL.total_seconds())}",
        "Access-Control-Allow-Origin": "*",
        "Vary": "Accept",
    }
    if _prefers_json(request.headers.get("accept", "")):
        return Response(json.dumps(published.token), media_type="application/json", headers=headers)
    return Response(published.token, media_type=MEDIA_TYPE, headers=headers)


def _prefers_json(accept: str) -> bool:
    """Whether ``accept`` asks for JSON and does not name the Status List Token's own type."""
    lowered = accept.lower()
    return "statuslist+jwt" not in lowered and any(kind in lowered for kind in _JSON_TYPES)
