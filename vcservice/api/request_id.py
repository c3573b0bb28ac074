"""Request ids: each request gets one, the services see it with the caller, the response says it.

The id is the client's ``X-Request-Id`` when that is a sane token (1–100 of
``A-Z a-z 0-9 . _ -``), else a new random one; either way the response carries it in
``X-Request-Id``. The dependencies that check a request's token name its caller in the
same context (``admin``, or the client id); the audit log records both
(``vcservice.audit.context``).
"""

from __future__ import annotations

import re
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vcservice.audit.context import RequestContext, request_scope

REQUEST_ID_HEADER = "X-Request-Id"
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,100}")


def request_id_for(sent: str | None) -> str:
    """The id a request goes by: ``sent`` if it is a sane token, else 32 new hex digits."""
    if sent is not None and _SANE_ID.fullmatch(sent):
        return sent
    return uuid.uuid4().hex


class RequestIds:
    """ASGI middleware: the request's id for the services (and its caller, once known), its id
    in the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request inside its ``request_scope``, answering with ``X-Request-Id``."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        context = RequestContext(request_id_for(headers.get(REQUEST_ID_HEADER)))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = context.request_id
            await send(message)

        with request_scope(context):
            await self.app(scope, receive, send_with_id)
