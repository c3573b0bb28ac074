"""All configuration in one place, from ``VCSERVICE_*`` environment variables or arguments.

Defaults suit a developer's machine (``dev_mode``); outside dev mode the service refuses
to start without an explicit key-encryption key and public URL.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, FilePath, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Role = Literal["all", "issuer", "holder", "verifier"]


def default_context_store() -> Path:
    """Installed contexts: ``$VCSERVICE_CONTEXT_STORE``, else the user's data directory
    (``$XDG_DATA_HOME/vcservice/contexts``, ``~/.local/share/vcservice/contexts``).

    The one default of every command — ``serve`` (through ``Settings``), ``verify``,
    ``demo``, ``contexts install|list``, ``bundle`` — and of ``scripts/demo.sh``: contexts
    are pinned by digest and the same for every deployment, so one install per user serves
    every data directory and working directory.
    """
    configured = os.environ.get("VCSERVICE_CONTEXT_STORE")
    if configured:
        return Path(configured)
    data_home = Path(os.environ.get("XDG_DATA_HOME", ""))
    # The XDG Base Directory specification: a relative path is invalid and ignored.
    base = data_home if data_home.is_absolute() else Path.home() / ".local" / "share"
    return base / "vcservice" / "contexts"


class Settings(BaseSettings):
    """The service's settings; build once per process and pass it down."""

    model_config = SettingsConfigDict(env_prefix="VCSERVICE_", frozen=True)

    data_dir: Path = Field(Path("vcservice-data"), description="database, key files, tokens")
    database_url: str | None = Field(
        None, description="sqlite:///… or postgresql://…; default SQLite in data_dir", repr=False
    )
    public_url: str = Field(
        "http://localhost:8080", description="the URL clients reach this service at"
    )
    verifier_name: str | None = Field(
        None,
        description="the organisation whose verifier this is, named on the verify page and "
        "its records (default: the host of PUBLIC_URL)",
    )
    display_timezone: str = Field(
        "America/Mexico_City",
        description="the IANA time zone in which pages show the time of a check",
    )
    verify_page_url: str | None = Field(
        None, description="the verify page printed QR codes link to; default PUBLIC_URL/verify"
    )
    context_store: Path = Field(default_factory=default_context_store)
    kek: str | None = Field(
        None, description="key-encryption key, base64url of 32 bytes", repr=False
    )
    kek_file: Path | None = Field(None, description="file holding the key-encryption key")
    secret_digest_key: str | None = Field(
        None,
        description="base64url of 32 bytes: the key of client-secret and holder-token digests, "
        "the same in every role and replica sharing the database (default: from the KEK)",
        repr=False,
    )
    role: Role = Field(
        "all", description="which API this process serves: issuer, holder, verifier or all"
    )
    dev_mode: bool = Field(True, description="generate missing secrets into data_dir")
    access_token_lifetime_seconds: int = Field(300, ge=30, le=3600)
    canonicalizer: str = "rdfc10"
    jsonld_path: Literal["fast", "reference", "checked"] = Field(
        "fast",
        description="JSON-LD to RDF: fast (pyld when it declines), reference (pyld only), "
        "or checked (both, failing on any difference)",
    )
    allow_http_hosts: frozenset[str] = frozenset()
    allow_private_networks: bool = False
    outbound_ca_file: FilePath | None = Field(
        None,
        description="a PEM file of CAs that did:web and status list fetches trust beside the "
        "default bundle (an authority's own PKI)",
    )
    fetch_timeout_seconds: float = Field(
        5.0, gt=0, le=60, description="one outbound fetch, all of it (connect to last byte)"
    )
    fetch_max_in_flight: int = Field(
        16, ge=1, le=1024, description="outbound fetches at once per process (more: refused)"
    )
    fetch_max_in_flight_per_address: int = Field(
        4, ge=1, le=1024, description="outbound fetches at once to one address per process"
    )
    verification_fetch_seconds: float = Field(
        10.0, gt=0, le=120, description="all of one verification's fetches together"
    )
    verification_max_fetches: int = Field(
        16, ge=0, le=256, description="outbound fetches one verification may make"
    )
    forwarded_allow_ips: str = Field(
        "127.0.0.1",
        description="reverse proxies whose X-Forwarded-For names the client: comma-separated "
        "addresses or networks (empty: none); never *",
    )
    remote_cache_seconds: float = Field(
        300,
        ge=0,
        le=86_400,
        description="longest reuse of a fetched DID document or status list (0: refetch)",
    )
    remote_cache_max_bytes: int = Field(
        32 << 20,
        ge=1 << 20,
        description="bytes each cache of fetched DID documents and status lists may hold",
    )
    canonical_hashes_kept: int = Field(
        4096,
        ge=0,
        le=1_000_000,
        description="JSON objects (credentials, presentations, proof configurations) whose "
        "canonical hashes are kept for the next verification of the same JSON (0: off)",
    )
    max_body_bytes: int = Field(1_000_000, ge=1024)
    anonymous_max_body_bytes: int = Field(
        131_072,
        ge=1024,
        description="the largest body a caller without a token may send to a verifier "
        "endpoint (a presentation of twenty certificates fits; a client's batches need not)",
    )
    clock_skew_seconds: int = Field(
        120,
        ge=0,
        le=3600,
        description="how far another party's clock may differ: JWT exp/nbf/iat, proof created",
    )
    rfc_check_digit: Literal["warn", "refuse"] = Field(
        "warn",
        description="an RFC whose check digit is not the one SAT's published algorithm gives: "
        "issue it with a RFC_CHECK_DIGIT warning (SAT has registered such RFCs) or refuse it",
    )
    trust_registry_file: Path | None = Field(
        None, description="trust registry file (issuers accredited per credential type)"
    )
    verify_requires_token: bool = Field(
        False, description="verifier endpoints need a token with scope verify:credentials"
    )
    verify_rate_per_minute: int = Field(
        600,
        ge=0,
        description="verifier requests per minute per anonymous address, and per client "
        "unless client_verify_rate_per_minute is set; 0 is off",
    )
    refusal_delay_seconds: float = Field(
        1.0,
        ge=0,
        le=10,
        description="how long a request refused before its body (429) waits for its answer: "
        "a flood that ignores Retry-After waits instead of being answered at once; 0 is off",
    )
    client_verify_rate_per_minute: int | None = Field(
        None,
        ge=0,
        description="verifier requests per minute per verify:credentials client (default: "
        "verify_rate_per_minute); 0 is off",
    )
    # Open challenges and exchanges: counted per caller in the database, so one caller (or
    # many addresses) cannot use up what a verifier's client needs.
    anonymous_open_quota: int = Field(
        20, ge=1, description="open challenges, and open exchanges, per anonymous address"
    )
    client_open_quota: int = Field(
        1_000, ge=1, description="open challenges, and open exchanges, per verifier client"
    )
    anonymous_open_limit: int = Field(
        10_000,
        ge=1,
        description="open challenges, and open exchanges, of every anonymous address together "
        "(the last resort; clients never count against it)",
    )
    anonymous_challenge_seconds: int = Field(
        120, ge=1, le=300, description="lifetime of an anonymous caller's challenge"
    )
    anonymous_exchange_seconds: int = Field(
        300, ge=1, le=86_400, description="longest lifetime of an anonymous caller's exchange"
    )
    max_presentation_bytes: int = Field(
        262_144, ge=1024, description="largest presentation an exchange keeps (UTF-8 JSON or JWT)"
    )
    exchange_retention_seconds: int = Field(
        3600, ge=0, description="how long an exchange stays readable after it expires"
    )
    purge_interval_seconds: float = Field(
        60,
        gt=0,
        le=3600,
        description="how often each process deletes what expired (challenges, exchanges past "
        "retention, idle rate buckets)",
    )
    trust_list_next_update_seconds: int = Field(
        86_400,
        ge=60,
        le=31 * 86_400,
        description="how far ahead each published trust list names its next update; a list "
        "is signed again when a quarter of that is left, or at once when its entries change",
    )
    trust_list_refresh_seconds: int = Field(
        300, ge=10, le=86_400, description="how often a subscribed trust list is fetched again"
    )
    trust_list_max_staleness_seconds: int = Field(
        86_400,
        ge=60,
        le=90 * 86_400,
        description="how long past its last confirmation (or its nextUpdate, if earlier) a "
        "subscribed list still vouches for issuers; after that the types it covers verify as "
        "'could not check'",
    )
    trust_list_poll_seconds: float = Field(
        5, gt=0, le=3600, description="how often each verifier process looks for due lists"
    )
    token_rate_per_minute: int = Field(
        60,
        ge=0,
        description="token requests per minute per client, and failed authentications (any "
        "token or secret) per minute per address; 0 is off",
    )
    issue_rate_per_minute: int = Field(
        600, ge=0, description="issuance and status changes per minute per client; 0 is off"
    )
    status_list_size: int = Field(
        131_072, ge=131_072, description="entries per status list (herd privacy minimum)"
    )
    # OpenID4VCI: an officer's credential offer, redeemed by the company's own wallet.
    openid4vci_offer_seconds: int = Field(
        600,
        ge=60,
        le=86_400,
        description="how long a credential offer's pre-authorized code can be redeemed",
    )
    openid4vci_tx_code_attempts: int = Field(
        5,
        ge=1,
        le=10,
        description="transaction codes a wallet may try for one offer before it is locked",
    )
    # Key custody: where authorities' signing keys live (software: KEK-encrypted in the
    # database; pkcs11: generated in and never leaving a PKCS#11 token).
    key_store: Literal["software", "pkcs11"] = Field(
        "software", description="authorities' key store: software or pkcs11 (an HSM token)"
    )
    pkcs11_module: Path = Field(
        Path("/usr/lib/softhsm/libsofthsm2.so"), description="the PKCS#11 module (.so) to load"
    )
    pkcs11_token_label: str = Field("vcservice", description="label of the token holding keys")
    pkcs11_pin: str | None = Field(
        None, description="the token's user PIN (dev mode only; else pkcs11_pin_file)", repr=False
    )
    pkcs11_pin_file: Path | None = Field(None, description="file holding the token's user PIN")
    pkcs11_sessions: int = Field(4, ge=1, le=64, description="sessions signing in parallel")

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _only_named_proxies(cls, value: str) -> str:
        """Refuse ``*`` and anything that is not an IP address or network.

        Under ``*`` every peer is a trusted proxy and every address in X-Forwarded-For a
        trusted hop, so the client address would be the left-most one, which the client
        writes itself: any caller could pick the address its rate limits are counted under.
        A name (``nginx``) or a network with host bits set (``10.0.0.5/24``) would
        silently match nothing, so it is refused too.
        """
        for entry in _entries(value):
            try:
                ipaddress.ip_network(entry)
            except ValueError:
                reason = (
                    "* would let every client choose the address it is rate-limited under"
                    if entry == "*"
                    else f"{entry!r} is not an IP address or network"
                )
                raise ValueError(
                    f"{reason}; name the reverse proxy's addresses or networks "
                    "(comma-separated), e.g. 127.0.0.1 or 172.30.87.0/24"
                ) from None
        return value

    @field_validator("display_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        """Refuse a time zone this machine's IANA database does not hold (at start-up,
        not on the first page shown)."""
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone, e.g. America/Tijuana") from None
        return value

    @property
    def verifier_label(self) -> str:
        """The verifier's name for people: ``verifier_name``, else PUBLIC_URL's host."""
        return self.verifier_name or urlsplit(self.public_url).netloc or self.public_url

    @property
    def trusted_proxies(self) -> list[str]:
        """The reverse proxies' addresses and networks (``forwarded_allow_ips``, split)."""
        return _entries(self.forwarded_allow_ips)

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to SQLite in the data directory."""
        return self.database_url or f"sqlite:///{self.data_dir / 'vcservice.db'}"

    @property
    def resolved_kek_file(self) -> Path:
        """Where the key-encryption key is read from (or, in dev mode, created)."""
        return self.kek_file or self.data_dir / "kek"


def _entries(forwarded_allow_ips: str) -> list[str]:
    return [entry.strip() for entry in forwarded_allow_ips.split(",") if entry.strip()]


def default_bundle_keys() -> list[str]:
    """The keys trusted to sign offline bundles: ``$VCSERVICE_BUNDLE_KEYS``, space-separated
    (``did:key``/``did:jwk`` DIDs, or files of a public JWK, a JWK Set or a DID document)."""
    return os.environ.get("VCSERVICE_BUNDLE_KEYS", "").split()
