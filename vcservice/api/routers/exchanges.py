"""VCALM workflows and exchanges: a verifier asks for a presentation, a holder answers once.

An admin defines workflows (presentation policies: the credential types accepted as they
are, and those accepted only where their signed mutual recognition covers an authority and
role). A verifier's app creates an exchange
of a workflow with its ``verify:credentials`` token (anyone may, for a public workflow)
and shows its URL (a link or QR code); the holder's wallet POSTs ``{}`` to that URL to
read the presentation request, then POSTs its presentation; the verifier's app reads the
result with GET. The exchange id is an unguessable capability.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Request, Response
from pydantic import Field, StringConstraints

from vcservice.api.deps import (
    Admin,
    RateLimitedCaller,
    ServicesDep,
    Verification,
    VerifyingCaller,
    charge_verifications,
)
from vcservice.api.problems import answer, problems
from vcservice.api.routers.verifier import ACCESS, Domain, Secured
from vcservice.api.schemas import (
    ApiModel,
    CredentialTypeName,
    ExchangeAnswer,
    ExchangeView,
    StrictModel,
    VerificationResultView,
)
from vcservice.certificates.v2.mra import Arrangement, Authority, RecognizedRole
from vcservice.model.datetimes import format_datetime
from vcservice.model.records import Exchange, RecognitionPolicy, Workflow

router = APIRouter(tags=["exchanges"])
ADMIN = problems(401, 429, 503)

WorkflowId = Annotated[str, Path(max_length=63)]
ExchangeId = Annotated[str, Path(max_length=64)]


MAX_RECOGNITIONS = 20


class AcceptedRecognition(StrictModel):
    """A credential type accepted only under mutual recognition: a credential of it counts
    when its signed ``credentialSubject.mutualRecognition`` has an entry ``recognizedBy``
    this authority whose ``recognizedRole`` holds this role (of this arrangement, if given).
    An OEA's entries are recognized by CBP, a C-TPAT's by SAT."""

    credential_type: CredentialTypeName = Field(
        description="OEACertificate or CTPATCertificate", examples=["OEACertificate"]
    )
    recognized_by: Authority = Field(
        description="the authority that grants the benefits (the counterpart of the "
        "credential's programme)",
        examples=["AuthorityCBP"],
    )
    recognized_role: RecognizedRole = Field(
        description="the supply-chain role the entry must cover",
        examples=["MraRoleManufacturerExporter"],
    )
    arrangement: Arrangement | None = Field(
        None,
        description="the arrangement the entry must be of (any, if absent)",
        examples=["MraUsMx2014"],
    )

    def policy(self) -> RecognitionPolicy:
        return RecognitionPolicy(
            credential_type=self.credential_type,
            recognized_by=self.recognized_by.value,
            role=self.recognized_role.value,
            arrangement=None if self.arrangement is None else self.arrangement.value,
        )


class RecognitionView(ApiModel):
    """An accepted recognition as stored."""

    credential_type: str
    recognized_by: str
    recognized_role: str
    arrangement: str | None = None

    @classmethod
    def of(cls, policy: RecognitionPolicy) -> RecognitionView:
        return cls(
            credential_type=policy.credential_type,
            recognized_by=policy.recognized_by,
            recognized_role=policy.role,
            arrangement=policy.arrangement,
        )


class CreateWorkflow(StrictModel):
    """A presentation policy: the credentials accepted (any one: a type of
    ``acceptedCredentialTypes`` as it is, or one meeting an ``acceptedRecognitions`` entry),
    domain, lifetime, and whether anyone may start its exchanges (``public``) or only the
    verifier's clients."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")] = Field(
        examples=["mutual-recognition"]
    )
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        examples=["C-TPAT, or an OEA that CBP recognizes for a manufacturer/exporter"]
    )
    accepted_credential_types: list[CredentialTypeName] = Field(
        min_length=1,
        max_length=20,
        description="types accepted as they are",
        examples=[["CTPATCertificate"]],
    )
    accepted_recognitions: list[AcceptedRecognition] = Field(
        default_factory=list,
        max_length=MAX_RECOGNITIONS,
        description="types accepted only under mutual recognition, for an authority and role "
        "(a type not also in acceptedCredentialTypes)",
        examples=[
            [
                {
                    "credentialType": "OEACertificate",
                    "recognizedBy": "AuthorityCBP",
                    "recognizedRole": "MraRoleManufacturerExporter",
                    "arrangement": "MraUsMx2014",
                }
            ]
        ],
    )
    domain: Domain | None = Field(None, examples=["aduana-nuevo-laredo.example"])
    exchange_ttl_seconds: int = Field(600, ge=30, le=86_400)
    public: bool = Field(
        False,
        description="anyone may start an exchange (short-lived, within a per-address quota); "
        "otherwise only a client with a verify:credentials token",
        examples=[False],
    )


class WorkflowView(ApiModel):
    """A workflow as stored."""

    id: str
    name: str
    accepted_credential_types: list[str]
    accepted_recognitions: list[RecognitionView]
    domain: str | None
    exchange_ttl_seconds: int
    public: bool
    created: str

    @classmethod
    def of(cls, workflow: Workflow) -> WorkflowView:
        return cls(
            id=workflow.id,
            name=workflow.name,
            accepted_credential_types=list(workflow.accepted_types),
            accepted_recognitions=[
                RecognitionView.of(policy) for policy in workflow.accepted_recognitions
            ],
            domain=workflow.domain,
            exchange_ttl_seconds=workflow.exchange_ttl_seconds,
            public=workflow.public,
            created=format_datetime(workflow.created_at),
        )


class Participation(StrictModel):
    """A holder's message: ``{}`` asks for the request; a presentation answers it."""

    verifiable_presentation: Secured | None = None


@router.post(
    "/workflows",
    status_code=201,
    dependencies=[Admin],
    response_model=WorkflowView,
    responses=ADMIN | problems(400, 409, 413, 422),
)
def create_workflow(body: CreateWorkflow, services: ServicesDep) -> WorkflowView:
    """Define a workflow: which credentials a presentation must carry (any one), by type,
    or by type and the mutual recognition its signed data must state (422 for a recognition
    no credential could meet, or of a type already accepted as it is)."""
    workflow = services.exchanges.create_workflow(
        body.id,
        name=body.name,
        accepted_types=body.accepted_credential_types,
        accepted_recognitions=[entry.policy() for entry in body.accepted_recognitions],
        domain=body.domain,
        exchange_ttl_seconds=body.exchange_ttl_seconds,
        public=body.public,
    )
    return WorkflowView.of(workflow)


@router.get("/workflows", dependencies=[Admin], response_model=list[WorkflowView], responses=ADMIN)
def list_workflows(services: ServicesDep) -> list[WorkflowView]:
    """Every workflow."""
    return [WorkflowView.of(workflow) for workflow in services.exchanges.workflows()]


@router.get(
    "/workflows/{workflow_id}",
    dependencies=[Admin],
    response_model=WorkflowView,
    responses=ADMIN | problems(404, 422),
)
def get_workflow(workflow_id: WorkflowId, services: ServicesDep) -> WorkflowView:
    """One workflow."""
    return WorkflowView.of(services.exchanges.workflow(workflow_id))


@router.delete(
    "/workflows/{workflow_id}",
    status_code=204,
    dependencies=[Admin],
    responses=ADMIN | problems(404, 422),
)
def delete_workflow(workflow_id: WorkflowId, services: ServicesDep) -> Response:
    """Remove a workflow and its exchanges."""
    services.exchanges.delete_workflow(workflow_id)
    return Response(status_code=204)


@router.post(
    "/workflows/{workflow_id}/exchanges",
    status_code=201,
    responses=answer(201, ExchangeView, "the new exchange") | ACCESS | problems(404, 422),
)
def create_exchange(
    workflow_id: WorkflowId, caller: VerifyingCaller, services: ServicesDep, response: Response
) -> dict[str, Any]:
    """Start an exchange: its URL (for the holder) and presentation request.

    Needs a ``verify:credentials`` token unless the workflow is public (401 without one,
    403 for a token without that scope). Each caller holds a quota of pending exchanges
    (429 ``TOO_MANY_EXCHANGES`` with Retry-After past it); an anonymous caller's expire
    within minutes, whatever the workflow says."""
    exchange = services.exchanges.create_exchange(workflow_id, requester=caller)
    url = services.exchanges.exchange_url(exchange)
    response.headers["Location"] = url
    return _view(exchange, url, services)


@router.get(
    "/workflows/{workflow_id}/exchanges/{exchange_id}",
    dependencies=[Verification],
    responses=answer(200, ExchangeView, "the exchange") | ACCESS | problems(404, 422),
)
def get_exchange(
    workflow_id: WorkflowId, exchange_id: ExchangeId, services: ServicesDep
) -> dict[str, Any]:
    """The exchange's state and, once answered, the verification result and the presentation
    (kept once: the result does not repeat the documents it verified)."""
    exchange = services.exchanges.exchange(workflow_id, exchange_id)
    return _view(exchange, services.exchanges.exchange_url(exchange), services)


@router.post(
    "/workflows/{workflow_id}/exchanges/{exchange_id}",
    responses=answer(
        200,
        ExchangeAnswer | VerificationResultView,
        "the presentation request, or the verification result",
    )
    | problems(400, 404, 409, 413, 422, 429, 503),
)
def participate(
    workflow_id: WorkflowId,
    exchange_id: ExchangeId,
    request: Request,
    *,
    caller: RateLimitedCaller,
    services: ServicesDep,
    body: Annotated[Participation | None, Body()] = None,
) -> dict[str, Any]:
    """The holder's side: ``{}`` returns the presentation request; a presentation answers
    it (once) and returns the verification result (each credential verified counts against
    the caller's rate). A presentation larger than MAX_PRESENTATION_BYTES is refused (413
    ``PRESENTATION_TOO_LARGE``) before it is verified, and the exchange stays pending."""
    if body is None or body.verifiable_presentation is None:
        asked = services.exchanges.request(workflow_id, exchange_id)
        return {"verifiablePresentationRequest": asked}
    result = services.exchanges.answer(workflow_id, exchange_id, body.verifiable_presentation)
    charge_verifications(request, caller, len(result.credentials))
    return result.to_json()


def _view(exchange: Exchange, url: str, services: ServicesDep) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": exchange.id,
        "workflow": exchange.workflow,
        "url": url,
        "state": exchange.state.value,
        "created": format_datetime(exchange.created_at),
        "expires": format_datetime(exchange.expires_at),
    }
    request = services.exchanges.open_request(exchange)
    if request is not None:
        view["verifiablePresentationRequest"] = request
    if exchange.completed_at is not None:
        view["completed"] = format_datetime(exchange.completed_at)
    if exchange.result is not None:
        view["result"] = json.loads(exchange.result)
    presentation = services.exchanges.kept_presentation(exchange)
    if presentation is not None:
        view["verifiablePresentation"] = presentation
    return view
