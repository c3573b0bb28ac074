"""The verifier's purge runs on a schedule, survives failures, and stops cleanly."""

from __future__ import annotations

import asyncio
import logging
import threading

import pytest

from vcservice.api.purge import purging


def test_purges_repeat_until_the_block_ends_and_none_runs_after() -> None:
    calls: list[str] = []

    def purge() -> dict[str, int]:
        calls.append(threading.current_thread().name)
        return {"expired challenges": 0}

    async def serve() -> None:
        async with purging(purge, 0.01):
            await asyncio.sleep(0.2)
        stopped_at = len(calls)
        await asyncio.sleep(0.05)
        assert len(calls) == stopped_at

    asyncio.run(serve())
    assert len(calls) >= 3
    assert threading.main_thread().name not in calls  # the database is not used on the loop


def test_a_failed_purge_is_logged_and_the_next_one_still_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    purged = {"expired challenges": 3, "exchanges past retention": 1}
    outcomes: list[BaseException | dict[str, int]] = [OSError("database away"), purged]

    def purge() -> dict[str, int]:
        outcome = outcomes.pop(0) if outcomes else {"expired challenges": 0}
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    async def serve() -> None:
        async with purging(purge, 0.01):
            while outcomes:
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.02)

    with caplog.at_level(logging.INFO, logger="vcservice.api.purge"):
        asyncio.run(serve())
    messages = [record.getMessage() for record in caplog.records]
    assert "purging what expired failed" in messages
    assert "purged 3 expired challenges, 1 exchanges past retention" in messages


def test_leaving_waits_for_a_purge_under_way() -> None:
    finished = threading.Event()
    started = threading.Event()

    def purge() -> dict[str, int]:
        started.set()
        finished.wait(1)
        return {}

    async def serve() -> None:
        async with purging(purge, 0.01):
            while not started.is_set():
                await asyncio.sleep(0.005)
            asyncio.get_running_loop().call_later(0.05, finished.set)
        assert finished.is_set()  # the block ended only after the purge did

    asyncio.run(serve())
