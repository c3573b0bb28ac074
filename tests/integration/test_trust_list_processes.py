"""Two verifier processes over one database see a trust list change at their next verification.

A registry (SAT publishing its list, an office of SAT issuing OEA certificates) runs in this
process; two ``vcservice serve --role verifier`` processes share a database. Process A
subscribes and later refreshes; process B never fetches anything itself, yet each of its
verifications follows the list A accepted: trusted by version 1, then, once SAT withdrew the
accreditation and A took version 2, not trusted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.conftest import serve
from tests.api.presenting import issue_certificate
from tests.integration.serving import Served, serve_process

pytestmark = [pytest.mark.slow]

VERIFIERS = {
    "VCSERVICE_ALLOW_HTTP_HOSTS": '["localhost"]',
    "VCSERVICE_ALLOW_PRIVATE_NETWORKS": "true",
    "VCSERVICE_TRUST_LIST_POLL_SECONDS": "3600",  # only the refreshes the test asks for
}


def _verify(verifier: Served, credential: Any) -> dict[str, Any]:
    response = httpx.post(
        f"{verifier.url}/credentials/verify",
        json={"verifiableCredential": credential},
        timeout=30,
    )
    assert response.status_code in (200, 422), response.text
    return dict(response.json())


def _trusted_by(result: dict[str, Any]) -> list[dict[str, Any]]:
    check = next(check for check in result["checks"] if check["check"] == "issuerTrust")
    return list(check.get("trustedBy", []))


def _admin(verifier: Served) -> dict[str, str]:
    return {"Authorization": f"Bearer {verifier.admin_token}"}


def test_a_list_change_shows_in_the_next_verification_of_every_process(
    tmp_path: Path, context_store_dir: Path, database_url: str
) -> None:
    with serve(
        tmp_path / "registry",
        None,
        context_store_dir,
        allow_http_hosts=frozenset({"localhost"}),
        allow_private_networks=True,
    ) as registry:
        office = registry.issuer("agace", ["OEACertificate"], accredited=False)
        sat = registry.create_authority("sat", ["OEACertificate"])
        entries = "/admin/authorities/sat/trust-list/entries"
        added = registry.http.post(
            entries,
            headers=registry.admin,
            json={"id": office.did, "name": "SAT – AGACE", "credentialTypes": ["OEACertificate"]},
        )
        assert added.status_code == 201, added.text
        credential = issue_certificate(registry, office, "oea")
        for process in ("a", "b"):
            (tmp_path / process).mkdir()
        with (
            serve_process(
                tmp_path / "a", context_store_dir, database_url=database_url,
                arguments=["--role", "verifier"], environment=VERIFIERS,
            ) as first,
            serve_process(
                tmp_path / "b", context_store_dir, database_url=database_url,
                arguments=["--role", "verifier"], environment=VERIFIERS,
            ) as second,
        ):  # fmt: skip
            subscribed = httpx.post(
                f"{first.url}/admin/trust-lists/subscriptions",
                headers=_admin(first),
                json={
                    "url": f"{registry.url}/trust-lists/sat",
                    "expectedSigner": sat["did"],
                    "credentialTypes": ["OEACertificate"],
                    "label": "SAT",
                },
                timeout=30,
            )
            assert subscribed.status_code == 201, subscribed.text
            assert subscribed.json()["refresh"]["result"] == "accepted"
            for verifier in (second, first):
                result = _verify(verifier, credential)
                assert result["verified"] is True, result
                assert [basis["sequence"] for basis in _trusted_by(result)] == [1]

            entry_id = added.json()["entryId"]
            withdrawn = registry.http.delete(f"{entries}/{entry_id}", headers=registry.admin)
            assert withdrawn.status_code == 200, withdrawn.text
            refreshed = httpx.post(
                f"{first.url}/admin/trust-lists/subscriptions/{subscribed.json()['id']}/refresh",
                headers=_admin(first),
                timeout=30,
            )
            assert refreshed.json() == {"result": "accepted", "sequence": 2}
            for verifier in (second, first):
                result = _verify(verifier, credential)
                assert result["verified"] is False, result
                assert [problem["code"] for problem in result["problemDetails"]] == [
                    "ISSUER_NOT_TRUSTED"
                ]
