"""The change counter is read once per verification, and an answer read at one counter value
is used only while the counter stands there."""

from __future__ import annotations

import pytest

from vcservice.errors import StorageError
from vcservice.services.freshness import Freshness, Memo


class Counter:
    """A database's change counter, and how often it was read."""

    def __init__(self) -> None:
        self.value = 0
        self.reads = 0
        self.down = False

    def read(self) -> int:
        self.reads += 1
        if self.down:
            raise StorageError("the database request failed", code="STORAGE_ERROR")
        return self.value


def test_a_verification_reads_the_counter_once_however_many_lookups() -> None:
    counter = Counter()
    freshness = Freshness(counter.read)
    with freshness.held():
        assert [freshness.current() for _ in range(3)] == [0, 0, 0]
        with freshness.held():  # a presentation's credential: the presentation's value
            counter.value = 5
            assert freshness.current() == 0
    assert counter.reads == 1
    assert freshness.current() == 5  # outside a verification, each lookup reads


def test_an_answer_is_read_again_once_the_counter_moved() -> None:
    counter = Counter()
    memo: Memo[str, str] = Memo(Freshness(counter.read), max_entries=8)
    reads: list[str] = []

    def read(answer: str) -> str:
        reads.append(answer)
        return answer

    assert memo.get("sat", lambda: read("accredited")) == "accredited"
    assert memo.get("sat", lambda: read("withdrawn")) == "accredited"  # kept: nothing changed
    counter.value += 1  # another process withdrew it
    assert memo.get("sat", lambda: read("withdrawn")) == "withdrawn"
    assert reads == ["accredited", "withdrawn"]


def test_an_answer_of_none_is_kept_too() -> None:
    counter = Counter()
    memo: Memo[str, str | None] = Memo(Freshness(counter.read), max_entries=8)
    assert memo.get("nobody", lambda: None) is None
    assert memo.get("nobody", lambda: "found") is None


def test_a_database_that_cannot_answer_holds_nothing() -> None:
    counter = Counter()
    counter.down = True
    freshness = Freshness(counter.read)
    with freshness.held(), pytest.raises(StorageError):
        freshness.current()  # the lookup meets the failure itself
