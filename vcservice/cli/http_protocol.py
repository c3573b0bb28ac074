"""uvicorn's compiled HTTP/1.1 protocol, answering each response in one write.

uvicorn writes a response's head as soon as the application starts it and its body when the
body comes: two writes, so two TCP segments (the sockets are TCP_NODELAY) and two wake-ups
of the client, for every small JSON answer. Here the writes made in one turn of the event
loop leave together at the end of it: a head and the body sent right after it go as one
segment. A response streamed over several turns still leaves as it is produced.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["CoalescingHttpToolsProtocol"]


class _CoalescingTransport:
    """A transport whose writes in one turn of ``loop`` are sent as one, at its end."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []

    def write(self, data: bytes) -> None:
        """Queue ``data`` for the end of this turn (in order with the turn's other writes)."""
        if not self._pending:
            self._loop.call_soon(self._flush)
        self._pending.append(data)

    def close(self) -> None:
        """Send what is queued, then close."""
        self._flush()
        self._transport.close()

    def _flush(self) -> None:
        if not self._pending:
            return
        data = b"".join(self._pending)
        self._pending.clear()
        if not self._transport.is_closing():
            self._transport.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class CoalescingHttpToolsProtocol(HttpToolsProtocol):
    """``HttpToolsProtocol`` over a transport that sends each turn's writes as one."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Serve the connection through the coalescing transport."""
        coalescing: Any = _CoalescingTransport(transport, self.loop)
        super().connection_made(coalescing)
