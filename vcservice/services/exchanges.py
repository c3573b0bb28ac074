"""VCALM exchanges: a verifier's workflow asks for a presentation; a holder answers once.

A workflow is a presentation policy (the credential types accepted as they are, those
accepted only under mutual recognition for an authority and role, the domain, how long an
exchange stays open, and whether anyone may start one or only the verifier's clients).
Each exchange of it carries a fresh single-use challenge, counts against its caller's
quota of open exchanges (``services.quotas``) and is answered at most once: the answer
is refused if it is too large to keep, then moves the exchange out of ``pending`` (one
conditional UPDATE in the database), then the presentation is verified against the
exchange's challenge and domain and the workflow's policy. The presentation is
kept once, with the result (without the documents it verified) for the verifier to read,
until ``retention`` after the exchange expires.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from vcservice.certificates.base import CONTEXTS_V2, CREDENTIALS_V2
from vcservice.certificates.v2 import ctpat, oea
from vcservice.certificates.v2.mra import TYPE as MUTUAL_RECOGNITION_TYPE
from vcservice.certificates.v2.mra import Arrangement, Authority, RecognizedRole
from vcservice.clock import Clock
from vcservice.errors import VcError
from vcservice.model.records import Exchange, ExchangeState, RecognitionPolicy, Workflow
from vcservice.model.requester import Requester
from vcservice.services.quotas import Quotas, too_many
from vcservice.services.verifier import VerifierService, random_challenge
from vcservice.storage.repository import ExchangeRepository, WorkflowRepository
from vcservice.verification.policy import accepted_types_check
from vcservice.verification.result import VerificationResult

__all__ = ["ExchangeService", "presentation_request"]

EXCHANGE_ID_BYTES = 18
_WORKFLOW_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
RECOGNIZED_BY = {oea.NAME: Authority.CBP, ctpat.NAME: Authority.SAT}
"""Who recognizes each programme under mutual recognition: its entries' ``recognizedBy``
(the counterpart authority; issuance refuses any other, see ``certificates.v2.mra``)."""
_MALFORMED = "MALFORMED_VALUE_ERROR"


class ExchangeService:
    """Workflows (admin-defined policies) and their single-use exchanges."""

    def __init__(
        self,
        *,
        workflows: WorkflowRepository,
        exchanges: ExchangeRepository,
        verifier: VerifierService,
        clock: Clock,
        public_url: str,
        quotas: Quotas,
        retention: timedelta,
        max_presentation_bytes: int,
    ) -> None:
        self._workflows = workflows
        self._exchanges = exchanges
        self._verifier = verifier
        self._clock = clock
        self._public_url = public_url.rstrip("/")
        self._quotas = quotas
        self._retention = retention
        self._max_presentation_bytes = max_presentation_bytes

    # ------------------------------------------------------------ workflows

    def create_workflow(
        self,
        workflow_id: str,
        *,
        name: str,
        accepted_types: Sequence[str],
        domain: str | None,
        exchange_ttl_seconds: int,
        public: bool = False,
        accepted_recognitions: Sequence[RecognitionPolicy] = (),
    ) -> Workflow:
        """A new workflow (CONFLICT if the id is taken); anyone may start exchanges of a
        ``public`` one.

        ``accepted_types`` count as they are; a type of ``accepted_recognitions`` counts only
        where its signed mutual recognition covers the policy. MALFORMED_VALUE_ERROR for a
        recognition no credential could meet (a value outside the vocabulary, a programme
        that carries no recognition, the wrong direction) or one of a type already accepted
        as it is (it would restrict nothing).
        """
        if not _WORKFLOW_ID.fullmatch(workflow_id):  # fullmatch: "$" also matches before "\n"
            raise VcError(
                "a workflow id is 1–63 lowercase letters, digits or hyphens",
                code=_MALFORMED,
                field="id",
            )
        workflow = Workflow(
            id=workflow_id,
            name=name,
            accepted_types=tuple(dict.fromkeys(accepted_types)),
            domain=domain,
            exchange_ttl_seconds=exchange_ttl_seconds,
            created_at=self._clock.now(),
            public=public,
            accepted_recognitions=_recognitions(accepted_types, accepted_recognitions),
        )
        self._workflows.add(workflow)
        return workflow

    def workflow(self, workflow_id: str) -> Workflow:
        """The workflow (NOT_FOUND if there is none)."""
        found = self._workflows.get(workflow_id)
        if found is None:
            raise VcError(f"no workflow {workflow_id!r}", code="NOT_FOUND", field="workflowId")
        return found

    def workflows(self) -> list[Workflow]:
        """Every workflow."""
        return self._workflows.list()

    def delete_workflow(self, workflow_id: str) -> None:
        """Remove a workflow and its exchanges (NOT_FOUND if there is none)."""
        if not self._workflows.delete(workflow_id):
            raise VcError(f"no workflow {workflow_id!r}", code="NOT_FOUND", field="workflowId")

    # ------------------------------------------------------------ exchanges

    def create_exchange(self, workflow_id: str, *, requester: Requester) -> Exchange:
        """A new exchange of the workflow for ``requester``, with its own challenge.

        Only a client starts an exchange of a workflow that is not public (UNAUTHORIZED
        for an anonymous caller); an anonymous caller's lives at most
        ``quotas.anonymous_exchange``. TOO_MANY_EXCHANGES (retry when one expires) when
        the caller holds its quota of pending exchanges, or anonymous callers together
        theirs.
        """
        workflow = self.workflow(workflow_id)
        if requester.anonymous and not workflow.public:
            raise VcError(
                f"only the verifier's clients start exchanges of {workflow_id!r}: "
                "send a verify:credentials access token",
                code="UNAUTHORIZED",
                field="Authorization",
            )
        now = self._clock.now()
        lifetime = timedelta(seconds=workflow.exchange_ttl_seconds)
        if requester.anonymous:
            lifetime = min(lifetime, self._quotas.anonymous_exchange)
        exchange = Exchange(
            id=secrets.token_urlsafe(EXCHANGE_ID_BYTES),
            workflow=workflow.id,
            challenge=random_challenge(),
            domain=workflow.domain,
            state=ExchangeState.PENDING,
            created_at=now,
            expires_at=now + lifetime,
            caller=requester.key,
        )
        limit = self._quotas.limit_for(requester)
        refused = self._exchanges.add(exchange, limit=limit)  # first: a refusal stores nothing
        if refused is not None:
            raise too_many("exchanges", "TOO_MANY_EXCHANGES", limit, refused, self._clock.now())
        self._verifier.hold_exchange_challenge(
            exchange.challenge,
            domain=exchange.domain,
            created_at=now,
            expires_at=exchange.expires_at,
        )
        return exchange

    def exchange(self, workflow_id: str, exchange_id: str) -> Exchange:
        """The exchange of that workflow (NOT_FOUND otherwise, also once purged)."""
        found = self._exchanges.get(exchange_id)
        if found is None or found.workflow != workflow_id:
            raise VcError(
                f"no exchange {exchange_id!r} in workflow {workflow_id!r}",
                code="NOT_FOUND",
                field="exchangeId",
            )
        return found

    def exchange_url(self, exchange: Exchange) -> str:
        """Where a holder participates in ``exchange``."""
        return f"{self._public_url}/workflows/{exchange.workflow}/exchanges/{exchange.id}"

    def request(self, workflow_id: str, exchange_id: str) -> dict[str, Any]:
        """The presentation request of a pending exchange (EXCHANGE_NOT_PENDING otherwise)."""
        exchange = self.exchange(workflow_id, exchange_id)
        self._require_pending(exchange)
        return self._request_of(exchange)

    def open_request(self, exchange: Exchange) -> dict[str, Any] | None:
        """The presentation request while ``exchange`` can be answered, else None."""
        return None if self._why_closed(exchange) else self._request_of(exchange)

    def _request_of(self, exchange: Exchange) -> dict[str, Any]:
        return presentation_request(
            self.workflow(exchange.workflow), exchange, self.exchange_url(exchange)
        )

    def answer(
        self, workflow_id: str, exchange_id: str, presentation: Mapping[str, Any] | str
    ) -> VerificationResult:
        """Verify the holder's presentation for the exchange, once, and keep it with the
        result; PRESENTATION_TOO_LARGE (the exchange still pending) before any of that if
        it is larger than an exchange keeps."""
        exchange = self.exchange(workflow_id, exchange_id)
        kept = self._kept_text(presentation)
        workflow = self.workflow(workflow_id)
        started = self._exchanges.start(exchange.id, now=self._clock.now())
        if started is None:
            self._require_pending(self.exchange(workflow_id, exchange_id))
            raise _not_pending("the exchange was answered a moment ago")
        result = self._verifier.verify_presentation(
            presentation, challenge=started.challenge, domain=started.domain
        )
        policy = accepted_types_check(
            result, workflow.accepted_types, workflow.accepted_recognitions
        )
        result = result.with_checks((*result.checks, policy))
        self._exchanges.finish(
            started.id,
            state=ExchangeState.COMPLETE if result.verified else ExchangeState.INVALID,
            result=json.dumps(result.without_documents().to_json(), ensure_ascii=False),
            presentation=kept,
            now=self._clock.now(),
        )
        return result

    def _kept_text(self, presentation: Mapping[str, Any] | str) -> str:
        """The text an exchange keeps of ``presentation`` (PRESENTATION_TOO_LARGE when it
        is longer than ``max_presentation_bytes`` in UTF-8)."""
        text = (
            presentation
            if isinstance(presentation, str)
            else json.dumps(presentation, separators=(",", ":"))  # ASCII: any database takes it
        )
        size = len(text.encode("utf-8", "surrogatepass"))  # a lone surrogate counts, not fails
        if size > self._max_presentation_bytes:
            raise VcError(
                f"the presentation is {size} bytes; an exchange keeps at most "
                f"{self._max_presentation_bytes}",
                code="PRESENTATION_TOO_LARGE",
                field="verifiablePresentation",
            )
        return text

    @staticmethod
    def kept_presentation(exchange: Exchange) -> dict[str, Any] | str | None:
        """The presentation ``exchange`` was answered with (JSON, or a compact JWT), if any."""
        kept = exchange.presentation
        if kept is None or not kept.startswith("{"):  # a compact JWT never starts with "{"
            return kept
        document: dict[str, Any] = json.loads(kept)
        return document

    def purge_expired(self) -> int:
        """Delete the exchanges that expired more than ``retention`` ago; how many went."""
        return self._exchanges.purge_expired(self._clock.now() - self._retention)

    def _require_pending(self, exchange: Exchange) -> None:
        closed = self._why_closed(exchange)
        if closed is not None:
            raise _not_pending(closed)

    def _why_closed(self, exchange: Exchange) -> str | None:
        """Why ``exchange`` can no longer be answered, or None while it can."""
        if exchange.state is not ExchangeState.PENDING:
            return f"the exchange is {exchange.state.value}; it is answered once"
        if exchange.expires_at <= self._clock.now():
            return "the exchange expired"
        return None


def presentation_request(workflow: Workflow, exchange: Exchange, url: str) -> dict[str, Any]:
    """The Verifiable Presentation Request of an exchange.

    One QueryByExample per accepted type, then one per accepted recognition, each in its own
    ``group``: answering any one group satisfies the request (the VPR spec's "or" between
    groups). A recognition's example carries the ``credentialSubject.mutualRecognition``
    entry wanted, in the terms of the certificates' own contexts.
    """
    examples: list[tuple[str, dict[str, Any]]] = [
        (
            f"present a current {credential_type}",
            {"@context": [CREDENTIALS_V2], "type": credential_type},
        )
        for credential_type in workflow.accepted_types
    ]
    examples += [
        (f"present a current {policy.describe()}", _recognition_example(policy))
        for policy in workflow.accepted_recognitions
    ]
    queries = [
        {
            "type": "QueryByExample",
            "group": str(number),
            "credentialQuery": {"reason": f"{workflow.name}: {reason}", "example": example},
        }
        for number, (reason, example) in enumerate(examples, start=1)
    ]
    request: dict[str, Any] = {
        "query": queries,
        "challenge": exchange.challenge,
        "interact": {
            "service": [{"type": "UnmediatedHttpPresentationService2021", "serviceEndpoint": url}]
        },
    }
    if exchange.domain is not None:
        request["domain"] = exchange.domain
    return request


def _recognition_example(policy: RecognitionPolicy) -> dict[str, Any]:
    """A credential of the policy's type whose subject names the recognition wanted."""
    entry: dict[str, Any] = {"type": [MUTUAL_RECOGNITION_TYPE]}
    if policy.arrangement is not None:
        entry["arrangement"] = policy.arrangement
    entry |= {"recognizedBy": policy.recognized_by, "recognizedRole": [policy.role]}
    return {
        "@context": list(CONTEXTS_V2),
        "type": policy.credential_type,
        "credentialSubject": {"mutualRecognition": [entry]},
    }


def _recognitions(
    accepted_types: Sequence[str], recognitions: Sequence[RecognitionPolicy]
) -> tuple[RecognitionPolicy, ...]:
    """``recognitions`` without repeats, each one a credential could meet (else
    MALFORMED_VALUE_ERROR naming the member)."""
    for index, policy in enumerate(recognitions):
        at = f"acceptedRecognitions[{index}]"
        for value, terms, member in (
            (policy.recognized_by, Authority, "recognizedBy"),
            (policy.role, RecognizedRole, "recognizedRole"),
            (policy.arrangement, Arrangement, "arrangement"),
        ):
            known = [term.value for term in terms]
            if value is not None and value not in known:
                detail = f"{value!r} is none of {', '.join(known)}"
                raise VcError(detail, code=_MALFORMED, field=f"{at}.{member}")
        authority = RECOGNIZED_BY.get(policy.credential_type)
        if authority is None:
            detail = f"only {' and '.join(RECOGNIZED_BY)} carry a mutual recognition"
            raise VcError(detail, code=_MALFORMED, field=f"{at}.credentialType")
        if policy.recognized_by != authority.value:
            detail = (
                f"the entries of {policy.credential_type} credentials are recognizedBy "
                f"{authority.value} (its counterpart), never {policy.recognized_by}"
            )
            raise VcError(detail, code=_MALFORMED, field=f"{at}.recognizedBy")
        if policy.credential_type in accepted_types:
            detail = (
                f"{policy.credential_type} is in acceptedCredentialTypes, accepted as it is: "
                "a recognition would restrict nothing"
            )
            raise VcError(detail, code=_MALFORMED, field=f"{at}.credentialType")
    return tuple(dict.fromkeys(recognitions))


def _not_pending(detail: str) -> VcError:
    return VcError(detail, code="EXCHANGE_NOT_PENDING", field="exchangeId")
