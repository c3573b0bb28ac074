"""Every problem code the package can produce has English and Spanish text."""

from __future__ import annotations

import re
from pathlib import Path

from vcservice.errors import Problem
from vcservice.messages import CATALOG, problem_details

PACKAGE = Path(__file__).resolve().parents[2] / "vcservice"
CODE_PATTERNS = (
    re.compile(r'code\s*=\s*"([A-Z][A-Z_]+)"'),
    re.compile(r'Problem\(\s*"([A-Z][A-Z_]+)"'),
    re.compile(r'Problem\(\s*code="([A-Z][A-Z_]+)"'),
    re.compile(r'_problem\(\s*"([A-Z][A-Z_]+)"'),
)


def _codes_in_source() -> set[str]:
    codes: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for pattern in CODE_PATTERNS:
            codes.update(pattern.findall(text))
    return codes


def test_every_code_in_the_source_is_in_the_catalog() -> None:
    codes = _codes_in_source()
    assert len(codes) > 20  # the scan itself works
    assert sorted(codes - set(CATALOG)) == []


def test_every_catalog_entry_is_bilingual_and_distinct() -> None:
    for code, message in CATALOG.items():
        assert message.en and message.es and message.en != message.es, code
        assert message.namespace.startswith("https://"), code


def test_unknown_codes_still_render() -> None:
    [detail] = problem_details([Problem("SOMETHING_NEW", "detail text", "field")])
    assert detail["code"] == "SOMETHING_NEW" and detail["field"] == "field"
    assert detail["i18n"]["es"]["title"]
