"""A verification runs on the event loop, and again on a worker thread only if it needs the
network: the first attempt stops at its first fetch, before any budget is spent."""

from __future__ import annotations

import asyncio
import threading

import pytest

from vcservice.api.offload import verify_here_or_in_thread
from vcservice.net.waiting import WouldWait, network_waits_refused, refuse_if_waits_refused


def test_local_work_runs_once_on_the_loop() -> None:
    threads: list[str] = []

    def verification() -> str:
        threads.append(threading.current_thread().name)
        return "verified"

    async def serve() -> tuple[str, str]:
        return await verify_here_or_in_thread(verification), threading.current_thread().name

    answer, loop_thread = asyncio.run(serve())
    assert answer == "verified"
    assert threads == [loop_thread]


def test_work_that_would_fetch_runs_again_on_a_worker_thread() -> None:
    attempts: list[tuple[str, bool]] = []

    def verification() -> str:
        try:
            refuse_if_waits_refused("https://issuer.example/did.json")
        except WouldWait:
            attempts.append((threading.current_thread().name, True))
            raise
        attempts.append((threading.current_thread().name, False))
        return "fetched and verified"

    async def serve() -> tuple[str, str]:
        return await verify_here_or_in_thread(verification), threading.current_thread().name

    answer, loop_thread = asyncio.run(serve())
    assert answer == "fetched and verified"
    assert [refused for _, refused in attempts] == [True, False]
    assert attempts[0][0] == loop_thread != attempts[1][0]


def test_waits_are_refused_only_inside_the_block() -> None:
    refuse_if_waits_refused("https://issuer.example/did.json")
    with network_waits_refused(), pytest.raises(WouldWait):
        refuse_if_waits_refused("https://issuer.example/did.json")
    refuse_if_waits_refused("https://issuer.example/did.json")
