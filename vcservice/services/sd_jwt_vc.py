"""SD-JWT VC for the trade certificates: issue, verify, and publish their Token Status Lists
and type metadata (``services.sd_jwt_vc``; the OpenID4VCI and OpenID4VP services call it).

The contract:

- ``issue(*, authority, slug, body, holder_jwk) -> IssuedSdJwtVc(compact, credential_id)``.
  ``authority`` is the authority's name (its ``Authority`` record is taken too); ``slug``
  ``immex``, ``oea`` or ``ctpat``; ``body`` exactly the JSON body of ``POST
  /certificates/{slug}`` — validated and built as that endpoint builds it (the type's
  request model and builder, and the findings this service refuses), ``options.keyType``
  choosing the authority's signing key (ES256 with P-256 by default) and ``options.format``
  (a W3C securing) not applying; ``holder_jwk`` the holder's public JWK, put in ``cnf``.
  ``compact`` is ``<Issuer-signed JWT>~<Disclosure>~…~``; the credential is recorded in the
  issuer's registry under ``credential_id`` (format ``dc+sd-jwt``, the Issuer-signed JWT
  as its document: the issuer keeps no Disclosures, RFC 9901 §10.2), so ``POST
  /credentials/status`` suspends, reinstates and revokes it like any other; it is audited
  as ``credential.issued``; its ``status.status_list`` names its authority's Token Status
  List. Refusals raise ``VcError``: NOT_FOUND (``slug``, or the authority), FORBIDDEN
  (``type``), MALFORMED_VALUE_ERROR (the body, fields as the endpoint names them),
  INVALID_KEY or UNSUPPORTED_KEY_TYPE (``holderJwk``).
- ``verify(presentation, *, nonce, audience) -> VerificationResult`` (format
  ``dc+sd-jwt``; ``document`` the disclosed claims). Key Binding is required exactly when
  ``nonce`` or ``audience`` is given. The checks, by the names every result uses:
  ``structure``; ``proof`` — the Issuer's signature by the key its ``kid`` (a DID URL)
  names, found by DID resolution (this service's authorities locally) and authorized for
  assertionMethod (the ecosystem's own mechanism, as draft-ietf-oauth-sd-jwt-vc's "Issuer
  Verification Key Discovery" allows), and every Disclosure referenced exactly once;
  ``issuer`` (``iss`` controls that key);
  ``holderBinding`` (``kb+jwt``, ``nonce`` — INVALID_CHALLENGE_ERROR, ``aud`` —
  INVALID_DOMAIN_ERROR, ``iat`` within the clock skew and ``sd_hash`` —
  PROOF_VERIFICATION_ERROR, signed by the ``cnf`` key, present — HOLDER_BINDING_ERROR);
  ``issuerTrust`` (the ``vct`` is one of these types under this service's URL or the URL
  of the issuer's own did:web host, and the trust registry accredits the issuer for that
  type — ISSUER_NOT_TRUSTED); ``validityPeriod`` (``exp`` required, ``nbf``);
  ``status`` (the Token Status List: CREDENTIAL_REVOKED, CREDENTIAL_SUSPENDED).
- ``vct(slug)``, ``type_metadata(slug)`` and ``status_list_token(authority, sequence)``:
  what ``GET /vct/{slug}`` and ``GET /token-status-lists/{authority}/{n}`` serve.

What a holder may withhold (``vcservice.sdjwt.trade_certificates``): the identifiers
(RFC, programme, registration, SVI and account numbers), the company's names and DID, and
each site separately; the type, the programme's standing (modality, rubro, sector, tier,
dates, mutual recognitions) and the validity are always visible. The Token Status Lists,
kept in step with the Bitstring lists, are ``sd_jwt_vc_status.TokenStatusLists``'s.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from vcservice.certificates import CertificateType
from vcservice.clock import CLOCK_SKEW, Clock
from vcservice.dids.methods.web import did_web_document_url
from vcservice.dids.resolver import dereference_verification_method
from vcservice.errors import ParsingError, Problem, ProofError, VcError
from vcservice.keys import KeyType, PublicKey, Signer
from vcservice.model.checks import Check, Outcome
from vcservice.model.records import AuditAction, Authority, IssuedCredential
from vcservice.net.budget import fetch_budget
from vcservice.printing.labels import label as vocabulary_label
from vcservice.sdjwt import issue_sd_jwt, split, verify_sd_jwt_vc
from vcservice.sdjwt.certificate_request import (
    CertificateRequest,
    holder_key,
    parse_certificate_request,
)
from vcservice.sdjwt.certificate_request import certificate_type as certificate_type_of
from vcservice.sdjwt.issuance import SD_JWT_VC_TYP
from vcservice.sdjwt.trade_certificates import (
    SLUGS,
    certificate_claims,
    disclosable_paths,
    slug_of_vct,
    vct_url,
)
from vcservice.sdjwt.type_metadata import type_metadata
from vcservice.services.audit import audit_event
from vcservice.services.authorities import AuthorityService
from vcservice.services.core import Core
from vcservice.services.issuer import request_field
from vcservice.services.observer import NO_OBSERVER, Observer, VerificationKind
from vcservice.services.sd_jwt_vc_status import PublishedToken, TokenStatusLists
from vcservice.services.status import STATUS_SIZES, StatusService
from vcservice.storage.repository import Store
from vcservice.trust.registry import IssuerTrust
from vcservice.verification.result import VerificationResult

__all__ = ["FORMAT", "IssuedSdJwtVc", "SdJwtVcService"]

FORMAT = SD_JWT_VC_TYP
SIGNING_KEYS = (KeyType.P256, KeyType.P384, KeyType.ED25519)
"""The authority's key that signs, unless ``options.keyType`` names another: ES256 first."""
CHECK_ORDER = (
    "structure",
    "proof",
    "issuer",
    "holderBinding",
    "issuerTrust",
    "validityPeriod",
    "status",
)
_TYPE_NAMES = {slug: name for name, slug in SLUGS.items()}
_MALFORMED = "MALFORMED_VALUE_ERROR"


@dataclass(frozen=True, slots=True)
class IssuedSdJwtVc:
    """An issued SD-JWT VC: its compact form ``<jwt>~<disclosure>~…~`` and its registry id."""

    compact: str
    credential_id: str


class SdJwtVcService:
    """Issues the certificates as SD-JWT VCs, verifies presentations of them, and publishes
    their Token Status Lists and type metadata (see the module docstring)."""

    def __init__(
        self,
        *,
        core: Core,
        store: Store,
        authorities: AuthorityService,
        statuses: StatusService,
        trust: IssuerTrust,
        clock: Clock,
        public_url: str,
        refused_findings: frozenset[str] = frozenset(),
        clock_skew: timedelta = CLOCK_SKEW,
        observer: Observer = NO_OBSERVER,
    ) -> None:
        self._core = core
        self._store = store
        self._authorities = authorities
        self._statuses = statuses
        self._trust = trust
        self._clock = clock
        self._public_url = public_url.rstrip("/")
        self._refused = refused_findings
        self._skew = clock_skew
        self._observer = observer
        self._lists = TokenStatusLists(
            store=store,
            authorities=authorities,
            http=core.http,
            clock=clock,
            public_url=public_url,
            signer=lambda owner: self._signer(owner, None),
            issuer_key=self._issuer_key,
            skew=clock_skew,
            observer=observer,
        )

    # ------------------------------------------------------------ issuing

    def issue(
        self,
        *,
        authority: str | Authority,
        slug: str,
        body: Mapping[str, Any],
        holder_jwk: Mapping[str, Any],
    ) -> IssuedSdJwtVc:
        """Issue the ``slug`` certificate of ``body`` as ``authority`` (its name; its record
        is taken too), bound to ``holder_jwk``; recorded and audited before it is returned."""
        certificate_type = certificate_type_of(slug)
        owner = authority if isinstance(authority, Authority) else self._authorities.get(authority)
        if not owner.may_issue(certificate_type.name):
            raise VcError(
                f"authority {owner.name} may not issue {certificate_type.name}",
                code="FORBIDDEN",
                field="type",
            )
        holder = holder_key(holder_jwk)
        request = parse_certificate_request(certificate_type, body)
        now = self._clock.now()
        credential_id = f"urn:uuid:{uuid.uuid4()}"
        credential = self._certificate(owner, certificate_type, request, credential_id, now)
        signer = self._signer(owner, request.key_type)
        self._statuses.entries_for(owner, credential_id, STATUS_SIZES)
        subject = certificate_claims(credential)
        registered = {
            "iss": owner.did,
            "iat": int(now.timestamp()),
            "nbf": int((request.valid_from or now).timestamp()),
            "exp": int(request.valid_until.timestamp()),
            "vct": self.vct(certificate_type.slug),
            "cnf": {"jwk": holder.to_jwk()},
            "status": self._lists.reference(credential_id, owner.name).to_json(),
        }
        if not registered.keys().isdisjoint(subject):  # the certificates define none of them
            raise VcError("a certificate member shadows a JWT claim", code="INTERNAL_ERROR")
        compact = issue_sd_jwt(
            registered | subject,
            disclosable=disclosable_paths(certificate_type.slug, subject),
            signer=signer,
        )
        record = IssuedCredential(
            id=credential_id,
            authority=owner.name,
            credential_type=certificate_type.name,
            securing_format=FORMAT,
            # The Issuer-signed JWT only: an issuer keeps no Disclosures (RFC 9901 §10.2).
            document=split(compact).issuer_jwt,
            subject_id=subject.get("member", {}).get("id"),
            subject_identifiers=certificate_type.subject_identifiers(credential),
            issued_at=now,
            valid_from=request.valid_from or now,
            valid_until=request.valid_until,
        )
        issued = audit_event(
            self._clock,
            AuditAction.CREDENTIAL_ISSUED,
            subject=credential_id,
            authority=owner.name,
            details={"type": certificate_type.name, "format": FORMAT},
        )
        self._store.credentials.add(record, audit=issued)
        self._observer.issued(certificate_type.name, FORMAT)
        return IssuedSdJwtVc(compact, credential_id)

    def status_list_token(self, authority: str, sequence: int) -> PublishedToken:
        """The authority's Token Status List ``sequence`` as published (NOT_FOUND if none)."""
        return self._lists.token(authority, sequence)

    def vct(self, slug: str) -> str:
        """The ``vct`` of the certificate type ``slug`` (NOT_FOUND for another slug)."""
        return vct_url(self._public_url, certificate_type_of(slug).slug)

    def type_metadata(self, slug: str) -> dict[str, Any]:
        """The Type Metadata document served at :meth:`vct`."""
        certificate_type = certificate_type_of(slug)

        def label(term: str) -> tuple[str, str]:
            text = vocabulary_label(term)
            return text.en, text.es

        return type_metadata(
            certificate_type.slug,
            vct=self.vct(certificate_type.slug),
            name=f"{certificate_type.name} (SD-JWT VC)",
            description=certificate_type.description,
            label=label,
        )

    def _certificate(
        self,
        owner: Authority,
        certificate_type: CertificateType,
        request: CertificateRequest,
        credential_id: str,
        now: datetime,
    ) -> dict[str, Any]:
        """The certificate as ``POST /certificates/{slug}`` builds it (the type's builder
        validates it), refused for the findings this service refuses."""
        try:
            credential = certificate_type.build_credential(
                request.data,
                issuer_id=owner.did,
                issuer_name=owner.display_name,
                credential_id=credential_id,
                valid_from=request.valid_from or now,
                valid_until=request.valid_until,
            )
        except VcError as error:
            field = request_field(error.field, certificate_data=True)
            raise type(error)(error.message, code=error.code, field=field) from error
        for finding in certificate_type.findings(credential, now.date()):
            if finding.code in self._refused:
                raise ParsingError(
                    f"{finding.detail} (refused: {finding.code})",
                    code=_MALFORMED,
                    field=request_field(finding.field, certificate_data=True),
                )
        return credential

    def _signer(self, owner: Authority, wanted: KeyType | None) -> Signer:
        held = self._authorities.key_types(owner)
        choices = SIGNING_KEYS if wanted is None else (wanted,)
        key_type = next((kind for kind in choices if kind in held), None)
        if key_type is None:
            raise ParsingError(
                f"authority {owner.name} holds no {wanted or 'signing'} key for {FORMAT}",
                code=_MALFORMED,
                field="options.keyType",
            )
        return self._authorities.signer(owner, key_type)

    # ------------------------------------------------------------ verifying

    def verify(
        self, presentation: str, *, nonce: str | None, audience: str | None
    ) -> VerificationResult:
        """Verify an SD-JWT VC presentation; Key Binding for ``nonce`` and ``audience`` is
        required when either is given (see the module docstring for the checks)."""
        policy = self._core.http.policy
        with fetch_budget(seconds=policy.verification_seconds, fetches=policy.verification_fetches):
            core = verify_sd_jwt_vc(
                presentation,
                issuer_key=self._issuer_key,
                require_key_binding=nonce is not None or audience is not None,
                expected_nonce=nonce,
                expected_audience=audience,
                now=self._clock.now(),
                skew=self._skew,
            )
            checks = dict(core.checks)
            signed = core.signed or {}
            if not core.proven:
                why = "not checked: the credential's signature, Disclosures or issuer did not hold"
                checks["issuerTrust"] = Check.skipped("issuerTrust", why)
                checks["status"] = Check.skipped("status", why)
            else:
                checks["issuerTrust"] = self._trust_check(signed)
                checks["status"] = (
                    Check.skipped("status", "not checked: the key binding did not hold")
                    if checks["holderBinding"].outcome is Outcome.FAILED
                    else self._lists.check(signed)
                )
        result = VerificationResult(
            kind="VerifiableCredential",
            format=FORMAT,
            checks=tuple(checks[name] for name in CHECK_ORDER),
            document=core.claims,
        )
        kind: VerificationKind = (
            "credential" if nonce is None and audience is None else "presentation"
        )
        self._observer.verified(kind, result.verified)
        return result

    def _issuer_key(self, kid: str) -> tuple[PublicKey, str]:
        """The key a ``kid`` (a DID URL) names, if its DID lets it make assertions, and that
        DID: this service's authorities without the network, others through DID resolution."""
        if not kid.startswith("did:"):
            raise ParsingError("the JWT's kid must be a DID URL", field="header.kid")
        document, method = dereference_verification_method(self._core.resolver, kid)
        if not document.authorizes(method.id, "assertionMethod"):
            raise ProofError(
                f"{method.id} is not authorized for assertionMethod",
                code="INVALID_PROOF_PURPOSE",
                field="header.kid",
            )
        return method.public_key, method.controller

    def _trust_check(self, signed: Mapping[str, Any]) -> Check:
        """The ``vct`` is one of the certificate types, issued by an issuer accredited for it."""
        issuer, vct = str(signed.get("iss")), str(signed.get("vct"))
        slug = slug_of_vct(vct, self._vct_bases(issuer))
        if slug is None:
            detail = f"vct {vct!r} is not a certificate type of this service"
            return Check.of("issuerTrust", [Problem(_MALFORMED, detail, "vct")])
        type_name = _TYPE_NAMES[slug]
        registry = self._trust.about(issuer)
        decision = registry.check(issuer, [type_name], self._clock.now())
        if decision.problems:
            return Check.of("issuerTrust", decision.problems)
        accredited = registry.display_name(issuer) or issuer
        found = f"accredited issuer {accredited} of {type_name}"
        return Check.of("issuerTrust", [], detail=found, trusted_by=decision.trusted_by)

    def _vct_bases(self, issuer: str) -> tuple[str, ...]:
        """Where a ``vct`` of these certificate types may be: this service, or the service
        that hosts the issuer's did:web (the issuing process of a split deployment)."""
        if not issuer.startswith("did:web:"):
            return (self._public_url,)
        try:
            origin = did_web_document_url(issuer).split("/", 3)[2]
        except VcError:
            return (self._public_url,)
        http = f"http://{origin}"
        plain = (http,) if self._core.http.allows_http(http) else ()
        return (self._public_url, f"https://{origin}", *plain)
