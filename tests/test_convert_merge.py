"""Kent's form into Southwark's record and back; the school's Section 3 merged into the record."""

from __future__ import annotations

import itertools
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

import pepdocs
from pepdocs._cli import main
from pepdocs.workflows._convert import convert
from pepdocs.workflows._merge import merge

from .conftest import ROOT, acroform, carried, example, libreoffice_resave
from .test_docx_completed import answer

FORMS = [form.id for form in pepdocs.list_forms()]


def prefilled_by_the_virtual_school() -> pepdocs.PEP:
    """What Virtual School Kent knows before the meeting: the child and their care."""
    record = example("kent-secondary")
    return pepdocs.PEP.model_validate(
        {"child": record.child.model_dump(exclude_computed_fields=True), "care": record.care.model_dump()}
    )


def kent_as_a_school_returns_it() -> bytes:
    """A Kent PEP pre-filled by the virtual school, then completed by a Kent school the way people type."""
    blank = pepdocs.render(prefilled_by_the_virtual_school(), "kent")
    return answer(
        blank,
        {
            "School name": "Harbourside Academy",
            "Date joined this school": "1/9/23",
            "Attendance": "93.2",
            "SEN status": "SEN support",
            "Date of meeting": "14 Nov 2025",
            "What am I good at, and what is going well?": "Football and computing.\nMy English teacher.",
        },
    )


def assert_the_schools_answers_arrived(pep: pepdocs.PEP) -> None:
    """What the Kent school typed is in the record, read as values, and the child is untouched."""
    assert pep.education.setting.name == "Harbourside Academy"
    assert pep.education.setting.start_date == date(2023, 9, 1)
    assert pep.education.attendance.percent == Decimal("93.2")
    assert pep.plan.meeting_date == date(2025, 11, 14)
    assert pep.views.child.going_well == "Football and computing.\nMy English teacher."
    assert pep.child == example("kent-secondary").child


def test_a_kent_form_completed_by_a_school_becomes_a_southwark_record_and_form() -> None:
    converted = convert(kent_as_a_school_returns_it(), "southwark-full")
    pep = converted.pep
    assert converted.report.source_form == "kent" and converted.report.target_form == "southwark-full"
    assert_the_schools_answers_arrived(pep)
    back = pepdocs.parse(converted.document)
    assert back.form == "southwark-full" and back.warnings == []
    assert back.pep.education.setting.start_date == date(2023, 9, 1)
    translated = {c.path: (c.source, c.target) for c in converted.report.changes if c.kind == "translated"}
    assert translated["$.education.setting.start_date"] == ("1/9/23", "01/09/2023")
    assert translated["$.plan.meeting_date"] == ("14 Nov 2025", "14/11/2025")
    assert translated["$.education.attendance.percent"] == ("93.2", "93.2%")


def test_the_report_names_what_has_no_place_what_stays_empty_and_what_means_something_else() -> None:
    report = convert(pepdocs.render(example("kent-secondary"), "kent"), "southwark-full").report
    no_place = {c.path for c in report.changes if c.kind == "no-place"}
    assert "$.targets[0].term" in no_place  # Kent's short/medium/long term has no Southwark column
    assert "$.pupil_premium.financial_year" in no_place
    left_empty = {c.path for c in report.changes if c.kind == "left-empty"}
    assert {"$.care.pre_care_history", "$.care.category_of_need"} <= left_empty
    cycle = [c for c in report.changes if c.kind == "meaning" and c.label == "Review cycle"]
    assert cycle and "termly" in cycle[0].note and "twice a year" in cycle[0].note


def test_kents_assigned_owner_is_reported_when_the_source_target_has_none() -> None:
    pep = example("southwark-primary").model_copy(deep=True)
    pep.targets[0].owner = None
    report = convert(pepdocs.render(pep, "southwark-full"), "kent").report
    owners = [c for c in report.changes if c.kind == "meaning" and c.path == "$.targets[0].owner"]
    assert owners and "requires" in owners[0].note


def test_kent_to_record_to_kent_gives_back_the_same_kent_form_field_for_field() -> None:
    kent = pepdocs.get_form("kent")
    first = pepdocs.parse(kent_as_a_school_returns_it())
    via_record = convert(pepdocs.render(first.pep, "southwark-full"), "kent")
    again = pepdocs.parse(pepdocs.render(first.pep, "kent"))
    assert carried(again.pep, kent, like=first.pep) == carried(first.pep, kent)
    assert again.pep.extensions == first.pep.extensions
    assert via_record.report.target_form == "kent"


def test_kent_only_answers_survive_in_extensions() -> None:
    pep = example("kent-secondary").model_copy(deep=True)
    pep.extensions = {"kent": {"ppplus_decision": "Approved in full by VSK, 20/11/2025"}}
    record = convert(pepdocs.render(pep, "kent"), "southwark-full").pep
    assert record.extensions["kent"]["ppplus_decision"] == "Approved in full by VSK, 20/11/2025"
    assert (
        pepdocs.parse(pepdocs.render(record, "kent")).pep.extensions["kent"]["ppplus_decision"].startswith("Approved")
    )


@pytest.mark.parametrize(("source", "target"), list(itertools.permutations(FORMS, 2)))
def test_every_pair_of_forms_converts_with_a_report(source: str, target: str) -> None:
    converted = convert(pepdocs.render(example("kent-secondary"), source), target)
    assert converted.report.source_form == source and converted.report.target_form == target
    assert pepdocs.parse(converted.document).form == target
    assert converted.report.lines()[0].startswith(f"{source} -> {target}")


def test_the_cli_prints_the_report_and_writes_json(tmp_path: Path) -> None:
    source = tmp_path / "kent.docx"
    source.write_bytes(kent_as_a_school_returns_it())
    out, report = tmp_path / "southwark.docx", tmp_path / "report.json"
    result = CliRunner().invoke(
        main, ["convert", str(source), "--to", "southwark-full", "-o", str(out), "--report", str(report)]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("kent -> southwark-full")
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["target_form"] == "southwark-full" and data["changes"]
    assert pepdocs.parse(out).pep.education.setting.name == "Harbourside Academy"


# --- Section 3 out to the school and back -------------------------------------------------------


def test_section_3_alone_is_titled_as_the_schools_part_of_the_named_childs_pep() -> None:
    import io
    import zipfile

    record = example("southwark-primary")
    docx = pepdocs.render(record, "southwark-full", sections=["3"])
    xml = zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml").decode()
    assert "Section 3 only" in xml and "Section 3: School information" in xml and "Section 1:" not in xml
    assert "Zoë" in xml  # the child's name is in the title block


@pytest.mark.office
def test_a_section_3_filled_in_libreoffice_merges_into_the_record_with_the_expected_conflicts() -> None:
    record = example("southwark-primary").model_copy(deep=True)
    record.education.setting.phone = None
    record.education.attendance.late_sessions = None
    sent = pepdocs.render(record, "southwark-full", sections=["3"])
    filled = answer(
        sent,
        {
            "Attendance": "95.1%",  # differs from the record: a conflict
            "Late sessions": "2",  # the record has none: taken
            "School phone": "020 7946 0999",  # the record has none: taken
        },
    )
    returned = pepdocs.parse(libreoffice_resave(filled))
    assert returned.form == "southwark-full" and returned.sections == ["3"]
    assert returned.pep.child.last_name is None and returned.pep.care.legal_status is None
    merged = merge(record, returned)
    conflicts = {c.path: (c.record, c.returned) for c in merged.conflicts}
    assert conflicts == {"$.education.attendance.percent": (record.education.attendance.percent, Decimal("95.1"))}
    assert merged.pep.education.attendance.percent == record.education.attendance.percent
    assert merged.pep.education.setting.phone == "020 7946 0999"
    assert merged.pep.education.attendance.late_sessions == 2
    assert {"$.education.setting.phone", "$.education.attendance.late_sessions"} <= set(merged.taken)
    assert merged.pep.child == record.child and merged.pep.targets == record.targets
    theirs = merge(record, returned, prefer="returned")
    assert theirs.pep.education.attendance.percent == Decimal("95.1")


def test_list_items_merge_by_identity_not_position() -> None:
    record = example("southwark-primary")
    returned = record.model_copy(deep=True)
    returned.education.attainment = [a.model_copy() for a in reversed(record.education.attainment)]
    subject = next(a.subject for a in returned.education.attainment if a.predicted)
    next(a for a in returned.education.attainment if a.subject == subject).predicted = "Greater depth"
    merged = merge(record, returned)
    assert [a.subject for a in merged.pep.education.attainment] == [a.subject for a in record.education.attainment]
    changed = [c for c in merged.conflicts if c.path.endswith(".predicted")]
    assert len(changed) == 1 and changed[0].returned == "Greater depth"
    new_row = returned.model_copy(deep=True)
    new_row.education.attainment.append(
        pepdocs.PEP.model_validate({"education": {"attainment": [{"subject": "Art"}]}}).education.attainment[0]
    )
    assert [a.subject for a in merge(record, new_row).pep.education.attainment][-1] == "Art"


def test_the_cli_merges_a_returned_form(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    returned = tmp_path / "s3.docx"
    returned.write_bytes(
        answer(pepdocs.render(example("southwark-primary"), "southwark-full", sections=["3"]), {"Late sessions": "7"})
    )
    out = tmp_path / "merged.json"
    args = ["merge", str(root / "examples/southwark-primary.json"), str(returned), "-o", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "conflict @ $.education.attendance.late_sessions (kept record)" in result.output
    assert pepdocs.read_pep(out).education.attendance.late_sessions == 1
    result = CliRunner().invoke(main, [*args, "--prefer", "returned"])
    assert pepdocs.read_pep(out).education.attendance.late_sessions == 7


def kent_pdf_as_a_school_returns_it() -> bytes:
    """A Kent PDF pre-filled by the virtual school, then typed into in a PDF viewer by a Kent school."""
    import io

    from pypdf import PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    writer = PdfWriter(clone_from=io.BytesIO(pepdocs.render(prefilled_by_the_virtual_school(), "kent", "pdf")))
    typed = {
        "education.setting.name": "Harbourside Academy",
        "education.setting.start_date": "1 Sept 2023",
        "education.attendance.percent": "93.2 %",
        "plan.meeting_date": "14/11/25",
        "views.child.going_well": "Football and computing.\nMy English teacher.",
    }

    def walk(kids: object, prefix: str) -> None:
        for ref in kids:  # type: ignore[attr-defined]
            node = ref.get_object()
            if "/T" not in node:
                continue
            name = f"{prefix}.{node['/T']}" if prefix else str(node["/T"])
            if name in typed:
                node[NameObject("/V")] = TextStringObject(typed[name])
                node.pop("/AP", None)  # a viewer may leave the drawing to the next viewer
            walk(node.get("/Kids", []), name)

    walk(acroform(writer)["/Fields"], "")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_kent_pdf_completed_by_a_school_becomes_a_southwark_record_and_form() -> None:
    converted = convert(kent_pdf_as_a_school_returns_it(), "southwark-full", "pdf")
    pep = converted.pep
    assert converted.parsed.format == "pdf" and converted.report.source_form == "kent"
    assert_the_schools_answers_arrived(pep)
    translated = {c.path: (c.source, c.target) for c in converted.report.changes if c.kind == "translated"}
    assert translated["$.plan.meeting_date"] == ("14/11/25", "14/11/2025")
    back = pepdocs.parse(converted.document)
    assert back.form == "southwark-full" and back.format == "pdf" and back.pep.plan.meeting_date == date(2025, 11, 14)


def test_a_council_form_given_as_a_form_not_in_the_list_converts(tmp_path: Path) -> None:
    from pepdocs.forms._spec import load_form

    folder = pepdocs.scaffold_form(ROOT / "tests" / "corpus" / "riverford" / "original.pdf", "riverford", tmp_path)
    form = load_form(folder.folder / "form.toml")
    returned = pepdocs.render(example("early-years"), form, "pdf")
    converted = pepdocs.convert(returned, "early-years", form=form)
    assert converted.report.source_form == form.id and converted.pep.child.full_name
