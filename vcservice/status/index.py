"""Discovering an issuer's status lists: a DID document service pointing to a list index.

An issuer's DID document carries a service ``{"id": "<did>#status-lists", "type":
"StatusListIndex", "serviceEndpoint": "<index URL>"}``; the index URL answers
``{"statusLists": ["<list URL>", …]}``, every status list the issuer has opened. A verifier
follows it to gather the lists ahead of time (for an offline verification bundle).
"""

from __future__ import annotations

from typing import Any

from vcservice.errors import ParsingError

__all__ = ["INDEX_FRAGMENT", "INDEX_SERVICE_TYPE", "index_service", "parse_index"]

INDEX_SERVICE_TYPE = "StatusListIndex"
INDEX_FRAGMENT = "status-lists"


def index_service(did: str, index_url: str) -> dict[str, str]:
    """The DID document ``service`` entry of ``did`` pointing to its status list index."""
    return {
        "id": f"{did}#{INDEX_FRAGMENT}",
        "type": INDEX_SERVICE_TYPE,
        "serviceEndpoint": index_url,
    }


def parse_index(index: Any, *, source: str) -> list[str]:
    """The list URLs of an index fetched from ``source``, or ParsingError if it is not one."""
    urls = index.get("statusLists") if isinstance(index, dict) else None
    if not isinstance(urls, list) or not all(
        isinstance(url, str) and url.startswith(("https://", "http://")) for url in urls
    ):
        raise ParsingError(
            f"{source} is not a status list index ({{'statusLists': [URL, …]}})",
            field="statusLists",
        )
    return urls
