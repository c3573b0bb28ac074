"""did:web: a DID document served over https at a URL derived from the DID."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import unquote, urlsplit

from vcservice.dids.document import (
    DID_CONTEXT_V1,
    MULTIKEY_CONTEXT_V1,
    DidDocument,
    VerificationMethod,
)
from vcservice.dids.syntax import parse_did
from vcservice.errors import DidError, FetchError
from vcservice.keys import PublicKey
from vcservice.net import GuardedHttpClient

__all__ = ["DidWebMethod", "build_did_web_document", "did_web_document_url", "did_web_for_url"]

_HOST = re.compile(
    r"(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(?:\.(?!-)[a-z0-9-]{1,63}(?<!-))*", re.IGNORECASE
)
_PORT = re.compile(r"[1-9][0-9]{0,4}")
_IDCHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")


class DidWebMethod:
    """Resolves did:web through the guarded HTTP client (which also caches the documents)."""

    method_name = "web"

    def __init__(self, client: GuardedHttpClient) -> None:
        self._client = client

    def forget(self, did: str) -> None:
        """Drop the client's kept copy of the document of ``did``."""
        self._client.forget(self._url(did))

    def _url(self, did: str) -> str:
        url = did_web_document_url(did)
        if self._client.allows_http(url):
            url = "http://" + url.removeprefix("https://")  # a development host
        return url

    def resolve(self, did: str) -> DidDocument:
        """Fetch the document of ``did``; its ``id`` must be ``did``."""
        url = self._url(did)
        try:
            fetched = self._client.get_json(url)
        except FetchError as exc:
            raise DidError(
                f"cannot resolve {did}: {exc.message}", code="DID_RESOLUTION_ERROR"
            ) from exc
        document_id = fetched.data.get("id") if isinstance(fetched.data, dict) else None
        if document_id != did:
            raise DidError(
                f"cannot resolve {did}: {url} serves a document with id {document_id!r}",
                code="DID_RESOLUTION_ERROR",
            )
        return DidDocument(fetched.data)


def did_web_document_url(did: str) -> str:
    """The https URL of the document of ``did`` (did:web spec, "Read")."""
    if parse_did(did).method != "web":
        raise DidError(f"{did!r} is not a did:web", code="INVALID_DID")
    encoded_authority, *segments = did.removeprefix("did:web:").split(":")
    authority = unquote(encoded_authority)
    host, _, port = authority.partition(":")
    if not _HOST.fullmatch(host) or _is_ip_address(host):
        raise DidError(
            f"{did}: {host!r} is not a domain name (IP addresses are not allowed)",
            code="INVALID_DID",
        )
    if port and not (_PORT.fullmatch(port) and int(port) <= 65535):
        raise DidError(f"{did}: invalid port {port!r}", code="INVALID_DID")
    for segment in segments:
        if unquote(segment) in ("", ".", "..") or "/" in unquote(segment):
            raise DidError(f"{did}: invalid path segment {segment!r}", code="INVALID_DID")
    path = "/".join(segments) if segments else ".well-known"
    return f"https://{authority}/{path}/did.json"


def did_web_for_url(base_url: str, path_segments: Sequence[str] = ()) -> str:
    """The did:web whose document is served at ``base_url``/``path_segments``/did.json.

    ``base_url`` is an https origin, possibly with a path (``https://host:8443/vc``);
    ``path_segments`` are plain text and get percent-encoded. The scheme is not part of
    the DID, so an ``http`` development URL gives the same DID as its https twin.
    """
    parts = urlsplit(base_url)
    invalid = DidError(
        f"did:web needs a plain http(s) base URL, got {base_url!r}", code="INVALID_DID"
    )
    try:
        port = parts.port
    except ValueError as exc:
        raise invalid from exc
    if parts.scheme not in ("https", "http") or parts.query or parts.fragment or parts.username:
        raise invalid
    authority = parts.hostname or ""
    if port not in (None, 443 if parts.scheme == "https" else 80):
        authority += f":{port}"
    segments = [unquote(part) for part in parts.path.split("/") if part] + list(path_segments)
    did = "did:web:" + ":".join(_encode_segment(part) for part in [authority, *segments])
    did_web_document_url(did)
    return did


def build_did_web_document(
    did: str,
    keys: Sequence[tuple[str, PublicKey]],
    *,
    services: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """A did:web document with a Multikey VM per ``(fragment, key)``, all for assertion and auth.

    ``services`` become its ``service`` entries (each with an ``id`` under ``did``).
    """
    did_web_document_url(did)
    methods = []
    for fragment, public_key in keys:
        if not fragment or "#" in fragment:
            raise DidError(
                f"{did}: invalid verification method fragment {fragment!r}",
                code="INVALID_VERIFICATION_METHOD",
            )
        methods.append(VerificationMethod(f"{did}#{fragment}", "Multikey", did, public_key))
    ids = [method.id for method in methods]
    if len(set(ids)) != len(ids):
        raise DidError(
            f"{did}: verification method fragments must be unique",
            code="INVALID_VERIFICATION_METHOD",
        )
    document: dict[str, Any] = {
        "@context": [DID_CONTEXT_V1, MULTIKEY_CONTEXT_V1],
        "id": did,
        "verificationMethod": [method.to_json() for method in methods],
        "assertionMethod": ids,
        "authentication": list(ids),
    }
    for service in services:
        if not str(service.get("id", "")).startswith(f"{did}#"):
            raise DidError(f"{did}: a service id must be {did}#<fragment>", code="INVALID_DID")
    if services:
        document["service"] = [dict(service) for service in services]
    return document


def _encode_segment(text: str) -> str:
    return "".join(
        char if char in _IDCHARS else "".join(f"%{byte:02X}" for byte in char.encode("utf-8"))
        for char in text
    )


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
