"""Work for the processes that the integration tests start (importable after spawn).

A worker builds the whole service from ``Settings`` as a server process would, waits at
``start`` with the others, then reports ``("ok", payload)`` or ``("error", text)`` on
``results``.
"""

from __future__ import annotations

import traceback
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

from vcservice.certificates.samples import sample_certificate
from vcservice.model.records import Authority
from vcservice.services.container import build_services
from vcservice.services.issuer import IssuanceOptions
from vcservice.settings import Settings

PUBLIC_URL = "http://localhost:8080"
STATUS_LIST_SIZE = 131_072


def service_settings(data_dir: str, database_url: str, context_store: str) -> Settings:
    """The settings every process of a test shares: one data directory, one database."""
    return Settings(
        data_dir=Path(data_dir),
        database_url=database_url,
        public_url=PUBLIC_URL,
        context_store=Path(context_store),
        status_list_size=STATUS_LIST_SIZE,
    )


def unsigned_immex(authority: Authority) -> dict[str, Any]:
    """The sample IMMEX certificate of ``authority``, without the id the service assigns."""
    credential = sample_certificate("immex")
    del credential["id"]
    credential["issuer"] = {
        **credential["issuer"],
        "id": authority.did,
        "name": authority.display_name,
    }
    return credential


def issue_credentials(
    data_dir: str,
    database_url: str,
    context_store: str,
    authority_name: str,
    count: int,
    start: Barrier,
    results: Queue[Any],
) -> None:
    """Issue ``count`` IMMEX certificates as ``authority_name`` together with the others.

    Reports the ids of the credentials issued, in order.
    """
    try:
        services = build_services(service_settings(data_dir, database_url, context_store))
        try:
            authority = services.authorities.get(authority_name)
            start.wait(timeout=120)
            unsigned = unsigned_immex(authority)
            ids = [
                services.issuer.issue(authority, unsigned, IssuanceOptions()).id
                for _ in range(count)
            ]
        finally:
            services.close()
        results.put(("ok", ids))
    except Exception:  # reported to the test, which fails on it
        start.abort()  # the others stop waiting for this one
        results.put(("error", traceback.format_exc()))
