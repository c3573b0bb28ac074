"""The registry: one credential by id, and the filtered, paged list of an authority's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from tests.api.builders import CBP_TYPES, SAT_TYPES, certificate_body, example, moment
from tests.api.conftest import Issuer, LiveService, assert_problem

pytestmark = pytest.mark.shared
MEXICO_CITY = timezone(timedelta(hours=-6))


@pytest.fixture(scope="module")
def customs(live_service: LiveService) -> Issuer:
    """An authority with all three types, nothing else issued by it."""
    return live_service.issuer("registro", SAT_TYPES + CBP_TYPES)


@pytest.fixture(scope="module")
def issued(live_service: LiveService, customs: Issuer) -> list[dict[str, Any]]:
    """Five credentials, oldest first: two IMMEX (different companies), OEA, C-TPAT, IMMEX JWT.

    All but the second are of one company (the samples'): its three certificates share the
    company node, so its identifiers find them all.
    """
    second_company = example("immex")
    second_company["member"] |= {
        "id": "did:web:maquilas-sonora.example",
        "name": "Maquilas de Sonora",
        "legalName": "Maquilas de Sonora, S.A. de C.V.",
        "rfc": "MSO120515QX8",
        "manufacturerId": "MXMAQSON1205HER",
    }
    second_company |= {"immexProgramNumber": "1187-2012", "authorizationDate": "2012-09-03"}
    bodies = [
        ("immex", certificate_body("immex")),
        ("immex", certificate_body("immex", certificate=second_company)),
        ("oea", certificate_body("oea")),
        ("ctpat", certificate_body("ctpat")),
        ("immex", certificate_body("immex", securing_format="vc+jwt")),
    ]
    records = []
    for slug, body in bodies:
        response = live_service.http.post(
            f"/certificates/{slug}", headers=customs.headers, json=body
        )
        assert response.status_code == 201, response.text
        records.append(response.json()["verifiableCredential"])
    page = live_service.registry(customs, limit=500)
    assert page["total"] == len(bodies)
    return list(reversed(page["items"]))  # the registry lists newest first


def _ids(page: dict[str, Any]) -> list[str]:
    return [item["id"] for item in page["items"]]


def test_a_credential_is_returned_by_id(
    live_service: LiveService, customs: Issuer, issued: list[dict[str, Any]]
) -> None:
    for record in issued:
        response = live_service.http.get(f"/credentials/{record['id']}", headers=customs.headers)
        assert response.status_code == 200, response.text
        single = response.json()
        assert single.pop("statusHistory") == []  # only the single view carries the history
        assert single == {key: value for key, value in record.items() if key != "statusHistory"}
    first = issued[0]
    assert first["type"] == "IMMEXCertificate"
    assert first["format"] == "eddsa-rdfc-2022"
    assert first["status"] == "active"
    assert first["subjectId"] == "did:web:ensambles-bravo.example"
    assert first["subjectIdentifiers"] == [
        "did:web:ensambles-bravo.example",
        "EEB030821R49",
        "MXENSELE9850CIU",
        "4521-2007",
    ]
    assert [record["dataVersion"] for record in issued] == ["v2"] * len(issued)
    assert first["verifiableCredential"]["id"] == first["id"]
    assert isinstance(issued[-1]["verifiableCredential"], str)  # the vc+jwt, compact


def test_the_list_is_newest_first_with_a_total(
    live_service: LiveService, customs: Issuer, issued: list[dict[str, Any]]
) -> None:
    page = live_service.registry(customs)
    assert page["total"] == 5 and page["limit"] == 50 and page["offset"] == 0
    assert _ids(page) == [record["id"] for record in reversed(issued)]
    issued_at = [item["issuedAt"] for item in page["items"]]
    assert issued_at == sorted(issued_at, reverse=True)


@pytest.mark.parametrize(
    ("credential_type", "positions"),
    [
        ("IMMEXCertificate", [4, 1, 0]),
        ("OEACertificate", [2]),
        ("CTPATCertificate", [3]),
        ("PadronDeImportadores", []),
    ],
)
def test_filter_by_type(
    live_service: LiveService,
    customs: Issuer,
    issued: list[dict[str, Any]],
    credential_type: str,
    positions: list[int],
) -> None:
    page = live_service.registry(customs, type=credential_type)
    assert _ids(page) == [issued[i]["id"] for i in positions]
    assert page["total"] == len(positions)


@pytest.mark.parametrize(
    ("subject", "positions"),
    [
        ("EEB030821R49", [4, 3, 2, 0]),  # RFC: the company's IMMEX, C-TPAT and OEA
        ("did:web:ensambles-bravo.example", [4, 3, 2, 0]),  # company DID (member.id)
        ("MXENSELE9850CIU", [4, 3, 2, 0]),  # CBP MID
        ("4521-2007", [4, 0]),  # IMMEX program number
        ("MSO120515QX8", [1]),
        ("did:web:maquilas-sonora.example", [1]),
        ("OEA-IE-2019-0456", [2]),  # OEA registration number
        ("F7K2Q9M1", [3]),  # C-TPAT SVI number
        ("EEB030821R4", []),  # identifiers match exactly, not as prefixes
        ("eeb030821r49", []),
    ],
)
def test_filter_by_subject(
    live_service: LiveService,
    customs: Issuer,
    issued: list[dict[str, Any]],
    subject: str,
    positions: list[int],
) -> None:
    page = live_service.registry(customs, subject=subject)
    assert _ids(page) == [issued[i]["id"] for i in positions]
    assert page["total"] == len(positions)


def test_filters_combine(
    live_service: LiveService, customs: Issuer, issued: list[dict[str, Any]]
) -> None:
    page = live_service.registry(customs, type="OEACertificate", subject="MSO120515QX8")
    assert page == {"items": [], "total": 0, "totalIsExact": True, "limit": 50, "offset": 0}
    page = live_service.registry(customs, type="OEACertificate", subject="EEB030821R49")
    assert _ids(page) == [issued[2]["id"]] and page["total"] == 1
    page = live_service.registry(customs, type="IMMEXCertificate", subject="4521-2007", limit=1)
    assert _ids(page) == [issued[4]["id"]] and page["total"] == 2


def _shifted(moment_text: str, zone: timezone) -> str:
    return datetime.fromisoformat(moment_text).astimezone(zone).isoformat()


@pytest.mark.parametrize("zone", [UTC, MEXICO_CITY], ids=["utc", "utc-6"])
def test_filter_by_issue_time_from_inclusive_until_exclusive(
    live_service: LiveService, customs: Issuer, issued: list[dict[str, Any]], zone: timezone
) -> None:
    boundary = _shifted(issued[2]["issuedAt"], zone)
    since = live_service.registry(customs, issuedFrom=boundary)
    assert _ids(since) == [issued[i]["id"] for i in (4, 3, 2)]
    before = live_service.registry(customs, issuedUntil=boundary)
    assert _ids(before) == [issued[i]["id"] for i in (1, 0)]
    window = live_service.registry(
        customs,
        issuedFrom=_shifted(issued[1]["issuedAt"], zone),
        issuedUntil=_shifted(issued[3]["issuedAt"], zone),
    )
    assert _ids(window) == [issued[i]["id"] for i in (2, 1)] and window["total"] == 2


def test_filter_by_issue_time_outside_the_range(
    live_service: LiveService, customs: Issuer, issued: list[dict[str, Any]]
) -> None:
    assert live_service.registry(customs, issuedFrom=moment(1))["total"] == 0
    assert live_service.registry(customs, issuedUntil=moment(-1))["total"] == 0


@pytest.mark.parametrize("member", ["issuedFrom", "issuedUntil"])
@pytest.mark.parametrize("value", ["2026-11-01T00:00:00", "2026-11-01", "yesterday", ""])
def test_a_time_without_zone_or_malformed_is_422(
    live_service: LiveService, customs: Issuer, member: str, value: str
) -> None:
    response = live_service.http.get(
        "/credentials", headers=customs.headers, params={member: value}
    )
    assert_problem(response, 422, "MALFORMED_VALUE_ERROR", member)


def test_paging(live_service: LiveService, customs: Issuer, issued: list[dict[str, Any]]) -> None:
    newest_first = [record["id"] for record in reversed(issued)]
    seen: list[str] = []
    for offset in (0, 2, 4):
        page = live_service.registry(customs, limit=2, offset=offset)
        assert page["total"] == 5 and page["limit"] == 2 and page["offset"] == offset
        seen += _ids(page)
    assert seen == newest_first
    past_the_end = live_service.registry(customs, limit=2, offset=5)
    assert past_the_end["items"] == [] and past_the_end["total"] == 5


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": -1}, "offset"),
    ],
)
def test_bad_paging_is_422(
    live_service: LiveService, customs: Issuer, params: dict[str, Any], field: str
) -> None:
    response = live_service.http.get("/credentials", headers=customs.headers, params=params)
    assert_problem(response, 422, "MALFORMED_VALUE_ERROR", field)


def test_an_unknown_id_is_404(live_service: LiveService, customs: Issuer) -> None:
    for credential_id in ("urn:uuid:5b0e6c4e-0000-4000-8000-000000000000", "not-an-id", "a/b/c"):
        response = live_service.http.get(f"/credentials/{credential_id}", headers=customs.headers)
        assert_problem(response, 404, "NOT_FOUND")
