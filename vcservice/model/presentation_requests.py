"""OpenID4VP authorization requests as the verifier keeps them: one per wallet interaction.

A request waits (``pending``) for the wallet's answer at its Response URI; the first answer
with its ``state`` moves it out of ``pending`` exactly once (``active`` while the VP Token
is verified), and it ends ``complete`` (accepted) or ``invalid`` (refused, or the wallet
answered with an error), as an exchange does. Two identifiers: ``request_id`` is public
(the wallet's QR code carries it in the ``request_uri``); ``id`` is the verifier's own
handle, the only way to read the outcome, and never leaves the verifier.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vcservice.model.records import ExchangeState

__all__ = ["PresentationRequest"]


@dataclass(frozen=True, slots=True)
class PresentationRequest:
    """One OpenID4VP authorization request of this verifier, answered at most once.

    ``dcql_query`` is the DCQL query sent; ``policy`` the workflow's accepted types and
    recognitions it was built from (``acceptedTypes``, ``acceptedRecognitions``), checked
    on the answer as an exchange checks them; ``caller`` the ``Requester`` key of who
    created it. Once answered: ``result`` (JSON text of the outcome, without the
    documents verified), ``presentation`` (the VP Token as received) and, when the wallet
    refused, its ``error`` code.
    """

    id: str
    request_id: str
    client_id: str
    nonce: str
    state: str
    response_mode: str
    request_uri_method: str
    dcql_query: dict[str, Any]
    status: ExchangeState
    created_at: datetime
    expires_at: datetime
    caller: str
    workflow: str | None = None
    policy: dict[str, Any] | None = None
    completed_at: datetime | None = None
    result: str | None = None
    presentation: str | None = None
    error: str | None = None
