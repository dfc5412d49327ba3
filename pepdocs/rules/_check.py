"""Statutory and local checks on a PEP, and when the next PEP is due, by a policy held as data.

Each rule is a small function over the PEP and the policy, registered in `RULES` under a stable id.
Rules read every per-authority difference (deadlines, cycle, target limits) from the `Policy`; none
looks at the authority's name. Each finding says where its rule comes from: the policy's `cite` entry
for that rule, or the rule's own source for national rules (SSDA903, the Regulations).
"""

from __future__ import annotations

import calendar as months
import datetime as dt
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pepdocs.model._codes import (
    Fund,
    LegalStatus,
    Outcome,
    Participation,
    PepType,
    PlacementType,
    SdqReason,
    SenStatus,
    TargetTerm,
    Term,
    placement_type_note,
)
from pepdocs.model._identifiers import age, nc_year, year_group_label
from pepdocs.model._pep import PEP, PupilPremiumItem
from pepdocs.rules._calendar import (
    CalendarRangeError,
    add_days,
    add_working_days,
    is_working_day,
    school_days_between,
    working_days_between,
)
from pepdocs.rules._policy import Policy, ReviewWindow, load_policy
from pepdocs.rules._review_form import review_form_allowed
from pepdocs.rules._timeline import (
    CARE_PLAN_WORKING_DAYS,
    REG_33,
    Review,
    below_standard,
    early_years_waiting,
    first_since,
    held_meeting,
    is_neet,
    outstanding_since,
    post16_terms,
    review_on_or_after,
    reviews,
    unrecorded_since,
    year_group_on,
)

Severity = Literal["error", "warning"]
EVENT_PEPS = frozenset({PepType.INITIAL, PepType.NEW_SCHOOL, PepType.NEW_PLACEMENT, PepType.TRANSITION})
"""PEPs held because something happened, not because the cycle came round."""
DUE_SOON_DAYS = 14

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Finding:
    """One thing a check found: rule id, severity, what is wrong, where in the PEP, and where the rule comes from."""

    rule: str
    severity: Severity
    message: str
    path: str
    source: str

    def __str__(self) -> str:
        return f"{self.severity} {self.rule}: {self.message} @ {self.path} [{self.source}]"


@dataclass(frozen=True)
class Due:
    """When the next PEP is due (None when it cannot be told), why, and by which rule, as judged on `on`."""

    date: dt.date | None
    reason: str
    rule: str = ""
    source: str = ""
    on: dt.date | None = None

    @property
    def days_left(self) -> int | None:
        """Days from `on` to the due date; negative when overdue."""
        if self.date is None or self.on is None:
            return None
        return (self.date - self.on).days

    @property
    def status(self) -> str:
        """'overdue', 'due within 14 days', 'on track', or 'unknown'."""
        left = self.days_left
        if left is None:
            return "unknown"
        if left < 0:
            return "overdue"
        return f"due within {DUE_SOON_DAYS} days" if left <= DUE_SOON_DAYS else "on track"


@dataclass(frozen=True)
class Said:
    """What a rule says about a PEP, before the policy's severity and source are applied."""

    severity: Severity
    message: str
    path: str
    source: str | None = None


@dataclass(frozen=True)
class Case:
    """What every rule is given: the PEP, the policy and the day to judge by."""

    pep: PEP
    policy: Policy
    on: date


RuleFunction = Callable[[Case], Iterator[Said]]


@dataclass(frozen=True)
class Rule:
    """A registered check: its id, what it checks, its own source (for national rules) and its function.

    `reads` is "case" for rules that case-system data (dates, identity, care, school) can answer, and
    "meeting" for rules about what the PEP meeting recorded (targets, views, PP+), which a row of case
    data does not hold.
    """

    id: str
    checks: str
    source: str | None
    run: RuleFunction
    reads: Literal["case", "meeting"] = "case"


RULES: dict[str, Rule] = {}
"""Every rule, by id, in the order findings are reported."""


def rule(
    rule_id: str, checks: str, source: str | None = None, *, reads: Literal["case", "meeting"] = "case"
) -> Callable[[RuleFunction], RuleFunction]:
    """Register a rule function under a stable id."""

    def register(function: RuleFunction) -> RuleFunction:
        RULES[rule_id] = Rule(rule_id, checks, source, function, reads)
        return function

    return register


# --- the API ------------------------------------------------------------------------------------


def check(pep: PEP, *, policy: str | Path | Policy = "dfe", on: date | None = None) -> list[Finding]:
    """Every finding of every rule for this PEP under `policy`, judged on `on` (default today)."""
    chosen = load_policy(policy)
    case = Case(pep, chosen, on or date.today())
    findings: list[Finding] = []
    for item in RULES.values():
        wanted = chosen.severity.get(item.id)
        if wanted == "off":
            continue
        for said in item.run(case):
            severity: Severity = said.severity if wanted is None else wanted
            source = said.source or chosen.source_for(item.id) or item.source
            if source is None:  # no public source: the authority's own rule, so never an error
                source, severity = _own_choice(chosen), "warning"
            findings.append(Finding(item.id, severity, said.message, said.path, source))
    errors = sum(finding.severity == "error" for finding in findings)
    log.debug("checked policy=%s findings=%d errors=%d", chosen.name, len(findings), errors)
    return findings


def next_due(pep: PEP, *, policy: str | Path | Policy = "dfe", on: date | None = None) -> Due:
    """When the next PEP is due and why: the earliest of the first-PEP, new-school, cycle and LAC-review dates."""
    chosen = load_policy(policy)
    today = on or date.today()
    candidates, unknown = _due_dates(pep, chosen, today)
    if not candidates:
        why = "; ".join(unknown) or "neither a meeting date nor the date the child became looked after is recorded"
        return Due(None, f"not known: {why}", on=today)
    return min(candidates, key=lambda due: due.date or date.max)


# --- dates ---------------------------------------------------------------------------------------


def _days_word(policy_days: int, basis: str) -> str:
    return f"{policy_days} {basis} day{'s' if policy_days != 1 else ''}"


def _fmt(day: date) -> str:
    return day.strftime("%a %d %b %Y").replace(" 0", " ")


def _deadline(case: Case, start: date, days: int, basis: str) -> date:
    return add_days(start, days, basis, case.policy.terms)


def _count(case: Case, start: date, end: date, basis: str) -> int:
    if basis == "school":
        return school_days_between(start, end, case.policy.terms)
    return working_days_between(start, end)


@dataclass(frozen=True)
class Window:
    """A stretch of the year in which a cycle PEP is held."""

    name: str
    start: date
    end: date


def _month_windows(windows: list[ReviewWindow], around: date) -> list[Window]:
    found = []
    for year in range(around.year - 1, around.year + 3):
        for window in windows:
            first, last = window.months[0], window.months[-1]
            end_year = year + (last < first)
            end = date(end_year, last, months.monthrange(end_year, last)[1])
            found.append(Window(window.name, date(year, first, 1), end))
    return sorted(found, key=lambda w: w.start)


def cycle_windows(pep: PEP, policy: Policy, around: date) -> tuple[str, list[Window]]:
    """How often PEPs are held for this child under `policy` (by phase, NEET and the school's standing) and when."""
    grades = [grade.value for grade in policy.half_termly_if_ofsted]
    below = below_standard(pep.education.setting, grades, policy.half_termly_if_report_card)
    post16 = post16_terms(pep, policy, around)
    kind: str
    if policy.neet_cycle is not None and is_neet(pep) and (year_group_on(pep, around) or 0) >= 12:
        kind, why = policy.neet_cycle, " (not in education, employment or training)"
    elif post16 is not None:
        kind, why = "post16", ""
    elif below is not None:
        kind, why = "half_terms", f" (school below standard: {below})"
    else:
        kind = policy.review_windows if isinstance(policy.review_windows, str) else "months"
        why = ""
    if kind == "months":
        assert not isinstance(policy.review_windows, str)
        names = ", ".join(
            f"{w.name} {months.month_abbr[w.months[0]]}-{months.month_abbr[w.months[-1]]}"
            for w in policy.review_windows
        )
        return f"windows ({names})", _month_windows(policy.review_windows, around)
    terms = policy.terms
    terms.require(around)
    if kind == "post16":
        year = year_group_on(pep, around)
        wanted = {str(term) for term in post16 or []}
        parts = [part for part in terms.terms() if part.term in wanted]
        label = f"Year {year}: the {' and '.join(str(t) for t in post16 or [])} term{'s' if len(wanted) > 1 else ''}"
    else:
        parts = terms.half_terms() if kind == "half_terms" else terms.terms()
        label = ("every half-term" if kind == "half_terms" else "every term") + why
    return label, [Window(f"{p.term} {p.start.year}", p.start, p.end) for p in parts]


def _window_at(windows: list[Window], day: date) -> Window | None:
    return next((w for w in windows if w.start <= day <= w.end), None)


def _window_after(windows: list[Window], day: date) -> Window | None:
    current = _window_at(windows, day)
    after = current.end if current is not None else day
    return next((w for w in windows if w.start > after), None)


def _lac_window(policy: Policy, review: Review) -> tuple[date, date] | None:
    """Earliest and latest day for the PEP before a (second or later) looked-after review, under the policy."""
    weeks = policy.lac_review_window_weeks
    if weeks is None or review.number == 1:
        return None
    earliest = review.date - timedelta(weeks=weeks[1])
    latest = _school_day_by(policy, review.date - timedelta(weeks=weeks[0]))
    return min(earliest, latest), latest


def _school_day_by(policy: Policy, day: date) -> date:
    """The last school day on or before `day` (a working day past the term dates): a PEP is held in term time."""
    try:
        while not policy.terms.is_school_day(day):
            day -= timedelta(days=1)
    except CalendarRangeError:
        while not is_working_day(day):
            day -= timedelta(days=1)
    return day


def _review_for(pep: PEP, policy: Policy, meeting: date) -> tuple[Review, date, date] | None:
    """The second or later looked-after review a PEP on `meeting` prepares for, with the policy's window for it."""
    review = review_on_or_after(pep, meeting)
    window = None if review is None else _lac_window(policy, review)
    if review is None or window is None or meeting < window[0] - timedelta(weeks=2):
        return None
    return review, window[0], window[1]


@dataclass(frozen=True)
class Deadline:
    """When a PEP an event calls for is due, why, and under which rule."""

    rule: str
    start: date
    due: date
    reason: str
    first: date | None
    outstanding: bool
    path: str
    basis: str = "working"
    unrecorded: date | None = None
    """A meeting too long after `start` to be taken as the first, with no PEP recorded between."""


def first_pep_deadline(case: Case) -> Deadline | None:
    """The first PEP's deadline: the policy's days, capped by the first looked-after review (reg 33(1))."""
    policy, pep = case.policy, case.pep
    became = pep.care.date_became_looked_after
    days = policy.initial_deadline_days
    if became is None or days is None:
        return None
    start, what = became, f"becoming looked after on {_fmt(became)}"
    if early_years_waiting(pep, policy, case.on):
        return None
    setting_start = pep.education.setting.start_date
    if policy.early_years_from_setting and setting_start is not None and setting_start > became:
        if (year_group_on(pep, setting_start) or 0) < 0:
            start, what = setting_start, f"starting at an early-years setting on {_fmt(setting_start)}"
    first, outstanding = first_since(pep, start, PepType.INITIAL), outstanding_since(pep, start, case.on)
    unrecorded = unrecorded_since(pep, start, case.on) if first is None else None
    if first is None and not outstanding and unrecorded is None:
        return None
    basis = policy.initial_deadline_basis
    local = _deadline(case, start, days, basis)
    reason = f"within {_days_word(days, basis)} of {what}"
    due = local
    if policy.statutory_floor and start == became:
        review = reviews(pep, became)[0]
        if review.date < local:
            due = review.date
            reason += f", but ready for the {review.describe()} on {_fmt(review.date)} ({REG_33})"
    return Deadline(
        "initial-pep-deadline",
        start,
        due,
        reason,
        first,
        outstanding,
        "$.care.date_became_looked_after",
        basis if due == local else "working",
        unrecorded,
    )


def new_school_deadline_of(case: Case) -> Deadline | None:
    """The new-school PEP's deadline, when the policy sets one and the child started at the school in care."""
    policy, pep = case.policy, case.pep
    start, became = pep.education.setting.start_date, pep.care.date_became_looked_after
    days = policy.new_school_deadline_days
    if start is None or days is None or (became is not None and start < became):
        return None
    first, outstanding = first_since(pep, start, PepType.NEW_SCHOOL), outstanding_since(pep, start, case.on)
    if first is None and not outstanding:
        return None
    basis = policy.new_school_deadline_basis
    return Deadline(
        "new-school-deadline",
        start,
        _deadline(case, start, days, basis),
        f"within {_days_word(days, basis)} of starting at the school on {_fmt(start)}",
        first,
        outstanding,
        "$.education.setting.start_date",
        basis,
    )


def event_deadlines(case: Case) -> list[Deadline]:
    """PEPs the policy's events call for: placement move, in-year transfer, key-stage entry, transition."""
    policy, pep, on = case.policy, case.pep, case.on
    became = pep.care.date_became_looked_after
    found: list[Deadline] = []
    for kind, event in policy.events.items():
        starts: list[tuple[date, str, str, PepType | None]] = []
        if kind == "placement_move":
            moved = pep.care.placement_start_date
            if moved is not None and became is not None and moved > became:
                what = f"moving placement on {_fmt(moved)}"
                starts.append((moved, what, "$.care.placement_start_date", PepType.NEW_PLACEMENT))
        elif kind == "in_year_transfer":
            start = pep.education.setting.start_date
            if start is not None and start.month != 9 and (became is None or start >= became):
                what = f"an in-year move to a new school on {_fmt(start)}"
                starts.append((start, what, "$.education.setting.start_date", PepType.NEW_SCHOOL))
        elif kind == "key_stage_entry":
            year = on.year if on.month >= 9 else on.year - 1
            policy.terms.require(date(year, 9, 1))
            terms = policy.terms.terms()
            autumn = next((t.start for t in terms if t.academic_year == year and t.term == "autumn"), None)
            group = year_group_on(pep, date(year, 9, 1))
            in_care = became is None or (autumn is not None and became < autumn)
            if autumn is not None and group is not None and group in event.years and in_care:
                what = f"starting {year_group_label(group)} on {_fmt(autumn)}"
                starts.append((autumn, what, "$.child.date_of_birth", None))
        elif kind == "transition":
            moving = pep.education.transition_date
            if moving is not None:
                found.append(_transition(case, moving, event.days, event.basis))
                continue
        for start, what, path, label in starts:
            first, outstanding = first_since(pep, start, label), outstanding_since(pep, start, on)
            if first is None and not outstanding:
                continue
            due = _deadline(case, start, event.days, event.basis)
            reason = f"within {_days_word(event.days, event.basis)} of {what}"
            found.append(Deadline(f"event-pep:{kind}", start, due, reason, first, outstanding, path, event.basis))
    return found


def _transition(case: Case, moving: date, days: int, basis: str) -> Deadline:
    """A PEP before a planned move: held in the `days` before it, the new setting invited."""
    pep, on = case.pep, case.on
    opens = _back(case, moving, days, basis)
    held = held_meeting(pep, on)
    done = held if held is not None and opens <= held <= moving else None
    if done is None and pep.plan.previous_pep_date is not None and opens <= pep.plan.previous_pep_date <= moving:
        done = pep.plan.previous_pep_date
    return Deadline(
        "event-pep:transition",
        opens,
        moving,
        f"before the planned move on {_fmt(moving)}, from {_fmt(opens)}",
        done,
        done is None,
        "$.education.transition_date",
    )


def _back(case: Case, moving: date, days: int, basis: str) -> date:
    """The day `days` working or school days before `moving`."""
    terms = case.policy.terms
    if basis == "school":
        terms.require(moving)
    counts = terms.is_school_day if basis == "school" else is_working_day
    day, counted = moving, 0
    while counted < days:
        day -= timedelta(days=1)
        counted += counts(day)
    return day


def _due_dates(pep: PEP, policy: Policy, on: date) -> tuple[list[Due], list[str]]:
    case = Case(pep, policy, on)
    found: list[Due] = []
    unknown: list[str] = []
    meeting, held = pep.plan.meeting_date, held_meeting(pep, on)
    try:
        deadlines = [d for d in (first_pep_deadline(case), new_school_deadline_of(case)) if d is not None]
        deadlines += event_deadlines(case)
    except CalendarRangeError as error:
        unknown.append(str(error))
        deadlines = []
    for deadline in deadlines:
        if deadline.outstanding:
            rule_id = deadline.rule.split(":")[0]
            event = deadline.rule.split(":")[-1].replace("_", " ") + " PEP"
            what = {"initial-pep-deadline": "first PEP", "new-school-deadline": "new school"}.get(deadline.rule, event)
            found.append(Due(deadline.due, f"{what}: {deadline.reason}", rule_id, _source(policy, rule_id), on))
    if early_years_waiting(pep, policy, on) and not found:
        unknown.append(
            "below Reception, PEPs start when the child starts at an early-years setting, and no start is recorded"
        )
        return found, unknown
    if meeting is not None and held is None:
        found.append(
            Due(meeting, f"the PEP meeting planned for {_fmt(meeting)}", "", "the PEP record: plan.meeting_date", on)
        )
    if held is None:
        return found, unknown
    try:
        label, windows = cycle_windows(pep, policy, held)
        following = _window_after(windows, held)
        if following is None:
            unknown.append(f"the term dates end before the review after {_fmt(held)}")
        else:
            reason = f"next review ({label}): the {following.name} PEP, after the last on {_fmt(held)}"
            last_day = _school_day_by(policy, following.end)
            found.append(Due(last_day, reason, "review-cycle", _source(policy, "review-cycle"), on))
    except CalendarRangeError as error:
        unknown.append(str(error))
    planned = pep.plan.next_pep_date
    if planned is not None and planned > held:
        reason = f"the date set at the PEP on {_fmt(held)}"
        found.append(Due(planned, reason, "next-pep-date", _source(policy, "next-pep-date"), on))
    lac = _next_lac_window(pep, policy, held)
    if lac is not None:
        review, earliest, latest = lac
        reason = (
            f"{_weeks(policy)} before the {review.describe()} on {_fmt(review.date)}:"
            f" between {_fmt(earliest)} and {_fmt(latest)}"
        )
        found.append(Due(latest, reason, "lac-review-window", _source(policy, "lac-review-window"), on))
    return found, unknown


def _weeks(policy: Policy) -> str:
    low, high = policy.lac_review_window_weeks or (0, 0)
    return f"{low} to {high} weeks"


def _next_lac_window(pep: PEP, policy: Policy, held: date) -> tuple[Review, date, date] | None:
    """The next looked-after review still needing a PEP after the one held, with its window, under the policy."""
    if policy.lac_review_window_weeks is None:
        return None
    current = _review_for(pep, policy, held)
    after = current[0].date if current is not None else held
    for review in reviews(pep, after + timedelta(days=400)):
        window = _lac_window(policy, review)
        if review.date > after and window is not None:
            return review, window[0], window[1]
    return None


def _own_choice(policy: Policy) -> str:
    return f"{policy.title}: the authority's own rule as set in this policy; it cites no public source"


def _source(policy: Policy, rule_id: str) -> str:
    item = RULES.get(rule_id)
    return policy.source_for(rule_id) or (item.source if item and item.source else _own_choice(policy))


def _calendar_note(error: CalendarRangeError, path: str = "$.plan.meeting_date") -> Said:
    return Said("warning", f"cannot count school days: {error}", path)


# --- rules: timing --------------------------------------------------------------------------------


def _deadline_findings(case: Case, deadline: Deadline, what: str, severity: Severity) -> Iterator[Said]:
    if deadline.first is not None and deadline.first > deadline.due:
        try:
            taken = f"{_count(case, deadline.start, deadline.first, deadline.basis)} {deadline.basis} days after"
        except CalendarRangeError:
            taken = "after"
        yield Said(
            severity,
            f"the {what} on {_fmt(deadline.first)} ({taken} {_fmt(deadline.start)}) is late: it was"
            f" due {deadline.reason}, by {_fmt(deadline.due)}",
            "$.plan.meeting_date",
        )
    elif deadline.outstanding and case.on > deadline.due:
        meeting = case.pep.plan.meeting_date
        held = held_meeting(case.pep, case.on)
        state = (
            "no PEP meeting is recorded"
            if meeting is None
            else f"the PEP of {_fmt(held)} comes before it"
            if held is not None
            else f"no PEP meeting has been held (one is planned for {_fmt(meeting)})"
        )
        yield Said(severity, f"{state}; the {what} was due {deadline.reason}, by {_fmt(deadline.due)}", deadline.path)
    elif deadline.unrecorded is not None and deadline.unrecorded > deadline.due:
        yield Said(
            "warning",
            f"no PEP is recorded between {_fmt(deadline.start)} and the meeting on {_fmt(deadline.unrecorded)};"
            f" the {what} was due {deadline.reason}, by {_fmt(deadline.due)}: record the previous PEP date",
            "$.plan.previous_pep_date",
        )


@rule(
    "initial-pep-deadline",
    "the first PEP since becoming looked after is held within the policy's days, and by the first looked-after review",
)
def initial_pep_deadline(case: Case) -> Iterator[Said]:
    try:
        deadline = first_pep_deadline(case)
    except CalendarRangeError as error:
        yield _calendar_note(error, "$.care.date_became_looked_after")
        return
    if deadline is not None:
        yield from _deadline_findings(case, deadline, "first PEP", "error")


@rule(
    "care-plan-pep",
    "the first PEP is in the care plan, made within 10 working days of the first placement where not before it",
    "CPPCR Regulations 2010 reg 4(2) and reg 5(b)(ii): the care plan, with the PEP so far as reasonably practicable,"
    " within 10 working days of the first placement (legislation.gov.uk/uksi/2010/959/part/2/made)",
)
def care_plan_pep(case: Case) -> Iterator[Said]:
    became = case.pep.care.date_became_looked_after
    if became is None:
        return
    due = add_working_days(became, CARE_PLAN_WORKING_DAYS)
    try:
        local = first_pep_deadline(case)
    except CalendarRangeError:
        local = None
    if local is None or local.due <= due:
        return  # the policy's own rule is as strict and reports it
    first = first_since(case.pep, became, PepType.INITIAL)
    if first is not None and first > due:
        yield Said(
            "warning",
            f"the first PEP on {_fmt(first)} was not part of the care plan, due within 10 working days of becoming"
            f" looked after (by {_fmt(due)}); the regulations ask for it so far as reasonably practicable",
            "$.plan.meeting_date",
        )


@rule("new-school-deadline", "the first PEP at a new school is held within the policy's days of starting there")
def new_school_deadline(case: Case) -> Iterator[Said]:
    try:
        deadline = new_school_deadline_of(case)
    except CalendarRangeError as error:
        yield _calendar_note(error, "$.education.setting.start_date")
        return
    if deadline is not None:
        yield from _deadline_findings(case, deadline, "new-school PEP", "error")


@rule(
    "event-pep",
    "a PEP follows each event the policy names (placement move, in-year transfer, key-stage entry, transition)",
)
def event_pep(case: Case) -> Iterator[Said]:
    try:
        deadlines = event_deadlines(case)
    except CalendarRangeError as error:
        yield _calendar_note(error, "$.plan.meeting_date")
        return
    for deadline in deadlines:
        kind = deadline.rule.split(":")[-1]
        severity = case.policy.events[kind].severity  # type: ignore[index]
        yield from _deadline_findings(case, deadline, kind.replace("_", " ") + " PEP", severity)


@rule("review-cycle", "cycle PEPs fall in the policy's review windows and the next date is not after the next window")
def review_cycle(case: Case) -> Iterator[Said]:
    pep, meeting = case.pep, case.pep.plan.meeting_date
    if meeting is None:
        return
    try:
        label, windows = cycle_windows(pep, case.policy, meeting)
    except CalendarRangeError as error:
        yield _calendar_note(error)
        return
    for_review = _review_for(pep, case.policy, meeting)
    in_review_window = for_review is not None and for_review[1] <= meeting <= for_review[2]
    if pep.plan.pep_type not in EVENT_PEPS and _window_at(windows, meeting) is None and not in_review_window:
        yield Said(
            "warning", f"the meeting on {_fmt(meeting)} is outside the review cycle: {label}", "$.plan.meeting_date"
        )
    planned = pep.plan.next_pep_date
    following = _window_after(windows, meeting)
    lac = _next_lac_window(pep, case.policy, meeting)
    for_next_review = lac is not None and planned is not None and lac[1] <= planned <= lac[2]
    if planned is not None and following is not None and planned > following.end and not for_next_review:
        yield Said(
            "warning",
            f"the next PEP date {_fmt(planned)} is after the end of the next review window"
            f" ({following.name}, ends {_fmt(following.end)}; {label})",
            "$.plan.next_pep_date",
        )


@rule("review-overdue", "the next cycle PEP is not overdue on the day of checking")
def review_overdue(case: Case) -> Iterator[Said]:
    if held_meeting(case.pep, case.on) is None:
        return  # the first-PEP and new-school rules report these
    due = next_due(case.pep, policy=case.policy, on=case.on)
    cycle = ("review-cycle", "next-pep-date", "lac-review-window")
    if due.date is not None and due.date < case.on and due.rule in cycle:
        path = "$.plan.next_pep_date" if due.rule == "next-pep-date" else "$.plan.meeting_date"
        late = (case.on - due.date).days
        yield Said(
            "error", f"the next PEP was due by {_fmt(due.date)} ({due.reason}); {late} days overdue", path, due.source
        )


@rule("lac-review-window", "the meeting is held the policy's weeks before the second or later looked-after review")
def lac_review_window(case: Case) -> Iterator[Said]:
    pep, weeks = case.pep, case.policy.lac_review_window_weeks
    meeting = pep.plan.meeting_date
    if weeks is None or meeting is None:
        return
    review = review_on_or_after(pep, meeting)
    if review is None or review.number == 1 or (review.number is None and not review.recorded):
        return
    window = _lac_window(case.policy, review)
    if window is None:
        return
    earliest, latest = window
    if (review.date - meeting).days > weeks[1] * 7 + 28:
        return  # a PEP for an earlier point in the cycle, not for this review
    if not earliest <= meeting <= latest:
        gap = (review.date - meeting).days
        yield Said(
            "warning",
            f"the meeting on {_fmt(meeting)} is {gap} days before the {review.describe()} on {_fmt(review.date)};"
            f" where possible hold it {_weeks(case.policy)} before, between {_fmt(earliest)} and {_fmt(latest)}",
            "$.plan.meeting_date",
        )


@rule("submission-deadline", "the PEP is submitted to the virtual school by the policy's date for the term")
def submission_deadline(case: Case) -> Iterator[Said]:
    plan = case.pep.plan
    meeting = plan.meeting_date
    if meeting is None or not case.policy.submission_deadlines:
        return
    year = plan.academic_year or ""
    term = plan.term or _term_of(case, meeting)
    deadline = case.policy.submission_deadlines.get(year, {}).get(term) if term is not None else None
    if deadline is None:
        return
    if plan.submitted_on is not None and plan.submitted_on > deadline:
        late = f"submitted on {_fmt(plan.submitted_on)}, after the {term} {year} deadline of {_fmt(deadline)}"
        yield Said("error", late, "$.plan.submitted_on")
    elif plan.submitted_on is None and case.on > deadline:
        missing = f"no submission date is recorded and the {term} {year} deadline of {_fmt(deadline)} has passed"
        yield Said("error", missing, "$.plan.submitted_on")


def _term_of(case: Case, day: date) -> Term | None:
    try:
        case.policy.terms.require(day)
    except CalendarRangeError:
        return None
    part = next((t for t in case.policy.terms.terms() if t.start <= day <= t.end), None)
    if part is None:  # a holiday: the term that follows
        part = next((t for t in case.policy.terms.terms() if t.start > day), None)
    return None if part is None else Term[part.term.upper()]


# --- rules: targets -------------------------------------------------------------------------------


@rule("target-count", "the number of targets is within the policy's limits", reads="meeting")
def target_count(case: Case) -> Iterator[Said]:
    policy, count = case.policy, len(case.pep.targets)
    if count < policy.min_targets:
        yield Said("error", f"{count} targets; at least {policy.min_targets} must be agreed", "$.targets")
    if policy.max_targets is not None and count > policy.max_targets:
        yield Said(policy.max_targets_severity, f"{count} targets; at most {policy.max_targets}", "$.targets")


@rule(
    "academic-target", "enough targets are academic (curriculum, attainment or an EYFS learning area)", reads="meeting"
)
def academic_target(case: Case) -> Iterator[Said]:
    wanted, targets = case.policy.min_academic_targets, case.pep.targets
    academic = sum(1 for target in targets if target.academic)
    if not targets or academic >= wanted:
        return
    unset = sum(1 for target in targets if target.area is None)
    note = f" ({unset} of them have no area, so cannot count)" if unset else ""
    yield Said(
        "error", f"{academic} of {len(targets)} targets are academic{note}; at least {wanted} must be", "$.targets"
    )


_SMART_SOURCE = (
    "DfE 2018: the PEP says who will take the plan forward and its timescales (Gateshead ePEP guidance s.14,"
    " gateshead.gov.uk/article/36726); Waltham Forest Virtual School: SMART short-term targets with progress"
    " monitoring (thehub-beta.walthamforest.gov.uk/virtual_school_personal_education_planning); St Helens Virtual"
    " School, Effective PEP Targets (virtualschool.sthelens.gov.uk/article/12329)"
)


@rule("target-due-date", "every target has a due date after the meeting (SMART: timed)", _SMART_SOURCE, reads="meeting")
def target_due_date(case: Case) -> Iterator[Said]:
    meeting = case.pep.plan.meeting_date
    for number, target in enumerate(case.pep.targets):
        path = f"$.targets[{number}].due_date"
        if target.due_date is None:
            yield Said("error", f"target {number + 1} has no due date", path)
        elif meeting is not None and target.due_date <= meeting:
            yield Said("error", f"target {number + 1} is due {_fmt(target.due_date)}, not after the meeting", path)


@rule("target-horizon", "short- and medium-term targets fall due within the policy's horizon", reads="meeting")
def target_horizon(case: Case) -> Iterator[Said]:
    horizon, meeting = case.policy.target_horizon, case.pep.plan.meeting_date
    if horizon is None or meeting is None:
        return
    if isinstance(horizon, int):
        limit, what = meeting + timedelta(days=horizon), f"{horizon} days after the meeting"
    else:
        try:
            terms = case.policy.terms
            terms.require(meeting)
            whole = terms.terms()
            following = _window_after([Window(t.term, t.start, t.end) for t in whole], meeting)
            if following is None:
                raise CalendarRangeError("the term dates end before the term after the meeting", terms.source)
        except CalendarRangeError as error:
            yield _calendar_note(error)
            return
        limit, what = following.end, f"the end of next term ({following.name}, {_fmt(following.end)})"
    for number, target in enumerate(case.pep.targets):
        if target.term is TargetTerm.LONG or target.due_date is None or target.due_date <= limit:
            continue
        yield Said(
            "warning",
            f"target {number + 1} is due {_fmt(target.due_date)}, later than {what}; mark it long term or bring it in",
            f"$.targets[{number}].due_date",
        )


@rule(
    "target-success-measure",
    "every target says how success will be measured (SMART: measurable)",
    _SMART_SOURCE,
    reads="meeting",
)
def target_success_measure(case: Case) -> Iterator[Said]:
    for number, target in enumerate(case.pep.targets):
        if target.success_measure is None:
            yield Said("warning", f"target {number + 1} has no success measure", f"$.targets[{number}].success_measure")


@rule(
    "target-owner",
    "every target names who is responsible (an error where the policy requires an owner)",
    _SMART_SOURCE,
    reads="meeting",
)
def target_owner(case: Case) -> Iterator[Said]:
    required = case.policy.require_target_owner
    for number, target in enumerate(case.pep.targets):
        if target.owner is not None:
            continue
        if required:
            yield Said(
                "error", f"target {number + 1} is not assigned to a named professional", f"$.targets[{number}].owner"
            )
        elif target.who_helps is None:
            yield Said(
                "warning", f"target {number + 1} names no one responsible or helping", f"$.targets[{number}].owner"
            )


def _words(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip().rstrip(".!").casefold()


@rule(
    "unmet-target-repeated",
    "an unmet previous target is broken down, not repeated word for word",
    "Haringey PEP procedure: unmet targets are broken down further, not repeated"
    " (haringeychildcare.proceduresonline.com/chapters/p_pep.html)",
    reads="meeting",
)
def unmet_target_repeated(case: Case) -> Iterator[Said]:
    unmet = {
        _words(target.description): number
        for number, target in enumerate(case.pep.previous_targets)
        if target.outcome in (Outcome.NOT_ACHIEVED, Outcome.PARTLY) and _words(target.description)
    }
    for number, target in enumerate(case.pep.targets):
        earlier = unmet.get(_words(target.description))
        if earlier is not None:
            yield Said(
                "warning",
                f"target {number + 1} repeats unmet previous target {earlier + 1} word for word;"
                " break it into smaller steps",
                f"$.targets[{number}].description",
            )


# --- rules: the plan --------------------------------------------------------------------------------


@rule("review-form-eligibility", "the simpler review form is used only where the policy's [review_form] allows it")
def review_form_eligibility(case: Case) -> Iterator[Said]:
    rule_of_policy = case.policy.review_form
    if rule_of_policy is None or case.pep.plan.pep_type is not PepType.REVIEW:
        return
    verdict = review_form_allowed(case.pep, rule_of_policy)
    if not verdict.allowed:
        message = f"a review PEP, but the review form may not be used: {verdict.reason}"
        yield Said(verdict.severity, message, "$.plan.pep_type")


@rule(
    "next-pep-date", "the date of the next PEP is set when the policy wants it, and after the meeting", reads="meeting"
)
def next_pep_date(case: Case) -> Iterator[Said]:
    plan, wanted = case.pep.plan, case.policy.next_pep_date
    if wanted is None or plan.meeting_date is None:
        return
    path = "$.plan.next_pep_date"
    if plan.next_pep_date is not None and plan.next_pep_date <= plan.meeting_date:
        yield Said("error", f"the next PEP date {_fmt(plan.next_pep_date)} is not after the meeting", path)
    number = plan.pep_number_in_year
    if wanted == "always" and plan.next_pep_date is None:
        yield Said("error", "no date is set for the next PEP", path)
    elif wanted == "first_of_year_only" and number == 1 and plan.next_pep_date is None:
        yield Said("error", "the first PEP of the academic year sets the date of the next; none is set", path)
    elif wanted == "first_of_year_only" and number is not None and number >= 2 and plan.next_pep_date is not None:
        yield Said(
            "warning",
            f"PEP {number} of the year sets a next date;"
            " best left unset, as the child moves up a year and staff may change",
            path,
        )


@rule(
    "ehcp-annual-review",
    "a child with an EHCP has the annual review date recorded, so one PEP a year can sit alongside it",
    "Southwark procedure 3.5.2 §2: one PEP a year alongside the EHCP annual review"
    " (southwark.proceduresonline.com/chapters/p_pers_ed_plans.html); DfE 2018: PEPs linked to EHC plans"
    " (Kirklees PEP procedure, kirkleeschildcare.proceduresonline.com/p_pep.html)",
)
def ehcp_annual_review(case: Case) -> Iterator[Said]:
    sen = case.pep.education.sen
    if sen.status is SenStatus.EHCP and sen.ehcp_annual_review_date is None:
        yield Said(
            "warning",
            "the child has an EHCP but no annual review date is recorded",
            "$.education.sen.ehcp_annual_review_date",
        )


@rule("ehcp-alignment", "a PEP in the year falls within the policy's weeks of the EHCP annual review")
def ehcp_alignment(case: Case) -> Iterator[Said]:
    sen, plan, weeks = case.pep.education.sen, case.pep.plan, case.policy.ehcp_alignment_weeks
    review = sen.ehcp_annual_review_date
    if weeks is None or sen.status is not SenStatus.EHCP or review is None:
        return
    span = timedelta(weeks=weeks)
    peps = [day for day in (plan.previous_pep_date, plan.meeting_date, plan.next_pep_date) if day is not None]
    if any(abs(day - review) <= span for day in peps):
        return
    if review > case.on + span or review < case.on - timedelta(days=365):
        return  # too far ahead to plan, or a review from before this year
    shown = ", ".join(_fmt(day) for day in peps) or "none recorded"
    yield Said(
        "warning",
        f"no PEP falls within {weeks} weeks of the EHCP annual review on {_fmt(review)} (PEPs: {shown});"
        " hold one alongside it where possible",
        "$.education.sen.ehcp_annual_review_date",
    )


@rule(
    "child-views",
    "the child's views are recorded; if the child did not attend, why and how their views were gathered",
    "Southwark procedure 3.5.2 §5 (southwark.proceduresonline.com/chapters/p_pers_ed_plans.html); Enfield PEP good"
    " practice; CPPCR Regulations 2010 reg 5(e)",
    reads="meeting",
)
def child_views(case: Case) -> Iterator[Said]:
    plan, views = case.pep.plan, case.pep.views.child
    taking_part = plan.child_participation
    if taking_part is None:
        yield Said(
            "warning", "whether the child took part in the meeting is not recorded", "$.plan.child_participation"
        )
    elif taking_part is Participation.NONE:
        if plan.child_absence_reason is None:
            yield Said("error", "the child did not attend and no reason is recorded", "$.plan.child_absence_reason")
        if plan.views_gathered_how is None:
            yield Said(
                "error",
                "the child did not attend and how their views were gathered is not recorded",
                "$.plan.views_gathered_how",
            )
    elif taking_part is Participation.PART and plan.child_absence_reason is None:
        yield Said(
            "warning",
            "the child attended part of the meeting and the reason is not recorded",
            "$.plan.child_absence_reason",
        )
    said = views.model_dump(exclude={"wants_copy", "speaks_for_me"}, exclude_none=True)
    if not said:
        yield Said("warning", "none of the child's views are recorded", "$.views.child")


@rule(
    "carer-views",
    "the carer's or parents' views are recorded",
    "Enfield PEP good practice: parent/carer views recorded or why not; CPPCR Regulations 2010 Sch 1 para 2(5),"
    " the role of the appropriate person (legislation.gov.uk/uksi/2010/959/schedules/made)",
    reads="meeting",
)
def carer_views(case: Case) -> Iterator[Said]:
    views = case.pep.views
    if views.carer is None and views.parents is None:
        yield Said("warning", "neither the carer's nor the parents' views are recorded", "$.views.carer")


# --- rules: Pupil Premium Plus and other funds -------------------------------------------------------

_PP_SOURCE = (
    "DfE 2018: how PP+ supports the targets"
    " (Kirklees PEP procedure, kirkleeschildcare.proceduresonline.com/p_pep.html);"
    " St Helens target table with PP+ cost (virtualschool.sthelens.gov.uk/article/12595/Setting-PEP-Targets)"
)
PP_PLUS_YEARS = (0, 11)
"""PP+ for looked-after children covers Reception to Year 11."""
PP_PLUS_YEARS_SOURCE = (
    "Knowsley PP+ procedure: PP+ for Reception to Year 11 (knowsleychildcare.proceduresonline.com/p_pupil_prem.html);"
    " Luton PP+ page: reception to year 11"
)


def _money(amount: Decimal) -> str:
    return f"£{amount:,.2f}"


def fund_of(pep: PEP, item: PupilPremiumItem, on: date) -> tuple[Fund, bool]:
    """The fund an item comes from, and whether it was read from the child's year group because none was given."""
    if item.fund is not None:
        return item.fund, False
    year = year_group_on(pep, pep.plan.meeting_date or on)
    if year is not None and year < PP_PLUS_YEARS[0]:
        return Fund.EYPP, True
    if year is not None and year > PP_PLUS_YEARS[1]:
        return Fund.POST16_BURSARY, True
    return Fund.PP_PLUS, True


def _premium_items(case: Case) -> Iterator[tuple[int, PupilPremiumItem]]:
    """The PP+ and EYPP items, numbered as in the record: the grants the virtual school releases against targets."""
    for number, item in enumerate(case.pep.pupil_premium.items):
        if fund_of(case.pep, item, case.on)[0] in (Fund.PP_PLUS, Fund.EYPP):
            yield number, item


@rule("pp-plus-target-link", "each PP+ item is linked to a target the PEP has", _PP_SOURCE, reads="meeting")
def pp_plus_target_link(case: Case) -> Iterator[Said]:
    count = len(case.pep.targets)
    for number, item in _premium_items(case):
        path = f"$.pupil_premium.items[{number}].linked_target"
        name = f"support item {number + 1}"
        if item.linked_target is None:
            yield Said("warning", f"{name} is not linked to a target", path)
        elif item.linked_target > count:
            yield Said(
                "error", f"{name} is linked to target {item.linked_target}, but the PEP has {count} targets", path
            )


@rule("pp-plus-cost", "each PP+ item is costed", _PP_SOURCE, reads="meeting")
def pp_plus_cost(case: Case) -> Iterator[Said]:
    for number, item in _premium_items(case):
        if item.cost is None:
            yield Said("error", f"support item {number + 1} has no cost", f"$.pupil_premium.items[{number}].cost")


@rule(
    "pp-plus-total",
    "the items cost no more than the record's allocation, and each fund no more than the policy's cap for the year"
    " group",
    "Termly release of PP+ by the virtual school (Luton: £600 a term, m.luton.gov.uk Pupil Premium Plus page)",
    reads="meeting",
)
def pp_plus_total(case: Case) -> Iterator[Said]:
    pep = case.pep
    premium = pep.pupil_premium
    spent: dict[Fund, Decimal] = {}
    guessed: set[Fund] = set()
    for item in premium.items:
        fund, inferred = fund_of(pep, item, case.on)
        spent[fund] = spent.get(fund, Decimal("0.00")) + (item.cost or Decimal("0.00"))
        if inferred:
            guessed.add(fund)
    pp_plus = spent.get(Fund.PP_PLUS)
    if premium.allocation is not None and pp_plus is not None and pp_plus > premium.allocation:
        over = f"PP+ items total {_money(pp_plus)}, more than the allocation of {_money(premium.allocation)}"
        yield Said("error", over, "$.pupil_premium.items")
    year = year_group_on(pep, pep.plan.meeting_date or case.on)
    for cap in case.policy.fund_caps:
        total = spent.get(cap.fund)
        if total is None or total <= cap.amount:
            continue
        if cap.years is not None and (year is None or not cap.years[0] <= year <= cap.years[1]):
            continue
        note = " (fund read from the year group, as no item names one)" if cap.fund in guessed else ""
        yield Said(
            "error",
            f"{cap.fund.label} items total {_money(total)}, more than the {_money(cap.amount)} a term"
            f" {case.policy.title}"
            f" releases{note}",
            "$.pupil_premium.items",
        )


@rule("pp-plus-years", "PP+ pays only for children from Reception to Year 11", PP_PLUS_YEARS_SOURCE, reads="meeting")
def pp_plus_years(case: Case) -> Iterator[Said]:
    year = year_group_on(case.pep, case.pep.plan.meeting_date or case.on)
    if year is None or PP_PLUS_YEARS[0] <= year <= PP_PLUS_YEARS[1]:
        return
    for number, item in enumerate(case.pep.pupil_premium.items):
        if item.fund is Fund.PP_PLUS:
            other = "Early Years Pupil Premium" if year < 0 else "a 16 to 19 bursary"
            yield Said(
                "warning",
                f"support item {number + 1} is paid from PP+, which covers Reception to Year 11;"
                f" in {year_group_label(year)}"
                f" it would be {other}",
                f"$.pupil_premium.items[{number}].fund",
            )


@rule(
    "pp-plus-impact",
    "last term's items say what impact they had and whether the money was released",
    "Luton PP+ page: schools report on the impact of PP+ termly through the PEP"
    " (m.luton.gov.uk/Page/Show/Education_and_learning/Schools_and_colleges/virtual/Pages/Pupil-Premium-Plus.aspx)",
    reads="meeting",
)
def pp_plus_impact(case: Case) -> Iterator[Said]:
    for number, item in enumerate(case.pep.pupil_premium.previous_items):
        if item.actual_impact is None:
            path = f"$.pupil_premium.previous_items[{number}].actual_impact"
            yield Said("warning", f"last term's support item {number + 1} has no impact recorded", path)


# --- rules: identifiers and care data ---------------------------------------------------------------


def _judged_on(case: Case) -> date:
    return case.pep.plan.meeting_date or case.on


@rule(
    "upn-placeholder",
    "UN1 (not of school age) is not used as the UPN of a child of school age",
    "SSDA903 validation rule 209: UN1 is invalid for a child of school age"
    " (DfE rules as coded in data-to-insight/csc-validator-be-903)",
)
def upn_placeholder(case: Case) -> Iterator[Said]:
    child = case.pep.child
    if child.upn != "UN1" or child.date_of_birth is None:
        return
    year = nc_year(child.date_of_birth, _judged_on(case))
    if year >= 0:
        yield Said(
            "error",
            f"UPN is UN1 (not of school age), but by age the child is in {year_group_label(year)}",
            "$.child.upn",
        )


@rule(
    "sdq",
    "a child aged 4 to 16 looked after for 12 months has an SDQ score or a reason for none",
    "SSDA903 validation rules 180, 186, 196 and 197B (DfE rules as coded in data-to-insight/csc-validator-be-903)",
    reads="meeting",
)
def sdq(case: Case) -> Iterator[Said]:
    child, sdq_record, became = case.pep.child, case.pep.health.sdq, case.pep.care.date_became_looked_after
    if child.date_of_birth is None:
        return
    on = _judged_on(case)
    years = age(child.date_of_birth, on)
    if not 4 <= years <= 16:
        return
    if sdq_record.no_score_reason is SdqReason.SDQ1:
        reason = f"SDQ reason SDQ1 means under 4 or over 16, but the child is {years}"
        yield Said("warning", reason, "$.health.sdq.no_score_reason")
        return
    looked_after_a_year = became is None or age(became, on) >= 1
    if looked_after_a_year and sdq_record.score is None and sdq_record.no_score_reason is None:
        yield Said("warning", f"no SDQ score and no reason (SDQ1 to SDQ5) for a child of {years}", "$.health.sdq.score")


INVALID_CARE_PAIRS: dict[tuple[LegalStatus, PlacementType], str] = {
    (LegalStatus.V2, PlacementType.P1): "SSDA903 validation rule 378: legal status V2 cannot go with placement P1"
    " (data-to-insight/csc-validator-be-903)",
}
"""Legal status and placement type that cannot go together, each with its source."""


@rule(
    "legal-status-placement",
    "the legal status and the placement type can go together",
    "SSDA903 validation rules (data-to-insight/csc-validator-be-903)",
)
def legal_status_placement(case: Case) -> Iterator[Said]:
    care = case.pep.care
    if care.legal_status is None or care.placement_type is None:
        return
    source = INVALID_CARE_PAIRS.get((care.legal_status, care.placement_type))
    if source is not None:
        yield Said(
            "error",
            f"legal status {care.legal_status.value} ({care.legal_status.label}) cannot go with placement"
            f" {care.placement_type.value} ({care.placement_type.label})",
            "$.care.placement_type",
            source,
        )


@rule(
    "placement-type-year",
    "the placement type is valid in the SSDA903 collection year of the meeting",
    "SSDA903 validation rule 146, valid PLACE codes by collection year (data-to-insight/csc-validator-be-903,"
    " lac_validator/rules/lac2022_23, lac2024_25 and lac2025_26/rule_146.py)",
)
def placement_type_year(case: Case) -> Iterator[Said]:
    placed = case.pep.care.placement_type
    if placed is None:
        return
    note = placement_type_note(placed, _judged_on(case))
    if note is not None:
        yield Said("warning", f"{note}; record the current code", "$.care.placement_type")


@rule("ofsted-grade", "the school's latest Ofsted outcome is not one the policy flags")
def ofsted_grade(case: Case) -> Iterator[Said]:
    policy = case.policy
    grades = [grade.value for grade in policy.flag_ofsted_grades]
    why = below_standard(case.pep.education.setting, grades, policy.flag_report_card)
    if why is not None:
        yield Said(
            "warning",
            f"the school's latest inspection is below the standard {policy.title} places children in care at: {why}",
            "$.education.setting.inspection",
        )
