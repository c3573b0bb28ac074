"""Shared by the verifier tests: a holder key of the test's own, issuing to it, presenting,
and reading what a verify endpoint answered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from tests.api.builders import certificate_body
from tests.api.conftest import Issuer, LiveService, assert_problem
from vcservice.jose.jws import decode_compact
from vcservice.keys import KeyFile
from vcservice.services.core import Core

V2 = "https://www.w3.org/ns/credentials/v2"
DOMAIN = "aduana-nuevo-laredo.example"


@dataclass
class Holder:
    """A shipper's did:key and the key that signs its presentations."""

    key: KeyFile

    @property
    def did(self) -> str:
        return self.key.verification_method.split("#")[0]


def issue_certificate(
    live_service: LiveService,
    issuer: Issuer,
    slug: str,
    *,
    subject: str | None = None,
    securing_format: str = "eddsa-rdfc-2022",
) -> Any:
    body = certificate_body(slug, securing_format=securing_format)
    if subject is not None:
        body["certificate"]["member"]["id"] = subject
    response = live_service.http.post(f"/certificates/{slug}", headers=issuer.headers, json=body)
    assert response.status_code == 201, response.text
    return response.json()["verifiableCredential"]


def suspend(live_service: LiveService, issuer: Issuer, credential_id: str) -> None:
    """Suspend a credential through ``POST /credentials/status`` (the issuer may update)."""
    entry = {"type": "BitstringStatusListEntry", "statusPurpose": "suspension", "status": "0x1"}
    response = live_service.http.post(
        "/credentials/status",
        headers=issuer.headers,
        json={"credentialId": credential_id, "credentialStatus": [entry], "reason": "under review"},
    )
    assert response.status_code == 200, response.text


def present(
    core: Core, holder: Holder, credentials: list[Any], *, challenge: str, domain: str | None
) -> dict[str, Any]:
    presentation = {
        "@context": [V2],
        "type": ["VerifiablePresentation"],
        "holder": holder.did,
        "verifiableCredential": credentials,
    }
    return core.data_integrity.add_proof(
        presentation,
        signer=holder.key.signer(),
        cryptosuite="eddsa-rdfc-2022",
        created=datetime.now(UTC),
        purpose="authentication",
        challenge=challenge,
        domain=domain,
    )


def outcomes(result: dict[str, Any]) -> dict[str, str]:
    return {check["check"]: check["outcome"] for check in result["checks"]}


def codes(result: dict[str, Any]) -> list[str]:
    return [problem["code"] for problem in result["problemDetails"]]


def verification_result(
    response: httpx.Response, *, verified: bool | None = None
) -> dict[str, Any]:
    """What a verify endpoint answered: a 200 with the result when it verified, else a 422
    VERIFICATION_FAILED problem whose members are the whole result and whose detail names
    its codes. ``verified``, when given, is what the test expects."""
    if response.status_code == 200:
        result: dict[str, Any] = response.json()
        assert result["verified"] is True, result
    else:
        result = assert_problem(response, 422, "VERIFICATION_FAILED")
        kind = "presentation" if result["kind"] == "VerifiablePresentation" else "credential"
        named = ", ".join(dict.fromkeys(codes(result)))
        assert result["detail"] == f"the {kind} did not verify: {named}", result
        assert result["verified"] is False, result
    if verified is not None:
        assert result["verified"] is verified, result
    return result


def signing_key_id(credential: dict[str, Any] | str) -> str:
    """The key id (after ``#``) of the key that signed a credential, JSON or compact JWT."""
    if isinstance(credential, str):
        kid = decode_compact(credential).header["kid"]
    else:
        kid = credential["proof"]["verificationMethod"]
    return str(kid).split("#", 1)[1]
