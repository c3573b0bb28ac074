"""Bundles that carry signed trust lists: exported with ``--trust-list``, used offline.

The service of ``test_bundle.py`` also publishes a trust list: an authority of its own (the
list's operator) accredits ROGUE — whom the bundle's registry file does not — for IMMEX.
A bundle made from that list alone (no registry file) carries the list as served; offline,
ROGUE's certificate verifies, naming the list and its version, until the list is older
than the age allowed; a forged list, or one its expected signer did not sign, stops the
bundle from loading.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.cli.test_bundle import (
    LOCAL_HTTP,
    ORGANISATION,
    ORGANISATION_DID,
    World,
    _bundle_json,
    _codes,
    _edited_bundle,
    _run,
    offline,
    world,
)
from vcservice.model.datetimes import parse_datetime

pytestmark = pytest.mark.shared
__all__ = ["offline", "world"]  # the fixtures of test_bundle.py, used here as they are


@dataclass
class Listed:
    """The list's operator, where its list is served, and the bundle that carries it."""

    operator: dict[str, Any]
    url: str
    bundle: Path
    export_report: dict[str, Any]


@pytest.fixture(scope="module")
def listed(world: World, context_store_dir: Path) -> Listed:
    live = world.live
    operator = live.create_authority(live.unique_name("lista"), ["OEACertificate"])
    accredited = live.http.post(
        f"/admin/authorities/{operator['name']}/trust-list/entries",
        headers=live.admin,
        json={"id": world.rogue.did, "name": "ROGUE", "credentialTypes": ["IMMEXCertificate"]},
    )
    assert accredited.status_code == 201, accredited.text
    url = f"{live.url}/trust-lists/{operator['name']}"
    subscriptions = world.directory / "trust-lists.json"
    subscription = {
        "url": url,
        "expectedSigner": operator["did"],
        "credentialTypes": ["IMMEXCertificate"],
        "label": "Lista",
    }
    subscriptions.write_text(json.dumps([subscription]), encoding="utf-8")
    bundle = world.directory / "listed.jws"
    code, out, err = _run(
        context_store_dir,
        "bundle", "export", "--out", bundle, "--trust-list", subscriptions,
        "--sign-key", world.directory / "organisation-key.json", *LOCAL_HTTP,
    )  # fmt: skip
    assert code == 0, err
    return Listed(operator, url, bundle, json.loads(out))


def test_the_bundle_carries_the_list_as_served_and_its_issuers_documents(
    world: World, listed: Listed
) -> None:
    data = _bundle_json(world, listed.bundle)
    assert data["version"] == 2 and data["trustRegistry"] == {"issuers": []}
    [carried] = data["trustLists"]
    served = world.live.http.get(httpx.URL(listed.url).path).json()
    assert carried == {
        "url": listed.url,
        "expectedSigner": listed.operator["did"],
        "credentialTypes": ["IMMEXCertificate"],
        "label": "Lista",
        "maxStalenessSeconds": 86_400,
        "fetchedAt": carried["fetchedAt"],
        "document": served,
    }
    dids = [document["id"] for document in data["didDocuments"]]
    assert dids == [world.rogue.did, listed.operator["did"]]
    issuers = {snapshot["credential"]["issuer"] for snapshot in data["statusLists"]}
    assert world.rogue.did in issuers


def test_show_and_the_export_summarize_the_lists(
    world: World, listed: Listed, context_store_dir: Path
) -> None:
    code, out, _ = _run(
        context_store_dir, "bundle", "show", listed.bundle, "--bundle-key", ORGANISATION_DID
    )
    assert code == 0
    for summary in (json.loads(out), listed.export_report):
        [entry] = summary["trustLists"]
        assert entry["url"] == listed.url and entry["label"] == "Lista"
        assert entry["operator"] == listed.operator["did"]
        assert entry["operatorName"] == listed.operator["displayName"]
        assert entry["sequence"] == 1 and entry["issued"] <= entry["fetchedAt"]
        assert entry["age"].endswith((" s", " min"))


def _as_text(
    world: World, listed: Listed, context_store_dir: Path, *options: str
) -> tuple[int, str]:
    """``vcservice verify`` of ROGUE's certificate with the listed bundle, as text (English
    unless ``options`` say otherwise)."""
    path = world.directory / "rogue.json"
    path.write_text(json.dumps(world.credentials["rogue"]), encoding="utf-8")
    code, out, _ = _run(
        context_store_dir,
        "verify", path, "--bundle", listed.bundle, "--bundle-key", ORGANISATION_DID,
        "--format", "text", "--lang", "en", *options,
    )  # fmt: skip
    return code, out


def test_an_issuer_the_list_accredits_verifies_offline_naming_the_list(
    world: World, listed: Listed, offline: Any, context_store_dir: Path
) -> None:
    code, report = offline(world.credentials["rogue"], bundle=listed.bundle)
    assert code == 0, report
    trust = next(check for check in report["checks"] if check["check"] == "issuerTrust")
    [basis] = trust["trustedBy"]
    assert (basis["source"], basis["url"], basis["sequence"]) == ("trustList", listed.url, 1)

    code, out = _as_text(world, listed, context_store_dir, "--lang", "es")
    assert code == 0, out
    assert (
        "El emisor está acreditado para este tipo de certificado por la lista de confianza de "
        f"{listed.operator['displayName']}, versión 1, " in out
    )


def test_a_list_older_than_allowed_leaves_its_issuers_uncheckable(
    world: World, listed: Listed, offline: Any, context_store_dir: Path
) -> None:
    fetched = _bundle_json(world, listed.bundle)["trustLists"][0]["fetchedAt"]
    older = parse_datetime(fetched, field="fetchedAt").timestamp() + 1.1 - time.time()
    time.sleep(max(0.0, older))  # more than 1 s since the list was fetched
    code, report = offline(
        world.credentials["rogue"], "--max-trust-list-age", "1s", bundle=listed.bundle
    )
    assert code == 1 and _codes(report) == ["TRUST_LIST_STALE"], report
    assert listed.url in report["problemDetails"][0]["detail"]

    code, out = _as_text(world, listed, context_store_dir, "--max-trust-list-age", "1s")
    assert code == 1
    assert out.startswith("! Could not be checked — try again · The trust list that accredits")
    assert "(TRUST_LIST_STALE)" in out and "not accredited" not in out


def _carried(edit: Any) -> Any:
    """An edit of the bundle's first carried list."""
    return lambda data: edit(data["trustLists"][0])


def test_a_forged_or_foreign_list_stops_the_bundle_loading(
    world: World, listed: Listed, offline: Any
) -> None:
    def rename(carried: dict[str, Any]) -> None:
        carried["document"]["credentialSubject"]["entries"][0]["name"] = "ROGUF"

    def another_signer(carried: dict[str, Any]) -> None:
        carried["expectedSigner"] = world.sat.did

    for name, edit, code in (
        ("forged.jws", rename, "TRUST_LIST_INVALID"),
        ("foreign.jws", another_signer, "TRUST_LIST_SIGNER_MISMATCH"),
    ):
        bundle = _edited_bundle(world, name, _carried(edit), source=listed.bundle)
        exit_code, problems = offline(world.credentials["rogue"], bundle=bundle)
        assert exit_code == 2, problems
        [problem] = problems
        assert (problem["code"], problem["field"]) == (code, "trustLists[0]")
        assert f"the trust list {listed.url} (trustLists[0])" in problem["detail"]


def test_a_version_1_bundle_still_verifies(world: World, offline: Any) -> None:
    def downgrade(data: dict[str, Any]) -> None:
        data["version"] = 1
        del data["trustLists"]

    old = _edited_bundle(world, "version-1.jws", downgrade, signer=ORGANISATION)
    code, report = offline(world.credentials["immex"], bundle=old)
    assert code == 0, report


def test_the_export_needs_a_registry_or_a_list(world: World, context_store_dir: Path) -> None:
    code, _, err = _run(
        context_store_dir,
        "bundle", "export", "--out", world.directory / "nothing.jws",
        "--sign-key", world.directory / "organisation-key.json", *LOCAL_HTTP,
    )  # fmt: skip
    assert code == 2 and json.loads(err)[0]["field"] == "--trust-registry"
    assert not (world.directory / "nothing.jws").exists()


def test_the_export_refuses_a_list_its_expected_signer_did_not_sign(
    world: World, listed: Listed, context_store_dir: Path
) -> None:
    subscriptions = world.directory / "foreign-lists.json"
    foreign = {
        "url": listed.url,
        "expectedSigner": world.sat.did,
        "credentialTypes": ["IMMEXCertificate"],
        "label": "Lista",
    }
    subscriptions.write_text(json.dumps([foreign]), encoding="utf-8")
    code, _, err = _run(
        context_store_dir,
        "bundle", "export", "--out", world.directory / "refused-list.jws",
        "--trust-list", subscriptions,
        "--sign-key", world.directory / "organisation-key.json", *LOCAL_HTTP,
    )  # fmt: skip
    [problem] = json.loads(err)
    assert code == 2 and problem["code"] == "TRUST_LIST_SIGNER_MISMATCH"
    assert problem["field"] == f"{subscriptions}[0]"
    assert not (world.directory / "refused-list.jws").exists()
