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

import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from vcservice.clock import Clock
from vcservice.dids.resolver import dereference_verification_method
from vcservice.errors import ParsingError, VcError
from vcservice.jose import vc_jwt
from vcservice.jose.jws import decode_compact
from vcservice.keys import PublicKey, base64url_encode
from vcservice.model.records import HeldCredential, Holder
from vcservice.net.guarded_client import GuardedHttpClient, HttpAnswer
from vcservice.oid4vci.metadata import (
    AUTHORIZATION_SERVER_WELL_KNOWN,
    CREDENTIAL_ISSUER_WELL_KNOWN,
    PRE_AUTHORIZED_CODE_GRANT,
    well_known_url,
)
from vcservice.oid4vp.authorization_request import (
    DECENTRALIZED_IDENTIFIER,
    DIRECT_POST,
    DIRECT_POST_JWT,
    REDIRECT_URI,
    REQUEST_OBJECT_TYP,
    RESPONSE_TYPE,
    STATIC_AUDIENCE,
)
from vcservice.oid4vp.dcql import (
    JWT_VC_JSON,
    LDP_VC,
    SD_JWT_VC,
    ClaimsQuery,
    CredentialQuery,
    DcqlQuery,
    parse_dcql_query,
)
from vcservice.oid4vp.errors import ACCESS_DENIED
from vcservice.oid4vp.jwe import encrypt_response
from vcservice.oid4vp.selection import PresentedCredential, credential_mismatch, select_claims
from vcservice.sdjwt import bind, disclosure_paths, present, split
from vcservice.sdjwt.disclosures import DEFAULT_HASH, SD_ALG, ClaimPath, Disclosure, reveal
from vcservice.services.core import Core
from vcservice.services.holder import (
    DATA_INTEGRITY,
    HolderService,
    PresentationFormat,
    SdJwtVcVerifier,
)
from vcservice.services.holder import SD_JWT_VC as HELD_SD_JWT_VC
from vcservice.services.openid4vp_queries import TypeExpander

__all__ = [
    "PROOF_TYP",
    "HolderOpenIdService",
    "Presentation",
    "Presented",
    "Received",
]

PROOF_TYP = "openid4vci-proof+jwt"
PROOF_ALGORITHM = "EdDSA"  # the holder's keys are Ed25519
# The DCQL format of each format a credential is held in.
FORMAT_OF_HELD = {HELD_SD_JWT_VC: SD_JWT_VC, vc_jwt.VC_JWT: JWT_VC_JSON, DATA_INTEGRITY: LDP_VC}
RECEIVABLE = (SD_JWT_VC, JWT_VC_JSON, LDP_VC)
JSON = "application/json"
REQUEST_OBJECT_MEDIA_TYPES = ("application/oauth-authz-req+jwt", "application/jwt")
ENCRYPTIONS = ("A128GCM", "A256GCM")
MAX_LINK = 16_384
_MALFORMED = "MALFORMED_VALUE_ERROR"
_REFUSED = "ISSUER_REFUSED"


@dataclass(frozen=True)
class Received:
    """What an offer gave: the issuer, each credential kept (by its configuration id), and
    each offered configuration not received, with why."""

    credential_issuer: str
    issuer_name: str | None
    credentials: tuple[tuple[str, HeldCredential], ...]
    skipped: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Presentation:
    """One credential presented: the Credential Query it answers, and what it showed.

    ``requested`` are the claim paths asked for; for an SD-JWT VC, ``disclosed`` the claims
    whose Disclosures were sent and ``withheld`` those kept back (a W3C credential is shown
    whole: both empty, ``selective`` false).
    """

    query_id: str
    credential_id: str
    format: str
    requested: tuple[str, ...]
    disclosed: tuple[str, ...] = ()
    withheld: tuple[str, ...] = ()
    selective: bool = True


@dataclass(frozen=True)
class Presented:
    """The answer to an authorization request: to whom, what, and what the verifier said."""

    client_id: str
    signed: bool
    response_uri: str
    response_mode: str
    presentations: tuple[Presentation, ...]
    declined: bool
    verifier_status: int
    verifier_answer: dict[str, Any] = field(default_factory=dict)

    @property
    def accepted(self) -> bool:
        """The verifier took the presentation (200 to what was not a refusal)."""
        return not self.declined and self.verifier_status == 200


@dataclass(frozen=True)
class _Token:
    """An access token, and the credential identifiers it was granted, by configuration."""

    access_token: str = field(repr=False)
    identifiers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Request:
    """A verified authorization request: its parameters, and whether it was signed."""

    client_id: str
    parameters: Mapping[str, Any]
    signed: bool


@dataclass
class _Candidate:
    """A held credential as a DCQL query sees it (computed once per request)."""

    held: HeldCredential
    presented: PresentedCredential


class HolderOpenIdService:
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

    # ------------------------------------------------------------ OpenID4VCI

    def receive(
        self,
        holder: Holder,
        offer: str | Mapping[str, Any],
        *,
        tx_code: str | None,
        configuration_ids: Sequence[str] | None = None,
    ) -> Received:
        """Redeem a Credential Offer and keep what it gives (see the module docstring).

        MALFORMED_VALUE_ERROR for an offer that is not one (or asks for a transaction code
        that was not given); ISSUER_REFUSED when the issuer refuses (its OAuth error in the
        detail: ``invalid_grant`` for a used, expired or locked code or a wrong transaction
        code); FETCH_* when it cannot be reached; CREDENTIAL_NOT_ACCEPTED (or CONFLICT) from
        the holder's store.
        """
        document = self._offer_document(offer)
        issuer, offered, grant = _offer_parts(document)
        code = grant["pre-authorized_code"]
        if "tx_code" in grant and not tx_code:
            asked = grant["tx_code"] if isinstance(grant["tx_code"], Mapping) else {}
            hint = f" ({asked['description']})" if isinstance(asked.get("description"), str) else ""
            raise VcError(
                f"the offer asks for its transaction code{hint}", code=_MALFORMED, field="txCode"
            )
        wanted = list(offered if configuration_ids is None else configuration_ids)
        unknown = [cid for cid in wanted if cid not in offered]
        if unknown:
            raise VcError(
                f"the offer does not offer {unknown[0]!r} (it offers {', '.join(offered)})",
                code=_MALFORMED,
                field="credentialConfigurationIds",
            )
        metadata = self._issuer_metadata(issuer)
        configurations = metadata.get("credential_configurations_supported")
        if not isinstance(configurations, Mapping):
            configurations = {}
        plan: list[tuple[str, Mapping[str, Any]]] = []
        skipped: list[tuple[str, str]] = []
        for cid in wanted:
            configuration = configurations.get(cid)
            why = self._why_not(holder, configuration)
            if why is None and isinstance(configuration, Mapping):
                plan.append((cid, configuration))
            else:
                skipped.append((cid, why or "not in the issuer's metadata"))
        if not plan:
            reasons = "; ".join(f"{cid}: {why}" for cid, why in skipped)
            raise VcError(
                f"this holder can receive none of the offered credentials ({reasons})",
                code=_MALFORMED,
                field="offer",
            )
        token = self._token(issuer, metadata, grant, code, tx_code)
        kept = []
        for cid, configuration in plan:
            credential = self._credential(
                holder,
                issuer=issuer,
                metadata=metadata,
                token=token,
                configuration_id=cid,
                configuration=configuration,
            )
            kept.append((cid, self._keep(holder, configuration["format"], credential)))
        return Received(issuer, _display_name(metadata), tuple(kept), tuple(skipped))

    def _offer_document(self, offer: str | Mapping[str, Any]) -> Mapping[str, Any]:
        """The offer object: given, in the link by value, or fetched by reference."""
        if isinstance(offer, Mapping):
            return offer
        text = offer.strip()
        if len(text) > MAX_LINK:
            raise ParsingError(f"an offer is at most {MAX_LINK} characters", field="offer")
        if text.startswith("{"):
            return _json_object(text, "offer")
        parameters = _link_parameters(text, "offer")
        if "credential_offer" in parameters:
            return _json_object(_single(parameters, "credential_offer", "offer"), "offer")
        if "credential_offer_uri" in parameters:
            uri = _single(parameters, "credential_offer_uri", "offer")
            answer = self._http.send("GET", uri, headers={"Accept": JSON})
            if answer.status != 200:
                raise VcError(
                    f"the offer at {uri} cannot be had (HTTP {answer.status}): it was used, "
                    "expired or never existed",
                    code=_REFUSED,
                    field="offer",
                )
            return _object(answer.json(), "offer")
        raise ParsingError(
            "an offer is an openid-credential-offer:// link (credential_offer or "
            "credential_offer_uri) or the offer's JSON",
            code=_MALFORMED,
            field="offer",
        )

    def _issuer_metadata(self, issuer: str) -> Mapping[str, Any]:
        url = well_known_url(issuer, CREDENTIAL_ISSUER_WELL_KNOWN)
        metadata = _object(self._http.get_json(url).data, "offer.credential_issuer")
        if metadata.get("credential_issuer") != issuer:
            raise VcError(
                f"the metadata at {url} is of {metadata.get('credential_issuer')!r}, not of "
                f"the offer's issuer {issuer}",
                code=_MALFORMED,
                field="offer.credential_issuer",
            )
        if not isinstance(metadata.get("credential_endpoint"), str):
            raise VcError(
                "the issuer's metadata names no credential_endpoint",
                code=_MALFORMED,
                field="offer.credential_issuer",
            )
        return metadata

    def _why_not(self, holder: Holder, configuration: Any) -> str | None:
        """Why this holder cannot receive a configuration (None when it can)."""
        if not isinstance(configuration, Mapping):
            return "not in the issuer's metadata"
        if configuration.get("format") not in RECEIVABLE:
            return f"format {configuration.get('format')!r} is not one this wallet keeps"
        proofs = configuration.get("proof_types_supported")
        if isinstance(proofs, Mapping):
            jwt = proofs.get("jwt")
            algorithms = (
                jwt.get("proof_signing_alg_values_supported") if isinstance(jwt, Mapping) else None
            )
            if not isinstance(algorithms, list) or PROOF_ALGORITHM not in algorithms:
                return f"the issuer takes no {PROOF_ALGORITHM} jwt key proof"
        methods = configuration.get("cryptographic_binding_methods_supported")
        if configuration["format"] == SD_JWT_VC:
            binds_jwk = methods is None or (isinstance(methods, list) and "jwk" in methods)
            return None if binds_jwk else "the issuer binds it to no jwk"
        did_method = holder.did.split(":", 2)[1] if holder.did.count(":") >= 2 else ""
        if not isinstance(methods, list) or f"did:{did_method}" not in methods:
            return (
                f"the issuer binds this format to {', '.join(map(str, methods or [])) or 'no'}"
                f" DIDs, not to the holder's did:{did_method}"
            )
        return None

    def _token(
        self,
        issuer: str,
        metadata: Mapping[str, Any],
        grant: Mapping[str, Any],
        code: str,
        tx_code: str | None,
    ) -> _Token:
        """An access token for the pre-authorized code (and its transaction code), with the
        credential identifiers the token response may name for each configuration."""
        servers = metadata.get("authorization_servers")
        server = grant.get("authorization_server") or (
            servers[0] if isinstance(servers, list) and servers else issuer
        )
        url = well_known_url(str(server), AUTHORIZATION_SERVER_WELL_KNOWN)
        oauth = _object(self._http.get_json(url).data, "offer.credential_issuer")
        endpoint = oauth.get("token_endpoint")
        if oauth.get("issuer") != server or not isinstance(endpoint, str):
            raise VcError(
                f"the authorization server metadata at {url} is not {server}'s, or names no "
                "token endpoint",
                code=_MALFORMED,
                field="offer.credential_issuer",
            )
        form = {"grant_type": PRE_AUTHORIZED_CODE_GRANT, "pre-authorized_code": code}
        if "tx_code" in grant and tx_code:
            form["tx_code"] = tx_code
        answer = self._http.send("POST", endpoint, form=form, headers={"Accept": JSON})
        body = _refused_unless_ok(answer, "token", field="txCode" if tx_code else "offer")
        if str(body.get("token_type", "")).lower() != "bearer" or not isinstance(
            body.get("access_token"), str
        ):
            raise VcError(
                "the token endpoint gave no Bearer access token", code=_REFUSED, field="offer"
            )
        return _Token(str(body["access_token"]), _credential_identifiers(body))

    def _credential(
        self,
        holder: Holder,
        *,
        issuer: str,
        metadata: Mapping[str, Any],
        token: _Token,
        configuration_id: str,
        configuration: Mapping[str, Any],
    ) -> Any:
        """One credential of ``configuration``, bound to the holder's key: asked for by
        the credential identifier the token response named for it (OpenID4VCI 1.0 §8.2),
        else by the configuration's id."""
        nonce = None
        if isinstance(metadata.get("nonce_endpoint"), str):
            answer = self._http.send("POST", metadata["nonce_endpoint"], headers={"Accept": JSON})
            nonce = _refused_unless_ok(answer, "nonce", field="offer").get("c_nonce")
            if not isinstance(nonce, str):
                raise VcError("the nonce endpoint gave no c_nonce", code=_REFUSED, field="offer")
        proof = self._key_proof(holder, issuer, nonce, sd_jwt=configuration["format"] == SD_JWT_VC)
        identifiers = token.identifiers.get(configuration_id)
        request: dict[str, Any] = (
            {"credential_identifier": identifiers[0]}
            if identifiers
            else {"credential_configuration_id": configuration_id}
        )
        answer = self._http.send(
            "POST",
            str(metadata["credential_endpoint"]),
            json_body=request | {"proofs": {"jwt": [proof]}},
            headers={"Accept": JSON, "Authorization": f"Bearer {token.access_token}"},
        )
        body = _refused_unless_ok(answer, "credential", field="offer")
        issued = body.get("credentials")
        if not isinstance(issued, list) or len(issued) != 1 or not isinstance(issued[0], Mapping):
            why = "deferred" if "transaction_id" in body else "not one credential"
            raise VcError(
                f"the credential endpoint's answer is {why}: this wallet takes one credential "
                "issued at once",
                code=_REFUSED,
                field="offer",
            )
        return issued[0].get("credential")

    def _key_proof(self, holder: Holder, issuer: str, nonce: str | None, *, sd_jwt: bool) -> str:
        """An ``openid4vci-proof+jwt`` for ``issuer``: the holder's key as ``jwk`` (SD-JWT
        VC, bound by ``cnf``) or as its DID's verification method (``kid``)."""
        signer = self._holders.signer(holder)
        header: dict[str, Any] = {"typ": PROOF_TYP, "alg": PROOF_ALGORITHM}
        if sd_jwt:
            header["jwk"] = PublicKey.from_multibase(holder.public_key_multibase).to_jwk()
        else:
            header["kid"] = signer.verification_method
        claims: dict[str, Any] = {"aud": issuer, "iat": int(self._clock.now().timestamp())}
        if nonce is not None:
            claims["nonce"] = nonce
        signing_input = f"{_encoded(header)}.{_encoded(claims)}"
        signature = base64url_encode(signer.sign(signing_input.encode("ascii")))
        return f"{signing_input}.{signature}"

    def _keep(self, holder: Holder, credential_format: str, credential: Any) -> HeldCredential:
        if credential_format == SD_JWT_VC:
            if not isinstance(credential, str):
                raise VcError(
                    "the issuer sent an SD-JWT VC that is not a string",
                    code="CREDENTIAL_NOT_ACCEPTED",
                    field="credential",
                )
            return self._holders.store_sd_jwt(holder, credential, verifier=self._sd_jwt)
        if not isinstance(credential, str | Mapping):
            raise VcError(
                "the issuer sent no credential",
                code="CREDENTIAL_NOT_ACCEPTED",
                field="credential",
            )
        return self._holders.store(holder, credential)

    # ------------------------------------------------------------ OpenID4VP

    def present(self, holder: Holder, link: str, *, decline: bool = False) -> Presented:
        """Answer the authorization request of ``link`` with the held credentials its DCQL
        query asks for, or decline it (see the module docstring).

        MALFORMED_VALUE_ERROR for a link or request that is not one this wallet answers;
        PROOF_VERIFICATION_ERROR when the Request Object is not signed by the ``client_id``'s
        key; REQUIRED_CREDENTIAL_MISSING (nothing sent) when the holder keeps nothing that
        answers the query; FETCH_* when the verifier cannot be reached.
        """
        request = self._authorization_request(link)
        parameters = request.parameters
        response_uri = parameters["response_uri"]
        mode = parameters.get("response_mode")
        state = parameters.get("state")
        if decline:
            answer = self._post(
                response_uri,
                {"error": ACCESS_DENIED, "error_description": "the holder declined"},
                state=state,
                encrypt_to=None,
            )
            return _presented(request, str(mode), (), answer, declined=True)
        query = _dcql_query(parameters.get("dcql_query"))
        chosen = self._choose(holder, query)
        nonce = parameters["nonce"]
        vp_token: dict[str, list[Any]] = {}
        shown = []
        for credential_query, candidate in chosen:
            value, presentation = self._presentation(
                holder, credential_query, candidate, nonce=nonce, audience=request.client_id
            )
            vp_token[credential_query.id] = [value]
            shown.append(presentation)
        encrypt_to = _encryption_key(parameters) if mode == DIRECT_POST_JWT else None
        answer = self._post(
            response_uri, {"vp_token": vp_token}, state=state, encrypt_to=encrypt_to
        )
        return _presented(request, str(mode), tuple(shown), answer, declined=False)

    def _authorization_request(self, link: str) -> _Request:
        """The request a link names: its Request Object fetched and verified, or (with the
        ``redirect_uri`` prefix) its parameters by value."""
        if len(link) > MAX_LINK:
            raise ParsingError(f"a request link is at most {MAX_LINK} characters", field="request")
        raw = _link_parameters(link.strip(), "request")
        client_id = _single(raw, "client_id", "request")
        if "request_uri" in raw:
            parameters = self._request_object(client_id, raw)
            signed = True
        elif "request" in raw:
            raise ParsingError(
                "a Request Object by value is not taken: pass it by request_uri",
                code=_MALFORMED,
                field="request",
            )
        else:
            parameters = {name: _single(raw, name, "request") for name in raw}
            for name in ("dcql_query", "client_metadata"):
                if name in parameters:
                    parameters[name] = _json_object(parameters[name], f"request.{name}")
            if not client_id.startswith(f"{REDIRECT_URI}:"):
                raise ParsingError(
                    "an unsigned request by value is taken only with the redirect_uri prefix",
                    code=_MALFORMED,
                    field="request.client_id",
                )
            signed = False
        _check_request(client_id, parameters, signed=signed)
        return _Request(client_id, parameters, signed)

    def _request_object(self, client_id: str, raw: Mapping[str, list[str]]) -> dict[str, Any]:
        """The Request Object at ``request_uri``, signed by a key of the ``client_id``'s DID."""
        prefix, _, did = client_id.partition(":")
        if prefix != DECENTRALIZED_IDENTIFIER or not did.startswith("did:"):
            raise ParsingError(
                f"this wallet takes signed requests of a {DECENTRALIZED_IDENTIFIER}: client_id "
                f"only, not {client_id[:100]!r}",
                code=_MALFORMED,
                field="request.client_id",
            )
        uri = _single(raw, "request_uri", "request")
        method = raw.get("request_uri_method", ["get"])[0].lower()
        headers = {"Accept": REQUEST_OBJECT_MEDIA_TYPES[0]}
        wallet_nonce = None
        if method == "post":
            wallet_nonce = secrets.token_urlsafe(16)
            answer = self._http.send(
                "POST", uri, form={"wallet_nonce": wallet_nonce}, headers=headers
            )
        elif method == "get":
            answer = self._http.send("GET", uri, headers=headers)
        else:
            raise ParsingError(
                "request_uri_method is get or post", code=_MALFORMED, field="request"
            )
        if answer.status != 200 or answer.media_type not in REQUEST_OBJECT_MEDIA_TYPES:
            why = _oauth_error(answer) or f"HTTP {answer.status}, {answer.media_type or 'no type'}"
            raise VcError(
                f"the verifier gave no Request Object at {uri}: {why}",
                code="FETCH_FAILED",
                field="request",
            )
        token = answer.text().strip()
        jws = decode_compact(token)
        if jws.header.get("typ") != REQUEST_OBJECT_TYP:
            raise ParsingError(
                f"the Request Object's typ is not {REQUEST_OBJECT_TYP}",
                code=_MALFORMED,
                field="request.typ",
            )
        kid = jws.header.get("kid")
        if not isinstance(kid, str) or kid.partition("#")[0] != did or "#" not in kid:
            raise VcError(
                f"the Request Object's kid must be a key of {did}",
                code="PROOF_VERIFICATION_ERROR",
                field="request.kid",
            )
        _, verification_method = dereference_verification_method(self._resolver, kid)
        jws.verify_with(verification_method.public_key)
        claims = _object(jws.payload_json(), "request")
        if claims.get("client_id") != client_id:
            raise VcError(
                "the Request Object's client_id is not the link's",
                code="PROOF_VERIFICATION_ERROR",
                field="request.client_id",
            )
        if wallet_nonce is not None and claims.get("wallet_nonce") != wallet_nonce:
            raise VcError(
                "the Request Object does not repeat this wallet's wallet_nonce",
                code="PROOF_VERIFICATION_ERROR",
                field="request.wallet_nonce",
            )
        audience = claims.get("aud", STATIC_AUDIENCE)
        if audience != STATIC_AUDIENCE and not (
            isinstance(audience, list) and STATIC_AUDIENCE in audience
        ):
            raise ParsingError(
                f"the Request Object is for {audience!r}, not {STATIC_AUDIENCE}",
                code=_MALFORMED,
                field="request.aud",
            )
        expires = claims.get("exp")
        if isinstance(expires, int | float) and expires <= self._clock.now().timestamp():
            raise ParsingError("the Request Object expired", code=_MALFORMED, field="request.exp")
        return claims

    def _choose(self, holder: Holder, query: DcqlQuery) -> list[tuple[CredentialQuery, _Candidate]]:
        """The credentials to present: for each Credential Query needed, the newest held
        credential that answers it (REQUIRED_CREDENTIAL_MISSING when the query cannot be
        met)."""
        candidates = [self._candidate(held) for held in self._holders.list(holder)]
        matches: dict[str, list[_Candidate]] = {}
        reasons: dict[str, str] = {}
        for credential_query in query.credentials:
            found = []
            for candidate in candidates:
                if candidate is None:
                    continue
                why = credential_mismatch(credential_query, candidate.presented)
                if why is None:
                    found.append(candidate)
                elif candidate.presented.format == credential_query.format:
                    reasons.setdefault(credential_query.id, why)
            matches[credential_query.id] = found
        needed = _needed(query, {qid for qid, found in matches.items() if found})
        if needed is None:
            detail = "; ".join(
                f"{q.id}: {reasons.get(q.id, f'no {q.format} credential held')}"
                for q in query.credentials
            )
            raise VcError(
                f"the holder keeps nothing that answers the request ({detail})",
                code="REQUIRED_CREDENTIAL_MISSING",
                field="request.dcql_query",
            )
        return [
            (credential_query, matches[credential_query.id][-1])
            for credential_query in query.credentials
            if credential_query.id in needed
        ]

    def _candidate(self, held: HeldCredential) -> _Candidate | None:
        """``held`` as a query sees it; None for one this wallet cannot read."""
        credential_format = FORMAT_OF_HELD.get(held.format)
        try:
            if credential_format == SD_JWT_VC:
                claims = _all_claims(held.document)
                vct = claims.get("vct")
                presented = PresentedCredential(
                    SD_JWT_VC, claims, vct=vct if isinstance(vct, str) else None
                )
            elif credential_format in (JWT_VC_JSON, LDP_VC):
                document = (
                    decode_compact(held.document).payload_json()
                    if credential_format == JWT_VC_JSON
                    else json.loads(held.document)
                )
                presented = PresentedCredential(
                    credential_format, document, types=self._types.of(document)
                )
            else:
                return None
        except (VcError, ValueError):
            return None
        return _Candidate(held, presented)

    def _presentation(
        self,
        holder: Holder,
        credential_query: CredentialQuery,
        candidate: _Candidate,
        *,
        nonce: str,
        audience: str,
    ) -> tuple[Any, Presentation]:
        """The presentation answering ``credential_query``, and what it shows."""
        held = candidate.held
        claims = _claims_to_disclose(credential_query, candidate.presented.claims)
        requested = tuple(_path_text(claim.path) for claim in claims)
        if credential_query.format == SD_JWT_VC:
            paths = [
                tuple(None if isinstance(part, int) else part for part in claim.path)
                for claim in claims
            ]
            chosen = present(held.document, disclose=paths)
            every = disclosure_paths(held.document)
            sent = set(split(chosen).disclosures)
            bound = bind(
                chosen,
                signer=self._holders.signer(holder),
                nonce=nonce,
                audience=audience,
                issued_at=self._clock.now(),
            )
            return bound, Presentation(
                credential_query.id,
                held.credential_id,
                SD_JWT_VC,
                requested,
                disclosed=_path_texts(path for encoded, path in every.items() if encoded in sent),
                withheld=_path_texts(
                    path for encoded, path in every.items() if encoded not in sent
                ),
            )
        jwt = credential_query.format == JWT_VC_JSON
        securing: PresentationFormat = "vp+jwt" if jwt else "data-integrity"
        signed = self._holders.prove(
            holder, [held.credential_id], challenge=nonce, domain=audience, format=securing
        )
        value: Any = (
            vc_jwt.token_from_enveloped_id(str(signed["id"]))[1]
            if jwt and isinstance(signed, Mapping)
            else signed
        )
        return value, Presentation(
            credential_query.id,
            held.credential_id,
            credential_query.format,
            requested,
            selective=False,
        )

    def _post(
        self,
        response_uri: str,
        body: Mapping[str, Any],
        *,
        state: Any,
        encrypt_to: tuple[Mapping[str, Any], str] | None,
    ) -> HttpAnswer:
        """The Authorization Response, posted to the Response URI (``direct_post``, or its
        parameters encrypted to the verifier's key for ``direct_post.jwt``)."""
        parameters = dict(body)
        if isinstance(state, str):
            parameters["state"] = state
        if encrypt_to is not None and "vp_token" in parameters:
            key, encryption = encrypt_to
            try:
                sealed = encrypt_response(parameters, recipient=key, encryption=encryption)
            except (ValueError, VcError) as error:
                raise ParsingError(
                    f"the verifier's encryption key cannot be used: {error}",
                    code=_MALFORMED,
                    field="request.client_metadata.jwks",
                ) from None
            form = {"response": sealed}
        else:
            form = {
                name: value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
                for name, value in parameters.items()
            }
        return self._http.send("POST", response_uri, form=form, headers={"Accept": JSON})


# ---------------------------------------------------------------- offers


def _offer_parts(
    document: Mapping[str, Any],
) -> tuple[str, list[str], Mapping[str, Any]]:
    """The offer's issuer, configuration ids and pre-authorized code grant."""
    issuer = document.get("credential_issuer")
    offered = document.get("credential_configuration_ids")
    grants = document.get("grants")
    if not isinstance(issuer, str) or not issuer.startswith(("https://", "http://")):
        raise ParsingError(
            "the offer names no credential_issuer URL",
            code=_MALFORMED,
            field="offer.credential_issuer",
        )
    if (
        not isinstance(offered, list)
        or not offered
        or not all(isinstance(cid, str) and cid for cid in offered)
    ):
        raise ParsingError(
            "the offer's credential_configuration_ids is not a non-empty array of strings",
            code=_MALFORMED,
            field="offer.credential_configuration_ids",
        )
    grant = grants.get(PRE_AUTHORIZED_CODE_GRANT) if isinstance(grants, Mapping) else None
    if not isinstance(grant, Mapping) or not isinstance(grant.get("pre-authorized_code"), str):
        raise ParsingError(
            "this wallet redeems offers of the pre-authorized code grant only",
            code=_MALFORMED,
            field="offer.grants",
        )
    return issuer, list(dict.fromkeys(offered)), grant


def _credential_identifiers(body: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """The ``credential_identifiers`` of each ``openid_credential`` authorization detail of
    a token response, by configuration id."""
    found: dict[str, tuple[str, ...]] = {}
    details = body.get("authorization_details")
    for detail in details if isinstance(details, list) else ():
        if not isinstance(detail, Mapping) or detail.get("type") != "openid_credential":
            continue
        configuration, identifiers = (
            detail.get("credential_configuration_id"),
            detail.get("credential_identifiers"),
        )
        if isinstance(configuration, str) and isinstance(identifiers, list):
            named = tuple(item for item in identifiers if isinstance(item, str) and item)
            if named:
                found[configuration] = named
    return found


def _display_name(metadata: Mapping[str, Any]) -> str | None:
    display = metadata.get("display")
    if isinstance(display, list) and display and isinstance(display[0], Mapping):
        name = display[0].get("name")
        return name if isinstance(name, str) else None
    return None


def _refused_unless_ok(answer: HttpAnswer, endpoint: str, *, field: str) -> Mapping[str, Any]:
    """The JSON of a 200 answer; ISSUER_REFUSED naming the OAuth error otherwise."""
    if answer.status == 200:
        return _object(answer.json(), endpoint)
    why = _oauth_error(answer) or f"HTTP {answer.status}"
    raise VcError(f"the issuer's {endpoint} endpoint refused: {why}", code=_REFUSED, field=field)


def _oauth_error(answer: HttpAnswer) -> str | None:
    """``error: error_description`` of an OAuth error answer, if it is one."""
    if answer.media_type != JSON:
        return None
    try:
        body = answer.json()
    except VcError:
        return None
    if not isinstance(body, Mapping) or not isinstance(body.get("error"), str):
        return None
    description = body.get("error_description")
    return str(body["error"])[:64] + (
        f": {str(description)[:300]}" if isinstance(description, str) else ""
    )


# ---------------------------------------------------------------- authorization requests


def _check_request(client_id: str, parameters: Mapping[str, Any], *, signed: bool) -> None:
    """What this wallet needs of a request: a vp_token by direct_post(.jwt) to a Response
    URI, a nonce, a DCQL query; by value, the client_id is the Response URI."""
    if parameters.get("response_type") != RESPONSE_TYPE:
        raise ParsingError(
            f"response_type must be {RESPONSE_TYPE}", code=_MALFORMED, field="request.response_type"
        )
    if parameters.get("response_mode") not in (DIRECT_POST, DIRECT_POST_JWT):
        raise ParsingError(
            f"this wallet answers by {DIRECT_POST} or {DIRECT_POST_JWT} only",
            code=_MALFORMED,
            field="request.response_mode",
        )
    uri = parameters.get("response_uri")
    if not isinstance(uri, str) or not uri.startswith(("https://", "http://")):
        raise ParsingError(
            "the request names no response_uri", code=_MALFORMED, field="request.response_uri"
        )
    if not signed and client_id != f"{REDIRECT_URI}:{uri}":
        raise ParsingError(
            "with the redirect_uri prefix the client_id is the response_uri",
            code=_MALFORMED,
            field="request.client_id",
        )
    nonce = parameters.get("nonce")
    if not isinstance(nonce, str) or not nonce:
        raise ParsingError("the request has no nonce", code=_MALFORMED, field="request.nonce")
    if not isinstance(parameters.get("dcql_query"), Mapping):
        raise ParsingError(
            "the request has no dcql_query (this wallet reads DCQL only)",
            code=_MALFORMED,
            field="request.dcql_query",
        )


def _dcql_query(raw: Any) -> DcqlQuery:
    """The request's DCQL query. What a verifier may ask that only it can act on is left
    out: this wallet binds every presentation to the holder anyway, and leaves the
    verifier's ``trusted_authorities`` for the verifier to check."""
    body = dict(raw) if isinstance(raw, Mapping) else raw
    if isinstance(body, dict) and isinstance(body.get("credentials"), list):
        body["credentials"] = [
            {
                name: value
                for name, value in entry.items()
                if name not in ("trusted_authorities", "require_cryptographic_holder_binding")
            }
            if isinstance(entry, Mapping)
            else entry
            for entry in body["credentials"]
        ]
    try:
        return parse_dcql_query(body)
    except ParsingError as error:
        field = f"request.{error.field}" if error.field else "request.dcql_query"
        raise ParsingError(error.message, code=error.code, field=field) from None


def _needed(query: DcqlQuery, answerable: set[str]) -> set[str] | None:
    """The Credential Queries to answer, or None when the query cannot be met: every one
    without credential sets; else the first answerable option of each required set."""
    if not query.credential_sets:
        ids = {credential.id for credential in query.credentials}
        return ids if ids <= answerable else None
    needed: set[str] = set()
    for entry in query.credential_sets:
        if not entry.required:
            continue
        option = next((o for o in entry.options if set(o) <= answerable), None)
        if option is None:
            return None
        needed |= set(option)
    return needed


def _claims_to_disclose(
    credential_query: CredentialQuery, claims: Mapping[str, Any]
) -> tuple[ClaimsQuery, ...]:
    """The claims asked for: all of ``claims``, or the first claim set this credential meets
    (none when the query names no claims: then only what is always disclosed is shown)."""
    if not credential_query.claim_sets:
        return credential_query.claims
    by_id = {claim.id: claim for claim in credential_query.claims}
    for ids in credential_query.claim_sets:
        chosen = tuple(by_id[claim_id] for claim_id in ids)
        if all(_has(claim, claims) for claim in chosen):
            return chosen
    return ()


def _has(claim: ClaimsQuery, claims: Mapping[str, Any]) -> bool:
    selected = select_claims(claims, claim.path)
    if selected is None:
        return False
    return not claim.values or any(
        type(value) is type(wanted) and value == wanted
        for value in selected
        for wanted in claim.values
    )


def _encryption_key(parameters: Mapping[str, Any]) -> tuple[Mapping[str, Any], str]:
    """The verifier's key to encrypt a ``direct_post.jwt`` response to, and the ``enc``."""
    metadata = parameters.get("client_metadata")
    metadata = metadata if isinstance(metadata, Mapping) else {}
    jwks = metadata.get("jwks")
    keys = jwks.get("keys") if isinstance(jwks, Mapping) else None
    key = next(
        (
            key
            for key in keys or ()
            if isinstance(key, Mapping)
            and key.get("kty") == "EC"
            and key.get("use", "enc") == "enc"
        ),
        None,
    )
    if key is None:
        raise ParsingError(
            "a direct_post.jwt request names no EC key to encrypt to in client_metadata.jwks",
            code=_MALFORMED,
            field="request.client_metadata",
        )
    offered = metadata.get("encrypted_response_enc_values_supported") or [ENCRYPTIONS[0]]
    encryption = next((enc for enc in offered if enc in ENCRYPTIONS), None)
    if encryption is None:
        raise ParsingError(
            f"this wallet encrypts with {' or '.join(ENCRYPTIONS)} only",
            code=_MALFORMED,
            field="request.client_metadata",
        )
    return key, encryption


def _presented(
    request: _Request,
    mode: str,
    presentations: tuple[Presentation, ...],
    answer: HttpAnswer,
    *,
    declined: bool,
) -> Presented:
    body: dict[str, Any] = {}
    if answer.media_type == JSON:
        try:
            parsed = answer.json()
        except VcError:
            parsed = None
        body = dict(parsed) if isinstance(parsed, Mapping) else {}
    return Presented(
        client_id=request.client_id,
        signed=request.signed,
        response_uri=str(request.parameters["response_uri"]),
        response_mode=mode,
        presentations=presentations,
        declined=declined,
        verifier_status=answer.status,
        verifier_answer=body,
    )


# ---------------------------------------------------------------- SD-JWT


def _all_claims(sd_jwt: str) -> dict[str, Any]:
    """Every claim of an SD-JWT as held (all its Disclosures applied); not verified here:
    it was verified when it was kept."""
    parts = split(sd_jwt)
    payload = _object(decode_compact(parts.issuer_jwt).payload_json(), "credential")
    disclosures = [Disclosure.parse(encoded) for encoded in parts.disclosures]
    algorithm = str(payload.get(SD_ALG, DEFAULT_HASH))
    return reveal(payload, disclosures, algorithm=algorithm).claims


def _path_text(path: Sequence[str | int | None]) -> str:
    """``member.location[].address`` for a claim path (``[]``: any element, ``[n]``: one)."""
    text = ""
    for part in path:
        if part is None:
            text += "[]"
        elif isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def _path_texts(paths: Any) -> tuple[str, ...]:
    found: list[ClaimPath] = list(paths)
    return tuple(sorted(dict.fromkeys(_path_text(path) for path in found)))


# ---------------------------------------------------------------- JSON


def _link_parameters(link: str, field: str) -> dict[str, list[str]]:
    """The query parameters of a link (MALFORMED_VALUE_ERROR when it is no URL)."""
    try:
        return parse_qs(urlsplit(link).query)
    except ValueError:
        raise ParsingError(f"{field} is not a link", code=_MALFORMED, field=field) from None


def _single(parameters: Mapping[str, list[str]], name: str, field: str) -> str:
    values = parameters.get(name)
    if not values or len(values) != 1 or not values[0]:
        raise ParsingError(
            f"the link must carry {name} once", code=_MALFORMED, field=f"{field}.{name}"
        )
    return values[0]


def _json_object(text: str, field: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise ParsingError(f"{field} is not JSON", field=field) from None
    return _object(value, field)


def _object(value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ParsingError(f"{field} is not a JSON object", code=_MALFORMED, field=field)
    return dict(value)


def _encoded(value: Mapping[str, Any]) -> str:
    return base64url_encode(json.dumps(value, separators=(",", ":")).encode("utf-8"))
