"""Settings refuse what would make the service trust a client's own word for its address;
the RFC check digit is a warning unless set to refuse (issue 16)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from vcservice.settings import Settings


@pytest.mark.parametrize(
    ("value", "proxies"),
    [
        ("127.0.0.1", ["127.0.0.1"]),
        (" 172.30.87.10 , 10.0.0.0/8,::1 ", ["172.30.87.10", "10.0.0.0/8", "::1"]),
        ("", []),
    ],
    ids=["default", "several", "none"],
)
def test_trusted_proxies_are_addresses_and_networks(value: str, proxies: list[str]) -> None:
    assert Settings(forwarded_allow_ips=value).trusted_proxies == proxies


def test_the_default_trusts_only_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VCSERVICE_FORWARDED_ALLOW_IPS", raising=False)
    assert Settings().trusted_proxies == ["127.0.0.1"]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("*", "* would let every client choose the address it is rate-limited under"),
        ("127.0.0.1,*", "* would let every client choose"),
        ("nginx", "'nginx' is not an IP address or network"),
        ("172.30.87.10/24", "'172.30.87.10/24' is not an IP address or network"),
    ],
    ids=["star", "star-in-a-list", "host-name", "host-bits"],
)
def test_anything_else_is_refused_naming_the_remedy(value: str, reason: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        Settings(forwarded_allow_ips=value)
    (problem,) = excinfo.value.errors()
    assert problem["loc"] == ("forwarded_allow_ips",)
    assert reason in problem["msg"]
    assert "name the reverse proxy's addresses or networks" in problem["msg"]


def test_the_environment_is_checked_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VCSERVICE_FORWARDED_ALLOW_IPS", "*")
    with pytest.raises(ValidationError, match="forwarded_allow_ips"):
        Settings()


def test_an_rfc_check_digit_warns_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VCSERVICE_RFC_CHECK_DIGIT", raising=False)
    assert Settings().rfc_check_digit == "warn"
    monkeypatch.setenv("VCSERVICE_RFC_CHECK_DIGIT", "refuse")
    assert Settings().rfc_check_digit == "refuse"


@pytest.mark.parametrize("value", ["ignore", "Refuse", ""])
def test_the_rfc_check_digit_is_warn_or_refuse(value: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        Settings(rfc_check_digit=value)
    (problem,) = excinfo.value.errors()
    assert problem["loc"] == ("rfc_check_digit",)
