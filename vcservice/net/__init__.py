"""Outbound networking: the guarded HTTP client and the bounded TTL cache it (and others) use."""

from vcservice.net.guarded_client import (
    FetchedDocument,
    FetchPolicy,
    GuardedHttpClient,
    HostResolver,
    forbidden_address_class,
    resolve_host,
)
from vcservice.net.ttl_cache import TtlCache

__all__ = [
    "FetchPolicy",
    "FetchedDocument",
    "GuardedHttpClient",
    "HostResolver",
    "TtlCache",
    "forbidden_address_class",
    "resolve_host",
]
