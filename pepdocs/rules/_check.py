"""Statutory and local checks on a PEP, and when the next PEP is due, by a policy held as data.

Each rule is a small function over the PEP and the policy, registered in `RULES` under a stable id.
Rules read every per-authority difference (deadlines, cycle, target limits) from the `Policy`; none
looks at the authority's name. Each finding says where its rule comes from: the policy's `cite` entry
for that rule, or the rule's own source for national rules (SSDA903, the Regulations).
"""

from __future__ import annotations

import calendar as months
import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pepdocs._errors import InputError
from pepdocs.model._codes import (
    LegalStatus,
    Outcome,
    Participation,
    PepType,
    PlacementType,
    SdqReason,
    SenStatus,
    TargetTerm,
)
from pepdocs.model._identifiers import age, nc_year, year_group_label
from pepdocs.model._pep import PEP
from pepdocs.rules._calendar import CalendarRangeError, add_days, school_days_between, working_days_between
from pepdocs.rules._policy import Policy, ReviewWindow
from pepdocs.rules._policy import load_policy as _load_policy
from pepdocs.rules._review_form import review_form_allowed

Severity = Literal["error", "warning"]
EVENT_PEPS = frozenset({PepType.INITIAL, PepType.NEW_SCHOOL, PepType.NEW_PLACEMENT, PepType.TRANSITION})
"""PEPs held because something happened, not because the cycle came round."""
DUE_SOON_DAYS = 14


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


def load_policy(policy: str | Path | Policy) -> Policy:
    """A built-in policy by name (southwark, kent, ...) or a TOML file; InputError names the file and key."""
    loaded = _load_policy(policy)
    for table in ("cite", "severity"):
        unknown = sorted(set(getattr(loaded, table)) - set(RULES))
        if unknown:
            raise InputError(f"{table}.{unknown[0]}: no rule has this id; rules: {', '.join(RULES)}", loaded.file)
    return loaded


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
            source = said.source or chosen.source_for(item.id) or item.source or f"{chosen.title} ({chosen.file})"
            findings.append(Finding(item.id, severity, said.message, said.path, source))
    return findings


def next_due(pep: PEP, *, policy: str | Path | Policy = "dfe", on: date | None = None) -> Due:
    """When the next PEP is due and why: the earliest of the first-PEP, new-school, cycle and LAC-review dates."""
    chosen = load_policy(policy)
    today = on or date.today()
    candidates, unknown = _due_dates(pep, chosen, today)
    if not candidates:
        why = "; ".join(unknown) or "neither a meeting date nor the date the child became looked after is recorded"
        return Due(None, f"not known: {why}", on=today)
    return min(candidates, key=lambda due: (due.date or date.max))


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
    """How often PEPs are held for this child under `policy` ('terms', 'half-terms', ...) and the windows."""
    grade = pep.education.setting.ofsted_grade
    if grade is not None and grade in policy.half_termly_if_ofsted:
        kind = "half_terms"
    else:
        kind = policy.review_windows if isinstance(policy.review_windows, str) else "months"
    if kind == "months":
        assert not isinstance(policy.review_windows, str)
        names = ", ".join(
            f"{w.name} {months.month_abbr[w.months[0]]}-{months.month_abbr[w.months[-1]]}"
            for w in policy.review_windows
        )
        return f"windows ({names})", _month_windows(policy.review_windows, around)
    terms = policy.terms
    terms.require(around)
    parts = terms.half_terms() if kind == "half_terms" else terms.terms()
    label = "every half-term" if kind == "half_terms" else "every term"
    if kind == "half_terms":
        label += f" (school graded {grade.value if grade is not None else ''} by Ofsted)"
    return label, [Window(f"{p.term} {p.start.year}", p.start, p.end) for p in parts]


def _window_at(windows: list[Window], day: date) -> Window | None:
    return next((w for w in windows if w.start <= day <= w.end), None)


def _window_after(windows: list[Window], day: date) -> Window | None:
    current = _window_at(windows, day)
    after = current.end if current is not None else day
    return next((w for w in windows if w.start > after), None)


def held_meeting(pep: PEP, on: date) -> date | None:
    """The meeting date if the meeting has taken place by `on`; a later date is a planned meeting."""
    meeting = pep.plan.meeting_date
    return meeting if meeting is not None and meeting <= on else None


def _earlier_pep_shown(pep: PEP) -> bool:
    """Whether the record shows that the child has had a PEP before this one."""
    plan = pep.plan
    return bool(
        pep.previous_targets
        or pep.previous_actions
        or (plan.pep_number_in_year or 0) >= 2
        or (plan.pep_type is not None and plan.pep_type is not PepType.INITIAL)
    )


def first_pep_outstanding(pep: PEP, on: date) -> bool:
    """Whether the child still waits for a first PEP in this period of care (none held since becoming looked after)."""
    became, meeting = pep.care.date_became_looked_after, pep.plan.meeting_date
    if became is None:
        return False
    held = held_meeting(pep, on)
    if held is not None:
        return held < became
    if meeting is not None:
        return pep.plan.pep_type is PepType.INITIAL or meeting < became
    return not _earlier_pep_shown(pep)


def new_school_pep_outstanding(pep: PEP, on: date) -> bool:
    """Whether the child started a school after their last PEP and has had none there yet."""
    start, became = pep.education.setting.start_date, pep.care.date_became_looked_after
    if start is None:
        return False
    held = held_meeting(pep, on)
    if held is not None:
        return held < start
    if pep.plan.meeting_date is not None:
        return pep.plan.pep_type is PepType.NEW_SCHOOL
    return not _earlier_pep_shown(pep) and (became is None or start >= became)


def _due_dates(pep: PEP, policy: Policy, on: date) -> tuple[list[Due], list[str]]:
    case = Case(pep, policy, on)
    found: list[Due] = []
    unknown: list[str] = []
    meeting, held = pep.plan.meeting_date, held_meeting(pep, on)
    became, start = pep.care.date_became_looked_after, pep.education.setting.start_date
    days = policy.initial_deadline_days
    if days is not None and became is not None and first_pep_outstanding(pep, on):
        try:
            deadline = _deadline(case, became, days, policy.initial_deadline_basis)
            within = _days_word(days, policy.initial_deadline_basis)
            reason = f"first PEP: within {within} of becoming looked after on {_fmt(became)}"
            found.append(Due(deadline, reason, "initial-pep-deadline", _source(policy, "initial-pep-deadline"), on))
        except CalendarRangeError as error:
            unknown.append(str(error))
    days = policy.new_school_deadline_days
    if days is not None and start is not None and new_school_pep_outstanding(pep, on):
        try:
            deadline = _deadline(case, start, days, policy.new_school_deadline_basis)
            school = pep.education.setting.name or "the new school"
            within = _days_word(days, policy.new_school_deadline_basis)
            reason = f"new school: within {within} of starting at {school} on {_fmt(start)}"
            found.append(Due(deadline, reason, "new-school-deadline", _source(policy, "new-school-deadline"), on))
        except CalendarRangeError as error:
            unknown.append(str(error))
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
            found.append(Due(following.end, reason, "review-cycle", _source(policy, "review-cycle"), on))
    except CalendarRangeError as error:
        unknown.append(str(error))
    planned = pep.plan.next_pep_date
    if planned is not None and planned > held:
        found.append(
            Due(
                planned,
                f"the date set at the PEP on {_fmt(held)}",
                "next-pep-date",
                _source(policy, "next-pep-date"),
                on,
            )
        )
    lac_due = _lac_window(pep, policy)
    if lac_due is not None:
        earliest, latest, review = lac_due
        reason = (
            f"{_weeks(policy)} before the LAC review on {_fmt(review)}: between {_fmt(earliest)} and {_fmt(latest)}"
        )
        found.append(Due(latest, reason, "lac-review-window", _source(policy, "lac-review-window"), on))
    return found, unknown


def _weeks(policy: Policy) -> str:
    low, high = policy.lac_review_window_weeks or (0, 0)
    return f"{low} to {high} weeks"


def _lac_window(pep: PEP, policy: Policy) -> tuple[date, date, date] | None:
    """(earliest, latest, review) when a PEP is still needed before the next LAC review, else None."""
    weeks = policy.lac_review_window_weeks
    meeting, review = pep.plan.meeting_date, pep.care.next_lac_review_date
    if weeks is None or meeting is None or review is None or pep.care.last_lac_review_date is None:
        return None
    if review <= meeting or (review - meeting).days <= weeks[1] * 7:
        return None  # this PEP is the one for that review
    return review - timedelta(weeks=weeks[1]), review - timedelta(weeks=weeks[0]), review


def _source(policy: Policy, rule_id: str) -> str:
    item = RULES.get(rule_id)
    return policy.source_for(rule_id) or (item.source if item and item.source else f"{policy.title} ({policy.file})")


def _calendar_note(error: CalendarRangeError, path: str = "$.plan.meeting_date") -> Said:
    return Said("warning", f"cannot count school days: {error}", path)


# --- rules: timing --------------------------------------------------------------------------------


def _event_deadline(
    case: Case,
    start: date,
    days: int,
    basis: str,
    *,
    held: bool,
    outstanding: bool,
    start_path: str,
    late: Callable[[str, str, str], str],
    missed: Callable[[str], str],
    missed_path: str,
) -> Iterator[Said]:
    """A PEP due within `days` of an event on `start`: an error if it was held late, or is outstanding past its date.

    `late(meeting, taken, deadline)` and `missed(deadline)` word the two errors from the dates as shown.
    """
    if not held and not outstanding:
        return
    meeting = case.pep.plan.meeting_date
    try:
        deadline = _deadline(case, start, days, basis)
        if held and meeting is not None and meeting > deadline:
            taken = _days_word(_count(case, start, meeting, basis), basis)
            yield Said("error", late(_fmt(meeting), taken, _fmt(deadline)), "$.plan.meeting_date")
        elif outstanding and case.on > deadline:
            yield Said("error", missed(_fmt(deadline)), missed_path)
    except CalendarRangeError as error:
        yield _calendar_note(error, start_path)


@rule("initial-pep-deadline", "the first PEP is held within the policy's days of the child becoming looked after")
def initial_pep_deadline(case: Case) -> Iterator[Said]:
    policy, pep = case.policy, case.pep
    days, became, meeting = policy.initial_deadline_days, pep.care.date_became_looked_after, pep.plan.meeting_date
    if days is None or became is None:
        return
    what = (
        "no PEP meeting is recorded"
        if meeting is None
        else f"the PEP of {_fmt(meeting)} predates this period of care"
        if meeting < became
        else f"no PEP meeting has been held (one is planned for {_fmt(meeting)})"
    )
    basis = policy.initial_deadline_basis
    yield from _event_deadline(
        case, became, days, basis,
        held=pep.plan.pep_type is PepType.INITIAL and meeting is not None and meeting >= became,
        outstanding=first_pep_outstanding(pep, case.on),
        start_path="$.care.date_became_looked_after",
        late=lambda held, taken, by: f"the first PEP meeting on {held} is {taken} after the child became looked"
        f" after on {_fmt(became)}; it is due within {_days_word(days, basis)}, by {by}",
        missed=lambda by: f"{what}; the first PEP was due by {by}, {_days_word(days, basis)} after the child"
        f" became looked after on {_fmt(became)}",
        missed_path="$.plan.meeting_date",
    )  # fmt: skip


@rule("new-school-deadline", "a PEP is held within the policy's days of the child starting a new school")
def new_school_deadline(case: Case) -> Iterator[Said]:
    policy, pep = case.policy, case.pep
    days, start, meeting = policy.new_school_deadline_days, pep.education.setting.start_date, pep.plan.meeting_date
    if days is None or start is None:
        return
    school = pep.education.setting.name or "the new school"
    basis = policy.new_school_deadline_basis
    yield from _event_deadline(
        case, start, days, basis,
        held=pep.plan.pep_type is PepType.NEW_SCHOOL and meeting is not None and meeting >= start,
        outstanding=new_school_pep_outstanding(pep, case.on),
        start_path="$.education.setting.start_date",
        late=lambda held, taken, by: f"the new-school PEP meeting on {held} is {taken} after the child started at"
        f" {school} on {_fmt(start)}; it is due within {_days_word(days, basis)}, by {by}",
        missed=lambda by: f"the child started at {school} on {_fmt(start)} and no PEP there has been held; it was"
        f" due within {_days_word(days, basis)}, by {by}",
        missed_path="$.education.setting.start_date",
    )  # fmt: skip


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
    if pep.plan.pep_type not in EVENT_PEPS and _window_at(windows, meeting) is None:
        yield Said(
            "warning", f"the meeting on {_fmt(meeting)} is outside the review cycle: {label}", "$.plan.meeting_date"
        )
    planned = pep.plan.next_pep_date
    following = _window_after(windows, meeting)
    if planned is not None and following is not None and planned > following.end:
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
    if due.date is not None and due.date < case.on and due.rule not in ("initial-pep-deadline", "new-school-deadline"):
        path = "$.plan.next_pep_date" if due.rule == "next-pep-date" else "$.plan.meeting_date"
        late = (case.on - due.date).days
        yield Said(
            "error", f"the next PEP was due by {_fmt(due.date)} ({due.reason}); {late} days overdue", path, due.source
        )


@rule("lac-review-window", "the meeting is held the policy's weeks before the next (2nd or later) LAC review")
def lac_review_window(case: Case) -> Iterator[Said]:
    pep, weeks = case.pep, case.policy.lac_review_window_weeks
    meeting, review = pep.plan.meeting_date, pep.care.next_lac_review_date
    if weeks is None or meeting is None or review is None or pep.care.last_lac_review_date is None:
        return
    if pep.plan.pep_type is PepType.INITIAL or review < meeting:
        return
    gap = (review - meeting).days
    if not weeks[0] * 7 <= gap <= weeks[1] * 7:
        earliest, latest = review - timedelta(weeks=weeks[1]), review - timedelta(weeks=weeks[0])
        yield Said(
            "warning",
            f"the meeting on {_fmt(meeting)} is {gap} days before the LAC review on {_fmt(review)}; where possible"
            f" hold it {_weeks(case.policy)} before, between {_fmt(earliest)} and {_fmt(latest)}",
            "$.plan.meeting_date",
        )


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


@rule("target-due-date", "every target has a due date after the meeting (SMART: timed)", reads="meeting")
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


@rule("target-success-measure", "every target says how success will be measured (SMART: measurable)", reads="meeting")
def target_success_measure(case: Case) -> Iterator[Said]:
    for number, target in enumerate(case.pep.targets):
        if target.success_measure is None:
            yield Said("warning", f"target {number + 1} has no success measure", f"$.targets[{number}].success_measure")


@rule(
    "target-owner",
    "every target names who is responsible (an error where the policy requires an owner)",
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
    "Haringey PEP procedure: unmet targets are broken down further, not repeated (HAR, domain.md §5 rule 4)",
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


@rule("review-form-eligibility", "the simpler review form is used only where the policy allows it")
def review_form_eligibility(case: Case) -> Iterator[Said]:
    if not case.policy.review_form_eligibility or case.pep.plan.pep_type is not PepType.REVIEW:
        return
    allowed, why = review_form_allowed(case.pep)
    if not allowed:
        yield Said("error", f"a review PEP, but the review form may not be used: {why}", "$.plan.pep_type")


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
    "Southwark procedure 3.5.2 §2: one PEP a year alongside the EHCP annual review (seed 000);"
    " DfE 2018: PEPs linked to EHC plans (DFE18-q2)",
)
def ehcp_annual_review(case: Case) -> Iterator[Said]:
    sen = case.pep.education.sen
    if sen.status is SenStatus.EHCP and sen.ehcp_annual_review_date is None:
        yield Said(
            "warning",
            "the child has an EHCP but no annual review date is recorded",
            "$.education.sen.ehcp_annual_review_date",
        )


@rule(
    "child-views",
    "the child's views are recorded; if the child did not attend, why and how their views were gathered",
    "Southwark procedure 3.5.2 §5 (seed 000); Enfield PEP good practice (ENF); CPPCR Regs 2010 reg 5(e) (REG-5)",
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
    "Enfield PEP good practice: parent/carer views recorded or why not (ENF); CPPCR Regs 2010 Sch 1 para 2(5) (REG-S1)",
    reads="meeting",
)
def carer_views(case: Case) -> Iterator[Said]:
    views = case.pep.views
    if views.carer is None and views.parents is None:
        yield Said("warning", "neither the carer's nor the parents' views are recorded", "$.views.carer")


# --- rules: Pupil Premium Plus ------------------------------------------------------------------------

_PP_SOURCE = "DfE 2018: how PP+ supports the targets (DFE18-q2); St Helens target table with PP+ cost (STH-T)"


def _money(amount: Decimal) -> str:
    return f"£{amount:,.2f}"


@rule("pp-plus-target-link", "each PP+ item is linked to a target the PEP has", _PP_SOURCE, reads="meeting")
def pp_plus_target_link(case: Case) -> Iterator[Said]:
    count = len(case.pep.targets)
    for number, item in enumerate(case.pep.pupil_premium.items):
        path = f"$.pupil_premium.items[{number}].linked_target"
        name = f"PP+ item {number + 1}" + (f" ({item.intervention})" if item.intervention else "")
        if item.linked_target is None:
            yield Said("warning", f"{name} is not linked to a target", path)
        elif item.linked_target > count:
            yield Said(
                "error", f"{name} is linked to target {item.linked_target}, but the PEP has {count} targets", path
            )


@rule("pp-plus-cost", "each PP+ item is costed", _PP_SOURCE + "; Sefton: detailed costings (seed 002)", reads="meeting")
def pp_plus_cost(case: Case) -> Iterator[Said]:
    for number, item in enumerate(case.pep.pupil_premium.items):
        if item.cost is None:
            label = f" ({item.intervention})" if item.intervention else ""
            yield Said("error", f"PP+ item {number + 1}{label} has no cost", f"$.pupil_premium.items[{number}].cost")


@rule(
    "pp-plus-total",
    "the PP+ items cost no more than the term's allocation (the record's, and the policy's where it sets one)",
    "Termly PP+ release: Luton £600 (seed 003), Worcestershire £500 a term (domain.md §4.10)",
    reads="meeting",
)
def pp_plus_total(case: Case) -> Iterator[Said]:
    premium = case.pep.pupil_premium
    total = premium.total
    if total is None:
        return
    if premium.allocation is not None and total > premium.allocation:
        yield Said(
            "error",
            f"PP+ items total {_money(total)}, more than the allocation of {_money(premium.allocation)}",
            "$.pupil_premium.items",
        )
    limit = case.policy.pp_plus_allocation
    if limit is not None and total > limit:
        yield Said(
            "error",
            f"PP+ items total {_money(total)}, more than the {_money(limit)} a term {case.policy.title} releases",
            "$.pupil_premium.items",
        )


# --- rules: identifiers and care data ---------------------------------------------------------------


def _judged_on(case: Case) -> date:
    return case.pep.plan.meeting_date or case.on


@rule(
    "upn-placeholder",
    "UN1 (not of school age) is not used as the UPN of a child of school age",
    "SSDA903 validator rule 209: UN1 is invalid for a child of school age (domain.md §4.1)",
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
    "SSDA903 validator rules 180, 186, 196 and 197B (domain.md §4.9)",
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
    (
        LegalStatus.V2,
        PlacementType.P1,
    ): "SSDA903 validator rule 378: legal status V2 cannot go with placement P1 (domain.md §4.4)",
}
"""Legal status and placement type that cannot go together, each with its source."""


@rule(
    "legal-status-placement",
    "the legal status and the placement type can go together",
    "SSDA903 validator (domain.md §4.4)",
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


@rule("ofsted-grade", "the school's Ofsted grade is not one the policy flags")
def ofsted_grade(case: Case) -> Iterator[Said]:
    grade = case.pep.education.setting.ofsted_grade
    flagged = case.policy.flag_ofsted_grades
    if grade is not None and grade in flagged:
        grades = " or ".join(g.value for g in flagged)
        yield Said(
            "warning",
            f"the school is graded {grade.value} ({grade.label}) by Ofsted; {case.policy.title} places no child in care"
            f" at a school graded {grades}",
            "$.education.setting.ofsted_grade",
        )
