"""One company's IMMEX, OEA and C-TPAT credentials join on its identifiers, at the same path.

The company node sits at ``credentialSubject.member`` in every version 2 type, with the
same shape; ``company_keys`` reads the keys from there: DID (the holder), RFC, CBP MID,
importer of record number, DUNS, LEI.  An officer who holds a company's C-TPAT and OEA
credentials (what the CBP–SAT arrangement runs on) matches them on these.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.certificates.strategies_v2 import REQUESTS
from tests.unit.certificates.support import SLUGS, build, certificate_type, request_data, sample
from vcservice.certificates.v2.company import company_keys

JOIN = ("id", "rfc", "manufacturerId")
"""The members every certificate of the sample company carries, and the officer joins on."""


def at(credential: dict[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = credential
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    return node


def issued_to(member: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The three certificates built for the company ``member`` (request form), by slug."""
    credentials = {}
    for slug in SLUGS:
        data = request_data(sample(slug))
        data["member"] = copy.deepcopy(member)
        credentials[slug] = build(certificate_type(slug), data)
    return credentials


def test_one_companys_three_certificates_join_on_its_identifiers() -> None:
    member = request_data(sample("ctpat"))["member"]
    credentials = issued_to(member)
    keys = [set(company_keys(credential)) for credential in credentials.values()]
    shared = set.intersection(*keys)
    assert {member[name] for name in JOIN} <= shared
    for name in JOIN:
        path = ("credentialSubject", "member", name)
        assert {at(credential, path) for credential in credentials.values()} == {member[name]}


def test_the_company_node_has_the_same_shape_in_every_type() -> None:
    credentials = issued_to(request_data(sample("ctpat"))["member"])
    nodes = {slug: issued["credentialSubject"]["member"] for slug, issued in credentials.items()}
    types = {slug: node.pop("type") for slug, node in nodes.items()}
    assert types == {"immex": ["Organization"], "oea": ["Organization"], "ctpat": ["CTPATMember"]}
    assert nodes["immex"] == nodes["oea"] == nodes["ctpat"]


def test_the_three_samples_are_one_company() -> None:
    samples = [sample(slug) for slug in SLUGS]
    members = [credential["credentialSubject"]["member"] for credential in samples]
    for name in JOIN:
        assert len({member[name] for member in members}) == 1, name
    assert set.intersection(*(set(company_keys(c)) for c in samples)) >= {
        members[0][name] for name in JOIN
    }


def test_company_keys_are_in_order_and_tolerate_junk() -> None:
    credential = sample("ctpat")
    credential["credentialSubject"]["member"]["importerOfRecord"] = {
        "type": ["CBPImporterOfRecord"],
        "number": "74-1234567AB",
        "identifierType": "IRS",
    }
    assert company_keys(credential) == (
        "did:web:ensambles-bravo.example",
        "EEB030821R49",
        "MXENSELE9850CIU",
        "74-1234567AB",
        "812345670",
        "5493001KJTIIGC8Y1R12",
    )
    assert company_keys({"credentialSubject": "junk"}) == ()
    assert company_keys({"credentialSubject": [{"member": {"rfc": 5}}, {"member": []}]}) == ()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_company_with_an_oea_and_a_ctpat_joins_on_its_keys(data: st.DataObject) -> None:
    """A company drawn for OEA (any rubro), given its C-TPAT as a foreign manufacturer."""
    oea_request = data.draw(REQUESTS["oea"])
    member = oea_request["member"]
    member.setdefault("manufacturerId", "MXENSELE9850CIU")
    oea = build(certificate_type("oea"), oea_request)
    ctpat_request = request_data(sample("ctpat")) | {"member": copy.deepcopy(member)}
    ctpat = build(certificate_type("ctpat"), ctpat_request)
    assert company_keys(oea) == company_keys(ctpat)
    assert company_keys(oea)[:3] == (member["id"], member["rfc"], member["manufacturerId"])
