"""Where status list credentials come from: the service's own lists first, then HTTP.

(Or, offline, only from snapshots fetched earlier: :class:`SnapshotStatusListSource`.)

A :class:`StatusListSource` returns the list credential as it was obtained, unverified; the
checker verifies it every time. Sources raise :class:`StatusError` (or another ``VcError``)
when a list cannot be had; the checker reports that as STATUS_RETRIEVAL_ERROR.

Caching (:class:`HttpStatusListSource`): a fetched list is kept until the earlier of its
HTTP freshness (Cache-Control, as :class:`GuardedHttpClient` computes ``expires_at``) and its
``ttl`` (milliseconds after the fetch). The client has an HTTP cache of its own, keyed by
URL and honouring Cache-Control only; so when a list's ``ttl`` is shorter than its
``max-age``, the refresh attempted after ``ttl`` is answered from that HTTP cache until
``max-age`` ends (the Rec asks publishers to align the two). The freshness the checker
reports is always that of the network fetch.

Both HTTP and local-first sources take an optional ``on_fetch`` callback, told where each
list came from (:data:`FROM_LOCAL`, :data:`FROM_CACHE` or :data:`FROM_NETWORK`), for metrics.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from vcservice.clock import CLOCK_SKEW, Clock
from vcservice.errors import FetchError, StatusError, VcError
from vcservice.model.values import as_list, exact_json_digest
from vcservice.net import FetchedDocument, GuardedHttpClient, TtlCache
from vcservice.status.report import duration_text

__all__ = [
    "FROM_CACHE",
    "FROM_LOCAL",
    "FROM_NETWORK",
    "FetchObserver",
    "FetchedList",
    "HttpStatusListSource",
    "LocalFirstStatusListSource",
    "SnapshotStatusListSource",
    "StatusListLookup",
    "StatusListSource",
    "list_ttl",
]

DIGESTS_KEPT = 1024  # local list documents whose digests are kept
DIGESTS_KEPT_SECONDS = 600.0
# A ttl past a year is treated as a year (and keeps datetime arithmetic in range).
_MAX_TTL = timedelta(days=366)

FROM_LOCAL, FROM_CACHE, FROM_NETWORK = "local", "cache", "network"
FetchObserver = Callable[[str], None]
"""Told where a list was obtained: ``local``, ``cache`` or ``network``."""

StatusListLookup = Callable[[Sequence[str]], Mapping[str, Mapping[str, Any]]]
"""The service's own lists among some URLs: each one's list credential, by URL (in one go,
so that a credential's three lists cost one database query)."""


@dataclass(frozen=True, slots=True)
class FetchedList:
    """A status list credential as obtained (unverified), when, and until when to reuse it.

    ``origin`` names where a list fetched earlier was kept (``the bundle``), else None.
    """

    document: dict[str, Any]
    fetched_at: datetime
    expires_at: datetime
    origin: str | None = None
    size: int = 0  # bytes as fetched (0: not fetched over HTTP)
    digest: bytes = b""  # exact_json_digest(document), made once by the source (b"": not made)


class StatusListSource(Protocol):
    """Obtains the status list credentials published at URLs."""

    def fetch(self, url: str) -> FetchedList:
        """The list at ``url``, or raises StatusError."""
        ...

    def fetch_all(self, urls: Sequence[str]) -> dict[str, FetchedList | StatusError]:
        """Each of ``urls``' lists, or why it cannot be had."""
        ...


def fetch_each(
    source: StatusListSource, urls: Sequence[str]
) -> dict[str, FetchedList | StatusError]:
    """``fetch_all`` for a source that has nothing to gain from asking for several at once."""
    fetched: dict[str, FetchedList | StatusError] = {}
    for url in urls:
        try:
            fetched[url] = source.fetch(url)
        except StatusError as error:
            fetched[url] = error
        except VcError as error:
            fetched[url] = StatusError(
                f"cannot retrieve the status list {url}: {error}", code="STATUS_RETRIEVAL_ERROR"
            )
    return fetched


class HttpStatusListSource:
    """Fetches lists with the guarded HTTP client, keeping each in ``cache`` while fresh.

    ``cache`` should run on the same time as ``clock`` (a TtlCache's clock is seconds as a
    float: ``lambda: clock.now().timestamp()``); entries are also checked against ``clock``.
    """

    def __init__(
        self,
        client: GuardedHttpClient,
        *,
        cache: TtlCache[str, FetchedList],
        clock: Clock,
        on_fetch: FetchObserver | None = None,
    ) -> None:
        self._client = client
        self._cache = cache
        self._clock = clock
        self._on_fetch = on_fetch or _unobserved

    def fetch_all(self, urls: Sequence[str]) -> dict[str, FetchedList | StatusError]:
        """Each list: from the cache while fresh, the others fetched together."""
        now = self._clock.now()
        found: dict[str, FetchedList | StatusError] = {}
        missing = []
        for url in urls:
            cached = self._cache.get(url)
            if cached is not None and cached.expires_at > now:
                self._on_fetch(FROM_CACHE)
                found[url] = cached
            else:
                missing.append(url)
        for url, fetched in self._client.get_json_many(missing).items():
            found[url] = self._received(url, fetched, now)
        return found

    def fetch(self, url: str) -> FetchedList:
        """The list at ``url``: cached while fresh, fetched otherwise."""
        found = self.fetch_all([url])[url]
        if isinstance(found, StatusError):
            raise found
        return found

    def _received(
        self, url: str, fetched: FetchedDocument | FetchError, now: datetime
    ) -> FetchedList | StatusError:
        """A fetched list, kept until the earlier of its HTTP freshness and its ``ttl``."""
        if isinstance(fetched, FetchError):
            return StatusError(
                f"cannot retrieve the status list {url}: {fetched.message}",
                code="STATUS_RETRIEVAL_ERROR",
            )
        if not isinstance(fetched.data, dict):
            return StatusError(
                f"the status list {url} is not a JSON object "
                "(only Data Integrity-secured JSON lists are supported)",
                code="STATUS_VERIFICATION_ERROR",
            )
        fetched_at = datetime.fromtimestamp(fetched.fetched_at, UTC)
        expires_at = datetime.fromtimestamp(fetched.expires_at, UTC)
        ttl = list_ttl(fetched.data)
        if ttl is not None:
            expires_at = min(expires_at, fetched_at + ttl)
        result = FetchedList(
            document=fetched.data,
            fetched_at=fetched_at,
            expires_at=expires_at,
            size=fetched.size,
            digest=exact_json_digest(fetched.data),
        )
        self._cache.put(url, result, ttl_seconds=(expires_at - now).total_seconds())
        self._on_fetch(FROM_NETWORK)
        return result


class LocalFirstStatusListSource:
    """Asks ``lookup`` (the service's own lists, no network) first, then ``fallback``.

    Local lists are read afresh on every call (never cached here), so a status change is
    seen at once. Without a ``fallback``, lists that are not local cannot be retrieved.
    ``lookup`` keeps answering with the same document object while a list is unchanged, so
    each object's digest is made once (``digests``, by identity).
    """

    def __init__(
        self,
        lookup: StatusListLookup,
        *,
        clock: Clock,
        fallback: StatusListSource | None = None,
        on_fetch: FetchObserver | None = None,
    ) -> None:
        self._lookup = lookup
        self._clock = clock
        self._fallback = fallback
        self._on_fetch = on_fetch or _unobserved
        self._digests: TtlCache[int, tuple[Mapping[str, Any], bytes]] = TtlCache(
            max_entries=DIGESTS_KEPT, max_ttl_seconds=DIGESTS_KEPT_SECONDS
        )

    def fetch(self, url: str) -> FetchedList:
        """The local list at ``url`` if there is one, else the fallback's."""
        found = self.fetch_all([url])[url]
        if isinstance(found, StatusError):
            raise found
        return found

    def fetch_all(self, urls: Sequence[str]) -> dict[str, FetchedList | StatusError]:
        """The local lists among ``urls`` (one lookup), the fallback's for the others."""
        try:
            local = self._lookup(urls)
        except VcError as error:
            return {
                url: StatusError(
                    f"cannot read the local status list {url}: {error.message}",
                    code="STATUS_RETRIEVAL_ERROR",
                )
                for url in urls
            }
        now = self._clock.now()
        fetched: dict[str, FetchedList | StatusError] = {}
        remote = []
        for url in urls:
            document = local.get(url)
            if document is not None:
                self._on_fetch(FROM_LOCAL)
                fetched[url] = FetchedList(
                    document=dict(document),
                    fetched_at=now,
                    expires_at=now,
                    digest=self._digest(document),
                )
            elif self._fallback is None:
                fetched[url] = StatusError(
                    f"{url} is not a status list of this service, and remote lists are not "
                    "fetched here",
                    code="STATUS_RETRIEVAL_ERROR",
                )
            else:
                remote.append(url)
        if remote and self._fallback is not None:
            fetched.update(self._fallback.fetch_all(remote))
        return {url: fetched[url] for url in urls}

    def _digest(self, document: Mapping[str, Any]) -> bytes:
        """The document's digest: made once per document object the lookup answers with."""
        kept = self._digests.get(id(document))
        if kept is not None and kept[0] is document:
            return kept[1]
        digest = exact_json_digest(document)
        self._digests.put(id(document), (document, digest))  # the reference keeps the id taken
        return digest


class SnapshotStatusListSource:
    """Lists fetched earlier (say, into a verification bundle), each with its fetch time.

    ``snapshots`` maps a list's URL to (list credential, when it was fetched); ``origin``
    names where they were kept, for messages and the checker's freshness report. Nothing is
    ever fetched: a URL not held is STATUS_RETRIEVAL_ERROR. With ``max_age``, a list fetched
    longer ago than that is STATUS_DATA_STALE.
    """

    def __init__(
        self,
        snapshots: Mapping[str, tuple[Mapping[str, Any], datetime]],
        *,
        origin: str,
        clock: Clock,
        max_age: timedelta | None = None,
    ) -> None:
        self._lists = {
            url: FetchedList(
                document=dict(document),
                fetched_at=fetched_at,
                expires_at=fetched_at + (list_ttl(document) or timedelta(0)),
                origin=origin,
                digest=exact_json_digest(document),
            )
            for url, (document, fetched_at) in snapshots.items()
        }
        self._origin = origin
        self._clock = clock
        self._max_age = max_age

    def fetch_all(self, urls: Sequence[str]) -> dict[str, FetchedList | StatusError]:
        """Each list held, if it is recent enough."""
        return fetch_each(self, urls)

    def fetch(self, url: str) -> FetchedList:
        """The list held for ``url``, if it is recent enough."""
        snapshot = self._lists.get(url)
        if snapshot is None:
            raise StatusError(
                f"the status list {url} is not in {self._origin} (lists are not fetched here)",
                code="STATUS_RETRIEVAL_ERROR",
            )
        age = self._clock.now() - snapshot.fetched_at
        if age < -CLOCK_SKEW:
            raise StatusError(
                f"the status list {url} in {self._origin} was fetched in the future "
                f"({duration_text(-age.total_seconds())} from now): its age cannot be told",
                code="STATUS_DATA_STALE",
            )
        if self._max_age is not None and age > self._max_age:
            raise StatusError(
                f"the status list {url} in {self._origin} was fetched "
                f"{duration_text(age.total_seconds())} ago, longer than the "
                f"{duration_text(self._max_age.total_seconds())} allowed",
                code="STATUS_DATA_STALE",
            )
        return snapshot


def _unobserved(source: str) -> None:
    return None


def list_ttl(document: Mapping[str, Any]) -> timedelta | None:
    """The list's ``credentialSubject.ttl`` as a duration, if it is a well-formed one."""
    subjects = as_list(document.get("credentialSubject"))
    subject = subjects[0] if len(subjects) == 1 else None
    ttl = subject.get("ttl") if isinstance(subject, Mapping) else None
    if isinstance(ttl, bool) or not isinstance(ttl, int) or ttl < 0:
        return None
    return min(timedelta(milliseconds=min(ttl, 10**12)), _MAX_TTL)
