"""The admin API: authorities, their keys and their OAuth2 clients (admin token only)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from vcservice.api.deps import Admin, ServicesDep
from vcservice.api.problems import problems
from vcservice.api.schemas import (
    AuthorityCreate,
    AuthorityView,
    ClientCreate,
    ClientView,
    KeyRotation,
    KeyView,
)
from vcservice.keys import KeyType

router = APIRouter(
    prefix="/admin", tags=["admin"], dependencies=[Admin], responses=problems(401, 429, 503)
)
WRITING = problems(400, 413, 422)


@router.post(
    "/authorities",
    status_code=201,
    response_model=AuthorityView,
    responses=WRITING | problems(409),
)
def create_authority(body: AuthorityCreate, services: ServicesDep) -> AuthorityView:
    """Create an issuing authority: a did:web with fresh Ed25519, P-256 and P-384 keys,
    or the did:key of one fresh key."""
    authority = services.authorities.create(
        name=body.name,
        display_name=body.display_name,
        credential_types=body.credential_types,
        did_method=body.did_method,
        key_type=KeyType(body.key_type) if body.key_type else None,
    )
    return AuthorityView.of(authority)


@router.get("/authorities", response_model=list[AuthorityView])
def list_authorities(services: ServicesDep) -> list[AuthorityView]:
    """Every authority."""
    return [AuthorityView.of(authority) for authority in services.authorities.list()]


@router.get("/authorities/{name}", response_model=AuthorityView, responses=problems(404))
def get_authority(name: str, services: ServicesDep) -> AuthorityView:
    """One authority."""
    return AuthorityView.of(services.authorities.get(name))


@router.post(
    "/authorities/{name}/keys/rotate",
    status_code=201,
    response_model=KeyView,
    responses=WRITING | problems(404, 409),
)
def rotate_key(name: str, body: KeyRotation, services: ServicesDep) -> KeyView:
    """Start signing with a new key; the old one stays in the DID document (a did:key
    authority's key never changes: 409)."""
    key = services.authorities.rotate_key(name, KeyType(body.key_type))
    return KeyView(key_id=key.key_id, key_type=key.key_type)


@router.post(
    "/authorities/{name}/clients",
    status_code=201,
    response_model=ClientView,
    responses=WRITING | problems(404),
)
def create_authority_client(name: str, body: ClientCreate, services: ServicesDep) -> ClientView:
    """A new OAuth2 client; its secret is in this response and nowhere else, ever."""
    client, secret = services.clients.create(name, set(body.scopes))
    return ClientView.of(client, secret)


@router.get("/authorities/{name}/clients", response_model=list[ClientView], responses=problems(404))
def list_clients(name: str, services: ServicesDep) -> list[ClientView]:
    """The authority's clients (without secrets)."""
    return [ClientView.of(client) for client in services.clients.list(name)]


@router.delete("/clients/{client_id}", status_code=204, responses=problems(404))
def delete_client(client_id: str, services: ServicesDep) -> Response:
    """Remove a client; its access tokens stop working at once."""
    services.clients.remove(client_id)
    return Response(status_code=204)
