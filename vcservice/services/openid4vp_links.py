"""How a wallet reaches an OpenID4VP request: its link, QR code, Request Object, Response URI.

A signed request (``client_id`` ``decentralized_identifier:<did:jwk>``) is passed by
reference: the link carries the ``client_id`` and the ``request_uri`` where the wallet
fetches the Request Object, signed by the verifier's key when it is fetched (with the
wallet's ``wallet_nonce`` and issuer, if it POSTed them). An unsigned one
(``redirect_uri:<Response URI>``) carries every parameter in the link itself.
"""

from __future__ import annotations

from typing import Any

from vcservice.clock import Clock
from vcservice.model.presentation_requests import PresentationRequest
from vcservice.oid4vp import authorization_request as request_object
from vcservice.oid4vp.dcql import DcqlQuery, parse_dcql_query
from vcservice.printing.qr import QrCode, qr_code
from vcservice.services.openid4vp_keys import VerifierKeys

__all__ = ["REQUEST_OBJECTS_PATH", "RESPONSES_PATH", "RequestLinks", "query_of"]

REQUEST_OBJECTS_PATH = "/openid4vp/request-objects"
RESPONSES_PATH = "/openid4vp/responses"
QR_TITLE = "OpenID4VP"


class RequestLinks:
    """The links and Request Objects of requests, under this service's public URL."""

    def __init__(self, *, keys: VerifierKeys, public_url: str, clock: Clock) -> None:
        self._keys = keys
        self._public_url = public_url.rstrip("/")
        self._clock = clock

    def request_uri(self, request: PresentationRequest) -> str:
        """Where the wallet fetches the Request Object."""
        return f"{self._public_url}{REQUEST_OBJECTS_PATH}/{request.request_id}"

    def response_uri(self, request: PresentationRequest) -> str:
        """Where the wallet posts its answer."""
        return f"{self._public_url}{RESPONSES_PATH}/{request.request_id}"

    def client_id(self, request: PresentationRequest, prefix: str) -> str:
        """The ``client_id`` of ``request`` under ``prefix`` (MALFORMED_VALUE_ERROR for a
        prefix this verifier does not use)."""
        return request_object.client_id_for(
            prefix, did=self._keys.did, response_uri=self.response_uri(request)
        )

    @staticmethod
    def is_signed(request: PresentationRequest) -> bool:
        """Whether ``request`` is a signed Request Object by reference (not by value)."""
        return request.client_id.startswith(request_object.DECENTRALIZED_IDENTIFIER + ":")

    def link(self, request: PresentationRequest) -> str:
        """The link a wallet opens (MALFORMED_VALUE_ERROR for a response mode or request URI
        method this verifier does not use)."""
        if not self.is_signed(request):
            return request_object.authorization_link(request_object.by_value(self.claims(request)))
        self.claims(request)  # checks the response mode
        parameters = request_object.by_reference(
            request.client_id, self.request_uri(request), request.request_uri_method
        )
        return request_object.authorization_link(parameters)

    def qr(self, request: PresentationRequest) -> QrCode | None:
        """The QR code of the request's link."""
        return qr_code(self.link(request), title=QR_TITLE)

    def signed(
        self, request: PresentationRequest, *, wallet: request_object.WalletRequest | None = None
    ) -> str:
        """The signed Request Object of ``request``, issued now."""
        claims = self.claims(request, wallet=wallet)
        return request_object.sign_request_object(claims, signer=self._keys.signer)

    def claims(
        self, request: PresentationRequest, *, wallet: request_object.WalletRequest | None = None
    ) -> dict[str, Any]:
        """The request's parameters (the Request Object's claims), issued now."""
        encrypted = request.response_mode == request_object.DIRECT_POST_JWT
        metadata = request_object.client_metadata(
            query_of(request).formats,
            encryption_key=self._keys.encryption_jwk if encrypted else None,
        )
        return request_object.build_request_object(
            client_id=request.client_id,
            response_uri=self.response_uri(request),
            response_mode=request.response_mode,
            nonce=request.nonce,
            state=request.state,
            dcql_query=request.dcql_query,
            metadata=metadata,
            issued_at=int(self._clock.now().timestamp()),
            expires_at=int(request.expires_at.timestamp()),
            wallet=wallet,
        )


def query_of(request: PresentationRequest) -> DcqlQuery:
    """The DCQL query a request sent (stored as checked when it was made)."""
    return parse_dcql_query(request.dcql_query)
