"""UPN, ULN, URN, LAESTAB and LA-number validation, and National Curriculum year by age."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given

from pepdocs.model._identifiers import (
    TEMPORARY_ULN,
    UPN_ALPHABET,
    academic_year_label,
    key_stage,
    nc_year,
    upn_check_letter,
    validate_la,
    validate_laestab,
    validate_uln,
    validate_upn,
    validate_urn,
    year_group_label,
)

from .strategies import la_numbers, laestabs, ulns, upns, urns

WORKED_UPNS = ["B801200005001", "A210123423001", "Z886456724123", "Z21012342301A"]
"""The DfE-algorithm worked examples from the domain notes (the last one temporary)."""


def one_digit_changes(upn: str) -> list[str]:
    """Every UPN that differs from `upn` in exactly one of its digits."""
    changed = []
    for position, char in enumerate(upn):
        if char.isdigit():
            changed += [upn[:position] + digit + upn[position + 1 :] for digit in "0123456789" if digit != char]
    return changed


def check_letter_changes(upn: str) -> list[str]:
    """Every UPN that differs from `upn` only in its check letter (A to Z, I, O and S too)."""
    return [letter + upn[1:] for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if letter != upn[0]]


# --- UPN ----------------------------------------------------------------------------------


@pytest.mark.parametrize("upn", WORKED_UPNS)
def test_worked_example_upns_are_valid(upn: str) -> None:
    assert validate_upn(upn) == upn
    assert upn_check_letter(upn) == upn[0]


@pytest.mark.parametrize("upn", WORKED_UPNS)
def test_changing_any_one_digit_of_a_upn_makes_it_invalid(upn: str) -> None:
    changes = one_digit_changes(upn)
    assert len(changes) == 9 * sum(char.isdigit() for char in upn)
    for changed in changes:
        with pytest.raises(ValueError):
            validate_upn(changed)


@pytest.mark.parametrize("upn", WORKED_UPNS)
def test_changing_the_check_letter_of_a_upn_makes_it_invalid(upn: str) -> None:
    for changed in check_letter_changes(upn):
        with pytest.raises(ValueError):
            validate_upn(changed)


def test_changing_the_final_letter_of_a_temporary_upn_makes_it_invalid() -> None:
    upn = "Z21012342301A"
    for letter in UPN_ALPHABET[1:]:
        with pytest.raises(ValueError):
            validate_upn(upn[:12] + letter)


def test_a_temporary_upn_ends_in_a_letter_and_is_valid() -> None:
    assert validate_upn("Z21012342301A") == "Z21012342301A"


@pytest.mark.parametrize("placeholder", ["UN1", "UN2", "UN3", "UN4", "UN5"])
def test_placeholders_un1_to_un5_are_valid_upns(placeholder: str) -> None:
    assert validate_upn(placeholder) == placeholder


@pytest.mark.parametrize("value", ["UN0", "UN6", "UN"])
def test_other_un_codes_are_not_placeholders(value: str) -> None:
    with pytest.raises(ValueError):
        validate_upn(value)


def test_a_upn_is_read_in_upper_case_without_surrounding_space() -> None:
    assert validate_upn(" a210123423001 ") == "A210123423001"
    assert validate_upn("un4") == "UN4"


@pytest.mark.parametrize("letter", ["I", "O", "S"])
def test_letters_i_o_and_s_are_never_used_in_a_upn(letter: str) -> None:
    with pytest.raises(ValueError, match="I, O and S"):
        validate_upn(letter + "210123423001")
    with pytest.raises(ValueError, match="I, O and S"):
        validate_upn("Z21012342301" + letter)


@pytest.mark.parametrize("value", ["", "A21012342300", "A2101234230011", "A21012342300100", "A"])
def test_a_upn_of_the_wrong_length_is_rejected(value: str) -> None:
    with pytest.raises(ValueError, match="13 characters"):
        validate_upn(value)


@pytest.mark.parametrize(
    "value",
    ["AA10123423001", "A2101234230A1", "1210123423001", "A210123423-01", "A２１０１２３４２３００1", "A210123423٠٠1"],
)
def test_a_upn_of_the_wrong_shape_is_rejected(value: str) -> None:
    with pytest.raises(ValueError):
        validate_upn(value)


@given(upns())
def test_every_generated_upn_is_valid(upn: str) -> None:
    assert validate_upn(upn) == upn


# --- ULN ----------------------------------------------------------------------------------


def test_the_esfa_example_uln_is_valid() -> None:
    assert validate_uln("1000000043") == "1000000043"


def test_a_uln_whose_remainder_is_zero_is_invalid() -> None:
    with pytest.raises(ValueError, match="check digit"):
        validate_uln("1000000063")


def test_the_temporary_uln_is_valid() -> None:
    assert validate_uln("9999999999") == TEMPORARY_ULN


def test_a_uln_with_a_wrong_check_digit_is_invalid() -> None:
    for digit in "012456789":
        with pytest.raises(ValueError, match="check digit"):
            validate_uln("100000004" + digit)


@pytest.mark.parametrize(
    "value", ["100000004A", "10000 00043", "１０００００００４３", "100000004", "10000000430", "", "ULN"]
)
def test_a_uln_that_is_not_ten_ascii_digits_is_invalid(value: str) -> None:
    with pytest.raises(ValueError, match="10 digits"):
        validate_uln(value)


@given(ulns())
def test_every_generated_uln_is_valid(uln: str) -> None:
    assert validate_uln(uln) == uln


# --- URN, LAESTAB, LA ---------------------------------------------------------------------


def test_a_urn_is_six_digits() -> None:
    assert validate_urn("100834") == "100834"
    assert validate_urn(" 148231 ") == "148231"
    for bad in ["10083", "1008345", "10083A", "", "１４８２３１", "14823١"]:
        with pytest.raises(ValueError, match="6 digits"):
            validate_urn(bad)


def test_a_laestab_is_an_la_number_and_four_digits_with_an_optional_slash() -> None:
    assert validate_laestab("2102456") == "2102456"
    assert validate_laestab("886/4312") == "8864312"
    for bad in ["0102456", "210245", "21024567", "210-2456", "21O2456", "２１０２４５６", "210٢٤٥٦"]:
        with pytest.raises(ValueError, match="7 digits"):
            validate_laestab(bad)


def test_an_la_number_is_three_digits_not_starting_with_zero() -> None:
    assert validate_la("210") == "210"
    assert validate_la("886") == "886"
    for bad in ["21", "2100", "021", "Kent", "", "２１０", "2١٠"]:
        with pytest.raises(ValueError, match="3 digits"):
            validate_la(bad)


@given(urns(), laestabs(), la_numbers())
def test_every_generated_urn_laestab_and_la_number_is_valid(urn: str, laestab: str, la: str) -> None:
    assert validate_urn(urn) == urn
    assert validate_laestab(laestab) == laestab
    assert validate_la(la) == la


# --- years --------------------------------------------------------------------------------


def test_a_child_born_on_31_august_starts_reception_that_september() -> None:
    assert nc_year(date(2016, 8, 31), date(2020, 9, 1)) == 0


def test_a_child_born_on_1_september_is_a_year_behind() -> None:
    assert nc_year(date(2016, 9, 1), date(2020, 9, 1)) == -1


def test_the_year_group_changes_between_31_august_and_1_september() -> None:
    child = date(2016, 8, 31)
    assert nc_year(child, date(2021, 8, 31)) == 0
    assert nc_year(child, date(2021, 9, 1)) == 1
    later = date(2016, 9, 1)
    assert nc_year(later, date(2021, 8, 31)) == -1
    assert nc_year(later, date(2021, 9, 1)) == 0


def test_the_year_group_is_the_same_all_academic_year() -> None:
    born = date(2017, 3, 14)
    assert {
        nc_year(born, on) for on in (date(2025, 9, 1), date(2025, 12, 31), date(2026, 1, 1), date(2026, 8, 31))
    } == {4}


def test_a_leap_day_birthday_counts_as_before_1_september() -> None:
    assert nc_year(date(2016, 2, 29), date(2021, 9, 1)) == 1


def test_the_academic_year_starts_on_1_september() -> None:
    assert academic_year_label(date(2025, 8, 31)) == "2024-25"
    assert academic_year_label(date(2025, 9, 1)) == "2025-26"
    assert academic_year_label(date(1999, 9, 1)) == "1999-00"


@pytest.mark.parametrize(
    ("ncy", "stage"),
    [
        (-2, "EYFS"),
        (-1, "EYFS"),
        (0, "EYFS"),
        (1, "KS1"),
        (2, "KS1"),
        (3, "KS2"),
        (6, "KS2"),
        (7, "KS3"),
        (9, "KS3"),
        (10, "KS4"),
        (11, "KS4"),
        (12, "KS5"),
        (13, "KS5"),
        (14, "KS5"),
    ],
)
def test_each_year_group_has_its_key_stage(ncy: int, stage: str) -> None:
    assert key_stage(ncy) == stage


@pytest.mark.parametrize(
    ("ncy", "label"),
    [(-2, "Nursery (-2)"), (-1, "Nursery"), (0, "Reception"), (1, "Year 1"), (7, "Year 7"), (13, "Year 13")],
)
def test_each_year_group_has_the_label_forms_use(ncy: int, label: str) -> None:
    assert year_group_label(ncy) == label
