"""The wheel carries what the service reads at run time: the pinned contexts and the schemas."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from vcservice.certificates.samples import SAMPLE_NAMES, VERSIONS
from vcservice.certificates.schema_files import SCHEMAS_DIR
from vcservice.jsonld.manifest import default_contexts_dir

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "vcservice" / "web"


def test_the_wheel_ships_contexts_and_schemas(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "--quiet",
            "--wheel-dir",
            str(tmp_path),
        ],
        check=True,
        timeout=300,
    )
    [wheel] = tmp_path.glob("vcservice-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    manifest = json.loads((default_contexts_dir() / "manifest.json").read_text())
    bundled = {
        f"vcservice/data/contexts/{entry['file']}"
        for entry in manifest["contexts"].values()
        if entry.get("file")
    }
    schemas = {f"vcservice/data/schemas/{path.name}" for path in SCHEMAS_DIR.glob("*.json")}
    # each type in each version of the certificate data: v2 issued, v1 still verifying
    expected = {
        f"vcservice/data/schemas/{slug}-{version}.json"
        for slug in SAMPLE_NAMES
        for version in VERSIONS
    } | {"vcservice/data/schemas/trust-list-v1.json"}  # the trust lists' (vcservice.trust)
    samples = {
        f"vcservice/certificates/samples/{slug}-{version}.json"
        for slug in SAMPLE_NAMES
        for version in VERSIONS
    }
    assert "vcservice/data/contexts/manifest.json" in names
    assert "vcservice/data/contexts/trade-certificates-vocab.jsonld" in names
    assert {
        "vcservice/data/contexts/trade-certificates-v1.jsonld",
        "vcservice/data/contexts/trade-certificates-v2.jsonld",
    } <= bundled
    assert bundled and bundled <= names
    assert schemas == expected and schemas <= names
    assert samples <= names  # the warm-up reads the samples of both versions
    pages = {
        "vcservice/printing/payload-dictionary-v1.txt",
        *(f"vcservice/web/templates/{path.name}" for path in WEB.glob("templates/*.html")),
        *(f"vcservice/web/static/{path.name}" for path in WEB.glob("static/*")),
    }
    assert len(pages) > 6 and pages <= names  # the verify page and printable certificates
