"""Set up a benchmark's service through its admin API: an authority and a client's token."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from vcservice.cli.background import Target, running_service
from vcservice.settings import default_context_store

# A benchmark is one very busy anonymous caller: no rate limits, room for all it has open
# at once, and its challenges live as long as a client's.
WITHOUT_CALLER_LIMITS = {
    "VCSERVICE_VERIFY_RATE_PER_MINUTE": "0",
    "VCSERVICE_ISSUE_RATE_PER_MINUTE": "0",
    "VCSERVICE_TOKEN_RATE_PER_MINUTE": "0",
    "VCSERVICE_ANONYMOUS_OPEN_QUOTA": "1000000",
    "VCSERVICE_ANONYMOUS_OPEN_LIMIT": "1000000",
    "VCSERVICE_ANONYMOUS_CHALLENGE_SECONDS": "300",
}


def authority_with_token(
    http: httpx.Client,
    admin_token: str,
    name: str,
    credential_types: list[str],
    scopes: tuple[str, ...] = ("issue:credentials",),
) -> tuple[str, dict[str, str]]:
    """A new authority allowed ``credential_types``: its DID and a client's headers."""
    admin = {"Authorization": f"Bearer {admin_token}"}
    body = {"name": name, "displayName": name.upper(), "credentialTypes": credential_types}
    created = http.post("/admin/authorities", json=body, headers=admin).raise_for_status()
    client = http.post(
        f"/admin/authorities/{name}/clients", headers=admin, json={"scopes": list(scopes)}
    ).raise_for_status()
    token = http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(client.json()["clientId"], client.json()["clientSecret"]),
    ).raise_for_status()
    return str(created.json()["did"]), {"Authorization": f"Bearer {token.json()['access_token']}"}


@contextmanager
def benchmarked_service(workers: int = 1, database_url: str | None = None) -> Iterator[Target]:
    """`vcservice serve` started for a benchmark: no per-caller limits, fresh data directory."""
    os.environ.update(WITHOUT_CALLER_LIMITS)
    arguments = ["--workers", str(workers)]
    if database_url:
        arguments += ["--database-url", database_url]
    with running_service(None, None, default_context_store(), serve_args=arguments) as target:
        yield target
