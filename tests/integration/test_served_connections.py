"""Connections ``vcservice serve`` accepts have TCP_NODELAY, with one worker or several.

Why it matters: a keep-alive response is written in two parts (headers, body); with Nagle's
algorithm on, the second waits for the client's delayed ACK, ~40 ms on Linux, on every
request after the first. Up to uvicorn 0.54 the socket it binds for ``--workers N`` had
protocol 0, so asyncio never set TCP_NODELAY on accepted connections and this service carried
its own socket class; uvicorn 0.55 (the lowest version pyproject.toml allows) binds it as
IPPROTO_TCP and the workaround is gone. This test looks at the accepted connection inside the
serving worker itself (``pidfd_getfd``), so it holds whichever part provides the option.
"""

from __future__ import annotations

import ctypes
import os
import socket
from pathlib import Path

import pytest

from tests.integration.serving import holder_of, serve_process, server_side_inode, workers_of

pytestmark = [pytest.mark.slow]

SYS_PIDFD_GETFD = 438  # the same number on every Linux architecture (generic syscall table)


def _nodelay_in(pid: int, fd: int) -> int:
    """TCP_NODELAY of file descriptor ``fd`` of process ``pid``, read through a duplicate."""
    libc = ctypes.CDLL(None, use_errno=True)
    pidfd = os.pidfd_open(pid)
    try:
        duplicate = libc.syscall(SYS_PIDFD_GETFD, pidfd, fd, 0)
        if duplicate < 0:
            raise OSError(ctypes.get_errno(), "pidfd_getfd failed")
    finally:
        os.close(pidfd)
    with socket.socket(fileno=duplicate) as connection:
        return connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


@pytest.mark.parametrize("workers", [1, 2], ids=["one-worker", "two-workers"])
def test_accepted_connections_have_tcp_nodelay(
    tmp_path: Path, context_store_dir: Path, workers: int
) -> None:
    with serve_process(
        tmp_path,
        context_store_dir,
        database_url=f"sqlite:///{tmp_path / 'vcservice.db'}",
        arguments=["--workers", str(workers)],
    ) as served:
        port = int(served.url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=30) as client:
            client.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
            assert client.recv(4096).startswith(b"HTTP/1.1 200")
            inode = server_side_inode(port, client.getsockname()[1])
            serving = workers_of(served.process.pid) if workers > 1 else [served.process.pid]
            assert len(serving) == workers
            pid, fd = holder_of(inode, serving)
            assert _nodelay_in(pid, fd) == 1
