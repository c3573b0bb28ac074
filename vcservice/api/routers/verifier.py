"""The verifier API (VC API / VCALM shapes): challenges, and credentials and presentations checked.

Open by default (verification uses only public information) and rate-limited per caller;
``VCSERVICE_VERIFY_REQUIRES_TOKEN`` makes them require a ``verify:credentials`` token. A
failed verification is a 200 with ``verified: false`` and every check; only a malformed
request is a problem.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from pydantic import Field, StringConstraints

from vcservice.api.deps import ServicesDep, Verification
from vcservice.api.problems import answer, problems
from vcservice.api.schemas import ApiModel, StrictModel, VerificationResultView
from vcservice.model.datetimes import format_datetime

# 401 and 403 when VCSERVICE_VERIFY_REQUIRES_TOKEN is set; 429 past the caller's rate.
ACCESS = problems(401, 403, 429, 503)
router = APIRouter(tags=["verifier"], dependencies=[Verification], responses=ACCESS)

CompactJwt = Annotated[
    str,
    StringConstraints(
        pattern=r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$", max_length=1_000_000
    ),
]
Secured = dict[str, Any] | CompactJwt
Domain = Annotated[str, StringConstraints(min_length=1, max_length=500)]
VERIFY_RESULT = answer(
    200, VerificationResultView, "the verification result: verified, every check, coded problems"
)


class ChallengeRequest(StrictModel):
    """``POST /challenges``: optionally, the domain the presentation must name."""

    domain: Domain | None = Field(None, examples=["aduana-nuevo-laredo.example"])


class ChallengeView(ApiModel):
    """A single-use challenge and when it stops being accepted."""

    challenge: str
    domain: str | None
    expires: str = Field(description="xsd:dateTime in UTC", examples=["2026-11-28T12:05:00Z"])


class CredentialVerifyOptions(StrictModel):
    """Options of ``POST /credentials/verify`` (none are needed yet)."""


class VerifyCredentialRequest(StrictModel):
    """VC API ``POST /credentials/verify``: a credential as JSON or a compact ``vc+jwt``."""

    verifiable_credential: Secured
    options: CredentialVerifyOptions = Field(default_factory=CredentialVerifyOptions)


class PresentationVerifyOptions(StrictModel):
    """The challenge the presentation answers (from ``POST /challenges``), and its domain."""

    challenge: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        examples=["Qk1aVjN0bG5tR2JqUEd3c3Z4cXo"]
    )
    domain: Domain | None = None


class VerifyPresentationRequest(StrictModel):
    """VC API ``POST /presentations/verify``: a presentation, JSON or a compact ``vp+jwt``."""

    verifiable_presentation: Secured
    options: PresentationVerifyOptions


@router.post(
    "/challenges",
    status_code=201,
    response_model=ChallengeView,
    responses=problems(400, 413, 422),
)
def create_challenge(
    services: ServicesDep, body: Annotated[ChallengeRequest | None, Body()] = None
) -> ChallengeView:
    """A single-use challenge for one presentation, valid for a few minutes."""
    domain = body.domain if body is not None else None
    challenge, expires = services.verifier.new_challenge(domain)
    return ChallengeView(challenge=challenge, domain=domain, expires=format_datetime(expires))


@router.post("/credentials/verify", responses=VERIFY_RESULT | problems(400, 413, 422))
def verify_credential(body: VerifyCredentialRequest, services: ServicesDep) -> dict[str, Any]:
    """Verify a credential: proof, issuer, validity period, status."""
    return services.verifier.verify_credential(body.verifiable_credential).to_json()


@router.post("/presentations/verify", responses=VERIFY_RESULT | problems(400, 413, 422))
def verify_presentation(body: VerifyPresentationRequest, services: ServicesDep) -> dict[str, Any]:
    """Verify a presentation: the challenge (consumed), domain, proof, holder, each credential."""
    result = services.verifier.verify_presentation(
        body.verifiable_presentation,
        challenge=body.options.challenge,
        domain=body.options.domain,
    )
    return result.to_json()
