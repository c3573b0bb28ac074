"""The verifier API (VC API / VCALM shapes): challenges, and credentials and presentations checked.

Open by default (verification uses only public information) and rate-limited per caller:
the client of the ``verify:credentials`` token a request carries, else its address;
``VCSERVICE_VERIFY_REQUIRES_TOKEN`` makes them require such a token.

As VC API clients and the W3C test suites expect, a credential or presentation that verifies
answers 200 with the result, and one that does not a 422 problem (VERIFICATION_FAILED) whose
members are the whole result as well: every check, every coded problem. ``options.checks``
names the checks to run (``structure`` and ``proof`` always run), ``expectedProofPurpose``
the proof purpose; options this service does not know are ignored, each with a warning. A
batch answers 200 with each credential's result, and counts one verification per credential
against the caller's rate.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic.alias_generators import to_camel

from vcservice.api.deps import (
    ServicesDep,
    Verification,
    VerifyingCaller,
    charge_verifications,
    charged_verifications,
)
from vcservice.api.offload import verify_here_or_in_thread
from vcservice.api.problems import answer, problem_response, problems
from vcservice.api.schemas import (
    ApiModel,
    SkippedCheck,
    StrictModel,
    VerificationProblem,
    VerificationResultView,
)
from vcservice.errors import CompactFormError
from vcservice.model.datetimes import format_datetime
from vcservice.proofs.purposes import ASSERTION_METHOD, AUTHENTICATION
from vcservice.verification.result import VerificationResult
from vcservice.verification.verifier import SELECTABLE_CHECKS

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
ProofPurposeName = Literal["assertionMethod", "authentication"]
VERIFY_RESULT = answer(
    200, VerificationResultView, "the verification result: verified, every check, coded problems"
)
MAX_BATCH = 100  # credentials in one POST /credentials/verify/batch

# The batch's OpenAPI example: a credential that verifies and a JWT that cannot be read.
_ISSUER = "did:web:aduanas.example:issuers:sat"
_KEY = f"{_ISSUER}#ed25519-2026-06-01T00-00-00Z"
_SUSPENSION_LIST = "https://aduanas.example/status-lists/sat/suspension/1"
EXAMPLE_CREDENTIAL: dict[str, Any] = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://w3id.org/vcservice/trade-certificates/v1",
    ],
    "id": "urn:uuid:56fed605-b68d-4fbd-b368-02a44d0e7421",
    "type": ["VerifiableCredential", "OEACertificate"],
    "issuer": {"id": _ISSUER, "name": "Servicio de Administración Tributaria"},
    "validFrom": "2026-06-01T00:00:00Z",
    "validUntil": "2027-05-31T23:59:59Z",
    "credentialSubject": {
        "id": "did:web:ensambles-bravo.example",
        "legalName": "Ensambles Electrónicos del Bravo, S.A. de C.V.",
        "rfc": "EEB030821R49",
    },
    "credentialSchema": {
        "id": "https://w3id.org/vcservice/trade-certificates/schemas/oea-v1.json",
        "type": "JsonSchema",
    },
    "credentialStatus": [
        {
            "id": f"{_SUSPENSION_LIST}#105374",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "suspension",
            "statusListIndex": "105374",
            "statusListCredential": _SUSPENSION_LIST,
        }
    ],
    "proof": {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2026-06-01T00:00:00Z",
        "verificationMethod": _KEY,
        "proofPurpose": "assertionMethod",
        "proofValue": "z5Ddi3eDM7oSHY34h8twJTdvrKhKUDFhVUV7JuXbGcWP1KxUMpQ33A7TCy8q2uVjrG47o"
        "hHdXefCH5kjTAhzda7tX",
    },
}
EXAMPLE_MALFORMED = "eyJhbGciOiJFZERTQSJ9.bm90IGpzb24.c2ln"  # its payload is no JSON
EXAMPLE_VERIFIED: dict[str, Any] = {
    "verified": True,
    "kind": "VerifiableCredential",
    "format": "data-integrity",
    "checks": [
        {"check": "structure", "outcome": "passed"},
        {"check": "proof", "outcome": "passed", "detail": f"eddsa-rdfc-2022 by {_KEY}"},
        {"check": "issuer", "outcome": "passed", "detail": f"signed by the issuer {_ISSUER}"},
        {"check": "issuerTrust", "outcome": "passed", "detail": "accredited issuer SAT"},
        {"check": "validityPeriod", "outcome": "passed"},
        {"check": "credentialSchema", "outcome": "passed"},
        {
            "check": "status",
            "outcome": "passed",
            "detail": "suspension: not suspended (index 105374, 0x0); list "
            f"{_SUSPENSION_LIST} fetched 2026-11-28T12:00:00Z (age 0 s), "
            "valid until 2026-12-05T12:00:00Z",
        },
    ],
    "problemDetails": [],
    "warnings": [],
    "document": EXAMPLE_CREDENTIAL,
}
EXAMPLE_UNREADABLE: dict[str, Any] = {
    "verified": False,
    "kind": "VerifiableCredential",
    "format": "vc+jwt",
    "checks": [{"check": "structure", "outcome": "failed", "codes": ["PARSING_ERROR"]}],
    "problemDetails": [
        {
            "type": "https://www.w3.org/TR/vc-data-model#PARSING_ERROR",
            "code": "PARSING_ERROR",
            "title": "The document could not be parsed",
            "detail": "the VerifiableCredential could not be read as JSON or a JWT",
            "i18n": {
                "en": {"title": "The document could not be parsed"},
                "es": {"title": "No se pudo interpretar el documento"},
            },
        }
    ],
    "warnings": [],
}


class ChallengeRequest(StrictModel):
    """``POST /challenges``: optionally, the domain the presentation must name."""

    domain: Domain | None = Field(None, examples=["aduana-nuevo-laredo.example"])


class ChallengeView(ApiModel):
    """A single-use challenge and when it stops being accepted."""

    challenge: str
    domain: str | None
    expires: str = Field(description="xsd:dateTime in UTC", examples=["2026-11-28T12:05:00Z"])


class CredentialVerifyOptions(ApiModel):
    """VC API ``options``: which checks to run, and the proof purpose to expect. Members
    this service does not know are ignored, each named in the result's ``warnings``."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="allow")

    checks: list[str] | None = Field(
        None,
        max_length=20,
        examples=[["proof", "status"]],
        description="the checks to run besides structure, proof and issuer (which always "
        "run): issuerTrust, validityPeriod (or expiration), credentialSchema, status (or "
        "credentialStatus), holderBinding (a presentation's); default: all",
    )
    expected_proof_purpose: ProofPurposeName | None = Field(
        None, description="default: assertionMethod (a presentation: authentication)"
    )


class VerifyCredentialRequest(StrictModel):
    """VC API ``POST /credentials/verify``: a credential as JSON or a compact ``vc+jwt``."""

    verifiable_credential: Secured
    options: CredentialVerifyOptions = Field(default_factory=CredentialVerifyOptions)


class VerifyCredentialsRequest(StrictModel):
    """``POST /credentials/verify/batch``: 1 to 100 credentials, each JSON or a compact
    ``vc+jwt`` as ``POST /credentials/verify`` takes one; an item that endpoint would refuse
    as malformed (422) refuses the batch, naming ``verifiableCredentials[i]``."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"verifiableCredentials": [EXAMPLE_CREDENTIAL, EXAMPLE_MALFORMED], "options": {}}
            ]
        }
    )

    verifiable_credentials: list[Secured] = Field(min_length=1, max_length=MAX_BATCH)
    options: CredentialVerifyOptions = Field(default_factory=CredentialVerifyOptions)


class BatchVerificationView(BaseModel):
    """The batch's results, in the order of its credentials."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"verified": False, "results": [EXAMPLE_VERIFIED, EXAMPLE_UNREADABLE]}]
        },
    )

    verified: bool = Field(description="true when every credential verified")
    results: list[VerificationResultView] = Field(
        description="each credential's result, as POST /credentials/verify answers it"
    )
    warnings: list[SkippedCheck] | None = Field(None, description="options that were ignored")


class PresentationVerifyOptions(CredentialVerifyOptions):
    """The challenge the presentation answers (from ``POST /challenges``; an authenticated
    client may bring its own, or none), its domain, and ``checks`` for its credentials."""

    challenge: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        None, examples=["Qk1aVjN0bG5tR2JqUEd3c3Z4cXo"]
    )
    domain: Domain | None = None


class VerifyPresentationRequest(StrictModel):
    """VC API ``POST /presentations/verify``: a presentation, JSON or a compact ``vp+jwt``."""

    verifiable_presentation: Secured
    options: PresentationVerifyOptions = Field(default_factory=PresentationVerifyOptions)


def require_context_url(document: dict[str, Any] | str, field: str) -> None:
    """A JSON document must say what it is: its ``@context`` begins with a URL (the data
    model's), never an object (COMPACT_FORM_ERROR, 422, naming ``field.@context``)."""
    if not isinstance(document, dict) or "@context" not in document:
        return  # absent: the verification result says so (structure)
    context = document["@context"]
    first = context[0] if isinstance(context, list) and context else context
    if not isinstance(first, str):
        raise CompactFormError(
            "@context must begin with the VC Data Model's context URL, not an object",
            field=f"{field}.@context",
        )


@router.post(
    "/challenges",
    status_code=201,
    response_model=ChallengeView,
    responses=problems(400, 413, 422),
)
def create_challenge(
    caller: VerifyingCaller,
    services: ServicesDep,
    body: Annotated[ChallengeRequest | None, Body()] = None,
) -> ChallengeView:
    """A single-use challenge for one presentation, valid for a few minutes (two for an
    anonymous caller). Each caller holds a quota of unused ones (429 ``TOO_MANY_CHALLENGES``
    with Retry-After past it)."""
    domain = body.domain if body is not None else None
    challenge, expires = services.verifier.new_challenge(domain, requester=caller)
    return ChallengeView(challenge=challenge, domain=domain, expires=format_datetime(expires))


# 422: a malformed request, or VERIFICATION_FAILED with the result
VERIFY_REFUSALS = problems(400, 413) | problems(422, schema=VerificationProblem)


@router.post("/credentials/verify", responses=VERIFY_RESULT | VERIFY_REFUSALS)
async def verify_credential(body: VerifyCredentialRequest, services: ServicesDep) -> Response:
    """Verify a credential: proof, issuer, validity period, schema, status (200 when it
    verifies, else 422 VERIFICATION_FAILED with the same result)."""
    require_context_url(body.verifiable_credential, "verifiableCredential")
    checks, warnings = _requested_checks(body.options)
    result = await verify_here_or_in_thread(
        lambda: services.verifier.verify_credential(
            body.verifiable_credential,
            checks=checks,
            proof_purpose=body.options.expected_proof_purpose or ASSERTION_METHOD,
        )
    )
    return verification_response(result, warnings)


@router.post(
    "/credentials/verify/batch",
    responses=answer(200, BatchVerificationView, "each credential's result, in request order")
    | problems(400, 413, 422),
)
def verify_credentials(
    body: VerifyCredentialsRequest, request: Request, caller: VerifyingCaller, services: ServicesDep
) -> dict[str, Any]:
    """Verify up to 100 credentials in one request, each as ``POST /credentials/verify`` would.

    A credential that does not verify (a bad proof, a suspended certificate, a JWT that
    cannot be read) does not fail the batch: its result says why, and ``verified`` is
    true only when every credential verified. Each credential counts against the
    caller's rate: a batch is admitted while the caller has a request left, and what it
    costs beyond that is waited out by the caller's next requests (429, Retry-After).
    """
    for index, credential in enumerate(body.verifiable_credentials):
        require_context_url(credential, f"verifiableCredentials[{index}]")
    charge_verifications(request, caller, len(body.verifiable_credentials) - 1)
    checks, warnings = _requested_checks(body.options)
    results = services.verifier.verify_credentials(
        body.verifiable_credentials,
        checks=checks,
        proof_purpose=body.options.expected_proof_purpose or ASSERTION_METHOD,
    )
    return {
        "verified": all(result.verified for result in results),
        "results": [result.to_json() for result in results],
        **({"warnings": [{"check": "options", "detail": w} for w in warnings]} if warnings else {}),
    }


@router.post("/presentations/verify", responses=VERIFY_RESULT | VERIFY_REFUSALS)
async def verify_presentation(
    body: VerifyPresentationRequest,
    request: Request,
    caller: VerifyingCaller,
    services: ServicesDep,
) -> Response:
    """Verify a presentation: the challenge (one issued here is consumed), domain, proof,
    holder, each credential (200 when it verifies, else 422 VERIFICATION_FAILED).

    Each credential verified counts against the caller's rate, as in a batch."""
    require_context_url(body.verifiable_presentation, "verifiablePresentation")
    checks, warnings = _requested_checks(body.options)
    result = await verify_here_or_in_thread(
        lambda: services.verifier.verify_presentation(
            body.verifiable_presentation,
            challenge=body.options.challenge,
            domain=body.options.domain,
            requester=caller,
            checks=checks,
            proof_purpose=body.options.expected_proof_purpose or AUTHENTICATION,
        )
    )
    await charged_verifications(request, caller, len(result.credentials))
    return verification_response(result, warnings)


# VC API check names, and this service's names for them.
_CHECK_NAMES = {
    "issuerTrust": "issuerTrust",
    "validityPeriod": "validityPeriod",
    "expiration": "validityPeriod",
    "credentialSchema": "credentialSchema",
    "status": "status",
    "credentialStatus": "status",
    "holderBinding": "holderBinding",
}
# Checks that always run (a presentation's challenge, holder and credentials among them).
_ALWAYS_RUN = frozenset(
    {"proof", "structure", "issuer", "challenge", "domain", "holder", "credentials"}
)


def _requested_checks(options: CredentialVerifyOptions) -> tuple[frozenset[str], list[str]]:
    """The checks ``options`` asks for, and a warning for each option or check name this
    service does not know (ignored)."""
    warnings = [
        f"options.{name} is not supported: ignored" for name in sorted(options.model_extra or {})
    ]
    if options.checks is None:
        return SELECTABLE_CHECKS, warnings
    selected = set()
    for name in options.checks:
        if name in _CHECK_NAMES:
            selected.add(_CHECK_NAMES[name])
        elif name not in _ALWAYS_RUN:
            warnings.append(f"options.checks: no check is called {name!r}: ignored")
    return frozenset(selected), warnings


def verification_response(result: VerificationResult, warnings: list[str]) -> Response:
    """200 with the result when it verified; else the result as a 422 VERIFICATION_FAILED
    problem. ``warnings`` (about the request's options) join the result's."""
    body = result.to_json()
    body["warnings"] = [*body["warnings"], *({"check": "options", "detail": w} for w in warnings)]
    if result.verified:
        return JSONResponse(body)
    codes = ", ".join(dict.fromkeys(problem.code for problem in result.problems))
    detail = f"the {_kind_name(result.kind)} did not verify: {codes}"
    return problem_response(422, "VERIFICATION_FAILED", detail, extensions=body)


def _kind_name(kind: str) -> str:
    return "presentation" if kind == "VerifiablePresentation" else "credential"
