"""The status checker over signed lists served by the local source, and inside the Verifier."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping, Sequence
from datetime import timedelta
from typing import Any

import pytest

from tests.factories import NOW, did_of
from vcservice.clock import FixedClock
from vcservice.errors import FetchError
from vcservice.model.records import StatusPurpose
from vcservice.net import TtlCache
from vcservice.proofs.purposes import AUTHENTICATION
from vcservice.services.core import Core
from vcservice.status import (
    CUSTOMS_MESSAGES,
    Bitstring,
    BitstringStatusChecker,
    LocalFirstStatusListSource,
    StatusListLookup,
    StatusReport,
    encode_list,
    status_entry,
)
from vcservice.verification.result import Check, Outcome
from vcservice.verification.verifier import StatusChecker, Verifier

from .support import BASE, ISSUER, OTHER, signed_credential, signed_list

pytestmark = pytest.mark.shared

REVOCATION = f"{BASE}/revocation"
SUSPENSION = f"{BASE}/suspension"
MESSAGES = f"{BASE}/messages"


class Lists:
    """The service's own lists, by URL, counting lookups."""

    def __init__(self) -> None:
        self.documents: dict[str, dict[str, Any]] = {}
        self.lookups: list[str] = []

    def __call__(self, urls: Sequence[str]) -> dict[str, dict[str, Any]]:
        self.lookups.extend(urls)
        return {url: self.documents[url] for url in urls if url in self.documents}


@pytest.fixture
def lists(fixed_core: Core) -> Iterator[Lists]:
    own = Lists()
    own.documents[REVOCATION] = signed_list(fixed_core, REVOCATION, "revocation", set_values={7: 1})
    own.documents[SUSPENSION] = signed_list(fixed_core, SUSPENSION, "suspension", set_values={8: 1})
    own.documents[MESSAGES] = signed_list(
        fixed_core, MESSAGES, "message", status_size=2, set_values={20: 1, 21: 2, 22: 3}
    )
    yield own


def checker(core: Core, lookup: StatusListLookup) -> BitstringStatusChecker[Check]:
    clock = FixedClock(NOW)
    return BitstringStatusChecker(
        source=LocalFirstStatusListSource(lookup, clock=clock),
        data_integrity=core.data_integrity,
        clock=clock,
    )


def credential_with(core: Core, *entries: dict[str, Any], key: Any = ISSUER) -> dict[str, Any]:
    status: dict[str, Any] | list[dict[str, Any]] = (
        entries[0] if len(entries) == 1 else list(entries)
    )
    return signed_credential(core, status, key)


def codes(check: Check) -> list[str]:
    return [problem.code for problem in check.problems]


def message_entry(index: int) -> dict[str, Any]:
    return status_entry(MESSAGES, index, "message", status_size=2, messages=CUSTOMS_MESSAGES)


def test_active_credential_passes_and_the_detail_states_freshness(
    fixed_core: Core, lists: Lists
) -> None:
    credential = credential_with(
        fixed_core,
        status_entry(REVOCATION, 42, "revocation"),
        status_entry(SUSPENSION, 42, "suspension"),
    )
    check = checker(fixed_core, lists).check(credential)
    assert isinstance(check, Check) and check.name == "status"
    assert check.outcome is Outcome.PASSED, check.problems
    assert check.detail is not None
    assert "revocation: not revoked (index 42, 0x0)" in check.detail
    assert "suspension: not suspended (index 42, 0x0)" in check.detail
    assert f"list {REVOCATION} fetched 2026-11-28T12:00:00Z (age 0 s)" in check.detail
    assert "valid until 2026-11-29T12:00:00Z" in check.detail


def test_revoked_credential_fails_with_credential_revoked(fixed_core: Core, lists: Lists) -> None:
    credential = credential_with(fixed_core, status_entry(REVOCATION, 7, "revocation"))
    check = checker(fixed_core, lists).check(credential)
    assert check.outcome is Outcome.FAILED
    assert codes(check) == ["CREDENTIAL_REVOKED"]
    assert check.problems[0].field == "credentialStatus"
    assert "revocation: REVOKED (index 7, 0x1)" in (check.detail or "")


def test_suspended_credential_fails_with_credential_suspended(
    fixed_core: Core, lists: Lists
) -> None:
    credential = credential_with(
        fixed_core,
        status_entry(REVOCATION, 8, "revocation"),
        status_entry(SUSPENSION, 8, "suspension"),
    )
    check = checker(fixed_core, lists).check(credential)
    assert codes(check) == ["CREDENTIAL_SUSPENDED"]
    assert check.problems[0].field == "credentialStatus[1]"


def test_a_message_is_reported_not_failed(fixed_core: Core, lists: Lists) -> None:
    credential = credential_with(fixed_core, message_entry(20))
    status = checker(fixed_core, lists)
    check = status.check(credential)
    assert check.outcome is Outcome.PASSED
    assert "message: under revalidation (index 20, 0x1)" in (check.detail or "")
    [entry] = status.report(credential).entries
    assert (entry.status, entry.valid, entry.message, entry.message_es) == (
        1,
        False,
        "under revalidation",
        "en revalidación",
    )
    for index, message in ((21, "under review by customs"), (22, "pending renewal"), (9, "active")):
        assert message in (
            status.check(credential_with(fixed_core, message_entry(index))).detail or ""
        )


def test_list_signed_by_another_key_fails_verification(fixed_core: Core, lists: Lists) -> None:
    lists.documents[REVOCATION] = signed_list(
        fixed_core, REVOCATION, "revocation", signer=OTHER, issuer=ISSUER
    )
    check = checker(fixed_core, lists).check(
        credential_with(fixed_core, status_entry(REVOCATION, 42, "revocation"))
    )
    assert codes(check) == ["STATUS_VERIFICATION_ERROR"]
    assert did_of(OTHER) in check.problems[0].detail
    assert check.problems[0].field == "credentialStatus.statusListCredential"
    assert "not checked (STATUS_VERIFICATION_ERROR)" in (check.detail or "")


def test_list_of_another_issuer_fails_verification(fixed_core: Core, lists: Lists) -> None:
    lists.documents[REVOCATION] = signed_list(fixed_core, REVOCATION, "revocation", signer=OTHER)
    check = checker(fixed_core, lists).check(
        credential_with(fixed_core, status_entry(REVOCATION, 42, "revocation"))
    )
    assert codes(check) == ["STATUS_VERIFICATION_ERROR"]
    assert "not by the credential's issuer" in check.problems[0].detail


def test_tampered_encoded_list_fails_verification(fixed_core: Core, lists: Lists) -> None:
    """Setting a bit after signing (here: un-revoking entry 7) breaks the list's proof."""
    tampered = lists.documents[REVOCATION]
    tampered["credentialSubject"]["encodedList"] = Bitstring().encode()
    check = checker(fixed_core, lists).check(
        credential_with(fixed_core, status_entry(REVOCATION, 7, "revocation"))
    )
    assert codes(check) == ["STATUS_VERIFICATION_ERROR"]
    assert "PROOF_VERIFICATION_ERROR" in check.problems[0].detail


def test_list_without_proof_fails_verification(fixed_core: Core, lists: Lists) -> None:
    del lists.documents[REVOCATION]["proof"]
    check = checker(fixed_core, lists).check(
        credential_with(fixed_core, status_entry(REVOCATION, 42, "revocation"))
    )
    assert codes(check) == ["STATUS_VERIFICATION_ERROR"]
    assert "no proof" in check.problems[0].detail


def test_a_list_served_under_another_url_is_refused(fixed_core: Core, lists: Lists) -> None:
    """A valid list of the same issuer cannot stand in for another (e.g. a clean copy)."""
    lists.documents[REVOCATION] = lists.documents[SUSPENSION]
    check = checker(fixed_core, lists).check(
        credential_with(fixed_core, status_entry(REVOCATION, 7, "suspension"))
    )
    assert codes(check) == ["STATUS_VERIFICATION_ERROR"]
    assert f"identifies itself as {SUSPENSION}" in check.problems[0].detail


def test_stale_and_future_lists_fail_verification(fixed_core: Core, lists: Lists) -> None:
    lists.documents[REVOCATION] = signed_list(
        fixed_core, REVOCATION, "revocation", valid_until=NOW - timedelta(minutes=1)
    )
    lists.documents[SUSPENSION] = signed_list(
        fixed_core,
        SUSPENSION,
        "suspension",
        valid_until=NOW + timedelta(days=10),
        edit=lambda document: document.update(validFrom="2026-12-01T00:00:00Z"),
    )
    credential = credential_with(
        fixed_core,
        status_entry(REVOCATION, 42, "revocation"),
        status_entry(SUSPENSION, 42, "suspension"),
    )
    check = checker(fixed_core, lists).check(credential)
    assert codes(check) == ["STATUS_VERIFICATION_ERROR", "STATUS_VERIFICATION_ERROR"]
    assert "stale list" in check.problems[0].detail
    assert "not valid before" in check.problems[1].detail


def test_entry_purpose_must_be_recorded_by_the_list(fixed_core: Core, lists: Lists) -> None:
    check = checker(fixed_core, lists).check(
        credential_with(fixed_core, status_entry(REVOCATION, 42, "suspension"))
    )
    assert codes(check) == ["STATUS_VERIFICATION_ERROR"]
    assert check.problems[0].field == "credentialStatus.statusPurpose"


def test_a_list_may_record_several_purposes(fixed_core: Core, lists: Lists) -> None:
    def both(document: dict[str, Any]) -> None:
        document["credentialSubject"]["statusPurpose"] = ["revocation", "suspension"]

    lists.documents[REVOCATION] = signed_list(
        fixed_core, REVOCATION, "revocation", set_values={7: 1}, edit=both
    )
    # One index, two purposes: two entries, so two ids (one id would make them one node).
    suspension = {**status_entry(REVOCATION, 7, "suspension"), "id": f"{REVOCATION}#7-suspension"}
    credential = credential_with(fixed_core, status_entry(REVOCATION, 7, "revocation"), suspension)
    status = checker(fixed_core, lists)
    assert codes(status.check(credential)) == ["CREDENTIAL_REVOKED", "CREDENTIAL_SUSPENDED"]


def test_short_lists_fail_with_status_list_length_error(fixed_core: Core, lists: Lists) -> None:
    def shorten(document: dict[str, Any]) -> None:
        document["credentialSubject"]["encodedList"] = encode_list(bytes(16 * 1024 - 1))

    lists.documents[REVOCATION] = signed_list(fixed_core, REVOCATION, "revocation", edit=shorten)
    check = checker(fixed_core, lists).check(
        credential_with(fixed_core, status_entry(REVOCATION, 42, "revocation"))
    )
    assert codes(check) == ["STATUS_LIST_LENGTH_ERROR"]
    assert "131064 entries" in check.problems[0].detail


def test_the_minimum_counts_entries_not_bytes(fixed_core: Core, lists: Lists) -> None:
    """16 KiB of 2-bit entries is only 65,536 entries: too short."""

    def sixteen_kib(document: dict[str, Any]) -> None:
        document["credentialSubject"]["encodedList"] = encode_list(bytes(16 * 1024))

    lists.documents[MESSAGES] = signed_list(fixed_core, MESSAGES, "message", edit=sixteen_kib)
    check = checker(fixed_core, lists).check(credential_with(fixed_core, message_entry(20)))
    assert codes(check) == ["STATUS_LIST_LENGTH_ERROR"]


def test_an_index_past_the_end_is_a_range_error(fixed_core: Core, lists: Lists) -> None:
    def at(index: int) -> dict[str, Any]:
        return credential_with(
            fixed_core,
            status_entry(REVOCATION, index, "revocation"),
            status_entry(MESSAGES, index, "message", status_size=2, messages=CUSTOMS_MESSAGES),
        )

    assert codes(checker(fixed_core, lists).check(at(131_071))) == []
    check = checker(fixed_core, lists).check(at(131_072))
    assert codes(check) == ["RANGE_ERROR", "RANGE_ERROR"]
    assert [problem.field for problem in check.problems] == [
        "credentialStatus[0].statusListIndex",
        "credentialStatus[1].statusListIndex",
    ]
    assert "outside the list (0…131071)" in check.problems[0].detail


def test_a_credential_names_one_entry_per_purpose(fixed_core: Core, lists: Lists) -> None:
    twice = credential_with(
        fixed_core,
        status_entry(REVOCATION, 1, "revocation"),
        {**status_entry(REVOCATION, 2, "revocation"), "id": f"{REVOCATION}#2-again"},
    )
    many = credential_with(
        fixed_core,
        *(status_entry(f"{BASE}/list-{n}", n, f"purpose-{n}") for n in range(20)),
    )
    for credential, why in ((twice, "revocation is named more than once"), (many, "20 entries")):
        lists.lookups.clear()
        check = checker(fixed_core, lists).check(credential)
        assert codes(check) == ["STATUS_VERIFICATION_ERROR"]
        assert why in check.problems[0].detail
        assert lists.lookups == []  # refused before any list is looked up


def test_other_status_types_are_unsupported(fixed_core: Core, lists: Lists) -> None:
    other = {"id": "https://status.example/x", "type": "StatusList2021Entry"}
    credential = credential_with(fixed_core, status_entry(REVOCATION, 42, "revocation"))
    credential["credentialStatus"] = [credential["credentialStatus"], other]  # shape only
    check = checker(fixed_core, lists).check(credential)
    assert codes(check) == ["UNSUPPORTED_STATUS_TYPE"]
    assert "unsupported status type StatusList2021Entry" in check.problems[0].detail


def test_malformed_entries_fail_with_malformed_value_error(fixed_core: Core, lists: Lists) -> None:
    entry = status_entry(REVOCATION, 42, "revocation")
    entry["statusListIndex"] = 42
    check = checker(fixed_core, lists).check({"issuer": did_of(ISSUER), "credentialStatus": entry})
    assert codes(check) == ["MALFORMED_VALUE_ERROR"]
    assert lists.lookups == []  # nothing fetched for an entry that cannot be read


def test_each_list_is_fetched_and_verified_once_per_check(fixed_core: Core, lists: Lists) -> None:
    def both(document: dict[str, Any]) -> None:
        document["credentialSubject"]["statusPurpose"] = ["revocation", "suspension"]

    lists.documents[REVOCATION] = signed_list(fixed_core, REVOCATION, "revocation", edit=both)
    credential = credential_with(
        fixed_core,
        status_entry(REVOCATION, 1, "revocation"),
        status_entry(REVOCATION, 2, "suspension"),
        message_entry(3),
    )
    assert checker(fixed_core, lists).check(credential).outcome is Outcome.PASSED
    assert sorted(lists.lookups) == [MESSAGES, REVOCATION]


def test_unknown_list_without_remote_fetching_is_a_retrieval_error(
    fixed_core: Core, lists: Lists
) -> None:
    credential = credential_with(fixed_core, status_entry(f"{BASE}/unknown", 1, "revocation"))
    check = checker(fixed_core, lists).check(credential)
    assert codes(check) == ["STATUS_RETRIEVAL_ERROR"]


def test_report_is_structured_for_the_api(fixed_core: Core, lists: Lists) -> None:
    credential = credential_with(
        fixed_core, status_entry(REVOCATION, 7, "revocation"), message_entry(21)
    )
    report = checker(fixed_core, lists).report(credential)
    assert isinstance(report, StatusReport) and not report.passed
    assert [freshness.url for freshness in report.lists] == [REVOCATION, MESSAGES]
    assert report.to_json() == {
        "checkedAt": "2026-11-28T12:00:00Z",
        "passed": False,
        "entries": [
            {
                "field": "credentialStatus[0]",
                "statusPurpose": "revocation",
                "statusListIndex": "7",
                "statusSize": 1,
                "status": "0x1",
                "valid": False,
                "message": "set",
                "messageEs": None,
                "statusListCredential": {
                    "url": REVOCATION,
                    "fetchedAt": "2026-11-28T12:00:00Z",
                    "ageSeconds": 0.0,
                    "validUntil": "2026-11-29T12:00:00Z",
                    "refreshAfter": "2026-11-28T12:00:00Z",
                },
                "codes": ["CREDENTIAL_REVOKED"],
            },
            {
                "field": "credentialStatus[1]",
                "statusPurpose": "message",
                "statusListIndex": "21",
                "statusSize": 2,
                "status": "0x2",
                "valid": False,
                "message": "under review by customs",
                "messageEs": "en revisión aduanera",
                "statusListCredential": {
                    "url": MESSAGES,
                    "fetchedAt": "2026-11-28T12:00:00Z",
                    "ageSeconds": 0.0,
                    "validUntil": "2026-11-29T12:00:00Z",
                    "refreshAfter": "2026-11-28T12:00:00Z",
                },
                "codes": [],
            },
        ],
    }


# --- inside the Verifier -------------------------------------------------------------


def verifier(core: Core, status_checker: StatusChecker) -> Verifier:
    return Verifier(
        data_integrity=core.data_integrity,
        processor=core.processor,
        resolver=core.resolver,
        clock=FixedClock(NOW),
        status_checker=status_checker,
    )


def test_verifier_accepts_an_active_credential(fixed_core: Core, lists: Lists) -> None:
    credential = credential_with(
        fixed_core, status_entry(REVOCATION, 42, "revocation"), message_entry(20)
    )
    result = verifier(fixed_core, checker(fixed_core, lists)).verify(credential)
    assert result.verified, result.to_json()
    status = result.check("status")
    assert status is not None and status.outcome is Outcome.PASSED
    assert "under revalidation" in (status.detail or "")


def test_verifier_refuses_a_revoked_credential(fixed_core: Core, lists: Lists) -> None:
    credential = credential_with(fixed_core, status_entry(REVOCATION, 7, "revocation"))
    result = verifier(fixed_core, checker(fixed_core, lists)).verify(credential)
    assert not result.verified
    assert [problem.code for problem in result.problems] == ["CREDENTIAL_REVOKED"]


def test_unreachable_list_means_not_verified(fixed_core: Core) -> None:
    def unreachable(url: str) -> Mapping[str, Any] | None:
        raise FetchError(f"GET {url}: cannot connect", code="FETCH_FAILED")

    credential = credential_with(fixed_core, status_entry(REVOCATION, 42, "revocation"))
    status = checker(fixed_core, unreachable)
    check = status.check(credential)
    assert codes(check) == ["STATUS_RETRIEVAL_ERROR"]
    assert "cannot connect" in check.problems[0].detail
    result = verifier(fixed_core, status).verify(credential)
    assert not result.verified
    assert [problem.code for problem in result.problems] == ["STATUS_RETRIEVAL_ERROR"]
    assert result.to_json()["checks"][-1] == {
        "check": "status",
        "outcome": "failed",
        "detail": "revocation: not checked (STATUS_RETRIEVAL_ERROR)",
        "codes": ["STATUS_RETRIEVAL_ERROR"],
    }


def test_a_suspended_credential_inside_a_presentation_fails_it(
    fixed_core: Core, lists: Lists
) -> None:
    credential = credential_with(fixed_core, status_entry(SUSPENSION, 8, "suspension"))
    presentation = fixed_core.data_integrity.add_proof(
        {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiablePresentation"],
            "verifiableCredential": [credential],
        },
        signer=ISSUER.signer(),
        cryptosuite="eddsa-rdfc-2022",
        created=NOW,
        purpose=AUTHENTICATION,
    )
    result = verifier(fixed_core, checker(fixed_core, lists)).verify(presentation)
    assert not result.verified
    [inner] = result.credentials
    assert [problem.code for problem in inner.problems] == ["CREDENTIAL_SUSPENDED"]


def test_status_purposes_from_the_model_are_accepted(fixed_core: Core, lists: Lists) -> None:
    credential = credential_with(fixed_core, status_entry(REVOCATION, 7, StatusPurpose.REVOCATION))
    assert codes(checker(fixed_core, lists).check(credential)) == ["CREDENTIAL_REVOKED"]


# ---------------------------------------------------------------- verified lists, cached


class _CountingIntegrity:
    """The core's Data Integrity, counting the documents whose proofs it verifies."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.verified = 0

    def verify(self, *args: Any, **kwargs: Any) -> Any:
        self.verified += 1
        return self.inner.verify(*args, **kwargs)


class _Clock:
    def __init__(self) -> None:
        self.moment = NOW

    def now(self) -> Any:
        return self.moment


def _cached(core: Core, lists: Lists, clock: _Clock) -> tuple[Any, _CountingIntegrity]:
    counting = _CountingIntegrity(core.data_integrity)
    status = BitstringStatusChecker(
        source=LocalFirstStatusListSource(lists, clock=clock),
        data_integrity=counting,  # type: ignore[arg-type]
        clock=clock,
        verified_lists=TtlCache(max_entries=8, max_ttl_seconds=300),
    )
    return status, counting


def test_a_verified_list_is_not_verified_again(fixed_core: Core, lists: Lists) -> None:
    status, counting = _cached(fixed_core, lists, _Clock())
    credential = credential_with(fixed_core, status_entry(REVOCATION, 42, "revocation"))
    for _ in range(3):
        assert status.check(credential).outcome is Outcome.PASSED
    assert counting.verified == 1


def test_a_republished_list_is_verified_and_read_again(fixed_core: Core, lists: Lists) -> None:
    status, counting = _cached(fixed_core, lists, _Clock())
    credential = credential_with(fixed_core, status_entry(REVOCATION, 42, "revocation"))
    assert status.check(credential).outcome is Outcome.PASSED
    lists.documents[REVOCATION] = signed_list(
        fixed_core, REVOCATION, "revocation", set_values={7: 1, 42: 1}
    )
    assert codes(status.check(credential)) == ["CREDENTIAL_REVOKED"]
    assert counting.verified == 2


def test_a_tampered_copy_of_a_verified_list_still_fails(fixed_core: Core, lists: Lists) -> None:
    status, _ = _cached(fixed_core, lists, _Clock())
    credential = credential_with(fixed_core, status_entry(REVOCATION, 7, "revocation"))
    assert codes(status.check(credential)) == ["CREDENTIAL_REVOKED"]
    forged = copy.deepcopy(lists.documents[REVOCATION])
    forged["credentialSubject"]["encodedList"] = encode_list(Bitstring(status_size=1).to_bytes())
    lists.documents[REVOCATION] = forged
    assert codes(status.check(credential)) == ["STATUS_VERIFICATION_ERROR"]


def test_a_cached_list_past_its_validity_fails(fixed_core: Core, lists: Lists) -> None:
    clock = _Clock()
    status, _ = _cached(fixed_core, lists, clock)
    credential = credential_with(fixed_core, status_entry(REVOCATION, 42, "revocation"))
    assert status.check(credential).outcome is Outcome.PASSED
    clock.moment = NOW + timedelta(days=2)
    assert codes(status.check(credential)) == ["STATUS_VERIFICATION_ERROR"]
