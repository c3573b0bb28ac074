"""``vcservice serve --workers N`` listens on a socket whose connections get TCP_NODELAY."""

from __future__ import annotations

import asyncio
import socket

import uvicorn

from vcservice.cli.server import APP_FACTORY, TcpServerConfig


async def _nodelay_of_an_accepted_connection(listening: socket.socket) -> int:
    accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connection = writer.get_extra_info("socket")
        accepted.set_result(connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        writer.close()

    server = await asyncio.start_server(handle, sock=listening)
    port = listening.getsockname()[1]
    _, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        return await asyncio.wait_for(accepted, timeout=10)
    finally:
        writer.close()
        server.close()
        await server.wait_closed()


def test_the_workers_socket_gives_connections_tcp_nodelay() -> None:
    config = TcpServerConfig(APP_FACTORY, factory=True, host="127.0.0.1", port=0, workers=2)
    listening = config.bind_socket()
    assert listening.proto == socket.IPPROTO_TCP and listening.get_inheritable()
    assert asyncio.run(_nodelay_of_an_accepted_connection(listening)) != 0


def test_uvicorns_own_socket_would_not() -> None:
    """Why ``TcpServerConfig`` exists: the socket uvicorn binds leaves Nagle on for connections."""
    listening = uvicorn.Config(APP_FACTORY, host="127.0.0.1", port=0).bind_socket()
    assert asyncio.run(_nodelay_of_an_accepted_connection(listening)) == 0
