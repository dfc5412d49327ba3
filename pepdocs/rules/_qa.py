"""Quality assurance: the red, amber and green rating a virtual school gives a PEP, area by area.

Each area has a measure worked out here (how many views are recorded, what share of targets are SMART, ...);
the thresholds that turn a measure into a rating, and the source of each, are data in the policy's `[qa]` table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from pepdocs._errors import InputError
from pepdocs.model._codes import Fund, Participation
from pepdocs.model._pep import PEP
from pepdocs.rules._check import fund_of
from pepdocs.rules._policy import Policy, QaArea, QaCriteria, load_policy
from pepdocs.rules._timeline import year_group_on

Rating = Literal["red", "amber", "green"]


@dataclass(frozen=True)
class AreaRating:
    """One area's rating and the reason for it."""

    area: str
    title: str
    rating: Rating
    reason: str
    source: str

    def __str__(self) -> str:
        return f"{self.rating:<5} {self.title}: {self.reason}"


@dataclass(frozen=True)
class QaReport:
    """A PEP's overall rating and the area ratings it comes from."""

    rating: Rating
    areas: list[AreaRating]
    source: str

    @property
    def reason(self) -> str:
        """Which areas made the overall rating."""
        counts = {colour: sum(1 for a in self.areas if a.rating == colour) for colour in ("red", "amber", "green")}
        return ", ".join(f"{count} {colour}" for colour, count in counts.items() if count)


Measure = tuple[float, str]
"""A measure (a count or a share) and the words that explain it."""


def _share(done: int, total: int) -> float:
    return done / total if total else 0.0


def _child_voice(pep: PEP, on: date) -> Measure:
    said = pep.views.child.model_dump(exclude={"wants_copy", "speaks_for_me"}, exclude_none=True)
    how = pep.plan.views_gathered_how is not None or pep.plan.child_participation in (
        Participation.ALL,
        Participation.PART,
    )
    count = len(said)
    return count, f"the child's views under {count} heading{'s' if count != 1 else ''}" + (
        "" if how or not count else ", but not how they were gathered"
    )


def _previous_targets(pep: PEP, on: date) -> Measure | None:
    targets = pep.previous_targets
    if not targets:
        first = pep.plan.previous_pep_date is None and not pep.previous_actions
        return None if first else (0.0, "no targets from the last PEP are reviewed")
    reviewed = sum(1 for target in targets if target.outcome is not None)
    return _share(reviewed, len(targets)), f"{reviewed} of {len(targets)} previous targets have an outcome"


def _smart_targets(pep: PEP, on: date) -> Measure:
    targets = pep.targets
    if not targets:
        return 0.0, "no targets are set"
    smart = sum(1 for t in targets if t.description and t.success_measure and t.due_date and (t.owner or t.who_helps))
    academic = sum(1 for t in targets if t.academic)
    share = _share(smart, len(targets)) if academic else min(_share(smart, len(targets)), 0.5)
    note = "" if academic else "; none is academic"
    return share, f"{smart} of {len(targets)} targets are SMART (measure, date, someone responsible){note}"


def _pupil_premium(pep: PEP, on: date) -> Measure | None:
    items = [item for item in pep.pupil_premium.items if fund_of(pep, item, on)[0] in (Fund.PP_PLUS, Fund.EYPP)]
    year = year_group_on(pep, pep.plan.meeting_date or on)
    if not items:
        eligible = year is not None and year <= 11
        return (0.0, "no use of PP+ or EYPP is planned") if eligible else None
    good = sum(1 for item in items if item.linked_target is not None and item.cost is not None)
    return _share(good, len(items)), f"{good} of {len(items)} PP+ or EYPP items are linked to a target and costed"


def _attendance_attainment(pep: PEP, on: date) -> Measure:
    education = pep.education
    attendance = education.attendance.percent is not None or pep.early_years.days_attended is not None
    eyfs = pep.early_years.eyfs
    judged = any(getattr(eyfs, name).judgement is not None for name in type(eyfs).model_fields)
    attainment = bool(education.attainment) or judged or bool(pep.post16.courses)
    recorded = [name for name, yes in (("attendance", attendance), ("attainment", attainment)) if yes]
    missing = [name for name, yes in (("attendance", attendance), ("attainment", attainment)) if not yes]
    words = " and ".join(recorded) + " recorded" if recorded else "neither attendance nor attainment recorded"
    return len(recorded), words + (f"; no {' or '.join(missing)}" if recorded and missing else "")


def _transitions(pep: PEP, on: date, years: list[int]) -> Measure | None:
    year = year_group_on(pep, pep.plan.meeting_date or on)
    planned = pep.education.transition or pep.early_years.transition_plan
    if pep.education.transition_date is None and (year is None or year not in years):
        return None
    return (1.0, "the transition is planned") if planned else (0.0, "a transition is due and no plan is recorded")


def _attendees(pep: PEP, on: date) -> Measure:
    came = sum(1 for person in pep.plan.attendees if person.attended)
    return came, f"{came} attendee{'s' if came != 1 else ''} recorded"


def _next_date(pep: PEP, on: date, policy: Policy) -> Measure:
    plan = pep.plan
    if plan.next_pep_date is not None:
        return 1.0, "the next PEP date is set"
    if policy.next_pep_date == "first_of_year_only" and (plan.pep_number_in_year or 0) >= 2:
        return 1.0, "no next date, as the policy asks after the second PEP of the year"
    return 0.0, "no date is set for the next PEP"


def qa(pep: PEP, *, policy: str | Path | Policy = "dfe", on: date | None = None) -> QaReport:
    """The red, amber and green rating of a PEP under `policy`'s criteria (the national default when it has none)."""
    chosen = load_policy(policy)
    criteria = chosen.qa or load_policy("dfe").qa
    if criteria is None:
        raise InputError("qa: no quality-assurance criteria in this policy or the national default", chosen.file)
    today = on or date.today()
    measures: dict[str, Callable[[], Measure | None]] = {
        "child_voice": lambda: _child_voice(pep, today),
        "previous_targets": lambda: _previous_targets(pep, today),
        "smart_targets": lambda: _smart_targets(pep, today),
        "pupil_premium": lambda: _pupil_premium(pep, today),
        "attendance_attainment": lambda: _attendance_attainment(pep, today),
        "transitions": lambda: _transitions(
            pep, today, criteria.areas["transitions"].years if "transitions" in criteria.areas else []
        ),
        "attendees": lambda: _attendees(pep, today),
        "next_date": lambda: _next_date(pep, today, chosen),
    }
    unknown = sorted(set(criteria.areas) - set(measures))
    if unknown:
        raise InputError(
            f"qa.areas.{unknown[0]}: pepdocs has no measure for this area; areas: {', '.join(measures)}", chosen.file
        )
    areas = [_rate(key, area, measures[key]()) for key, area in criteria.areas.items()]
    return QaReport(_overall(criteria, areas), areas, criteria.source)


def _rate(key: str, area: QaArea, measure: Measure | None) -> AreaRating:
    if measure is None:
        return AreaRating(key, area.title, "green", "not needed for this child", area.cite)
    value, words = measure
    rating: Rating = "green" if value >= area.green_at else "amber" if value >= area.amber_at else "red"
    return AreaRating(key, area.title, rating, words, area.cite)


def _overall(criteria: QaCriteria, areas: list[AreaRating]) -> Rating:
    reds = sum(1 for area in areas if area.rating == "red")
    ambers = sum(1 for area in areas if area.rating == "amber")
    if reds >= criteria.red_overall_at:
        return "red"
    return "amber" if ambers >= criteria.amber_overall_at else "green"
