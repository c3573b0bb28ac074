"""Offline verification bundles: exported over HTTP from a running service, used with no network.

One service runs for the module (uvicorn on loopback, public URL ``http://localhost:PORT``).
SAT and CBP are in the trust registry; ROGUE issues too but is not accredited (its DID
document is bundled with ``--did``). One SAT certificate is suspended before the export.
The verifier organisation signs the bundle with its key (``ORGANISATION``); offline
verification trusts that key (``--bundle-key``) and runs with DNS and socket connections
refused.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.builders import CBP_TYPES, SAT_TYPES, certificate_body
from tests.api.conftest import Issuer, LiveService, assert_problem, serve
from tests.factories import key_file
from tests.unit.net.local_server import LocalServer, Route
from vcservice.bundle import BUNDLE_JWS_TYPE
from vcservice.cli.bundle import parse_duration
from vcservice.cli.main import main
from vcservice.jose.jws import decode_compact, sign_compact
from vcservice.keys import KeyFile, base64url_decode, base64url_encode
from vcservice.model.datetimes import format_datetime

pytestmark = pytest.mark.shared

SCOPES = ("issue:credentials", "read:credentials", "update:credentials")
DOMAIN = "aduana-nuevo-laredo.example"
LOCAL_HTTP = ("--allow-http-host", "localhost", "--allow-private-networks")
ORGANISATION = key_file(seed=70)  # the verifier organisation that signs bundles
ORGANISATION_DID = ORGANISATION.verification_method.split("#")[0]


@dataclass
class World:
    """The service, its issuers, what they issued, and the exported bundle."""

    live: LiveService
    sat: Issuer
    cbp: Issuer
    rogue: Issuer
    directory: Path
    bundle: Path
    export_report: dict[str, Any]
    credentials: dict[str, Any]
    presentation: dict[str, Any]
    challenge: str


def _issue(live: LiveService, issuer: Issuer, slug: str, subject: str | None = None) -> Any:
    body = certificate_body(slug)
    if subject is not None:
        body["certificate"]["member"]["id"] = subject
    response = live.http.post(f"/certificates/{slug}", headers=issuer.headers, json=body)
    assert response.status_code == 201, response.text
    return response.json()["verifiableCredential"]


def _suspend(live: LiveService, issuer: Issuer, credential: dict[str, Any]) -> None:
    update = {"type": "BitstringStatusListEntry", "statusPurpose": "suspension", "status": "0x1"}
    response = live.http.post(
        "/credentials/status",
        headers=issuer.headers,
        json={"credentialId": credential["id"], "credentialStatus": [update], "reason": "test"},
    )
    assert response.status_code == 200, response.text


def _presentation(live: LiveService, issuer: Issuer) -> tuple[dict[str, Any], str]:
    """A holder's presentation of a certificate issued to it, for a fresh challenge."""
    created = live.http.post("/admin/holders", headers=live.admin, json={"name": "shipper"})
    assert created.status_code == 201, created.text
    holder = created.json()
    wallet = {"Authorization": f"Bearer {holder['accessToken']}"}
    credential = _issue(live, issuer, "immex", subject=holder["did"])
    kept = live.http.post(
        "/holder/credentials", headers=wallet, json={"verifiableCredential": credential}
    )
    assert kept.status_code == 201, kept.text
    challenge = live.http.post("/challenges", json={"domain": DOMAIN}).json()["challenge"]
    proved = live.http.post(
        "/presentations/prove",
        headers=wallet,
        json={"credentialIds": [credential["id"]], "challenge": challenge, "domain": DOMAIN},
    )
    assert proved.status_code == 201, proved.text
    return proved.json()["verifiablePresentation"], str(challenge)


def _registry(directory: Path, name: str, *issuers: tuple[Issuer, list[str]]) -> Path:
    path = directory / name
    entries = [
        {"id": issuer.did, "name": issuer.name.upper(), "credentialTypes": types}
        for issuer, types in issuers
    ]
    path.write_text(json.dumps({"issuers": entries}), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def world(context_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    directory = tmp_path_factory.mktemp("bundle")
    with serve(directory, None, context_store_dir) as live:
        sat = live.issuer("sat", SAT_TYPES, scopes=SCOPES)
        cbp = live.issuer("cbp", CBP_TYPES, scopes=SCOPES)
        rogue = live.issuer("rogue", SAT_TYPES, scopes=SCOPES)
        credentials = {
            "immex": _issue(live, sat, "immex"),
            "suspended": _issue(live, sat, "oea"),
            "ctpat": _issue(live, cbp, "ctpat"),
            "rogue": _issue(live, rogue, "immex"),
        }
        _suspend(live, sat, credentials["suspended"])
        presentation, challenge = _presentation(live, sat)
        registry = _registry(directory, "trust.json", (sat, SAT_TYPES), (cbp, CBP_TYPES))
        bundle = directory / "bundle.jws"
        sign_key = directory / "organisation-key.json"
        sign_key.write_text(ORGANISATION.to_json(), encoding="utf-8")
        code, out, err = _run(
            context_store_dir,
            "bundle", "export", "--out", bundle, "--trust-registry", registry,
            "--did", rogue.did, "--sign-key", sign_key, *LOCAL_HTTP,
        )  # fmt: skip
        assert code == 0, err
        yield World(
            live, sat, cbp, rogue, directory, bundle, json.loads(out), credentials,
            presentation, challenge,
        )  # fmt: skip


def _run(context_store: Path, *args: str | Path) -> tuple[int, str, str]:
    """The CLI in-process; (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--context-store", str(context_store), *map(str, args)])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def offline(
    world: World, context_store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    """``vcservice verify FILE --bundle …`` with DNS and connections refused."""
    attempts: list[str] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(repr(args[:2]))
        raise OSError("network refused in this test")

    def verify(
        document: Any,
        *options: str | Path,
        bundle: Path | None = None,
        trust: tuple[str | Path, ...] = ("--bundle-key", ORGANISATION_DID),
    ) -> Any:
        path = world.directory / "document.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        with monkeypatch.context() as patch:
            patch.setattr(socket, "getaddrinfo", refuse)
            patch.setattr(socket.socket, "connect", refuse)
            code, out, err = _run(
                context_store_dir,
                "verify", path, "--bundle", bundle or world.bundle, *trust, *options,
            )  # fmt: skip
        assert not attempts, f"verification tried the network: {attempts}"
        return code, (json.loads(out) if out else json.loads(err))

    yield verify


def _codes(report: dict[str, Any]) -> list[str]:
    return [problem["code"] for problem in report["problemDetails"]]


def _status_detail(report: dict[str, Any]) -> str:
    return str(next(c for c in report["checks"] if c["check"] == "status")["detail"])


def _bundle_json(world: World, source: Path | None = None) -> Any:
    """The JSON the signed bundle (or ``source``) carries."""
    return decode_compact((source or world.bundle).read_text(encoding="utf-8")).payload_json()


def _edited_bundle(
    world: World,
    name: str,
    edit: Any,
    *,
    signer: KeyFile | None = ORGANISATION,
    source: Path | None = None,
) -> Path:
    """The bundle's (or ``source``'s) JSON edited, then signed by ``signer`` (or left
    unsigned with None)."""
    data = _bundle_json(world, source)
    edit(data)
    path = world.directory / name
    if signer is None:
        path.write_text(json.dumps(data), encoding="utf-8")
    else:  # signed as it is, even when malformed: the loader reads it only once it verifies
        header = {"typ": BUNDLE_JWS_TYPE}
        path.write_text(sign_compact(data, signer=signer.signer(), header=header), encoding="utf-8")
    return path


def _altered_bundle(world: World, name: str, edit: Any) -> Path:
    """The signed bundle with its payload bytes edited after signing (signature kept)."""
    header, payload, signature = world.bundle.read_text(encoding="utf-8").strip().split(".")
    altered = base64url_encode(edit(base64url_decode(payload)))
    path = world.directory / name
    path.write_text(f"{header}.{altered}.{signature}", encoding="utf-8")
    return path


def test_dids_advertise_their_status_list_index(world: World) -> None:
    document = world.live.did_document(world.sat.name)
    index_url = f"{world.live.url}/status-lists/{world.sat.name}"
    assert {
        "id": f"{world.sat.did}#status-lists",
        "type": ["StatusListIndex"],
        "serviceEndpoint": index_url,
    } in document["service"]
    index = world.live.http.get(httpx.URL(index_url).path)
    assert index.status_code == 200
    assert sorted(index.json()["statusLists"]) == [
        f"{world.live.url}/status-lists/{world.sat.name}/{purpose}/1"
        for purpose in ("message", "revocation", "suspension")
    ]
    assert_problem(world.live.http.get("/status-lists/nobody"), 404, "NOT_FOUND")


def test_the_export_holds_the_registry_dids_and_every_list(world: World) -> None:
    bundle = _bundle_json(world)
    assert bundle["type"] == "VerificationBundle" and bundle["version"] == 2
    assert bundle["trustLists"] == []
    issuers = [world.sat, world.cbp, world.rogue]
    assert [document["id"] for document in bundle["didDocuments"]] == [i.did for i in issuers]
    assert [entry["id"] for entry in bundle["trustRegistry"]["issuers"]] == [
        world.sat.did,
        world.cbp.did,
    ]
    urls = {snapshot["url"] for snapshot in bundle["statusLists"]}
    assert urls == {
        f"{world.live.url}/status-lists/{issuer.name}/{purpose}/1"
        for issuer in issuers
        for purpose in ("revocation", "suspension", "message")
    }
    assert world.export_report["warnings"] == []
    assert len(world.export_report["statusLists"]) == 9
    assert world.export_report["signature"] == {"kid": ORGANISATION.verification_method}
    header = decode_compact(world.bundle.read_text(encoding="utf-8")).header
    assert header == {
        "typ": BUNDLE_JWS_TYPE,
        "alg": "EdDSA",
        "kid": ORGANISATION.verification_method,
    }


def test_show_summarizes_the_bundle_and_its_age(world: World, context_store_dir: Path) -> None:
    code, out, _ = _run(
        context_store_dir, "bundle", "show", world.bundle, "--bundle-key", ORGANISATION_DID
    )
    summary = json.loads(out)
    assert code == 0
    assert summary["signature"] == {
        "signedBy": ORGANISATION.verification_method,
        "kid": ORGANISATION.verification_method,
        "alg": "EdDSA",
    }
    assert summary["didDocuments"] == [world.sat.did, world.cbp.did, world.rogue.did]
    assert {entry["issuer"] for entry in summary["statusLists"]} == {
        world.sat.did,
        world.cbp.did,
        world.rogue.did,
    }
    assert all(entry["age"].endswith((" s", " min")) for entry in summary["statusLists"])
    assert summary["age"].endswith((" s", " min"))


def test_a_good_credential_verifies_offline_and_the_status_says_its_age(
    world: World, offline: Any
) -> None:
    for name in ("immex", "ctpat"):
        code, report = offline(world.credentials[name])
        assert code == 0, report
        detail = _status_detail(report)
        assert "revocation: not revoked" in detail and "suspension: not suspended" in detail
        signed_by = f"from the bundle signed by {ORGANISATION.verification_method}, fetched"
        assert signed_by in detail and "(age " in detail


def test_a_credential_suspended_before_the_export_is_suspended_offline(
    world: World, offline: Any
) -> None:
    code, report = offline(world.credentials["suspended"])
    assert code == 1
    assert _codes(report) == ["CREDENTIAL_SUSPENDED"]


def test_an_issuer_outside_the_bundles_registry_is_not_trusted(world: World, offline: Any) -> None:
    code, report = offline(world.credentials["rogue"])
    assert code == 1
    assert _codes(report) == ["ISSUER_NOT_TRUSTED"]


def test_status_data_older_than_the_maximum_age_is_stale(world: World, offline: Any) -> None:
    def age_lists(data: dict[str, Any]) -> None:
        three_hours_ago = datetime.now(UTC) - timedelta(hours=3, minutes=12)
        for snapshot in data["statusLists"]:
            snapshot["fetchedAt"] = format_datetime(three_hours_ago)

    old = _edited_bundle(world, "old-bundle.json", age_lists)
    code, report = offline(world.credentials["immex"], "--max-status-age", "2h", bundle=old)
    assert code == 1
    assert set(_codes(report)) == {"STATUS_DATA_STALE"}
    assert "3 h 12 min ago, longer than the 2 h allowed" in report["problemDetails"][0]["detail"]

    code, report = offline(world.credentials["immex"], "--max-status-age", "4h", bundle=old)
    assert code == 0, report
    assert "fetched" in _status_detail(report)
    assert "(age 3 h 12 min)" in _status_detail(report)


def test_a_bundle_dated_in_the_future_is_refused(world: World, offline: Any) -> None:
    def postdate(data: dict[str, Any]) -> None:
        tomorrow = format_datetime(datetime.now(UTC) + timedelta(days=1))
        data["created"] = tomorrow
        for snapshot in data["statusLists"]:
            snapshot["fetchedAt"] = tomorrow

    future = _edited_bundle(world, "future-bundle.json", postdate)
    code, report = offline(world.credentials["immex"], "--max-status-age", "2h", bundle=future)
    assert code == 2
    [problem] = report
    assert problem["field"] == "created"
    assert "in the future" in problem["detail"]


def test_a_status_list_missing_from_the_bundle_is_not_fetched(world: World, offline: Any) -> None:
    missing = world.credentials["immex"]["credentialStatus"][0]["statusListCredential"]

    def drop(data: dict[str, Any]) -> None:
        data["statusLists"] = [s for s in data["statusLists"] if s["url"] != missing]

    partial = _edited_bundle(world, "partial-bundle.json", drop)
    code, report = offline(world.credentials["immex"], bundle=partial)
    assert code == 1
    assert _codes(report) == ["STATUS_RETRIEVAL_ERROR"]
    assert "not in the bundle" in report["problemDetails"][0]["detail"]


def test_a_presentation_verifies_offline_for_its_challenge(world: World, offline: Any) -> None:
    good = (f"--challenge={world.challenge}", "--domain", DOMAIN)  # it may start with "-"
    code, report = offline(world.presentation, *good)
    assert code == 0, report
    code, report = offline(world.presentation, "--challenge", "another", "--domain", DOMAIN)
    assert code == 1
    assert "INVALID_CHALLENGE_ERROR" in _codes(report)


def test_bundle_options_do_not_mix_with_given_documents(
    world: World, offline: Any, context_store_dir: Path
) -> None:
    registry = world.directory / "trust.json"
    code, problems = offline(world.credentials["immex"], "--trust-registry", registry)
    assert code == 2 and problems[0]["field"] == "--bundle"
    for option in ("--max-status-age", "--max-trust-list-age"):
        code, _, err = _run(
            context_store_dir, "verify", world.directory / "document.json", option, "1h"
        )
        assert code == 2 and json.loads(err)[0]["field"] == option
    broken = _edited_bundle(world, "broken.json", lambda data: data["statusLists"][1].pop("url"))
    code, problems = offline(world.credentials["immex"], bundle=broken)
    assert code == 2 and problems[0]["field"] == "statusLists[1].url"


def test_the_export_refuses_a_list_that_does_not_verify(
    world: World, context_store_dir: Path
) -> None:
    url = world.credentials["immex"]["credentialStatus"][0]["statusListCredential"]
    tampered = world.live.http.get(httpx.URL(url).path).json()
    tampered["validUntil"] = "2099-01-01T00:00:00Z"
    server = LocalServer()
    try:
        server.routes["/list"] = Route(json.dumps(tampered).encode())
        code, _, err = _run(
            context_store_dir,
            "bundle", "export", "--out", world.directory / "refused.json",
            "--trust-registry", _registry(world.directory, "sat.json", (world.sat, SAT_TYPES)),
            "--status-list", server.url("/list"), "--allow-http-host", "127.0.0.1", *LOCAL_HTTP,
            "--sign-key", world.directory / "organisation-key.json",
        )  # fmt: skip
    finally:
        server.close()
    [problem] = json.loads(err)
    assert code == 2 and problem["code"] == "STATUS_VERIFICATION_ERROR"
    assert "PROOF_VERIFICATION_ERROR" in problem["detail"]
    assert not (world.directory / "refused.json").exists()


def _rogue_accredited(world: World) -> Any:
    def edit(data: dict[str, Any]) -> None:
        entry = {"id": world.rogue.did, "name": "ROGUE", "credentialTypes": SAT_TYPES}
        data["trustRegistry"]["issuers"].append(entry)

    return edit


def test_a_registry_edited_after_signing_is_refused(world: World, offline: Any) -> None:
    """Accrediting ROGUE in the bundle's registry: what the signature is there to stop."""

    def accredit(payload: bytes) -> bytes:
        data = json.loads(payload)
        _rogue_accredited(world)(data)
        return json.dumps(data).encode()

    altered = _altered_bundle(world, "accredited.jws", accredit)
    code, problems = offline(world.credentials["rogue"], bundle=altered)
    assert code == 2
    [problem] = problems
    assert (problem["code"], problem["field"]) == ("PROOF_VERIFICATION_ERROR", "signature")
    assert "altered after it was signed" in problem["detail"]

    # The same edit, carried unsigned and let through, would accredit ROGUE.
    unsigned = _edited_bundle(world, "accredited.json", _rogue_accredited(world), signer=None)
    code, report = offline(
        world.credentials["rogue"], "--allow-unsigned-bundle", bundle=unsigned, trust=()
    )
    assert code == 0, report


def test_a_byte_flipped_in_a_status_list_snapshot_is_refused(world: World, offline: Any) -> None:
    def flip(payload: bytes) -> bytes:
        at = payload.index(b'"encodedList":"') + 30
        return payload[:at] + bytes([payload[at] ^ 0x01]) + payload[at + 1 :]

    flipped = _altered_bundle(world, "flipped.jws", flip)
    code, problems = offline(world.credentials["immex"], bundle=flipped)
    assert code == 2
    [problem] = problems
    assert (problem["code"], problem["field"]) == ("PROOF_VERIFICATION_ERROR", "signature")


def test_a_bundle_signed_by_another_key_is_refused(world: World, offline: Any) -> None:
    stranger = key_file(seed=71)
    other = _edited_bundle(world, "stranger.jws", lambda data: None, signer=stranger)
    code, problems = offline(world.credentials["immex"], bundle=other)
    assert code == 2
    [problem] = problems
    assert (problem["code"], problem["field"]) == ("PROOF_VERIFICATION_ERROR", "header.kid")
    signed_by = f"signed by {stranger.verification_method}, which is not a key trusted"
    assert signed_by in problem["detail"]


def test_an_unsigned_bundle_is_refused_unless_explicitly_allowed(
    world: World, offline: Any, context_store_dir: Path
) -> None:
    unsigned = _edited_bundle(world, "unsigned.json", lambda data: None, signer=None)
    code, problems = offline(world.credentials["immex"], bundle=unsigned)
    assert code == 2
    [problem] = problems
    assert (problem["code"], problem["field"]) == ("CRYPTOGRAPHIC_SECURITY_ERROR", "bundle")

    code, report = offline(
        world.credentials["immex"], "--allow-unsigned-bundle", bundle=unsigned, trust=()
    )
    assert code == 0, report
    assert "from the unsigned bundle, fetched" in _status_detail(report)
    code, _, err = _run(context_store_dir, "bundle", "show", unsigned, "--allow-unsigned-bundle")
    assert code == 0 and "warning: the bundle" in err and "is NOT signed" in err


def test_the_trusted_key_is_configured_by_option_or_environment(
    world: World, offline: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VCSERVICE_BUNDLE_KEYS", raising=False)
    code, problems = offline(world.credentials["immex"], trust=())
    assert code == 2 and problems[0]["field"] == "--bundle-key"

    jwk = world.directory / "organisation.jwk"
    jwk.write_text(json.dumps(ORGANISATION.key_pair.public_key.to_jwk()), encoding="utf-8")
    code, report = offline(world.credentials["immex"], trust=("--bundle-key", jwk))
    assert code == 0, report

    monkeypatch.setenv("VCSERVICE_BUNDLE_KEYS", f"{key_file(seed=72).verification_method} {jwk}")
    code, report = offline(world.credentials["immex"], trust=())
    assert code == 0, report


def test_the_export_needs_a_signing_key(world: World, context_store_dir: Path) -> None:
    with pytest.raises(SystemExit):
        _run(
            context_store_dir,
            "bundle", "export", "--out", world.directory / "never.jws",
            "--trust-registry", world.directory / "trust.json", *LOCAL_HTTP,
        )  # fmt: skip
    assert not (world.directory / "never.jws").exists()


@pytest.mark.parametrize(
    ("text", "duration"),
    [
        ("90s", timedelta(seconds=90)),
        ("30m", timedelta(minutes=30)),
        ("6h", timedelta(hours=6)),
        ("2d", timedelta(days=2)),
    ],
)
def test_maximum_ages_are_durations(text: str, duration: timedelta) -> None:
    assert parse_duration(text) == duration


@pytest.mark.parametrize("text", ["6", "h", "0h", "-1h", "1.5h", "6 h", "2w"])
def test_other_maximum_ages_are_refused(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        parse_duration(text)
