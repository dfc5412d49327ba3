"""When PEPs fall due from the dates in the record: looked-after reviews (reg 33), the statutory floor and events.

A label (`plan.pep_type`) is evidence, never the trigger: the first PEP is the first PEP meeting on or after the
date the child became looked after, a new-school PEP the first on or after the school start date.
"""

from __future__ import annotations

import calendar as months
from dataclasses import dataclass
from datetime import date, timedelta

from pepdocs.model._codes import EetStatus, PepType, ReportCardGrade, Term
from pepdocs.model._identifiers import nc_year
from pepdocs.model._pep import PEP, Setting
from pepdocs.rules._calendar import add_working_days
from pepdocs.rules._policy import Policy

FIRST_REVIEW_WORKING_DAYS = 20
"""CPPCR Regulations 2010 reg 33(1): the first review within 20 working days of becoming looked after."""
SECOND_REVIEW_MONTHS = 3
"""Reg 33(2)(a): the second review no more than three months after the first."""
LATER_REVIEW_MONTHS = 6
"""Reg 33(2)(b): later reviews no more than six months after the one before."""
CARE_PLAN_WORKING_DAYS = 10
"""Reg 4(2): the care plan, the PEP part of it, within 10 working days of the first placement where not before."""
PRESUMED_FIRST = timedelta(days=183)
"""With no earlier PEP date recorded, a meeting this soon after an event is taken to be the first since it:
the longest a child may go between looked-after reviews (reg 33(2)(b))."""
REG_33 = "CPPCR Regulations 2010 reg 33 (legislation.gov.uk/uksi/2010/959/regulation/33/made)"
NEET = frozenset({EetStatus.NEET_SEEKING, EetStatus.NEET_NOT_AVAILABLE})


def add_months(day: date, count: int) -> date:
    """The same day `count` calendar months later, or the month's last day where it is shorter."""
    month = day.month - 1 + count
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, months.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Review:
    """A looked-after review: its date (the latest reg 33 allows, when derived), its number when known."""

    date: date
    number: int | None
    recorded: bool

    def describe(self) -> str:
        nth = {1: "first", 2: "second"}.get(self.number or 0, "next")
        how = "recorded" if self.recorded else "latest date under reg 33"
        return f"{nth} looked-after review ({how})"


def first_review_due(became: date) -> date:
    """The latest date for the first looked-after review (reg 33(1))."""
    return add_working_days(became, FIRST_REVIEW_WORKING_DAYS)


def reviews(pep: PEP, until: date) -> list[Review]:
    """Looked-after reviews up to `until`: recorded dates where the record has them, the rest derived from reg 33."""
    care = pep.care
    became, last, upcoming = care.date_became_looked_after, care.last_lac_review_date, care.next_lac_review_date
    found: list[Review] = []
    if became is not None:
        first = first_review_due(became)
        if last is not None and last <= first:
            found.append(Review(last, 1, True))
        elif last is not None:
            found.extend([Review(first, 1, False), Review(last, None, True)])
        elif upcoming is not None and upcoming <= first:
            found.append(Review(upcoming, 1, True))  # the first review, booked
        else:
            found.append(Review(first, 1, False))
    elif last is not None:
        found.append(Review(last, None, True))
    if upcoming is not None and (not found or upcoming > found[-1].date):
        number = found[-1].number + 1 if found and found[-1].number is not None else None
        found.append(Review(upcoming, number, True))
    while found and found[-1].date <= until:
        previous = found[-1]
        gap = SECOND_REVIEW_MONTHS if previous.number == 1 else LATER_REVIEW_MONTHS
        number = previous.number + 1 if previous.number is not None else None
        found.append(Review(add_months(previous.date, gap), number, False))
    return found


def review_on_or_after(pep: PEP, day: date) -> Review | None:
    """The first looked-after review on or after `day`."""
    return next((review for review in reviews(pep, day) if review.date >= day), None)


# --- which meeting is the first since an event ------------------------------------------------------


def held_meeting(pep: PEP, on: date) -> date | None:
    """The meeting date if the meeting has taken place by `on`; a later date is a planned meeting."""
    meeting = pep.plan.meeting_date
    return meeting if meeting is not None and meeting <= on else None


def first_since(pep: PEP, start: date, label: PepType | None = None) -> date | None:
    """The meeting (held or planned) when the record shows it is the first PEP on or after `start`, else None.

    It is the first when no earlier PEP date on or after `start` is recorded and it carries `label`, or, without
    that label, falls within `PRESUMED_FIRST` of `start`.
    """
    meeting, previous = pep.plan.meeting_date, pep.plan.previous_pep_date
    if meeting is None or meeting < start or (previous is not None and start <= previous < meeting):
        return None
    if label is not None and pep.plan.pep_type is label:
        return meeting
    return meeting if meeting - start <= PRESUMED_FIRST else None


def unrecorded_since(pep: PEP, start: date, on: date) -> date | None:
    """The meeting held by `on`, when it is the first recorded on or after `start` but too long after to be the first.

    Then the record of that meeting shows no PEP between `start` and it, whatever its label says. (A planned
    meeting long after `start` is taken to show PEPs held since, as in `outstanding_since`.)
    """
    meeting, previous = held_meeting(pep, on), pep.plan.previous_pep_date
    if meeting is None or meeting < start or (previous is not None and start <= previous < meeting):
        return None
    return meeting if meeting - start > PRESUMED_FIRST else None


def outstanding_since(pep: PEP, start: date, on: date) -> bool:
    """Whether no PEP meeting has been held on or after `start`, as far as the record shows.

    With no meeting held and no earlier PEP date, a planned meeting or reviewed targets long after `start` are
    taken to show that PEPs have been held since.
    """
    held, previous = held_meeting(pep, on), pep.plan.previous_pep_date
    if (held is not None and held >= start) or (previous is not None and previous >= start):
        return False
    if held is None and previous is None and start < on - PRESUMED_FIRST:
        planned = pep.plan.meeting_date is not None and pep.plan.meeting_date >= start
        return not (planned or pep.previous_targets or pep.previous_actions)
    return True


# --- phase and the school's standing -------------------------------------------------------------


def year_group_on(pep: PEP, day: date) -> int | None:
    """The National Curriculum year on `day`: the actual one if given, else by age."""
    if pep.child.ncy_actual is not None:
        return pep.child.ncy_actual
    born = pep.child.date_of_birth
    return None if born is None else nc_year(born, day)


def is_neet(pep: PEP) -> bool:
    """Whether the young person is not in education, employment or training."""
    post16 = pep.post16
    return post16.eet_status in NEET or (post16.eet_status is None and post16.neet_since is not None)


def below_standard(setting: Setting, grades: list[str], cards: list[ReportCardGrade]) -> str | None:
    """Why the setting's latest inspection counts as below standard under these grades, or None.

    The legacy overall grade, any 2024-25 key judgement, or any report-card area may show it.
    """
    inspection = setting.inspection
    when = f" ({inspection.inspected_on:%b %Y})" if inspection.inspected_on is not None else ""
    card = inspection.report_card
    for area in type(card).model_fields:
        grade = getattr(card, area)
        if isinstance(grade, ReportCardGrade) and grade in cards:
            return f"report card{when}: {area.replace('_', ' ')} {grade.label.lower()}"
    if cards and card.safeguarding_met is False:
        return f"report card{when}: safeguarding not met"
    judgements = {
        "quality of education": inspection.quality_of_education,
        "behaviour and attitudes": inspection.behaviour_attitudes,
        "personal development": inspection.personal_development,
        "leadership and management": inspection.leadership_management,
    }
    for name, grade in judgements.items():
        if grade is not None and grade.value in grades:
            return f"Ofsted{when}: {name} {grade.label.lower()}"
    overall = inspection.overall or setting.ofsted_grade
    if overall is not None and overall.value in grades:
        return f"Ofsted{when}: graded {overall.value} ({overall.label.lower()})"
    return None


def post16_terms(pep: PEP, policy: Policy, day: date) -> list[Term] | None:
    """The terms a post-16 young person's PEPs fall in under `policy`, or None when the policy sets none."""
    year = year_group_on(pep, day)
    return policy.post16_terms.get(str(year)) if year is not None and year >= 12 else None


def early_years_waiting(pep: PEP, policy: Policy, day: date) -> bool:
    """Whether a child below Reception has no PEP due yet because they have not started at a setting."""
    if not policy.early_years_from_setting:
        return False
    year = year_group_on(pep, day)
    start = pep.education.setting.start_date
    return year is not None and year < 0 and (start is None or start > day)
