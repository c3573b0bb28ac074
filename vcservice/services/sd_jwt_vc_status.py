"""The Token Status Lists of SD-JWT VCs: each authority's published ``statuslist+jwt``, kept
in step with its Bitstring lists, and the verifier's ``status`` check against one.

List ``n`` of an authority mirrors its revocation Bitstring list ``n`` (the same size and
indices), with ``bits`` 2: a set revocation entry is INVALID (1); a suspended, unrevoked
credential whose revocation entry is in the list is SUSPENDED (2); everything else VALID.
Both are read from the stored status entries the Bitstring lists are built from (the
revocations: the list's set entries; the suspensions: one join of each credential's
revocation and suspension entries), so they cannot drift from those lists; and a token
is signed again whenever the revocation list's version or any of the authority's
suspension lists' versions moved on, or it is about to expire; so a suspension,
reinstatement or revocation shows in the very next token, in every process. Customs
messages stay on the Bitstring message list.

A verifier reads this service's own lists without the network, and others' through the
guarded client, which reads JSON: ``GET /token-status-lists/…`` answers the token itself
(``application/statuslist+jwt``) unless the client prefers JSON, then the token as a JSON
string.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from vcservice.clock import Clock
from vcservice.errors import FetchError, StatusError, StorageError, VcError
from vcservice.keys import Signer
from vcservice.model.checks import Check
from vcservice.model.records import Authority, StatusList, StatusPurpose
from vcservice.net import GuardedHttpClient
from vcservice.sdjwt.status_list_token import (
    open_status_list_token,
    sign_status_list_token,
    status_problem,
)
from vcservice.sdjwt.verification import IssuerKey
from vcservice.services.authorities import AuthorityService
from vcservice.services.observer import NO_OBSERVER, Observer
from vcservice.services.status import LIST_TTL, LIST_VALIDITY, RESIGN_BEFORE
from vcservice.services.versioned_cache import VersionedCache
from vcservice.status.token_status_list import (
    INVALID,
    SUSPENDED,
    StatusReference,
    TokenStatusList,
    status_list_claims,
)
from vcservice.storage.repository import Store

__all__ = ["TOKEN_STATUS_LISTS_PATH", "PublishedToken", "TokenStatusLists"]

TOKEN_STATUS_LISTS_PATH = "token-status-lists"  # noqa: S105 - a URL path, not a secret
TOKENS_KEPT = 256
BITS = 2


@dataclass(frozen=True, slots=True)
class PublishedToken:
    """A signed Status List Token (``statuslist+jwt``) and when it expires."""

    token: str
    expires_at: datetime


class TokenStatusLists:
    """Publishes the authorities' Token Status Lists and checks a credential against one.

    ``signer`` gives the key an authority signs with; ``issuer_key`` finds the key a
    token's ``kid`` names (and its controller).
    """

    def __init__(
        self,
        *,
        store: Store,
        authorities: AuthorityService,
        http: GuardedHttpClient,
        clock: Clock,
        public_url: str,
        signer: Callable[[Authority], Signer],
        issuer_key: IssuerKey,
        skew: timedelta,
        observer: Observer = NO_OBSERVER,
    ) -> None:
        self._store = store
        self._authorities = authorities
        self._http = http
        self._clock = clock
        self._base = f"{public_url.rstrip('/')}/{TOKEN_STATUS_LISTS_PATH}/"
        self._signer = signer
        self._issuer_key = issuer_key
        self._skew = skew
        self._observer = observer
        self._tokens: VersionedCache[tuple[str, int], PublishedToken] = VersionedCache(
            max_entries=TOKENS_KEPT
        )

    def url(self, authority: str, sequence: int) -> str:
        """Where the authority's Token Status List ``sequence`` is published."""
        return f"{self._base}{authority}/{sequence}"

    def reference(self, credential_id: str, authority: str) -> StatusReference:
        """The ``status`` of a credential just given its entries: its revocation entry's
        list and index."""
        for entry in self._store.statuses.entries_for(credential_id):
            if entry.purpose is StatusPurpose.REVOCATION:
                status_list = self._store.statuses.list_by_id(entry.list_id)
                if status_list is not None:
                    return StatusReference(entry.index, self.url(authority, status_list.sequence))
        raise StorageError(f"{credential_id} has no revocation entry", code="STORAGE_ERROR")

    def token(self, authority: str, sequence: int) -> PublishedToken:
        """The authority's Token Status List ``sequence``, signed (NOT_FOUND without the
        authority or a revocation list of that sequence): kept while its lists have not
        changed."""
        owner = self._authorities.get(authority)
        lists = self._store.statuses.lists_of(owner.name)
        revocation = next(
            (
                item
                for item in lists
                if item.purpose is StatusPurpose.REVOCATION and item.sequence == sequence
            ),
            None,
        )
        if revocation is None:
            raise StorageError(
                f"no Token Status List {sequence} for {owner.name}", code="NOT_FOUND", field="path"
            )
        # Read before the entries: a change of any list the token reflects bumps this sum.
        version = revocation.version + sum(
            item.version for item in lists if item.purpose is StatusPurpose.SUSPENSION
        )
        now = self._clock.now()
        kept = self._tokens.get((owner.name, sequence), version)
        if kept is not None and kept.expires_at - now > RESIGN_BEFORE:
            return kept
        published = self._sign(owner, revocation, now)
        self._tokens.put((owner.name, sequence), version, published)
        return published

    def check(self, signed: Mapping[str, Any]) -> Check:
        """The ``status`` check of a credential whose verified payload is ``signed``."""
        if "status" not in signed:
            return Check.skipped("status", "the credential has no status")
        try:
            reference = StatusReference.from_claim(signed["status"])
            status_list = open_status_list_token(
                self._fetch(reference.uri),
                uri=reference.uri,
                issuer=str(signed.get("iss")),
                issuer_key=self._issuer_key,
                now=self._clock.now(),
                skew=self._skew,
            )
            problem = status_problem(status_list.get(reference.idx), reference)
        except VcError as error:
            return Check.of("status", [error.to_problem()])
        if problem is not None:
            return Check.of("status", [problem])
        return Check.of("status", [], detail=f"valid in {reference.uri} at {reference.idx}")

    def coordinates(self, uri: str) -> tuple[str, int] | None:
        """(authority, sequence) of one of this service's Token Status List URLs, else None."""
        authority, _, sequence = uri.removeprefix(self._base).partition("/")
        if not uri.startswith(self._base) or not sequence.isdigit() or not authority:
            return None
        return authority, int(sequence)

    def _fetch(self, uri: str) -> str:
        """The token at ``uri``: one of this service's without the network, else fetched."""
        local = self.coordinates(uri)
        try:
            if local is not None:
                token = self.token(*local).token
                self._observer.status_list_fetched("local")
                return token
            fetched = self._http.get_json(uri)
        except (StorageError, FetchError) as error:
            raise StatusError(
                f"the Token Status List {uri} cannot be had: {error.message}",
                code="STATUS_RETRIEVAL_ERROR",
                field="status.status_list.uri",
            ) from error
        self._observer.status_list_fetched("network")
        if not isinstance(fetched.data, str):
            raise StatusError(
                f"{uri} did not answer a Status List Token",
                code="STATUS_RETRIEVAL_ERROR",
                field="status.status_list.uri",
            )
        return fetched.data

    def _sign(self, owner: Authority, revocation: StatusList, now: datetime) -> PublishedToken:
        statuses = dict.fromkeys(self._store.statuses.set_bits(revocation.id), INVALID)
        for index in self._store.statuses.suspended_in(revocation.id):
            statuses.setdefault(index, SUSPENDED)
        claims = status_list_claims(
            uri=self.url(owner.name, revocation.sequence),
            issuer=owner.did,
            status_list=TokenStatusList.of(revocation.size, statuses, bits=BITS),
            issued_at=now,
            expires_at=now + LIST_VALIDITY,
            ttl=LIST_TTL,
        )
        token = sign_status_list_token(claims, signer=self._signer(owner))
        return PublishedToken(token, now + LIST_VALIDITY)
