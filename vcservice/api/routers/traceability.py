"""The traceability-interop profile: each organisation's API base, ``/issuers/{name}``.

The organisation is an authority; its API base is where its did:web document is served
(``/issuers/{name}/did.json``, whose TraceabilityAPI service names the base), and the
profile's endpoints live under it:

    GET  …/identifiers/{did}       resolve:dids          the DID documents this service hosts
    POST …/credentials/issue       issue:credentials     sign as the organisation
    POST …/credentials/status      update:credentials    revoke, suspend, reinstate
    POST …/credentials/verify      verify:credentials    verified true or false, 200
    POST …/presentations           submit:presentations  verify a presentation's credentials
    POST …/presentations/prove     prove:presentations   sign a presentation as the organisation
    POST …/presentations/verify    verify:presentations  verified true or false, 200

Each takes an access token of one of the organisation's own clients carrying the scope
named, checked before the body is validated (401 without a valid token, 403 with another scope or
organisation). Where the profile's OpenAPI differs from VC-API this follows the profile: a
body that breaks its schema is 400 (not 422), an issuer other than the organisation is 422
"Unknown Issuer", a credential that does not verify is a 200 whose ``verified`` is false,
and every problem+json body carries the profile's fixed ``message`` for its status.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Coroutine, Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictStr,
    model_validator,
)

from vcservice.api.deps import (
    Caller,
    ServicesDep,
    charge_verifications,
    rate_limiter,
    require_issuing_scope,
    require_scope,
)
from vcservice.api.problems import (
    DEFAULT_STATUS,
    answer,
    error_response,
    problems,
    status_of,
    validation_response,
)
from vcservice.api.rate_limit import verify_limiter_of
from vcservice.api.routers.status import StatusView, change_status
from vcservice.api.routers.verifier import CompactJwt, require_context_url
from vcservice.api.schemas import IssuanceWarning, ProfileProblem
from vcservice.dids.document import DidDocument
from vcservice.dids.syntax import parse_did
from vcservice.errors import DidError, ParsingError, StorageError, VcError
from vcservice.messages import message_for
from vcservice.model import credential as vcdm
from vcservice.model.checks import Outcome
from vcservice.model.datetimes import parse_datetime
from vcservice.model.records import Scope, StatusPurpose
from vcservice.model.requester import Requester
from vcservice.proofs.suites import ecdsa_rdfc_2019, eddsa_rdfc_2022
from vcservice.services.container import Services
from vcservice.services.issuer import IssuanceOptions
from vcservice.verification.result import VerificationResult

# The profile's error messages (its error schemas allow exactly these texts per status;
# 413 is this service's own).
MESSAGES = {
    400: "Bad Request: Your request body does not conform to the required schema",
    401: "Unauthorized: This endpoint requires an OAuth2 bearer token",
    403: "Forbidden: OAuth2 bearer token does not have the required scope",
    404: "Not Found: The requested resource could not be found",
    413: "Payload Too Large: The request body exceeds the size this service accepts",
    422: "Unknown Issuer: Unable to issue credentials for specified issuer",
}
INVALID_DID_MESSAGE = "Bad Request: Invalid DID"
UNKNOWN_ISSUER = "INVALID_ISSUER"  # the one problem the profile answers 422
# The proof types the profile asks for, and the suite of the same key that signs instead.
ProofType = Literal["Ed25519Signature2018", "JsonWebSignature2020"]
PROOF_TYPES: dict[str, str] = {
    "Ed25519Signature2018": eddsa_rdfc_2022.NAME,
    "JsonWebSignature2020": ecdsa_rdfc_2019.NAME,
}
JWS_PROOF_TYPES = frozenset(PROOF_TYPES)
StatusType = Literal["BitstringStatusListEntry", "StatusList2021Entry", "RevocationList2020Status"]
MAX_SUBMITTED = 20  # credentials in one submitted presentation (the verifier's own limit)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")


class ProfileRoute(APIRoute):
    """Answers every error of its endpoint as the profile words it (see ``profile_error``)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The route's handler, its errors made the profile's problem+json."""
        handler = super().get_route_handler()

        async def profile_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as error:
                return validation_response(error, status=400, message=MESSAGES[400])
            except VcError as error:
                return profile_error(error)

        return profile_handler


_PROFILE_PATH = re.compile(r"^/issuers/[^/]+/(?!did\.json$).+")


def profile_members(path: str, status: int) -> dict[str, str]:
    """The ``message`` of a problem answered for ``path`` before its handler ran (a body
    that is no JSON, or too large), where ``path`` is one of the profile's endpoints."""
    if not _PROFILE_PATH.match(path):
        return {}
    return {"message": MESSAGES[status]}


def profile_error(error: VcError) -> Response:
    """``error`` as the profile answers it: data the service refuses is 400 (VC-API: 422),
    an unknown issuer 422, with the profile's ``message`` for the status (the problem's
    English title where the profile fixes none)."""
    status = status_of(error)
    if error.code == UNKNOWN_ISSUER:
        status = 422
    elif status == DEFAULT_STATUS:
        status = 400
    if error.code == "INVALID_DID":
        message = INVALID_DID_MESSAGE
    else:
        message = MESSAGES.get(status, message_for(error.code).en)
    return error_response(error, status=status, message=message)


router = APIRouter(
    prefix="/issuers/{name}",
    tags=["traceability-interop"],
    route_class=ProfileRoute,
    responses=problems(401, 403, 429, 503, schema=ProfileProblem),
)
WRITING = problems(400, 413, schema=ProfileProblem)


def _member(scope: Scope, *, issuing: bool = False) -> Callable[..., Caller]:
    """A dependency admitting a client of the organisation ``name`` whose token carries
    ``scope`` (within its issuance rate when ``issuing``)."""
    authenticated = require_issuing_scope(scope) if issuing else require_scope(scope)

    def member(name: str, request: Request, services: ServicesDep) -> Caller:
        caller = authenticated(request, services)
        if caller.authority.name != name:
            raise VcError(
                f"the access token is for organisation {caller.authority.name}, not {name}",
                code="FORBIDDEN",
                field="Authorization",
            )
        return caller

    return member


def _verifying_member(scope: Scope) -> Callable[..., Requester]:
    """Like ``_member``, then within the client's verification rate: the caller counted."""
    member = _member(scope)

    def verifying(name: str, request: Request, services: ServicesDep) -> Requester:
        requester = Requester.client(member(name, request, services).grant.client_id)
        limiter = rate_limiter(request, verify_limiter_of(requester))
        if limiter is not None:
            limiter.take(requester.key)
        return requester

    return verifying


Resolving = Annotated[Caller, Depends(_member(Scope.RESOLVE_DIDS))]
Issuing = Annotated[Caller, Depends(_member(Scope.ISSUE, issuing=True))]
Updating = Annotated[Caller, Depends(_member(Scope.UPDATE, issuing=True))]
Proving = Annotated[Caller, Depends(_member(Scope.PROVE_PRESENTATIONS))]
VerifyingCredentials = Annotated[Requester, Depends(_verifying_member(Scope.VERIFY))]
VerifyingPresentations = Annotated[
    Requester, Depends(_verifying_member(Scope.VERIFY_PRESENTATIONS))
]
Submitting = Annotated[Requester, Depends(_verifying_member(Scope.SUBMIT_PRESENTATIONS))]


# ---------------------------------------------------------------- request bodies


def _uri(value: str) -> str:
    if not _SCHEME.fullmatch(value):
        raise ValueError("must be a URI (scheme:…)")
    return value


def _date_time(value: str) -> str:
    try:
        parse_datetime(value, field="value")
    except VcError as error:
        raise ValueError("must be an XML Schema dateTime with a time zone") from error
    return value


Uri = Annotated[StrictStr, AfterValidator(_uri)]
DateTime = Annotated[StrictStr, AfterValidator(_date_time)]


class _Open(BaseModel):
    """A JSON object whose other members are kept as they are. Members are read by their
    JSON names only: ``verification_method`` stays an unknown member of that name, never
    becomes the ``verificationMethod`` of the document passed on (which is what is signed
    or verified)."""

    model_config = ConfigDict(extra="allow")


class IssuerObject(_Open):
    """An issuer given as an object: its ``id`` is a URI."""

    id: Uri


class Subject(_Open):
    """A credential subject: any object, whose ``id`` (if any) is a URI."""

    id: Uri = None  # type: ignore[assignment]  # absent is fine, null is not


class CredentialView(_Open):
    """The profile's credential: VC Data Model 1.1 members with the types its schema
    names; a VCDM 2.0 credential (``validFrom``) needs no ``issuanceDate``."""

    context: list[StrictStr | dict[str, Any]] = Field(alias="@context", min_length=1)
    id: Uri = None  # type: ignore[assignment]
    type: list[StrictStr] = Field(min_length=1)
    issuer: Uri | IssuerObject
    issuance_date: DateTime = Field(None, alias="issuanceDate")  # type: ignore[assignment]
    credential_subject: Subject | list[Subject] = Field(alias="credentialSubject")

    def checked(self, field: str) -> dict[str, Any]:
        """The credential as sent, once its data model's dates are there (MALFORMED_VALUE_ERROR
        naming ``field.issuanceDate`` for a VCDM 1.1 credential without one)."""
        if self.context[0] == vcdm.CREDENTIALS_V1 and self.issuance_date is None:
            raise ParsingError(
                "a VCDM 1.1 credential needs issuanceDate",
                code="MALFORMED_VALUE_ERROR",
                field=f"{field}.issuanceDate",
            )
        return _document(self)

    @property
    def issuer_id(self) -> str:
        """The issuer's URI, given as a string or as the object's ``id``."""
        return self.issuer if isinstance(self.issuer, str) else self.issuer.id


class ProofView(_Open):
    """A proof: its type, method and purpose; ``jws`` and ``created`` for the JWS suites
    the profile names, ``proofValue`` for Data Integrity."""

    type: StrictStr
    created: DateTime = None  # type: ignore[assignment]
    verification_method: Uri = Field(alias="verificationMethod")
    proof_purpose: StrictStr = Field(alias="proofPurpose")
    jws: StrictStr = None  # type: ignore[assignment]
    proof_value: StrictStr = Field(None, alias="proofValue")  # type: ignore[assignment]

    @model_validator(mode="after")
    def _signature(self) -> ProofView:
        if self.type in JWS_PROOF_TYPES and (self.jws is None or self.created is None):
            raise ValueError(f"a {self.type} proof needs jws and created")
        if self.type not in JWS_PROOF_TYPES and self.proof_value is None:
            raise ValueError(f"a {self.type} proof needs proofValue")
        return self


class VerifiableCredentialView(CredentialView):
    """A credential with its proof (or proof set)."""

    proof: ProofView | list[ProofView]


class CredentialStatusOption(_Open):
    """The status the caller asks for: one of the profile's types (the service assigns its
    own Bitstring Status List entry, for revocation, to a VCDM 2.0 credential)."""

    type: StatusType = None  # type: ignore[assignment]


class IssueOptions(_Open):
    """The profile's issuance options; members it does not name are ignored."""

    type: ProofType = Field(
        description="signed as eddsa-rdfc-2022 (Ed25519) or ecdsa-rdfc-2019 (P-384)"
    )
    created: StrictStr = None  # type: ignore[assignment]
    credential_status: CredentialStatusOption = Field(None, alias="credentialStatus")  # type: ignore[assignment]


class IssueRequest(BaseModel):
    """``POST …/credentials/issue``: the credential to sign as the organisation."""

    model_config = ConfigDict(extra="forbid")

    credential: CredentialView
    options: IssueOptions


class VerifyCredentialRequest(BaseModel):
    """``POST …/credentials/verify``: a credential (JSON or a compact ``vc+jwt``)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    verifiable_credential: VerifiableCredentialView | CompactJwt = Field(
        alias="verifiableCredential"
    )
    options: dict[str, Any] = Field(default_factory=dict, description="ignored")


class StatusEntry(BaseModel):
    """One status to set: ``status`` "1" revokes or suspends, "0" reinstates."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    type: StatusType
    status: Literal["0", "1"]
    status_purpose: StatusPurpose = Field(StatusPurpose.REVOCATION, alias="statusPurpose")


class UpdateStatusRequest(BaseModel):
    """``POST …/credentials/status``: which credential, and its new status."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    credential_id: Uri = Field(alias="credentialId")
    credential_status: list[StatusEntry] = Field(
        alias="credentialStatus", min_length=1, max_length=3
    )


class PresentationView(_Open):
    """A presentation: its contexts, types and (up to 20) credentials."""

    context: list[StrictStr | dict[str, Any]] = Field(alias="@context", min_length=1)
    type: list[StrictStr] | StrictStr
    verifiable_credential: list[dict[str, Any] | CompactJwt] = Field(
        default_factory=list, alias="verifiableCredential", max_length=MAX_SUBMITTED
    )


class ProveOptions(_Open):
    """How to sign: the challenge and domain the verifier gave, if any."""

    type: ProofType = None  # type: ignore[assignment]
    challenge: StrictStr = None  # type: ignore[assignment]
    domain: StrictStr = None  # type: ignore[assignment]


class ProveRequest(BaseModel):
    """``POST …/presentations/prove``: the presentation to sign as the organisation."""

    model_config = ConfigDict(extra="forbid")

    presentation: PresentationView
    options: ProveOptions = Field(default_factory=ProveOptions)


class PresentationVerifyOptions(BaseModel):
    """The challenge (from ``POST /challenges``) and domain the presentation answers."""

    model_config = ConfigDict(extra="allow")

    challenge: StrictStr = None  # type: ignore[assignment]
    domain: StrictStr = None  # type: ignore[assignment]


class VerifyPresentationRequest(BaseModel):
    """``POST …/presentations/verify``: a presentation (JSON or a compact ``vp+jwt``)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    verifiable_presentation: dict[str, Any] | CompactJwt = Field(alias="verifiablePresentation")
    options: PresentationVerifyOptions = Field(default_factory=PresentationVerifyOptions)


def _document(model: BaseModel) -> dict[str, Any]:
    """The JSON object a request model was read from (members as sent, unset ones left out)."""
    return model.model_dump(by_alias=True, exclude_unset=True)


# ---------------------------------------------------------------- identifiers


@router.get(
    "/identifiers/{did:path}",
    summary="Resolve a DID this service hosts",
    responses=problems(400, 404, schema=ProfileProblem),
)
def resolve(did: str, request: Request, caller: Resolving, services: ServicesDep) -> dict[str, Any]:
    """The DID resolution result of an organisation's or a holder's did:web hosted here.

    The DID is read from the path as sent (``%3A`` in a did:web stays a part of it, as a
    server's decoding would lose it). Not a URI: 400 ``Invalid DID``; anything this service
    does not host (another host's did:web, a ``urn:uuid``): 404 — nothing is fetched.
    """
    raw = request.scope.get("raw_path", b"").decode("latin-1").rpartition("/identifiers/")[2]
    document = _hosted_document(raw, did, services) if raw else None
    if document is None:
        raise StorageError(f"{did!r} is not a DID this service hosts", code="NOT_FOUND")
    return {
        "didDocument": dict(document.data),
        "didResolutionMetadata": {"contentType": "application/did+json"},
        "didDocumentMetadata": {},
    }


def _hosted_document(raw: str, decoded: str, services: Services) -> DidDocument | None:
    """The hosted document of the DID sent as ``raw`` (else as the server ``decoded`` it);
    INVALID_DID when neither is a URI, or when both are malformed DIDs."""
    candidates = list(dict.fromkeys([raw, decoded]))
    if not any(_SCHEME.fullmatch(text) for text in candidates):
        raise DidError(f"{decoded!r} is not a DID", code="INVALID_DID", field="did")
    dids = [text for text in candidates if text.startswith("did:") and _is_did(text)]
    if not dids and all(text.startswith("did:") for text in candidates):
        raise DidError(f"{decoded!r} is not a valid DID", code="INVALID_DID", field="did")
    for did in dids:
        found = services.authorities.find_did_document(did) or services.holders.find_did_document(
            did
        )
        if found is not None:
            return found
    return None


def _is_did(text: str) -> bool:
    try:
        parse_did(text)
    except DidError:
        return False
    return True


# ---------------------------------------------------------------- credentials


@router.post(
    "/credentials/issue",
    status_code=201,
    summary="Issue a credential as the organisation",
    responses=WRITING | problems(409, 422, schema=ProfileProblem),
)
def issue(
    body: IssueRequest,
    caller: Issuing,
    services: ServicesDep,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None,
) -> dict[str, Any]:
    """Sign the credential as the organisation, which must be its issuer (422 otherwise).

    ``options.type`` chooses the key: Ed25519Signature2018 signs eddsa-rdfc-2022 with the
    Ed25519 key, JsonWebSignature2020 ecdsa-rdfc-2019 with the P-384 key. The service
    dates the proof itself, and assigns status entries as a certificate's are, or, asked by
    ``options.credentialStatus``, a revocation entry to a VCDM 2.0 credential; what it does
    not do of what was asked is named in ``warnings``.
    """
    if body.credential.issuer_id != caller.authority.did:
        raise VcError(
            f"this organisation issues only as {caller.authority.did}",
            code=UNKNOWN_ISSUER,
            field="credential.issuer",
        )
    credential = body.credential.checked("credential")
    purposes, warnings = _requested_status(body.options, credential)
    if "created" in body.options.model_fields_set:
        warnings.append(_warning("options.created", "the service dates its proofs itself"))
    options = IssuanceOptions(
        PROOF_TYPES[body.options.type], idempotency_key, status_purposes=purposes
    )
    record = services.issuer.issue(caller.authority, credential, options)
    stored = record.document
    issued = {"verifiableCredential": json.loads(stored) if stored.startswith("{") else stored}
    return issued | ({"warnings": warnings} if warnings else {})


def _requested_status(
    options: IssueOptions, credential: dict[str, Any]
) -> tuple[tuple[StatusPurpose, ...], list[dict[str, str]]]:
    """The status entries ``options.credentialStatus`` asks of this credential, and a
    warning when it cannot have them (a VCDM 1.1 credential carries no Bitstring Status
    List entry)."""
    if "credential_status" not in options.model_fields_set:
        return (), []
    if vcdm.base_context(credential) != vcdm.CREDENTIALS_V2:
        detail = "a VCDM 1.1 credential gets no status entry here; none was assigned"
        return (), [_warning("options.credentialStatus", detail)]
    return (StatusPurpose.REVOCATION,), []


def _warning(field: str, detail: str) -> dict[str, str]:
    """The issuer API's warning about an option not acted on, as JSON."""
    return IssuanceWarning(field=field, detail=f"{field}: {detail}").model_dump()


@router.post(
    "/credentials/status",
    summary="Change a credential's status",
    responses=WRITING | problems(404, 409, schema=ProfileProblem),
)
def update_status(body: UpdateStatusRequest, caller: Updating, services: ServicesDep) -> StatusView:
    """Revoke, suspend or reinstate one of the organisation's credentials (audited)."""
    updates = [(entry.status_purpose, int(entry.status)) for entry in body.credential_status]
    return change_status(
        services, caller, body.credential_id, updates, reason="traceability-interop status update"
    )


VERIFIED = answer(200, dict, "the verification result with the profile's verifications")


@router.post(
    "/credentials/verify",
    summary="Verify a credential",
    responses=VERIFIED | WRITING,
)
def verify_credential(
    body: VerifyCredentialRequest, caller: VerifyingCredentials, services: ServicesDep
) -> dict[str, Any]:
    """Verify a credential: 200 with ``verified`` true or false and every check."""
    credential = body.verifiable_credential
    document = (
        credential if isinstance(credential, str) else credential.checked("verifiableCredential")
    )
    require_context_url(document, "verifiableCredential")
    return profile_result(services.verifier.verify_credential(document))


# ---------------------------------------------------------------- presentations


@router.post(
    "/presentations",
    summary="Submit a presentation to the organisation",
    responses=VERIFIED | WRITING,
)
def submit(
    body: PresentationView, request: Request, caller: Submitting, services: ServicesDep
) -> dict[str, Any]:
    """Take a presentation (signed or not) and verify each credential in it; nothing is
    kept. ``verified`` is true when every credential verified."""
    credentials = body.verifiable_credential
    for index, credential in enumerate(credentials):
        require_context_url(credential, f"verifiableCredential[{index}]")
    charge_verifications(request, caller, max(len(credentials) - 1, 0))
    results = services.verifier.verify_credentials(credentials)
    return {
        "verified": bool(results) and all(result.verified for result in results),
        "credentialResults": [profile_result(result) for result in results],
    }


@router.post(
    "/presentations/prove",
    status_code=201,
    summary="Sign a presentation as the organisation",
    responses=WRITING,
)
def prove(body: ProveRequest, caller: Proving, services: ServicesDep) -> dict[str, Any]:
    """Sign the presentation as the organisation (its holder, unless it names none):
    eddsa-rdfc-2022 with the Ed25519 key, for authentication, with the options' challenge
    and domain."""
    signed = services.issuer.prove(
        caller.authority,
        _document(body.presentation),
        challenge=body.options.challenge,
        domain=body.options.domain,
    )
    return {"verifiablePresentation": signed}


@router.post(
    "/presentations/verify",
    summary="Verify a presentation",
    responses=VERIFIED | WRITING,
)
def verify_presentation(
    body: VerifyPresentationRequest,
    request: Request,
    caller: VerifyingPresentations,
    services: ServicesDep,
) -> dict[str, Any]:
    """Verify a presentation made for a challenge of this verifier (``POST /challenges``,
    consumed here): 200 with ``verified`` true or false and every check."""
    require_context_url(body.verifiable_presentation, "verifiablePresentation")
    result = services.verifier.verify_presentation(
        body.verifiable_presentation,
        challenge=body.options.challenge,
        domain=body.options.domain,
    )
    charge_verifications(request, caller, len(result.credentials))
    return profile_result(result)


# ---------------------------------------------------------------- results

# The profile's verification titles, for the checks that have one.
_TITLES = {"proof": "Proof", "status": "Revocation"}


def profile_result(result: VerificationResult) -> dict[str, Any]:
    """The verification result with the profile's ``verifications`` added."""
    return result.to_json() | {"verifications": list(_verifications(result))}


def _verifications(result: VerificationResult) -> Iterator[dict[str, str]]:
    """Each check the profile has a title for, ``good`` or ``bad`` (skipped ones left out);
    the validity period as Activation and Expired."""
    for check in result.checks:
        if check.outcome is Outcome.SKIPPED:
            continue
        codes = {problem.code for problem in check.problems}
        if check.name == "validityPeriod":
            for title, code in (
                ("Activation", "CREDENTIAL_NOT_YET_VALID"),
                ("Expired", "CREDENTIAL_EXPIRED"),
            ):
                yield {"title": title, "status": "bad" if code in codes else "good"}
        elif check.name in _TITLES:
            entry = {"title": _TITLES[check.name], "status": "good" if not codes else "bad"}
            description = "; ".join(problem.detail for problem in check.problems) or check.detail
            yield entry | ({"description": description} if description else {})
