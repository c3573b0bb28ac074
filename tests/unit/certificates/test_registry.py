"""The registry of certificate types: names, slugs, schema locations, lookup by type."""

from __future__ import annotations

import pytest

from tests.unit.certificates.support import SLUGS, sample
from vcservice.certificates import CERTIFICATE_TYPES, by_slug, type_of
from vcservice.certificates.v1.ctpat import CTPATCertification, CTPATRequest
from vcservice.certificates.v1.immex import IMMEXAuthorization, IMMEXRequest
from vcservice.certificates.v1.oea import OEAAuthorization, OEARequest


def test_registry_is_keyed_by_credential_type_name() -> None:
    assert set(CERTIFICATE_TYPES) == {"IMMEXCertificate", "CTPATCertificate", "OEACertificate"}
    for name, certificate_type in CERTIFICATE_TYPES.items():
        assert certificate_type.name == name
    with pytest.raises(TypeError):
        CERTIFICATE_TYPES["X"] = CERTIFICATE_TYPES["OEACertificate"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("slug", "name", "subject_type", "request_model", "subject_model"),
    [
        ("immex", "IMMEXCertificate", "IMMEXAuthorization", IMMEXRequest, IMMEXAuthorization),
        ("ctpat", "CTPATCertificate", "CTPAT", CTPATRequest, CTPATCertification),
        ("oea", "OEACertificate", "OEAAuthorization", OEARequest, OEAAuthorization),
    ],
)
def test_descriptor(
    slug: str, name: str, subject_type: str, request_model: type, subject_model: type
) -> None:
    certificate_type = by_slug(slug)
    assert certificate_type.name == name
    assert certificate_type.slug == slug
    assert certificate_type.subject_type == subject_type
    assert certificate_type.request_model is request_model
    assert certificate_type.subject_model is subject_model
    assert certificate_type.schema_url == (
        f"https://w3id.org/vcservice/trade-certificates/schemas/{slug}-v1.json"
    )
    assert certificate_type.schema_path.name == f"{slug}-v1.json"
    assert certificate_type.schema_path.parent.name == "schemas"
    assert certificate_type.schema_path.is_file()
    assert certificate_type.default_name
    assert certificate_type.description


@pytest.mark.parametrize("slug", SLUGS)
def test_the_sample_defaults_match_the_descriptor(slug: str) -> None:
    credential = sample(slug)
    certificate_type = by_slug(slug)
    assert credential["name"] == certificate_type.default_name
    assert credential["description"] == certificate_type.description
    assert credential["credentialSubject"]["type"] == [certificate_type.subject_type]


def test_by_slug_refuses_an_unknown_slug() -> None:
    with pytest.raises(KeyError, match="choose from ctpat, immex, oea"):
        by_slug("usmca")


@pytest.mark.parametrize("slug", SLUGS)
def test_type_of_a_sample(slug: str) -> None:
    assert type_of(sample(slug)) is by_slug(slug)


@pytest.mark.parametrize(
    "types",
    [
        ["VerifiableCredential"],
        ["VerifiableCredential", "IMMEXCertificate", "OEACertificate"],
        "VerifiableCredential",
        None,
        [5, {"IMMEXCertificate": 1}],
    ],
)
def test_type_of_is_none_unless_exactly_one_certificate_type(types: object) -> None:
    assert type_of({"type": types}) is None


def test_type_of_accepts_a_single_string_and_any_order() -> None:
    assert type_of({"type": "CTPATCertificate"}) is by_slug("ctpat")
    assert type_of({"type": ["OEACertificate", "VerifiableCredential"]}) is by_slug("oea")
