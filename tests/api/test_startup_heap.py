"""A served process starts warm: contexts processed, then its start-up heap frozen."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from vcservice.services.container import build_services
from vcservice.settings import Settings

# In a child process: freezing is process-wide, and this test process hosts many apps.
SCRIPT = """
import gc, sys
from fastapi.testclient import TestClient
from vcservice.api.app import create_app_from_environment
before = gc.get_freeze_count()
app = create_app_from_environment()
with TestClient(app) as client:
    assert client.get("/healthz").status_code == 200
    # The walker's memos: documents' contexts, scoped contexts, term rules.
    embedded, scoped, rules = app.state.services.core.processor.memos()[:3]
    print(before, gc.get_freeze_count(), min(len(embedded), len(scoped), len(rules)))
"""


def test_the_environment_factory_warms_up_then_freezes_the_heap(
    tmp_path: Path, context_store_dir: Path
) -> None:
    environment = {
        "VCSERVICE_DATA_DIR": str(tmp_path / "data"),
        "VCSERVICE_CONTEXT_STORE": str(context_store_dir),
        "VCSERVICE_DEV_MODE": "true",
        "PATH": "/usr/bin:/bin",
    }
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    before, after, smallest_memo = map(int, run.stdout.split())
    assert before == 0 and after > 100_000
    assert smallest_memo > 0  # the certificates' contexts were processed before serving


def test_a_service_without_its_contexts_still_starts(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(data_dir=tmp_path / "data", context_store=tmp_path / "no-contexts")
    services = build_services(settings)
    try:
        services.warm_up()
    finally:
        services.close()
    assert "warm-up skipped" in caplog.text
