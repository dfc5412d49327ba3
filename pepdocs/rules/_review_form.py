"""Southwark's review form: when its simpler second PEP of the year may be used (procedure §4)."""

from __future__ import annotations

from datetime import date, timedelta

from pepdocs.model._pep import PEP

STABLE_FOR = timedelta(days=183)


def review_form_allowed(pep: PEP, on: date | None = None) -> tuple[bool, str]:
    """Whether Southwark's simpler review form may be used, and why or why not (procedure §4)."""
    when = on or pep.plan.meeting_date
    if pep.plan.pep_number_in_year != 2:
        return False, "it is not the second PEP of the academic year"
    if when is None:
        return False, "the meeting date is not known, so stability over six months cannot be shown"
    start = pep.education.setting.start_date
    if start is None or when - start < STABLE_FOR:
        return False, "the child has not been at the same school for six months"
    placed = pep.care.placement_start_date
    if placed is not None and when - placed < STABLE_FOR:
        return False, "the child moved placement in the last six months"
    if any(x.start_date is None or when - x.start_date < STABLE_FOR for x in pep.education.exclusions):
        return False, "there was a suspension or exclusion in the last six months"
    percent = pep.education.attendance.percent
    if percent is not None and percent < 90:
        return False, f"attendance is {percent}%, below 90%"
    return True, "second PEP of the year, same school and a stable six months"
