"""The RFC: shape, generic RFCs, the embedded date and SAT's check digit."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.unit.certificates.support import check_digit, rfcs
from vcservice.certificates.rfc import rfc_check_digit, rfc_problem


def test_reference_example_from_sat() -> None:
    # The worked example in SAT's description of the algorithm: GODE561231GR -> 8.
    assert rfc_check_digit("GODE561231GR") == "8"
    assert rfc_problem("GODE561231GR8") is None


@pytest.mark.parametrize("rfc", ["EEB030821R49", "AFN981002HT9"])
def test_sample_rfcs_are_valid(rfc: str) -> None:
    assert rfc_problem(rfc) is None


@pytest.mark.parametrize(
    ("rfc", "reason"),
    [
        ("EEB030821R48", "check digit"),
        ("EEB031321R4" + check_digit("EEB031321R4"), "not a calendar date"),
        ("EEB030230R4" + check_digit("EEB030230R4"), "not a calendar date"),
        ("XAXX010101000", "generic"),
        ("XEXX010101000", "generic"),
        ("eeb030821r49", "not shaped"),
        ("EEB030821R49\n", "not shaped"),
        ("EE030821R49", "not shaped"),
        ("EEB-030821-R49", "not shaped"),
    ],
)
def test_invalid_rfcs(rfc: str, reason: str) -> None:
    problem = rfc_problem(rfc)
    assert problem is not None
    assert reason in problem


def test_leap_day_is_a_date_in_a_leap_year_only() -> None:
    assert rfc_problem("ABC000229AB" + check_digit("ABC000229AB")) is None
    assert "calendar" in (rfc_problem("ABC010229AB" + check_digit("ABC010229AB")) or "")


def test_check_digit_refuses_what_is_not_an_rfc_body() -> None:
    with pytest.raises(ValueError, match="not the body"):
        rfc_check_digit("abc")
    with pytest.raises(ValueError, match="not the body"):
        rfc_check_digit("ABCDE5612310GR")


@given(rfcs())
def test_production_check_digit_agrees_with_an_independent_one(rfc: str) -> None:
    assert rfc_check_digit(rfc[:-1]) == check_digit(rfc[:-1])
    assert rfc_problem(rfc) is None


@given(rfcs(), st.sampled_from("0123456789A"))
def test_any_other_check_digit_is_refused(rfc: str, digit: str) -> None:
    if digit != rfc[-1]:
        assert "check digit" in (rfc_problem(rfc[:-1] + digit) or "")
