"""Signed trust lists over HTTP: each authority's published list (public, conditional GET),
its entries and announced keys (admin, issuer role), and the verifier's subscriptions
(admin, verifier role)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from pydantic import Field, StringConstraints

from vcservice.api.deps import Admin, ServicesDep
from vcservice.api.problems import answer, json_document, problems
from vcservice.api.routers.trust import IssuerId
from vcservice.api.schemas import CredentialTypeName, DateTimeText, StrictModel
from vcservice.model.datetimes import format_datetime
from vcservice.model.records import PublishedEntry, PublishedList, TrustListSubscription
from vcservice.services.trust_list_publisher import list_etag
from vcservice.services.trust_list_subscriptions import HeldList

published = APIRouter(tags=["trust lists"])
publishing = APIRouter(
    prefix="/admin/authorities/{name}/trust-list",
    tags=["trust lists"],
    dependencies=[Admin],
    responses=problems(401, 404, 429, 503),
)
subscribing = APIRouter(
    prefix="/admin/trust-lists/subscriptions",
    tags=["trust lists"],
    dependencies=[Admin],
    responses=problems(401, 429, 503),
)
WRITING = problems(400, 413, 422)
EntryId = Annotated[str, Path(max_length=200)]
Label = Annotated[str, StringConstraints(min_length=1, max_length=200)]
# An absolute http(s) URL in ASCII (an international host in its punycode form).
ListUrl = Annotated[
    str,
    StringConstraints(
        pattern=r"^https?://[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?(?:/[!-~]*)?$",
        max_length=2000,
    ),
]
Signer = Annotated[str, StringConstraints(pattern=r"^did:[a-z0-9]+:\S+$", max_length=2000)]


@published.get(
    "/trust-lists/{authority}",
    summary="An authority's signed trust list",
    response_class=Response,
    responses=json_document("application/vc+ld+json", "the signed TrustListCredential")
    | {304: {"description": "unchanged since the ETag given in If-None-Match"}}
    | problems(404, 503),
)
def trust_list(authority: str, request: Request, services: ServicesDep) -> Response:
    """The current version; conditional GET with ``If-None-Match`` answers 304 when unchanged."""
    version = services.trust_lists.current(authority)
    headers = {"ETag": list_etag(version), "Cache-Control": "public, max-age=60"}
    if request.headers.get("if-none-match") == headers["ETag"]:
        return Response(status_code=304, headers=headers)
    return Response(version.document, media_type="application/vc+ld+json", headers=headers)


@published.get(
    "/trust-lists/{authority}/{sequence}",
    summary="One earlier version of an authority's trust list, unchanged",
    response_class=Response,
    responses=json_document("application/vc+ld+json", "that version, as it was signed")
    | problems(404, 422, 503),
)
def trust_list_version(
    authority: str, sequence: Annotated[int, Path(ge=1, le=2**53 - 1)], services: ServicesDep
) -> Response:
    """Version ``sequence``, for a subscriber following the chain from the version it holds
    (each names the one before it in ``previousVersion``); it never changes."""
    version = services.trust_lists.version(authority, sequence)
    headers = {"ETag": list_etag(version), "Cache-Control": "public, max-age=86400, immutable"}
    return Response(version.document, media_type="application/vc+ld+json", headers=headers)


class ListEntry(StrictModel):
    """An issuer the authority's list accredits, for credential types, maybe for a period."""

    id: IssuerId = Field(examples=["did:web:vc.sat.gob.mx:issuers:agace"])
    name: Label = Field(examples=["SAT – Administración General de Auditoría de Comercio"])
    credential_types: list[CredentialTypeName] = Field(
        min_length=1, max_length=20, examples=[["OEACertificate"]]
    )
    accredited_from: DateTimeText | None = None
    accredited_until: DateTimeText | None = None


@publishing.get("/entries", responses=answer(200, None, "the list's entries"))
def list_entries(name: str, services: ServicesDep) -> dict[str, Any]:
    """The entries of the authority's list and the version published now."""
    entries = services.trust_lists.entries(name)
    return {
        "url": services.trust_lists.url(name),
        "version": _version(services.trust_lists.current(name)),
        "entries": [_entry(entry) for entry in entries],
    }


@publishing.post("/entries", status_code=201, responses=WRITING)
def add_entry(name: str, body: ListEntry, services: ServicesDep) -> dict[str, Any]:
    """Accredit an issuer in the authority's list: a new version is signed at once."""
    entry, version = services.trust_lists.add_entry(
        name,
        issuer=body.id,
        name=body.name,
        credential_types=body.credential_types,
        accredited_from=body.accredited_from,
        accredited_until=body.accredited_until,
    )
    return _entry(entry) | {"version": _version(version)}


@publishing.delete("/entries/{entry_id}", responses=problems(422))
def remove_entry(name: str, entry_id: EntryId, services: ServicesDep) -> dict[str, Any]:
    """Withdraw an entry: a new version is signed at once."""
    return {"version": _version(services.trust_lists.remove_entry(name, entry_id))}


@publishing.post("/next-key", status_code=201, responses=WRITING | problems(409))
def prepare_key(name: str, services: ServicesDep) -> dict[str, Any]:
    """Announce the key that will sign the list after the next rotation
    (``POST /admin/authorities/{name}/keys/rotate`` with its type makes it the signer)."""
    key, version = services.trust_lists.prepare_key(name)
    return {"keyId": key.key_id, "keyType": key.key_type, "version": _version(version)}


class Subscribe(StrictModel):
    """A list to trust: where it is, who must sign it, and for which credential types."""

    url: ListUrl = Field(examples=["https://vc.sat.gob.mx/trust-lists/sat"])
    expected_signer: Signer = Field(
        description="the DID that must sign the list, or one verification method (DID URL)",
        examples=["did:web:vc.sat.gob.mx:issuers:sat"],
    )
    credential_types: list[CredentialTypeName] = Field(
        min_length=1,
        max_length=20,
        description="what the list may accredit issuers for; its other entries are ignored",
        examples=[["OEACertificate", "IMMEXCertificate"]],
    )
    label: Label = Field(examples=["SAT"])
    max_staleness_seconds: int | None = Field(None, ge=60, le=90 * 86_400)
    refresh_seconds: int | None = Field(None, ge=10, le=86_400)


@subscribing.get("", responses=answer(200, None, "every subscription and its state"))
def list_subscriptions(services: ServicesDep) -> list[dict[str, Any]]:
    """Every subscription, the version it holds and until when that version may vouch."""
    return [_subscription(held) for held in services.trust_list_subscriptions.held()]


@subscribing.post("", status_code=201, responses=WRITING | problems(409))
def subscribe(body: Subscribe, services: ServicesDep) -> dict[str, Any]:
    """Subscribe to a list and fetch it now; the answer says whether that first fetch was
    accepted (a refused or failed one is retried on schedule)."""
    subscriptions = services.trust_list_subscriptions
    subscription = subscriptions.subscribe(
        url=body.url,
        expected_signer=body.expected_signer,
        credential_types=body.credential_types,
        label=body.label,
        max_staleness=_seconds(body.max_staleness_seconds),
        refresh_interval=_seconds(body.refresh_seconds),
    )
    outcome = subscriptions.refresh(subscription.id)
    return _view(subscriptions.get(subscription.id)) | {"refresh": outcome.to_json()}


@subscribing.post("/{subscription_id}/refresh", responses=problems(404, 422))
def refresh(subscription_id: EntryId, services: ServicesDep) -> dict[str, Any]:
    """Fetch the list now (``accepted``, ``unchanged``, ``refused`` or ``failed``, with why)."""
    return services.trust_list_subscriptions.refresh(subscription_id).to_json()


@subscribing.delete("/{subscription_id}", status_code=204, responses=problems(404, 422))
def unsubscribe(subscription_id: EntryId, services: ServicesDep) -> Response:
    """Stop trusting the list."""
    services.trust_list_subscriptions.unsubscribe(subscription_id)
    return Response(status_code=204)


def _seconds(value: int | None) -> timedelta | None:
    return None if value is None else timedelta(seconds=value)


def _version(version: PublishedList) -> dict[str, Any]:
    return {
        "sequence": version.sequence,
        "issued": format_datetime(version.valid_from),
        "nextUpdate": format_datetime(version.next_update),
        "signingKey": version.signing_key,
        "etag": list_etag(version),
    }


def _entry(entry: PublishedEntry) -> dict[str, Any]:
    view: dict[str, Any] = {
        "entryId": entry.id,
        "id": entry.issuer,
        "name": entry.name,
        "credentialTypes": sorted(entry.credential_types),
    }
    for key, moment in (
        ("accreditedFrom", entry.accredited_from),
        ("accreditedUntil", entry.accredited_until),
    ):
        if moment is not None:
            view[key] = format_datetime(moment)
    return view


def _view(subscription: TrustListSubscription) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": subscription.id,
        "url": subscription.url,
        "label": subscription.label,
        "expectedSigner": subscription.expected_signer,
        "credentialTypes": sorted(subscription.credential_types),
        "maxStalenessSeconds": int(subscription.max_staleness.total_seconds()),
        "refreshSeconds": int(subscription.refresh_interval.total_seconds()),
        "sequence": subscription.sequence,
        "failures": subscription.failures,
    }
    for key, moment in (
        ("confirmedAt", subscription.confirmed_at),
        ("lastErrorAt", subscription.last_error_at),
    ):
        if moment is not None:
            view[key] = format_datetime(moment)
    if subscription.last_error_code:
        view["lastErrorCode"] = subscription.last_error_code
    return view


def _subscription(held: HeldList) -> dict[str, Any]:
    view = _view(held.subscription)
    stale_at, trust_list = held.listed.stale_at(), held.listed.trust_list
    if stale_at is not None:
        view["staleAt"] = format_datetime(stale_at)
    if trust_list is not None:
        view["operatorName"] = trust_list.operator_name
        view["issued"] = format_datetime(trust_list.issued)
        view["nextUpdate"] = format_datetime(trust_list.next_update)
    return view
