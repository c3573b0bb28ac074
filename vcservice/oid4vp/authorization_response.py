"""The Authorization Response a wallet sends with ``direct_post`` (OpenID4VP 1.0 §8.2).

Its parameters arrive form-encoded (or, for ``direct_post.jwt``, inside the decrypted
``response``): either ``vp_token`` and ``state``, or an error (``error``,
``error_description``, ``state``). ``parse_authorization_response`` reads them and
``presentations_in`` checks the VP Token's shape against the DCQL query (§8.1: an object
keyed by Credential Query id, each an array of one presentation unless the query allows
``multiple``; strings for ``dc+sd-jwt`` and ``jwt_vc_json``, objects for ``ldp_vc``). What
the presentations prove is the caller's to check.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vcservice.errors import ParsingError
from vcservice.oid4vp.dcql import LDP_VC, DcqlQuery
from vcservice.oid4vp.errors import is_error_code

__all__ = [
    "MAX_PRESENTATIONS",
    "AuthorizationResponse",
    "Presentation",
    "WalletError",
    "parse_authorization_response",
    "presentations_in",
]

MAX_PRESENTATIONS = 20
MAX_DESCRIPTION = 1_000
MAX_STATE = 512
_MALFORMED = "MALFORMED_VALUE_ERROR"


@dataclass(frozen=True, slots=True)
class AuthorizationResponse:
    """A wallet's answer: the VP Token (not yet checked against the query) and ``state``."""

    vp_token: Mapping[str, Any]
    state: str | None


@dataclass(frozen=True, slots=True)
class WalletError:
    """A wallet's refusal (``access_denied`` when the holder declined, say)."""

    error: str
    description: str | None
    state: str | None


@dataclass(frozen=True, slots=True)
class Presentation:
    """One presentation of the VP Token: the Credential Query it answers, its format, and
    the presentation itself (a compact serialization, or a JSON object)."""

    query_id: str
    format: str
    value: str | dict[str, Any]


def parse_authorization_response(
    parameters: Mapping[str, Any],
) -> AuthorizationResponse | WalletError:
    """The response in ``parameters`` (form fields, or a decrypted response's members):
    ``vp_token`` as JSON text or an object; MALFORMED_VALUE_ERROR naming the parameter
    when it is neither a response nor an error, PARSING_ERROR when ``vp_token`` is not
    interoperable JSON (a duplicate member name, say)."""
    state = parameters.get("state")
    if state is not None and (not isinstance(state, str) or not 0 < len(state) <= MAX_STATE):
        raise ParsingError(f"state is 1–{MAX_STATE} characters", code=_MALFORMED, field="state")
    error = parameters.get("error")
    if error is not None:
        if not isinstance(error, str) or not is_error_code(error):
            raise ParsingError("error is an OAuth error code", code=_MALFORMED, field="error")
        description = parameters.get("error_description")
        if description is not None and not isinstance(description, str):
            raise ParsingError(
                "error_description is text", code=_MALFORMED, field="error_description"
            )
        return WalletError(
            error, None if description is None else description[:MAX_DESCRIPTION], state
        )
    token = parameters.get("vp_token")
    if token is None:
        raise ParsingError(
            "an authorization response carries vp_token (or error)",
            code=_MALFORMED,
            field="vp_token",
        )
    if isinstance(token, str):
        token = _json(token)
    if not isinstance(token, dict):
        raise ParsingError(
            "vp_token is a JSON object keyed by Credential Query id",
            code=_MALFORMED,
            field="vp_token",
        )
    return AuthorizationResponse(vp_token=token, state=state)


def presentations_in(vp_token: Mapping[str, Any], query: DcqlQuery) -> list[Presentation]:
    """Every presentation of ``vp_token``, each with the Credential Query it answers, in
    the query's order; MALFORMED_VALUE_ERROR naming the member for a key the query does not
    have, an empty or (without ``multiple``) longer array, or a presentation of the wrong
    kind for its format."""
    unknown = [key for key in vp_token if query.credential(key) is None]
    if unknown:
        raise ParsingError(
            f"the request has no Credential Query {unknown[0]!r}",
            code=_MALFORMED,
            field=f"vp_token.{unknown[0]}",
        )
    found: list[Presentation] = []
    for credential in query.credentials:
        if credential.id not in vp_token:
            continue
        at = f"vp_token.{credential.id}"
        entries = vp_token[credential.id]
        if not isinstance(entries, list) or not entries:
            raise ParsingError("must be a non-empty array", code=_MALFORMED, field=at)
        if len(entries) > 1 and not credential.multiple:
            raise ParsingError(
                "one presentation: the Credential Query does not allow multiple",
                code=_MALFORMED,
                field=at,
            )
        wanted = dict if credential.format == LDP_VC else str
        for index, entry in enumerate(entries):
            if not isinstance(entry, wanted) or not entry:
                kind = "a JSON object" if wanted is dict else "a string"
                raise ParsingError(
                    f"a {credential.format} presentation is {kind}",
                    code=_MALFORMED,
                    field=f"{at}[{index}]",
                )
            found.append(Presentation(credential.id, credential.format, entry))
    if not found:
        raise ParsingError("vp_token holds no presentation", code=_MALFORMED, field="vp_token")
    if len(found) > MAX_PRESENTATIONS:
        raise ParsingError(
            f"at most {MAX_PRESENTATIONS} presentations", code=_MALFORMED, field="vp_token"
        )
    return found


def _json(text: str) -> Any:
    """``text`` parsed as JSON, refusing duplicate member names and NaN/Infinity."""
    try:
        return json.loads(text, object_pairs_hook=_unique, parse_constant=_no_constant)
    except ValueError as error:
        raise ParsingError(f"vp_token is not JSON: {error}", field="vp_token") from None


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names):
        raise ValueError("a member name appears twice")
    return dict(pairs)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")
