"""Fixtures of the certificate tests: the upstream traceability C-TPAT schema, plain and
with the pinned overlay (``tests.upstream_ctpat``); both skip without ../shared."""

from __future__ import annotations

from typing import Any

import pytest

from tests.upstream_ctpat import apply_overlay, upstream_schema


@pytest.fixture(scope="session")
def upstream() -> dict[str, Any]:
    return upstream_schema()


@pytest.fixture(scope="session")
def patched(upstream: dict[str, Any]) -> dict[str, Any]:
    return apply_overlay(upstream)
