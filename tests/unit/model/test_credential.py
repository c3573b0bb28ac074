"""The VCDM core: whom a credential is about."""

from __future__ import annotations

from typing import Any

import pytest

from vcservice.model import credential as vcdm

COMPANY = "did:web:ensambles-bravo.example"
CARRIER = "did:web:gateway-frontera.example"


def _credential(subject: Any) -> dict[str, Any]:
    return {"type": ["VerifiableCredential"], "credentialSubject": subject}


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ({"id": COMPANY, "legalName": "Ensambles"}, (COMPANY,)),  # v1: the subject is the company
        ({"type": ["CTPAT"], "member": {"id": COMPANY}}, (COMPANY,)),  # v2: its member is
        ({"id": CARRIER, "member": {"id": COMPANY}}, (CARRIER,)),  # the subject's own id first
        ({"id": 7, "member": {"id": COMPANY}}, (COMPANY,)),  # a non-string id is no id
        ({"type": ["OEAAuthorization"], "legalName": "Ensambles"}, ()),
        ({"member": {"legalName": "Ensambles"}}, ()),
        ({"member": {"id": ["did:web:a.example"]}}, ()),
        ({"member": COMPANY}, ()),  # a member that is only a reference is not an object
        ({"id": None}, ()),
    ],
    ids=[
        "id",
        "member-id",
        "id-before-member",
        "non-string-id",
        "neither",
        "member-without-id",
        "non-string-member-id",
        "member-string",
        "null-id",
    ],
)
def test_holder_id_of_one_subject(subject: dict[str, Any], expected: tuple[str, ...]) -> None:
    assert vcdm.holder_ids_of(_credential(subject)) == expected


def test_holder_ids_of_every_subject_in_order() -> None:
    subjects = [
        {"member": {"id": COMPANY}},
        {"legalName": "no one"},
        {"id": CARRIER},
        "did:web:a-string-subject.example",  # not an object: no subject
    ]
    assert vcdm.holder_ids_of(_credential(subjects)) == (COMPANY, CARRIER)


@pytest.mark.parametrize("subject", [None, [], "did:web:a.example", 3])
def test_no_subject_objects_means_no_holder(subject: Any) -> None:
    assert vcdm.holder_ids_of(_credential(subject)) == ()
    assert vcdm.holder_ids_of({"type": ["VerifiableCredential"]}) == ()
