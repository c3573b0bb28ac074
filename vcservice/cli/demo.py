"""``vcservice demo``: the issuer's story over real HTTP, narrated.

Two authorities are seeded through the admin API (SAT for IMMEX and OEA, CBP for
C-TPAT), each gets an OAuth2 client, and one certificate of each type is issued
through the typed endpoints. The credentials are written out and verified offline
with the authorities' DID documents; a refused type, invalid data and a tampered
copy show what failure looks like.
"""

from __future__ import annotations

import copy
import json
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from vcservice.certificates import by_slug
from vcservice.cli.background import running_service
from vcservice.dids.document import DidDocument
from vcservice.dids.resolver import static_documents
from vcservice.services.core import CoreConfig, build_core
from vcservice.verification.result import VerificationResult
from vcservice.verification.verifier import Verifier

AUTHORITIES = (
    ("sat", "Servicio de Administración Tributaria", ["IMMEXCertificate", "OEACertificate"]),
    ("cbp", "U.S. Customs and Border Protection", ["CTPATCertificate"]),
)
# (authority, certificate slug, securing format, output file)
ISSUANCES = (
    ("sat", "immex", "eddsa-rdfc-2022", "immex.json"),
    ("cbp", "ctpat", "ecdsa-rdfc-2019", "ctpat.json"),
    ("sat", "oea", "eddsa-rdfc-2022", "oea.json"),
    ("cbp", "ctpat", "vc+jwt", "ctpat.vc-jwt"),
)


def run_demo(
    *, url: str | None, admin_token: str | None, out_dir: Path, context_store: Path
) -> int:
    """Run the story against ``url`` (or a service started here); 0 if all went as expected."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with (
        running_service(url, admin_token, context_store, say=_say) as target,
        httpx.Client(base_url=target.url, timeout=30) as http,
    ):
        story = _Story(http, target.admin_token)
        ok = story.run(out_dir, context_store)
    _say("\nAll steps behaved as expected." if ok else "\nSome step did NOT behave as expected.")
    return 0 if ok else 1


class _Story:
    def __init__(self, http: httpx.Client, admin_token: str) -> None:
        self.http = http
        self.admin = {"Authorization": f"Bearer {admin_token}"}
        self.tokens: dict[str, str] = {}
        self.run_id = uuid.uuid4().hex[:8]  # a rerun against the same service issues anew

    def run(self, out_dir: Path, context_store: Path) -> bool:
        _say(f"vcservice demo against {self.http.base_url}")
        for name, display_name, types in AUTHORITIES:
            self._seed(name, display_name, types)
        issued = {out: self._issue(name, slug, fmt) for name, slug, fmt, out in ISSUANCES}
        for out, credential in issued.items():
            text = credential if isinstance(credential, str) else json.dumps(credential, indent=2)
            (out_dir / out).write_text(text + "\n", encoding="utf-8")
        _say(f"\n== Written to {out_dir}: {', '.join(issued)}")
        refusals_ok = self._show_refusals()
        verifier = self._verifier(context_store)
        verified_ok = self._verify_all(verifier, issued)
        lifecycle_ok = self._show_lifecycle(verifier, issued["ctpat.json"])
        return refusals_ok and verified_ok and lifecycle_ok

    def _seed(self, name: str, display_name: str, types: list[str]) -> None:
        _say(f"\n== Authority {name}: {display_name}, may issue {', '.join(types)}")
        body = {"name": name, "displayName": display_name, "credentialTypes": types}
        created = self.http.post("/admin/authorities", json=body, headers=self.admin)
        if created.status_code == 409:
            _say("   already exists; reusing it")
        else:
            _expect(created, 201)
            _say(f"   DID {created.json()['did']}")
        client = _expect(
            self.http.post(
                f"/admin/authorities/{name}/clients",
                headers=self.admin,
                json={"scopes": ["issue:credentials", "read:credentials", "update:credentials"]},
            ),
            201,
        ).json()
        _say(f"   OAuth2 client {client['clientId']} (secret shown once, kept by the demo)")
        token = _expect(
            self.http.post(
                "/oauth/token",
                data={"grant_type": "client_credentials"},
                auth=(client["clientId"], client["clientSecret"]),
            ),
            200,
        ).json()
        _say(f"   access token for scopes: {token['scope']} ({token['expires_in']} s)")
        self.tokens[name] = token["access_token"]

    def _issue(self, authority: str, slug: str, securing_format: str, *, copy: int = 1) -> Any:
        response = self.http.post(
            f"/certificates/{slug}",
            json=_request_body(slug, securing_format),
            headers={
                "Authorization": f"Bearer {self.tokens[authority]}",
                "Idempotency-Key": f"{self.run_id}-{authority}-{slug}-{securing_format}-{copy}",
            },
        )
        credential = _expect(response, 201).json()["verifiableCredential"]
        what = credential["id"] if isinstance(credential, dict) else "a compact JWT"
        _say(f"\n== {authority} issued a certificate ({slug}) as {securing_format}: {what}")
        return credential

    def _show_refusals(self) -> bool:
        _say("\n== SAT asks to issue a C-TPAT certificate (only CBP may):")
        forbidden = self.http.post(
            "/certificates/ctpat",
            json=_request_body("ctpat", "eddsa-rdfc-2022"),
            headers={"Authorization": f"Bearer {self.tokens['sat']}"},
        )
        _say(f"   {forbidden.status_code} {forbidden.json().get('code')}")
        body = _request_body("immex", "eddsa-rdfc-2022")
        body["certificate"]["rfc"] = "EEB030821R4X"
        _say("\n== An IMMEX request with a wrong RFC check digit:")
        invalid = self.http.post(
            "/certificates/immex",
            json=body,
            headers={"Authorization": f"Bearer {self.tokens['sat']}"},
        )
        problem = invalid.json()
        _say(f"   {invalid.status_code} {problem.get('code')}: {problem.get('detail')}")
        return forbidden.status_code == 403 and invalid.status_code == 422

    def _verifier(self, context_store: Path) -> Verifier:
        """A verifier of our own: pinned contexts, the authorities' DID documents, and status
        lists read from the service as a broker's verifier would (no other network)."""
        documents = [
            DidDocument(_expect(self.http.get(f"/issuers/{name}/did.json"), 200).json())
            for name, _, _ in AUTHORITIES
        ]
        core = build_core(
            CoreConfig(store_dir=context_store),
            local_dids=static_documents(documents),
            local_status_lists=self._status_list,
        )
        return core.verifier

    def _status_list(self, url: str) -> dict[str, Any] | None:
        response = self.http.get(httpx.URL(url).path)
        return response.json() if response.status_code == 200 else None

    def _verify_all(self, verifier: Verifier, issued: dict[str, Any]) -> bool:
        _say("\n== Verifying with the DID documents, status lists and pinned contexts")
        ok = True
        for out, credential in issued.items():
            result = verifier.verify(credential)
            _report(f"   {out}:", result)
            ok = ok and result.verified
        tampered = copy.deepcopy(issued["immex.json"])
        tampered["credentialSubject"]["legalName"] += " (forged)"
        forged = verifier.verify(tampered)
        _report("   immex.json with the company name changed:", forged)
        return ok and not forged.verified

    def _show_lifecycle(self, verifier: Verifier, ctpat: dict[str, Any]) -> bool:
        _say("\n== CBP suspends the C-TPAT certificate after a security incident")
        self._set_status("cbp", ctpat["id"], "suspension", "0x1", "security incident under review")
        suspended = verifier.verify(ctpat)
        _report("   ctpat.json:", suspended)
        _say("== CBP reinstates it after the review")
        self._set_status("cbp", ctpat["id"], "suspension", "0x0", "review closed, no findings")
        reinstated = verifier.verify(ctpat)
        _report("   ctpat.json:", reinstated)
        _say("\n== SAT revokes a second OEA certificate; revocation is final")
        oea = self._issue("sat", "oea", "eddsa-rdfc-2022", copy=2)
        self._set_status("sat", oea["id"], "revocation", "0x1", "authorization cancelled")
        revoked = verifier.verify(oea)
        _report("   the second OEA certificate:", revoked)
        again = self._set_status(
            "sat", oea["id"], "suspension", "0x0", "attempt to reinstate", expected=409
        )
        _say(f"   reinstating it: {again.status_code} {again.json().get('code')}")
        codes = {problem.code for problem in suspended.problems}
        revoked_codes = {problem.code for problem in revoked.problems}
        return (
            "CREDENTIAL_SUSPENDED" in codes
            and reinstated.verified
            and "CREDENTIAL_REVOKED" in revoked_codes
        )

    def _set_status(
        self,
        authority: str,
        credential_id: str,
        purpose: str,
        status: str,
        reason: str,
        *,
        expected: int = 200,
    ) -> httpx.Response:
        body = {
            "credentialId": credential_id,
            "reason": reason,
            "credentialStatus": [
                {"type": "BitstringStatusListEntry", "statusPurpose": purpose, "status": status}
            ],
        }
        return _expect(
            self.http.post(
                "/credentials/status",
                json=body,
                headers={"Authorization": f"Bearer {self.tokens[authority]}"},
            ),
            expected,
        )


def _request_body(slug: str, securing_format: str) -> dict[str, Any]:
    example = by_slug(slug).example_request()
    valid_until = datetime.now(UTC).replace(microsecond=0) + timedelta(days=365)
    return {
        "certificate": copy.deepcopy(example),
        "validUntil": valid_until.isoformat(),
        "options": {"format": securing_format},
    }


def _expect(response: httpx.Response, status: int) -> httpx.Response:
    if response.status_code != status:
        raise SystemExit(
            f"{response.request.method} {response.request.url} answered "
            f"{response.status_code}: {response.text[:500]}"
        )
    return response


def _report(label: str, result: VerificationResult) -> None:
    verdict = "VERIFIED" if result.verified else "NOT VERIFIED"
    codes = ", ".join(sorted({problem.code for problem in result.problems}))
    _say(f"{label} {verdict}" + (f" ({codes})" if codes else ""))


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
