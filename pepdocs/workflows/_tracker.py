"""The PEP tracker: a workbook with one row per child (forms needed, when the next PEP is due) and every finding.

Sheet "Tracker" has one row per child, coloured by conditional-formatting rules on its Status column
(overdue, due within 14 days, on track) so the colours follow the value if someone edits it. Sheet
"Findings" lists every finding of `check`. Sheet "About" says which policy and date the tracker was
judged by. Text is never written as a formula (pepdocs._util.xlsx).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from pepdocs._errors import InputError, Issue, ModelError
from pepdocs._util.files import write_atomically
from pepdocs._util.xlsx import frame, put, style_header, workbook
from pepdocs.model._identifiers import nc_year, year_group_label
from pepdocs.model._pep import PEP
from pepdocs.model._records import read_pep
from pepdocs.rules._check import DUE_SOON_DAYS, RULES, Due, Finding, check, next_due
from pepdocs.rules._policy import Policy, load_policy
from pepdocs.rules._qa import QaReport, qa
from pepdocs.rules._timeline import held_meeting
from pepdocs.workflows._select import select_form

TRACKER_COLUMNS = (
    "Person ID", "Name", "Date of birth", "Year group", "School", "Form(s) needed", "Last PEP",
    "Next due", "Days left", "Status", "Open findings", "Errors", "Why due", "QA rating", "QA reasons", "Record",
)  # fmt: skip
FINDING_COLUMNS = ("Person ID", "Name", "Rule", "Severity", "Message", "Path", "Source", "Record")
STATUS_COLOURS = {
    "overdue": ("FFC7CE", "9C0006"),
    f"due within {DUE_SOON_DAYS} days": ("FFEB9C", "9C5700"),
    "on track": ("C6EFCE", "006100"),
}
"""Status -> (fill, font) colours of its conditional-formatting rule."""
MAX_WIDTH = 60


@dataclass(frozen=True)
class TrackedChild:
    """One child's row: the record, the forms it needs, when the next PEP is due and what the checks found."""

    record: str
    pep: PEP
    forms: list[str]
    due: Due
    findings: list[Finding]
    quality: QaReport | None = None
    """The red, amber and green rating; None for a row of case data, which holds no meeting record."""


@dataclass(frozen=True)
class Record:
    """A PEP record as read for the tracker: where it came from, the PEP (None if unusable) and any problems."""

    name: str
    pep: PEP | None
    issues: list[Issue] = field(default_factory=list)
    case_row: bool = False
    """A row of case-system data: it holds no meeting record, so rules about one are not run on it."""


NO_FORMS = "policy names no forms"
"""The Form(s) needed cell under a policy with no [forms] table, such as the national dfe one."""


@dataclass(frozen=True)
class TrackerReport:
    """What a tracker holds: its file, the children in it, their findings, and the records with problems."""

    output: Path
    children: int
    findings: int
    errors: int
    problems: list[Record]


def read_records(source: str | Path, *, on: date | None = None) -> Iterator[Record]:
    """The PEP records in a folder of JSON files, or the rows of a case-data XLSX or CSV (pepdocs.workflows._cases)."""
    path = Path(source)
    if not path.exists():
        raise InputError("no such folder or file: give a folder of PEP records or a case-data XLSX or CSV", str(path))
    if path.is_dir():
        files = sorted(path.glob("*.json"))
        if not files:
            raise InputError("no PEP records (*.json) in this folder", str(path))
        for file in files:
            try:
                yield Record(file.name, read_pep(file))
            except ModelError as error:
                yield Record(file.name, None, list(error.issues))
        return
    from pepdocs.workflows._cases import read_cases

    with read_cases(path, on=on) as rows:
        for row in rows:
            yield Record(f"{path.name} row {row.row}", row.pep, row.problems, case_row=True)


def track(
    records: Iterable[Record], *, policy: str | Path | Policy = "dfe", on: date | None = None
) -> list[TrackedChild]:
    """Judge each usable record: forms needed, next due date and findings, ordered by due date (unknown last).

    The forms come from the policy's `[forms]` table; a policy that names none (the national `dfe`) lists none.
    """
    chosen = load_policy(policy)
    today = on or date.today()
    rows = []
    for record in records:
        if record.pep is None:
            continue
        findings = check(record.pep, policy=chosen, on=today)
        if record.case_row:
            findings = [finding for finding in findings if RULES[finding.rule].reads == "case"]
        forms = [choice.form for choice in select_form(record.pep, policy=chosen)] if chosen.forms else []
        quality = None if record.case_row else qa(record.pep, policy=chosen, on=today)
        due = next_due(record.pep, policy=chosen, on=today)
        rows.append(TrackedChild(record.name, record.pep, forms, due, findings, quality))
    return sorted(rows, key=lambda row: (row.due.date or date.max, row.record))


def year_group(pep: PEP, on: date) -> int | None:
    """The child's year group: as the PEP says, else by age on `on`."""
    if pep.year_group is not None:
        return pep.year_group
    born = pep.child.date_of_birth
    return nc_year(born, on) if born is not None else None


def tracker_workbook(children: list[TrackedChild], problems: list[Record], *, policy: Policy, on: date) -> bytes:
    """The tracker as XLSX bytes."""
    book = workbook()
    tracker = book.active
    assert tracker is not None
    tracker.title = "Tracker"
    _header(tracker, TRACKER_COLUMNS)
    for child in children:
        pep = child.pep
        year = year_group(pep, on)
        _append(
            tracker,
            [
                pep.child.person_id,
                pep.child.full_name or pep.child.preferred_name,
                pep.child.date_of_birth,
                year_group_label(year) if year is not None else None,
                pep.education.setting.name,
                ", ".join(child.forms) if policy.forms else NO_FORMS,
                held_meeting(pep, on),
                child.due.date,
                child.due.days_left,
                child.due.status,
                len(child.findings),
                sum(1 for finding in child.findings if finding.severity == "error"),
                child.due.reason,
                child.quality.rating if child.quality else None,
                "; ".join(f"{a.title}: {a.rating}, {a.reason}" for a in child.quality.areas if a.rating != "green")
                if child.quality
                else None,
                child.record,
            ],
        )
    _finish(tracker, TRACKER_COLUMNS)
    _colour_by_status(tracker, TRACKER_COLUMNS.index("Status") + 1, len(TRACKER_COLUMNS))

    findings = book.create_sheet("Findings")
    _header(findings, FINDING_COLUMNS)
    for child in children:
        for finding in child.findings:
            _append(
                findings,
                [
                    child.pep.child.person_id,
                    child.pep.child.full_name,
                    finding.rule,
                    finding.severity,
                    finding.message,
                    finding.path,
                    finding.source,
                    child.record,
                ],
            )
    for record in problems:
        rule, severity, source = (
            ("invalid-record", "error", "the PEP model (pepdocs schema)")
            if record.pep is None
            else ("case-data", "warning", "the case-data file: this value was left out")
        )
        person = record.pep.child if record.pep is not None else None
        for issue in record.issues:
            row = [person.person_id if person else None, person.full_name if person else None, rule, severity]
            _append(findings, [*row, issue.message, issue.where(row=False) or "$", source, record.name])
    _finish(findings, FINDING_COLUMNS)
    severity = get_column_letter(FINDING_COLUMNS.index("Severity") + 1)
    findings.conditional_formatting.add(
        f"A2:{get_column_letter(len(FINDING_COLUMNS))}{max(findings.max_row, 2)}",
        FormulaRule(
            formula=[f'${severity}2="error"'], font=Font(color="9C0006"), fill=_fill("FFC7CE"), stopIfTrue=True
        ),
    )

    about = book.create_sheet("About")
    _header(about, ("About this tracker", ""))
    lines: list[tuple[str, Any]] = [
        ("Judged on", on),
        ("Policy", f"{policy.title} ({policy.name})"),
        ("Children", len(children)),
        ("Records that could not be read", sum(1 for record in problems if record.pep is None)),
        (
            "Case-data rows",
            "rows of a case-data file hold no PEP meeting record, "
            "so only the rules on dates, identity, care and school are run on them",
        ),
        (
            "Status",
            f"overdue: the due date has passed; due within {DUE_SOON_DAYS} days; on track; "
            "unknown: no date can be worked out",
        ),
        (
            "Form(s) needed",
            "the forms the policy's [forms] table names, chosen for each child"
            if policy.forms
            else f"{NO_FORMS}: the {policy.name} policy is not an authority's, so no form is chosen;"
            " name the home authority's policy (e.g. --policy southwark) to list each child's forms",
        ),
        ("Term dates", Path(policy.terms.source).name),
        *((f"Source {citation.id}", f"{citation.title} {citation.url or ''}".strip()) for citation in policy.sources),
    ]
    for line in lines:
        _append(about, list(line))
    _finish(about, ("About this tracker", ""))

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_tracker(
    source: str | Path, output: str | Path, *, policy: str | Path | Policy = "dfe", on: date | None = None
) -> TrackerReport:
    """Read PEP records (a folder of JSON files, or a case-data XLSX or CSV), judge them, write the tracker atomically.

    `policy` is the one the records are judged by: the national dfe policy unless named.
    """
    chosen = load_policy(policy)
    today = on or date.today()
    records = list(read_records(source, on=today))
    problems = [record for record in records if record.issues or record.pep is None]
    children = track(records, policy=chosen, on=today)
    write_atomically(Path(output), tracker_workbook(children, problems, policy=chosen, on=today))
    every = [finding for child in children for finding in child.findings]
    errors = sum(1 for finding in every if finding.severity == "error")
    return TrackerReport(Path(output), len(children), len(every), errors, problems)


# --- cells ----------------------------------------------------------------------------------------


def _fill(colour: str) -> PatternFill:
    return PatternFill(start_color=colour, end_color=colour, fill_type="solid")


def _header(sheet: Worksheet, names: tuple[str, ...]) -> None:
    sheet.append(list(names))
    for cell in sheet[1]:
        style_header(cell)


def _append(sheet: Worksheet, values: list[Any]) -> None:
    row = sheet.max_row + 1
    for column, value in enumerate(values, start=1):
        put(sheet.cell(row=row, column=column), value)


def _finish(sheet: Worksheet, names: tuple[str, ...]) -> None:
    """Frame the sheet, each column as wide as its contents."""
    widths = []
    for column in range(1, len(names) + 1):
        widest = 0
        for (cell,) in sheet.iter_rows(min_col=column, max_col=column):
            value = cell.value
            shown = 10 if isinstance(value, date) else len(str(value)) if value is not None else 0
            widest = max(widest, shown)
        widths.append(min(max(widest + 2, 8), MAX_WIDTH))
    frame(sheet, widths, sheet.max_row)


def _colour_by_status(sheet: Worksheet, status_column: int, columns: int) -> None:
    status = get_column_letter(status_column)
    cells = f"A2:{get_column_letter(columns)}{max(sheet.max_row, 2)}"
    for value, (fill, font) in STATUS_COLOURS.items():
        sheet.conditional_formatting.add(
            cells,
            FormulaRule(formula=[f'${status}2="{value}"'], fill=_fill(fill), font=Font(color=font), stopIfTrue=True),
        )
