"""Set up a benchmark's service through its admin API: an authority and a client's token."""

from __future__ import annotations

import httpx


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
