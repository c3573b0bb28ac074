"""Headless Chromium for the page tests: Debian's ``chromium`` driven through its ``chromedriver``.

Started by the tests with a fresh profile and the flags that work on this machine. When
the browser, the driver or Selenium is missing the tests skip, saying which; with
``VCSERVICE_TEST_REQUIRE_BROWSER=1`` (``scripts/test.sh`` sets it, after installing them)
they fail instead. Screenshots go to ``test-artifacts/browser/`` (git-ignored), or below
``$VCSERVICE_TEST_ARTIFACTS``.
"""

from __future__ import annotations

import importlib.util
import io
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO_ROOT

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1100,1400",
)
WAIT_SECONDS = 20
ARTIFACTS = Path(os.environ.get("VCSERVICE_TEST_ARTIFACTS", REPO_ROOT / "test-artifacts"))


def require_browser() -> tuple[str, str]:
    """The paths of chromium and chromedriver; skip (or fail, where required) without them."""
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    missing = [
        name
        for name, found in (
            ("chromium", chromium),
            ("chromedriver (Debian chromium-driver)", driver),
            ("selenium", importlib.util.find_spec("selenium")),
        )
        if not found
    ]
    if missing:
        reason = f"browser tests need {', '.join(missing)} (scripts/test.sh installs them)"
        if os.environ.get("VCSERVICE_TEST_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    assert chromium is not None and driver is not None
    return chromium, driver


@contextmanager
def chromium(profile: Path) -> Iterator[Any]:
    """A headless Chromium with a fresh profile in ``profile``, quit when the block ends."""
    binary, driver_path = require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        yield driver
    finally:
        driver.quit()


def prefer_language(driver: Any, accept_language: str) -> None:
    """Send ``Accept-Language: accept_language`` from now on, as a browser set so would."""
    driver.execute_cdp_cmd(
        "Network.setExtraHTTPHeaders", {"headers": {"Accept-Language": accept_language}}
    )


def wait_for(driver: Any, css: str) -> Any:
    """The element matching ``css``, once it is there."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT_SECONDS).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css))
    )


def screenshot(driver: Any, directory: Path, name: str) -> Path:
    """A full-page PNG of what the browser shows, saved as ``directory/name.png``."""
    import base64

    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
    size = metrics["cssContentSize"]
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
        },
    )
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.png"
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def read_qr_codes(png: bytes) -> list[str]:
    """The texts of the QR codes in a PNG image (zxing-cpp, a real decoder)."""
    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp reads the QR codes")
    image_module = pytest.importorskip("PIL.Image", reason="Pillow loads the screenshots")
    image = image_module.open(io.BytesIO(png)).convert("L")
    return [
        found.text
        for found in zxingcpp.read_barcodes(image)
        if found.format == zxingcpp.BarcodeFormat.QRCode
    ]
