"""No message carries a value: a marker typed into every bad value of every kind is in no message, warning,
exception or log record, for parse, convert, merge, validate, check, batch and tracker, by API and CLI."""

from __future__ import annotations

import io
import json
import logging
import warnings
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pydantic import ValidationError
from pypdf import PdfReader, PdfWriter

import pepdocs
from pepdocs._cli import main
from pepdocs.forms._spec import Field, Form
from pepdocs.model._paths import put

from .conftest import ROOT, example, write_xlsx
from .test_batch import HEADERS, KINDS
from .test_docx_completed import answer

MARKER = "QZ9MARK"


def bad(f: Field) -> str:
    """Text that field cannot hold, with the marker in it."""
    return f"31/02/2011 {MARKER}" if f.slot.kind == "date" else f"{MARKER} 12"


def checked_fields(form: Form) -> list[Field]:
    """Every answer a codec or the model checks, written as text: dates, numbers, identifiers, authorities."""
    return [
        f
        for _, block in form.blocks()
        for f in block.fields
        if not f.derived and f.widget == "text" and (f.slot.kind != "text" or f.slot.unit)
    ]


def docx_with_markers(form_id: str) -> bytes:
    form = pepdocs.get_form(form_id)
    return answer(pepdocs.render(example("southwark-primary"), form), {f.label: bad(f) for f in checked_fields(form)})


def pdf_with_markers(form_id: str) -> bytes:
    form = pepdocs.get_form(form_id)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pepdocs.render(example("southwark-primary"), form, "pdf"))))
    values = {f.path: bad(f) for f in checked_fields(form)}
    for page in writer.pages:
        writer.update_page_form_field_values(page, values, auto_regenerate=False)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


class Heard:
    """Everything said while a block runs: warnings, log records (any logger, any level)."""

    def __init__(self, caplog: pytest.LogCaptureFixture) -> None:
        self.caplog = caplog
        self.texts: list[str] = []

    def __enter__(self) -> Heard:
        self.caplog.set_level(logging.DEBUG)
        for name in ("pypdf", "pepdocs", "openpyxl", "PIL", "fontTools"):
            self.caplog.set_level(logging.DEBUG, logger=name)
        self.catcher = warnings.catch_warnings(record=True)
        self.caught = self.catcher.__enter__()
        warnings.simplefilter("always")
        return self

    def __exit__(self, *exc: Any) -> None:
        self.catcher.__exit__(*exc)
        self.texts += [str(w.message) for w in self.caught]
        self.texts += [record.getMessage() for record in self.caplog.records]

    def say(self, *texts: object) -> None:
        self.texts += [str(text) for text in texts]

    def clean(self) -> None:
        assert self.texts, "nothing was heard: the test does not test"
        assert not [text for text in self.texts if MARKER in text]


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
@pytest.mark.parametrize("form_id", ["southwark-full", "kent"])
def test_parse_convert_and_merge_never_say_a_typed_value(
    form_id: str, fmt: str, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    data = docx_with_markers(form_id) if fmt == "docx" else pdf_with_markers(form_id)
    with Heard(caplog) as heard:
        parsed = pepdocs.parse(data)
        assert len(parsed.warnings) >= len(checked_fields(pepdocs.get_form(form_id))) // 2
        assert any(MARKER in entry.text for entry in parsed.unmapped)  # kept, never dropped: but as data
        heard.say(*(issue.describe() for issue in parsed.warnings))
        with pytest.raises(pepdocs.FieldValueError) as strict:
            pepdocs.parse(data, strict=True)
        heard.say(strict.value)
        converted = pepdocs.convert(data, "southwark-review" if form_id == "kent" else "kent")
        heard.say(*converted.report.lines())
        with pytest.raises(pepdocs.IdentityError) as other:
            pepdocs.merge(example("kent-secondary"), parsed)
        heard.say(other.value)
        pepdocs.merge(example("southwark-primary"), parsed)
    source = tmp_path / f"marked.{fmt}"
    source.write_bytes(data)
    runner = CliRunner()
    own, another = (str(ROOT / "examples" / f"{name}.json") for name in ("southwark-primary", "kent-secondary"))
    commands: list[list[str]] = [
        ["parse", str(source), "-o", str(tmp_path / "p.json")],
        ["convert", str(source), "--to", "southwark-review"],
        ["convert", str(source), "--to", "kent", "-o", str(tmp_path / "c.docx"), "--report", str(tmp_path / "c.json")],
        ["merge", another, str(source), "-o", str(tmp_path / "m.json")],
        ["merge", own, str(source), "-o", str(tmp_path / "m.json"), "--report", str(tmp_path / "m-report.json")],
    ]
    for args in commands:
        result = runner.invoke(main, args)
        heard.say(result.stderr, result.stdout)
        assert result.exit_code == (1 if another in args else 0), result.output
    heard.clean()
    report = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    assert MARKER in json.dumps(report) and "holds values" in report["note"]  # the values go to the file asked for


def test_merge_names_each_conflict_by_its_path_and_writes_the_values_only_to_its_report(tmp_path: Path) -> None:
    record = example("southwark-primary")
    returned = record.model_copy(deep=True)
    texts = ["people.social_worker.name", "child.religion", "child.first_language", "education.setting.name"]
    for path in texts:
        put_on = returned
        *parents, name = path.split(".")
        for parent in parents:
            put_on = getattr(put_on, parent)
        setattr(put_on, name, f"{MARKER} {path}")
    source = tmp_path / "returned.docx"
    source.write_bytes(pepdocs.render(returned, "southwark-full"))
    runner = CliRunner()
    args = ["merge", str(ROOT / "examples" / "southwark-primary.json"), str(source), "-o", str(tmp_path / "m.json")]
    plain = runner.invoke(main, args)
    assert plain.exit_code == 0, plain.output
    assert MARKER not in plain.stdout + plain.stderr
    conflicts = [line for line in plain.stdout.splitlines() if line.startswith("  conflict @ ")]
    assert {f"  conflict @ $.{path} (kept record)" for path in texts} <= set(conflicts)
    assert "--report FILE" in plain.stdout
    reported = runner.invoke(main, [*args, "--prefer", "returned", "--report", str(tmp_path / "r.json")])
    assert reported.exit_code == 0 and MARKER not in reported.stdout + reported.stderr
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert "holds values" in report["note"] and report["prefer"] == "returned"
    by_path = {c["path"]: c for c in report["conflicts"]}
    for path in texts:
        assert by_path[f"$.{path}"]["returned"] == f"{MARKER} {path}" and by_path[f"$.{path}"]["kept"] == "returned"


def marked_record() -> dict[str, Any]:
    """A PEP record (JSON data) with a marked bad value in every kind of checked field."""
    data: dict[str, Any] = json.loads((ROOT / "examples" / "southwark-primary.json").read_text(encoding="utf-8"))
    for path, value in {
        "child.date_of_birth": f"2011-02-31{MARKER}",
        "child.upn": f"A{MARKER}12345",
        "child.gender": MARKER,
        "care.legal_status": MARKER,
        "care.placement_moves": f"{MARKER}3",
        "education.school.urn": MARKER,
        "education.school.la": MARKER,
        "education.attendance.percent": MARKER,
        "plan.meeting_date": MARKER,
        "child.interpreter_needed": MARKER,
        "plan.not_a_field": MARKER,
    }.items():
        put(data, path, value)
    return data


def test_validate_and_check_never_say_a_value(caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    record = tmp_path / "bad.json"
    record.write_text(json.dumps(marked_record()), encoding="utf-8")
    runner = CliRunner()
    with Heard(caplog) as heard:
        with pytest.raises(pepdocs.ModelError) as error:
            pepdocs.read_pep(record)
        assert len(error.value.issues) >= 10
        heard.say(error.value, *(issue.describe() for issue in error.value.issues))
        for command in ("validate", "check", "qa"):
            result = runner.invoke(main, [command, str(record)])
            assert result.exit_code == 1
            heard.say(result.output)
    heard.clean()


def test_check_and_qa_say_no_value_of_a_valid_record(tmp_path: Path) -> None:
    """Findings name rules and paths: a marker in every text of a record that is valid reaches no output."""
    data: dict[str, Any] = json.loads((ROOT / "examples" / "southwark-primary.json").read_text(encoding="utf-8"))

    def mark(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: mark(v) for k, v in node.items()}
        if isinstance(node, list):
            return [mark(item) for item in node]
        return f"{MARKER} {node}" if isinstance(node, str) else node

    marked = mark(data)
    try:
        pepdocs.PEP.model_validate(marked)
    except ValidationError as error:
        for problem in error.errors():  # codes, dates and identifiers keep their value: only free text is marked
            *parents, last = problem["loc"]
            into: Any = marked
            before: Any = data
            for key in parents:
                into, before = into[key], before[key]
            into[last] = before[last]
    record = tmp_path / "marked.json"
    record.write_text(json.dumps(marked), encoding="utf-8")
    pep = pepdocs.read_pep(record)  # still valid: only free text was marked
    assert MARKER in (pep.child.full_name or "")
    runner = CliRunner()
    said = []
    for command in ("check", "qa"):
        for args in ([command, str(record), "--on", "2027-06-01"], [command, str(record), "--policy", "southwark"]):
            result = runner.invoke(main, args)
            assert result.exit_code in (0, 1) and result.stdout, result.output
            said.append(result.stdout + result.stderr)
    assert not [text for text in said if MARKER in text]


def marked_rows() -> list[list[Any]]:
    good = list(KINDS["southwark"])
    row = dict(zip(HEADERS, good, strict=True))
    row |= {"Person ID": f"{MARKER}7", "Forename": MARKER, "Surname": f'=UPPER("{MARKER}")',  # no saved value
            "DOB": f"31/02/2016 {MARKER}", "UPN": f"A{MARKER}", "DfE Number": MARKER, "Date Joined": MARKER,
            "PEP Number In Year": f"{MARKER}", "Legal Status": MARKER, "EET Status": MARKER}  # fmt: skip
    marked = [row[h] for h in HEADERS]
    return [good, marked, marked]  # the person ID twice


def test_batch_and_tracker_never_say_a_cells_value(caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    cases = write_xlsx(tmp_path / "cases.xlsx", HEADERS, marked_rows())
    runner = CliRunner()
    with Heard(caplog) as heard:
        for case in pepdocs.read_cases(cases):
            heard.say(*(problem.describe() for problem in case.problems))
        report = pepdocs.batch(cases, tmp_path / "api", workers=1, run_date=date(2027, 1, 4), policy="southwark")
        heard.say(*(problem.describe() for row in report.rows for problem in row.problems), *report.notes)
        assert report.counts["problem"] == 2
        result = runner.invoke(
            main, ["batch", str(cases), "--out", str(tmp_path / "cli"), "--workers", "1", "--policy", "southwark"]
        )
        heard.say(result.stderr, result.stdout)
        written = list((tmp_path / "cli").rglob("*.docx"))
        assert any(MARKER in path.name for path in written)  # the file name holds the person ID as typed
        for path in written:  # someone edits every form, so the rerun names each file it will not overwrite
            path.write_bytes(path.read_bytes() + b"\0")
        rows = marked_rows()
        forename = HEADERS.index("Forename")
        for row in rows:  # and the case data changes, so the rerun would write them again
            row[forename] = f"{row[forename]}x"
        cases = write_xlsx(tmp_path / "cases.xlsx", HEADERS, rows)
        rerun = ["batch", str(cases), "--out", str(tmp_path / "cli"), "--workers", "1", "--policy", "southwark"]
        result = runner.invoke(main, rerun)
        assert "was changed after pepdocs wrote it" in result.stdout + result.stderr, result.output
        heard.say(result.stderr, result.stdout)
        result = runner.invoke(main, ["tracker", str(cases), "-o", str(tmp_path / "tracker.xlsx")])
        assert result.exit_code == 0, result.output
        heard.say(result.stderr, result.stdout)
    heard.clean()


def test_rendering_a_councils_own_pdf_never_logs_the_words_its_font_cannot_draw(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    from pepdocs.forms._spec import load_form
    from pepdocs.workflows._scaffold import scaffold_form

    scaffolded = scaffold_form(ROOT / "tests" / "corpus" / "riverford" / "original.pdf", "riverford", tmp_path)
    form = load_form(scaffolded.folder / "form.toml")
    pep = example("early-years")
    pep.child.last_name = f"{MARKER} Nguyễn"  # ễ is not in the council PDF's font: pypdf logs the words it cannot draw
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="pypdf")
    document = pepdocs.render(pep, form, "pdf")
    assert pepdocs.parse(document, form=form).pep.child.last_name == pep.child.last_name
    assert not [record.getMessage() for record in caplog.records if MARKER in record.getMessage()]


def test_words_typed_where_a_form_prints_its_labels_never_label_what_is_kept(tmp_path: Path) -> None:
    """A row added to a table and a column heading retyped: their words are kept, and said by no message as labels."""
    import copy

    from lxml import etree

    from .test_docx_completed import (
        _W,
        TARGET_HEADER,
        edited,
        fill,
        label_cell,
        must,
        para,
        rendered,
        run,
        table_headed,
    )

    def change(root: etree._Element) -> None:
        row = must(label_cell(root, "Religion").getparent())
        added = copy.deepcopy(row)
        for cell in added.findall(f"{_W}tc"):
            fill(cell, para(run(f"{MARKER} typed")))
        row.addnext(added)
        fill(
            must(table_headed(root, *TARGET_HEADER).find(f"{_W}tr")).findall(f"{_W}tc")[1], para(run(f"Area {MARKER}"))
        )

    source = tmp_path / "typed.docx"
    source.write_bytes(edited(rendered("southwark-full", "southwark-primary"), change))
    kept = pepdocs.parse(source).pep.extensions["southwark-full"]
    assert sum(MARKER in text for text in kept.values()) == 5  # the heading and each cell of the added row
    assert len([key for key in kept if key.startswith(f"Area {MARKER}")]) == 3  # a column's three answers, all kept
    runner = CliRunner()
    said = []
    for args in (["parse", str(source), "-o", str(tmp_path / "p.json")], ["convert", str(source), "--to", "kent"]):
        result = runner.invoke(main, args)
        assert result.exit_code == 0, result.output
        said.append(result.stdout + result.stderr)
    assert "kept without a place" in said[0] and not [text for text in said if MARKER in text]
