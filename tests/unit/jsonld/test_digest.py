"""A context's or schema's digest is its JCS form's SHA-256; what JCS cannot write is refused."""

from __future__ import annotations

import pytest

from vcservice.errors import ParsingError
from vcservice.jsonld.digest import jcs_sha256


def test_the_digest_does_not_depend_on_layout_or_member_order() -> None:
    assert jcs_sha256({"b": [1, 2.5], "a": "é"}) == jcs_sha256({"a": "é", "b": [1, 2.5]})
    assert jcs_sha256({"a": 1}) != jcs_sha256({"a": 2})


@pytest.mark.parametrize("number", [2**53 + 1, -(2**60)])
def test_an_integer_jcs_cannot_write_exactly_is_a_parsing_error(number: int) -> None:
    with pytest.raises(ParsingError, match="RFC 8785"):
        jcs_sha256({"maximum": number})
