"""Working days and school days: the two calendars PEP deadlines are counted in.

Working days skip weekends and England-and-Wales bank holidays (the `holidays` package). School days
are the weekdays inside a school's terms, less bank holidays; terms come from a CSV or XLSX file with
the columns `term, start, end`, one row per term or half of one, so a half-term holiday is the gap
between two rows. pepdocs ships typical England dates for 2023-24 to 2027-28 (`policies/terms-england.csv`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import holidays

from pepdocs._errors import InputError
from pepdocs._util.dates import read_date

DEFAULT_TERM_DATES = Path(__file__).resolve().parent / "policies" / "terms-england.csv"
TERM_NAMES = ("autumn", "spring", "summer")
_ONE_DAY = timedelta(days=1)


class CalendarRangeError(InputError):
    """A date outside the years a term calendar covers."""


@lru_cache(maxsize=1)
def _bank_holidays() -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv="ENG")


def is_bank_holiday(day: date) -> bool:
    """Whether `day` is a bank holiday in England (substitute days included)."""
    return day in _bank_holidays()


def is_working_day(day: date) -> bool:
    """Monday to Friday and not an England bank holiday."""
    return day.weekday() < 5 and not is_bank_holiday(day)


@dataclass(frozen=True)
class TermPart:
    """A term, or half of one: the school days run from `start` to `end` inclusive."""

    term: str
    start: date
    end: date

    @property
    def academic_year(self) -> int:
        """The year in which the part's academic year began."""
        return self.start.year if self.start.month >= 8 else self.start.year - 1


@dataclass(frozen=True)
class TermDates:
    """A school's terms, in order, and where they were read from."""

    parts: tuple[TermPart, ...]
    source: str

    def require(self, day: date) -> None:
        """Raise CalendarRangeError unless `day` lies within the academic years the dates cover."""
        first = date(self.parts[0].academic_year, 9, 1)
        last = date(self.parts[-1].academic_year + 1, 8, 31)
        if not first <= day <= last:
            raise CalendarRangeError(
                f"they cover {first.isoformat()} to {last.isoformat()}, not {day.isoformat()};"
                " give term dates for that year (a CSV or XLSX of term, start, end)",
                self.source,
            )

    def is_school_day(self, day: date) -> bool:
        """A weekday inside a term or half-term part, and not a bank holiday."""
        self.require(day)
        return is_working_day(day) and any(part.start <= day <= part.end for part in self.parts)

    def half_terms(self) -> list[TermPart]:
        """Each row as it was given: the half-terms, or whole terms where no half-term was marked."""
        return list(self.parts)

    def terms(self) -> list[TermPart]:
        """Whole terms: consecutive parts of the same term in the same academic year joined, half-terms inside."""
        joined: list[TermPart] = []
        for part in self.parts:
            last = joined[-1] if joined else None
            if last is not None and last.term == part.term and last.academic_year == part.academic_year:
                joined[-1] = TermPart(part.term, last.start, part.end)
            else:
                joined.append(part)
        return joined


def _days_after(start: date, days: int, counts: Callable[[date], bool]) -> date:
    if days < 0:
        raise ValueError("days must not be negative")
    day, counted = start, 0
    while counted < days:
        day += _ONE_DAY
        if counts(day):
            counted += 1
    return day


def _count_between(start: date, end: date, counts: Callable[[date], bool]) -> int:
    if end < start:
        return -_count_between(end, start, counts)
    total, day = 0, start
    while day < end:
        day += _ONE_DAY
        total += counts(day)
    return total


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (`start` itself not counted)."""
    return _days_after(start, days, is_working_day)


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`; negative when `end` is earlier."""
    return _count_between(start, end, is_working_day)


def add_school_days(start: date, days: int, terms: TermDates | str | Path | None = None) -> date:
    """The date `days` school days after `start` (`start` not counted); CalendarRangeError past the term dates."""
    calendar = term_dates(terms)
    calendar.require(start)
    return _days_after(start, days, calendar.is_school_day)


def school_days_between(start: date, end: date, terms: TermDates | str | Path | None = None) -> int:
    """School days after `start` up to and including `end`; negative when `end` is earlier."""
    calendar = term_dates(terms)
    calendar.require(start)
    calendar.require(end)
    return _count_between(start, end, calendar.is_school_day)


def add_days(start: date, days: int, basis: str, terms: TermDates | str | Path | None = None) -> date:
    """`days` working or school days after `start`, as `basis` says."""
    if basis == "school":
        return add_school_days(start, days, terms)
    return add_working_days(start, days)


# --- reading term dates ---------------------------------------------------------------------


def term_dates(terms: TermDates | str | Path | None = None) -> TermDates:
    """Term dates: given ones, a CSV or XLSX file, or pepdocs's typical England dates when None."""
    if isinstance(terms, TermDates):
        return terms
    path = Path(terms) if terms is not None else DEFAULT_TERM_DATES
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as error:
        reason = error.strerror or error.__class__.__name__
        raise InputError(f"cannot read the term dates ({reason})", str(path)) from None
    return _read_term_dates(str(path), stamp)


@lru_cache(maxsize=16)
def _read_term_dates(path: str, _stamp: int) -> TermDates:
    file = Path(path)
    rows = _xlsx_rows(file) if file.suffix.lower() in (".xlsx", ".xlsm") else _csv_rows(file)
    parsed = _parse_term_rows(rows, path)
    # Findings quote the source, so it names no folder of this machine.
    shown = "the built-in term dates" if file == DEFAULT_TERM_DATES else file.name
    return TermDates(parsed.parts, shown)


def _csv_rows(file: Path) -> Iterator[tuple[int, list[str]]]:
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read the term dates ({error.__class__.__name__})", str(file)) from None
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if row and not row[0].lstrip().startswith("#"):
            yield number, row


def _xlsx_rows(file: Path) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(file, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is no workbook
        raise InputError(f"cannot read the term dates as a workbook ({error.__class__.__name__})", str(file)) from None
    try:
        sheet = book.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = ["" if v is None else v.date().isoformat() if isinstance(v, datetime) else str(v) for v in values]
            if any(cell.strip() for cell in cells):
                yield number, cells
    finally:
        book.close()


def _parse_term_rows(rows: Iterable[tuple[int, list[str]]], source: str) -> TermDates:
    lines = iter(rows)
    header = next(lines, None)
    if header is None:
        raise InputError("no term dates: expected a header row term, start, end", source)
    names = [cell.strip().casefold() for cell in header[1]]
    if not {"term", "start", "end"} <= set(names):
        raise InputError("the header row must name the columns term, start and end", source, header[0])
    at = {name: names.index(name) for name in ("term", "start", "end")}
    parts: list[TermPart] = []
    for number, row in lines:
        cells = [*row, "", "", ""]
        word = cells[at["term"]].strip().casefold().split(" ")[0] if cells[at["term"]].strip() else ""
        if word not in TERM_NAMES:
            raise InputError(f"term must be autumn, spring or summer, not {cells[at['term']]!r}", source, number)
        try:
            start, end = read_date(cells[at["start"]]), read_date(cells[at["end"]])
        except ValueError:
            raise InputError("start and end must be dates (YYYY-MM-DD or DD/MM/YYYY)", source, number) from None
        if end < start:
            raise InputError(f"the term ends ({end}) before it starts ({start})", source, number)
        if parts and start <= parts[-1].end:
            raise InputError(f"the term starting {start} overlaps or comes before the row above", source, number)
        parts.append(TermPart(word, start, end))
    if not parts:
        raise InputError("no term dates below the header row", source)
    return TermDates(tuple(parts), source)
