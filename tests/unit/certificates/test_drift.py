"""Property tests that keep the models, the JSON Schemas and the JSON-LD context in step.

- Request data drawn from hand-written strategies (support.py) is accepted by the
  request model, and the credential built from it passes the schema and the subject
  model and expands in safe mode with every value kept.
- One random change to a valid credential's subject makes the subject model and the
  schema (with its rules) disagree on nothing: both accept it, or both name the same
  fields.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.unit.certificates.support import (
    KINDS,
    build,
    certificate_type,
    fields,
    lost_values,
    requests,
    subject_problems,
)
from vcservice.certificates.schemas import validate_credential

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.mark.parametrize(("slug", "version"), KINDS)
@SETTINGS
@given(data=st.data())
def test_valid_requests_build_valid_credentials(
    slug: str, version: str, data: st.DataObject
) -> None:
    kind = certificate_type(slug, version)
    credential = build(kind, data.draw(requests(slug, version)))
    assert validate_credential(credential) == []
    assert subject_problems(kind, credential) == []
    subject = kind.subject_model.model_validate(credential["credentialSubject"])
    assert subject.model_dump(mode="json", exclude_none=True) == credential["credentialSubject"]


@pytest.mark.shared
@pytest.mark.slow
@pytest.mark.parametrize(("slug", "version"), KINDS)
@settings(SETTINGS, max_examples=25)
@given(data=st.data())
def test_built_credentials_expand_with_no_data_loss(
    slug: str, version: str, data: st.DataObject, core: Any
) -> None:
    credential = build(certificate_type(slug, version), data.draw(requests(slug, version)))
    assert lost_values(core, credential) == set()


# ---------------------------------------------------------------- one change, same verdict

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 100_000),
    st.just([]),
    st.just({}),
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            " ",
            "MX",
            "US",
            "XX",
            "CHH",
            "TX",
            "Validated",
            "Certified",
            "Industrial",
            "2023-02-30",
            "2020-01-01",
            "9999-12-31",
            "EEB030821R49",
            "EEB030821R48",
            "GODE561231GR8",
            "did:web:x.example",
            "Place",
            ["Place"],
            ["PostalAddress"],
            "78045",
            "7804",
            "12345-6789",
            # Version 2's codes and identifiers, which its rules tie together.
            "SiteTaxDomicile",
            "SitePlant",
            "OeaCustomsBroker",
            "OeaSECIIT",
            "Exceeding",
            "Highway Carriers",
            "U.S. Importers",
            "U.S. Exporters",
            "SSN",
            "IRS",
            "AuthoritySAT",
            "AuthorityCBP",
            "OeaProgram",
            "ImmexIndustrial",
            "2029-09-19",
            "2025",
            "1234567",
            "GFTJ",
            "3210",
            "5493001KJTIIGC8Y1R12",
            "5493001KJTIIGC8Y1R13",
            "7501234000018",
            ["MraRoleImporter", "MraRoleImporter"],
        ]
    ),
)


ADDED = ["usdotNumber", "scac", "patenteAduanal", "importerOfRecord", "lastValidationDate"]
"""Members one change may add: version 2 requires some of them by sector or rubro."""


def _containers(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    found = [(path, node)]
    children = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in children:
        if isinstance(value, (dict, list)):
            found.extend(_containers(value, (*path, key)))
    return found


def _near_misses(value: Any) -> st.SearchStrategy[Any]:
    if isinstance(value, str) and value:
        return st.sampled_from(
            [value + "\n", value.lower(), " " + value, value[:-1], value + "0", [value]]
        )
    if isinstance(value, list) and value:
        return st.sampled_from([value + value[:1], value[:0], value[0]])
    return JUNK


@st.composite
def one_change(draw: st.DrawFn, subject: dict[str, Any]) -> dict[str, Any]:
    subject = copy.deepcopy(subject)
    _path, container = draw(st.sampled_from(_containers(subject)))
    if isinstance(container, dict):
        action = draw(st.sampled_from(["delete", "replace", "replace", "add"]))
        if action == "add" or not container:
            member = draw(st.sampled_from(["extra", "fmcNumber", "Name", "rfc", *ADDED]))
            container[member] = draw(JUNK)
            return subject
        key = draw(st.sampled_from(sorted(container)))
        if action == "delete":
            del container[key]
        else:
            container[key] = draw(st.one_of(JUNK, _near_misses(container[key])))
    elif container:
        index = draw(st.integers(0, len(container) - 1))
        if draw(st.booleans()):
            del container[index]
        else:
            container[index] = draw(st.one_of(JUNK, _near_misses(container[index])))
    return subject


@pytest.mark.slow
@pytest.mark.parametrize(("slug", "version"), KINDS)
@settings(SETTINGS, max_examples=40)  # per kind: six kinds since data v2
@given(data=st.data())
def test_model_and_schema_agree_after_one_change(
    slug: str, version: str, data: st.DataObject
) -> None:
    kind = certificate_type(slug, version)
    credential = build(kind, data.draw(requests(slug, version)))
    credential["credentialSubject"] = data.draw(one_change(credential["credentialSubject"]))
    # Dates checked against validFrom are the envelope's business, which the subject model
    # cannot see: compare the subject alone, with no validFrom to compare against.
    del credential["validFrom"]
    from_model = fields(subject_problems(kind, credential))
    from_schema = {
        field
        for field in fields(validate_credential(credential))
        if field is None or field.startswith("credentialSubject")
    }
    event("valid" if not from_model else "invalid")
    assert from_model == from_schema
