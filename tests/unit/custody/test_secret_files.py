"""Secret files: mode 0600, created atomically, never overwritten."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from vcservice.custody import create_secret_file, ensure_secret_file


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o077])
def test_created_with_mode_0600_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    path = tmp_path / "secret"
    old_umask = os.umask(umask)
    try:
        created = create_secret_file(path, b"s3cret")
    finally:
        os.umask(old_umask)

    assert created
    assert path.read_bytes() == b"s3cret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_existing_file_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    path.write_bytes(b"first")

    assert not create_secret_file(path, b"second")
    assert path.read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["secret"]  # no temporary file left


def test_ensure_makes_the_content_only_once(tmp_path: Path) -> None:
    path = tmp_path / "data" / "secret"
    calls: list[int] = []

    def make() -> bytes:
        calls.append(1)
        return b"value"

    assert ensure_secret_file(path, make)
    assert not ensure_secret_file(path, make)
    assert calls == [1]
    assert path.read_bytes() == b"value"
