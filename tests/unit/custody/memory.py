"""In-memory KeyRepository and ClientRepository, just enough for unit tests."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from vcservice.errors import StorageError
from vcservice.model.records import Client, KeyStatus, StoredKey


class MemoryKeyRepository:
    """Keys in insertion order (oldest first)."""

    def __init__(self) -> None:
        self.keys: list[StoredKey] = []

    def add(self, key: StoredKey) -> None:
        if any((k.authority, k.key_id) == (key.authority, key.key_id) for k in self.keys):
            raise StorageError(f"key {key.key_id} exists", code="CONFLICT")
        self.keys.append(key)

    def for_authority(self, authority: str) -> list[StoredKey]:
        return [key for key in self.keys if key.authority == authority]

    def retire(self, authority: str, key_id: str) -> None:
        self.keys = [
            dataclasses.replace(key, status=KeyStatus.RETIRED)
            if (key.authority, key.key_id) == (authority, key_id)
            else key
            for key in self.keys
        ]

    def promote(self, authority: str, key_id: str, *, retiring: Sequence[str] = ()) -> bool:
        if not any(
            (k.authority, k.key_id, k.status) == (authority, key_id, KeyStatus.PENDING)
            for k in self.keys
        ):
            return False
        for retired in retiring:
            self.retire(authority, retired)
        self.keys = [
            dataclasses.replace(key, status=KeyStatus.ACTIVE)
            if (key.authority, key.key_id) == (authority, key_id)
            else key
            for key in self.keys
        ]
        return True

    def replace(self, key: StoredKey) -> None:
        """Overwrite a stored record (tests simulate tampering with the database)."""
        self.keys = [
            key if (k.authority, k.key_id) == (key.authority, key.key_id) else k for k in self.keys
        ]


class MemoryClientRepository:
    """Clients by id."""

    def __init__(self) -> None:
        self.clients: dict[str, Client] = {}

    def add(self, client: Client) -> None:
        if client.client_id in self.clients:
            raise StorageError(f"client {client.client_id} exists", code="CONFLICT")
        self.clients[client.client_id] = client

    def get(self, client_id: str) -> Client | None:
        return self.clients.get(client_id)

    def for_authority(self, authority: str) -> list[Client]:
        return [client for client in self.clients.values() if client.authority == authority]

    def delete(self, client_id: str) -> bool:
        return self.clients.pop(client_id, None) is not None

    def upgrade_secret_hash(self, client_id: str, *, current: str, upgraded: str) -> bool:
        client = self.clients.get(client_id)
        if client is None or client.secret_hash != current:
            return False
        self.clients[client_id] = dataclasses.replace(client, secret_hash=upgraded)
        return True
