"""docker-compose.yml is valid, its services run the same `vcservice serve` the tests run, and
they believe X-Forwarded-For from the proxy alone."""

from __future__ import annotations

import ipaddress
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from vcservice.cli.main import _parser
from vcservice.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
ENVIRONMENT = {
    "POSTGRES_PASSWORD": "secret",
    "ISSUER_HOST": "emisor.aduanas.example",
    "HOLDER_HOST": "cartera.aduanas.example",
    "VERIFIER_HOST": "verificador.aduanas.example",
    "ISSUER_KEK": "a" * 43,
    "HOLDER_KEK": "b" * 43,
    "VERIFIER_KEK": "c" * 43,
    "SECRET_DIGEST_KEY": "d" * 43,
}


def _compose() -> list[str]:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
    if shutil.which("docker") and probe.returncode == 0:
        return ["docker", "compose"]
    if os.environ.get("VCSERVICE_TEST_REQUIRE_COMPOSE"):
        pytest.fail("docker-compose is required here (scripts/test.sh installs it)")
    pytest.skip("neither `docker compose` nor `docker-compose` is installed")


def _config(environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in ENVIRONMENT}
    return subprocess.run(
        [*_compose(), "-f", str(ROOT / "docker-compose.yml"), "config"],
        capture_output=True,
        text=True,
        env=env | environment,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_the_compose_file_validates_and_runs_each_role() -> None:
    finished = _config(ENVIRONMENT)
    assert finished.returncode == 0, finished.stderr
    config = yaml.safe_load(finished.stdout)
    services = config["services"]
    assert set(services) == {"postgres", "issuer", "holder", "verifier", "proxy"}
    for role in ("issuer", "holder", "verifier"):
        command = services[role]["command"]
        arguments = _parser().parse_args(command)
        assert (arguments.command, arguments.role) == ("serve", role)
        assert arguments.workers >= 2
        environment = services[role]["environment"]
        assert environment["VCSERVICE_DEV_MODE"] == "false"
        assert (
            environment["VCSERVICE_PUBLIC_URL"] == f"https://{ENVIRONMENT[f'{role.upper()}_HOST']}"
        )
        assert environment["VCSERVICE_DATABASE_URL"].startswith("postgresql://vcservice:secret@")


@pytest.mark.parametrize(
    "network",
    [{}, {"PROXY_SUBNET": "10.77.0.0/16", "PROXY_ADDRESS": "10.77.3.4"}],
    ids=["default", "chosen"],
)
def test_the_services_trust_only_the_proxys_fixed_address(network: dict[str, str]) -> None:
    """X-Forwarded-For is believed from the proxy's own address alone, never from ``*``."""
    finished = _config(ENVIRONMENT | network)
    assert finished.returncode == 0, finished.stderr
    config = yaml.safe_load(finished.stdout)
    (subnet,) = (pool["subnet"] for pool in config["networks"]["default"]["ipam"]["config"])
    proxy = config["services"]["proxy"]["networks"]["default"]["ipv4_address"]
    assert ipaddress.ip_address(proxy) in ipaddress.ip_network(subnet)
    assert (subnet, proxy) == (
        network.get("PROXY_SUBNET", "172.30.87.0/24"),
        network.get("PROXY_ADDRESS", "172.30.87.10"),
    )
    for role in ("issuer", "holder", "verifier"):
        trusted = config["services"][role]["environment"]["VCSERVICE_FORWARDED_ALLOW_IPS"]
        assert trusted == proxy != "*"
        assert Settings(forwarded_allow_ips=trusted).trusted_proxies == [proxy]


def test_a_missing_secret_stops_the_compose_file() -> None:
    finished = _config({key: value for key, value in ENVIRONMENT.items() if key != "ISSUER_KEK"})
    assert finished.returncode != 0
    assert "ISSUER_KEK" in finished.stderr
