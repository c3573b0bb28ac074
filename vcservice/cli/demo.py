"""``vcservice demo``: issuer → holder → verifier over real HTTP, narrated.

Three processes play the three roles (or one service at ``--url`` plays them all). Two
authorities are seeded on the issuer (SAT for IMMEX and OEA, CBP for C-TPAT), and a third
that no verifier accredits. The broker's verifier accredits SAT and CBP and defines a
workflow for "C-TPAT or OEA under mutual recognition"; the broker's app signs in to it with
a ``verify:credentials`` token (a client of the brokerage) to start exchanges and verify,
as a real deployment's would, and is the only one allowed to. A shipper's wallet (the holder)
gets a did:web; the authorities issue its certificates to that DID; the wallet keeps
them, answers the broker's exchange with a presentation, and the broker reads the
verdict. Then what must fail does: a replayed presentation, a certificate from the
unaccredited issuer, a tampered copy, a suspended and a revoked certificate.
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
from vcservice.cli.background import Deployment, running_deployment

AUTHORITIES = (
    ("sat", "Servicio de Administración Tributaria", ["IMMEXCertificate", "OEACertificate"]),
    ("cbp", "U.S. Customs and Border Protection", ["CTPATCertificate"]),
)
UNACCREDITED = ("agencia-apocrifa", "Agencia Apócrifa de Comercio", ["IMMEXCertificate"])
# The customs brokerage whose app uses the verifier: it issues nothing.
BROKERAGE: tuple[str, str, list[str]] = ("agencia-aduanal-norte", "Agencia Aduanal del Norte", [])
ISSUING_SCOPES = ["issue:credentials", "read:credentials", "update:credentials"]
# (authority, certificate slug, securing format, output file)
ISSUANCES = (
    ("sat", "immex", "eddsa-rdfc-2022", "immex.json"),
    ("cbp", "ctpat", "ecdsa-rdfc-2019", "ctpat.json"),
    ("sat", "oea", "eddsa-rdfc-2022", "oea.json"),
    ("cbp", "ctpat", "vc+jwt", "ctpat.vc-jwt"),
)
SHIPPER = "maquiladora-norte"
CROSSING = "aduana-nuevo-laredo.example"
WORKFLOW = {
    "id": "reconocimiento-mutuo",
    "name": "C-TPAT u OEA (reconocimiento mutuo)",
    "acceptedCredentialTypes": ["CTPATCertificate", "OEACertificate"],
    "domain": CROSSING,
}


def run_demo(
    *,
    url: str | None,
    admin_token: str | None,
    out_dir: Path,
    context_store: Path,
    database_url: str | None = None,
) -> int:
    """Run the story against ``url`` (or three role processes started here); 0 if all
    went as expected."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with running_deployment(
        url, admin_token, context_store, database_url=database_url, say=_say
    ) as deployment:
        story = _Story(deployment)
        try:
            ok = story.run(out_dir)
        finally:
            story.close()
    _say("\nAll steps behaved as expected." if ok else "\nSome step did NOT behave as expected.")
    return 0 if ok else 1


class _Role:
    """One role's HTTP client and admin header."""

    def __init__(self, url: str, admin_token: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=30)
        self.admin = {"Authorization": f"Bearer {admin_token}"}


class _Story:
    def __init__(self, deployment: Deployment) -> None:
        self.issuer = _Role(deployment.issuer.url, deployment.issuer.admin_token)
        self.holder = _Role(deployment.holder.url, deployment.holder.admin_token)
        self.verifier = _Role(deployment.verifier.url, deployment.verifier.admin_token)
        self.tokens: dict[str, str] = {}
        self.dids: dict[str, str] = {}
        self.wallet: dict[str, str] = {}
        self.broker: dict[str, str] = {}  # the broker's app: its verify:credentials token
        self.run_id = uuid.uuid4().hex[:8]  # a rerun against the same service issues anew

    def close(self) -> None:
        for role in (self.issuer, self.holder, self.verifier):
            role.http.close()

    def run(self, out_dir: Path) -> bool:
        _say(
            f"\nvcservice demo: issuer {self.issuer.http.base_url}, holder "
            f"{self.holder.http.base_url}, verifier {self.verifier.http.base_url}"
        )
        for name, display_name, types in (*AUTHORITIES, UNACCREDITED):
            self._seed(name, display_name, types)
        self._set_up_verifier()
        holder_did = self._create_holder()
        issued = {
            out: self._issue(name, slug, fmt, holder_did) for name, slug, fmt, out in ISSUANCES
        }
        for out, credential in issued.items():
            text = credential if isinstance(credential, str) else json.dumps(credential, indent=2)
            (out_dir / out).write_text(text + "\n", encoding="utf-8")
        _say(f"\n== Written to {out_dir}: {', '.join(issued)}")
        checks = [
            self._show_refusals(),
            self._store_in_wallet(issued),
            self._verify_all(issued),
            self._exchange(out_dir),
            self._untrusted_issuer(holder_did),
            self._lifecycle(issued["ctpat.json"], holder_did),
        ]
        return all(checks)

    # ------------------------------------------------------------ set-up

    def _seed(self, name: str, display_name: str, types: list[str]) -> None:
        _say(f"\n== Issuer: authority {name} ({display_name}) may issue {', '.join(types)}")
        self.dids[name] = self._organisation(name, display_name, types)
        _say(f"   DID {self.dids[name]}")
        self.tokens[name] = self._client_token(name, ISSUING_SCOPES, self.issuer)

    def _organisation(self, name: str, display_name: str, types: list[str]) -> str:
        """Create the authority (or reuse it on a rerun); its DID."""
        http, admin = self.issuer.http, self.issuer.admin
        body = {"name": name, "displayName": display_name, "credentialTypes": types}
        created = http.post("/admin/authorities", json=body, headers=admin)
        if created.status_code == 409:
            _say("   already exists; reusing it")
            created = _expect(http.get(f"/admin/authorities/{name}", headers=admin), 200)
        else:
            _expect(created, 201)
        return str(created.json()["did"])

    def _client_token(self, name: str, scopes: list[str], signer: _Role) -> str:
        """A new OAuth2 client of ``name`` (made on the issuer's admin API) and an access
        token for it from ``signer``'s token endpoint."""
        client = _expect(
            self.issuer.http.post(
                f"/admin/authorities/{name}/clients",
                headers=self.issuer.admin,
                json={"scopes": scopes},
            ),
            201,
        ).json()
        token = _expect(
            signer.http.post(
                "/oauth/token",
                data={"grant_type": "client_credentials"},
                auth=(client["clientId"], client["clientSecret"]),
            ),
            200,
        ).json()
        _say(f"   OAuth2 client {client['clientId']}; token for {token['scope']}")
        return str(token["access_token"])

    def _set_up_verifier(self) -> None:
        http, admin = self.verifier.http, self.verifier.admin
        _say("\n== Verifier (the broker's): its app's access, trust registry and workflow")
        brokerage, brokerage_name, _ = BROKERAGE
        self._organisation(*BROKERAGE)
        _say(f"   the broker's app signs in as a client of {brokerage_name}, from the verifier:")
        token = self._client_token(brokerage, ["verify:credentials"], self.verifier)
        self.broker = {"Authorization": f"Bearer {token}"}
        for name, display_name, types in AUTHORITIES:
            body = {"id": self.dids[name], "name": display_name, "credentialTypes": types}
            _expect(http.post("/admin/trust-registry/issuers", json=body, headers=admin), 201)
            _say(f"   accredits {name} for {', '.join(types)}")
        _say(f"   ({UNACCREDITED[0]} is not accredited for anything)")
        created = http.post("/workflows", json=WORKFLOW, headers=admin)
        if created.status_code != 409:
            _expect(created, 201)
        _say(f"   workflow {WORKFLOW['id']}: {WORKFLOW['name']}, domain {CROSSING}")

    def _create_holder(self) -> str:
        name = f"{SHIPPER}-{self.run_id}"
        created = _expect(
            self.holder.http.post(
                "/admin/holders",
                json={"name": name, "didMethod": "web"},
                headers=self.holder.admin,
            ),
            201,
        ).json()
        self.wallet = {"Authorization": f"Bearer {created['accessToken']}"}
        _say(f"\n== Holder: the shipper's wallet {name}, DID {created['did']}")
        _say("   (its access token is shown once; the wallet keeps it)")
        return str(created["did"])

    def _issue(
        self, authority: str, slug: str, securing_format: str, subject: str, *, copy: int = 1
    ) -> Any:
        response = self.issuer.http.post(
            f"/certificates/{slug}",
            json=_request_body(slug, securing_format, subject),
            headers={
                "Authorization": f"Bearer {self.tokens[authority]}",
                "Idempotency-Key": f"{self.run_id}-{authority}-{slug}-{securing_format}-{copy}",
            },
        )
        credential = _expect(response, 201).json()["verifiableCredential"]
        what = credential["id"] if isinstance(credential, dict) else "a compact JWT"
        _say(f"\n== {authority} issued a certificate ({slug}) as {securing_format}: {what}")
        return credential

    # ------------------------------------------------------------ the story

    def _show_refusals(self) -> bool:
        _say("\n== SAT asks to issue a C-TPAT certificate (only CBP may):")
        forbidden = self.issuer.http.post(
            "/certificates/ctpat",
            json=_request_body("ctpat", "eddsa-rdfc-2022", None),
            headers={"Authorization": f"Bearer {self.tokens['sat']}"},
        )
        _say(f"   {forbidden.status_code} {forbidden.json().get('code')}")
        body = _request_body("immex", "eddsa-rdfc-2022", None)
        body["certificate"]["rfc"] = "EEB030821R4X"
        _say("\n== An IMMEX request with a wrong RFC check digit:")
        invalid = self.issuer.http.post(
            "/certificates/immex",
            json=body,
            headers={"Authorization": f"Bearer {self.tokens['sat']}"},
        )
        problem = invalid.json()
        _say(f"   {invalid.status_code} {problem.get('code')}: {problem.get('detail')}")
        return forbidden.status_code == 403 and invalid.status_code == 422

    def _store_in_wallet(self, issued: dict[str, Any]) -> bool:
        _say("\n== The wallet verifies each certificate on receipt and keeps it")
        for out, credential in issued.items():
            kept = _expect(
                self.holder.http.post(
                    "/holder/credentials",
                    json={"verifiableCredential": credential},
                    headers=self.wallet,
                ),
                201,
            ).json()
            _say(f"   {out}: kept as {kept['id']} ({kept['format']})")
        listed = _expect(self.holder.http.get("/holder/credentials", headers=self.wallet), 200)
        return len(listed.json()["items"]) == len(issued)

    def _verify_all(self, issued: dict[str, Any]) -> bool:
        _say("\n== The broker verifies each certificate (POST /credentials/verify)")
        results = [self._verify(credential) for credential in issued.values()]
        for out, result in zip(issued, results, strict=True):
            _report(f"   {out}:", result)
        tampered = copy.deepcopy(issued["immex.json"])
        tampered["credentialSubject"]["legalName"] += " (forged)"
        forged = self._verify(tampered)
        _report("   immex.json with the company name changed:", forged)
        return all(result["verified"] for result in results) and not forged["verified"]

    def _exchange(self, out_dir: Path) -> bool:
        start = f"/workflows/{WORKFLOW['id']}/exchanges"
        _say(f"\n== Someone without the broker's token asks for an exchange of {WORKFLOW['id']}")
        intruder = self.verifier.http.post(start)
        _say(
            f"   {intruder.status_code} {intruder.json().get('code')} (the workflow is not public)"
        )
        _say(f"\n== At the crossing: the broker's app starts an exchange of {WORKFLOW['id']}")
        exchange = _expect(self.verifier.http.post(start, headers=self.broker), 201).json()
        _say(f"   exchange URL (a link or QR code for the shipper): {exchange['url']}")
        path = httpx.URL(exchange["url"]).path
        request = _expect(self.verifier.http.post(path, json={}), 200).json()[
            "verifiablePresentationRequest"
        ]
        wanted = [q["credentialQuery"]["example"]["type"] for q in request["query"]]
        _say(
            f"   the wallet reads the request: any of {', '.join(wanted)}, for {request['domain']}"
        )
        chosen = self._held_of_type(wanted)
        presentation = self._prove(chosen, request["challenge"], request["domain"])
        (out_dir / "presentation.json").write_text(
            json.dumps(presentation, indent=2) + "\n", encoding="utf-8"
        )
        _say(f"   it presents {chosen[0]} (written to {out_dir / 'presentation.json'})")
        answered = _expect(
            self.verifier.http.post(path, json={"verifiablePresentation": presentation}), 200
        ).json()
        seen = _expect(self.verifier.http.get(path, headers=self.broker), 200).json()
        _say(f"   the broker reads the exchange: {seen['state']}")
        _report("   verdict:", seen["result"])

        _say("\n== Someone replays presentation.json")
        again = self.verifier.http.post(path, json={"verifiablePresentation": presentation})
        _say(f"   to the same exchange: {again.status_code} {again.json().get('code')}")
        replay = self._verify_presentation(presentation, request["challenge"])
        _report("   to POST /presentations/verify with its challenge:", replay)
        return (
            intruder.status_code == 401
            and answered["verified"]
            and seen["state"] == "complete"
            and again.status_code == 409
            and _codes(replay) == {"INVALID_CHALLENGE_ERROR"}
        )

    def _untrusted_issuer(self, holder_did: str) -> bool:
        credential = self._issue(UNACCREDITED[0], "immex", "eddsa-rdfc-2022", holder_did)
        kept = self.holder.http.post(
            "/holder/credentials", json={"verifiableCredential": credential}, headers=self.wallet
        )
        _say(f"   the wallet keeps it (its signature is sound): {kept.status_code}")
        challenge = _expect(
            self.verifier.http.post("/challenges", json={"domain": CROSSING}, headers=self.broker),
            201,
        ).json()["challenge"]
        presentation = self._prove([credential["id"]], challenge, CROSSING)
        result = self._verify_presentation(presentation, challenge)
        _report("   the broker verifies a presentation of it:", result)
        return kept.status_code == 201 and "ISSUER_NOT_TRUSTED" in _codes(result)

    def _lifecycle(self, ctpat: dict[str, Any], holder_did: str) -> bool:
        _say("\n== CBP suspends the C-TPAT certificate after a security incident")
        self._set_status("cbp", ctpat["id"], "suspension", "0x1", "security incident under review")
        suspended = self._verify(ctpat)
        _report("   the broker verifies ctpat.json:", suspended)
        _say("== CBP reinstates it after the review")
        self._set_status("cbp", ctpat["id"], "suspension", "0x0", "review closed, no findings")
        reinstated = self._verify(ctpat)
        _report("   the broker verifies ctpat.json:", reinstated)
        _say("\n== SAT revokes a second OEA certificate; revocation is final")
        oea = self._issue("sat", "oea", "eddsa-rdfc-2022", holder_did, copy=2)
        self._set_status("sat", oea["id"], "revocation", "0x1", "authorization cancelled")
        revoked = self._verify(oea)
        _report("   the broker verifies the second OEA certificate:", revoked)
        again = self._set_status(
            "sat", oea["id"], "suspension", "0x0", "attempt to reinstate", expected=409
        )
        _say(f"   reinstating it: {again.status_code} {again.json().get('code')}")
        return (
            "CREDENTIAL_SUSPENDED" in _codes(suspended)
            and reinstated["verified"]
            and "CREDENTIAL_REVOKED" in _codes(revoked)
        )

    # ------------------------------------------------------------ steps

    def _held_of_type(self, wanted: list[str]) -> list[str]:
        held = _expect(self.holder.http.get("/holder/credentials", headers=self.wallet), 200)
        for item in held.json()["items"]:
            credential = item["verifiableCredential"]
            if isinstance(credential, dict) and set(wanted) & set(credential["type"]):
                return [str(item["id"])]
        raise SystemExit(f"the wallet holds none of {wanted}")

    def _prove(self, credential_ids: list[str], challenge: str, domain: str) -> dict[str, Any]:
        body = {"credentialIds": credential_ids, "challenge": challenge, "domain": domain}
        response = self.holder.http.post("/presentations/prove", json=body, headers=self.wallet)
        presentation: dict[str, Any] = _expect(response, 201).json()["verifiablePresentation"]
        return presentation

    def _verify(self, credential: Any) -> dict[str, Any]:
        response = self.verifier.http.post(
            "/credentials/verify", json={"verifiableCredential": credential}, headers=self.broker
        )
        return _verification(response)

    def _verify_presentation(self, presentation: Any, challenge: str) -> dict[str, Any]:
        body = {
            "verifiablePresentation": presentation,
            "options": {"challenge": challenge, "domain": CROSSING},
        }
        return _verification(
            self.verifier.http.post("/presentations/verify", json=body, headers=self.broker)
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
            self.issuer.http.post(
                "/credentials/status",
                json=body,
                headers={"Authorization": f"Bearer {self.tokens[authority]}"},
            ),
            expected,
        )


def _request_body(slug: str, securing_format: str, subject: str | None) -> dict[str, Any]:
    certificate = copy.deepcopy(by_slug(slug).example_request())
    if subject is not None:
        certificate["subjectId"] = subject
    valid_until = datetime.now(UTC).replace(microsecond=0) + timedelta(days=365)
    return {
        "certificate": certificate,
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


def _verification(response: httpx.Response) -> dict[str, Any]:
    """The verification result: 200 when verified, else a 422 VERIFICATION_FAILED carrying it."""
    failed = response.status_code == 422 and response.json().get("code") == "VERIFICATION_FAILED"
    result: dict[str, Any] = (response if failed else _expect(response, 200)).json()
    return result


def _codes(result: dict[str, Any]) -> set[str]:
    """Every problem code of a result, its credentials' included."""
    codes = {problem["code"] for problem in result.get("problemDetails", [])}
    for nested in result.get("credentialResults", []):
        codes |= _codes(nested)
    return codes


def _report(label: str, result: dict[str, Any]) -> None:
    verdict = "VERIFIED" if result["verified"] else "NOT VERIFIED"
    codes = ", ".join(sorted(_codes(result)))
    _say(f"{label} {verdict}" + (f" ({codes})" if codes else ""))


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
