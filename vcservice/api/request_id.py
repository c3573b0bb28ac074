"""Request ids: each request gets one, the services see it with the caller, the response says it.

The id is the client's ``X-Request-Id`` when that is a sane token (1–100 of
``A-Z a-z 0-9 . _ -``), else a new random one; either way the response carries it in
``X-Request-Id``. The caller is ``admin`` for the admin token and the client id for a
valid access token; the audit log records both (``vcservice.audit.context``). Naming the
caller here authorises nothing: the routes' dependencies still check every token.
"""

from __future__ import annotations

import re
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vcservice.audit.context import ADMIN, RequestContext, request_scope
from vcservice.errors import VcError
from vcservice.services.access import check_admin_token
from vcservice.services.container import Services

REQUEST_ID_HEADER = "X-Request-Id"
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,100}")


def request_id_for(sent: str | None) -> str:
    """The id a request goes by: ``sent`` if it is a sane token, else 32 new hex digits."""
    if sent is not None and _SANE_ID.fullmatch(sent):
        return sent
    return uuid.uuid4().hex


def caller_of(services: Services | None, headers: Headers) -> str | None:
    """``admin`` or the client id the request's Bearer token proves, else None."""
    scheme, _, token = headers.get("authorization", "").partition(" ")
    token = token.strip()
    if services is None or scheme.lower() != "bearer" or not token:
        return None
    if check_admin_token(services.admin_token, token):
        return ADMIN
    try:
        return services.tokens.verify(token).client_id
    except VcError:
        return None


class RequestIds:
    """ASGI middleware: the request's id and caller for the services, its id in the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request inside its ``request_scope``, answering with ``X-Request-Id``."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        services: Services | None = getattr(scope["app"].state, "services", None)
        context = RequestContext(
            request_id_for(headers.get(REQUEST_ID_HEADER)), caller_of(services, headers)
        )

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = context.request_id
            await send(message)

        with request_scope(context):
            await self.app(scope, receive, send_with_id)
