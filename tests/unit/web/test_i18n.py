"""The reader's language, and every page word in both languages."""

from __future__ import annotations

import pytest

from vcservice.certificates import ALL_VERSIONS
from vcservice.printing.labels import Text
from vcservice.web.i18n import DATA_VERSIONS, STRINGS, data_version, negotiate
from vcservice.web.verdicts import CHECKS


@pytest.mark.parametrize(
    ("accept_language", "requested", "language"),
    [
        (None, None, "en"),
        ("es-MX,es;q=0.9,en;q=0.8", None, "es"),
        ("fr-CA, en;q=0.4, es;q=0.7", None, "es"),
        ("en-US, es-MX", None, "en"),  # equal weights: the first
        ("es;q=0, en;q=0.1", None, "en"),
        ("fr, de", None, "en"),
        ("es;q=banana, en;q=2", None, "en"),  # malformed weights count for nothing
        ("es-MX", "en", "en"),  # asked for beats preferred
        ("es-MX", "fr", "es"),  # an unknown request is ignored
    ],
)
def test_the_language_is_negotiated(
    accept_language: str | None, requested: str | None, language: str
) -> None:
    assert negotiate(accept_language, requested) == language


def test_every_string_is_in_both_languages() -> None:
    for key, text in {**STRINGS, **CHECKS}.items():
        assert text.en.strip() and text.es.strip(), key
        assert text.en != text.es, key


def test_every_check_the_verifier_runs_has_a_name() -> None:
    credential_checks = {
        "structure",
        "proof",
        "issuer",
        "issuerTrust",
        "validityPeriod",
        "credentialSchema",
        "status",
    }
    presentation_checks = {"holder", "credentials", "holderBinding", "credentialTypes"}
    assert set(CHECKS) == credential_checks | presentation_checks


def test_every_version_of_the_certificate_data_is_named() -> None:
    assert {kind.version for kind in ALL_VERSIONS} == set(DATA_VERSIONS)
    assert data_version("v1") == Text("v1 (legacy)", "v1 (anterior)")
    assert data_version("v2") == Text.same("v2")
    assert data_version("v9") == Text.same("v9")  # a newer one reads as it is
