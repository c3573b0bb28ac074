"""A throwaway SoftHSM2 for the PKCS#11 key store: tokens in a temporary directory.

``softhsm`` (session scope) writes a SoftHSM2 configuration whose token directory is
temporary, points ``SOFTHSM2_CONF`` at it and initialises every token the tests use, all
before the first test loads the module: SoftHSM reads its configuration and tokens once, at
``C_Initialize``, and the library stays loaded for the rest of the process. The tests skip
with the reason when ``softhsm2`` (Debian) or ``python-pkcs11`` is missing, and fail
instead when ``VCSERVICE_TEST_REQUIRE_SOFTHSM=1`` (``scripts/test.sh`` installs both).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn

import pytest

MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")
TOKEN = "vcservice-test"  # the service's keys
OTHER_TOKEN = "vcservice-other"  # for keys recorded in another token, and PIN failures
PIN, SO_PIN = "4321-user", "8765-so"
REQUIRE = "VCSERVICE_TEST_REQUIRE_SOFTHSM"  # scripts/test.sh sets it: fail, do not skip


@dataclass(frozen=True)
class SoftHsm:
    """The SoftHSM2 module, its configuration and the user PIN of every token."""

    module: Path
    config: Path
    pin: str = PIN

    def settings(self, token: str = TOKEN, **overrides: Any) -> dict[str, Any]:
        """``Settings`` arguments for a service whose authorities' keys live in ``token``."""
        return {
            "key_store": "pkcs11",
            "pkcs11_module": self.module,
            "pkcs11_token_label": token,
            "pkcs11_pin": self.pin,
        } | overrides


def require_pkcs11() -> ModuleType:
    """python-pkcs11, imported at the top of a test module; skips the module without it."""
    if importlib.util.find_spec("pkcs11") is None:
        _absent("python-pkcs11 is not installed (scripts/test.sh installs it from uv.lock)")
    return importlib.import_module("pkcs11")


def _absent(reason: str) -> NoReturn:
    if os.environ.get(REQUIRE) == "1":
        pytest.fail(f"{reason}, but {REQUIRE}=1", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def _missing() -> str | None:
    if shutil.which("softhsm2-util") is None or not MODULE.exists():
        return f"SoftHSM2 is not installed (apt-get install softhsm2: softhsm2-util, {MODULE})"
    if importlib.util.find_spec("pkcs11") is None:
        return "python-pkcs11 is not installed (scripts/test.sh installs it from uv.lock)"
    return None


@pytest.fixture(scope="session")
def softhsm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SoftHsm]:
    """SoftHSM2 with the tokens ``TOKEN`` and ``OTHER_TOKEN``, in a temporary directory."""
    reason = _missing()
    if reason is not None:
        _absent(reason)
    directory = tmp_path_factory.mktemp("softhsm")
    tokens = directory / "tokens"
    tokens.mkdir()
    config = directory / "softhsm2.conf"
    config.write_text(
        f"directories.tokendir = {tokens}\nobjectstore.backend = file\n"
        "log.level = ERROR\nslots.removable = false\n",
        encoding="utf-8",
    )
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(config)  # for this process and every one it starts
    credentials = ("--pin", PIN, "--so-pin", SO_PIN)
    for label in (TOKEN, OTHER_TOKEN):
        subprocess.run(
            ["softhsm2-util", "--init-token", "--free", "--label", label, *credentials],
            check=True,
            capture_output=True,
        )
    yield SoftHsm(MODULE, config)
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous
