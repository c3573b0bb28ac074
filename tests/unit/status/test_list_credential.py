"""What issuers publish: the list credential, status entries, the customs messages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.factories import NOW, certificate
from vcservice.model.records import StatusPurpose
from vcservice.services.core import Core
from vcservice.status import (
    CUSTOMS_MESSAGES,
    CUSTOMS_STATUS_SIZE,
    SPANISH_MESSAGES,
    Bitstring,
    StatusError,
    StatusMessage,
    decode_list,
    parse_entry,
    status_entry,
    status_list_credential,
)

URL = "https://status.example/lists/7"


def test_list_credential_follows_the_recommendation() -> None:
    bitstring = Bitstring()
    bitstring.set(3, 1)
    credential = status_list_credential(
        list_url=URL,
        issuer="did:example:issuer",
        purpose=StatusPurpose.REVOCATION,
        bitstring=bitstring,
        valid_from=NOW,
        valid_until=NOW + timedelta(days=1),
        ttl_ms=60_000,
    )
    assert credential == {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": "did:example:issuer",
        "validFrom": "2026-11-28T12:00:00Z",
        "validUntil": "2026-11-29T12:00:00Z",
        "credentialSubject": {
            "id": f"{URL}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": bitstring.encode(),
            "ttl": 60_000,
        },
    }
    assert decode_list(credential["credentialSubject"]["encodedList"]) == bitstring.to_bytes()


def test_list_credential_without_end_or_ttl_omits_them() -> None:
    credential = status_list_credential(
        list_url=URL,
        issuer="did:example:issuer",
        purpose="suspension",
        bitstring=Bitstring(),
        valid_from=NOW,
        ttl_ms=None,
    )
    assert "validUntil" not in credential
    assert "ttl" not in credential["credentialSubject"]
    assert "statusSize" not in credential["credentialSubject"]  # an entry member in the Rec


def test_list_credential_refuses_lists_below_the_herd_privacy_minimum() -> None:
    with pytest.raises(ValueError, match="131072"):
        status_list_credential(
            list_url=URL,
            issuer="did:example:issuer",
            purpose="revocation",
            bitstring=Bitstring(1024),
            valid_from=NOW,
        )


def test_revocation_entry_has_a_string_index_and_no_status_size() -> None:
    assert status_entry(URL, 94_567, StatusPurpose.REVOCATION) == {
        "id": f"{URL}#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": URL,
    }


def test_message_entry_carries_the_customs_messages() -> None:
    entry = status_entry(
        URL,
        12,
        StatusPurpose.MESSAGE,
        status_size=CUSTOMS_STATUS_SIZE,
        messages=CUSTOMS_MESSAGES,
        reference="https://status.example/messages",
    )
    assert entry["statusSize"] == 2
    assert entry["statusMessage"] == [
        {"status": "0x0", "message": "active"},
        {"status": "0x1", "message": "under revalidation"},
        {"status": "0x2", "message": "under review by customs"},
        {"status": "0x3", "message": "pending renewal"},
    ]
    assert entry["statusReference"] == "https://status.example/messages"
    assert SPANISH_MESSAGES == {
        "active": "vigente",
        "under revalidation": "en revalidación",
        "under review by customs": "en revisión aduanera",
        "pending renewal": "renovación pendiente",
    }


def test_entries_round_trip_through_the_parser() -> None:
    entry = status_entry(URL, 5, "message", status_size=2, messages=CUSTOMS_MESSAGES)
    parsed = parse_entry(entry, field="credentialStatus")
    assert (parsed.purpose, parsed.index, parsed.status_size, parsed.list_url) == (
        "message",
        5,
        2,
        URL,
    )
    assert parsed.message_for(1) == "under revalidation"
    plain = parse_entry(status_entry(URL, 0, "revocation"), field="credentialStatus")
    assert (plain.status_size, plain.messages) == (1, None)
    assert (plain.message_for(0), plain.message_for(1)) == ("unset", "set")


@pytest.mark.parametrize(
    ("kwargs", "why"),
    [
        ({"status_size": 2}, "needs messages"),
        ({"status_size": 2, "messages": CUSTOMS_MESSAGES[:3]}, "one message for each value"),
        ({"messages": CUSTOMS_MESSAGES}, "one message for each value"),  # 1 bit: 2 messages
        ({"status_size": 9, "messages": []}, "status_size"),
    ],
)
def test_entry_message_sets_must_match_the_status_size(kwargs: dict[str, Any], why: str) -> None:
    with pytest.raises(ValueError, match=why):
        status_entry(URL, 1, "message", **kwargs)


def test_one_bit_entries_may_name_their_two_messages() -> None:
    messages = [StatusMessage(0, "valid", "válida"), StatusMessage(1, "on hold", "retenida")]
    entry = status_entry(URL, 1, "message", messages=messages)
    assert "statusSize" not in entry
    assert entry["statusMessage"] == [
        {"status": "0x0", "message": "valid"},
        {"status": "0x1", "message": "on hold"},
    ]


def test_negative_indexes_are_refused() -> None:
    with pytest.raises(ValueError):
        status_entry(URL, -1, "revocation")


def _entry(**changes: Any) -> dict[str, Any]:
    entry = status_entry(URL, 5, "message", status_size=2, messages=CUSTOMS_MESSAGES)
    for key, value in changes.items():
        if value is None:
            entry.pop(key, None)
        else:
            entry[key] = value
    return entry


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        (_entry(statusListIndex=5), "statusListIndex"),
        (_entry(statusListIndex="-1"), "statusListIndex"),
        (_entry(statusListIndex="0x5"), "statusListIndex"),
        (_entry(statusListIndex=" 5"), "statusListIndex"),
        (_entry(statusPurpose=["revocation"]), "statusPurpose"),
        (_entry(statusListCredential=7), "statusListCredential"),
        (_entry(statusSize=0), "statusSize"),
        (_entry(statusSize=True), "statusSize"),
        (_entry(statusSize="2"), "statusSize"),
        (_entry(statusMessage=None), "statusMessage"),
        (_entry(statusMessage=[{"status": "0x0", "message": "active"}]), "statusMessage"),
        (
            _entry(statusMessage=[{"status": "1", "message": m} for m in "abcd"]),
            "statusMessage[0]",
        ),
        (
            _entry(statusMessage=[{"status": "0x0", "message": m} for m in "abcd"]),
            "statusMessage[1]",
        ),
        (
            _entry(statusMessage=[{"status": f"0x{i}", "message": i} for i in range(4)]),
            "statusMessage[0]",
        ),
        (_entry(id=URL), "id"),
        (_entry(statusReference=["https://ok.example", 3]), "statusReference"),
    ],
)
def test_malformed_entries_name_the_member(entry: dict[str, Any], field: str) -> None:
    with pytest.raises(StatusError) as caught:
        parse_entry(entry, field="credentialStatus[0]")
    assert caught.value.code == "MALFORMED_VALUE_ERROR"
    assert caught.value.field == f"credentialStatus[0].{field}"


def test_very_long_indexes_parse_but_lie_in_no_list() -> None:
    parsed = parse_entry(_entry(statusListIndex="9" * 40), field="credentialStatus")
    assert parsed.index is None and parsed.index_text == "9" * 40
    zeros = parse_entry(_entry(statusListIndex="0" * 5000 + "7"), field="credentialStatus")
    assert zeros.index == 7


def test_status_sizes_above_eight_bits_are_not_supported() -> None:
    with pytest.raises(StatusError) as caught:
        parse_entry(_entry(statusSize=9), field="credentialStatus")
    assert caught.value.code == "STATUS_VERIFICATION_ERROR"


@pytest.mark.shared
def test_list_credential_and_entries_pass_safe_mode_json_ld(core: Core) -> None:
    """Every member is defined by credentials/v2, so nothing is dropped or undefined."""
    list_credential = status_list_credential(
        list_url=URL,
        issuer="did:example:issuer",
        purpose="revocation",
        bitstring=Bitstring(),
        valid_from=NOW,
        valid_until=NOW + timedelta(days=1),
    )
    assert core.processor.to_quads(list_credential)
    credential = certificate()
    credential["credentialStatus"] = [
        status_entry(URL, 1, "revocation"),
        status_entry(
            URL,
            2,
            "message",
            status_size=2,
            messages=CUSTOMS_MESSAGES,
            reference=["https://status.example/messages"],
        ),
    ]
    quads = core.processor.to_quads(credential)
    predicates = {str(quad) for quad in quads}
    assert any("https://www.w3.org/ns/credentials/status#statusMessage" in q for q in predicates)
    assert any("https://www.w3.org/ns/credentials/status#statusSize" in q for q in predicates)
