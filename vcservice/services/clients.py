"""OAuth2 clients of the authorities: create (the secret is shown once), list, remove, log in.

Creating and removing a client is audited in the same transaction.
"""

from __future__ import annotations

from collections.abc import Set

from vcservice.clock import Clock
from vcservice.custody import SecretDigester
from vcservice.errors import StorageError
from vcservice.model.records import AuditAction, Client, Scope
from vcservice.services.access import authenticate_client, new_client
from vcservice.services.audit import audit_event
from vcservice.services.authorities import AuthorityService
from vcservice.storage.repository import ClientRepository


class ClientService:
    """The clients that act for authorities; only keyed digests of their secrets are kept."""

    def __init__(
        self,
        *,
        clients: ClientRepository,
        authorities: AuthorityService,
        digests: SecretDigester,
        clock: Clock,
    ) -> None:
        self._clients = clients
        self._authorities = authorities
        self._digests = digests
        self._clock = clock

    def create(self, authority: str, scopes: Set[Scope]) -> tuple[Client, str]:
        """A new client of ``authority`` and its secret, which is not kept anywhere (audited)."""
        self._authorities.get(authority)
        client, secret = new_client(
            authority=authority, scopes=scopes, clock=self._clock, digests=self._digests
        )
        self._clients.add(
            client,
            audit=audit_event(
                self._clock,
                AuditAction.CLIENT_CREATED,
                subject=client.client_id,
                authority=authority,
                details={"scopes": sorted(client.scopes)},
            ),
        )
        return client, secret

    def list(self, authority: str) -> list[Client]:
        """The authority's clients."""
        self._authorities.get(authority)
        return self._clients.for_authority(authority)

    def remove(self, client_id: str) -> None:
        """Remove a client; its access tokens stop working at once (NOT_FOUND if unknown).

        Audited (the client is read first, for its authority).
        """
        client = self._clients.get(client_id)
        removed = client is not None and self._clients.delete(
            client_id,
            audit=audit_event(
                self._clock,
                AuditAction.CLIENT_REMOVED,
                subject=client_id,
                authority=client.authority,
            ),
        )
        if not removed:
            raise StorageError(f"no client {client_id!r}", code="NOT_FOUND", field="client_id")

    def authenticate(self, client_id: str, secret: str) -> Client:
        """The client, if ``secret`` is its secret (INVALID_CLIENT otherwise)."""
        return authenticate_client(self._clients, client_id, secret, digests=self._digests)

    def exists(self, client_id: str) -> bool:
        """Whether the client is still registered."""
        return self._clients.get(client_id) is not None
