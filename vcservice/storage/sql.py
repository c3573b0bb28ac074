"""The SQL store: every repository of ``storage.repository`` on SQLite or PostgreSQL.

``open_store(url)`` is the one entry point: it builds the engine for the URL, brings
the schema to the newest migration and returns a ``SqlStore``. Each method runs in
its own short transaction. A violated constraint becomes ``StorageError`` CONFLICT
(or NOT_FOUND for an unknown authority); any other database failure becomes
STORAGE_ERROR, with a message that names neither the SQL nor the URL.

The repositories live in ``authorities``, ``credentials``, ``status``, ``challenges``,
``holders``, ``verifier``, ``rate_buckets``, ``audit``, ``credential_offers``
(OpenID4VCI offers and nonces), ``presentation_requests`` (OpenID4VP requests),
``trust_lists`` (published and subscribed trust lists) and ``generation`` (the change
counter of what verifications read), with
what they share in ``common``; they are importable from here as well.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Engine, text

from vcservice.storage.audit import SqlAuditRepository
from vcservice.storage.authorities import (
    SqlAuthorityRepository,
    SqlClientRepository,
    SqlKeyRepository,
)
from vcservice.storage.challenges import SqlChallengeRepository
from vcservice.storage.credential_offers import (
    SqlCredentialOfferRepository,
    SqlIssuanceNonceRepository,
)
from vcservice.storage.credentials import SqlCredentialRepository
from vcservice.storage.engine import Database, build_engine
from vcservice.storage.generation import SqlGenerationRepository
from vcservice.storage.holders import SqlHeldCredentialRepository, SqlHolderRepository
from vcservice.storage.migrations import upgrade_to_head
from vcservice.storage.presentation_requests import SqlPresentationRequestRepository
from vcservice.storage.rate_buckets import SqlRateBucketRepository
from vcservice.storage.repository import (
    AuditRepository,
    AuthorityRepository,
    ChallengeRepository,
    ClientRepository,
    CredentialOfferRepository,
    CredentialRepository,
    ExchangeRepository,
    GenerationRepository,
    HeldCredentialRepository,
    HolderRepository,
    IssuanceNonceRepository,
    KeyRepository,
    PresentationRequestRepository,
    PublishedListRepository,
    RateBucketRepository,
    StatusRepository,
    TrustListSubscriptionRepository,
    TrustRepository,
    WorkflowRepository,
)
from vcservice.storage.status import FULL_PERCENT, SqlStatusRepository, full_threshold
from vcservice.storage.trust_lists import (
    SqlPublishedListRepository,
    SqlTrustListSubscriptionRepository,
)
from vcservice.storage.verifier import (
    SqlExchangeRepository,
    SqlTrustRepository,
    SqlWorkflowRepository,
)

__all__ = [
    "FULL_PERCENT",
    "SqlAuditRepository",
    "SqlAuthorityRepository",
    "SqlChallengeRepository",
    "SqlClientRepository",
    "SqlCredentialOfferRepository",
    "SqlCredentialRepository",
    "SqlExchangeRepository",
    "SqlGenerationRepository",
    "SqlHeldCredentialRepository",
    "SqlHolderRepository",
    "SqlIssuanceNonceRepository",
    "SqlKeyRepository",
    "SqlPresentationRequestRepository",
    "SqlPublishedListRepository",
    "SqlRateBucketRepository",
    "SqlStatusRepository",
    "SqlStore",
    "SqlTrustListSubscriptionRepository",
    "SqlTrustRepository",
    "SqlWorkflowRepository",
    "full_threshold",
    "open_store",
]


class SqlStore:
    """Every repository over one SQLAlchemy engine; ``close`` releases its connections."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._database = database = Database(engine)
        self.authorities: AuthorityRepository = SqlAuthorityRepository(database)
        self.keys: KeyRepository = SqlKeyRepository(database)
        self.clients: ClientRepository = SqlClientRepository(database)
        self.credentials: CredentialRepository = SqlCredentialRepository(database)
        self.statuses: StatusRepository = SqlStatusRepository(database)
        self.challenges: ChallengeRepository = SqlChallengeRepository(database)
        self.holders: HolderRepository = SqlHolderRepository(database)
        self.held_credentials: HeldCredentialRepository = SqlHeldCredentialRepository(database)
        self.trust: TrustRepository = SqlTrustRepository(database)
        self.workflows: WorkflowRepository = SqlWorkflowRepository(database)
        self.exchanges: ExchangeRepository = SqlExchangeRepository(database)
        self.audit: AuditRepository = SqlAuditRepository(database)
        self.rate_buckets: RateBucketRepository = SqlRateBucketRepository(database)
        self.credential_offers: CredentialOfferRepository = SqlCredentialOfferRepository(database)
        self.issuance_nonces: IssuanceNonceRepository = SqlIssuanceNonceRepository(database)
        self.presentation_requests: PresentationRequestRepository = (
            SqlPresentationRequestRepository(database)
        )
        self.generation: GenerationRepository = SqlGenerationRepository(database)
        self.published_lists: PublishedListRepository = SqlPublishedListRepository(database)
        self.subscriptions: TrustListSubscriptionRepository = SqlTrustListSubscriptionRepository(
            database
        )

    @property
    def engines(self) -> tuple[Engine, ...]:
        """The engines of this store's database (to observe its statements, say)."""
        return self._database.engines

    def ping(self) -> None:
        """``SELECT 1`` in a read transaction (the pool reconnects first if it must)."""
        with self._database.read() as connection:
            connection.execute(text("SELECT 1"))

    def close(self) -> None:
        """Release connections."""
        self._database.dispose()

    def __enter__(self) -> SqlStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def open_store(database_url: str, *, migrate: bool = True) -> SqlStore:
    """Open the store at ``database_url``, migrating its schema to head unless told not to.

    ``sqlite:///path`` (or ``sqlite://`` in memory) and ``postgresql://…`` are accepted;
    PostgreSQL always goes through psycopg 3. Unreachable databases raise
    ``StorageError``; URLs of other kinds raise ``ValueError``.
    """
    engine = build_engine(database_url)
    if migrate:
        try:
            upgrade_to_head(Database(engine))
        except BaseException:
            engine.dispose()
            raise
    return SqlStore(engine)
