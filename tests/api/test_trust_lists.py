"""Signed trust lists over real HTTP: SAT and CBP publish, a broker's verifier subscribes.

Two services on loopback, each with its own database: the *registry* (SAT and CBP as
authorities publishing their lists, and AGACE, an office of SAT, issuing OEA certificates)
and the *broker*, a verifier that trusts nothing but the lists it subscribes to. A third
origin, the *mirror*, serves whatever bytes a test puts there: an edited list, an old one,
another authority's. The broker's clock is the test's, so staleness is reached without
waiting; it looks for due lists only when told (its schedule is an hour).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from tests.api.conftest import Issuer, LiveService, serve
from tests.api.presenting import codes, issue_certificate, verification_result
from vcservice.keys import KeyType
from vcservice.services.container import Services, build_services
from vcservice.settings import Settings

LOOPBACK = {"allow_http_hosts": frozenset({"localhost"}), "allow_private_networks": True}
MAX_STALENESS = 3600


class _Clock:
    """The broker's clock: the machine's time plus whatever the test moved it by."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


class _Mirror(BaseHTTPRequestHandler):
    """Serves ``documents[path]`` as a list would be served (404 for anything else)."""

    documents: ClassVar[dict[str, bytes]] = {}

    def do_GET(self) -> None:
        body = self.documents.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "application/vc+ld+json")
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture(scope="module")
def mirror() -> Iterator[tuple[str, dict[str, bytes]]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Mirror)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}", _Mirror.documents
    finally:
        server.shutdown()


@pytest.fixture(scope="module")
def registry(
    context_store_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveService]:
    with serve(
        tmp_path_factory.mktemp("registry"),
        None,
        context_store_dir,
        services=build_services,  # kept: a test signs with one of its keys
        **LOOPBACK,
    ) as live:
        yield live


@pytest.fixture(scope="module")
def clock() -> _Clock:
    return _Clock()


@pytest.fixture(scope="module")
def broker(
    context_store_dir: Path, tmp_path_factory: pytest.TempPathFactory, clock: _Clock
) -> Iterator[LiveService]:
    def services(settings: Settings) -> Services:
        return build_services(settings, clock=clock)

    with serve(
        tmp_path_factory.mktemp("broker"),
        None,
        context_store_dir,
        services=services,
        role="verifier",
        trust_list_poll_seconds=3600,
        trust_list_max_staleness_seconds=MAX_STALENESS,
        **LOOPBACK,
    ) as live:
        yield live


@pytest.fixture(scope="module")
def agace(registry: LiveService) -> Issuer:
    """SAT's office that issues OEA certificates (accredited by no one yet)."""
    return registry.issuer("agace", ["OEACertificate"], accredited=False)


@pytest.fixture(scope="module")
def sat(registry: LiveService) -> dict[str, Any]:
    return registry.create_authority(registry.unique_name("sat"), ["OEACertificate"])


@pytest.fixture(scope="module")
def cbp(registry: LiveService) -> dict[str, Any]:
    return registry.create_authority(registry.unique_name("cbp"), ["CTPATCertificate"])


def _accredit(
    registry: LiveService, authority: dict[str, Any], issuer: Issuer, types: list[str]
) -> dict[str, Any]:
    response = registry.http.post(
        f"/admin/authorities/{authority['name']}/trust-list/entries",
        headers=registry.admin,
        json={"id": issuer.did, "name": "SAT – AGACE", "credentialTypes": types},
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def _list_url(registry: LiveService, authority: dict[str, Any]) -> str:
    return f"{registry.url}/trust-lists/{authority['name']}"


def _subscribe(
    broker: LiveService, url: str, signer: str, types: list[str], label: str
) -> dict[str, Any]:
    response = broker.http.post(
        "/admin/trust-lists/subscriptions",
        headers=broker.admin,
        json={"url": url, "expectedSigner": signer, "credentialTypes": types, "label": label},
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def _refresh(broker: LiveService, subscription: dict[str, Any]) -> dict[str, Any]:
    response = broker.http.post(
        f"/admin/trust-lists/subscriptions/{subscription['id']}/refresh", headers=broker.admin
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def _verify(broker: LiveService, credential: Any) -> dict[str, Any]:
    response = broker.http.post("/credentials/verify", json={"verifiableCredential": credential})
    return verification_result(response)


def _trust(result: dict[str, Any]) -> dict[str, Any]:
    return next(check for check in result["checks"] if check["check"] == "issuerTrust")


def _audited(live: LiveService, action: str) -> list[dict[str, Any]]:
    response = live.http.get("/admin/audit", headers=live.admin, params={"limit": 1000})
    assert response.status_code == 200, response.text
    return [entry for entry in response.json()["entries"] if entry["action"] == action]


def test_a_list_is_published_signed_at_a_stable_url_with_an_etag(
    registry: LiveService, sat: dict[str, Any], agace: Issuer
) -> None:
    _accredit(registry, sat, agace, ["OEACertificate"])
    response = registry.http.get(_list_url(registry, sat))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vc+ld+json")
    document = response.json()
    assert document["type"] == ["VerifiableCredential", "TrustListCredential"]
    assert document["issuer"] == sat["did"]
    assert document["proof"]["verificationMethod"].startswith(sat["did"] + "#")
    entries = document["credentialSubject"]["entries"]
    assert [entry["id"] for entry in entries] == [agace.did]
    etag = response.headers["etag"]
    again = registry.http.get(_list_url(registry, sat), headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["etag"] == etag
    schema = registry.http.get("/schemas/trust-list-v1.json")
    assert schema.status_code == 200, schema.text
    assert schema.json()["$id"].endswith("/schemas/trust-list-v1.json")
    published = _audited(registry, "trust_list.published")
    assert any(entry["subject"] == _list_url(registry, sat) for entry in published)
    assert _audited(registry, "accreditation.added")


def test_a_subscribed_list_makes_its_issuers_trusted_and_says_so(
    registry: LiveService, broker: LiveService, sat: dict[str, Any], agace: Issuer
) -> None:
    credential = issue_certificate(registry, agace, "oea")
    refused = verification_result(
        broker.http.post("/credentials/verify", json={"verifiableCredential": credential}),
        verified=False,
    )
    assert "ISSUER_NOT_TRUSTED" in codes(refused)
    subscription = _subscribe(
        broker, _list_url(registry, sat), sat["did"], ["OEACertificate"], "SAT"
    )
    assert subscription["refresh"]["result"] == "accepted", subscription
    result = _verify(broker, credential)
    [basis] = _trust(result)["trustedBy"]
    assert basis["source"] == "trustList"
    assert basis["url"] == _list_url(registry, sat)
    assert basis["operator"] == sat["did"]
    assert basis["sequence"] == subscription["refresh"]["sequence"]
    assert _audited(broker, "trust_list.subscribed")
    assert _audited(broker, "trust_list.accepted")


def _operator(registry: LiveService, prefix: str, office: Issuer) -> dict[str, Any]:
    """A fresh list operator whose list accredits ``office`` for OEA certificates."""
    operator = registry.create_authority(registry.unique_name(prefix), ["OEACertificate"])
    _accredit(registry, operator, office, ["OEACertificate"])
    return operator


def _current(registry: LiveService, operator: dict[str, Any]) -> bytes:
    response = registry.http.get(_list_url(registry, operator))
    assert response.status_code == 200, response.text
    return response.content


def _held(broker: LiveService, subscription: dict[str, Any]) -> dict[str, Any]:
    response = broker.http.get("/admin/trust-lists/subscriptions", headers=broker.admin)
    assert response.status_code == 200, response.text
    return next(held for held in response.json() if held["id"] == subscription["id"])


def test_a_withdrawn_accreditation_shows_at_the_next_verification(
    registry: LiveService, broker: LiveService
) -> None:
    office = registry.issuer("aduana-mx", ["OEACertificate"], accredited=False)
    operator = _operator(registry, "sat", office)
    subscription = _subscribe(
        broker, _list_url(registry, operator), operator["did"], ["OEACertificate"], "SAT"
    )
    credential = issue_certificate(registry, office, "oea")
    assert _trust(_verify(broker, credential))["trustedBy"][0]["sequence"] == 1
    [entry] = registry.http.get(
        f"/admin/authorities/{operator['name']}/trust-list/entries", headers=registry.admin
    ).json()["entries"]
    withdrawn = registry.http.delete(
        f"/admin/authorities/{operator['name']}/trust-list/entries/{entry['entryId']}",
        headers=registry.admin,
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["version"]["sequence"] == 2
    assert _refresh(broker, subscription) == {"result": "accepted", "sequence": 2}
    result = verification_result(
        broker.http.post("/credentials/verify", json={"verifiableCredential": credential}),
        verified=False,
    )
    assert codes(result) == ["ISSUER_NOT_TRUSTED"]
    assert _audited(registry, "accreditation.removed")
    accepted = _audited(broker, "trust_list.accepted")[-1]
    assert accepted["details"]["issuersRemoved"] == [office.did]
    assert accepted["details"]["accreditationsWithdrawn"] == [f"{office.did} OEACertificate - -"]


def test_the_signing_key_rotates_only_to_a_key_an_earlier_list_announced(
    registry: LiveService, broker: LiveService, mirror: tuple[str, dict[str, bytes]]
) -> None:
    office = registry.issuer("aduana-rot", ["OEACertificate"], accredited=False)
    operator = _operator(registry, "sat", office)
    name = operator["name"]
    subscription = _subscribe(
        broker, _list_url(registry, operator), operator["did"], ["OEACertificate"], "SAT"
    )
    first_key = json.loads(_current(registry, operator))["proof"]["verificationMethod"]
    rotate = f"/admin/authorities/{name}/keys/rotate"
    unannounced = registry.http.post(rotate, headers=registry.admin, json={"keyType": "Ed25519"})
    assert unannounced.status_code == 409, unannounced.text  # it signs a published list
    prepared = registry.http.post(
        f"/admin/authorities/{name}/trust-list/next-key", headers=registry.admin
    )
    assert prepared.status_code == 201, prepared.text
    announced = f"{operator['did']}#{prepared.json()['keyId']}"
    listed = json.loads(_current(registry, operator))["credentialSubject"]
    assert listed["nextSigningKeys"] == [announced]
    rotated = registry.http.post(rotate, headers=registry.admin, json={"keyType": "Ed25519"})
    assert rotated.status_code == 201, rotated.text
    assert rotated.json()["keyId"] == prepared.json()["keyId"]
    third = json.loads(_current(registry, operator))
    assert third["proof"]["verificationMethod"] == announced != first_key
    assert third["credentialSubject"]["previousVersion"] == f"{_list_url(registry, operator)}/2"
    # The broker never saw version 2, which announced the key: it follows the chain back.
    assert _refresh(broker, subscription) == {"result": "accepted", "sequence": 3}
    assert _audited(broker, "trust_list.accepted")[-1]["details"]["through"] == [2]
    credential = issue_certificate(registry, office, "oea")
    assert _trust(_verify(broker, credential))["trustedBy"][0]["sequence"] == 3

    # A list signed by another key of the same DID (in its DID document, never announced).
    base, documents = mirror
    documents["/rotation"] = _current(registry, operator)
    copy = _subscribe(broker, f"{base}/rotation", operator["did"], ["OEACertificate"], "SAT")
    assert copy["refresh"]["result"] == "accepted"
    documents["/rotation"] = _signed_with_another_key(registry, operator, third)
    refused = _refresh(broker, copy)
    assert (refused["result"], refused["code"]) == ("refused", "TRUST_LIST_KEY_NOT_ANNOUNCED")
    assert _held(broker, copy)["sequence"] == 3
    assert _audited(broker, "trust_list.refused")


def _signed_with_another_key(
    registry: LiveService, operator: dict[str, Any], document: dict[str, Any]
) -> bytes:
    """``document`` as the next version, signed with the operator's P-256 key."""
    services = registry.services
    assert services is not None
    authority = services.authorities.get(operator["name"])
    unsigned = {key: value for key, value in document.items() if key != "proof"}
    subject = unsigned["credentialSubject"]
    unsigned["credentialSubject"] = subject | {"sequenceNumber": subject["sequenceNumber"] + 1}
    signed = services.core.data_integrity.add_proof(
        unsigned,
        signer=services.authorities.signer(authority, KeyType.P256),
        cryptosuite="ecdsa-rdfc-2019",
        created=datetime.now(UTC),
    )
    return json.dumps(signed).encode()


def test_forged_rolled_back_and_foreign_lists_are_refused_and_the_last_good_one_kept(
    registry: LiveService,
    broker: LiveService,
    mirror: tuple[str, dict[str, bytes]],
    cbp: dict[str, Any],
) -> None:
    base, documents = mirror
    office = registry.issuer("aduana-mirror", ["OEACertificate"], accredited=False)
    operator = _operator(registry, "sat", office)
    documents["/sat"] = first = _current(registry, operator)
    subscription = _subscribe(broker, f"{base}/sat", operator["did"], ["OEACertificate"], "SAT")
    assert subscription["refresh"]["result"] == "accepted"
    other = registry.issuer("aduana-otra", ["OEACertificate"], accredited=False)
    _accredit(registry, operator, other, ["OEACertificate"])
    second = _current(registry, operator)

    documents["/sat"] = second.replace("SAT – AGACE".encode(), "SAT – AGACF".encode(), 1)
    assert documents["/sat"] != second  # one letter of a name, the proof unchanged
    forged = _refresh(broker, subscription)
    assert (forged["result"], forged["code"]) == ("refused", "TRUST_LIST_INVALID"), forged
    assert _held(broker, subscription)["sequence"] == 1

    documents["/sat"] = second
    assert _refresh(broker, subscription) == {"result": "accepted", "sequence": 2}
    documents["/sat"] = first
    rollback = _refresh(broker, subscription)
    assert (rollback["result"], rollback["code"]) == ("refused", "TRUST_LIST_ROLLBACK")

    _accredit(registry, cbp, other, ["OEACertificate"])
    documents["/sat"] = _current(registry, cbp)
    foreign = _refresh(broker, subscription)
    assert (foreign["result"], foreign["code"]) == ("refused", "TRUST_LIST_SIGNER_MISMATCH")
    assert _held(broker, subscription)["sequence"] == 2
    refusals = {entry["details"]["code"] for entry in _audited(broker, "trust_list.refused")}
    assert {"TRUST_LIST_INVALID", "TRUST_LIST_ROLLBACK", "TRUST_LIST_SIGNER_MISMATCH"} <= refusals


def test_a_list_past_its_maximum_staleness_leaves_its_issuers_uncheckable_not_untrusted(
    registry: LiveService,
    broker: LiveService,
    mirror: tuple[str, dict[str, bytes]],
    clock: _Clock,
) -> None:
    base, documents = mirror
    office = registry.issuer("aduana-stale", ["OEACertificate"], accredited=False)
    operator = _operator(registry, "sat", office)
    documents["/stale"] = _current(registry, operator)
    subscription = _subscribe(broker, f"{base}/stale", operator["did"], ["OEACertificate"], "SAT")
    credential = issue_certificate(registry, office, "oea")
    del documents["/stale"]  # the publisher is away from now on
    try:
        clock.offset = timedelta(seconds=MAX_STALENESS // 2)
        assert _refresh(broker, subscription)["result"] == "failed"
        assert _trust(_verify(broker, credential))["trustedBy"][0]["sequence"] == 1
        clock.offset = timedelta(seconds=MAX_STALENESS + 60)
        result = verification_result(
            broker.http.post("/credentials/verify", json={"verifiableCredential": credential}),
            verified=False,
        )
        assert codes(result) == ["TRUST_LIST_STALE"], result
        assert "trustedBy" not in _trust(result)
    finally:
        clock.offset = timedelta()
    assert _trust(_verify(broker, credential))["trustedBy"][0]["sequence"] == 1


def test_due_lists_are_refreshed_on_schedule_by_the_serving_process(
    registry: LiveService, context_store_dir: Path, tmp_path: Path
) -> None:
    office = registry.issuer("aduana-sched", ["OEACertificate"], accredited=False)
    operator = _operator(registry, "sat", office)
    moved = _Clock()

    def services(settings: Settings) -> Services:
        return build_services(settings, clock=moved)

    with serve(
        tmp_path, None, context_store_dir, services=services, role="verifier",
        trust_list_poll_seconds=0.1, trust_list_refresh_seconds=60, **LOOPBACK,
    ) as scheduled:  # fmt: skip
        subscription = _subscribe(
            scheduled, _list_url(registry, operator), operator["did"], ["OEACertificate"], "SAT"
        )
        other = registry.issuer("aduana-nueva", ["OEACertificate"], accredited=False)
        _accredit(registry, operator, other, ["OEACertificate"])
        _current(registry, operator)
        time.sleep(0.5)
        assert _held(scheduled, subscription)["sequence"] == 1  # not due yet
        moved.offset = timedelta(seconds=61)
        deadline = time.monotonic() + 10
        while _held(scheduled, subscription)["sequence"] != 2:
            assert time.monotonic() < deadline, "the due list was not refreshed"
            time.sleep(0.1)
