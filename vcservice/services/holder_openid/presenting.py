"""The wallet as an OpenID4VP 1.0 presenter: it answers an authorization request with the
held credentials its DCQL query asks for, by ``direct_post`` (see the package docstring)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from vcservice.clock import Clock
from vcservice.dids.resolver import DidResolver
from vcservice.errors import ParsingError, VcError
from vcservice.jose import vc_jwt
from vcservice.model.records import Holder
from vcservice.net.guarded_client import GuardedHttpClient, HttpAnswer
from vcservice.oid4vp.authorization_request import DIRECT_POST_JWT
from vcservice.oid4vp.dcql import JWT_VC_JSON, SD_JWT_VC, CredentialQuery
from vcservice.oid4vp.errors import ACCESS_DENIED
from vcservice.oid4vp.jwe import encrypt_response
from vcservice.sdjwt import bind, disclosure_paths, present, split
from vcservice.sdjwt.disclosures import ClaimPath
from vcservice.services.holder import HolderService, PresentationFormat
from vcservice.services.holder_openid.parsing import _MALFORMED, JSON
from vcservice.services.holder_openid.requests import (
    _authorization_request,
    _dcql_query,
    _encryption_key,
    _Request,
)
from vcservice.services.holder_openid.selection import _Candidate, _choose, _claims_to_disclose
from vcservice.services.openid4vp_queries import TypeExpander


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


class Presenter:
    """The OpenID4VP half of ``HolderOpenIdService``, whose constructor sets its state."""

    _holders: HolderService
    _http: GuardedHttpClient
    _resolver: DidResolver
    _types: TypeExpander
    _clock: Clock

    def present(self, holder: Holder, link: str, *, decline: bool = False) -> Presented:
        """Answer the authorization request of ``link`` with the held credentials its DCQL
        query asks for, or decline it (see the package docstring).

        MALFORMED_VALUE_ERROR for a link or request that is not one this wallet answers;
        PROOF_VERIFICATION_ERROR when the Request Object is not signed by the ``client_id``'s
        key; REQUIRED_CREDENTIAL_MISSING (nothing sent) when the holder keeps nothing that
        answers the query; FETCH_* when the verifier cannot be reached.
        """
        request = _authorization_request(
            link, http=self._http, resolver=self._resolver, clock=self._clock
        )
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
        chosen = _choose(self._holders.list(holder), query, types=self._types)
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
