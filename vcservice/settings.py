"""All configuration in one place, from ``VCSERVICE_*`` environment variables or arguments.

Defaults suit a developer's machine (``dev_mode``); outside dev mode the service refuses
to start without an explicit key-encryption key and public URL.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

Role = Literal["all", "issuer", "holder", "verifier"]


def default_context_store() -> Path:
    """Installed contexts: ``$VCSERVICE_CONTEXT_STORE`` or the user's data directory."""
    configured = os.environ.get("VCSERVICE_CONTEXT_STORE")
    if configured:
        return Path(configured)
    data_home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data_home) / "vcservice" / "contexts"


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
    verify_page_url: str | None = Field(
        None, description="the verify page printed QR codes link to; default PUBLIC_URL/verify"
    )
    context_store: Path = Field(default_factory=default_context_store)
    kek: str | None = Field(
        None, description="key-encryption key, base64url of 32 bytes", repr=False
    )
    kek_file: Path | None = Field(None, description="file holding the key-encryption key")
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
    forwarded_allow_ips: str = Field(
        "127.0.0.1",
        description="proxies whose X-Forwarded-For names the client (comma-separated, or *)",
    )
    remote_cache_seconds: float = Field(
        300,
        ge=0,
        le=86_400,
        description="longest reuse of a fetched DID document or status list (0: refetch)",
    )
    max_body_bytes: int = Field(1_000_000, ge=1024)
    clock_skew_seconds: int = Field(
        120,
        ge=0,
        le=3600,
        description="how far another party's clock may differ: JWT exp/nbf/iat, proof created",
    )
    trust_registry_file: Path | None = Field(
        None, description="trust registry file (issuers accredited per credential type)"
    )
    verify_requires_token: bool = Field(
        False, description="verifier endpoints need a token with scope verify:credentials"
    )
    verify_rate_per_minute: int = Field(
        600, ge=0, description="verifier requests per minute per client or address; 0 is off"
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
        description="how often a verifier deletes expired challenges and exchanges past retention",
    )
    token_rate_per_minute: int = Field(
        60,
        ge=0,
        description="token requests per minute per client, and failed client authentications "
        "per minute per address; 0 is off",
    )
    issue_rate_per_minute: int = Field(
        600, ge=0, description="issuance and status changes per minute per client; 0 is off"
    )
    status_list_size: int = Field(
        131_072, ge=131_072, description="entries per status list (herd privacy minimum)"
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

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to SQLite in the data directory."""
        return self.database_url or f"sqlite:///{self.data_dir / 'vcservice.db'}"

    @property
    def resolved_kek_file(self) -> Path:
        """Where the key-encryption key is read from (or, in dev mode, created)."""
        return self.kek_file or self.data_dir / "kek"
