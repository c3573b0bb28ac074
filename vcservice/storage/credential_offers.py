"""OpenID4VCI offers and nonces in SQL: every change of state one conditional write.

Each transition is an ``UPDATE … WHERE`` the old state (or an insert keyed on what may
happen once) that counts only when it changed a row: SQLite serialises writers (``BEGIN
IMMEDIATE``); on PostgreSQL a second UPDATE of the same row waits for the first to commit
and re-reads it (READ COMMITTED), so it changes nothing. A pre-authorized code is thus
redeemed once, a transaction code tried at most the allowed number of times, an offered
credential claimed once and a nonce consumed once, across processes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, and_, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from vcservice.model.credential_offers import CredentialOffer, IssuanceNonce, OfferState
from vcservice.model.records import AuditEvent
from vcservice.storage.audit import append_entry
from vcservice.storage.common import (
    SqlRepository,
    authority_exists,
    conflict,
    insert_unless_taken,
    not_found,
    utc,
)
from vcservice.storage.schema import credential_offer_issuances, credential_offers, issuance_nonces

__all__ = ["SqlCredentialOfferRepository", "SqlIssuanceNonceRepository"]

_offers = credential_offers.c
_issuances = credential_offer_issuances.c


class SqlCredentialOfferRepository(SqlRepository):
    """Offers in ``credential_offers``; their claimed credentials in
    ``credential_offer_issuances`` (one row per claim, keyed on offer and configuration)."""

    def add(self, offer: CredentialOffer, *, audit: AuditEvent | None = None) -> None:
        """Store a new offer (CONFLICT if its id or code digest exists; NOT_FOUND for an
        unknown authority), with its audit entry."""
        try:
            with self._db.write() as connection:
                connection.execute(insert(credential_offers), _offer_row(offer))
                if audit is not None:
                    append_entry(connection, audit)
        except IntegrityError:
            with self._db.read() as connection:
                if not authority_exists(connection, offer.authority):
                    raise not_found(f"no authority named {offer.authority!r}") from None
            raise conflict("that credential offer exists") from None

    def get(self, offer_id: str) -> CredentialOffer | None:
        """The offer with ``offer_id``."""
        return self._first(select(credential_offers).where(_offers.id == offer_id), _to_offer)

    def find_by_code(self, code_digest: str) -> CredentialOffer | None:
        """The offer whose pre-authorized code has ``code_digest``, in whatever state."""
        query = select(credential_offers).where(_offers.code_digest == code_digest)
        return self._first(query, _to_offer)

    def find_by_token(self, token_digest: str) -> CredentialOffer | None:
        """The redeemed offer whose access token has ``token_digest``."""
        query = select(credential_offers).where(
            _offers.token_digest == token_digest, _offers.state == OfferState.REDEEMED.value
        )
        return self._first(query, _to_offer)

    def count_attempt(
        self, offer_id: str, *, now: datetime, max_attempts: int
    ) -> CredentialOffer | None:
        """Count one more transaction code attempt, if the offer is still offered, unexpired
        and has attempts left; the offer as counted, else None."""
        statement = (
            update(credential_offers)
            .where(
                _offers.id == offer_id,
                _offers.state == OfferState.OFFERED.value,
                _offers.expires_at > utc(now),
                _offers.tx_code_attempts < max_attempts,
            )
            .values(tx_code_attempts=_offers.tx_code_attempts + 1)
            .execution_options(preserve_rowcount=True)
        )
        with self._db.write() as connection:
            if connection.execute(statement).rowcount != 1:
                return None
            return _read_offer(connection, offer_id)

    def lock(self, offer_id: str, *, audit: AuditEvent | None = None) -> bool:
        """Lock an offered offer for good; whether it was (and then audited)."""
        statement = (
            update(credential_offers)
            .where(_offers.id == offer_id, _offers.state == OfferState.OFFERED.value)
            .values(state=OfferState.LOCKED.value)
            .execution_options(preserve_rowcount=True)
        )
        with self._db.write() as connection:
            if connection.execute(statement).rowcount != 1:
                return False
            if audit is not None:
                append_entry(connection, audit)
        return True

    def redeem(
        self,
        offer_id: str,
        *,
        token_digest: str,
        token_expires_at: datetime,
        now: datetime,
        audit: AuditEvent | None = None,
    ) -> CredentialOffer | None:
        """Exchange the code of an offered, unexpired offer for an access token; the
        redeemed offer (audited with it), or None when it was not offered any more."""
        moment = utc(now)
        statement = (
            update(credential_offers)
            .where(
                _offers.id == offer_id,
                _offers.state == OfferState.OFFERED.value,
                _offers.expires_at > moment,
            )
            .values(
                state=OfferState.REDEEMED.value,
                token_digest=token_digest,
                token_expires_at=utc(token_expires_at),
                redeemed_at=moment,
            )
            .execution_options(preserve_rowcount=True)
        )
        with self._db.write() as connection:
            if connection.execute(statement).rowcount != 1:
                return None
            if audit is not None:
                append_entry(connection, audit)
            return _read_offer(connection, offer_id)

    def claim(self, offer_id: str, configuration_id: str, *, now: datetime) -> bool:
        """Claim the offer's credential of ``configuration_id`` for issuance; False when
        it was claimed before (NOT_FOUND for an unknown offer)."""
        row = {"offer_id": offer_id, "configuration_id": configuration_id, "claimed_at": utc(now)}
        try:
            with self._db.write() as connection:
                return insert_unless_taken(
                    connection, credential_offer_issuances, row, ["offer_id", "configuration_id"]
                )
        except IntegrityError:
            raise not_found(f"no credential offer {offer_id!r}") from None

    def release(self, offer_id: str, configuration_id: str) -> None:
        """Give back a claim that names no credential yet."""
        statement = delete(credential_offer_issuances).where(
            _issuances.offer_id == offer_id,
            _issuances.configuration_id == configuration_id,
            _issuances.credential_id.is_(None),
        )
        with self._db.write() as connection:
            connection.execute(statement)

    def record_issued(self, offer_id: str, configuration_id: str, credential_id: str) -> None:
        """Name the credential issued for a claimed configuration."""
        statement = (
            update(credential_offer_issuances)
            .where(_issuances.offer_id == offer_id, _issuances.configuration_id == configuration_id)
            .values(credential_id=credential_id)
        )
        self._update_or_not_found(statement, f"no claim of {configuration_id!r} in {offer_id!r}")

    def issued(self, offer_id: str) -> dict[str, str | None]:
        """The offer's claimed configurations: configuration id -> credential id."""
        query = (
            select(_issuances.configuration_id, _issuances.credential_id)
            .where(_issuances.offer_id == offer_id)
            .order_by(_issuances.configuration_id)
        )
        found = self._db.read_once(lambda connection: connection.execute(query).all())
        return {str(configuration): credential for configuration, credential in found}

    def purge_expired(self, before: datetime) -> int:
        """Delete the offers whose code, and access token if any, expired before ``before``."""
        moment = utc(before)
        expired = select(_offers.id).where(
            _offers.expires_at < moment,
            or_(_offers.token_expires_at.is_(None), _offers.token_expires_at < moment),
        )
        with self._db.write() as connection:
            connection.execute(
                delete(credential_offer_issuances).where(_issuances.offer_id.in_(expired))
            )
            removed = connection.execute(
                delete(credential_offers)
                .where(_offers.id.in_(expired))
                .execution_options(preserve_rowcount=True)
            )
            return int(removed.rowcount)


class SqlIssuanceNonceRepository(SqlRepository):
    """Nonces in ``issuance_nonces``; ``used_at`` is set once, by a conditional UPDATE."""

    def issue(self, nonce: IssuanceNonce) -> None:
        """Store a new, unused nonce (CONFLICT if it exists)."""
        row = {
            "nonce": nonce.nonce,
            "authority": nonce.authority,
            "created_at": utc(nonce.created_at),
            "expires_at": utc(nonce.expires_at),
            "used_at": None,
        }
        with self._db.write() as connection:
            inserted = insert_unless_taken(connection, issuance_nonces, row, ["nonce"])
        if not inserted:
            raise conflict("that nonce was issued before")

    def consume(self, nonce: str, *, authority: str, now: datetime) -> bool:
        """Mark an unused, unexpired nonce of ``authority`` used at ``now``; whether it was."""
        moment = utc(now)
        columns = issuance_nonces.c
        statement = (
            update(issuance_nonces)
            .where(
                and_(
                    columns.nonce == nonce,
                    columns.authority == authority,
                    columns.used_at.is_(None),
                    columns.expires_at > moment,
                )
            )
            .values(used_at=moment)
            .execution_options(preserve_rowcount=True)
        )
        with self._db.write() as connection:
            return bool(connection.execute(statement).rowcount == 1)

    def purge_expired(self, now: datetime) -> int:
        """Delete every nonce expired at ``now``; how many went."""
        statement = (
            delete(issuance_nonces)
            .where(issuance_nonces.c.expires_at <= utc(now))
            .execution_options(preserve_rowcount=True)
        )
        with self._db.write() as connection:
            return int(connection.execute(statement).rowcount)


def _read_offer(connection: Connection, offer_id: str) -> CredentialOffer:
    row = connection.execute(select(credential_offers).where(_offers.id == offer_id)).mappings()
    return _to_offer(row.one())


def _offer_row(offer: CredentialOffer) -> dict[str, Any]:
    return {
        "id": offer.id,
        "authority": offer.authority,
        "credential_type": offer.credential_type,
        "configuration_ids": list(offer.configuration_ids),
        "request": offer.request,
        "code_digest": offer.code_digest,
        "tx_code_digest": offer.tx_code_digest,
        "state": offer.state.value,
        "tx_code_attempts": offer.tx_code_attempts,
        "created_at": utc(offer.created_at),
        "expires_at": utc(offer.expires_at),
        "created_by": offer.created_by,
        "token_digest": offer.token_digest,
        "token_expires_at": utc(offer.token_expires_at) if offer.token_expires_at else None,
        "redeemed_at": utc(offer.redeemed_at) if offer.redeemed_at else None,
    }


def _to_offer(row: RowMapping) -> CredentialOffer:
    values = dict(row)
    values["configuration_ids"] = tuple(values["configuration_ids"])
    values["state"] = OfferState(values["state"])
    return CredentialOffer(**values)
