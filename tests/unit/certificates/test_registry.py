"""The registry of certificate types: names, slugs, versions, schema locations, lookup by type
and by the context that names the version."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.certificates.support import KINDS, SLUGS, sample
from vcservice.certificates import ALL_VERSIONS, CERTIFICATE_TYPES, by_slug, type_of
from vcservice.certificates.base import CONTEXTS_V1, CONTEXTS_V2
from vcservice.certificates.v1 import ctpat as ctpat_v1
from vcservice.certificates.v1 import immex as immex_v1
from vcservice.certificates.v1 import oea as oea_v1
from vcservice.certificates.v2 import ctpat, immex, oea

V1_CONTEXT, V2_CONTEXT = CONTEXTS_V1[-1], CONTEXTS_V2[-1]


def test_registry_is_keyed_by_credential_type_name() -> None:
    assert set(CERTIFICATE_TYPES) == {"IMMEXCertificate", "CTPATCertificate", "OEACertificate"}
    for name, certificate_type in CERTIFICATE_TYPES.items():
        assert certificate_type.name == name
        assert certificate_type.version == "v2"  # the issued version
    with pytest.raises(TypeError):
        CERTIFICATE_TYPES["X"] = CERTIFICATE_TYPES["OEACertificate"]  # type: ignore[index]
    assert [kind.version for kind in ALL_VERSIONS] == ["v2"] * 3 + ["v1"] * 3


@pytest.mark.parametrize(
    ("slug", "version", "name", "subject_type", "request_model", "subject_model"),
    [
        ("immex", "v1", "IMMEXCertificate", "IMMEXAuthorization", immex_v1.IMMEXRequest,
         immex_v1.IMMEXAuthorization),
        ("ctpat", "v1", "CTPATCertificate", "CTPAT", ctpat_v1.CTPATRequest,
         ctpat_v1.CTPATCertification),
        ("oea", "v1", "OEACertificate", "OEAAuthorization", oea_v1.OEARequest,
         oea_v1.OEAAuthorization),
        ("immex", "v2", "IMMEXCertificate", "IMMEXAuthorization", immex.IMMEXRequest,
         immex.IMMEXAuthorization),
        ("ctpat", "v2", "CTPATCertificate", "CTPAT", ctpat.CTPATRequest,
         ctpat.CTPATCertification),
        ("oea", "v2", "OEACertificate", "OEAAuthorization", oea.OEARequest,
         oea.OEAAuthorization),
    ],
)  # fmt: skip
def test_descriptor(
    slug: str,
    version: str,
    name: str,
    subject_type: str,
    request_model: type,
    subject_model: type,
) -> None:
    certificate_type = by_slug(slug, version)
    assert (certificate_type.name, certificate_type.slug) == (name, slug)
    assert certificate_type.version == version
    assert certificate_type.contexts == {"v1": CONTEXTS_V1, "v2": CONTEXTS_V2}[version]
    assert certificate_type.subject_type == subject_type
    assert certificate_type.request_model is request_model
    assert certificate_type.subject_model is subject_model
    assert certificate_type.schema_url == (
        f"https://w3id.org/vcservice/trade-certificates/schemas/{slug}-{version}.json"
    )
    assert certificate_type.schema_path.name == f"{slug}-{version}.json"
    assert certificate_type.schema_path.parent.name == "schemas"
    assert certificate_type.schema_path.is_file()
    assert certificate_type.default_name
    assert certificate_type.description


def test_by_slug_defaults_to_the_issued_version() -> None:
    for slug in SLUGS:
        assert by_slug(slug) is by_slug(slug, "v2")
        assert by_slug(slug, "v1") is not by_slug(slug, "v2")


@pytest.mark.parametrize(("slug", "version"), KINDS)
def test_the_sample_defaults_match_the_descriptor(slug: str, version: str) -> None:
    credential = sample(slug, version)
    certificate_type = by_slug(slug, version)
    assert credential["@context"] == list(certificate_type.contexts)
    assert credential["name"] == certificate_type.default_name
    assert credential["description"] == certificate_type.description
    assert credential["credentialSubject"]["type"] == [certificate_type.subject_type]


@pytest.mark.parametrize(("slug", "version"), [("usmca", "v2"), ("immex", "v3"), ("IMMEX", "v1")])
def test_by_slug_refuses_an_unknown_slug_or_version(slug: str, version: str) -> None:
    with pytest.raises(KeyError, match="choose from ctpat, immex, oea"):
        by_slug(slug, version)


@pytest.mark.parametrize(("slug", "version"), KINDS)
def test_type_of_a_sample(slug: str, version: str) -> None:
    assert type_of(sample(slug, version)) is by_slug(slug, version)


def credential(types: Any, contexts: Any = CONTEXTS_V2) -> dict[str, Any]:
    return {"@context": list(contexts), "type": types}


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
    assert type_of(credential(types)) is None


def test_type_of_accepts_a_single_string_and_any_order() -> None:
    assert type_of(credential("CTPATCertificate")) is by_slug("ctpat")
    assert type_of(credential(["OEACertificate", "VerifiableCredential"])) is by_slug("oea")


@pytest.mark.parametrize(
    ("contexts", "version"),
    [
        (list(CONTEXTS_V1), "v1"),
        (list(CONTEXTS_V2), "v2"),
        ([*CONTEXTS_V1, "https://w3id.org/security/data-integrity/v2"], "v1"),
        ([V2_CONTEXT, *CONTEXTS_V2[:2]], "v2"),  # the order is the schema's business
        ([*CONTEXTS_V2, V1_CONTEXT], None),  # both versions
        (list(CONTEXTS_V2[:2]), None),  # neither
        ([], None),
        ("https://w3id.org/vcservice/trade-certificates/v2", "v2"),  # a lone string
        (["https://w3id.org/vcservice/trade-certificates/v3"], None),
    ],
)
def test_type_of_reads_the_version_from_the_context(contexts: Any, version: str | None) -> None:
    document = {"@context": contexts, "type": ["VerifiableCredential", "IMMEXCertificate"]}
    expected = None if version is None else by_slug("immex", version)
    assert type_of(document) is expected
