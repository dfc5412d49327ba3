"""Dates as people write them in England, read in one place for forms, case data and term-date files."""

from __future__ import annotations

import re
from datetime import date

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_NUMERIC_DATE = re.compile(r"([0-9]{1,2})\s*[/.\-]\s*([0-9]{1,2})\s*[/.\-]\s*([0-9]{2}|[0-9]{4})")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_WORDY_DATE = re.compile(r"(?:[a-z]+\s+)?([0-9]{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?\s+([0-9]{2}|[0-9]{4})")


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 70 else 1900
    return year


def read_date(text: str) -> date:
    """A date as people write it in England: 1/9/2025, 01-09-25, 1 September 2025, 2025-09-01."""
    cleaned = text.strip().casefold()
    try:
        if match := _ISO_DATE.fullmatch(cleaned):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _NUMERIC_DATE.fullmatch(cleaned):
            return date(_year(match[3]), int(match[2]), int(match[1]))
        if (match := _WORDY_DATE.fullmatch(cleaned)) and match[2] in _MONTHS:
            return date(_year(match[3]), _MONTHS[match[2]], int(match[1]))
    except ValueError:
        raise ValueError("not a day of the calendar") from None
    raise ValueError("not a date")
