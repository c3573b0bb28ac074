"""Secret files (key-encryption key, token key, admin token): owner-only, created atomically."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["SECRET_FILE_MODE", "create_secret_file", "ensure_secret_file"]

SECRET_FILE_MODE = 0o600


def create_secret_file(path: Path, content: bytes) -> bool:
    """Create ``path`` with ``content`` and mode 0600; False (nothing written) if it exists.

    The content is written to a private temporary file first and then hard-linked into
    place, so a concurrent reader sees either no file or the whole file, and an existing
    secret is never overwritten.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "wb") as file:
            os.fchmod(file.fileno(), SECRET_FILE_MODE)
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            Path(temporary).unlink()


def ensure_secret_file(path: Path, make: Callable[[], bytes]) -> bool:
    """Create ``path`` with ``make()`` unless it exists; True if this call created it."""
    return not path.exists() and create_secret_file(path, make())
