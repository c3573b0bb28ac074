"""A real nginx configured from the shipped ``deploy/nginx.conf.template``, on loopback.

The template is rendered as the nginx image renders it (``${…}`` from the environment),
with only what the compose network provides changed for loopback: the upstreams point at
one test service, nginx listens on a free loopback port, and the TLS files are a throwaway
self-signed certificate. Every other line, the ``proxy_set_header`` ones included, is the
shipped file's.

Without nginx the tests using it skip, or fail when ``VCSERVICE_TEST_REQUIRE_NGINX=1``
(``scripts/test.sh`` installs Debian's ``nginx`` and sets it).
"""

from __future__ import annotations

import datetime
import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

TEMPLATE = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf.template"
HOSTS = {
    "ISSUER_HOST": "emisor.aduanas.example",
    "HOLDER_HOST": "cartera.aduanas.example",
    "VERIFIER_HOST": "verificador.aduanas.example",
}
# Debian's temporary-file directories are under /var/lib/nginx; these keep nginx in its prefix.
TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def nginx_binary() -> str:
    """The nginx executable (skip, or fail where ``VCSERVICE_TEST_REQUIRE_NGINX=1``)."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if found:
        return found
    if os.environ.get("VCSERVICE_TEST_REQUIRE_NGINX") == "1":
        pytest.fail("nginx is required here (scripts/test.sh installs Debian's nginx)")
    pytest.skip("nginx is not installed (Debian: apt-get install nginx)")


def render(template: str, *, upstream: str, listen: str, tls: Path) -> str:
    """The template as the nginx image renders it, pointed at ``upstream`` on loopback."""
    rendered = re.sub(r"\$\{(\w+)\}", lambda name: HOSTS[name[1]], template)
    for pattern, replacement in (
        (r"server (issuer|holder|verifier):8080;", f"server {upstream};"),
        (r"listen 8443 ssl;", f"listen {listen} ssl;"),
        (r"/etc/nginx/tls/", f"{tls}/"),
    ):
        rendered, count = re.subn(pattern, replacement, rendered)
        assert count, f"the template no longer has {pattern!r}: update tests/integration/nginx.py"
    return rendered


@contextmanager
def run_nginx(binary: str, directory: Path, *, upstream: str, port: int) -> Iterator[str]:
    """nginx in front of ``upstream`` (host:port), until the block ends; yields its https URL."""
    tls = directory / "tls"
    tls.mkdir(parents=True)
    _self_signed(tls, list(HOSTS.values()))
    listen = f"127.0.0.1:{port}"
    site = render(TEMPLATE.read_text(), upstream=upstream, listen=listen, tls=tls)
    (directory / "default.conf").write_text(site)
    temp = "".join(f"    {name}_temp_path {directory / name};\n" for name in TEMP_PATHS)
    (directory / "nginx.conf").write_text(
        "worker_processes 1;\nevents { worker_connections 64; }\n"
        f"http {{\n    access_log off;\n{temp}    include {directory / 'default.conf'};\n}}\n"
    )
    directives = f"daemon off; pid {directory / 'nginx.pid'}; error_log {directory / 'error.log'};"
    # Before nginx opens error.log (a bad configuration, say), it writes to stderr.
    with (directory / "stderr.log").open("w") as output:
        process = subprocess.Popen(
            [binary, "-p", str(directory), "-c", "nginx.conf", "-g", directives],
            stdout=output,
            stderr=output,
        )
    try:
        _wait_for_listener(listen, process, directory)
        yield f"https://{listen}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_for_listener(listen: str, process: subprocess.Popen[bytes], directory: Path) -> None:
    host, port = listen.rsplit(":", 1)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            logs = [directory / name for name in ("stderr.log", "error.log")]
            raise AssertionError(
                "nginx exited: " + "".join(p.read_text() for p in logs if p.exists())
            )
        try:
            socket.create_connection((host, int(port)), timeout=1).close()
        except OSError:
            time.sleep(0.05)
        else:
            return
    raise AssertionError("nginx did not listen within 20 s")


def _self_signed(directory: Path, names: list[str]) -> None:
    """fullchain.pem and privkey.pem: a throwaway certificate for ``names``."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), False)
        .sign(key, hashes.SHA256())
    )
    (directory / "fullchain.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (directory / "privkey.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
