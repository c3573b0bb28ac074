"""The holder's wallet over OpenID4VCI and OpenID4VP, with the holder's own access token.

``POST /holder/openid4vci/offers`` redeems an officer's Credential Offer (its link or JSON,
and the transaction code that came by another channel) and keeps what it gives;
``POST /holder/openid4vp/authorizations`` answers a verifier's authorization request (its
``openid4vp://`` link) with only what its DCQL query asks for, and returns what was
disclosed and the verifier's answer. ``services.holder_openid`` does the protocols.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import Field, StringConstraints

from vcservice.api.deps import CurrentHolder, ServicesDep
from vcservice.api.problems import problems
from vcservice.api.routers.holder import HeldView
from vcservice.api.schemas import ApiModel, StrictModel
from vcservice.services.holder_openid import Presented, Received

router = APIRouter(tags=["holder"])
HOLDER = problems(401, 429, 503)  # the holder's token checked, within the failure limit
WRITING = problems(400, 413, 422)
MAX_LINK = 16_384

Link = Annotated[str, StringConstraints(min_length=1, max_length=MAX_LINK)]
ConfigurationId = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class ReceiveOffer(StrictModel):
    """``POST /holder/openid4vci/offers``: the officer's offer and its transaction code."""

    offer: Link | dict[str, Any] = Field(
        description="the offer's link (openid-credential-offer://?credential_offer_uri=… or "
        "?credential_offer=…) or the Credential Offer object",
        examples=["openid-credential-offer://?credential_offer_uri=https%3A%2F%2F…"],
    )
    tx_code: Annotated[str, StringConstraints(pattern=r"^[\x21-\x7e]{1,64}$")] | None = Field(
        None, description="the transaction code the authority sent by another channel"
    )
    credential_configuration_ids: list[ConfigurationId] | None = Field(
        None,
        min_length=1,
        max_length=10,
        description="which of the offered configurations to receive (default: every one "
        "this holder can hold)",
    )


class ReceivedCredential(HeldView):
    """A credential received and kept, and the configuration it was offered in."""

    credential_configuration_id: str


class SkippedConfiguration(ApiModel):
    """An offered configuration this holder did not receive, and why."""

    credential_configuration_id: str
    reason: str


class ReceivedView(ApiModel):
    """What the offer gave."""

    credential_issuer: str
    issuer_name: str | None = None
    credentials: list[ReceivedCredential]
    skipped: list[SkippedConfiguration] = Field(default_factory=list)

    @classmethod
    def of(cls, received: Received) -> ReceivedView:
        return cls(
            credential_issuer=received.credential_issuer,
            issuer_name=received.issuer_name,
            credentials=[
                ReceivedCredential(
                    **HeldView.of(held).model_dump(), credential_configuration_id=configuration
                )
                for configuration, held in received.credentials
            ],
            skipped=[
                SkippedConfiguration(credential_configuration_id=configuration, reason=why)
                for configuration, why in received.skipped
            ],
        )


class Authorize(StrictModel):
    """``POST /holder/openid4vp/authorizations``: the verifier's request, and whether the
    holder answers it or declines."""

    request: Link = Field(
        description="the authorization request's link (openid4vp://?client_id=…&request_uri=…)",
        examples=["openid4vp://?client_id=decentralized_identifier%3Adid%3Ajwk%3A…"],
    )
    decline: bool = Field(False, description="tell the verifier access_denied instead")


class PresentedCredentialView(ApiModel):
    """One credential presented and what it showed (an SD-JWT VC: the claims disclosed and
    those withheld; a W3C credential is shown whole)."""

    credential_query_id: str
    credential_id: str
    format: str
    requested: list[str]
    selective_disclosure: bool
    disclosed: list[str]
    withheld: list[str]


class AuthorizationView(ApiModel):
    """The answer sent, and the verifier's."""

    client_id: str
    signed_request: bool = Field(description="the request came as a verified Request Object")
    response_uri: str
    response_mode: str
    declined: bool
    accepted: bool = Field(description="the verifier answered 200 to the presentation")
    presented: list[PresentedCredentialView]
    verifier_status: int
    verifier_answer: dict[str, Any] = Field(
        description="the verifier's JSON answer ({} on success; error and error_description "
        "when refused)"
    )

    @classmethod
    def of(cls, presented: Presented) -> AuthorizationView:
        return cls(
            client_id=presented.client_id,
            signed_request=presented.signed,
            response_uri=presented.response_uri,
            response_mode=presented.response_mode,
            declined=presented.declined,
            accepted=presented.accepted,
            presented=[
                PresentedCredentialView(
                    credential_query_id=entry.query_id,
                    credential_id=entry.credential_id,
                    format=entry.format,
                    requested=list(entry.requested),
                    selective_disclosure=entry.selective,
                    disclosed=list(entry.disclosed),
                    withheld=list(entry.withheld),
                )
                for entry in presented.presentations
            ],
            verifier_status=presented.verifier_status,
            verifier_answer=presented.verifier_answer,
        )


@router.post(
    "/holder/openid4vci/offers",
    status_code=201,
    summary="Receive an offered credential (OpenID4VCI pre-authorized code flow)",
    responses=WRITING | HOLDER | problems(409),
)
def receive_offer(body: ReceiveOffer, holder: CurrentHolder, services: ServicesDep) -> ReceivedView:
    """Redeem the offer with its transaction code, prove the holder's key for each offered
    configuration it can hold, and keep each credential once it verifies: an SD-JWT VC bound
    to the holder's key, a W3C credential to its did:key. 422 ``ISSUER_REFUSED`` with the
    issuer's OAuth error (``invalid_grant`` for a wrong transaction code or a used code)."""
    received = services.holder_openid.receive(
        holder,
        body.offer,
        tx_code=body.tx_code,
        configuration_ids=body.credential_configuration_ids,
    )
    return ReceivedView.of(received)


@router.post(
    "/holder/openid4vp/authorizations",
    summary="Answer a verifier's OpenID4VP request with only what its DCQL query asks for",
    responses=WRITING | HOLDER,
)
def authorize(body: Authorize, holder: CurrentHolder, services: ServicesDep) -> AuthorizationView:
    """Fetch and verify the signed Request Object, choose the held credentials its DCQL
    query needs, present them (SD-JWT VC: the requested Disclosures and a Key Binding JWT
    for the nonce and the client_id; W3C: a presentation for challenge and domain) by
    ``direct_post``, and return what was disclosed and the verifier's answer. 422
    ``REQUIRED_CREDENTIAL_MISSING`` (nothing sent) when nothing held answers the query."""
    presented = services.holder_openid.present(holder, body.request, decline=body.decline)
    return AuthorizationView.of(presented)
