"""SD-JWT VC over a live service: issue, present a subset with Key Binding, verify; the status
kept in step with ``POST /credentials/status`` in the published Token Status List; the type
metadata at each ``vct``; a verifier elsewhere reading both over HTTP.

The service runs under ``conftest.serve``, with the ``Services`` it was built from at hand:
issuance and verification are ``services.sd_jwt_vc``'s (the OpenID4VCI and OpenID4VP
endpoints call them); status changes and the published documents go over HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.builders import CBP_TYPES, SAT_TYPES, certificate_body
from tests.api.conftest import (
    SHARED_TOKEN_RATE_PER_MINUTE,
    Issuer,
    LiveService,
    database_for,
    serve,
)
from vcservice.errors import VcError
from vcservice.jose.jws import decode_compact
from vcservice.keys import KeyPair, KeyPairSigner, KeyType
from vcservice.model.checks import Outcome
from vcservice.net.guarded_client import FetchPolicy
from vcservice.sdjwt import bind, present, split
from vcservice.services.container import Services, build_services
from vcservice.services.core import CoreConfig, build_core
from vcservice.services.sd_jwt_vc import CHECK_ORDER, SdJwtVcService
from vcservice.status.token_status_list import MEDIA_TYPE, TokenStatusList
from vcservice.verification.result import VerificationResult
from vcservice.verification.verdict import Verdict, verdict_of

UPDATE = "update:credentials"
AUDIENCE = "https://aduana-nuevo-laredo.example"
GUARDED_ACCEPT = "application/ld+json, application/json;q=0.9, */*;q=0.1"


@dataclass(frozen=True)
class Live:
    """The running service and its wired services."""

    service: LiveService
    services: Services


@pytest.fixture(scope="module")
def live(
    backend: str, context_store_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    """The service on ``backend`` under uvicorn, built from services the tests also hold."""
    with (
        database_for(backend) as database_url,
        serve(
            tmp_path_factory.mktemp(f"sdjwt-{backend}"),
            database_url,
            context_store_dir,
            services=build_services,
            token_rate_per_minute=SHARED_TOKEN_RATE_PER_MINUTE,
        ) as service,
    ):
        assert service.services is not None
        yield Live(service, service.services)


@pytest.fixture(scope="module")
def cbp(live: Live) -> Issuer:
    """CBP, accredited for C-TPAT, with the right to change statuses."""
    return live.service.issuer(
        "cbp", CBP_TYPES, scopes=("issue:credentials", "read:credentials", UPDATE)
    )


@dataclass(frozen=True)
class Held:
    """An issued SD-JWT VC, its registry id, and the holder's key."""

    compact: str
    credential_id: str
    holder: KeyPairSigner

    def presented(self, *, nonce: str, audience: str = AUDIENCE) -> str:
        """The company's legal name and its sites, bound to ``nonce`` and ``audience``."""
        chosen = present(
            self.compact, disclose=[("member", "legalName"), ("member", "location", None)]
        )
        return bind(
            chosen,
            signer=self.holder,
            nonce=nonce,
            audience=audience,
            issued_at=datetime.now(UTC),
        )

    @property
    def status(self) -> dict[str, Any]:
        """``status.status_list`` of the Issuer-signed JWT."""
        payload = decode_compact(split(self.compact).issuer_jwt).payload_json()
        reference: dict[str, Any] = payload["status"]["status_list"]
        return reference


def _issue(live: Live, issuer: Issuer) -> Held:
    holder = KeyPair.generate(KeyType.P256)
    issued = live.services.sd_jwt_vc.issue(
        authority=issuer.name,
        slug="ctpat",
        body=certificate_body("ctpat"),
        holder_jwk=holder.public_key.to_jwk(),
    )
    return Held(issued.compact, issued.credential_id, KeyPairSigner(holder, "did:example:h#k"))


def _failed(result: VerificationResult) -> dict[str, list[str]]:
    return {
        check.name: [problem.code for problem in check.problems]
        for check in result.checks
        if check.outcome is Outcome.FAILED
    }


def test_issued_presented_in_part_and_verified_and_kept_in_the_registry(
    live: Live, cbp: Issuer
) -> None:
    held = _issue(live, cbp)
    result = live.services.sd_jwt_vc.verify(
        held.presented(nonce="n-1"), nonce="n-1", audience=AUDIENCE
    )
    assert result.verified, result.to_json()
    assert [check.name for check in result.checks] == list(CHECK_ORDER)
    assert result.format == "dc+sd-jwt" and result.document is not None
    member = result.document["member"]
    assert set(member) == {"legalName", "location"} and len(member["location"]) == 1
    assert result.document["tier"] == "Validated" and "sviNumber" not in result.document

    record = live.service.http.get(f"/credentials/{held.credential_id}", headers=cbp.headers)
    assert record.status_code == 200, record.text
    assert record.json()["format"] == "dc+sd-jwt"
    # The registry keeps the Issuer-signed JWT, never the Disclosures (RFC 9901 §10.2).
    assert record.json()["verifiableCredential"] == split(held.compact).issuer_jwt
    listed = live.service.registry(cbp, type="CTPATCertificate")
    assert held.credential_id in {item["id"] for item in listed["items"]}
    issued = [
        entry
        for entry in live.services.audit.latest(50)
        if entry.subject == held.credential_id and entry.action == "credential.issued"
    ]
    assert [entry.details["format"] for entry in issued] == ["dc+sd-jwt"]


def _set(live: Live, issuer: Issuer, credential_id: str, purpose: str, status: str) -> None:
    response = live.service.http.post(
        "/credentials/status",
        headers=issuer.headers,
        json={
            "credentialId": credential_id,
            "reason": "SD-JWT VC test",
            "credentialStatus": [
                {"type": "BitstringStatusListEntry", "statusPurpose": purpose, "status": status}
            ],
        },
    )
    assert response.status_code == 200, response.text


def _published_status(live: Live, held: Held) -> int:
    uri = held.status["uri"]
    response = live.service.http.get(
        httpx.URL(uri).path, headers={"Accept": "application/statuslist+jwt"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == MEDIA_TYPE
    payload = decode_compact(response.text).payload_json()
    issuer = decode_compact(split(held.compact).issuer_jwt).payload_json()["iss"]
    assert (payload["sub"], payload["iss"]) == (uri, issuer)
    return TokenStatusList.from_json(payload["status_list"]).get(held.status["idx"])


def test_suspension_reinstatement_and_revocation_show_in_the_token_status_list(
    live: Live, cbp: Issuer
) -> None:
    held, bystander = _issue(live, cbp), _issue(live, cbp)
    verify = live.services.sd_jwt_vc.verify

    _set(live, cbp, held.credential_id, "suspension", "0x1")
    assert _published_status(live, held) == 2 and _published_status(live, bystander) == 0
    suspended = verify(held.presented(nonce="n-2"), nonce="n-2", audience=AUDIENCE)
    assert _failed(suspended) == {"status": ["CREDENTIAL_SUSPENDED"]}
    assert verdict_of(suspended) is Verdict.SUSPENDED  # the verify page's one word
    assert verify(bystander.presented(nonce="n-3"), nonce="n-3", audience=AUDIENCE).verified

    _set(live, cbp, held.credential_id, "suspension", "0x0")
    assert _published_status(live, held) == 0
    assert verify(held.presented(nonce="n-4"), nonce="n-4", audience=AUDIENCE).verified

    _set(live, cbp, held.credential_id, "revocation", "0x1")
    assert _published_status(live, held) == 1
    revoked = verify(held.presented(nonce="n-5"), nonce="n-5", audience=AUDIENCE)
    assert _failed(revoked) == {"status": ["CREDENTIAL_REVOKED"]}


def test_type_metadata_is_served_at_the_vct(live: Live, cbp: Issuer) -> None:
    vct = decode_compact(split(_issue(live, cbp).compact).issuer_jwt).payload_json()["vct"]
    response = live.service.http.get(httpx.URL(vct).path)
    assert response.status_code == 200, response.text
    metadata = response.json()
    assert metadata["vct"] == vct == f"{live.service.url}/vct/ctpat"
    claims = {tuple(claim["path"]): claim for claim in metadata["claims"]}
    assert claims[("member", "rfc")]["sd"] == "always"
    assert claims[("tier",)]["sd"] == "never"
    assert {d["locale"]: d["label"] for d in claims[("tier",)]["display"]} == {
        "es-MX": "Nivel C-TPAT",
        "en-US": "C-TPAT tier",
    }
    assert live.service.http.get("/vct/other").status_code == 404


def test_a_verifier_elsewhere_reads_the_did_and_the_list_over_http(
    live: Live, cbp: Issuer, context_store_dir: Path
) -> None:
    """A verifier with another public URL: the issuer's DID document and Token Status List
    come over HTTP through the guarded client (the list as a JSON string), and the ``vct``
    of the issuer's own service is accepted."""
    held = _issue(live, cbp)
    policy = FetchPolicy(allow_http_hosts=frozenset({"localhost"}), allow_private_networks=True)
    core = build_core(CoreConfig(store_dir=context_store_dir, fetch_policy=policy))
    services = live.services
    elsewhere = SdJwtVcService(
        core=core,
        store=services.store,
        authorities=services.authorities,
        statuses=services.statuses,
        trust=services.trust,
        clock=services.clock,
        public_url="https://verifier.example",
    )
    try:
        result = elsewhere.verify(held.presented(nonce="n-6"), nonce="n-6", audience=AUDIENCE)
    finally:
        core.http.close()
    assert result.verified, result.to_json()
    status = next(check for check in result.checks if check.name == "status")
    assert status.detail == f"valid in {held.status['uri']} at {held.status['idx']}"
    as_json = live.service.http.get(
        httpx.URL(held.status["uri"]).path, headers={"Accept": GUARDED_ACCEPT}
    )
    assert as_json.headers["content-type"] == "application/json"
    assert decode_compact(as_json.json()).header["typ"] == "statuslist+jwt"


def test_an_issuer_the_registry_does_not_accredit_is_not_trusted(live: Live) -> None:
    rogue = live.service.issuer("rogue", CBP_TYPES, accredited=False)
    held = _issue(live, rogue)
    result = live.services.sd_jwt_vc.verify(
        held.presented(nonce="n-7"), nonce="n-7", audience=AUDIENCE
    )
    assert _failed(result) == {"issuerTrust": ["ISSUER_NOT_TRUSTED"]}


@pytest.mark.parametrize(
    ("slug", "change", "code", "field"),
    [
        ("ctpat", {"certificate": {"tier": "Validated"}}, "MALFORMED_VALUE_ERROR", None),
        ("ctpat", {"validUntil": "tomorrow"}, "MALFORMED_VALUE_ERROR", "validUntil"),
        ("ctpat", {"colour": "blue"}, "MALFORMED_VALUE_ERROR", "colour"),
        ("immex", {}, "FORBIDDEN", "type"),
        ("other", {}, "NOT_FOUND", "slug"),
    ],
)
def test_issuance_refuses_what_post_certificates_refuses(
    live: Live, cbp: Issuer, slug: str, change: dict[str, Any], code: str, field: str | None
) -> None:
    body = certificate_body("ctpat") | change
    holder = KeyPair.generate(KeyType.P256).public_key.to_jwk()
    with pytest.raises(VcError) as raised:
        live.services.sd_jwt_vc.issue(authority=cbp.name, slug=slug, body=body, holder_jwk=holder)
    assert raised.value.code == code
    assert raised.value.field == field or str(raised.value.field).startswith("certificate.")


def test_a_private_or_unusable_holder_key_is_refused(live: Live) -> None:
    sat = live.service.issuer("sat", SAT_TYPES)
    private = KeyPair.generate(KeyType.P256).to_private_jwk()
    with pytest.raises(VcError) as raised:
        live.services.sd_jwt_vc.issue(
            authority=sat.name, slug="oea", body=certificate_body("oea"), holder_jwk=private
        )
    assert (raised.value.code, raised.value.field) == ("INVALID_KEY", "holderJwk")


def test_nothing_is_recorded_for_a_refused_issuance(live: Live, cbp: Issuer) -> None:
    before = live.service.registry(cbp)["total"]
    with pytest.raises(VcError):
        live.services.sd_jwt_vc.issue(
            authority=cbp.name,
            slug="ctpat",
            body=certificate_body("ctpat", valid_until="2000-01-01T00:00:00Z"),
            holder_jwk=KeyPair.generate(KeyType.P256).public_key.to_jwk(),
        )
    assert live.service.registry(cbp)["total"] == before
