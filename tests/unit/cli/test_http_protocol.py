"""The served protocol sends the writes of one event-loop turn as one (a response's head and
body in one TCP segment), in order, and nothing is lost when the connection closes."""

from __future__ import annotations

import asyncio
from typing import Any

from vcservice.cli.http_protocol import _CoalescingTransport


class RecordingTransport:
    """A transport that records each write it is given."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str) -> Any:
        return f"extra {name}"


def _coalescing(loop: asyncio.AbstractEventLoop) -> tuple[Any, RecordingTransport]:
    recording = RecordingTransport()
    return _CoalescingTransport(recording, loop), recording  # type: ignore[arg-type]


def test_the_writes_of_one_turn_leave_as_one_at_its_end() -> None:
    async def respond() -> list[bytes]:
        transport, recording = _coalescing(asyncio.get_running_loop())
        transport.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
        transport.write(b"{}")
        assert recording.writes == []  # nothing sent within the turn
        await asyncio.sleep(0)
        transport.write(b"HTTP/1.1 204 No Content\r\n\r\n")
        await asyncio.sleep(0)
        return recording.writes

    assert asyncio.run(respond()) == [
        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}",
        b"HTTP/1.1 204 No Content\r\n\r\n",
    ]


def test_closing_sends_what_is_queued_first() -> None:
    async def respond_and_close() -> RecordingTransport:
        transport, recording = _coalescing(asyncio.get_running_loop())
        transport.write(b"HTTP/1.1 200 OK\r\n\r\n")
        transport.close()
        await asyncio.sleep(0)  # the flush scheduled by the write finds nothing left
        return recording

    recording = asyncio.run(respond_and_close())
    assert recording.writes == [b"HTTP/1.1 200 OK\r\n\r\n"]
    assert recording.closed


def test_everything_else_is_the_transport_s_own() -> None:
    transport, _ = _coalescing(asyncio.new_event_loop())
    assert transport.get_extra_info("peername") == "extra peername"
