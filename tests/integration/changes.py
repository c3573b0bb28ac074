"""Another process changing what the test's own service verifies (importable after spawn).

``make_changes`` builds the whole service from the shared settings, as a second server
worker would, then runs each command it is sent — ``(action, arguments)``, one of
``ACTIONS`` — until it is sent None. It answers every command on ``results`` with
``("ok", value)`` or ``("error", text)``.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable
from multiprocessing.queues import Queue
from typing import Any

from tests.integration.workers import service_settings, unsigned_immex
from vcservice.keys import KeyType
from vcservice.model.records import StatusPurpose
from vcservice.services.container import Services, build_services
from vcservice.services.issuer import IssuanceOptions

IMMEX = "IMMEXCertificate"


def create_authority(services: Services, name: str) -> str:
    """A new authority that the verifier's trust registry accredits for IMMEX; its DID."""
    authority = services.authorities.create(
        name=name, display_name=name.upper(), credential_types=[IMMEX]
    )
    services.trust.add(issuer=authority.did, name=authority.display_name, credential_types=[IMMEX])
    return authority.did


def issue(services: Services, name: str) -> dict[str, Any]:
    """An IMMEX certificate issued by the authority called ``name`` (eddsa-rdfc-2022)."""
    authority = services.authorities.get(name)
    issued = services.issuer.issue(authority, unsigned_immex(authority), IssuanceOptions())
    document: dict[str, Any] = json.loads(issued.document)
    return document


def set_status(services: Services, name: str, credential_id: str, purpose: str, status: int) -> str:
    """Set one status of a credential; the credential's summary afterwards."""
    services.statuses.apply(
        services.authorities.get(name),
        credential_id=credential_id,
        updates={StatusPurpose(purpose): status},
        reason="changed by another process",
        actor="other-process",
    )
    return services.statuses.summary(credential_id)


def rotate_key(services: Services, name: str) -> str:
    """A new Ed25519 key for the authority; its key id."""
    return services.authorities.rotate_key(name, KeyType.ED25519).key_id


def withdraw_accreditations(services: Services, name: str) -> int:
    """Remove the trust registry's stored entries of the authority's DID; how many went."""
    did = services.authorities.get(name).did
    entries = [entry for entry in services.trust.stored() if entry.issuer == did]
    for entry in entries:
        services.trust.remove(entry.id)
    return len(entries)


ACTIONS: dict[str, Callable[..., Any]] = {
    "create_authority": create_authority,
    "issue": issue,
    "set_status": set_status,
    "rotate_key": rotate_key,
    "withdraw_accreditations": withdraw_accreditations,
}


def make_changes(
    data_dir: str,
    database_url: str,
    context_store: str,
    commands: Queue[tuple[str, tuple[Any, ...]] | None],
    results: Queue[tuple[str, Any]],
) -> None:
    """Run the commands sent on ``commands`` until None arrives."""
    try:
        services = build_services(service_settings(data_dir, database_url, context_store))
    except Exception:  # reported to the test, which fails on it
        results.put(("error", traceback.format_exc()))
        return
    try:
        while (command := commands.get()) is not None:
            action, arguments = command
            try:
                results.put(("ok", ACTIONS[action](services, *arguments)))
            except Exception:  # reported to the test, which fails on it
                results.put(("error", traceback.format_exc()))
    finally:
        services.close()
