"""One credential verified over HTTP by vcservice and by a reference server, interleaved.

The reference is ``bench/reference_server/server.mjs``: Digital Bazaar's ``@digitalbazaar/vc``
(Data Integrity, eddsa-rdfc-2022 and ecdsa-rdfc-2019) under Node's own ``node:http``, one
process, installed from the npm registry (``npm ci`` on first use). This starts
``vcservice serve`` with one worker, seeds an authority (CBP, C-TPAT), accredits its DID in
the trust registry, issues one C-TPAT certificate, fetches the issuer's DID document and the
certificate's status list credentials from vcservice and hands them to the reference
(whose document loader is offline), then drives both servers with the same client: one
keep-alive connection per server over a raw socket, the request encoded once. ``--rounds``
rounds of ``--count`` requests to each, which goes first alternating, after a warm-up of
each. Every response must be 200 with ``"verified": true``. Prints per server the requests,
ops/s (requests / time spent waiting for responses), p50 and p99, and the ratio of ops/s.

``--no-kept-hashes`` starts vcservice with ``VCSERVICE_CANONICAL_HASHES_KEPT=0``: each
request canonicalizes the credential again, as for a credential it has not seen before (the
reference never keeps anything). ``--credential minimal`` compares the two on the W3C data
model alone instead: a credential with only the VC 2.0 context, signed here
(eddsa-rdfc-2022) by a did:key that vcservice's trust registry accredits, without status
entries or schema. That is where the HTTP path's own
cost shows; the certificate's contexts make most of the reference's time JSON-LD work.

By default the reference checks the proof and the library's own shape and date checks;
``--reference-status`` adds the credential's BitstringStatusListEntry status through
``@digitalbazaar/vc-bitstring-status-list`` (``each``: every list credential verified on every
request, the library's default; ``once``: verified at the reference's startup, as vcservice
keeps the lists it has verified). vcservice runs every check it has (issuer trust included).

Run: .venv/bin/python bench/bench_http_compare.py [--count N] [--rounds R] [--warmup W]
     [--database-url URL] [--reference-status [each|once]] [--credential certificate|minimal]
"""

from __future__ import annotations

import argparse
import json
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_load import _certificate_body
from seeding import authority_with_token, benchmarked_service
from timing import Measurement

from vcservice.dids.methods.web import did_web_document_url
from vcservice.keys import KeyFile, KeyPair, KeyType
from vcservice.services.core import CoreConfig, build_core
from vcservice.services.signing import secure_credential
from vcservice.settings import default_context_store

REFERENCE_DIR = Path(__file__).resolve().parent / "reference_server"
VERIFY_PATH = "/credentials/verify"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
STARTUP_SECONDS = 30.0
RECEIVE_BYTES = 1 << 16


# ---------------------------------------------------------------- the credential


def issue_certificate(http: httpx.Client, admin_token: str) -> dict[str, Any]:
    """An accredited CBP authority's C-TPAT certificate, issued by the service."""
    did, headers = authority_with_token(http, admin_token, "cbp", ["CTPATCertificate"])
    accreditation = {"id": did, "name": "CBP", "credentialTypes": ["CTPATCertificate"]}
    admin = {"Authorization": f"Bearer {admin_token}"}
    http.post("/admin/trust-registry/issuers", json=accreditation, headers=admin).raise_for_status()
    issued = http.post("/certificates/ctpat", json=_certificate_body(), headers=headers)
    credential: dict[str, Any] = issued.raise_for_status().json()["verifiableCredential"]
    return credential


def minimal_credential(http: httpx.Client, admin_token: str) -> tuple[dict[str, Any], Any]:
    """A VC 2.0 credential signed here by a new did:key that the service accredits, and the
    did:key's DID document (for the reference's loader)."""
    key = KeyFile(KeyPair.generate(KeyType.ED25519))
    did = key.verification_method.split("#")[0]
    accreditation = {"id": did, "name": "Minimal issuer", "credentialTypes": ["CTPATCertificate"]}
    admin = {"Authorization": f"Bearer {admin_token}"}
    http.post("/admin/trust-registry/issuers", json=accreditation, headers=admin).raise_for_status()
    unsigned = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:7f1e2a54-8b0c-4c1e-9d3a-2b6f0e8c4a11",
        "type": ["VerifiableCredential"],
        "issuer": did,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:web:ensambles-bravo.example", "name": "Ensambles"},
    }
    core = build_core(CoreConfig(store_dir=default_context_store()))
    try:
        signed = secure_credential(
            core,
            unsigned,
            signer=key.signer(),
            securing_format="eddsa-rdfc-2022",
            now=datetime.now(UTC),
        )
        document = core.resolver.resolve(did).data
    finally:
        core.http.close()
    assert isinstance(signed, dict)
    return signed, document


def status_entries(credential: dict[str, Any]) -> list[dict[str, Any]]:
    """The credential's ``credentialStatus`` entries (one object or a list)."""
    status = credential.get("credentialStatus", [])
    return status if isinstance(status, list) else [status]


def issuer_did(credential: dict[str, Any]) -> str:
    """The credential's issuer DID (``issuer`` is a string or an object with an id)."""
    issuer = credential["issuer"]
    return str(issuer["id"] if isinstance(issuer, dict) else issuer)


def served_url(service_url: str, did: str) -> str:
    """Where this service serves the document of ``did``: its did:web https URL, over the
    service's own scheme (a development service answers plain http on localhost)."""
    document_url = urlsplit(did_web_document_url(did))
    service = urlsplit(service_url)
    if document_url.netloc != service.netloc:
        raise SystemExit(f"{did} is not served by the service at {service_url}")
    return urlunsplit((service.scheme, *document_url[1:]))


def preload_documents(
    http: httpx.Client, credential: dict[str, Any], did_document: Any = None
) -> dict[str, Any]:
    """``{url: document}`` for the reference's loader: the issuer's DID document (fetched from
    the service unless given), each of its verification methods (with the Multikey context)
    and each status list credential."""
    did = issuer_did(credential)
    if did_document is None:
        did_document = _get_json(http, served_url(str(http.base_url), did))
    if did_document.get("id") != did:
        raise SystemExit(f"the DID document of {did} has id {did_document.get('id')!r}")
    documents = {did: did_document}
    for method in did_document.get("verificationMethod", []):
        documents[method["id"]] = {"@context": MULTIKEY_CONTEXT, **method}
    for entry in status_entries(credential):
        url = entry["statusListCredential"]
        documents[url] = _get_json(http, url)
    return documents


def _get_json(http: httpx.Client, url: str) -> dict[str, Any]:
    response = http.get(url)
    if response.status_code != 200:
        raise SystemExit(f"GET {url}: {response.status_code} {response.text[:300]}")
    document: dict[str, Any] = response.json()
    return document


# ---------------------------------------------------------------- the reference server


def ensure_reference_installed() -> None:
    """``npm ci`` in bench/reference_server when its node_modules is missing."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not on PATH: the reference server needs Node.js and npm")
    if (REFERENCE_DIR / "node_modules").is_dir():
        return
    print(f"installing the reference server's packages (npm ci in {REFERENCE_DIR})")
    installed = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund"], cwd=REFERENCE_DIR, check=False
    )
    if installed.returncode != 0:
        raise SystemExit(f"npm ci failed in {REFERENCE_DIR} (exit {installed.returncode})")


def reference_arguments(preload: Path, status_mode: str | None) -> list[str]:
    """The command line of the reference server on a free port."""
    arguments = [
        "node",
        str(REFERENCE_DIR / "server.mjs"),
        "--preload",
        str(preload),
        "--context-store",
        str(default_context_store()),
        "--port",
        "0",
    ]
    if status_mode is not None:
        arguments += ["--check-status", "--status-lists", status_mode]
    return arguments


@contextmanager
def reference_server(preload: Path, status_mode: str | None) -> Iterator[str]:
    """The reference server, started on a free port: its URL; stopped when the block ends.

    Its standard error goes to ``reference.log`` next to ``preload``."""
    log_path = preload.with_name("reference.log")
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            reference_arguments(preload, status_mode),
            stdout=subprocess.PIPE,
            stderr=log,
            stdin=subprocess.DEVNULL,
            text=True,
        )
    try:
        yield _announced_url(process, log_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _announced_url(process: subprocess.Popen[str], log_path: Path) -> str:
    """The URL in the server's ``listening on URL`` line, waiting for it to be printed."""
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], STARTUP_SECONDS)
    line = process.stdout.readline() if ready else ""
    if not line.startswith("listening on "):
        process.kill()
        process.wait()
        errors = log_path.read_text(encoding="utf-8")[-3000:]
        raise SystemExit(f"the reference server did not start:\n{line}{errors}")
    return line.removeprefix("listening on ").strip()


# ---------------------------------------------------------------- the client


class KeepAliveClient:
    """One HTTP/1.1 keep-alive connection that sends one pre-encoded POST, again and again.

    TCP_NODELAY, the request's bytes built once, the response read by its Content-Length.
    A connection the server closed while idle (between batches: uvicorn drops idle ones after
    5 s) is opened again before the next batch, outside any timing, and counted.
    """

    def __init__(self, name: str, url: str, path: str, body: bytes) -> None:
        parts = urlsplit(url)
        self.name = name
        self._address = (parts.hostname or "localhost", parts.port or 80)
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            "Content-Type: application/json\r\nAccept: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        self._request = head.encode() + body
        self._socket: socket.socket | None = None
        self._buffer = bytearray()
        self.connections = 0

    def ensure_open(self) -> None:
        """Connect, unless the connection is open and the server has not closed it."""
        if self._socket is not None and not self._closed_by_peer(self._socket):
            return
        self.close()
        self._socket = socket.create_connection(self._address)
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.connections += 1

    @staticmethod
    def _closed_by_peer(sock: socket.socket) -> bool:
        readable, _, _ = select.select([sock], [], [], 0)
        return bool(readable) and sock.recv(1, socket.MSG_PEEK) == b""

    def exchange(self) -> tuple[int, bytes]:
        """Send the request and read the response: its status and body."""
        assert self._socket is not None, "ensure_open() first"
        self._socket.sendall(self._request)
        while (end := self._buffer.find(b"\r\n\r\n")) < 0:
            self._receive()
        status, length = _parse_head(bytes(self._buffer[:end]), self.name)
        del self._buffer[: end + 4]
        while len(self._buffer) < length:
            self._receive()
        body = bytes(self._buffer[:length])
        del self._buffer[:length]
        return status, body

    def _receive(self) -> None:
        assert self._socket is not None
        chunk = self._socket.recv(RECEIVE_BYTES)
        if not chunk:
            raise SystemExit(f"{self.name} closed the connection in the middle of a response")
        self._buffer += chunk

    def close(self) -> None:
        """Close the connection (if open)."""
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        self._buffer.clear()


def _parse_head(head: bytes, name: str) -> tuple[int, int]:
    """The status and Content-Length of a response head (chunked bodies are refused)."""
    status_line, *lines = head.split(b"\r\n")
    headers = {}
    for line in lines:
        key, _, value = line.partition(b":")
        headers[key.strip().lower()] = value.strip()
    if b"content-length" not in headers:
        raise SystemExit(f"{name} answered without Content-Length: {head.decode(errors='replace')}")
    return int(status_line.split()[1]), int(headers[b"content-length"])


def require_verified(name: str, status: int, body: bytes) -> dict[str, Any]:
    """The response's JSON, which must be a 200 with ``"verified": true``."""
    try:
        result = json.loads(body)
    except ValueError:
        result = None
    if status != 200 or not isinstance(result, dict) or result.get("verified") is not True:
        raise SystemExit(f"{name} did not verify the credential: {status} {body[:2000]!r}")
    return result


def batch(client: KeepAliveClient, count: int) -> list[float]:
    """``count`` requests in sequence on the client's connection: their latencies."""
    client.ensure_open()
    latencies = []
    for _ in range(count):
        start = time.perf_counter()
        status, body = client.exchange()
        latencies.append(time.perf_counter() - start)
        require_verified(client.name, status, body)
    return latencies


# ---------------------------------------------------------------- the comparison


def interleaved(
    clients: tuple[KeepAliveClient, KeepAliveClient], rounds: int, count: int
) -> dict[str, list[list[float]]]:
    """``rounds`` rounds of a batch of ``count`` on each client, alternating which goes
    first: each client's latencies, by round."""
    by_client: dict[str, list[list[float]]] = {client.name: [] for client in clients}
    for number in range(rounds):
        order = clients if number % 2 == 0 else clients[::-1]
        for client in order:
            by_client[client.name].append(batch(client, count))
        row = "   ".join(
            f"{name} {len(runs[-1]) / sum(runs[-1]):7.1f}/s" for name, runs in by_client.items()
        )
        print(f"  round {number + 1:>2} ({order[0].name} first): {row}")
    return by_client


def report(by_client: dict[str, list[list[float]]], connections: dict[str, int]) -> None:
    """Requests, ops/s, p50 and p99 of each client over all rounds; the ratio of ops/s."""
    rows = {
        name: Measurement(name, [latency for run in runs for latency in run])
        for name, runs in by_client.items()
    }
    for name, row in rows.items():
        print(f"{row.row()}   connections={connections[name]}")
    vcservice, reference = rows["vcservice"], rows["reference"]
    ratio = vcservice.ops_per_second / reference.ops_per_second
    per_round = [
        (len(ours) / sum(ours)) / (len(theirs) / sum(theirs))
        for ours, theirs in zip(by_client["vcservice"], by_client["reference"], strict=True)
    ]
    print(
        f"ratio vcservice/reference ops/s: {ratio:.2f}  "
        f"(per round {min(per_round):.2f}–{max(per_round):.2f})"
    )


def describe_checks(vcservice_result: dict[str, Any], reference_result: dict[str, Any]) -> None:
    """What each server checked, from one of its answers."""
    checks = ", ".join(
        f"{check['check']} ({check['outcome']})" for check in vcservice_result["checks"]
    )
    print(f"vcservice checked: {checks}")
    reference_checks = ", ".join(reference_result["checks"])
    print(f"reference checked: {reference_checks} (+ @digitalbazaar/vc shape and date checks)")


def reference_versions() -> str:
    """The reference's pinned packages, and Node's version."""
    manifest = json.loads((REFERENCE_DIR / "package.json").read_text(encoding="utf-8"))
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True)
    pinned = ", ".join(
        f"{name.removeprefix('@digitalbazaar/')} {version}"
        for name, version in manifest["dependencies"].items()
        if name.startswith("@digitalbazaar/")
    )
    return f"Node {node.stdout.strip()}; {pinned}"


def run(args: argparse.Namespace) -> None:
    """Set up both servers on one credential and compare them."""
    with (
        benchmarked_service(1, args.database_url) as target,
        httpx.Client(base_url=target.url, timeout=60) as http,
        tempfile.TemporaryDirectory(prefix="vcservice-compare-") as scratch,
    ):
        did_document = None
        if args.credential == "minimal":
            credential, did_document = minimal_credential(http, target.admin_token)
        else:
            credential = issue_certificate(http, target.admin_token)
        entries = status_entries(credential)
        purposes = ", ".join(entry.get("statusPurpose", "?") for entry in entries)
        print(f"credential: {credential['proof']['cryptosuite']} by {issuer_did(credential)}")
        print(f"  credentialStatus: {len(entries)} entries ({purposes})")
        preload = Path(scratch) / "preload.json"
        documents = preload_documents(http, credential, did_document)
        preload.write_text(json.dumps(documents), encoding="utf-8")
        with reference_server(preload, args.reference_status) as reference_url:
            compare(target.url, reference_url, credential, args)


def compare(
    vcservice_url: str,
    reference_url: str,
    credential: dict[str, Any],
    args: argparse.Namespace,
) -> None:
    """Warm both up, say what each checks, then the interleaved rounds and the report."""
    body = json.dumps({"verifiableCredential": credential}).encode()
    clients = (
        KeepAliveClient("vcservice", vcservice_url, VERIFY_PATH, body),
        KeepAliveClient("reference", reference_url, VERIFY_PATH, body),
    )
    try:
        answers = []
        for client in clients:
            batch(client, args.warmup)
            client.ensure_open()
            answers.append(require_verified(client.name, *client.exchange()))
        describe_checks(*answers)
        print(
            f"\nPOST {VERIFY_PATH}: {args.rounds} rounds × {args.count} requests each, "
            f"one keep-alive connection per server, after {args.warmup} warm-up requests"
        )
        by_client = interleaved(clients, args.rounds, args.count)
    finally:
        for client in clients:
            client.close()
    report(by_client, {client.name: client.connections for client in clients})


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=200, help="requests per server per round")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=50, help="requests per server first")
    parser.add_argument("--database-url", help="vcservice's database (default SQLite)")
    parser.add_argument(
        "--no-kept-hashes",
        action="store_true",
        help="vcservice keeps no canonical hashes (VCSERVICE_CANONICAL_HASHES_KEPT=0): "
        "every request canonicalizes, as it would for credentials it has not seen",
    )
    parser.add_argument(
        "--credential",
        choices=("certificate", "minimal"),
        default="certificate",
        help="an issued C-TPAT certificate, or a VC 2.0-only credential of a did:key",
    )
    parser.add_argument(
        "--reference-status",
        nargs="?",
        const="each",
        choices=("each", "once"),
        help="the reference also checks status; its lists verified on each request or once",
    )
    args = parser.parse_args()
    if args.no_kept_hashes:
        os.environ["VCSERVICE_CANONICAL_HASHES_KEPT"] = "0"
    ensure_reference_installed()
    status = (
        f"proof + status (lists verified {args.reference_status})"
        if args.reference_status
        else "proof"
    )
    print(
        f"vcservice (1 uvicorn worker, {args.database_url or 'SQLite'}, canonical hashes "
        f"{'not kept' if args.no_kept_hashes else 'kept'}) vs reference "
        f"({reference_versions()}; node:http, one process; checks {status})"
    )
    run(args)


if __name__ == "__main__":
    main()
