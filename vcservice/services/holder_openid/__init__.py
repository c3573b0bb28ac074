"""The holder's wallet over OpenID for Verifiable Credentials: it receives certificates with
OpenID4VCI 1.0 and presents them with OpenID4VP 1.0 (DCQL), as a shipper's own wallet would.

**Receiving** (the pre-authorized code flow, §3.5): the officer's offer comes as its link
(``openid-credential-offer://?credential_offer=…`` by value or ``…credential_offer_uri=…``
by reference, fetched) or as the offer's JSON. The wallet reads the Credential Issuer
Metadata (its ``credential_issuer`` must be the offer's) and the Authorization Server's,
redeems the code with the transaction code the company got by another channel, and for
each offered configuration it can hold (default: every one) asks the nonce endpoint for a
``c_nonce`` and signs an ``openid4vci-proof+jwt`` with the holder's own key: its ``jwk``
for SD-JWT VC (the issuer puts it in ``cnf``), the ``kid`` of its did:key for the W3C
formats (the certificate's ``member.id`` is then the holder's DID; a did:web holder can
hold those only from an issuer that binds did:web). What it gets is verified before it is
kept, by the holder's store.

**Presenting**: the verifier's link (``openid4vp://?client_id=…&request_uri=…``) names a
signed Request Object, fetched (GET, or POST with a ``wallet_nonce`` the Request Object
must repeat) and verified with the key its ``kid`` names in the DID of the ``client_id``
(prefix ``decentralized_identifier``); a request by value is accepted only with the
``redirect_uri`` prefix, whose ``client_id`` is the Response URI itself (unsigned:
``signed`` says so). The DCQL query is matched against what the holder keeps: every
Credential Query when there are no credential sets, else the first option (in the
verifier's order of preference) of each required set; optional sets are not answered, so
nothing is shown that was not required. An SD-JWT VC is presented with only the
Disclosures of the claims asked for (of the first claim set it can meet) and a Key Binding
JWT for the request's nonce, ``aud`` the ``client_id`` and ``sd_hash``; a W3C credential in
a presentation signed for challenge = nonce and domain = ``client_id`` (Data Integrity for
``ldp_vc``, a ``vp+jwt`` for ``jwt_vc_json``). The VP Token goes to the Response URI by
``direct_post`` (or encrypted to the verifier's key for ``direct_post.jwt``), and the
verifier's answer is returned with what was disclosed. A holder may decline instead: the
verifier is then told ``access_denied``.

Every request goes out through the service's guarded HTTP client: https only, public
addresses only (plain http and private networks where the deployment allows them, as for
DID documents and status lists), under its deadline and size limits.
"""

from __future__ import annotations

from vcservice.clock import Clock
from vcservice.net.guarded_client import GuardedHttpClient
from vcservice.services.core import Core
from vcservice.services.holder import HolderService, SdJwtVcVerifier
from vcservice.services.holder_openid.presenting import Presentation, Presented, Presenter
from vcservice.services.holder_openid.receiving import PROOF_TYP, Received, Receiver
from vcservice.services.openid4vp_queries import TypeExpander

__all__ = [
    "PROOF_TYP",
    "HolderOpenIdService",
    "Presentation",
    "Presented",
    "Received",
]


class HolderOpenIdService(Receiver, Presenter):
    """The holder's wallet as an OpenID4VCI client and an OpenID4VP presenter."""

    def __init__(
        self,
        *,
        holders: HolderService,
        sd_jwt_vc: SdJwtVcVerifier,
        core: Core,
        clock: Clock,
    ) -> None:
        self._holders = holders
        self._sd_jwt = sd_jwt_vc
        self._http: GuardedHttpClient = core.http
        self._resolver = core.resolver
        self._types = TypeExpander(core.processor)
        self._clock = clock
