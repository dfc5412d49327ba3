"""Working days skip weekends and bank holidays; school days also skip half-terms and holidays between terms."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

import pepdocs
from pepdocs.rules._calendar import (
    DEFAULT_TERM_DATES,
    CalendarRangeError,
    add_school_days,
    add_working_days,
    is_bank_holiday,
    is_working_day,
    school_days_between,
    term_dates,
    working_days_between,
)


def test_ten_working_days_skip_good_friday_and_easter_monday() -> None:
    # Mon 30 Mar 2026; Good Friday 3 Apr and Easter Monday 6 Apr are bank holidays.
    start = date(2026, 3, 30)
    assert add_working_days(start, 10) == date(2026, 4, 15)
    assert working_days_between(start, date(2026, 4, 15)) == 10
    assert working_days_between(start, date(2026, 4, 16)) == 11


def test_the_late_may_bank_holiday_is_not_a_working_day() -> None:
    assert is_bank_holiday(date(2026, 5, 25)) and not is_working_day(date(2026, 5, 25))
    assert add_working_days(date(2026, 5, 18), 5) == date(2026, 5, 26)


def test_a_weekend_is_skipped_and_start_is_not_counted() -> None:
    friday = date(2025, 11, 14)
    assert add_working_days(friday, 0) == friday
    assert add_working_days(friday, 1) == date(2025, 11, 17)
    assert working_days_between(friday, friday) == 0
    assert working_days_between(date(2025, 11, 17), friday) == -1


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)), st.integers(min_value=1, max_value=40))
def test_counting_working_days_undoes_adding_them(start: date, days: int) -> None:
    end = add_working_days(start, days)
    assert is_working_day(end)
    assert working_days_between(start, end) == days


def test_school_days_skip_the_october_half_term() -> None:
    # Autumn 2025: the first half ends Fri 24 Oct, the second starts Mon 3 Nov.
    assert add_school_days(date(2025, 10, 20), 4) == date(2025, 10, 24)
    assert add_school_days(date(2025, 10, 20), 5) == date(2025, 11, 3)
    assert school_days_between(date(2025, 10, 24), date(2025, 11, 3)) == 1


def test_school_days_skip_a_bank_holiday_in_term_and_the_holidays_between_terms() -> None:
    assert add_school_days(date(2026, 5, 1), 1) == date(2026, 5, 5)  # Mon 4 May 2026 is a bank holiday
    assert add_school_days(date(2025, 12, 20), 1) == date(2026, 1, 5)  # Christmas holidays
    assert add_school_days(date(2026, 4, 13), 20) == date(2026, 5, 12)


@given(st.dates(min_value=date(2023, 9, 1), max_value=date(2028, 6, 1)), st.integers(min_value=1, max_value=30))
def test_counting_school_days_undoes_adding_them(start: date, days: int) -> None:
    end = add_school_days(start, days)
    assert term_dates().is_school_day(end)
    assert school_days_between(start, end) == days


def test_the_shipped_term_dates_cover_2023_24_to_2027_28_with_six_half_terms_a_year() -> None:
    terms = term_dates()
    assert terms.source == "the built-in term dates"  # shown in findings: no folder of this machine
    assert [part.academic_year for part in terms.parts] == [year for year in range(2023, 2028) for _ in range(6)]
    assert [t.term for t in terms.terms()] == ["autumn", "spring", "summer"] * 5
    assert "typical" in DEFAULT_TERM_DATES.read_text(encoding="utf-8").splitlines()[0].casefold()
    assert all(part.start.weekday() < 5 and part.end.weekday() < 5 for part in terms.parts)


def test_a_date_outside_the_term_dates_is_a_pepdocs_error_naming_the_file() -> None:
    with pytest.raises(CalendarRangeError, match=r"^the built-in term dates: they cover .*2030-01-07") as caught:
        add_school_days(date(2030, 1, 7), 3)
    assert isinstance(caught.value, pepdocs.PepdocsError)


def test_a_users_csv_may_name_half_terms_and_write_dates_the_english_way(tmp_path: Path) -> None:
    csv = tmp_path / "terms.csv"
    csv.write_text("Term,Start,End\nAutumn 1,01/09/2031,17/10/2031\nAutumn 2,03/11/2031,19/12/2031\n", encoding="utf-8")
    assert add_school_days(date(2031, 10, 16), 2, csv) == date(2031, 11, 3)  # a two-week half-term
    assert school_days_between(date(2031, 9, 1), date(2031, 9, 5), csv) == 4


def test_a_users_workbook_of_term_dates_is_read(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["term", "start", "end"])
    sheet.append(["spring", date(2032, 1, 5), date(2032, 2, 13)])
    sheet.append(["spring", "2032-02-23", "2032-03-26"])
    path = tmp_path / "terms.xlsx"
    book.save(path)
    assert add_school_days(date(2032, 2, 13), 1, path) == date(2032, 2, 23)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("term,start,end\nwinter,2031-09-01,2031-10-17\n", r"terms\.csv, row 2: term must be autumn"),
        ("term,start,end\nautumn,2031-09-01,17 Oct\n", r"terms\.csv, row 2: start and end must be dates"),
        ("term,start,end\nautumn,2031-10-17,2031-09-01\n", r"row 2: the term ends"),
        ("term,start,end\nautumn,2031-09-01,2031-10-17\nautumn,2031-10-01,2031-12-17\n", r"row 3: .*overlaps"),
        ("name,from,to\n", r"terms\.csv, row 1: the header row must name"),
        ("term,start,end\n", r"no term dates below the header"),
    ],
)
def test_bad_term_dates_name_the_file_and_row(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "terms.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(pepdocs.InputError, match=message):
        add_school_days(date(2031, 9, 1), 1, path)


def test_a_missing_term_dates_file_is_a_pepdocs_error(tmp_path: Path) -> None:
    with pytest.raises(pepdocs.InputError, match="cannot read the term dates"):
        term_dates(tmp_path / "nowhere.csv")


def test_school_days_between_is_negative_backwards() -> None:
    start = date(2025, 11, 3)
    assert school_days_between(start + timedelta(days=7), start) == -5
