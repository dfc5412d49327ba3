"""When a policy's simpler review form may be used: its `[review_form]` table (Southwark procedure §4 for one)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from pepdocs.model._pep import PEP
from pepdocs.rules._policy import ReviewFormRule
from pepdocs.rules._timeline import add_months


@dataclass(frozen=True)
class ReviewFormCheck:
    """Whether the review form may be used, why, and how sure: an error for what the source states, else a warning."""

    allowed: bool
    reason: str
    severity: Literal["error", "warning"] = "error"


def review_form_allowed(pep: PEP, rule: ReviewFormRule, on: date | None = None) -> ReviewFormCheck:
    """Whether the review form may be used under `rule`; no reason carries a value from the record."""
    when = on or pep.plan.meeting_date
    months = rule.stable_months
    if pep.plan.pep_number_in_year != rule.pep_number:
        return ReviewFormCheck(False, f"it is not PEP {rule.pep_number} of the academic year")
    if when is None:
        return ReviewFormCheck(False, f"the meeting date is not known, so {months} stable months cannot be shown")
    since = add_months(when, -months)
    start = pep.education.setting.start_date
    if start is None or start > since:
        return ReviewFormCheck(False, f"the child has not been at the same school for {months} months")
    # What "good stability" means is not defined by the source; the tests below are pepdocs' reading: warnings.
    placed = pep.care.placement_start_date
    if placed is not None and placed > since:
        return ReviewFormCheck(False, f"the child moved placement in the last {months} months", "warning")
    if any(x.start_date is None or x.start_date > since for x in pep.education.exclusions):
        return ReviewFormCheck(False, f"there was a suspension or exclusion in the last {months} months", "warning")
    percent, floor = pep.education.attendance.percent, rule.min_attendance
    if percent is not None and floor is not None and percent < floor:
        return ReviewFormCheck(False, f"attendance is below the {floor:g}% threshold", "warning")
    return ReviewFormCheck(True, f"PEP {rule.pep_number} of the year, same school and a stable {months} months")
