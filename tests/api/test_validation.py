"""Invalid certificate data is a 422 problem naming the field, and nothing is stored."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
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
from tests.api.conftest import Issuer, LiveService, assert_problem, serve
from vcservice.certificates.samples import sample_certificate

pytestmark = pytest.mark.shared

Edit = Callable[[dict[str, Any]], None]
DOUBTFUL_RFC = "ACE900319JT9"  # valid at SAT; the published algorithm gives "3", not "9"


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
    pytest.param(
        "immex",
        _set("certificate.member.rfc", "EEB-030821"),
        "certificate.member.rfc",
        id="rfc-shape",
    ),
    pytest.param(
        "oea",
        _set("certificate.member.rfc", "AFN981302HT9"),
        "certificate.member.rfc",
        id="rfc-date",
    ),
    pytest.param(
        "immex",
        _set("certificate.immexModality", "Maquiladora"),
        "certificate.immexModality",
        id="modality",
    ),
    pytest.param(
        "oea", _set("certificate.oeaRubro", "Importador"), "certificate.oeaRubro", id="oea-rubro"
    ),
    pytest.param("ctpat", _delete("certificate.member"), "certificate.member", id="ctpat-member"),
    pytest.param(
        "ctpat",
        _delete("certificate.lastValidationDate"),
        "certificate.lastValidationDate",
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


@pytest.fixture(scope="module")
def strict_rfcs(
    context_store_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveService, Issuer]]:
    """A service configured with ``rfc_check_digit = "refuse"``, and its Mexican authority."""
    with serve(
        tmp_path_factory.mktemp("strict-rfc"), None, context_store_dir, rfc_check_digit="refuse"
    ) as live:
        yield live, live.issuer("aduana", SAT_TYPES)


def test_a_service_may_be_configured_to_refuse_a_doubtful_check_digit(
    strict_rfcs: tuple[LiveService, Issuer],
) -> None:
    live, customs = strict_rfcs
    body = certificate_body("immex")
    body["certificate"]["member"]["rfc"] = DOUBTFUL_RFC
    typed = live.http.post("/certificates/immex", headers=customs.headers, json=body)
    credential = unsigned_credential("oea", customs.did)
    credential["credentialSubject"]["member"]["rfc"] = DOUBTFUL_RFC
    issued = live.http.post(
        "/credentials/issue", headers=customs.headers, json=issue_body(credential)
    )
    for response, field in (
        (typed, "certificate.member.rfc"),
        (issued, "credential.credentialSubject.member.rfc"),
    ):
        problem = assert_problem(response, 422, "MALFORMED_VALUE_ERROR", field)
        assert "RFC_CHECK_DIGIT" in problem["detail"]
    assert live.registry(customs, limit=10)["total"] == 0


def test_version_1_certificate_data_is_no_longer_issued(
    live_service: LiveService, customs: Issuer
) -> None:
    """v1 credentials issued before keep verifying; a new one is refused, naming the context."""
    credential = sample_certificate("immex", "v1")
    credential["id"] = f"urn:uuid:{uuid.uuid4()}"
    credential["issuer"] = {**credential["issuer"], "id": customs.did}
    credential["validFrom"], credential["validUntil"] = moment(-1), moment(365)
    response = live_service.http.post(
        "/credentials/issue", headers=customs.headers, json=issue_body(credential)
    )
    problem = assert_problem(response, 422, "MALFORMED_VALUE_ERROR", "credential.@context")
    assert "trade-certificates/v2" in problem["detail"]


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


def test_an_rfc_with_a_doubtful_check_digit_is_issued_with_a_warning(
    live_service: LiveService, customs: Issuer
) -> None:
    """SAT has registered RFCs whose last character is not the digit its published algorithm
    gives: the credential is issued, and the issuer told, on both endpoints."""
    body = certificate_body("immex")
    body["certificate"]["member"]["rfc"] = DOUBTFUL_RFC
    typed = live_service.http.post("/certificates/immex", headers=customs.headers, json=body)
    credential = unsigned_credential("oea", customs.did)
    credential["credentialSubject"]["member"]["rfc"] = DOUBTFUL_RFC
    issued = live_service.http.post(
        "/credentials/issue", headers=customs.headers, json=issue_body(credential)
    )
    for response, field in (
        (typed, "certificate.member.rfc"),  # named as each endpoint's client sent it
        (issued, "credential.credentialSubject.member.rfc"),
    ):
        assert response.status_code == 201, response.text
        answer = response.json()
        assert answer["verifiableCredential"]["credentialSubject"]["member"]["rfc"] == DOUBTFUL_RFC
        [warning] = [w for w in answer["warnings"] if w["code"] == "RFC_CHECK_DIGIT"]
        assert warning["field"] == field
        assert DOUBTFUL_RFC in warning["detail"]


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
    del body["certificate"]["lastAnnualReportYear"]  # no report can predate the authorization
    response = live_service.http.post("/certificates/immex", headers=customs.headers, json=body)
    assert_problem(response, 422, "MALFORMED_VALUE_ERROR", "certificate.authorizationDate")


ISSUE_CASES = [
    pytest.param(
        "immex",
        _set("credentialSubject.member.rfc", "AFN981302HT9"),
        "credential.credentialSubject.member.rfc",
        id="rfc",
    ),
    pytest.param(
        "immex",
        _set("credentialSubject.immexModality", "Maquiladora"),
        "credential.credentialSubject.immexModality",
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
    body["certificate"]["member"]["location"][0]["address"]["postalCode"] = "ABCDE"
    typed = live_service.http.post("/certificates/immex", headers=customs.headers, json=body)
    credential = unsigned_credential("immex", customs.did)
    credential["credentialSubject"]["member"]["location"][0]["address"]["postalCode"] = "ABCDE"
    issued = live_service.http.post(
        "/credentials/issue", headers=customs.headers, json=issue_body(credential)
    )
    typed_field = assert_problem(typed, 422)["field"]
    issued_field = assert_problem(issued, 422)["field"]
    assert issued_field == "credential.credentialSubject.member.location[0].address.postalCode"
    assert typed_field == "certificate.member.location[0].address.postalCode"
