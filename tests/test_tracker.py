"""The tracker workbook: one row per child, findings, real dates, conditional formatting, formula-safe text."""

from __future__ import annotations

import subprocess
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

import pepdocs
from pepdocs._cli import main
from pepdocs.rules._check import RULES, check, next_due
from pepdocs.workflows._tracker import FINDING_COLUMNS, TRACKER_COLUMNS, read_records, write_tracker
from tests.conftest import libreoffice_convert, office

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
ON = date(2026, 11, 30)
HOSTILE = '=HYPERLINK("http://example.invalid","click")'


@pytest.fixture
def records(tmp_path: Path) -> Path:
    """The examples, one with formula-like text in its name and school, and one broken record."""
    folder = tmp_path / "records"
    folder.mkdir()
    for path in EXAMPLES:
        (folder / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    pep = pepdocs.read_pep(ROOT / "examples" / "southwark-review.json")
    pep.child.first_name = HOSTILE
    pep.child.person_id = "+44 7700 900123"
    pep.education.setting.name = "@SUM(1+1)"
    pep.child.last_name = "-2+3"
    (folder / "hostile.json").write_text(pep.to_json(), encoding="utf-8")
    (folder / "broken.json").write_text('{"plan": {"meeting_date": "someday"}}', encoding="utf-8")
    return folder


def _rows(sheet_values: list[tuple[object, ...]]) -> list[dict[str, object]]:
    header, *rows = sheet_values
    return [dict(zip(header, row, strict=False)) for row in rows]  # type: ignore[arg-type]


def test_the_tracker_has_a_row_per_child_and_a_row_per_finding(records: Path, tmp_path: Path) -> None:
    out = tmp_path / "tracker.xlsx"
    report = write_tracker(records, out, policy="southwark", on=ON)
    assert (report.children, sum(1 for record in report.problems if record.pep is None)) == (7, 1)
    book = load_workbook(out)
    assert book.sheetnames == ["Tracker", "Findings", "About"]
    tracker = _rows(list(book["Tracker"].iter_rows(values_only=True)))
    assert tuple(next(book["Tracker"].iter_rows(values_only=True))) == TRACKER_COLUMNS
    assert tuple(next(book["Findings"].iter_rows(values_only=True))) == FINDING_COLUMNS
    kent = next(row for row in tracker if row["Record"] == "kent-secondary.json")
    pep = pepdocs.read_pep(records / "kent-secondary.json")
    due = next_due(pep, policy="southwark", on=ON)
    assert kent["Person ID"] == "5102947" and kent["Name"] == "Łukasz Piotr Wiśniewski"
    assert kent["Date of birth"] == datetime(2011, 11, 2) and kent["Year group"] == "Year 10"
    assert kent["Form(s) needed"] == "kent, southwark-full"
    assert kent["Last PEP"] == datetime(2026, 11, 11) and kent["Next due"] == datetime(2027, 2, 24)
    assert (kent["Days left"], kent["Status"], kent["Why due"]) == (86, "on track", due.reason)
    assert (kent["QA rating"], kent["QA reasons"]) == ("green", None)
    soon = next(row for row in tracker if row["Record"] == "no-provision.json")
    assert soon["Status"] == "due within 14 days" and soon["Days left"] == 9 and soon["Errors"] == 0
    assert tracker[0]["Next due"] == datetime(2026, 12, 1)  # soonest due first: the review example and its copy
    findings = _rows(list(book["Findings"].iter_rows(values_only=True)))
    every = [f for path in EXAMPLES for f in check(pepdocs.read_pep(path), policy="southwark", on=ON)]
    assert len([row for row in findings if row["Rule"] != "invalid-record" and row["Record"] != "hostile.json"]) == len(
        every
    )
    broken = [row for row in findings if row["Record"] == "broken.json"]
    assert broken and all(row["Rule"] == "invalid-record" and row["Severity"] == "error" for row in broken)
    assert sum(int(row["Open findings"]) for row in tracker) == len(findings) - len(broken)  # type: ignore[call-overload]


def test_the_tracker_is_laid_out_for_people(records: Path, tmp_path: Path) -> None:
    out = tmp_path / "tracker.xlsx"
    write_tracker(records, out, policy="southwark", on=ON)
    book = load_workbook(out)
    for sheet in (book["Tracker"], book["Findings"]):
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
        assert all(cell.font.bold for cell in sheet[1])
        widths = [sheet.column_dimensions[cell.column_letter].width for cell in sheet[1]]
        assert all(8 <= width <= 60 for width in widths)
    tracker = book["Tracker"]
    for column in ("Date of birth", "Last PEP", "Next due"):
        cells = [row[TRACKER_COLUMNS.index(column)] for row in tracker.iter_rows(min_row=2)]
        assert all(cell.is_date and cell.number_format == "dd/mm/yyyy" for cell in cells if cell.value is not None)


def test_status_colours_are_conditional_formatting_rules_not_fills(records: Path, tmp_path: Path) -> None:
    out = tmp_path / "tracker.xlsx"
    write_tracker(records, out, policy="southwark", on=ON)
    tracker = load_workbook(out)["Tracker"]
    rules = [(str(area.sqref), rule) for area in tracker.conditional_formatting for rule in area.rules]
    formulas = {rule.formula[0]: rule for _, rule in rules}
    assert set(formulas) == {'$J2="overdue"', '$J2="due within 14 days"', '$J2="on track"'}
    assert {area for area, _ in rules} == {f"A2:P{tracker.max_row}"}
    assert all(rule.type == "expression" and rule.dxf.fill is not None for _, rule in rules)
    assert all(cell.fill.fill_type is None for row in tracker.iter_rows() for cell in row)


def test_text_that_looks_like_a_formula_stays_text(records: Path, tmp_path: Path) -> None:
    out = tmp_path / "tracker.xlsx"
    write_tracker(records, out, policy="southwark", on=ON)
    tracker = load_workbook(out)["Tracker"]
    (row,) = [row for row in tracker.iter_rows(min_row=2) if row[-1].value == "hostile.json"]
    person, name, school = row[0], row[1], row[4]
    expected_name = pepdocs.read_pep(records / "hostile.json").child.full_name
    assert expected_name is not None and expected_name.startswith(HOSTILE)
    assert (person.value, name.value, school.value) == ("+44 7700 900123", expected_name, "@SUM(1+1)")
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in (person, name, school))
    with zipfile.ZipFile(out) as package:
        sheet = package.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet


def test_a_case_data_workbook_is_tracked_with_the_rules_case_data_can_answer(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Person ID", "Forename", "Surname", "DOB", "Date Became Looked After", "School", "School Start",
                  "Ofsted Grade", "Meeting Date", "UPN"])  # fmt: skip
    sheet.append(
        [
            "900001",
            "Ada",
            "Case",
            date(2015, 5, 1),
            date(2026, 1, 5),
            "Test Primary",
            date(2023, 9, 4),
            "3",
            None,
            "UN1",
        ]
    )
    sheet.append(["900002", "Ben", "Case", "31/02/2014", date(2020, 1, 6), "Test Primary", date(2023, 9, 4), "2",
                  date(2026, 2, 10), None])  # fmt: skip
    sheet.append([None, "No", "Identity"])
    cases = tmp_path / "cases.xlsx"
    book.save(cases)
    out = tmp_path / "tracker.xlsx"
    report = write_tracker(cases, out, policy="southwark", on=date(2026, 1, 27))
    unreadable = [record.name for record in report.problems if record.pep is None]
    assert report.children == 2 and unreadable == ["cases.xlsx row 4"]
    saved = load_workbook(out)
    tracker = _rows(list(saved["Tracker"].iter_rows(values_only=True)))
    ada = next(row for row in tracker if row["Person ID"] == "900001")
    assert ada["Next due"] == datetime(2026, 1, 19) and ada["Status"] == "overdue"
    assert ada["Year group"] == "Year 6"
    ben = next(row for row in tracker if row["Person ID"] == "900002")
    assert ben["Next due"] == datetime(2026, 2, 10) and "planned" in str(ben["Why due"])
    assert ben["Last PEP"] is None  # the meeting is still to come
    findings = _rows(list(saved["Findings"].iter_rows(values_only=True)))
    assert {row["Rule"] for row in findings if row["Person ID"] == "900001"} == {
        "initial-pep-deadline", "ofsted-grade", "upn-placeholder"
    }  # fmt: skip
    assert all(RULES[str(row["Rule"])].reads == "case" for row in findings if str(row["Rule"]) in RULES)
    case_data = [row for row in findings if row["Rule"] == "case-data"]
    (bad_date,) = [row for row in case_data if "not a day of the calendar" in str(row["Message"])]
    assert bad_date["Path"] == 'column D "DOB"' and bad_date["Record"] == "cases.xlsx row 3"
    (ben_record,) = [record for record in report.problems if record.name == "cases.xlsx row 3"]
    assert [(issue.column, issue.row) for issue in ben_record.issues] == [('D "DOB"', 3)]


def test_an_empty_folder_is_one_line_and_exit_1(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["tracker", str(tmp_path), "-o", str(tmp_path / "t.xlsx")])
    assert result.exit_code == 1 and "no PEP records" in result.output and result.output.count("\n") == 1
    with pytest.raises(pepdocs.InputError, match="no PEP records"):
        list(read_records(tmp_path))


def test_pepdocs_tracker_writes_what_the_api_writes(records: Path, tmp_path: Path) -> None:
    out = tmp_path / "cli.xlsx"
    result = CliRunner().invoke(
        main, ["tracker", str(records), "-o", str(out), "--policy", "kent", "--on", "2026-11-30"]
    )
    assert result.exit_code == 0, result.output
    assert "7 children" in result.output and "broken.json: not tracked:" in result.output
    api = tmp_path / "api.xlsx"
    write_tracker(records, api, policy="kent", on=ON)
    for sheet in ("Tracker", "Findings"):
        cli_rows = list(load_workbook(out)[sheet].iter_rows(values_only=True))
        assert cli_rows == list(load_workbook(api)[sheet].iter_rows(values_only=True))


def _soffice(target: str, source: Path, outdir: Path) -> Path:
    libreoffice_convert([source], target, outdir)
    converted = outdir / f"{source.stem}.{target}"
    assert converted.is_file(), f"LibreOffice could not open {source.name} (is its spreadsheet part, Calc, installed?)"
    return converted


def _colours(ppm: bytes) -> set[tuple[int, int, int]]:
    """The colours of a binary PPM (P6) image."""
    magic, size, depth, pixels = ppm.split(b"\n", 3)
    assert magic == b"P6" and depth == b"255", size
    return {(pixels[i], pixels[i + 1], pixels[i + 2]) for i in range(0, len(pixels) - 2, 3)}


@pytest.mark.office
def test_libreoffice_opens_the_tracker_and_keeps_its_formatting(records: Path, tmp_path: Path) -> None:
    pdftoppm = office("pdftoppm")  # LibreOffice is looked for by libreoffice_convert
    out = tmp_path / "in" / "tracker.xlsx"
    write_tracker(
        records, out, policy="southwark", on=date(2026, 12, 5)
    )  # one child overdue, one due within 14 days, the rest on track
    statuses = {row[9] for row in load_workbook(out)["Tracker"].iter_rows(min_row=2, values_only=True)}
    assert statuses == {"overdue", "due within 14 days", "on track"}
    # Frozen panes are view settings, which LibreOffice does not write when it runs headless: check ours.
    assert load_workbook(out)["Tracker"].freeze_panes == "A2"

    again = load_workbook(_soffice("xlsx", out, tmp_path / "xlsx"))
    tracker = again["Tracker"]
    assert tracker.auto_filter.ref is not None and tracker.auto_filter.ref.startswith("A1:P")
    rules = {rule.formula[0]: rule for area in tracker.conditional_formatting for rule in area.rules}
    assert set(rules) == {'$J2="overdue"', '$J2="due within 14 days"', '$J2="on track"'}
    assert rules['$J2="overdue"'].dxf.fill.bgColor.rgb.endswith("FFC7CE")
    next_due_cells = [row[TRACKER_COLUMNS.index("Next due")] for row in tracker.iter_rows(min_row=2)]
    assert all(cell.is_date and cell.number_format.lower() == "dd/mm/yyyy" for cell in next_due_cells if cell.value)
    (hostile,) = [row for row in tracker.iter_rows(min_row=2, values_only=True) if row[-1] == "hostile.json"]
    assert hostile[0] == "+44 7700 900123" and hostile[4] == "@SUM(1+1)" and HOSTILE in str(hostile[1])

    pdf = _soffice("pdf", out, tmp_path / "pdf")
    subprocess.run(
        [pdftoppm, "-r", "30", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True, timeout=60
    )
    (page,) = tmp_path.glob("page-*.ppm")
    shown = _colours(page.read_bytes())
    assert {(255, 199, 206), (255, 235, 156), (198, 239, 206)} <= shown  # red, amber and green rows as printed


def test_under_a_policy_naming_no_forms_the_tracker_says_why_the_forms_column_is_empty(
    records: Path, tmp_path: Path
) -> None:
    out = tmp_path / "tracker.xlsx"
    write_tracker(records, out, policy="dfe", on=ON)
    book = load_workbook(out)
    tracker = _rows(list(book["Tracker"].iter_rows(values_only=True)))
    assert tracker and {row["Form(s) needed"] for row in tracker} == {"policy names no forms"}
    about = dict(book["About"].iter_rows(values_only=True))
    assert str(about["Form(s) needed"]).startswith("policy names no forms: the dfe policy is not an authority's")
    write_tracker(records, out, policy="southwark", on=ON)
    named = _rows(list(load_workbook(out)["Tracker"].iter_rows(values_only=True)))
    assert all(row["Form(s) needed"] and "policy names" not in str(row["Form(s) needed"]) for row in named)
