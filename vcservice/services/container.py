"""Everything a running service needs, built once from ``Settings``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from vcservice.certificates.samples import SAMPLE_NAMES, VERSIONS, sample_certificate
from vcservice.certificates.v2.checks import RFC_CHECK_DIGIT
from vcservice.clock import Clock, SystemClock
from vcservice.custody.encryption import KeyEncryptionKey
from vcservice.custody.keystore import KeyStore, SoftwareKeyStore
from vcservice.custody.secret_digest import SecretDigester
from vcservice.errors import VcError
from vcservice.net.guarded_client import FetchPolicy
from vcservice.services.access import (
    TokenService,
    check_admin_token,
    load_or_create_admin_token,
    load_or_create_token_key,
)
from vcservice.services.audit import AuditTrail
from vcservice.services.authorities import AuthorityService
from vcservice.services.clients import ClientService
from vcservice.services.core import Core, CoreConfig, build_core
from vcservice.services.exchanges import ExchangeService
from vcservice.services.freshness import Freshness
from vcservice.services.holder import HolderService
from vcservice.services.holder_openid import HolderOpenIdService
from vcservice.services.issuer import IssuerService
from vcservice.services.observer import NO_OBSERVER, Observer
from vcservice.services.openid4vci import OpenId4VciService, build_openid4vci
from vcservice.services.openid4vp import OpenId4VpService, build_openid4vp
from vcservice.services.pinning import PinningService
from vcservice.services.quotas import Quotas
from vcservice.services.sd_jwt_vc import SdJwtVcService
from vcservice.services.status import StatusService
from vcservice.services.trust import TrustRegistryService
from vcservice.services.trust_list_publisher import TrustListPublisher
from vcservice.services.trust_list_subscriptions import TrustListSubscriptions
from vcservice.services.verifier import VerifierService
from vcservice.settings import Settings
from vcservice.status.bitstring import MAX_STATUS_SIZE
from vcservice.storage.repository import Store
from vcservice.storage.sql import open_store
from vcservice.trust.registry import TrustRegistry

_log = logging.getLogger(__name__)


# A rate bucket untouched this long is full again (a burst refills in ten seconds): forgotten.
IDLE_BUCKET_SECONDS = 3600


@dataclass(frozen=True)
class Services:
    """The wired service: settings, store, custody, core, use cases, tokens."""

    settings: Settings
    clock: Clock
    store: Store
    core: Core
    authorities: AuthorityService
    issuer: IssuerService
    clients: ClientService
    statuses: StatusService
    tokens: TokenService
    trust: TrustRegistryService
    trust_lists: TrustListPublisher  # the authorities' signed lists
    trust_list_subscriptions: TrustListSubscriptions  # the lists this verifier trusts
    verifier: VerifierService
    exchanges: ExchangeService
    openid4vp: OpenId4VpService
    openid4vci: OpenId4VciService
    sd_jwt_vc: SdJwtVcService
    holders: HolderService
    holder_openid: HolderOpenIdService  # the holders' wallet over OpenID4VCI and OpenID4VP
    pinning: PinningService  # contexts and schemas the operator pinned (admin API)
    keystore: KeyStore
    audit: AuditTrail
    digests: SecretDigester
    admin_token: str = field(repr=False)
    observer: Observer = NO_OBSERVER

    def is_admin_token(self, presented: str) -> bool:
        """Whether ``presented`` is this process's admin token."""
        return check_admin_token(self.admin_token, presented, digests=self.digests)

    def readiness(self) -> dict[str, str]:
        """``database`` and ``keyStore``: ``ok``, or why each cannot be used now."""
        checks: dict[str, Callable[[], None]] = {
            "database": self.store.ping,
            "keyStore": self.keystore.check,
        }
        return {name: _outcome(check) for name, check in checks.items()}

    def warm_up(self) -> None:
        """Prepare, before the first request, what verifying each certificate type needs.

        A service that cannot (its contexts not installed, say) still starts: its requests
        then report the reason, as they would have without the warm-up.
        """
        try:
            self.core.warm_up(
                sample_certificate(name, version) for name in SAMPLE_NAMES for version in VERSIONS
            )
        except VcError as error:
            _log.warning("warm-up skipped: %s", error)

    def purge_expired(self) -> dict[str, int]:
        """Delete expired challenges, the exchanges past their retention and the rate buckets
        idle long enough to be full again; how many of each."""
        idle_since = self.clock.now().timestamp() - IDLE_BUCKET_SECONDS
        return {
            "expired challenges": self.verifier.purge_expired(),
            "exchanges past retention": self.exchanges.purge_expired(),
            "OpenID4VP requests past retention": self.openid4vp.purge_expired(),
            "expired OpenID4VCI offers and nonces": self.openid4vci.purge_expired(),
            "idle rate buckets": self.store.rate_buckets.purge_idle(idle_since),
        }

    def close(self) -> None:
        """Release the key store's sessions, the database and HTTP connections."""
        self.keystore.close()
        self.store.close()
        self.core.http.close()


def build_services(
    settings: Settings, *, clock: Clock | None = None, observer: Observer = NO_OBSERVER
) -> Services:
    """Open the store (migrating it), unlock custody and assemble the use cases.

    ``observer`` is told of issuances, verifications and status list fetches (metrics).
    """
    clock = clock or SystemClock()
    if not settings.dev_mode and "public_url" not in settings.model_fields_set:
        raise SystemExit(
            "refusing to start: set VCSERVICE_PUBLIC_URL (the authorities' DIDs "
            "are derived from it) or VCSERVICE_DEV_MODE=true"
        )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = open_store(settings.resolved_database_url)
    kek = _key_encryption_key(settings)
    digests = SecretDigester.from_kek(
        KeyEncryptionKey.from_text(settings.secret_digest_key, source="the secret digest key")
        if settings.secret_digest_key
        else kek
    )
    keystore = _key_store(settings, store, kek, clock)
    # Read once per verification: what was read from the database is kept until it moves.
    freshness = Freshness(store.generation.current)
    authorities = AuthorityService(
        store=store,
        keystore=keystore,
        public_url=settings.public_url,
        clock=clock,
        freshness=freshness,
    )
    policy = FetchPolicy(
        timeout_seconds=settings.fetch_timeout_seconds,
        allow_http_hosts=settings.allow_http_hosts,
        allow_private_networks=settings.allow_private_networks,
        extra_ca_file=settings.outbound_ca_file,
        cache_max_ttl_seconds=settings.remote_cache_seconds,
        cache_max_bytes=settings.remote_cache_max_bytes,
        max_in_flight=settings.fetch_max_in_flight,
        max_in_flight_per_address=settings.fetch_max_in_flight_per_address,
        verification_seconds=settings.verification_fetch_seconds,
        verification_fetches=settings.verification_max_fetches,
    )
    core = build_core(
        CoreConfig(
            store_dir=settings.context_store,
            fetch_policy=policy,
            canonicalizer=settings.canonicalizer,
            jsonld_path=settings.jsonld_path,
            canonical_hashes_kept=settings.canonical_hashes_kept,
            clock_skew=timedelta(seconds=settings.clock_skew_seconds),
            # A list of STATUS_LIST_SIZE entries of the largest statusSize (8 bits).
            max_status_list_bytes=settings.status_list_size * MAX_STATUS_SIZE // 8,
        ),
        clock=clock,
        # Late-bound, as the status lists below: the holder service is built on this core.
        local_dids=lambda did: authorities.find_did_document(did) or holders.find_did_document(did),
        # Late-bound: the status service is built below, on this core.
        local_status_lists=lambda urls: statuses.local_documents(urls),  # noqa: PLW0108
        on_status_fetch=observer.status_list_fetched,
        snapshot=freshness.held,
    )
    statuses = StatusService(
        store=store,
        authorities=authorities,
        core=core,
        public_url=settings.public_url,
        clock=clock,
        freshness=freshness,
        list_size=settings.status_list_size,
    )
    tokens = TokenService(
        load_or_create_token_key(settings.data_dir / "token-signing-key"),
        issuer_url=settings.public_url,
        audience=settings.public_url,
        lifetime_seconds=settings.access_token_lifetime_seconds,
        clock=clock,
    )
    subscriptions = TrustListSubscriptions(
        store=store,
        core=core,
        clock=clock,
        freshness=freshness,
        refresh_interval=timedelta(seconds=settings.trust_list_refresh_seconds),
        max_staleness=timedelta(seconds=settings.trust_list_max_staleness_seconds),
        clock_skew=timedelta(seconds=settings.clock_skew_seconds),
    )
    trust = TrustRegistryService(
        entries=store.trust,
        clock=clock,
        freshness=freshness,
        lists=subscriptions,
        configured=(
            TrustRegistry.load(settings.trust_registry_file)
            if settings.trust_registry_file
            else None
        ),
    )
    quotas = Quotas.of(settings)
    verifier = VerifierService(
        core=core, store=store, clock=clock, trust=trust, quotas=quotas, observer=observer
    )
    holders = HolderService(
        core=core,
        store=store,
        kek=kek,
        digests=digests,
        clock=clock,
        public_url=settings.public_url,
        freshness=freshness,
    )
    issuer = IssuerService(
        core=core,
        store=store,
        authorities=authorities,
        statuses=statuses,
        clock=clock,
        observer=observer,
        refused_findings=frozenset({RFC_CHECK_DIGIT})
        if settings.rfc_check_digit == "refuse"
        else frozenset(),
    )
    # SD-JWT VC: issues as the issuer does (the same refused findings), verifies as the
    # verifier does (the same trust registry and clock skew).
    sd_jwt_vc = SdJwtVcService(
        core=core,
        store=store,
        authorities=authorities,
        statuses=statuses,
        trust=trust,
        clock=clock,
        public_url=settings.public_url,
        refused_findings=frozenset({RFC_CHECK_DIGIT})
        if settings.rfc_check_digit == "refuse"
        else frozenset(),
        clock_skew=timedelta(seconds=settings.clock_skew_seconds),
        observer=observer,
    )
    return Services(
        settings=settings,
        clock=clock,
        store=store,
        core=core,
        authorities=authorities,
        issuer=issuer,
        statuses=statuses,
        clients=ClientService(
            clients=store.clients, authorities=authorities, digests=digests, clock=clock
        ),
        tokens=tokens,
        trust=trust,
        trust_lists=TrustListPublisher(
            store=store,
            authorities=authorities,
            core=core,
            clock=clock,
            public_url=settings.public_url,
            next_update=timedelta(seconds=settings.trust_list_next_update_seconds),
        ),
        trust_list_subscriptions=subscriptions,
        verifier=verifier,
        exchanges=ExchangeService(
            workflows=store.workflows,
            exchanges=store.exchanges,
            verifier=verifier,
            clock=clock,
            public_url=settings.public_url,
            quotas=quotas,
            retention=timedelta(seconds=settings.exchange_retention_seconds),
            max_presentation_bytes=settings.max_presentation_bytes,
        ),
        openid4vp=build_openid4vp(
            settings,
            store=store,
            core=core,
            trust=trust,
            quotas=quotas,
            clock=clock,
            observer=observer,
            sd_jwt=sd_jwt_vc,
        ),
        openid4vci=build_openid4vci(
            settings,
            store=store,
            authorities=authorities,
            issuer=issuer,
            digests=digests,
            clock=clock,
            sd_jwt_vc=sd_jwt_vc,
        ),
        sd_jwt_vc=sd_jwt_vc,
        holders=holders,
        holder_openid=HolderOpenIdService(
            holders=holders, sd_jwt_vc=sd_jwt_vc, core=core, clock=clock
        ),
        pinning=PinningService(core, clock=clock, record=store.audit.append),
        keystore=keystore,
        audit=AuditTrail(store.audit),
        digests=digests,
        admin_token=load_or_create_admin_token(settings.data_dir),
        observer=observer,
    )


def _outcome(check: Callable[[], None]) -> str:
    """``ok``, or what went wrong (a readiness probe reports failures, it does not raise)."""
    try:
        check()
    except VcError as error:
        return f"{error.code}: {error.message}"
    except Exception as error:  # a driver's own error: name its kind only
        return f"unavailable ({type(error).__name__})"
    return "ok"


def _key_encryption_key(settings: Settings) -> KeyEncryptionKey:
    if settings.kek:
        return KeyEncryptionKey.from_text(settings.kek)
    path = settings.resolved_kek_file
    if not path.exists():
        if not settings.dev_mode:
            raise SystemExit(
                "refusing to start: no key-encryption key (set VCSERVICE_KEK or "
                "VCSERVICE_KEK_FILE, or VCSERVICE_DEV_MODE=true to generate one)"
            )
        KeyEncryptionKey.generate_file(path)
    return KeyEncryptionKey.from_file(path)


# ---------------------------------------------------------------- key custody (issue 6)


def _key_store(settings: Settings, store: Store, kek: KeyEncryptionKey, clock: Clock) -> KeyStore:
    """Authorities' keys: KEK-encrypted in the database, or in a PKCS#11 token (an HSM)."""
    if settings.key_store == "software":
        return SoftwareKeyStore(store.keys, kek, clock)
    pin = _pkcs11_pin(settings)
    try:
        # Only this backend needs python-pkcs11 (the "hsm" extra).
        from vcservice.custody.pkcs11 import Pkcs11KeyStore  # noqa: PLC0415
    except ImportError as exc:
        if exc.name != "pkcs11":
            raise
        raise SystemExit(
            "refusing to start: VCSERVICE_KEY_STORE=pkcs11 needs python-pkcs11 "
            "(pip install 'vcservice[hsm]')"
        ) from exc
    return Pkcs11KeyStore.open(
        store.keys,
        clock,
        module=settings.pkcs11_module,
        token_label=settings.pkcs11_token_label,
        pin=pin,
        sessions=settings.pkcs11_sessions,
    )


def _pkcs11_pin(settings: Settings) -> str:
    """The token's user PIN: from ``PKCS11_PIN_FILE``, or inline in dev mode only.

    An inline PIN is an environment variable, inherited by every process the service starts
    and readable in /proc; a file can be owner-only and mounted as a secret.
    """
    if settings.pkcs11_pin and settings.pkcs11_pin_file:
        raise SystemExit(
            "refusing to start: set only one of VCSERVICE_PKCS11_PIN and VCSERVICE_PKCS11_PIN_FILE"
        )
    if settings.pkcs11_pin_file:
        path = settings.pkcs11_pin_file
        try:
            pin = path.read_text(encoding="utf-8").rstrip("\r\n")
        except (OSError, UnicodeDecodeError) as exc:
            raise SystemExit(
                f"refusing to start: cannot read the token PIN file {path}: {exc}"
            ) from exc
        if not pin:
            raise SystemExit(f"refusing to start: the token PIN file {path} is empty")
        return pin
    if settings.pkcs11_pin:
        if not settings.dev_mode:
            raise SystemExit(
                "refusing to start: outside dev mode the token PIN is read from a file; set "
                "VCSERVICE_PKCS11_PIN_FILE instead of VCSERVICE_PKCS11_PIN"
            )
        return settings.pkcs11_pin
    raise SystemExit(
        "refusing to start: VCSERVICE_KEY_STORE=pkcs11 needs the token's user PIN "
        "(VCSERVICE_PKCS11_PIN_FILE, or VCSERVICE_PKCS11_PIN in dev mode)"
    )
