"""The SQL schema of the store, declared once for SQLite and PostgreSQL.

The migrations in ``versions/`` create exactly these tables; a contract test compares
the two. Timestamps are stored in UTC (``timestamptz`` on PostgreSQL, naive UTC text
on SQLite) and always read back timezone-aware in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime, stored in UTC and returned in UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert to UTC; SQLite keeps no offset, so drop it there."""
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("timestamps must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Read naive values as UTC, convert aware ones to UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


metadata = MetaData(naming_convention=NAMING_CONVENTION)

authorities = Table(
    "authorities",
    metadata,
    Column("name", String, primary_key=True),
    Column("display_name", String, nullable=False),
    Column("did", String, nullable=False, unique=True),
    Column("credential_types", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    # Bumped by every write to the authority's ``keys``, in the same transaction.
    Column("key_version", Integer, nullable=False, server_default="0"),
)

keys = Table(
    "keys",
    metadata,
    Column("authority", String, ForeignKey("authorities.name"), nullable=False),
    Column("key_id", String, nullable=False),
    Column("key_type", String, nullable=False),
    Column("public_key_multibase", String, nullable=False),
    Column("encrypted_secret", LargeBinary, nullable=False),
    Column("status", String, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("authority", "key_id"),
)

clients = Table(
    "clients",
    metadata,
    Column("client_id", String, primary_key=True),
    Column("authority", String, ForeignKey("authorities.name"), nullable=False, index=True),
    Column("secret_hash", String, nullable=False),
    Column("scopes", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

credentials = Table(
    "credentials",
    metadata,
    Column("id", String, primary_key=True),
    Column("authority", String, ForeignKey("authorities.name"), nullable=False),
    Column("credential_type", String, nullable=False),
    Column("securing_format", String, nullable=False),
    Column("document", Text, nullable=False),
    Column("subject_id", String),
    Column("subject_identifiers", JSON, nullable=False),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("valid_from", UtcDateTime),
    Column("valid_until", UtcDateTime),
    Column("status", String, nullable=False),
    Column("idempotency_key", String),
    Column("request_digest", String),
    UniqueConstraint("authority", "idempotency_key"),
)


def _listing_index(name: str, *filters: Column[Any]) -> Index:
    """An index on ``credentials`` by ``filters``, then the search order (newest, id desc).

    Each listing index ends in the search order, so a filtered page reads no more
    than it shows.
    """
    return Index(name, *filters, credentials.c.issued_at.desc(), credentials.c.id.desc())


_listing_index("ix_credentials_authority_issued_at", credentials.c.authority)
_listing_index(
    "ix_credentials_authority_credential_type",
    credentials.c.authority,
    credentials.c.credential_type,
)
_listing_index("ix_credentials_authority_status", credentials.c.authority, credentials.c.status)

# Every value a subject query matches exactly: the subject id and each identifier.
# ``credentials.subject_identifiers`` keeps the identifiers in order for reading back.
credential_subjects = Table(
    "credential_subjects",
    metadata,
    Column("identifier", String, nullable=False),
    Column("credential_id", String, ForeignKey("credentials.id"), nullable=False),
    PrimaryKeyConstraint("identifier", "credential_id"),
)

# Bitstring Status Lists. A list is addressed publicly by (authority, purpose, sequence);
# ``version`` grows with every status change and ``published_*`` keep the newest signed
# copy. ``full`` closes a list to allocation (about 90 % of its indices are taken).
status_lists = Table(
    "status_lists",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("authority", String, ForeignKey("authorities.name"), nullable=False),
    Column("purpose", String, nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("size", Integer, nullable=False),
    Column("status_size", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Column("full", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("published_version", Integer),
    Column("published_document", Text),
    UniqueConstraint("authority", "purpose", "sequence"),
)

# One row per allocated index: the primary key is what makes an index never given twice.
# ``purpose`` repeats the list's so that a credential holds one entry per purpose (the
# unique constraint also serves lookups by credential). There is deliberately no foreign
# key to ``credentials``: an index is allocated before the credential row is written.
status_entries = Table(
    "status_entries",
    metadata,
    Column("list_id", Integer, ForeignKey("status_lists.id"), nullable=False),
    Column("index", Integer, nullable=False),
    Column("credential_id", String, nullable=False),
    Column("purpose", String, nullable=False),
    Column("status", Integer, nullable=False),
    PrimaryKeyConstraint("list_id", "index"),
    UniqueConstraint("credential_id", "purpose"),
)

# The audit of status: every accepted change, in the order it was made (``id``).
# ``reason`` is the officer's note; ``reason_code`` the vocabulary term of a coded reason
# (``StatusReason``), NULL when none was given (and for changes made before 0010).
status_changes = Table(
    "status_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("credential_id", String, nullable=False, index=True),
    Column("purpose", String, nullable=False),
    Column("old_status", Integer, nullable=False),
    Column("new_status", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    Column("actor", String, nullable=False),
    Column("changed_at", UtcDateTime, nullable=False),
    Column("reason_code", String, nullable=True),
)

# Single-use verifier challenges: ``used_at`` is set once, by a conditional UPDATE, so a
# challenge is consumed at most once across processes; expired rows are purged by time.
# ``caller`` (``client:<id>`` or ``address:<ip>``) asked for it; an exchange's challenge
# has none (it counts as its exchange).
challenges = Table(
    "challenges",
    metadata,
    Column("challenge", String, primary_key=True),
    Column("domain", String),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False, index=True),
    Column("used_at", UtcDateTime),
    Column("caller", String),
    Index("ix_challenges_caller_expires_at", "caller", "expires_at"),
)


# Holders: the key lives here, wrapped with the KEK (``keys`` belongs to authorities).
holders = Table(
    "holders",
    metadata,
    Column("name", String, primary_key=True),
    Column("did", String, nullable=False, unique=True),
    Column("public_key_multibase", String, nullable=False),
    Column("encrypted_secret", LargeBinary, nullable=False),
    Column("token_hash", String, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

# DIDs of deleted holders: never given to a new holder, who would otherwise control the
# credentials issued to the old one (a did:web is derived from the holder's name).
retired_holder_dids = Table(
    "retired_holder_dids",
    metadata,
    Column("did", String, primary_key=True),
    Column("retired_at", UtcDateTime, nullable=False),
)

held_credentials = Table(
    "held_credentials",
    metadata,
    Column("holder", String, ForeignKey("holders.name"), nullable=False),
    Column("credential_id", String, nullable=False),
    Column("document", Text, nullable=False),
    Column("format", String, nullable=False),
    Column("stored_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("holder", "credential_id"),
)


# The verifier's trust registry entries added through the admin API (a file may add more).
accreditations = Table(
    "accreditations",
    metadata,
    Column("id", String, primary_key=True),
    Column("issuer", String, nullable=False, index=True),
    Column("name", String, nullable=False),
    Column("credential_types", JSON, nullable=False),
    Column("valid_from", UtcDateTime),
    Column("valid_until", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
)

workflows = Table(
    "workflows",
    metadata,
    Column("id", String, primary_key=True),
    Column("name", String, nullable=False),
    Column("accepted_types", JSON, nullable=False),
    Column("domain", String),
    Column("exchange_ttl_seconds", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    # Anyone may start an exchange of a public workflow; of others, only a verifier's client.
    Column("public", Boolean, nullable=False, server_default=false()),
    # The types accepted only under mutual recognition: a JSON list of objects
    # {credential_type, recognized_by, role, arrangement}; [] for those stored before 0011.
    Column("accepted_recognitions", JSON, nullable=False, server_default="[]"),
)

# One row per exchange; ``state`` leaves ``pending`` once, by a conditional UPDATE.
# ``caller`` started it (none for exchanges stored before migration 0008).
exchanges = Table(
    "exchanges",
    metadata,
    Column("id", String, primary_key=True),
    Column("workflow", String, ForeignKey("workflows.id"), nullable=False, index=True),
    Column("challenge", String, nullable=False, unique=True),
    Column("domain", String),
    Column("state", String, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False, index=True),
    Column("completed_at", UtcDateTime),
    Column("result", Text),
    Column("presentation", Text),
    Column("caller", String),
    Index("ix_exchanges_caller_expires_at", "caller", "expires_at"),
)

# The audit trail: a hash chain (``vcservice.audit.chain`` defines the hashes) of every
# issuance, status change, client and key change. No foreign keys: the log outlives what
# it names. ``audit_head`` has one row (id 1, made by the migration): the newest sequence
# and hash, updated in each append's transaction, whose row lock also serialises appends.
audit_log = Table(
    "audit_log",
    metadata,
    Column("sequence", Integer, primary_key=True, autoincrement=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("actor", String, nullable=False),
    Column("authority", String),
    Column("action", String, nullable=False),
    Column("subject", String, nullable=False),
    Column("details", JSON, nullable=False),
    Column("request_id", String),
    Column("previous_hash", String, nullable=False),
    Column("hash", String, nullable=False),
)

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("sequence", Integer, nullable=False),
    Column("hash", String, nullable=False),
)

# One row (``id`` 1) whose ``value`` moves on with every committed change of what a
# verification reads from the database: authorities and their keys, holders, trust registry
# entries, status lists created, removed or given a new ``version`` (revision 0014, whose
# triggers move it in the changing transaction, whichever code or operator writes), and
# subscribed trust lists and their snapshots (revision 0015). A process that read ``value``
# before building an object from those rows knows the object is current while ``value`` has
# not moved.
change_generation = Table(
    "change_generation",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("value", BigInteger, nullable=False),
)

# Rate limits shared by every process of a deployment: one token bucket per limit and
# caller (``verify:client:<id>``, ``verify:address:<ip>``…); ``updated_at`` is epoch seconds.
# Processes lease a few tokens at a time (``api.rate_limit``); an idle row is purged.
rate_buckets = Table(
    "rate_buckets",
    metadata,
    Column("key", String, primary_key=True),
    Column("tokens", Float, nullable=False),
    Column("updated_at", Float, nullable=False, index=True),
)

# OpenID4VCI credential offers (revision 0012). Only keyed digests of the pre-authorized
# code, the transaction code and the access token are kept. ``state`` leaves ``offered``
# once, by a conditional UPDATE (redeemed, or locked after too many transaction codes).
credential_offers = Table(
    "credential_offers",
    metadata,
    Column("id", String, primary_key=True),
    Column("authority", String, ForeignKey("authorities.name"), nullable=False),
    Column("credential_type", String, nullable=False),
    Column("configuration_ids", JSON, nullable=False),
    Column("request", Text, nullable=False),
    Column("code_digest", String, nullable=False, unique=True),
    Column("tx_code_digest", String, nullable=False),
    Column("state", String, nullable=False),
    Column("tx_code_attempts", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False, index=True),
    Column("created_by", String, nullable=False),
    Column("token_digest", String, unique=True),
    Column("token_expires_at", UtcDateTime),
    Column("redeemed_at", UtcDateTime),
)

# One row per credential of an offer claimed for issuance (the primary key makes the claim
# single), naming the credential once it is issued.
credential_offer_issuances = Table(
    "credential_offer_issuances",
    metadata,
    Column("offer_id", String, ForeignKey("credential_offers.id"), nullable=False),
    Column("configuration_id", String, nullable=False),
    Column("claimed_at", UtcDateTime, nullable=False),
    Column("credential_id", String),
    PrimaryKeyConstraint("offer_id", "configuration_id"),
)

# The c_nonce values of OpenID4VCI key proofs: ``used_at`` is set once, by a conditional
# UPDATE; expired rows are purged by time.
issuance_nonces = Table(
    "issuance_nonces",
    metadata,
    Column("nonce", String, primary_key=True),
    Column("authority", String, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False, index=True),
    Column("used_at", UtcDateTime),
)

# OpenID4VP authorization requests (revision 0013): ``status`` leaves ``pending`` once, by a
# conditional UPDATE naming the public ``request_id`` and the ``state`` sent. ``id`` is the
# verifier's own handle (its result), ``request_id`` what the wallet's QR code carries.
openid4vp_requests = Table(
    "openid4vp_requests",
    metadata,
    Column("id", String, primary_key=True),
    Column("request_id", String, nullable=False, unique=True),
    Column("client_id", String, nullable=False),
    Column("nonce", String, nullable=False),
    Column("state", String, nullable=False),
    Column("response_mode", String, nullable=False),
    Column("request_uri_method", String, nullable=False),
    Column("dcql_query", JSON, nullable=False),
    Column("status", String, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False, index=True),
    Column("caller", String, nullable=False),
    Column("workflow", String),
    Column("policy", JSON),
    Column("completed_at", UtcDateTime),
    Column("result", Text),
    Column("presentation", Text),
    Column("error", String),
    Index("ix_openid4vp_requests_caller_expires_at", "caller", "expires_at"),
)

# Trust lists (revision 0015). What an authority accredits in its own trust list
# (``trust_list_entries``), and each signed version of that list as served
# (``trust_list_versions``): the primary key (authority, sequence) lets one process only
# publish a given sequence.
trust_list_entries = Table(
    "trust_list_entries",
    metadata,
    Column("id", String, primary_key=True),
    Column("authority", String, ForeignKey("authorities.name"), nullable=False, index=True),
    Column("issuer", String, nullable=False),
    Column("name", String, nullable=False),
    Column("credential_types", JSON, nullable=False),
    Column("accredited_from", UtcDateTime),
    Column("accredited_until", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
)

trust_list_versions = Table(
    "trust_list_versions",
    metadata,
    Column("authority", String, ForeignKey("authorities.name"), nullable=False),
    Column("sequence", BigInteger, nullable=False),
    Column("document", Text, nullable=False),
    Column("digest", String, nullable=False),
    Column("entries_digest", String, nullable=False),
    Column("valid_from", UtcDateTime, nullable=False),
    Column("next_update", UtcDateTime, nullable=False),
    Column("signing_key", String, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("authority", "sequence"),
)

# The trust lists the verifier follows. ``sequence`` and ``confirmed_at`` are the held
# list's (NULL before the first accepted fetch); a fetch is claimed by a conditional UPDATE
# of ``next_fetch_at``, so one process fetches each due list. Revision 0015's triggers move
# ``change_generation`` when a subscription is added or removed, or its held list, its
# confirmation, its signer or its scope changes; not for scheduling (``next_fetch_at``,
# ``etag``, ``failures``, ``last_error_*``). Snapshots keep every accepted version.
trust_list_subscriptions = Table(
    "trust_list_subscriptions",
    metadata,
    Column("id", String, primary_key=True),
    Column("url", String, nullable=False, unique=True),
    Column("label", String, nullable=False),
    Column("expected_signer", String, nullable=False),
    Column("credential_types", JSON, nullable=False),
    Column("max_staleness_seconds", Integer, nullable=False),
    Column("refresh_interval_seconds", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("sequence", BigInteger),
    Column("confirmed_at", UtcDateTime),
    Column("etag", String),
    Column("next_fetch_at", UtcDateTime),
    Column("failures", Integer, nullable=False),
    Column("last_error_code", String),
    Column("last_error_at", UtcDateTime),
)

trust_list_snapshots = Table(
    "trust_list_snapshots",
    metadata,
    Column("subscription_id", String, nullable=False),
    Column("sequence", BigInteger, nullable=False),
    Column("document", Text, nullable=False),
    Column("digest", String, nullable=False),
    Column("signer", String, nullable=False),
    Column("valid_from", UtcDateTime, nullable=False),
    Column("next_update", UtcDateTime, nullable=False),
    Column("accepted_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("subscription_id", "sequence"),
    # Named here: the conventional name would pass PostgreSQL's 63 characters.
    ForeignKeyConstraint(
        ["subscription_id"],
        ["trust_list_subscriptions.id"],
        name="fk_trust_list_snapshots_subscription_id",
    ),
)
