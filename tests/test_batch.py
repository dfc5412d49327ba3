"""The batch: a form per child from case data, the report, resuming, atomic writes, workers, the CLI."""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

import pepdocs
from pepdocs._cli import main
from pepdocs._util.files import write_atomically
from pepdocs.model._identifiers import upn_check_letter
from pepdocs.workflows import _batch as _batch
from pepdocs.workflows._batch import REPORT_JSON, REPORT_XLSX, STATE_FILE, batch, output_name
from pepdocs.workflows._cases import CaseRow, read_cases

from .conftest import write_xlsx

ROOT = Path(__file__).resolve().parent.parent
RUN = date(2027, 1, 4)
HEADERS = ["Person ID", "Forename", "Surname", "DOB", "UPN", "School", "DfE Number", "Date Joined", "Placement Start",
           "PEP Date", "PEP Number In Year", "No Provision Reason", "EET Status", "Legal Status"]  # fmt: skip


def upn(la: str, serial: int) -> str:
    digits = f"{la}2001{20}{serial:03d}"
    return upn_check_letter("X" + digits) + digits


KINDS: dict[str, list[Any]] = {
    "southwark": ["S1", "Amara", "Okafor", date(2017, 3, 1), upn("210", 1), "Lantern Hill Primary School", "2102001",
                  date(2024, 9, 1), date(2025, 2, 1), date(2027, 1, 20), 1, None, None, "C2"],
    "kent": ["K1", "Łukasz", "Wiśniewski", date(2012, 6, 1), upn("886", 2), "Harbourside Academy", "8864001",
             date(2023, 9, 1), date(2024, 1, 1), date(2027, 2, 3), 1, None, None, "V2"],
    "review": ["R1", "Ruby", "Ward", date(2015, 1, 9), upn("210", 3), "Kestrel Park Primary School", "2102002",
               date(2022, 9, 1), date(2023, 5, 1), date(2027, 2, 10), 2, None, None, "C2"],
    "nursery": ["N1", "Kai", "Chen", date(2023, 1, 5), "UN1", "Ladybird Lane Nursery", None, date(2026, 9, 1),
                date(2025, 6, 1), date(2027, 1, 25), 1, None, None, "C1"],
    "reception": ["E1", "Zoë", "Murphy", date(2021, 12, 2), None, "Ropewalk Primary School", "2102003",
                  date(2026, 9, 1), date(2026, 3, 1), date(2027, 1, 26), 1, None, None, "E1"],
    "post-16": ["P1", "Yusuf", "Khan", date(2009, 11, 3), None, "Southwark Riverside College", None, date(2025, 9, 1),
                date(2024, 4, 1), date(2027, 3, 1), 1, None, "education", "C2"],
    "neet": ["P2", "Skye", "O'Neill", date(2008, 10, 20), None, None, None, None, date(2025, 4, 1), date(2027, 3, 2),
             1, None, "neet_seeking", "V2"],
    "no-provision": ["X1", "Mariam", "Haile", date(2014, 2, 2), upn("210", 4), None, None, None, date(2026, 11, 1),
                     date(2027, 1, 21), 1, "awaiting_admission", None, "L2"],
}  # fmt: skip
FORMS = {
    "southwark": ["southwark-full"], "kent": ["kent", "southwark-full"], "review": ["southwark-review"],
    "nursery": ["early-years"], "reception": ["early-years"], "post-16": ["post-16"], "neet": ["post-16"],
    "no-provision": ["no-provision"],
}  # fmt: skip


def workbook(path: Path, rows: list[list[Any]], headers: list[str] = HEADERS) -> Path:
    return write_xlsx(path, headers, rows)


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    return workbook(tmp_path / "cases.xlsx", list(KINDS.values()))


def outputs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix in (".docx", ".pdf")}


# --- forms, files and the report ----------------------------------------------------------------


def test_each_kind_of_child_gets_the_right_forms_with_reasons(cases: Path, tmp_path: Path) -> None:
    report = batch(cases, tmp_path / "out", workers=1, run_date=RUN, policy="southwark")
    by_id = {row.person_id: row for row in report.rows}
    for kind, row in zip(KINDS, KINDS.values(), strict=True):
        done = by_id[row[0]]
        assert done.status == "done", (kind, done.problems)
        assert done.forms == FORMS[kind], kind
        assert len(done.reasons) == len(done.forms) and all(r.split(": ", 1)[1] for r in done.reasons)
        assert done.files == [output_name(row[0], form, row[9], "docx") for form in FORMS[kind]]
    assert "Kent (886)" in by_id["K1"].reasons[0] and "Southwark's record must also be made" in by_id["K1"].reasons[1]
    assert report.ok and report.counts == {"done": 8, "skipped": 0, "no part": 0, "problem": 0, "failed": 0}
    assert report.written == 9 and (tmp_path / "out" / "K1_kent_2027-02-03.docx").exists()


def test_each_output_is_the_form_rendered_from_the_row_with_only_the_case_data(cases: Path, tmp_path: Path) -> None:
    batch(cases, tmp_path / "out", workers=1, run_date=RUN, policy="southwark")
    with read_cases(cases, on=RUN) as rows:
        peps = {row.person_id: row.pep for row in rows}
    kent = peps["K1"]
    assert kent is not None
    written = (tmp_path / "out" / "K1_kent_2027-02-03.docx").read_bytes()
    assert written == pepdocs.render(kent, "kent")
    back = pepdocs.parse(written).pep
    assert (back.child.first_name, back.child.upn, back.education.setting.laestab) == (
        "Łukasz",
        KINDS["kent"][4],
        "8864001",
    )
    assert back.views.child.going_well is None and back.targets == []  # left for the meeting


def test_one_form_and_some_sections_can_be_forced(cases: Path, tmp_path: Path) -> None:
    report = batch(
        cases, tmp_path / "out", form="southwark-full", sections=["1"], workers=1, run_date=RUN, policy="southwark"
    )
    assert all(row.forms == ["southwark-full"] for row in report.rows)
    with read_cases(cases, on=RUN) as rows:
        pep = next(row.pep for row in rows if row.person_id == "S1")
    assert pep is not None
    assert (tmp_path / "out" / "S1_southwark-full_2027-01-20.docx").read_bytes() == pepdocs.render(
        pep, "southwark-full", sections=["1"]
    )
    with pytest.raises(pepdocs.UsageError, match="no section 'Z'"):
        batch(cases, tmp_path / "out2", form="kent", sections=["Z"], workers=1, policy="southwark")
    with pytest.raises(pepdocs.FormError, match="unknown form"):
        batch(cases, tmp_path / "out2", form="nope", workers=1, policy="southwark")
    assert not (tmp_path / "out2").exists() or not outputs(tmp_path / "out2")


def test_the_file_name_uses_the_run_date_when_no_meeting_is_planned_and_a_safe_person_id(tmp_path: Path) -> None:
    path = workbook(tmp_path / "c.xlsx", [[" SW/2024:07 ", "Kai", "Chen", date(2016, 1, 1)], ["../../etc", "Ruby"]],
                    ["Person ID", "Forename", "Surname", "DOB"])  # fmt: skip
    report = batch(path, tmp_path / "out", form="southwark-full", workers=1, run_date=RUN, policy="southwark")
    safe = [f"SW-2024-07-{_hash('SW/2024:07')}", f"etc-{_hash('../../etc')}"]
    assert [row.files for row in report.rows] == [[f"{stem}_southwark-full_2027-01-04.docx"] for stem in safe]
    assert sorted(outputs(tmp_path / "out")) == sorted(f"{stem}_southwark-full_2027-01-04.docx" for stem in safe)


def _hash(typed: str) -> str:
    import hashlib

    return hashlib.sha256(typed.encode()).hexdigest()[:8]


def test_file_names_stay_unique_across_runs_when_person_ids_differ_only_in_unsafe_characters(tmp_path: Path) -> None:
    headers = ["Person ID", "Forename", "Surname", "DOB"]
    out = tmp_path / "out"
    first = batch(workbook(tmp_path / "a.xlsx", [["Zoë7", "Zoë", "Murphy", date(2016, 1, 1)]], headers),
                  out, form="southwark-full", workers=1, run_date=RUN, policy="southwark")  # fmt: skip
    second = batch(workbook(tmp_path / "b.xlsx", [["Zo7", "Zoe", "Moore", date(2015, 5, 5)]], headers),
                   out, form="southwark-full", workers=1, run_date=RUN, policy="southwark")  # fmt: skip
    third = batch(workbook(tmp_path / "c.xlsx", [["Zo-7", "Zac", "Mills", date(2014, 4, 4)]], headers),
                  out, form="southwark-full", workers=1, run_date=RUN, policy="southwark")  # fmt: skip
    names = [first.rows[0].files, second.rows[0].files, third.rows[0].files]
    assert names == [[f"Zo-7-{_hash('Zoë7')}_southwark-full_2027-01-04.docx"],
                     ["Zo7_southwark-full_2027-01-04.docx"], ["Zo-7_southwark-full_2027-01-04.docx"]]  # fmt: skip
    assert len(outputs(out)) == 3 and all(r.ok for r in (first, second, third))
    again = batch(workbook(tmp_path / "a.xlsx", [["Zoë7", "Zoë", "Murphy", date(2016, 1, 1)]], headers),
                  out, form="southwark-full", workers=1, run_date=RUN, policy="southwark")  # fmt: skip
    assert again.rows[0].files == names[0] and again.up_to_date == 1


def test_a_child_with_no_meeting_date_gets_the_year_group_and_key_stage_of_the_run_date(tmp_path: Path) -> None:
    path = workbook(tmp_path / "c.xlsx", [["Y13", "Ava", "Stone", date(2008, 10, 1)]],
                    ["Person ID", "Forename", "Surname", "DOB"])  # fmt: skip
    report = batch(path, tmp_path / "out", form="post-16", workers=1, run_date=RUN, policy="southwark")
    (name,) = report.rows[0].files
    parsed = pepdocs.parse(tmp_path / "out" / name)
    band = {f.path: f.id for f in pepdocs.get_form("post-16").title_fields}
    assert "year_group" in band
    assert parsed.pep.plan.meeting_date is None  # nothing invented: only the band says the year
    docx = (tmp_path / "out" / name).read_bytes()
    assert b"Year 13" in zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml")


def test_a_batch_killed_after_a_file_is_renamed_into_place_never_overwrites_it_once_edited(
    cases: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"

    def killed(self: Any, outcome: Any) -> None:
        raise KeyboardInterrupt  # the file is in place; the batch dies before it hears so

    monkeypatch.setattr(_batch._Run, "take", killed)
    with pytest.raises(KeyboardInterrupt):
        batch(cases, out, workers=1, run_date=RUN, policy="southwark")
    monkeypatch.undo()
    assert not list(out.glob("*.part")) and not list(out.glob(".*.part"))  # the report's rows so far deleted
    (target,) = outputs(out)
    (out / target).write_bytes(b"the social worker has been typing here")
    rows = list(KINDS.values())
    rows[0] = [*rows[0][:2], "Okafor-Brown", *rows[0][3:]]  # new case data: the file would be rendered again
    report = batch(workbook(cases, rows), out, workers=1, run_date=RUN, policy="southwark")
    assert (out / target).read_bytes() == b"the social worker has been typing here"
    (row,) = [r for r in report.rows if target in r.files]
    assert row.status == "problem" and "was changed after pepdocs wrote it" in row.problems[0].message


def test_a_bad_row_is_reported_by_column_while_the_rest_succeed(cases: Path, tmp_path: Path) -> None:
    rows = list(KINDS.values())
    bad = list(rows[0])
    bad[0], bad[3], bad[13] = "BAD", "31/02/2016", "X9"
    nameless = [None, "Nobody", *([None] * 12)]
    path = workbook(tmp_path / "bad.xlsx", [*rows, bad, nameless])
    report = batch(path, tmp_path / "out", workers=1, run_date=RUN, policy="southwark")
    assert report.counts == {"done": 8, "skipped": 0, "no part": 0, "problem": 2, "failed": 0} and not report.ok
    by_row = {row.row: row for row in report.rows}
    assert by_row[10].status == "problem" and by_row[10].problems == [
        pepdocs.Issue("not a day of the calendar", column='D "DOB"', row=10),
        pepdocs.Issue("not one of the choices", column='N "Legal Status"', row=10),
    ]
    assert by_row[10].files == ["BAD_southwark-full_2027-01-20.docx"] and by_row[10].written == 1  # still pre-filled
    assert by_row[11].files == [] and "no person ID" in by_row[11].problems[0].message
    data = json.loads((tmp_path / "out" / REPORT_JSON).read_text(encoding="utf-8"))
    assert data["counts"]["problem"] == 2 and data["rows"][8]["problems"] == [
        {"message": problem.message, "path": "", "field": "", "column": problem.column, "row": 10}
        for problem in by_row[10].problems
    ]
    sheet = openpyxl.load_workbook(tmp_path / "out" / REPORT_XLSX)["Rows"]
    (cell,) = [row[-1] for row in sheet.iter_rows(values_only=True) if row[0] == 10]
    assert cell == "\n".join(problem.describe(row=False) for problem in by_row[10].problems)
    assert 'not one of the choices @ column N "Legal Status"' in cell


def test_the_report_workbook_never_holds_a_formula(tmp_path: Path) -> None:
    rows = [["=1+2", '=HYPERLINK("http://x.invalid")', "+44"], ["@SUM(A1)", "-x", "Ward"]]
    path = workbook(tmp_path / "c.xlsx", rows, ["Person ID", "Forename", "Surname"])
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.data_type = "s"  # the text is text in the export, not formulas
    book.save(path)
    report = batch(path, tmp_path / "out", workers=1, run_date=RUN, policy="southwark")
    assert [row.person_id for row in report.rows] == ["=1+2", "@SUM(A1)"]
    saved = openpyxl.load_workbook(tmp_path / "out" / REPORT_XLSX)
    cells = [cell for sheet in saved.worksheets for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    texts = {cell.value: cell for cell in cells if isinstance(cell.value, str)}
    assert {"=1+2", "@SUM(A1)", '=HYPERLINK("http://x.invalid") +44'} <= set(texts)  # the words kept exactly
    risky = [cell for text, cell in texts.items() if text.startswith(("=", "+", "-", "@"))]
    assert risky and all(cell.data_type == "s" and cell.quotePrefix for cell in risky)


# --- running again ----------------------------------------------------------------------------


def test_running_again_renders_only_what_is_missing_or_changed_unless_forced(cases: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = batch(cases, out, workers=1, run_date=RUN, policy="southwark")
    assert first.written == 9
    again = batch(cases, out, workers=1, run_date=RUN, policy="southwark")
    assert again.written == 0 and again.up_to_date == 9 and again.counts["skipped"] == 8 and again.ok
    (out / "R1_southwark-review_2027-02-10.docx").unlink()
    third = batch(cases, out, workers=1, run_date=RUN, policy="southwark")
    assert third.written == 1 and [r.person_id for r in third.rows if r.status == "done"] == ["R1"]
    rows = list(KINDS.values())
    rows[1] = [*rows[1][:1], "Lukasz", *rows[1][2:]]
    changed = batch(workbook(cases, rows), out, workers=1, run_date=RUN, policy="southwark")
    assert changed.written == 2 and [r.person_id for r in changed.rows if r.status == "done"] == ["K1"]
    forced = batch(cases, out, workers=1, run_date=RUN, force=True, policy="southwark")
    assert forced.written == 9 and forced.counts["done"] == 8


def test_a_file_changed_since_it_was_written_is_not_overwritten(cases: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    batch(cases, out, workers=1, run_date=RUN, policy="southwark")
    target = out / "S1_southwark-full_2027-01-20.docx"
    target.write_bytes(b"the social worker has been typing here")
    assert batch(cases, out, workers=1, run_date=RUN, policy="southwark").ok  # same case data: kept, nothing to say
    rows = list(KINDS.values())
    rows[0] = [*rows[0][:2], "Okafor-Brown", *rows[0][3:]]
    report = batch(workbook(cases, rows), out, workers=1, run_date=RUN, policy="southwark")
    (row,) = [r for r in report.rows if r.person_id == "S1"]
    assert row.status == "problem" and "was changed after pepdocs wrote it" in row.problems[0].message
    assert target.read_bytes() == b"the social worker has been typing here"
    assert batch(cases, out, workers=1, run_date=RUN, force=True, policy="southwark").ok
    assert target.read_bytes().startswith(b"PK")
    other = out / "K1_kent_2027-02-03.docx"
    os.utime(other, (1_000_000_000, 1_000_000_000))  # copied or touched, not edited
    rows[1] = [*rows[1][:2], "Wiśniewska", *rows[1][3:]]
    report = batch(workbook(cases, rows), out, workers=1, run_date=RUN, policy="southwark")
    assert [r.status for r in report.rows if r.person_id == "K1"] == ["done"]


def test_an_interrupted_batch_leaves_no_partial_file_and_resumes(
    cases: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    real = pepdocs.render
    calls = []

    def interrupted(*args: Any, **kwargs: Any) -> bytes:
        calls.append(args[1])
        if len(calls) == 5:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(_batch, "render", interrupted)
    with pytest.raises(KeyboardInterrupt):
        batch(cases, out, workers=1, run_date=RUN, policy="southwark")
    assert len(outputs(out)) == 4 and not list(out.glob("*.part")) and not list(out.glob(".*.part"))
    monkeypatch.setattr(_batch, "render", real)
    resumed = batch(cases, out, workers=1, run_date=RUN, policy="southwark")
    assert resumed.written == 5 and resumed.up_to_date == 4 and resumed.ok


def test_a_render_that_fails_fails_its_row_only_and_leaves_no_partial_file(
    cases: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = pepdocs.render
    written = []

    def failing(pep: pepdocs.PEP, *args: Any, **kwargs: Any) -> bytes:
        if pep.child.person_id == "N1":
            raise RuntimeError("the template engine fell over")
        return real(pep, *args, **kwargs)

    def half_write(path: Path, data: bytes, **options: Any) -> None:
        written.append(path.name)
        if path.name.startswith("E1_"):
            raise pepdocs.InputError("disk full", str(path))
        real_write(path, data, **options)

    real_write = write_atomically
    monkeypatch.setattr(_batch, "render", failing)
    monkeypatch.setattr(_batch, "write_atomically", half_write)
    report = batch(cases, tmp_path / "out", workers=1, run_date=RUN, policy="southwark")
    by_id = {row.person_id: row for row in report.rows}
    assert by_id["N1"].status == "failed" and "an unexpected RuntimeError" in by_id["N1"].problems[0].message
    assert by_id["E1"].status == "failed" and "disk full" in by_id["E1"].problems[0].message
    for failed in ("N1", "E1"):  # the row and the form say which file: its name, which holds the person ID, is not said
        assert by_id[failed].problems[0].message.startswith("its early-years file could not be written: ")
        assert f"{failed}_" not in by_id[failed].problems[0].message
    assert report.counts == {"done": 6, "skipped": 0, "no part": 0, "problem": 0, "failed": 2}
    names = [p.name for p in (tmp_path / "out").iterdir()]
    assert not any(n.startswith(("N1_", "E1_")) or n.endswith(".part") for n in names)
    monkeypatch.undo()
    again = batch(cases, tmp_path / "out", workers=1, run_date=RUN, policy="southwark")
    assert {row.person_id for row in again.rows if row.status == "done"} == {"N1", "E1"}  # only the failures


def test_a_file_unreadable_part_way_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text('Person ID,Forename\nP1,Kai\nP2,"' + "x" * 200_000 + '"\n', encoding="utf-8")
    with pytest.raises(pepdocs.InputError, match=r"cases\.csv, row 3: the file cannot be read past here"):
        batch(path, tmp_path / "out", form="southwark-full", workers=1, run_date=RUN, policy="southwark")
    assert not (tmp_path / "out").exists() or not list(outputs(tmp_path / "out"))


def test_rows_that_stop_reading_part_way_keep_what_was_done_and_say_where(tmp_path: Path) -> None:
    def rows() -> Iterator[CaseRow]:
        yield from read_cases(workbook(tmp_path / "c.xlsx", [KINDS["southwark"]]))
        raise pepdocs.InputError("the file cannot be read past here", "c.xlsx", 3)

    with pytest.raises(pepdocs.InputError, match=r"c\.xlsx, row 3"):
        batch(rows(), tmp_path / "out", form="southwark-full", workers=1, run_date=RUN, policy="southwark")
    assert len(outputs(tmp_path / "out")) == 1
    data = json.loads((tmp_path / "out" / REPORT_JSON).read_text(encoding="utf-8"))
    assert len(data["rows"]) == 1 and "stopped early" in data["notes"][-1]


def test_the_journal_survives_a_line_cut_short(cases: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    batch(cases, out, workers=1, run_date=RUN, policy="southwark")
    journal = out / STATE_FILE
    journal.write_text(journal.read_text(encoding="utf-8") + '{"file": "S1_sou', encoding="utf-8")
    assert batch(cases, out, workers=1, run_date=RUN, policy="southwark").written == 0
    journal.write_text("[" * 100_000 + "\n" + journal.read_text(encoding="utf-8"), encoding="utf-8")  # garbled
    assert batch(cases, out, workers=1, run_date=RUN, policy="southwark").written == 0


# --- workers and formats ------------------------------------------------------------------------


def test_two_workers_write_the_same_files_as_one(cases: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_batch, "CHUNK", 1)  # rows come back out of order
    one = batch(cases, tmp_path / "one", workers=1, run_date=RUN, policy="southwark")
    two = batch(cases, tmp_path / "two", workers=2, run_date=RUN, policy="southwark")
    assert outputs(tmp_path / "one") == outputs(tmp_path / "two") and len(outputs(tmp_path / "one")) == 9
    assert [(r.row, r.status, r.forms, r.files) for r in one.rows] == [
        (r.row, r.status, r.forms, r.files) for r in two.rows
    ]
    assert two.workers == 2 and two.peak_rss_mb > 0 and two.peak_tree_mb > two.peak_rss_mb  # the parent and a worker
    data = json.loads((tmp_path / "two" / REPORT_JSON).read_text(encoding="utf-8"))
    assert data["cpu_seconds"] >= data["main_cpu_seconds"] > 0 and data["peak_tree_mb"] == round(two.peak_tree_mb, 1)
    sheet = openpyxl.load_workbook(tmp_path / "two" / REPORT_XLSX)["Rows"]  # written as rows came back
    assert [row[:4] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        (r["row"], r["person_id"], r["name"], r["status"]) for r in data["rows"]
    ]
    assert sheet.auto_filter.ref == f"A1:H{len(data['rows']) + 1}" and not list((tmp_path / "two").glob(".*.part"))


def test_pdf_forms_too(cases: Path, tmp_path: Path) -> None:
    report = batch(cases, tmp_path / "out", format="pdf", workers=1, run_date=RUN, policy="southwark")
    assert report.ok and report.written == 9
    files = outputs(tmp_path / "out")
    assert all(name.endswith(".pdf") and data.startswith(b"%PDF-") for name, data in files.items())
    assert pepdocs.parse(files["K1_kent_2027-02-03.pdf"]).pep.child.first_name == "Łukasz"


def test_an_unknown_format_stops_before_anything_is_written(cases: Path, tmp_path: Path) -> None:
    with pytest.raises(pepdocs.UsageError, match="format must be one of"):
        batch(cases, tmp_path / "out", format="odt", workers=1, policy="southwark")  # type: ignore[arg-type]
    assert not (tmp_path / "out").exists()


def test_the_bundled_example_workbook_with_two_workers(tmp_path: Path) -> None:
    report = batch(ROOT / "examples" / "cases.xlsx", tmp_path / "out", workers=2, run_date=RUN, policy="southwark")
    counts = report.counts
    assert len(report.rows) >= 200 and counts["failed"] == 0 and 5 <= counts["problem"] <= 12
    assert counts["done"] == len(report.rows) - counts["problem"]
    made = {form for row in report.rows for form in row.forms}
    assert made == {"southwark-full", "southwark-review", "kent", "no-provision", "early-years", "post-16"}
    assert len(outputs(tmp_path / "out")) == report.written
    with zipfile.ZipFile(tmp_path / "out" / report.rows[0].files[0]) as package:
        assert "word/document.xml" in package.namelist()


# --- the command line ---------------------------------------------------------------------------


def test_the_cli_writes_what_the_api_writes_and_exits_0_when_every_row_is_done(cases: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["batch", "--policy", "southwark", str(cases), "--out", str(tmp_path / "cli"), "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "8 rows: 8 done" in result.output and "9 files written" in result.output
    batch(cases, tmp_path / "api", workers=1, policy="southwark")
    assert outputs(tmp_path / "cli") == outputs(tmp_path / "api")
    again = CliRunner().invoke(
        main, ["batch", "--policy", "southwark", str(cases), "--out", str(tmp_path / "cli"), "--workers", "1"]
    )
    assert again.exit_code == 0 and "8 skipped (up to date)" in again.output


def test_the_cli_names_a_problem_row_writes_the_rest_and_exits_1_only_when_strict(tmp_path: Path) -> None:
    rows = [*KINDS.values(), [None, "Nobody", *([None] * 12)]]
    path = workbook(tmp_path / "c.xlsx", rows)
    args = ["batch", "--policy", "southwark", str(path), "--out", str(tmp_path / "out"), "--workers", "1"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0
    assert "row 10: no person ID" in result.output and "1 with problems" in result.output
    assert len(outputs(tmp_path / "out")) == 9
    assert CliRunner().invoke(main, [*args, "--strict"]).exit_code == 1


def test_the_cli_takes_a_mapping_a_form_sections_and_a_format(tmp_path: Path) -> None:
    path = workbook(tmp_path / "c.xlsx", [["Z9", "Kai"]], ["Ref", "Forename"])
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"Ref": "child.person_id"}), encoding="utf-8")
    result = CliRunner().invoke(main, ["batch", "--policy", "southwark", str(path), "--out", str(tmp_path / "out"),
                                       "--mapping", str(mapping),
                                       "--form", "kent", "--sections", "A,B", "--workers", "1",
                                       "--format", "docx"])  # fmt: skip
    assert result.exit_code == 0, result.output
    (name,) = outputs(tmp_path / "out")
    assert name.startswith("Z9_kent_")
    assert pepdocs.parse(tmp_path / "out" / name).pep.child.first_name == "Kai"


def test_cli_errors_are_one_line_and_exit_1(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["batch", "--policy", "southwark", str(tmp_path / "missing.xlsx"), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 1 and result.output.count("\n") == 1 and "missing.xlsx: no such file" in result.output
    help_text = CliRunner().invoke(main, ["batch", "--help"]).output
    assert "Exit status: 0 when every row was done, skipped" in help_text and "1 when any" in help_text


def test_a_killed_batch_leaves_only_whole_files_and_never_overwrites_an_edited_one(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    rows = [[f"S{n}", *KINDS["southwark"][1:]] for n in range(60)]
    cases = workbook(tmp_path / "cases.xlsx", rows)
    out = tmp_path / "out"
    script = (
        "import sys; from datetime import date; from pepdocs.workflows._batch import batch; "
        "batch(sys.argv[1], sys.argv[2], workers=1, run_date=date(2027, 1, 4), policy='southwark')"
    )
    child = subprocess.Popen([sys.executable, "-c", script, str(cases), str(out)])
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(out.glob("*.docx"))) < 5:
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait()
    written = sorted(out.glob("*.docx"))
    assert 5 <= len(written) < 60
    for path in written:  # every file there is whole
        with zipfile.ZipFile(path) as package:
            assert package.testzip() is None
    journaled = {json.loads(line)["file"] for line in (out / STATE_FILE).read_text(encoding="utf-8").splitlines()
                 if line.endswith("}")}  # fmt: skip
    edited = out / sorted(journaled)[0]
    edited.write_bytes(b"typed into after the kill")
    rows[int(edited.name.split("_")[0][1:])][2] = "Okafor-Brown"  # its case data changed too
    report = batch(workbook(cases, rows), out, workers=1, run_date=RUN, policy="southwark")
    assert edited.read_bytes() == b"typed into after the kill"
    assert len(list(out.glob("*.docx"))) == 60 and not list(out.glob(".*.part"))
    (row,) = [r for r in report.rows if r.files == [edited.name]]
    assert row.status == "problem" and "was changed after pepdocs wrote it" in row.problems[0].message
