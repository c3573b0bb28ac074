"""The OpenID4VP 1.0 verifier: authorization requests a wallet answers once, with DCQL.

A broker's app (a ``verify:credentials`` client), or anyone for a public workflow, creates
a request: a DCQL query (its own, or one built from a workflow's accepted credentials), a
fresh nonce and state, and a lifetime; it counts against its caller's quota of open
requests as an exchange does. The wallet reads the Request Object at the ``request_uri``
(signed with the verifier's key, whose DID is the ``client_id``), and POSTs its answer to
the Response URI (``direct_post``, or encrypted to the verifier's key: ``direct_post.jwt``).

The answer is checked in order, cheap first: its shape (refused without using the
request, so a wallet may try again), then the request leaves ``pending`` once (one
conditional UPDATE naming the request and its state: a replay, a second answer, an
expired request are refused), then each presentation is verified by the verifier's core
(W3C: the VP's proof made for the nonce as challenge and the client id as domain, its
holder binding, each credential's issuer, trust, validity, schema and status) or by the
SD-JWT VC verifier (key binding: nonce, audience, ``sd_hash``), then matched against its
Credential Query, the query as a whole, and the workflow's policy. The outcome is kept
with the VP Token, for the verifier to read (``status``) until ``retention`` after the
request expired. ``openid4vp_vp_token`` holds those checks.
"""

from __future__ import annotations

import hmac
import json
import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from vcservice.clock import Clock
from vcservice.errors import ParsingError, VcError
from vcservice.model.presentation_requests import PresentationRequest
from vcservice.model.records import ExchangeState, Workflow
from vcservice.model.requester import CLIENT_PREFIX, Requester
from vcservice.oid4vp import authorization_request as request_object
from vcservice.oid4vp.authorization_response import (
    WalletError,
    parse_authorization_response,
    presentations_in,
)
from vcservice.oid4vp.dcql import parse_dcql_query
from vcservice.oid4vp.errors import Oid4vpError, refusal
from vcservice.oid4vp.jwe import decrypt_response
from vcservice.printing.qr import QrCode, qr_code
from vcservice.services.core import Core
from vcservice.services.observer import NO_OBSERVER, Observer
from vcservice.services.openid4vp_keys import SIGNING_ALGORITHM, VerifierKeys, load_verifier_keys
from vcservice.services.openid4vp_links import QR_TITLE, RequestLinks, query_of
from vcservice.services.openid4vp_queries import TypeExpander, WorkflowQueries, sd_jwt_vct_values
from vcservice.services.openid4vp_vp_token import (
    Answer,
    SdJwtVerifier,
    VpTokenChecks,
    checked_formats,
)
from vcservice.services.quotas import Quotas, too_many
from vcservice.services.trust import TrustRegistryService
from vcservice.settings import Settings
from vcservice.storage.repository import (
    PresentationRequestRepository,
    Store,
    WorkflowRepository,
)

__all__ = ["DEFAULT_LIFETIME", "CreatedRequest", "OpenId4VpService", "build_openid4vp"]

_log = logging.getLogger(__name__)

DEFAULT_LIFETIME = timedelta(minutes=5)
MAX_LIFETIME = timedelta(hours=1)
_MALFORMED = "MALFORMED_VALUE_ERROR"


@dataclass(frozen=True)
class CreatedRequest:
    """A new request, and how a wallet reaches it: the link (and its QR code)."""

    request: PresentationRequest
    link: str
    qr: QrCode | None


class OpenId4VpService:
    """Creates OpenID4VP authorization requests, serves their Request Objects, verifies and
    records the answers."""

    def __init__(
        self,
        *,
        requests: PresentationRequestRepository,
        workflows: WorkflowRepository,
        queries: WorkflowQueries,
        checks: VpTokenChecks,
        keys: VerifierKeys,
        clock: Clock,
        public_url: str,
        quotas: Quotas,
        retention: timedelta,
        max_presentation_bytes: int,
    ) -> None:
        self._requests = requests
        self._workflows = workflows
        self._queries = queries
        self._checks = checks
        self._keys = keys
        self._clock = clock
        self.links = RequestLinks(keys=keys, public_url=public_url, clock=clock)
        self._quotas = quotas
        self._retention = retention
        self._max_presentation_bytes = max_presentation_bytes

    # ------------------------------------------------------------ the verifier

    @property
    def keys(self) -> VerifierKeys:
        """The verifier's keys (public halves are published)."""
        return self._keys

    @property
    def formats(self) -> tuple[str, ...]:
        """The formats this verifier checks."""
        return self._checks.formats

    def metadata(self) -> dict[str, Any]:
        """What a wallet (or a person) may want to know of this verifier, before a request."""
        formats = request_object.client_metadata(self.formats)["vp_formats_supported"]
        return {
            "clientId": self._keys.client_id,
            "did": self._keys.did,
            "jwks": self._keys.jwks(),
            "clientIdPrefixesSupported": list(request_object.CLIENT_ID_PREFIXES),
            "responseModesSupported": list(request_object.RESPONSE_MODES),
            "requestObjectSigningAlgValuesSupported": [SIGNING_ALGORITHM],
            "vpFormatsSupported": formats,
        }

    # ------------------------------------------------------------ requests

    def create(
        self,
        *,
        requester: Requester,
        workflow_id: str | None = None,
        dcql_query: Mapping[str, Any] | None = None,
        formats: Sequence[str] | None = None,
        response_mode: str = request_object.DIRECT_POST,
        request_uri_method: str = "get",
        client_id_prefix: str = request_object.DECENTRALIZED_IDENTIFIER,
        lifetime: timedelta | None = None,
    ) -> CreatedRequest:
        """A new request for ``requester``: of a workflow (anyone, for a public one; its
        DCQL query built from the credentials it accepts, in ``formats``) or of a DCQL query
        a client wrote. UNAUTHORIZED for an anonymous caller otherwise; TOO_MANY_EXCHANGES
        (retry when one expires) past the caller's quota of open requests."""
        if (workflow_id is None) == (dcql_query is None):
            raise ParsingError(
                "name a workflow or give a DCQL query (one of them)",
                code=_MALFORMED,
                field="workflow",
            )
        workflow = None if workflow_id is None else self._workflow(workflow_id)
        if requester.anonymous and (workflow is None or not workflow.public):
            raise VcError(
                "only the verifier's clients make requests of a DCQL query or of a workflow "
                "that is not public: send a verify:credentials access token",
                code="UNAUTHORIZED",
                field="Authorization",
            )
        if workflow is not None:
            query = self._queries.query_for(workflow, formats or self.formats)
            policy: dict[str, Any] | None = _policy(workflow)
            default = timedelta(seconds=workflow.exchange_ttl_seconds)
        else:
            query = parse_dcql_query(dcql_query, formats=self.formats)
            policy, default = None, DEFAULT_LIFETIME
        lifetime = min(lifetime or default, MAX_LIFETIME)
        if requester.anonymous:
            lifetime = min(lifetime, self._quotas.anonymous_exchange)
        now = self._clock.now()
        request = PresentationRequest(
            id=secrets.token_urlsafe(24),
            request_id=secrets.token_urlsafe(18),
            client_id="",
            nonce=secrets.token_urlsafe(24),
            state=secrets.token_urlsafe(24),
            response_mode=response_mode,
            request_uri_method=request_uri_method,
            dcql_query=query.to_json(),
            status=ExchangeState.PENDING,
            created_at=now,
            expires_at=now + lifetime,
            caller=requester.key,
            workflow=None if workflow is None else workflow.id,
            policy=policy,
        )
        request = replace(request, client_id=self.links.client_id(request, client_id_prefix))
        link = self.links.link(request)  # checks the mode and method before storing
        limit = self._quotas.limit_for(requester)
        refused = self._requests.add(request, limit=limit)
        if refused is not None:
            raise too_many(
                "authorization requests", "TOO_MANY_EXCHANGES", limit, refused, self._clock.now()
            )
        return CreatedRequest(request, link, qr_code(link, title=QR_TITLE))

    def request(self, request_id: str, *, reader: Requester | None = None) -> PresentationRequest:
        """The request whose verifier's handle is ``request_id`` (NOT_FOUND otherwise).

        A client's request is its own: for another ``reader`` it is NOT_FOUND as well (the
        handle alone does not show it). An anonymous caller's (a broker's page) is shown
        to whoever holds its handle, whose address may have changed meanwhile.
        """
        found = self._requests.get(request_id)
        theirs = found is not None and found.caller.startswith(CLIENT_PREFIX)
        if found is None or (theirs and reader is not None and reader.key != found.caller):
            raise VcError(
                f"no authorization request {request_id!r}", code="NOT_FOUND", field="requestId"
            )
        return found

    def is_open(self, request: PresentationRequest) -> bool:
        """Whether ``request`` still waits for its answer."""
        return request.status is ExchangeState.PENDING and request.expires_at > self._clock.now()

    def signed_request_object(
        self, public_id: str, *, wallet: request_object.WalletRequest | None = None
    ) -> str:
        """The signed Request Object of the open request ``public_id`` (for a wallet that
        POSTed, with its ``wallet_nonce`` and its issuer as audience); refused
        (``Oid4vpError``) when there is no such open, signed request."""
        request = self._open(public_id)
        if not self.links.is_signed(request):
            raise Oid4vpError(
                "this request is passed by value, unsigned: it has no Request Object",
                code="NOT_FOUND",
                field="requestId",
            )
        return self.links.signed(request, wallet=wallet)

    def purge_expired(self) -> int:
        """Delete the requests that expired more than ``retention`` ago; how many went."""
        return self._requests.purge_expired(self._clock.now() - self._retention)

    # ------------------------------------------------------------ answers

    def answer(self, public_id: str, parameters: Mapping[str, Any]) -> Answer:
        """Verify and record the wallet's answer to the request ``public_id``: the form
        fields of a ``direct_post`` (``response`` holding the encrypted ones for
        ``direct_post.jwt``). Refused (``Oid4vpError``) before anything is used when the
        answer is malformed, for no open request, or for another state; recorded once
        otherwise, whatever the verification finds (``Answer.accepted``)."""
        try:
            return self._answer(public_id, parameters)
        except ParsingError as error:  # the answer is malformed: refused as the spec has it
            raise refusal(error) from error

    def _answer(self, public_id: str, parameters: Mapping[str, Any]) -> Answer:
        request = self._requests.by_public_id(public_id)
        if request is None:
            raise Oid4vpError("no such authorization request", code="NOT_FOUND", field="requestId")
        response = parse_authorization_response(self._decrypted(request, parameters))
        if not hmac.compare_digest((response.state or "").encode(), request.state.encode()):
            raise Oid4vpError("the state is not this request's", code="NOT_FOUND", field="state")
        if isinstance(response, WalletError):
            started = self._start(request)
            outcome = self._checks.wallet_refused(response)
            self._finish(started, outcome, presentation=None, error=response.error)
            return outcome
        query = query_of(request)
        presentations = presentations_in(response.vp_token, query)
        kept = self._kept_text(response.vp_token)
        started = self._start(request)
        try:
            outcome = self._checks.evaluate(started, query, presentations)
        except Exception:
            _log.exception("the VP Token of request %s could not be verified", started.id)
            self._finish(started, self._checks.failed(), presentation=kept, error=None)
            raise
        self._finish(started, outcome, presentation=kept, error=None)
        return outcome

    def _decrypted(
        self, request: PresentationRequest, parameters: Mapping[str, Any]
    ) -> Mapping[str, Any]:
        """The response's parameters, decrypted from ``response`` when the request asked
        for ``direct_post.jwt`` (an error may still come in the clear)."""
        encrypted = request.response_mode == request_object.DIRECT_POST_JWT
        if "response" not in parameters:
            if encrypted and "error" not in parameters:
                raise Oid4vpError(
                    "this request asked for an encrypted response (direct_post.jwt)",
                    code=_MALFORMED,
                    field="response",
                )
            return parameters
        token = parameters["response"]
        if not encrypted or not isinstance(token, str):
            raise Oid4vpError(
                "this request asked for an unencrypted response (direct_post)",
                code=_MALFORMED,
                field="response",
            )
        payload = decrypt_response(
            token, key=self._keys.encryption, kid=self._keys.encryption_jwk["kid"]
        )
        # The state may come outside the JWE too; inside it wins.
        return {"state": parameters.get("state"), **payload}

    def _start(self, request: PresentationRequest) -> PresentationRequest:
        started = self._requests.start(
            request.request_id, state=request.state, now=self._clock.now()
        )
        if started is None:
            self._open(request.request_id)  # says why: answered, or expired
            raise Oid4vpError(
                "the request was answered a moment ago", code="EXCHANGE_NOT_PENDING", field="state"
            )
        return started

    def _finish(
        self,
        request: PresentationRequest,
        outcome: Answer,
        *,
        presentation: str | None,
        error: str | None,
    ) -> None:
        self._requests.finish(
            request.id,
            status=ExchangeState.COMPLETE if outcome.accepted else ExchangeState.INVALID,
            result=json.dumps(outcome.to_json(), ensure_ascii=False),
            presentation=presentation,
            error=error,
            now=self._clock.now(),
        )

    def _kept_text(self, vp_token: Mapping[str, Any]) -> str:
        """The VP Token as kept (compact JSON), PRESENTATION_TOO_LARGE past the limit."""
        text = json.dumps(vp_token, separators=(",", ":"))
        if len(text.encode("utf-8")) > self._max_presentation_bytes:
            raise Oid4vpError(
                f"the VP Token is over {self._max_presentation_bytes} bytes",
                code="PRESENTATION_TOO_LARGE",
                field="vp_token",
            )
        return text

    # ------------------------------------------------------------ helpers

    def _open(self, public_id: str) -> PresentationRequest:
        """The pending, unexpired request ``public_id``; refused otherwise, saying why."""
        request = self._requests.by_public_id(public_id)
        if request is None:
            raise Oid4vpError("no such authorization request", code="NOT_FOUND", field="requestId")
        if request.status is not ExchangeState.PENDING:
            raise Oid4vpError(
                f"the request is {request.status.value}: it is answered once",
                code="EXCHANGE_NOT_PENDING",
                field="requestId",
            )
        if request.expires_at <= self._clock.now():
            raise Oid4vpError("the request expired", code="EXCHANGE_NOT_PENDING", field="requestId")
        return request

    def _workflow(self, workflow_id: str) -> Workflow:
        found = self._workflows.get(workflow_id)
        if found is None:
            raise VcError(f"no workflow {workflow_id!r}", code="NOT_FOUND", field="workflow")
        return found


def _policy(workflow: Workflow) -> dict[str, Any]:
    return {
        "acceptedTypes": list(workflow.accepted_types),
        "acceptedRecognitions": [
            {
                "credentialType": policy.credential_type,
                "recognizedBy": policy.recognized_by,
                "recognizedRole": policy.role,
                "arrangement": policy.arrangement,
            }
            for policy in workflow.accepted_recognitions
        ],
    }


def build_openid4vp(
    settings: Settings,
    *,
    store: Store,
    core: Core,
    trust: TrustRegistryService,
    quotas: Quotas,
    clock: Clock,
    observer: Observer = NO_OBSERVER,
    sd_jwt: SdJwtVerifier | None = None,
) -> OpenId4VpService:
    """The verifier's OpenID4VP service, over the same core verifier (and trust registry)
    as ``VerifierService``; SD-JWT VC presentations once an SD-JWT VC verifier is given."""
    types = TypeExpander(core.processor)
    queries = WorkflowQueries(
        types=types,
        formats=checked_formats(sd_jwt),
        vct_values=lambda type_name: sd_jwt_vct_values(
            type_name, public_url=settings.public_url, trust=trust, core=core, clock=clock
        ),
    )
    checks = VpTokenChecks(
        verifier=core.verifier.trusting(trust),
        types=types,
        sd_jwt=sd_jwt,
        type_of_vct=queries.type_of_vct,
        observer=observer,
    )
    return OpenId4VpService(
        requests=store.presentation_requests,
        workflows=store.workflows,
        queries=queries,
        checks=checks,
        keys=load_verifier_keys(settings.data_dir),
        clock=clock,
        public_url=settings.public_url,
        quotas=quotas,
        retention=timedelta(seconds=settings.exchange_retention_seconds),
        max_presentation_bytes=settings.max_presentation_bytes,
    )
