"""Case data: a case-system export (XLSX or CSV), one row per child, read row by row into PEPs.

Headers are matched by their usual spellings (case, spaces and punctuation ignored); a mapping file
(`{"Their Header": "model.path"}`, TOML or JSON) names any other. Values are read with the codecs
pepdocs uses for forms. A value that cannot be read is dropped and reported as an Issue naming its row and column;
it never stops the rows after it.
"""

from __future__ import annotations

import codecs
import csv
import json
import os
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from pepdocs._errors import InputError, Issue, PepdocsError
from pepdocs.forms._codecs import read
from pepdocs.model._identifiers import nc_year
from pepdocs.model._paths import Slot, get, slot
from pepdocs.model._pep import PEP
from pepdocs.model._records import validate_dropping

YEAR_GROUP = "year_group"
"""Pseudo-path of a year-group column: kept as `child.ncy_actual` only where it differs from the year by age."""

_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SPLIT_ITEMS = re.compile(r"\s*[;\n]\s*")
_SPLIT_CODES = re.compile(r"\s*[;,\n]\s*")
_EXCEL_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})
_EXCEL_EPOCH = datetime(1899, 12, 30)
HEADER_SEARCH_ROWS = 20


@dataclass(frozen=True)
class Column:
    """A case-data column pepdocs knows: its usual header, the other spellings it accepts, where it goes."""

    header: str
    path: str
    aliases: tuple[str, ...] = ()
    note: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("Person ID", "child.person_id", ("Mosaic ID", "Child ID", "LCS ID", "Client ID", "Liquidlogic ID", "ID"),
           "required: names the output files"),
    Column("Forename", "child.first_name", ("First Name", "Given Name", "First Names", "Legal Forename")),
    Column("Middle Names", "child.middle_names", ("Middle Name",)),
    Column("Surname", "child.last_name", ("Last Name", "Family Name", "Legal Surname")),
    Column("Preferred Name", "child.preferred_name", ("Known As",)),
    Column("DOB", "child.date_of_birth", ("Date of Birth", "Birth Date")),
    Column("Gender", "child.gender", ("Sex",), "M, F, U or the words"),
    Column("Ethnicity", "child.ethnicity", ("Ethnic Origin", "Ethnic Group"), "DfE code (WBRI) or its words"),
    Column("First Language", "child.first_language", ("Language", "Main Language")),
    Column("Interpreter Needed", "child.interpreter_needed", ("Interpreter",), "yes or no"),
    Column("UASC", "child.uasc", ("Unaccompanied Asylum Seeking Child", "UASC Status"), "yes or no"),
    Column("Religion", "child.religion"),
    Column("UPN", "child.upn", ("Unique Pupil Number",), "check letter verified; UN1 to UN5 accepted"),
    Column("ULN", "child.uln", ("Unique Learner Number",), "check digit verified"),
    Column("Year Group", YEAR_GROUP, ("NCY", "NC Year", "National Curriculum Year", "School Year"),
           "optional: Year 7, Y7, 7, R, N; otherwise worked out from the date of birth"),
    Column("Legal Status", "care.legal_status", ("LS",), "SSDA903 code (C2) or its words"),
    Column("Legal Status Start", "care.legal_status_date", ("Legal Status Date", "Legal Status Start Date")),
    Column("Date Became Looked After", "care.date_became_looked_after",
           ("CLA Start", "CLA Start Date", "Date Entered Care", "LAC Start", "LAC Start Date", "Period of Care Start")),
    Column("Placement Type", "care.placement_type", ("Placement", "Placement Code"), "SSDA903 code (U4) or its words"),
    Column("Placement Provider", "care.placement_provider", (), "SSDA903 code (PR1) or its words"),
    Column("Placement Start", "care.placement_start_date", ("Placement Start Date", "Date Placed")),
    Column("Placement LA", "care.placement_authority", ("Placement Authority", "Placement Local Authority"),
           "DfE number (886) or the authority's name"),
    Column("Placement Moves", "care.placement_moves"),
    Column("School Moves", "care.school_moves"),
    Column("Carer(s)", "care.carers[].name", ("Carer", "Carer Name", "Carer Names", "Foster Carer", "Foster Carers"),
           "several carers separated by ;"),
    Column("Carer Relationship", "care.carers[].relationship", (), "one per carer, separated by ;"),
    Column("Carer Phone", "care.carers[].phone", ("Carer Tel", "Carer Telephone"), "one per carer, separated by ;"),
    Column("Carer Email", "care.carers[].email", (), "one per carer, separated by ;"),
    Column("School", "education.setting.name", ("School Name", "Setting", "Setting Name", "Education Provider")),
    Column("School URN", "education.setting.urn", ("URN",)),
    Column("LAESTAB", "education.setting.laestab", ("DfE Number", "DfE No", "LA Estab", "School DfE Number")),
    Column("School LA", "education.setting.la", ("School Local Authority", "School Authority"),
           "DfE number or name; taken from LAESTAB when blank"),
    Column("School Start", "education.setting.start_date", ("Date Joined", "School Start Date", "Admission Date")),
    Column("School Phase", "education.setting.phase", ("Phase",)),
    Column("School Phone", "education.setting.phone"),
    Column("Ofsted Grade", "education.setting.ofsted_grade", ("Ofsted", "Ofsted Rating"), "1 to 4, or the words"),
    Column("Ofsted Inspection Date", "education.setting.inspection.inspected_on", ("Ofsted Date", "Inspection Date")),
    Column("Attendance", "education.attendance.percent", ("Attendance %", "Attendance Percent")),
    Column("Attendance Last Year", "education.attendance.previous_year_percent", ("Previous Year Attendance",)),
    Column("SEN Status", "education.sen.status", ("SEN", "SEN Provision"), "E, K or N (legacy S, A, P), or words"),
    Column("Primary Need", "education.sen.primary_need", ("SEN Primary Need", "SEN Need")),
    Column("EHCP Review Date", "education.sen.ehcp_annual_review_date", ("EHCP Review", "EHCP Annual Review")),
    Column("Social Worker", "people.social_worker.name", ("SW", "Allocated Worker", "Allocated Social Worker")),
    Column("SW Team", "people.social_worker.organisation", ("Social Work Team", "Social Worker Team", "Team")),
    Column("SW Phone", "people.social_worker.phone", ("Social Worker Phone", "SW Tel")),
    Column("SW Email", "people.social_worker.email", ("Social Worker Email",)),
    Column("Team Manager", "people.team_manager.name", ("TM",)),
    Column("Team Manager Phone", "people.team_manager.phone"),
    Column("Team Manager Email", "people.team_manager.email"),
    Column("IRO", "care.iro.name", ("Independent Reviewing Officer", "IRO Name")),
    Column("IRO Phone", "care.iro.phone"),
    Column("IRO Email", "care.iro.email"),
    Column("Next LAC Review", "care.next_lac_review_date",
           ("Next LAC Review Date", "Next CLA Review", "Next CLA Review Date", "Next Review")),
    Column("Last LAC Review", "care.last_lac_review_date", ("Last CLA Review", "Last Review")),
    Column("Designated Teacher", "people.designated_teacher.name", ("DT",)),
    Column("Designated Teacher Email", "people.designated_teacher.email", ("DT Email",)),
    Column("Designated Teacher Phone", "people.designated_teacher.phone", ("DT Phone",)),
    Column("Virtual School Officer", "people.virtual_school_officer.name",
           ("VSO", "Virtual School Education Officer", "Education Officer", "VS Officer")),
    Column("Personal Adviser", "people.personal_adviser.name", ("PA",)),
    Column("Meeting Date", "plan.meeting_date", ("PEP Date", "PEP Meeting Date", "Planned PEP Date", "PEP Due")),
    Column("Last PEP Date", "plan.previous_pep_date", ("Previous PEP Date", "Previous PEP")),
    Column("PEP Completed", "plan.completed_on", ("PEP Completed Date", "Date PEP Completed")),
    Column("PEP Submitted", "plan.submitted_on", ("PEP Submitted Date", "Date PEP Submitted")),
    Column("PEP Number In Year", "plan.pep_number_in_year", ("PEP Number", "PEP No")),
    Column("PEP Type", "plan.pep_type"),
    Column("Meeting Venue", "plan.meeting_venue", ("Venue",)),
    Column("Home LA", "plan.home_authority", ("Home Authority", "Responsible LA")),
    Column("No Provision Reason", "no_provision.reasons", ("No Provision Reasons", "No School Reason"),
           "several separated by ;"),
    Column("Date Last Attended", "no_provision.date_last_attended"),
    Column("EET Status", "post16.eet_status", ("EET", "NEET Status")),
    Column("NEET Since", "post16.neet_since"),
    Column("Funded Hours", "early_years.funded_hours"),
)  # fmt: skip
"""Every column pepdocs recognises without a mapping file, in the order the README lists them."""


def header_key(text: str) -> str:
    """A header as compared: case, spaces and punctuation ignored ('Carer(s)' is 'carers')."""
    return re.sub(r"[\W_]+", "", text.casefold())


def _known_headers() -> dict[str, str]:
    known: dict[str, str] = {}
    for column in COLUMNS:
        for name in (column.header, *column.aliases):
            known.setdefault(header_key(name), column.path)
    return known


def check_path(path: str) -> Slot:
    """The slot of a path a column may fill; KeyError when it is no value of the model."""
    if path == YEAR_GROUP:
        return slot(path)
    found = slot(path)
    if found.kind == "model" or found.derived:
        raise KeyError(path)
    if "[]" in path:
        lists, _, rest = path.partition("[]")
        if "[]" in rest or not isinstance(get(PEP(), lists), list):
            raise KeyError(path)
    return found


def load_mapping(path: str | os.PathLike[str]) -> dict[str, str]:
    """A mapping file: `{"Their Header": "model.path"}` in TOML or JSON; "" ignores a column."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read the mapping file ({error.__class__.__name__})", str(file)) from None
    try:
        data: Any = json.loads(text) if file.suffix.lower() == ".json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as error:
        raise InputError(f"the mapping file is not valid {file.suffix.lstrip('.').upper() or 'TOML'}: {error}",
                         str(file)) from None  # fmt: skip
    except RecursionError:  # nested thousands deep: no mapping is
        raise InputError("the mapping file nests too deep to read; it maps headers to model paths", str(file)) from None
    if not isinstance(data, dict):
        raise InputError('the mapping file must map headers to model paths: {"Their Header": "child.upn"}', str(file))
    mapping: dict[str, str] = {}
    for header, target in data.items():
        if not isinstance(target, str):
            raise InputError(f"header {header!r} must map to a model path (text), not {target!r}", str(file))
        if target:
            try:
                check_path(target)
            except KeyError:
                message = f"header {header!r} maps to {target!r}, which is not a value of a PEP"
                raise InputError(message, str(file)) from None
        mapping[str(header)] = target
    return mapping


def _letter(index: int) -> str:
    """A column's letter, from its index from 0."""
    from openpyxl.utils.cell import get_column_letter

    return str(get_column_letter(index + 1))


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


@dataclass(frozen=True)
class UsedColumn:
    """A column of the file that fills a model path."""

    index: int
    header: str
    path: str
    slot: Slot

    @property
    def ref(self) -> str:
        """The column as a spreadsheet user finds it: its letter and header."""
        return f'{_letter(self.index)} "{self.header}"'

    @property
    def where(self) -> str:
        return f"column {self.ref}"


@dataclass
class CaseRow:
    """One child's row: its number in the file, person ID, the PEP built from it (None if unusable) and problems.

    Each problem names its row and column; a value with a problem was left out of the PEP.
    """

    row: int
    person_id: str | None
    pep: PEP | None
    problems: list[Issue] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The child's name as the report shows it."""
        if self.pep is None:
            return ""
        child = self.pep.child
        return " ".join(part for part in (child.preferred_name or child.first_name, child.last_name) if part)


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y}" if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def convert(found: Slot, value: Any) -> Any:
    """A cell's value as the model holds it at `found`: spreadsheet types first, then the form codecs for text."""
    kind = found.kind
    if isinstance(value, str):
        return read(found, value.strip())
    if kind == "date":
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
            return (_EXCEL_EPOCH + timedelta(days=int(value))).date()  # a date cell formatted as a number
        raise ValueError("not a date")
    if kind == "int" and isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer():
            return int(value)
        raise ValueError("not a whole number")
    if kind == "decimal" and isinstance(value, int | float) and not isinstance(value, bool):
        try:
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except InvalidOperation:
            raise ValueError("not a number") from None
        if found.unit == "percent" and 0 < number <= 1 and isinstance(value, float):
            number *= 100  # a cell formatted as a percentage holds a fraction
        return number
    if kind == "bool" and isinstance(value, bool | int):
        return bool(value)
    return read(found, _text(value))


def _values(column: UsedColumn, raw: Any) -> list[Any]:
    """A cell's value or values: one per list item for `[]` paths (split at ;), a code list split at ; or ,."""
    found = column.slot
    if found.kind == "codes":
        assert found.enum is not None
        code = Slot(found.path, "code", found.enum)
        parts = _SPLIT_CODES.split(raw) if isinstance(raw, str) else [raw]
        return [[convert(code, part) for part in parts if part]]
    if "[]" in column.path and isinstance(raw, str):
        return [convert(found, part) if part else None for part in _SPLIT_ITEMS.split(raw)]
    return [convert(found, raw)]


_NS = rb"(?:\w+:)?"
_UNCACHED_FORMULA = re.compile(
    rb"<" + _NS + rb"c\b([^>]*)>\s*<" + _NS + rb"f\b[^>]*?(?:/>|>(.*?)</" + _NS + rb"f>)\s*"
    rb"(?:<" + _NS + rb"v\s*/>|<" + _NS + rb"v>\s*</" + _NS + rb"v>)?\s*</" + _NS + rb"c>",
    re.S,
)
_ERROR_CELL = re.compile(
    rb"<" + _NS + rb"c\b([^>]*\bt=\"e\"[^>]*)>\s*(?:<" + _NS + rb"f\b[^>]*?(?:/>|>[^<]*</" + _NS + rb"f>)\s*)?"
    rb"<" + _NS + rb"v>([^<]*)</" + _NS + rb"v>"
)
_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]+)"')


def uncached_formulas(path: Path, part: str) -> dict[int, dict[int, str]]:
    """Cells of a worksheet part holding a formula but no saved value, and cells holding an error value.

    {row: {column index: "=formula" or "#error"}}. Read as a stream with no parsing of the rest:
    such cells read as blank, and only this tells them from a blank cell.
    """
    import html
    import zipfile

    from openpyxl.utils.cell import column_index_from_string

    found: dict[int, dict[int, str]] = {}
    with zipfile.ZipFile(path) as package, package.open(part.lstrip("/")) as stream:
        pending = b""
        while True:
            chunk = stream.read(1 << 18)
            text = pending + chunk
            cut = len(text) if not chunk else text.rfind(b"</row>") + len(b"</row>")
            if cut < len(b"</row>") and chunk:
                pending = text[-(1 << 20) :] if len(text) > 1 << 25 else text  # no row is 32 MB long
                continue
            for match in _UNCACHED_FORMULA.finditer(text, 0, cut):
                ref = _CELL_REF.search(match[1])
                if ref is not None:
                    formula = html.unescape((match[2] or b"").decode("utf-8", "replace"))
                    found.setdefault(int(ref[2]), {})[column_index_from_string(ref[1].decode()) - 1] = "=" + formula
            for match in _ERROR_CELL.finditer(text, 0, cut):
                ref = _CELL_REF.search(match[1])
                if ref is not None:
                    error = match[2].decode("ascii", "replace").strip()
                    found.setdefault(int(ref[2]), {})[column_index_from_string(ref[1].decode()) - 1] = error
            pending = text[cut:]
            if not chunk:
                return found


def build_pep(data: dict[str, Any], where: dict[str, str], row: int) -> tuple[PEP | None, list[Issue]]:
    """A PEP from nested values, leaving out each value the model refuses; the refusals as issues on their columns."""
    pep, refusals = validate_dropping(data)
    issues = []
    for refusal in refusals:
        path = ".".join("[]" if isinstance(step, int) else step for step in refusal.loc).replace(".[]", "[]")
        columns = [w for p, w in where.items() if p == path or p.startswith(path + ".")]
        issues.append(replace(refusal.issue, column=", ".join(columns), row=row))
    return pep, issues


def _place(data: dict[str, Any], path: str, value: Any, item: int | None = None) -> None:
    """Set a path in nested dicts; a path with `[]` sets that field of list item `item`."""
    if "[]" in path:
        head, _, rest = path.partition("[].")
        items = _place_list(data, head)
        while len(items) <= (item or 0):
            items.append({})
        _place(items[item or 0], rest, value)
        return
    *parents, last = path.split(".")
    for name in parents:
        data = data.setdefault(name, {})
    data[last] = value


def _place_list(data: dict[str, Any], path: str) -> list[dict[str, Any]]:
    *parents, last = path.split(".")
    for name in parents:
        data = data.setdefault(name, {})
    found: list[dict[str, Any]] = data.setdefault(last, [])
    return found


Row = tuple[int, tuple[Any, ...], "dict[int, str] | None"]
"""A row as read from the file: its number, its cells, and its formulas with no saved value by column index."""


@dataclass(frozen=True)
class RowBuilder:
    """Makes a CaseRow of a raw row, given the file's columns; small enough to send to worker processes."""

    file: str
    columns: tuple[UsedColumn, ...]
    on: date
    headed: frozenset[int]
    """The indexes of the columns with a header, used or not: a value anywhere else has no column to go by."""

    @property
    def id_column(self) -> UsedColumn | None:
        return next((c for c in self.columns if c.path == "child.person_id"), None)

    def person_id(self, row: tuple[Any, ...]) -> str | None:
        """The row's person ID read on its own, as `build` reads it; None when there is none to read."""
        column = self.id_column
        raw = row[column.index] if column is not None and column.index < len(row) else None
        if isinstance(raw, str):
            raw = _ILLEGAL.sub("", raw).strip() or None
        if column is None or raw is None or (isinstance(raw, str) and raw in _EXCEL_ERRORS):
            return None
        try:
            value = convert(column.slot, raw)
        except ValueError:
            return None
        return value.replace("\r\n", "\n").replace("\r", "\n") or None if isinstance(value, str) else None

    def duplicate(self, case: CaseRow, first: int) -> CaseRow:
        """The row of a person ID already on row `first`: refused, with its problems."""
        column = self.id_column
        message = f"the same person ID is on row {first}; only that row is used"
        issue = Issue(message, column=column.ref if column else "", row=case.row)
        return CaseRow(case.row, case.person_id, None, [*case.problems, issue])

    def build(self, number: int, row: tuple[Any, ...], formulas: dict[int, str] | None) -> CaseRow:
        """The row as a CaseRow (a person ID on an earlier row is not looked for here)."""
        data: dict[str, Any] = {}
        where: dict[str, str] = {}
        problems: list[Issue] = []
        year: int | None = None
        for index, cell in enumerate(row):
            if index not in self.headed and not _blank(cell):
                message = "a value in a column with no header is not read: give the column a header"
                problems.append(Issue(message, column=_letter(index), row=number))
        for column in self.columns:
            raw = row[column.index] if column.index < len(row) else None
            if isinstance(raw, str):
                cleaned = _ILLEGAL.sub("", raw)
                if cleaned != raw:
                    problems.append(Issue("control characters removed", column=column.ref, row=number))
                raw = cleaned.strip() or None
            if raw is None:
                formula = (formulas or {}).get(column.index)
                if formula is not None:  # the formula itself may hold a value: never shown
                    message = "formula with no cached value: open and save the workbook in Excel, or type the value"
                    problems.append(Issue(message, column=column.ref, row=number))
                continue
            if isinstance(raw, str) and raw in _EXCEL_ERRORS:
                problems.append(Issue(f"spreadsheet error {raw}", column=column.ref, row=number))
                continue
            try:
                values = _values(column, raw)
            except ValueError as error:
                problems.append(Issue(str(error), column=column.ref, row=number))
                continue
            if column.path == YEAR_GROUP:
                year = values[0]
                where["child.ncy_actual"] = column.ref
                continue
            where[column.path] = column.ref
            for item, value in enumerate(values):
                _place(data, column.path, value, item)
        if year is not None:
            born = data.get("child", {}).get("date_of_birth")
            when = data.get("plan", {}).get("meeting_date") or self.on
            if not isinstance(born, date) or nc_year(born, when) != year:
                _place(data, "child.ncy_actual", year)
        person_id = data.get("child", {}).get("person_id")
        pep, refused = build_pep(data, where, number)
        problems += refused
        if pep is not None:
            person_id = pep.child.person_id
        id_column = next((c.ref for c in self.columns if c.path == "child.person_id"), "")
        if not person_id:
            problems.append(Issue("no person ID, so the row cannot be named or filed", column=id_column, row=number))
            return CaseRow(number, None, None, problems)
        return CaseRow(number, person_id, pep, problems)


def _with_errors(number: int, row: tuple[Any, ...], cells: dict[int, str] | None) -> Row:
    """A row with its error values put back as text (as openpyxl reads them), and its uncached formulas."""
    if not cells:
        return number, row, None
    errors = {index: text for index, text in cells.items() if not text.startswith("=")}
    if errors:
        width = max(len(row), max(errors) + 1)
        row = tuple(errors.get(index, row[index] if index < len(row) else None) for index in range(width))
    formulas = {index: text for index, text in cells.items() if text.startswith("=")}
    return number, row, formulas or None


WHOLE_SHEET_BYTES = 16 * 1024 * 1024
"""The largest worksheet (its XML, unpacked) read whole by the fast reader, which holds every cell at once (about
1.6 times the XML in memory); a larger one is streamed by openpyxl, at about twelve times the CPU time per cell."""


def _sheet_bytes(path: Path, sheet: Any) -> int:
    """The unpacked size of a worksheet's XML (0 if it cannot be told)."""
    import zipfile

    part = getattr(sheet, "_worksheet_path", "")
    try:
        with zipfile.ZipFile(path) as package:
            return package.getinfo(part.lstrip("/")).file_size if part else 0
    except (KeyError, OSError, zipfile.BadZipFile):
        return 0


def _openpyxl_like(sheet: Any) -> Iterator[tuple[Any, ...]]:
    """A sheet's rows from the fast reader as openpyxl gives them: from column A, whole numbers as int, blank None."""
    start = sheet.start
    before: tuple[Any, ...] = (None,) * start[1] if start else ()
    for row in sheet.iter_rows():
        yield before + tuple(
            None if cell == "" else int(cell) if type(cell) is float and cell.is_integer() else cell for cell in row
        )


class CaseReader(Iterator[CaseRow]):
    """The rows of a case-data file, read one at a time (memory stays flat however long the file).

    `encoding` is the CSV encoding used (utf-8-sig, utf-8 or cp1252; None for XLSX), `columns` the
    columns used, `ignored` the headers no column matched, `total` an estimate of the rows, `notes`
    what a person should know about how the file was read.
    """

    def __init__(
        self, path: str | os.PathLike[str], mapping: dict[str, str] | None = None, *, on: date | None = None
    ) -> None:
        self.path = Path(path)
        self.file = str(self.path)
        self.on = on or date.today()
        self.encoding: str | None = None
        self.sheet: str | None = None
        self.total: int | None = None
        self.notes: list[str] = []
        self.columns: list[UsedColumn] = []
        self.ignored: list[str] = []
        self._headed: set[int] = set()
        self._seen: dict[str, int] = {}
        self._closers: list[Any] = []
        self._header_row = 0
        self._last = 0
        self._rows: Iterator[Row]
        self._raw: Iterator[Row] | None = None
        known = _known_headers()
        for header, target in (mapping or {}).items():
            known[header_key(header)] = target
        self._known = known
        suffix = self.path.suffix.lower()
        if not self.path.is_file():
            raise InputError("no such file", self.file)
        if suffix in (".xlsx", ".xlsm"):
            self._open_xlsx()
        elif suffix in (".csv", ".txt"):
            self._open_csv()
        else:
            raise InputError("case data must be an .xlsx workbook or a .csv file", self.file)

    # --- opening ----------------------------------------------------------------------------

    def _open_xlsx(self) -> None:
        try:
            self._open_workbook()
        except PepdocsError:
            self.close()
            raise
        except MemoryError:
            self.close()
            raise
        except Exception as error:  # a damaged package fails in openpyxl, calamine, zipfile or zlib in many ways
            self.close()
            raise InputError(f"not a readable XLSX workbook ({error.__class__.__name__})", self.file) from None

    def _open_workbook(self) -> None:
        from openpyxl import load_workbook
        from python_calamine import CalamineWorkbook  # the cells: ten times openpyxl's speed

        values = load_workbook(self.path, read_only=True, data_only=True)
        self._closers.append(values)
        cells = CalamineWorkbook.from_path(str(self.path))
        self._closers.append(cells)
        sheets = [values.active, *(ws for ws in values.worksheets if ws is not values.active)]
        for sheet in sheets:
            if sheet is None:
                continue
            try:
                if _sheet_bytes(self.path, sheet) > WHOLE_SHEET_BYTES:
                    rows = enumerate(sheet.iter_rows(values_only=True), start=1)  # streamed: memory stays flat
                    last = sheet.max_row or 0
                else:
                    found = cells.get_sheet_by_name(sheet.title)  # the whole sheet, held until the end
                    rows = enumerate(_openpyxl_like(found), start=1)
                    last = found.end[0] + 1 if found.end else 0
                paired = self._with_formulas(sheet, rows)
                header = self._find_header(paired)
            except (PepdocsError, MemoryError):
                raise
            except Exception as error:  # the sheet's own part is damaged: say which sheet, as Excel would
                raise InputError(
                    f"sheet {sheet.title!r} cannot be read, its part of the workbook is damaged "
                    f"({error.__class__.__name__})",
                    self.file,
                ) from None
            if header:
                self.sheet = sheet.title
                self._rows = paired
                self.total = max(0, last - self._header_row)
                if len(values.worksheets) > 1:
                    self.notes.append(f"read sheet {sheet.title!r}")
                return
        raise InputError(self._no_identity(), self.file)

    def _with_formulas(
        self, sheet: Any, rows: Iterator[tuple[int, tuple[Any, ...]]]
    ) -> Iterator[tuple[int, tuple[Any, ...], dict[int, str] | None]]:
        """Rows with the formulas that have no saved value (which read as blank), by column index."""
        part = getattr(sheet, "_worksheet_path", "")
        try:
            formulas = uncached_formulas(self.path, part) if part else None
        except MemoryError:
            raise
        except Exception:  # e.g. zipfile or zlib on a damaged part: the rows may still be read
            formulas = None
        if formulas is None:
            self.notes.append("formulas with no saved value could not be looked for")
            formulas = {}
        return (_with_errors(number, row, formulas.pop(number, None)) for number, row in rows)

    def _open_csv(self) -> None:
        encoding, lines = self._detect_encoding()
        self.encoding = encoding
        if encoding == "cp1252":
            self.notes.append("read as Windows-1252: the file is not UTF-8 (save it as CSV UTF-8 to be sure)")
        elif encoding == "utf-8":
            self.notes.append("read as UTF-8")
        else:
            self.notes.append("read as UTF-8 (with byte-order mark)")
        handle: IO[str] = self.path.open(encoding=encoding, newline="")
        self._closers.append(handle)
        sample = handle.read(65536)
        handle.seek(0)
        try:
            dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        except csv.Error:
            dialect = csv.excel
        rows = ((number, tuple(row), None) for number, row in enumerate(csv.reader(handle, dialect), start=1))
        try:
            found = self._find_header(rows)
        except (csv.Error, UnicodeDecodeError) as error:
            self.close()
            reason = str(error) if isinstance(error, csv.Error) else "not UTF-8 or Windows-1252 text"
            raise InputError(f"not a readable CSV ({reason})", self.file) from None
        if not found:
            self.close()
            raise InputError(self._no_identity(), self.file)
        self._rows = rows
        self.total = max(0, lines - self._header_row)

    def _detect_encoding(self) -> tuple[str, int]:
        """UTF-8 with or without BOM, else Windows-1252; the number of lines, read in one streaming pass."""
        with self.path.open("rb") as stream:
            head = stream.read(3)
            bom = head == codecs.BOM_UTF8
            lines = 0
            candidates = ["utf-8", "cp1252"]
            decoders = {name: codecs.getincrementaldecoder(name)() for name in candidates}
            alive = list(candidates)
            chunk = head[3:] if bom else head
            if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
                alive = []
            while alive:
                lines += chunk.count(b"\n")
                if b"\x00" in chunk:
                    alive = []  # UTF-16 or binary: never UTF-8 or Windows-1252 text
                for name in list(alive):
                    try:
                        decoders[name].decode(chunk, final=not chunk)
                    except UnicodeDecodeError:
                        alive.remove(name)
                if not chunk or not alive:
                    break
                chunk = stream.read(1 << 20)
        if "utf-8" in alive:
            return ("utf-8-sig" if bom else "utf-8"), lines
        if "cp1252" in alive and not bom:
            return "cp1252", lines
        raise InputError("cannot read this CSV: it is neither UTF-8 nor Windows-1252 text", self.file)

    def _find_header(self, rows: Iterator[tuple[int, tuple[Any, ...], Any]]) -> bool:
        """Move past the header row (the first with a person-ID column, within the first rows)."""
        for number, row, _ in rows:
            keys = [header_key(str(cell)) if cell is not None else "" for cell in row]
            if any(self._known.get(key) == "child.person_id" for key in keys):
                self._header_row = self._last = number
                self._use_header(row)
                return True
            if number >= HEADER_SEARCH_ROWS:
                break
        return False

    def _use_header(self, row: tuple[Any, ...]) -> None:
        taken: dict[str, UsedColumn] = {}
        for index, cell in enumerate(row):
            header = " ".join(str(cell).split()) if cell is not None else ""
            if not header:
                continue
            self._headed.add(index)
            target = self._known.get(header_key(header))
            if target is None:
                self.ignored.append(header)
                continue
            if not target:
                continue  # the mapping file says to leave it out
            used = UsedColumn(index, header, target, check_path(target))
            if target in taken:
                self.notes.append(f"{used.where} also fills {target}; the earlier {taken[target].where} is used")
                continue
            taken[target] = used
            self.columns.append(used)
        if self.ignored:
            self.notes.append("columns not used: " + ", ".join(self.ignored))

    def _no_identity(self) -> str:
        person = next(c for c in COLUMNS if c.path == "child.person_id")
        names = ", ".join((person.header, *person.aliases[:3]))
        return (
            f"no person ID column in the first {HEADER_SEARCH_ROWS} rows: expected a header such as {names} "
            "(or name yours in a mapping file)"
        )

    # --- reading ----------------------------------------------------------------------------

    def __iter__(self) -> CaseReader:
        return self

    def __next__(self) -> CaseRow:
        if self._raw is None:
            self._raw = self.raw()
        while True:
            number, row, formulas = next(self._raw)
            case = self._case(number, row, formulas)
            if case is not None:
                return case

    def raw(self) -> Iterator[Row]:
        """The rows not yet read, as they are in the file (blank rows left out), for `builder` to make CaseRows of."""
        while True:
            try:
                number, row, formulas = next(self._rows)
            except StopIteration:
                self.close()
                return
            except MemoryError:
                self.close()
                raise
            except Exception as error:  # csv, openpyxl, calamine, zipfile or zlib on a damaged file
                self.close()
                # csv's words name what is wrong and never quote; other libraries' may quote a cell: their class only.
                reason = str(error) if isinstance(error, csv.Error) else error.__class__.__name__
                raise InputError(f"the file cannot be read past here ({reason})", self.file, self._last + 1) from None
            self._last = number
            if formulas or not all(_blank(cell) for cell in row):
                yield number, row, formulas

    @property
    def builder(self) -> RowBuilder:
        """What makes a CaseRow of a raw row (it can be sent to a worker process)."""
        return RowBuilder(self.file, tuple(self.columns), self.on, frozenset(self._headed))

    def _case(self, number: int, row: tuple[Any, ...], formulas: dict[int, str] | None) -> CaseRow | None:
        """The row as a CaseRow, a person ID seen before refused; None for a row with nothing in it."""
        if not formulas and all(_blank(cell) for cell in row):
            return None
        case = self.builder.build(number, row, formulas)
        person_id = case.person_id
        if person_id is None:
            return case
        if person_id in self._seen:
            return self.builder.duplicate(case, self._seen[person_id])
        self._seen[person_id] = number
        return case

    # --- closing ----------------------------------------------------------------------------

    def close(self) -> None:
        """Release the file (done by itself when the last row has been read)."""
        for closer in self._closers:
            closer.close()
        self._closers.clear()

    def __enter__(self) -> CaseReader:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def read_cases(
    path: str | os.PathLike[str],
    mapping: str | os.PathLike[str] | dict[str, str] | None = None,
    *,
    on: date | None = None,
) -> CaseReader:
    """The rows of a case-data XLSX or CSV, one CaseRow per child; `mapping` names other headers' model paths.

    `on` (default today) stands in for the meeting date when a year-group column is checked against the age.
    """
    names = load_mapping(mapping) if isinstance(mapping, str | os.PathLike) else mapping
    return CaseReader(path, names, on=on)
