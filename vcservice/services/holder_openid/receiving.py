"""The wallet as an OpenID4VCI 1.0 client: it redeems a Credential Offer of the
pre-authorized code flow and keeps what it gives (see the package docstring)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from vcservice.clock import Clock
from vcservice.errors import ParsingError, VcError
from vcservice.keys import PublicKey, base64url_encode
from vcservice.model.records import HeldCredential, Holder
from vcservice.net.guarded_client import GuardedHttpClient
from vcservice.oid4vci.metadata import (
    AUTHORIZATION_SERVER_WELL_KNOWN,
    CREDENTIAL_ISSUER_WELL_KNOWN,
    PRE_AUTHORIZED_CODE_GRANT,
    well_known_url,
)
from vcservice.oid4vp.dcql import JWT_VC_JSON, LDP_VC, SD_JWT_VC
from vcservice.services.holder import HolderService, SdJwtVcVerifier
from vcservice.services.holder_openid.parsing import (
    _MALFORMED,
    _REFUSED,
    JSON,
    MAX_LINK,
    _json_object,
    _link_parameters,
    _object,
    _refused_unless_ok,
    _single,
)

PROOF_TYP = "openid4vci-proof+jwt"
PROOF_ALGORITHM = "EdDSA"  # the holder's keys are Ed25519
RECEIVABLE = (SD_JWT_VC, JWT_VC_JSON, LDP_VC)


@dataclass(frozen=True)
class Received:
    """What an offer gave: the issuer, each credential kept (by its configuration id), and
    each offered configuration not received, with why."""

    credential_issuer: str
    issuer_name: str | None
    credentials: tuple[tuple[str, HeldCredential], ...]
    skipped: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class _Token:
    """An access token, and the credential identifiers it was granted, by configuration."""

    access_token: str = field(repr=False)
    identifiers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


class Receiver:
    """The OpenID4VCI half of ``HolderOpenIdService``, whose constructor sets its state."""

    _holders: HolderService
    _sd_jwt: SdJwtVcVerifier
    _http: GuardedHttpClient
    _clock: Clock

    def receive(
        self,
        holder: Holder,
        offer: str | Mapping[str, Any],
        *,
        tx_code: str | None,
        configuration_ids: Sequence[str] | None = None,
    ) -> Received:
        """Redeem a Credential Offer and keep what it gives (see the package docstring).

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


def _encoded(value: Mapping[str, Any]) -> str:
    return base64url_encode(json.dumps(value, separators=(",", ":")).encode("utf-8"))
