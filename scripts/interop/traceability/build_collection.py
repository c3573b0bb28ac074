#!/usr/bin/env python3
"""Build the traceability-interop conformance collection that newman runs against vcservice.

The collection is upstream's, ``tests/conformance_suite.postman_collection.json`` of
w3c-ccg/traceability-interop, downloaded at a pinned commit when the harness runs (or read from
``--collection FILE``, a local copy); none of it is kept in this repository. On top of it goes a
small overlay of our own:

* the "Clear Cache" requests (``HEAD www.example.com``, there only to run their pre-request
  scripts) go to the service's ``/healthz`` instead, so that a run reaches no host but the
  service under test;
* a folder "vcservice additions (not upstream)": a round trip the collection lacks, verifying a
  credential the service itself issued just before the run (the ``VALID_VC`` environment
  variable, set by run.sh), and the same credential with its subject changed (verified false).

Usage: build_collection.py --out FILE [--collection FILE | --ref COMMIT]
Prints JSON on stdout: where the collection came from (URL or file, and its SHA-256) and the
issuers of the credentials its positive verify items send (``verifyIssuers``; provision.sh
accredits them in the service's trust registry, as a verifier deployment would).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import urllib.request
from pathlib import Path
from typing import Any

REPOSITORY = "w3c-ccg/traceability-interop"
PATH = "tests/conformance_suite.postman_collection.json"
# The newest version of the collection file this harness was checked against.
PINNED_COMMIT = "cf9414489098a480e2472b96925d635e27707fb2"
ADDITIONS = "vcservice additions (not upstream)"


def load(args: argparse.Namespace) -> tuple[bytes, str]:
    """The collection's bytes and where they came from."""
    if args.collection:
        return Path(args.collection).read_bytes(), str(Path(args.collection).resolve())
    base = os.environ.get("INTEROP_GITHUB_RAW", "https://raw.githubusercontent.com")
    url = f"{base}/{REPOSITORY}/{args.ref}/{PATH}"
    if not url.startswith(("https://", "http://")):
        raise SystemExit(f"INTEROP_GITHUB_RAW must be an http(s) URL, not {base!r}")
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (checked above)
        return response.read(), url


def walk(items: list[dict[str, Any]]) -> Any:
    """Every item and folder, depth first."""
    for item in items:
        yield item
        yield from walk(item.get("item", []))


def script(kind: str, lines: list[str]) -> dict[str, Any]:
    return {"listen": kind, "script": {"type": "text/javascript", "exec": lines}}


def verify_item(name: str, prepare: list[str], verified: bool) -> dict[str, Any]:
    """POST {{API_BASE_URL}}/credentials/verify with the body ``prepare`` builds; 200 and
    ``verified`` as expected."""
    return {
        "name": name,
        "event": [
            script("prerequest", prepare),
            script(
                "test",
                [
                    'pm.test("status code is 200", () => pm.response.to.have.status(200));',
                    f'pm.test("verified is {str(verified).lower()}", () =>',
                    f"  pm.expect(pm.response.json().verified).to.equal({str(verified).lower()}));",
                ],
            ),
        ],
        "request": {
            "method": "POST",
            "header": [{"key": "Content-Type", "value": "application/json"}],
            "body": {"mode": "raw", "raw": "{{requestBody}}"},
            "url": {
                "raw": "{{API_BASE_URL}}/credentials/verify",
                "host": ["{{API_BASE_URL}}"],
                "path": ["credentials", "verify"],
            },
        },
    }


def additions() -> dict[str, Any]:
    """Our own folder: the service verifies what it issued, and refuses it once changed."""
    own = 'const vc = JSON.parse(pm.environment.get("VALID_VC"));'
    send = 'pm.variables.set("requestBody", JSON.stringify({verifiableCredential: vc}));'
    return {
        "name": ADDITIONS,
        "item": [
            verify_item("credentials_verify:vcservice_issued", [own, send], verified=True),
            verify_item(
                "credentials_verify:vcservice_issued:subject_changed",
                [own, 'vc.credentialSubject.id = "did:example:changed";', send],
                verified=False,
            ),
        ],
        # the upstream utils (collection-level script): a token for the verify scope
        "event": [script("prerequest", ["utils(pm).getAccessToken('verify:credentials');"])],
        "auth": {
            "type": "bearer",
            "bearer": [{"key": "token", "value": "{{currentAccessToken}}", "type": "string"}],
        },
    }


def verify_issuers(collection: dict[str, Any]) -> list[str]:
    """The issuers of the credentials embedded in the positive /credentials/verify items."""
    issuers = []
    for folder in walk(collection["item"]):
        if folder.get("name") != "Positive Testing":
            continue
        for item in folder.get("item", []):
            raw = (item.get("request") or {}).get("body", {}).get("raw", "")
            if not item.get("name", "").startswith("credentials_verify"):
                continue
            try:
                issuer = json.loads(raw)["verifiableCredential"]["issuer"]
            except (ValueError, KeyError, TypeError):
                continue  # a templated body ({{…}}), not a credential
            issuer = issuer.get("id") if isinstance(issuer, dict) else issuer
            if isinstance(issuer, str) and issuer not in issuers:
                issuers.append(issuer)
    return issuers


def overlay(collection: dict[str, Any]) -> dict[str, Any]:
    for item in walk(collection["item"]):
        request = item.get("request")
        url = request.get("url") if isinstance(request, dict) else None
        host = url.get("host") if isinstance(url, dict) else None
        if host == ["www", "example", "com"] or url == "www.example.com":
            request["method"] = "GET"
            request["url"] = {
                "raw": "{{TOKEN_AUDIENCE}}/healthz",
                "host": ["{{TOKEN_AUDIENCE}}"],
                "path": ["healthz"],
            }
    collection["item"] = [i for i in collection["item"] if i.get("name") != ADDITIONS]
    collection["item"].append(additions())
    return collection


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, type=Path)
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--collection", help="a local copy of the upstream collection")
    source.add_argument("--ref", default=PINNED_COMMIT, help="the upstream commit to download")
    args = parser.parse_args()
    try:
        raw, origin = load(args)
    except OSError as error:  # urllib's URLError/HTTPError are OSErrors
        print(
            f"could not read the collection ({error}); offline? pass --collection FILE",
            file=sys.stderr,
        )
        return 1
    collection = json.loads(raw)
    if not isinstance(collection, dict) or not isinstance(collection.get("item"), list):
        print(f"{origin}: not a Postman collection", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(overlay(collection), indent="\t") + "\n")
    digest = hashlib.sha256(raw).hexdigest()
    print(
        json.dumps(
            {"source": origin, "sha256": digest, "verifyIssuers": verify_issuers(collection)}
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
