"""Invalid certificate data is a 422 problem naming the field, and nothing is stored."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.api.builders import (
    CBP_TYPES,
    SAT_TYPES,
    certificate_body,
    issue_body,
    moment,
    unsigned_credential,
)
from tests.api.conftest import Issuer, LiveService, assert_problem

pytestmark = pytest.mark.shared

Edit = Callable[[dict[str, Any]], None]


@pytest.fixture(scope="module")
def customs(live_service: LiveService) -> Issuer:
    """An authority that may issue all three types, so only the data can be at fault."""
    return live_service.issuer("aduana", SAT_TYPES + CBP_TYPES)


@pytest.fixture
def unchanged_registry(live_service: LiveService, customs: Issuer) -> Iterator[None]:
    """After the test, the registry holds exactly what it held before."""
    before = live_service.registry(customs, limit=500)
    yield
    assert live_service.registry(customs, limit=500) == before


def _set(path: str, value: Any) -> Edit:
    def edit(document: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        for part in parents:
            document = document[int(part)] if part.isdigit() else document[part]  # type: ignore[index]
        document[last] = value

    return edit


def _delete(path: str) -> Edit:
    def edit(document: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        for part in parents:
            document = document[part]
        del document[last]

    return edit


# (slug, edit of the typed body, the field the problem names)
TYPED_CASES = [
    pytest.param("immex", _set("certificate.rfc", "EEB-030821"), "certificate.rfc", id="rfc-shape"),
    pytest.param(
        "immex", _set("certificate.rfc", "EEB030821R48"), "certificate.rfc", id="rfc-check-digit"
    ),
    pytest.param("oea", _set("certificate.rfc", "AFN981302HT9"), "certificate.rfc", id="rfc-date"),
    pytest.param(
        "immex", _set("certificate.modality", "Maquiladora"), "certificate.modality", id="modality"
    ),
    pytest.param(
        "oea", _set("certificate.modality", "Importador"), "certificate.modality", id="oea-modality"
    ),
    pytest.param("ctpat", _delete("certificate.member"), "certificate.member", id="ctpat-member"),
    pytest.param(
        "ctpat",
        _delete("certificate.dateOfLastValidation"),
        "certificate.dateOfLastValidation",
        id="ctpat-validated-tier-without-date",
    ),
    pytest.param(
        "oea", _set("certificate.shoeSize", 42), "certificate.shoeSize", id="extra-member"
    ),
    pytest.param("ctpat", _set("priority", "high"), "priority", id="extra-top-level-member"),
    pytest.param(
        "immex",
        _set("validFrom", moment(30)),
        "validUntil",
        id="dates-reversed",
    ),
    pytest.param("immex", _set("validFrom", "2026-11-01T00:00:00"), "validFrom", id="naive-date"),
    pytest.param("oea", _delete("validUntil"), "validUntil", id="no-valid-until"),
    pytest.param(
        "oea",
        _set("options.format", "RsaSignature2018"),
        "options.format",
        id="unknown-format",
    ),
]


@pytest.mark.usefixtures("unchanged_registry")
@pytest.mark.parametrize(("slug", "edit", "field"), TYPED_CASES)
def test_typed_endpoint_names_the_invalid_field(
    live_service: LiveService, customs: Issuer, slug: str, edit: Edit, field: str
) -> None:
    body = certificate_body(slug, valid_until=moment(10))
    edit(body)
    response = live_service.http.post(f"/certificates/{slug}", headers=customs.headers, json=body)
    problem = assert_problem(response, 422, "MALFORMED_VALUE_ERROR", field)
    assert problem["detail"]


@pytest.mark.usefixtures("unchanged_registry")
def test_dates_reversed_are_refused_even_when_both_are_given(
    live_service: LiveService, customs: Issuer
) -> None:
    body = certificate_body("immex", valid_from=moment(40), valid_until=moment(20))
    response = live_service.http.post("/certificates/immex", headers=customs.headers, json=body)
    assert_problem(response, 422, "MALFORMED_VALUE_ERROR", "validUntil")


@pytest.mark.usefixtures("unchanged_registry")
def test_authorization_after_valid_from_names_the_request_field(
    live_service: LiveService, customs: Issuer
) -> None:
    body = certificate_body("immex", valid_from=moment(-1))
    body["certificate"]["authorizationDate"] = moment(5)[:10]
    response = live_service.http.post("/certificates/immex", headers=customs.headers, json=body)
    assert_problem(response, 422, "MALFORMED_VALUE_ERROR", "certificate.authorizationDate")


ISSUE_CASES = [
    pytest.param(
        "immex",
        _set("credentialSubject.rfc", "EEB030821R48"),
        "credential.credentialSubject.rfc",
        id="rfc",
    ),
    pytest.param(
        "immex",
        _set("credentialSubject.modality", "Maquiladora"),
        "credential.credentialSubject.modality",
        id="modality",
    ),
    pytest.param(
        "ctpat",
        _delete("credentialSubject.member"),
        "credential.credentialSubject.member",
        id="ctpat-member",
    ),
    pytest.param(
        "oea",
        _set("validFrom", "2028-01-01T00:00:00Z"),
        "credential.validUntil",
        id="dates-reversed",
    ),
    pytest.param(
        "oea",
        _set("credentialSubject.shoeSize", 42),
        "credential.credentialSubject.shoeSize",
        id="extra-member",
    ),
]


@pytest.mark.usefixtures("unchanged_registry")
@pytest.mark.parametrize(("slug", "edit", "field"), ISSUE_CASES)
def test_issue_endpoint_names_the_invalid_field(
    live_service: LiveService, customs: Issuer, slug: str, edit: Edit, field: str
) -> None:
    credential = unsigned_credential(slug, customs.did)
    credential["validUntil"] = "2027-06-01T00:00:00Z"
    edit(credential)
    response = live_service.http.post(
        "/credentials/issue", headers=customs.headers, json=issue_body(credential)
    )
    assert_problem(response, 422, "MALFORMED_VALUE_ERROR", field)


@pytest.mark.usefixtures("unchanged_registry")
def test_extra_member_of_the_issue_request_is_refused(
    live_service: LiveService, customs: Issuer
) -> None:
    body = issue_body(unsigned_credential("oea", customs.did)) | {"sign": True}
    response = live_service.http.post("/credentials/issue", headers=customs.headers, json=body)
    assert_problem(response, 422, "MALFORMED_VALUE_ERROR", "sign")


def test_nested_fields_are_named_alike_on_both_endpoints(
    live_service: LiveService, customs: Issuer
) -> None:
    body = certificate_body("immex")
    body["certificate"]["authorizedAddresses"][0]["address"]["postalCode"] = "ABCDE"
    typed = live_service.http.post("/certificates/immex", headers=customs.headers, json=body)
    credential = unsigned_credential("immex", customs.did)
    credential["credentialSubject"]["authorizedAddresses"][0]["address"]["postalCode"] = "ABCDE"
    issued = live_service.http.post(
        "/credentials/issue", headers=customs.headers, json=issue_body(credential)
    )
    typed_field = assert_problem(typed, 422)["field"]
    issued_field = assert_problem(issued, 422)["field"]
    assert issued_field == "credential.credentialSubject.authorizedAddresses[0].address.postalCode"
    assert typed_field == "certificate.authorizedAddresses[0].address.postalCode"
