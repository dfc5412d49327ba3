"""Reading case data: header spellings, mapping files, tolerant values, problems by column, encodings."""

from __future__ import annotations

import importlib.util
import json
import sys
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import pepdocs
from pepdocs.model._codes import Gender, LegalStatus, PlacementType
from pepdocs.model._identifiers import upn_check_letter
from pepdocs.workflows import _cases
from pepdocs.workflows._cases import COLUMNS, YEAR_GROUP, header_key, load_mapping, read_cases

from .conftest import write_xlsx
from .test_docx_completed import with_part

ROOT = Path(__file__).resolve().parent.parent
ON = date(2027, 1, 4)


@pytest.fixture(autouse=True, params=["whole", "streamed"])
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test twice: a workbook read whole by the fast reader, and streamed as a long one is."""
    if request.param == "streamed":
        monkeypatch.setattr(_cases, "WHOLE_SHEET_BYTES", -1)
    return str(request.param)


def upn(digits: str = "210123425001") -> str:
    """A valid UPN with these 12 digits."""
    return upn_check_letter("X" + digits) + digits


def rows_of(path: Path, mapping: Any = None) -> list[pepdocs.PEP | None]:
    with read_cases(path, mapping, on=ON) as rows:
        return [row.pep for row in rows]


# --- headers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "key"),
    [("Date of Birth", "dateofbirth"), ("  date-of birth ", "dateofbirth"), ("Carer(s)", "carers"),
     ("SW e-mail", "swemail"), ("D.O.B.", "dob"), ("Person_ID", "personid")],
)  # fmt: skip
def test_header_matching_ignores_case_spaces_and_punctuation(header: str, key: str) -> None:
    assert header_key(header) == key


def test_every_known_spelling_names_one_column_and_every_path_is_a_model_value() -> None:
    seen: dict[str, str] = {}
    for column in COLUMNS:
        for name in (column.header, *column.aliases):
            assert seen.setdefault(header_key(name), column.path) == column.path, name
        if column.path != YEAR_GROUP:
            from pepdocs.workflows._cases import check_path

            check_path(column.path)


@pytest.mark.parametrize(
    "headers",
    [
        ["Person ID", "Forename", "Surname", "DOB", "Gender", "School", "PEP Date"],
        ["Mosaic ID", "First Name", "Last Name", "Date of Birth", "Sex", "School Name", "Meeting Date"],
        ["child id", "FIRST NAME", "last-name", "date_of_birth", "sex", "Setting", "PEP date"],
        ["LCS ID", "first name ", " Surname", "D.O.B", "GENDER", "setting name", "pep-date"],
    ],
)
def test_the_usual_spellings_of_headers_are_read_alike(tmp_path: Path, headers: list[str]) -> None:
    row = ["P1", "Amara", "Okafor", datetime(2016, 5, 4), "F", "Lantern Hill Primary School", datetime(2027, 1, 20)]
    path = write_xlsx(tmp_path / "cases.xlsx", headers, [row])
    (pep,) = rows_of(path)
    assert pep is not None
    assert (pep.child.person_id, pep.child.first_name, pep.child.last_name) == ("P1", "Amara", "Okafor")
    assert pep.child.date_of_birth == date(2016, 5, 4) and pep.child.gender is Gender.FEMALE
    assert pep.education.setting.name == "Lantern Hill Primary School"
    assert pep.plan.meeting_date == date(2027, 1, 20)


def test_the_header_row_may_sit_below_a_title(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Children in care: PEPs due, spring 2027"])
    sheet.append([])
    sheet.append(["Person ID", "Forename"])
    sheet.append([1234567, "Kai"])
    book.save(tmp_path / "titled.xlsx")
    with read_cases(tmp_path / "titled.xlsx") as rows:
        (row,) = list(rows)
    assert (row.row, row.person_id, row.name) == (4, "1234567", "Kai")


def test_a_file_with_no_person_id_column_is_an_input_error_naming_it(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "nope.xlsx", ["Name", "DOB"], [["Kai", "1/1/2015"]])
    with pytest.raises(pepdocs.InputError, match=r"nope\.xlsx.*no person ID column.*Mosaic ID"):
        read_cases(path)


def test_columns_nobody_knows_are_named_in_the_notes(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "c.xlsx", ["Person ID", "Favourite colour", "Forename"], [["P1", "red", "Kai"]])
    with read_cases(path) as rows:
        assert rows.ignored == ["Favourite colour"]
        assert "columns not used: Favourite colour" in rows.notes


def test_a_value_in_a_column_with_no_header_is_reported_by_row_and_column(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "c.xlsx", ["Person ID", "", "Forename"], [["P1", "a note", "Kai", "", "more"]])
    (tmp_path / "c.csv").write_text("Person ID,,Forename\nP1,a note,Kai,,more\n", encoding="utf-8")
    for file in (path, tmp_path / "c.csv"):
        with read_cases(file) as rows:
            (row,) = list(rows)
        assert row.pep is not None and row.pep.child.first_name == "Kai"
        assert [problem.describe() for problem in row.problems] == [
            f"a value in a column with no header is not read: give the column a header @ row 2, column {letter}"
            for letter in ("B", "E")
        ]


# --- mapping files ------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_a_mapping_file_names_any_other_export(tmp_path: Path, suffix: str) -> None:
    mapping = {"Ref No": "child.person_id", "Kid's given name": "child.first_name",
               "Carer mobile": "care.carers[].phone", "Forename": "", "Academic year": "year_group"}  # fmt: skip
    file = tmp_path / f"map{suffix}"
    if suffix == ".json":
        file.write_text(json.dumps(mapping), encoding="utf-8")
    else:
        file.write_text("".join(f'"{k}" = "{v}"\n' for k, v in mapping.items()), encoding="utf-8")
    assert load_mapping(file) == mapping
    path = write_xlsx(tmp_path / "other.xlsx", ["Ref No", "Kid's given name", "Forename", "Carer mobile", "DOB",
                                                "Academic year"],
                      [["R-9", "Skye", "ignored", "07700 900111; 07700 900112", date(2018, 10, 1),
                        "Year 2"]])  # fmt: skip
    (pep,) = rows_of(path, file)
    assert pep is not None
    assert (pep.child.person_id, pep.child.first_name) == ("R-9", "Skye")
    assert [c.phone for c in pep.care.carers] == ["07700 900111", "07700 900112"]
    assert pep.child.ncy_actual == 2  # no meeting date: Year 2 against her age on the run date (Year 3)


def test_a_mapping_to_something_that_is_not_a_pep_value_is_refused_naming_the_file(tmp_path: Path) -> None:
    file = tmp_path / "bad.toml"
    file.write_text('"Ref" = "child.shoe_size"\n', encoding="utf-8")
    with pytest.raises(pepdocs.InputError, match=r"bad\.toml.*'Ref'.*child\.shoe_size"):
        load_mapping(file)
    file.write_text('"Ref" = "child"\n', encoding="utf-8")
    with pytest.raises(pepdocs.InputError, match="not a value of a PEP"):
        load_mapping(file)
    file.write_text("not toml [", encoding="utf-8")
    with pytest.raises(pepdocs.InputError, match="not valid TOML"):
        load_mapping(file)


# --- values -------------------------------------------------------------------------------


def test_values_are_read_as_people_and_spreadsheets_write_them(tmp_path: Path) -> None:
    headers = ["Person ID", "Forename", "Surname", "DOB", "Legal Status", "Placement Type", "Placement LA",
               "Carer(s)", "School URN", "DfE Number", "Ofsted Grade", "Date Joined", "PEP Number In Year",
               "No Provision Reason", "SEN Status", "Ethnicity", "Gender", "UPN", "Next LAC Review"]  # fmt: skip
    row = [1234567.0, "  Zoë ", "Nguyễn ", "3rd Mar 2015", "C2 - Full care order",
           "Foster placement with other foster carer, other", "Kent", "Jo Smith; Sam Smith", 100823, 2102001, 2,
           "01/09/2021", 2.0, "awaiting_admission; Medical needs",
           "A", "White British", "Female", upn(), "2027-02-01"]  # fmt: skip
    (pep,) = rows_of(write_xlsx(tmp_path / "c.xlsx", headers, [row]))
    assert pep is not None
    assert (pep.child.person_id, pep.child.first_name, pep.child.last_name) == ("1234567", "Zoë", "Nguyễn")
    assert pep.child.date_of_birth == date(2015, 3, 3)
    assert pep.care.legal_status is LegalStatus.C2 and pep.care.placement_type is PlacementType.U6
    assert pep.care.placement_authority == "886"
    assert [c.name for c in pep.care.carers] == ["Jo Smith", "Sam Smith"]
    assert (pep.education.setting.urn, pep.education.setting.laestab, pep.education.setting.la) == (
        "100823",
        "2102001",
        "210",
    )
    assert pep.education.setting.ofsted_grade is not None and pep.education.setting.ofsted_grade.value == "2"
    assert pep.education.setting.start_date == date(2021, 9, 1) and pep.plan.pep_number_in_year == 2
    assert [r.value for r in pep.no_provision.reasons] == ["awaiting_admission", "medical"]
    assert pep.education.sen.status is not None and pep.education.sen.status.value == "K"  # legacy A
    assert pep.child.ethnicity is not None and pep.child.ethnicity.value == "WBRI"
    assert pep.child.upn == upn() and pep.care.next_lac_review_date == date(2027, 2, 1)


def test_a_bad_value_is_left_out_and_reported_by_column_and_the_rest_of_the_row_kept(tmp_path: Path) -> None:
    wrong = ("A" if upn()[0] != "A" else "B") + upn()[1:]
    headers = [
        "Person ID",
        "Forename",
        "UPN",
        "DOB",
        "Legal Status",
        "School URN",
        "Placement Start",
        "PEP Number In Year",
    ]
    table: list[list[Any]] = [["P1", "Kai", wrong, "31/02/2016", "X9", "12345", "next Tuesday", 9],
                              ["P2", "Ruby", upn(), "1/2/2016", "C1", "100823", "1/9/2026", 1]]  # fmt: skip
    path = write_xlsx(tmp_path / "c.xlsx", headers, table)
    with read_cases(path, on=ON) as rows:
        first, second = list(rows)
    assert first.pep is not None and first.pep.child.first_name == "Kai" and first.person_id == "P1"
    assert first.pep.child.upn is None and first.pep.child.date_of_birth is None and first.pep.care.legal_status is None
    assert sorted((p.message, p.column, p.row) for p in first.problems) == sorted([
        ("UPN check letter is wrong", 'C "UPN"', 2),
        ("not a day of the calendar", 'D "DOB"', 2),
        ("not one of the choices", 'E "Legal Status"', 2),
        ("URN must be 6 digits", 'F "School URN"', 2),
        ("not a date", 'G "Placement Start"', 2),
        ("Input should be less than or equal to 6", 'H "PEP Number In Year"', 2),
    ])  # fmt: skip
    refused = next(p for p in first.problems if p.column.startswith("H "))
    assert refused.path == "$.plan.pep_number_in_year"  # a value the model refused keeps its model path too
    assert (
        str(refused)
        == 'Input should be less than or equal to 6 @ row 2, column H "PEP Number In Year", $.plan.pep_number_in_year'
    )
    assert second.problems == [] and second.pep is not None and second.pep.child.upn == upn()


def test_a_row_with_no_person_id_or_a_repeated_one_gives_no_pep(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "c.xlsx", ["Person ID", "Forename"], [["P1", "Kai"], [None, "Ruby"], ["P1", "Skye"], [None, None]]
    )
    with read_cases(path) as rows:
        cases = list(rows)
    assert [(c.row, c.person_id, c.pep is not None) for c in cases] == [
        (2, "P1", True),
        (3, None, False),
        (4, "P1", False),
    ]
    assert [str(p) for p in cases[1].problems] == [
        'no person ID, so the row cannot be named or filed @ row 3, column A "Person ID"'
    ]
    assert [str(p) for p in cases[2].problems] == [
        'the same person ID is on row 2; only that row is used @ row 4, column A "Person ID"'
    ]


def test_a_year_group_is_kept_only_where_it_differs_from_the_year_by_age(tmp_path: Path) -> None:
    headers = ["Person ID", "DOB", "PEP Date", "Year Group"]
    table: list[list[Any]] = [["P1", date(2016, 5, 4), date(2027, 1, 20), "Year 6"],
                              ["P2", date(2016, 5, 4), date(2027, 1, 20), "Y4"],
                              ["P3", None, None, "R"], ["P4", date(2016, 5, 4), None, None]]  # fmt: skip
    path = write_xlsx(tmp_path / "c.xlsx", headers, table)
    peps = rows_of(path)
    assert [p.child.ncy_actual for p in peps if p] == [None, 4, 0, None]
    assert [p.year_group for p in peps if p] == [6, 4, 0, None]


SAVE_IN_EXCEL = "open and save the workbook in Excel, or type the value"


def test_a_formula_saved_with_no_value_is_reported_per_cell(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "c.xlsx", ["Person ID", "Forename", "Year Group", "Surname"],
                      [["P1", "Kai", "=2+5", '=UPPER("x")'], ["P2", "Ruby", 5, "Ward"]])  # fmt: skip
    with read_cases(path) as rows:
        first, second = list(rows)
    assert [p.describe(row=False) for p in first.problems] == [
        f'formula with no cached value: {SAVE_IN_EXCEL} @ column C "Year Group"',
        f'formula with no cached value: {SAVE_IN_EXCEL} @ column D "Surname"',
    ]
    assert second.problems == []


def test_a_spreadsheet_error_value_is_reported(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "c.xlsx", ["Person ID", "DOB"], [["P1", "#N/A"]])
    with read_cases(path) as rows:
        (row,) = list(rows)
    assert row.problems == [pepdocs.Issue("spreadsheet error #N/A", column='B "DOB"', row=2)]


# --- CSV ----------------------------------------------------------------------------------


CSV_TEXT = "Person ID,Forename,Surname,DOB\nP1,Zoë,O'Neill,03/03/2015\nP2,Łukasz,Nguyễn,2015-04-01\n"


@pytest.mark.parametrize(("encoding", "note"), [("utf-8-sig", "byte-order mark"), ("utf-8", "read as UTF-8")])
def test_a_csv_in_utf_8_with_or_without_a_bom(tmp_path: Path, encoding: str, note: str) -> None:
    path = tmp_path / "cases.csv"
    path.write_bytes(CSV_TEXT.encode(encoding))
    with read_cases(path) as rows:
        peps = [row.pep for row in rows]
        assert rows.encoding == encoding and any(note in n for n in rows.notes)
    assert [(p.child.person_id, p.child.first_name, p.child.last_name) for p in peps if p] == [
        ("P1", "Zoë", "O'Neill"), ("P2", "Łukasz", "Nguyễn")]  # fmt: skip


def test_a_csv_in_windows_1252_is_read_and_said_so(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_bytes("Person ID;Forename;Surname\r\nP1;Zoë;O’Neill\r\nP2;Chloé;Brennan\r\n".encode("cp1252"))
    with read_cases(path) as rows:
        peps = [row.pep for row in rows]
        assert rows.encoding == "cp1252" and any("Windows-1252" in n for n in rows.notes)
    assert [(p.child.first_name, p.child.last_name) for p in peps if p] == [("Zoë", "O’Neill"), ("Chloé", "Brennan")]


@pytest.mark.parametrize("data", [b"Person ID,Forename\nP1,\x81\x8d\xc3\n", "Person ID\nP1\n".encode("utf-16")])
def test_a_csv_in_neither_encoding_is_an_input_error_naming_the_file(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "odd.csv"
    path.write_bytes(data)
    with pytest.raises(pepdocs.InputError, match=r"odd\.csv.*neither UTF-8 nor Windows-1252"):
        read_cases(path)


def test_a_csv_that_breaks_part_way_is_an_input_error_naming_the_file_and_row(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text('Person ID,Notes\nP1,short\nP2,"' + "x" * 200_000 + '"\n', encoding="utf-8")
    with read_cases(path) as rows:
        assert next(rows).person_id == "P1"
        with pytest.raises(pepdocs.InputError, match=r"long\.csv, row 3: the file cannot be read past here"):
            next(rows)


def test_other_files_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(pepdocs.InputError, match="no such file"):
        read_cases(tmp_path / "missing.xlsx")
    (tmp_path / "cases.docx").write_bytes(b"PK")
    with pytest.raises(pepdocs.InputError, match=r"\.xlsx workbook or a \.csv"):
        read_cases(tmp_path / "cases.docx")
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    with pytest.raises(pepdocs.InputError, match=r"broken\.xlsx: not a readable XLSX"):
        read_cases(tmp_path / "broken.xlsx")


def test_a_workbook_whose_sheet_is_damaged_is_an_input_error_naming_the_sheet(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", ["Person ID", "Forename"], [["P1", "Kai"]])
    sheet = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(good) as package:
        broken = package.read(sheet).replace(b"</sheetData>", b"</sheetDat>")
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(with_part(good.read_bytes(), sheet, broken))
    # Read whole, the sheet is named; streamed, the row where reading stopped.
    where = r"damaged\.xlsx(: sheet 'Sheet' cannot be read, its part of the|, row 3: the file cannot be read past)"
    with pytest.raises(pepdocs.InputError, match=where), read_cases(damaged) as rows:
        list(rows)


# --- the example workbook -------------------------------------------------------------------


def _make_cases() -> Any:
    spec = importlib.util.spec_from_file_location("make_cases", ROOT / "examples" / "make_cases.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _values(path: Path) -> list[list[Any]]:
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_the_example_workbook_is_what_its_script_makes(tmp_path: Path) -> None:
    again = _make_cases().write(tmp_path / "cases.xlsx")
    assert _values(again) == _values(ROOT / "examples" / "cases.xlsx")


def test_the_example_workbook_has_children_of_every_kind_and_a_few_deliberate_problems() -> None:
    with read_cases(ROOT / "examples" / "cases.xlsx", on=date(2027, 1, 4)) as rows:
        cases = list(rows)
    peps = [c.pep for c in cases if c.pep is not None]
    assert len(cases) >= 200
    assert {p.care.legal_status for p in peps} >= set(LegalStatus)
    assert len({p.care.placement_type for p in peps}) >= 15
    years = {p.year_group for p in peps}
    assert {-1, 0, 1, 6, 7, 11, 12, 13} <= years
    assert {p.education.setting.la for p in peps} >= {"210", "886", "208", "306"}
    assert any(p.no_provision.reasons for p in peps)
    assert any(p.post16.eet_status is not None and p.post16.eet_status.value.startswith("neet") for p in peps)
    names = {p.child.first_name for p in peps} | {p.child.last_name for p in peps}
    assert {"Zoë", "Łukasz", "Nguyễn", "محمد", "O'Neill"} <= names
    problems = [problem.message for c in cases for problem in c.problems]
    assert 5 <= len([c for c in cases if c.problems]) <= 12
    for expected in ("UPN check letter is wrong", "not a day of the calendar", "formula with no cached value",
                     "no person ID"):  # fmt: skip
        assert any(expected in problem for problem in problems), expected


def test_the_readme_lists_every_column_and_its_spellings() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Case data columns", 1)[1].split("\n## ", 1)[0]
    for column in COLUMNS:
        assert f"| {column.header} | {', '.join(column.aliases)} |" in section, column.header


@pytest.mark.parametrize("reader", ["streamed"], indirect=True)  # a workbook read whole grows with it, by design
def test_a_long_workbook_is_read_in_memory_that_does_not_grow_with_its_rows(tmp_path: Path, reader: str) -> None:
    import tracemalloc

    make_cases = _make_cases()
    peaks = []
    for count in (2000, 8000):
        path = make_cases.write(tmp_path / f"cases-{count}.xlsx", count)
        tracemalloc.start()
        try:
            with read_cases(path, on=ON) as rows:
                assert sum(1 for _ in rows.raw()) == count
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    assert peaks[1] < 1.5 * peaks[0]
