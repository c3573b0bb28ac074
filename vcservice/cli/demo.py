"""``vcservice demo``: issuer → holder → verifier over real HTTP, narrated.

Three processes play the three roles (or one service at ``--url`` plays them all). Each
programme's authority is seeded on the issuer — the Secretaría de Economía for IMMEX, SAT
for OEA, CBP for C-TPAT — and a fourth that no verifier accredits. One company,
Ensambles Electrónicos del Bravo (the samples' company), gets a wallet (the holder) with
a did:web, and the three authorities issue it their certificates with the version 2
request bodies: the same company node, ``member.id`` its DID, in each, so the three join
on that DID, its RFC and its CBP MID. SAT and CBP publish signed trust lists of the
authorities accredited for each programme, and the broker's verifier subscribes to both
(``demo_lists``): no issuer is accredited by hand. The verifier defines two workflows at the
crossing: a shipment to the United States wants a trusted manufacturer/exporter at CBP (a
C-TPAT, or an OEA that CBP recognizes for that role under the U.S.–Mexico arrangement), an
import by the company wants a trusted importer (a C-TPAT, or an OEA that CBP recognizes as
importer). The broker's app signs in with a ``verify:credentials`` token (a client of the
brokerage) to start exchanges and verify, as a real deployment's would. The company presents
its OEA to both: the exchange itself reads the verified credential's signed
``mutualRecognition``, so the export completes (its entry is recognizedBy CBP for the
manufacturer/exporter role) and the import ends invalid, saying why (the entry does not name
the importer role). Then what must fail does: a replayed presentation, a certificate from
the unaccredited issuer, a tampered copy, a suspended and a revoked certificate; an
accreditation SAT withdraws from its list, seen at the broker's next verification. Last, the
same over OpenID4VCI and OpenID4VP with an SD-JWT VC that discloses only what the broker
asks (``demo_openid``).
"""

from __future__ import annotations

import copy
import json
import sys
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx

from vcservice.certificates.v2.company import company_keys
from vcservice.certificates.v2.mra import RecognizedRole
from vcservice.cli.background import Deployment, running_deployment
from vcservice.cli.demo_ending import (
    PrintedCertificate,
    kept_services,
    print_held,
    services_gone,
)
from vcservice.cli.demo_lists import TrustLists
from vcservice.cli.demo_openid import OpenIdStory, expect
from vcservice.cli.demo_reading import describe_entry, labelled, member_of, problem_codes
from vcservice.cli.demo_requests import COMPANY_SAMPLE, certificate_data, company, request_body
from vcservice.verification.policy import recognition, recognition_entries

AUTHORITIES = (
    ("economia", "Secretaría de Economía", ["IMMEXCertificate"]),
    ("sat", "Servicio de Administración Tributaria", ["OEACertificate"]),
    ("cbp", "U.S. Customs and Border Protection", ["CTPATCertificate"]),
)
UNACCREDITED = ("agencia-apocrifa", "Agencia Apócrifa de Comercio", ["IMMEXCertificate"])
# The customs brokerage whose app uses the verifier: it issues nothing.
BROKERAGE: tuple[str, str, list[str]] = ("agencia-aduanal-norte", "Agencia Aduanal del Norte", [])
ISSUING_SCOPES = ["issue:credentials", "read:credentials", "update:credentials"]
# (authority, certificate slug, securing format, output file)
ISSUANCES = (
    ("economia", "immex", "eddsa-rdfc-2022", "immex.json"),
    ("sat", "oea", "eddsa-rdfc-2022", "oea.json"),
    ("cbp", "ctpat", "ecdsa-rdfc-2019", "ctpat.json"),
    ("cbp", "ctpat", "vc+jwt", "ctpat.vc-jwt"),
)
ISSUED_BY = {out: authority for authority, _, _, out in ISSUANCES}
COMPANY = "ensambles-bravo"
CROSSING = "aduana-nuevo-laredo.example"
# What CBP needs at the crossing: its own C-TPAT, or an OEA whose signed mutualRecognition
# says CBP recognizes it, under the U.S.–Mexico arrangement, for the role the company plays.
RECOGNIZING_AUTHORITY = "AuthorityCBP"
ARRANGEMENT = "MraUsMx2014"
SHIPPER_ROLE = "MraRoleManufacturerExporter"
UNCOVERED_ROLE = "MraRoleImporter"


def _workflow(workflow_id: str, name: str, role: str) -> dict[str, Any]:
    """A workflow at the crossing: a C-TPAT, or an OEA that CBP recognizes for ``role``."""
    return {
        "id": workflow_id,
        "name": name,
        "acceptedCredentialTypes": ["CTPATCertificate"],
        "acceptedRecognitions": [
            {
                "credentialType": "OEACertificate",
                "recognizedBy": RECOGNIZING_AUTHORITY,
                "recognizedRole": role,
                "arrangement": ARRANGEMENT,
            }
        ],
        "domain": CROSSING,
    }


WORKFLOW = _workflow(
    "exportacion-eua",
    "Envío a EE. UU.: exportador confiable ante CBP (C-TPAT, u OEA que CBP reconoce como "
    "fabricante/exportador)",
    SHIPPER_ROLE,
)
IMPORT_WORKFLOW = _workflow(
    "importacion-eua",
    "Importación a EE. UU.: importador confiable ante CBP (C-TPAT, u OEA que CBP reconoce "
    "como importador)",
    UNCOVERED_ROLE,
)
# A real RFC whose last character is not the digit SAT's published algorithm gives.
DOUBTFUL_RFC = "ACE900319JT9"


def run_demo(
    *,
    url: str | None,
    admin_token: str | None,
    out_dir: Path,
    context_store: Path,
    database_url: str | None = None,
    keep: bool = False,
) -> int:
    """Run the story against ``url`` (or three role processes started here, stopped at the
    end unless ``keep``); 0 if all went as expected."""
    if keep and url is not None:
        raise SystemExit("--keep keeps the services the demo starts; not with --url")
    out_dir.mkdir(parents=True, exist_ok=True)
    kept_in = out_dir / "services" if keep else None
    with running_deployment(
        url, admin_token, context_store, database_url=database_url, say=_say, keep_in=kept_in
    ) as deployment:
        story = _Story(deployment)
        try:
            ok = story.run(out_dir)
            printed = None if kept_in is None else story.print_immex(out_dir, kept_in)
        finally:
            story.close()
    _say("\nAll steps behaved as expected." if ok else "\nSome step did NOT behave as expected.")
    if kept_in is not None and printed is not None:
        _say(kept_services(deployment, printed, kept_in, out_dir))
    elif url is None:
        _say(services_gone(out_dir))
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
        lists = self._trust_lists()
        listed = lists.set_up()
        _say(f"   ({UNACCREDITED[0]} is in neither list: no verifier here accredits it)")
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
            self._show_join(issued, holder_did),
            self._show_refusals(),
            self._store_in_wallet(issued),
            self._verify_all(issued),
            self._exchange(out_dir, issued),
            self._untrusted_issuer(holder_did),
            self._lifecycle(issued["ctpat.json"], holder_did),
            lists.withdrawal(issued["immex.json"]),
            self._openid(out_dir),
        ]
        return listed and all(checks)

    def _trust_lists(self) -> TrustLists:
        """SAT's and CBP's trust lists, and the broker's subscriptions (``demo_lists``)."""
        return TrustLists(
            self.issuer.http,
            self.issuer.admin,
            self.verifier.http,
            self.verifier.admin,
            self.dids,
            {name: display_name for name, display_name, _ in AUTHORITIES},
            self._verify,
            _say,
        )

    def _openid(self, out_dir: Path) -> bool:
        """The same over OpenID4VCI and OpenID4VP (``demo_openid``)."""
        officer = {"Authorization": f"Bearer {self.tokens['cbp']}"}
        roles = (self.issuer.http, self.holder.http, self.verifier.http)
        return OpenIdStory(*roles, officer, self.wallet, self.broker, _say).run(out_dir)

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
            created = expect(http.get(f"/admin/authorities/{name}", headers=admin), 200)
            kept = sorted(created.json().get("credentialTypes", []))
            note = (
                "" if kept == sorted(types) else f" (it may issue {', '.join(kept) or 'nothing'})"
            )
            _say(f"   already exists; reusing it{note}")
        else:
            expect(created, 201)
        return str(created.json()["did"])

    def _client_token(self, name: str, scopes: list[str], signer: _Role) -> str:
        """A new OAuth2 client of ``name`` (made on the issuer's admin API) and an access
        token for it from ``signer``'s token endpoint."""
        client = expect(
            self.issuer.http.post(
                f"/admin/authorities/{name}/clients",
                headers=self.issuer.admin,
                json={"scopes": scopes},
            ),
            201,
        ).json()
        token = expect(
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
        _say("\n== Verifier (the broker's): its app's access and workflows")
        brokerage, brokerage_name, _ = BROKERAGE
        self._organisation(*BROKERAGE)
        _say(f"   the broker's app signs in as a client of {brokerage_name}, from the verifier:")
        token = self._client_token(brokerage, ["verify:credentials"], self.verifier)
        self.broker = {"Authorization": f"Bearer {token}"}
        for workflow in (WORKFLOW, IMPORT_WORKFLOW):
            created = http.post("/workflows", json=workflow, headers=admin)
            if created.status_code != 409:
                expect(created, 201)
            _say(f"   workflow {workflow['id']}: {workflow['name']}, domain {CROSSING}")
            for entry in workflow["acceptedRecognitions"]:
                _say(
                    f"     accepts {' or '.join(workflow['acceptedCredentialTypes'])} as it is, "
                    f"and an {entry['credentialType']} only where its signed entry of "
                    f"{entry['arrangement']} is recognizedBy {entry['recognizedBy']} for "
                    f"{entry['recognizedRole']}"
                )

    def _create_holder(self) -> str:
        name = f"{COMPANY}-{self.run_id}"
        created = expect(
            self.holder.http.post(
                "/admin/holders",
                json={"name": name, "didMethod": "web"},
                headers=self.holder.admin,
            ),
            201,
        ).json()
        self.wallet = {"Authorization": f"Bearer {created['accessToken']}"}
        legal_name = company(str(created["did"]))["legalName"]
        _say(f"\n== Holder: the wallet of {legal_name}: {name}, DID {created['did']}")
        _say("   (its access token is shown once; the wallet keeps it)")
        _say("   the DID goes into every certificate as credentialSubject.member.id")
        return str(created["did"])

    def _issue(
        self,
        authority: str,
        slug: str,
        securing_format: str,
        holder_did: str,
        *,
        copy: int = 1,
    ) -> Any:
        """The credential ``authority`` issues to the company, its warnings shown."""
        response = self.issuer.http.post(
            f"/certificates/{slug}",
            json=request_body(slug, securing_format, certificate_data(slug, holder_did)),
            headers={
                "Authorization": f"Bearer {self.tokens[authority]}",
                "Idempotency-Key": f"{self.run_id}-{authority}-{slug}-{securing_format}-{copy}",
            },
        )
        answer = expect(response, 201).json()
        credential = answer["verifiableCredential"]
        what = credential["id"] if isinstance(credential, dict) else "a compact JWT"
        _say(f"\n== {authority} issued a certificate ({slug}) as {securing_format}: {what}")
        for warning in answer.get("warnings") or ():
            _say(f"   warning {warning.get('code')} at {warning['field']}: {warning['detail']}")
        return credential

    # ------------------------------------------------------------ the story

    def _show_join(self, issued: dict[str, Any], holder_did: str) -> bool:
        _say(
            "\n== One company, three programmes: the certificates join on credentialSubject.member"
        )
        documents = {out: c for out, c in issued.items() if isinstance(c, dict)}
        for out, credential in documents.items():
            member = member_of(credential)
            subject = credential["credentialSubject"]
            coded = (
                labelled(str(subject["tier"]), notation_of="CtpatTier")
                if "tier" in subject
                else labelled(str(subject.get("immexModality") or subject.get("oeaRubro")))
            )
            version = self._data_version(ISSUED_BY[out], credential["id"])
            _say(
                f"   {out:11} {credential['issuer']['name']}: {credential['type'][-1]}, "
                f"data {version}, {coded}"
            )
            _say(
                f"               member.id {member.get('id')}, rfc {member.get('rfc')}, "
                f"manufacturerId {member.get('manufacturerId')}"
            )
        shared = set.intersection(*(set(company_keys(c)) for c in documents.values()))
        joined = {holder_did, COMPANY_SAMPLE["rfc"], COMPANY_SAMPLE["manufacturerId"]}
        in_order = [key for key in company_keys(issued["oea.json"]) if key in shared]
        _say(f"   the same in all three: {', '.join(in_order)}")
        return joined <= shared

    def _data_version(self, authority: str, credential_id: str) -> str:
        """The data version ``authority``'s registry shows for the credential."""
        record = self.issuer.http.get(
            f"/credentials/{credential_id}",
            headers={"Authorization": f"Bearer {self.tokens[authority]}"},
        )
        version = expect(record, 200).json().get("dataVersion")
        return str(version) if version else "?"

    def _show_refusals(self) -> bool:
        _say(
            "\n== SAT asks to issue an IMMEX certificate (the Secretaría de Economía grants IMMEX):"
        )
        forbidden = self.issuer.http.post(
            "/certificates/immex",
            json=request_body("immex", "eddsa-rdfc-2022", certificate_data("immex", None)),
            headers={"Authorization": f"Bearer {self.tokens['sat']}"},
        )
        _say(f"   {forbidden.status_code} {forbidden.json().get('code')}")

        _say("\n== An OEA request for rubro OeaImporterExporter naming a 13-character RFC:")
        oea = certificate_data("oea", None)
        oea["member"]["rfc"] = "GODE561231GR8"  # an individual's: only customs brokers are
        invalid = self.issuer.http.post(
            "/certificates/oea",
            json=request_body("oea", "eddsa-rdfc-2022", oea),
            headers={"Authorization": f"Bearer {self.tokens['sat']}"},
        )
        problem = invalid.json()
        _say(f"   {invalid.status_code} {problem.get('code')}: {problem.get('detail')}")

        _say(
            f"\n== An IMMEX request for another company whose RFC {DOUBTFUL_RFC} SAT registered, "
            "though its check digit is not the published algorithm's:"
        )
        doubtful = certificate_data("immex", None)
        doubtful["member"] = {
            "id": "did:web:aceros-centrales.example",
            "legalName": "Aceros Centrales Especiales, S.A. de C.V.",
            "rfc": DOUBTFUL_RFC,
            "location": [
                site
                for site in doubtful["member"]["location"]
                if site["siteRole"] == "SiteTaxDomicile"
            ],
        }
        warned = self.issuer.http.post(
            "/certificates/immex",
            json=request_body("immex", "eddsa-rdfc-2022", doubtful),
            headers={"Authorization": f"Bearer {self.tokens['economia']}"},
        )
        answer = warned.json()
        warnings = [w for w in answer.get("warnings") or () if w.get("code") == "RFC_CHECK_DIGIT"]
        for warning in warnings:
            _say(f"   {warned.status_code}, issued with the warning {warning['code']}")
            _say(f"   at {warning['field']}: {warning['detail']}")
            _say("   (with VCSERVICE_RFC_CHECK_DIGIT=refuse it would be refused instead)")
        refused = warned.status_code == 422 and "RFC_CHECK_DIGIT" in str(answer.get("detail"))
        if not warnings:
            _say(f"   {warned.status_code} {answer.get('code')}: {answer.get('detail')}")
        if refused:
            _say("   (this service runs with VCSERVICE_RFC_CHECK_DIGIT=refuse)")
        return (
            forbidden.status_code == 403
            and invalid.status_code == 422
            and ((warned.status_code == 201 and bool(warnings)) or refused)
        )

    def _store_in_wallet(self, issued: dict[str, Any]) -> bool:
        _say("\n== The wallet verifies each certificate on receipt and keeps it")
        for out, credential in issued.items():
            kept = expect(
                self.holder.http.post(
                    "/holder/credentials",
                    json={"verifiableCredential": credential},
                    headers=self.wallet,
                ),
                201,
            ).json()
            _say(f"   {out}: kept as {kept['id']} ({kept['format']})")
        listed = expect(self.holder.http.get("/holder/credentials", headers=self.wallet), 200)
        return len(listed.json()["items"]) == len(issued)

    def _verify_all(self, issued: dict[str, Any]) -> bool:
        _say("\n== The broker verifies each certificate (POST /credentials/verify)")
        results = [self._verify(credential) for credential in issued.values()]
        for out, result in zip(issued, results, strict=True):
            _report(f"   {out}:", result)
        tampered = copy.deepcopy(issued["immex.json"])
        tampered["credentialSubject"]["member"]["legalName"] += " (forged)"
        forged = self._verify(tampered)
        _report("   immex.json with the company name changed:", forged)
        return all(result["verified"] for result in results) and not forged["verified"]

    def _exchange(self, out_dir: Path, issued: dict[str, Any]) -> bool:
        start = f"/workflows/{WORKFLOW['id']}/exchanges"
        _say(f"\n== Someone without the broker's token asks for an exchange of {WORKFLOW['id']}")
        intruder = self.verifier.http.post(start)
        _say(
            f"   {intruder.status_code} {intruder.json().get('code')} (the workflow is not public)"
        )
        _say(
            f"\n== At the crossing, a shipment to the United States: the broker's app starts an "
            f"exchange of {WORKFLOW['id']}"
        )
        path, request = self._start_exchange(WORKFLOW)
        chosen = self._held_of_type(["OEACertificate"])
        presentation = self._prove(chosen, request["challenge"], request["domain"])
        (out_dir / "presentation.json").write_text(
            json.dumps(presentation, indent=2) + "\n", encoding="utf-8"
        )
        _say(
            f"   it presents its OEA, {chosen[0]}, relying on the mutual recognition "
            f"(written to {out_dir / 'presentation.json'})"
        )
        answered = expect(
            self.verifier.http.post(path, json={"verifiablePresentation": presentation}), 200
        ).json()
        seen = expect(self.verifier.http.get(path, headers=self.broker), 200).json()
        _say(f"   the broker reads the exchange: {seen['state']}")
        _report("   verdict:", seen["result"])
        recognized = self._read_recognition(seen)
        importer = self._import_exchange(issued)

        _say("\n== Someone replays presentation.json")
        again = self.verifier.http.post(path, json={"verifiablePresentation": presentation})
        _say(f"   to the same exchange: {again.status_code} {again.json().get('code')}")
        replay = self._verify_presentation(presentation, request["challenge"])
        _report("   to POST /presentations/verify with its challenge:", replay)
        return (
            intruder.status_code == 401
            and answered["verified"]
            and seen["state"] == "complete"
            and recognized
            and importer
            and again.status_code == 409
            and problem_codes(replay) == {"INVALID_CHALLENGE_ERROR"}
        )

    def _start_exchange(self, workflow: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        """A new exchange of ``workflow`` (its path), and the request the wallet reads."""
        start = f"/workflows/{workflow['id']}/exchanges"
        exchange = expect(self.verifier.http.post(start, headers=self.broker), 201).json()
        _say(f"   exchange URL (a link or QR code for the company): {exchange['url']}")
        path = httpx.URL(exchange["url"]).path
        request: dict[str, Any] = expect(self.verifier.http.post(path, json={}), 200).json()[
            "verifiablePresentationRequest"
        ]
        _say(f"   the wallet reads the request for {request['domain']}, any one of:")
        for query in request["query"]:
            reason = str(query["credentialQuery"]["reason"]).rpartition(": present a current ")[2]
            _say(f"     {reason}")
        return path, request

    def _read_recognition(self, seen: Mapping[str, Any]) -> bool:
        """What the exchange accepted, and the signed entries of the OEA it verified."""
        policy = _policy_check(seen["result"])
        _say(f"   the exchange accepted {policy.get('detail')}")
        presented = seen["verifiablePresentation"]["verifiableCredential"]
        results = seen["result"].get("credentialResults", [])
        [oea] = [
            credential
            for credential, result in zip(presented, results, strict=True)
            if result["verified"] and "OEACertificate" in credential["type"]
        ]
        subject = oea["credentialSubject"]
        _say(
            f"   what the verified OEA signs: {subject['oeaRegistrationNumber']} of "
            f"{oea['issuer']['name']}, rubro {labelled(subject['oeaRubro'])}"
        )
        for index, entry in recognition_entries(oea):
            _say(f"     mutualRecognition[{index}]: {describe_entry(entry)}")
        covered = self._roles_recognized(oea)
        _say(
            f"   → the company as {SHIPPER_ROLE}: "
            + ("ACCEPTED by CBP" if SHIPPER_ROLE in covered else "NOT ACCEPTED by CBP")
            + f" on its OEA (CBP recognizes it for {', '.join(covered) or 'no role'})"
        )
        return policy.get("outcome") == "passed" and SHIPPER_ROLE in covered

    def _import_exchange(self, issued: dict[str, Any]) -> bool:
        """The same OEA where the company is the importer: the exchange ends invalid."""
        _say(
            f"\n== The company imports into the United States: the broker's app starts an "
            f"exchange of {IMPORT_WORKFLOW['id']}"
        )
        path, request = self._start_exchange(IMPORT_WORKFLOW)
        chosen = self._held_of_type(["OEACertificate"])
        presentation = self._prove(chosen, request["challenge"], request["domain"])
        _say(f"   it presents the same OEA, {chosen[0]}")
        self.verifier.http.post(path, json={"verifiablePresentation": presentation})
        seen = expect(self.verifier.http.get(path, headers=self.broker), 200).json()
        _say(f"   the broker reads the exchange: {seen['state']}")
        _report("   verdict:", seen["result"])
        missing = [
            problem["detail"]
            for problem in seen["result"].get("problemDetails", [])
            if problem["code"] == "REQUIRED_CREDENTIAL_MISSING"
        ]
        for detail in missing:
            _say(f"   why: {detail}")
        refused = seen["state"] == "invalid"
        _say(
            f"   → the company as {UNCOVERED_ROLE}: "
            + ("NOT ACCEPTED by CBP on this OEA" if refused else "ACCEPTED by CBP")
            + "; as importer it needs CBP's own C-TPAT, or an OEA whose entry names that role"
        )
        for _, entry in recognition_entries(issued["ctpat.json"]):
            _say(f"   → the other direction is the C-TPAT's own entry: {describe_entry(entry)}")
        credentials_good = all(r["verified"] for r in seen["result"].get("credentialResults", []))
        return (
            refused
            and credentials_good
            and problem_codes(seen["result"]) == {"REQUIRED_CREDENTIAL_MISSING"}
            and any(f"not {UNCOVERED_ROLE}" in detail for detail in missing)
        )

    @staticmethod
    def _roles_recognized(credential: Mapping[str, Any]) -> list[str]:
        """The roles CBP recognizes ``credential`` for under the arrangement, by its entries."""
        return [
            role.value
            for role in RecognizedRole
            if recognition(
                credential,
                recognized_by=RECOGNIZING_AUTHORITY,
                role=role.value,
                arrangement=ARRANGEMENT,
            ).accepted
        ]

    def _untrusted_issuer(self, holder_did: str) -> bool:
        credential = self._issue(UNACCREDITED[0], "immex", "eddsa-rdfc-2022", holder_did)
        kept = self.holder.http.post(
            "/holder/credentials", json={"verifiableCredential": credential}, headers=self.wallet
        )
        _say(f"   the wallet keeps it (its signature is sound): {kept.status_code}")
        challenge = expect(
            self.verifier.http.post("/challenges", json={"domain": CROSSING}, headers=self.broker),
            201,
        ).json()["challenge"]
        presentation = self._prove([credential["id"]], challenge, CROSSING)
        result = self._verify_presentation(presentation, challenge)
        _report("   the broker verifies a presentation of it:", result)
        return kept.status_code == 201 and "ISSUER_NOT_TRUSTED" in problem_codes(result)

    def _lifecycle(self, ctpat: dict[str, Any], holder_did: str) -> bool:
        _say(
            "\n== CBP suspends the C-TPAT certificate after a security incident "
            f"(reasonCode {labelled('StatusReasonSecurityIncident')})"
        )
        self._set_status(
            "cbp",
            ctpat["id"],
            "suspension",
            "0x1",
            ("security incident under review", "StatusReasonSecurityIncident"),
        )
        suspended = self._verify(ctpat)
        _report("   the broker verifies ctpat.json:", suspended)
        _say("== CBP reinstates it after the review")
        self._set_status(
            "cbp",
            ctpat["id"],
            "suspension",
            "0x0",
            ("review closed, no findings", "StatusReasonReinstated"),
        )
        reinstated = self._verify(ctpat)
        _report("   the broker verifies ctpat.json:", reinstated)
        _say("\n== SAT revokes a second OEA certificate; revocation is final")
        oea = self._issue("sat", "oea", "eddsa-rdfc-2022", holder_did, copy=2)
        self._set_status(
            "sat",
            oea["id"],
            "revocation",
            "0x1",
            ("registration cancelled", "StatusReasonCancelled"),
        )
        revoked = self._verify(oea)
        _report("   the broker verifies the second OEA certificate:", revoked)
        again = self._set_status(
            "sat",
            oea["id"],
            "suspension",
            "0x0",
            ("attempt to reinstate", "StatusReasonReinstated"),
            expected=409,
        )
        _say(f"   reinstating it: {again.status_code} {again.json().get('code')}")
        return (
            "CREDENTIAL_SUSPENDED" in problem_codes(suspended)
            and reinstated["verified"]
            and "CREDENTIAL_REVOKED" in problem_codes(revoked)
        )

    def print_immex(self, out_dir: Path, secrets_dir: Path) -> PrintedCertificate:
        """The wallet prints the IMMEX certificate (``out_dir/immex.html``)."""
        issued = json.loads((out_dir / "immex.json").read_text(encoding="utf-8"))
        html = out_dir / "immex.html"
        return print_held(self.holder.http, self.wallet, issued["id"], html, secrets_dir)

    # ------------------------------------------------------------ steps

    def _held_of_type(self, wanted: list[str]) -> list[str]:
        held = expect(self.holder.http.get("/holder/credentials", headers=self.wallet), 200)
        for item in held.json()["items"]:
            credential = item["verifiableCredential"]
            if isinstance(credential, dict) and set(wanted) & set(credential["type"]):
                return [str(item["id"])]
        raise SystemExit(f"the wallet holds none of {wanted}")

    def _prove(self, credential_ids: list[str], challenge: str, domain: str) -> dict[str, Any]:
        body = {"credentialIds": credential_ids, "challenge": challenge, "domain": domain}
        response = self.holder.http.post("/presentations/prove", json=body, headers=self.wallet)
        presentation: dict[str, Any] = expect(response, 201).json()["verifiablePresentation"]
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
        reason: tuple[str, str],
        *,
        expected: int = 200,
    ) -> httpx.Response:
        """Change a status; ``reason`` is the officer's note and the coded reason (a
        ``StatusReason`` term of the vocabulary)."""
        note, code = reason
        body = {
            "credentialId": credential_id,
            "reason": note,
            "reasonCode": code,
            "credentialStatus": [
                {"type": "BitstringStatusListEntry", "statusPurpose": purpose, "status": status}
            ],
        }
        return expect(
            self.issuer.http.post(
                "/credentials/status",
                json=body,
                headers={"Authorization": f"Bearer {self.tokens[authority]}"},
            ),
            expected,
        )


def _verification(response: httpx.Response) -> dict[str, Any]:
    """The verification result: 200 when verified, else a 422 VERIFICATION_FAILED carrying it."""
    failed = response.status_code == 422 and response.json().get("code") == "VERIFICATION_FAILED"
    result: dict[str, Any] = (response if failed else expect(response, 200)).json()
    return result


def _policy_check(result: Mapping[str, Any]) -> Mapping[str, Any]:
    """The exchange's ``credentialTypes`` check (the workflow's policy) in ``result``."""
    check: Mapping[str, Any] = next(c for c in result["checks"] if c["check"] == "credentialTypes")
    return check


def _report(label: str, result: dict[str, Any]) -> None:
    verdict = "VERIFIED" if result["verified"] else "NOT VERIFIED"
    codes = ", ".join(sorted(problem_codes(result)))
    _say(f"{label} {verdict}" + (f" ({codes})" if codes else ""))


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
