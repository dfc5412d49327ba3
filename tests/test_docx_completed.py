"""Completed forms as people really return them (Word's markup, ticks, dates, prompts, added rows,
retyped forms, broken files) parse to the right PEP, and what has no place is kept, never dropped."""

from __future__ import annotations

import copy
import io
import itertools
import random
import time
import zipfile
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import docx
import pytest
from click.testing import CliRunner
from lxml import etree

import pepdocs
from pepdocs._cli import main
from pepdocs.forms._assemble import Parsed

from .conftest import ROOT, carried, example

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
_W = f"{{{W}}}"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
DOCUMENT = "word/document.xml"

# Each form with the example written for it.
CASES = [("southwark-full", "southwark-primary"), ("kent", "kent-secondary")]


# --- making completed documents ----------------------------------------------------------------


@cache
def rendered(form_id: str, name: str) -> bytes:
    return pepdocs.render(example(name), form_id)


def members(docx_bytes: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as package:
        return [(info, package.read(info.filename)) for info in package.infolist()]


def with_part(docx_bytes: bytes, name: str, data: bytes) -> bytes:
    """The package with one member replaced; every other member copied unchanged."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for info, content in members(docx_bytes):
            package.writestr(info, data if info.filename == name else content)
    return out.getvalue()


def document_xml(docx_bytes: bytes) -> bytes:
    return dict((info.filename, content) for info, content in members(docx_bytes))[DOCUMENT]


def edited(docx_bytes: bytes, change: Callable[[etree._Element], None]) -> bytes:
    """The DOCX with its document.xml changed in place by `change`, as Word would save it."""
    root = etree.fromstring(document_xml(docx_bytes))
    change(root)
    return with_part(
        docx_bytes, DOCUMENT, etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    )


def text_of(element: etree._Element) -> str:
    return "".join(t.text or "" for t in element.iter(f"{_W}t"))


def label_cell(root: etree._Element, label: str) -> etree._Element:
    for tc in root.iter(f"{_W}tc"):
        if text_of(tc) == label:
            return tc
    raise AssertionError(f"no cell labelled {label!r}")


def must(element: etree._Element | None) -> etree._Element:
    """An element the test knows is there."""
    assert element is not None
    return element


def value_cell(root: etree._Element, label: str) -> etree._Element:
    """The answer cell of a label: beside it, or below it for a narrative box."""
    tc = label_cell(root, label)
    beside = tc.getnext()
    if beside is not None and beside.tag == f"{_W}tc":
        return beside
    below = must(tc.getparent()).getnext()
    assert below is not None, label
    return must(below.find(f"{_W}tc"))


def table_headed(root: etree._Element, *labels: str) -> etree._Element:
    """The table whose first row holds exactly these column labels."""
    for tbl in root.iter(f"{_W}tbl"):
        first = tbl.find(f"{_W}tr")
        if first is not None and [text_of(tc) for tc in first.findall(f"{_W}tc")] == list(labels):
            return tbl
    raise AssertionError(f"no table headed {labels}")


def fragment(xml: str) -> list[etree._Element]:
    wrapper = etree.fromstring(f'<w:body xmlns:w="{W}" xmlns:w14="{W14}">{xml}</w:body>')
    return list(wrapper)


def run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


TAB = "<w:r><w:tab/></w:r>"


def para(*runs: str) -> str:
    return f"<w:p>{''.join(runs)}</w:p>"


def fill(tc: etree._Element, xml: str) -> None:
    """Replace what a cell holds (keeping its properties) with `xml`."""
    for child in list(tc):
        if child.tag != f"{_W}tcPr":
            tc.remove(child)
    tc.extend(fragment(xml))


def answer(docx_bytes: bytes, values: dict[str, str]) -> bytes:
    """The form with these labels' answers overwritten, each typed as one plain paragraph."""

    def change(root: etree._Element) -> None:
        for label, text in values.items():
            fill(value_cell(root, label), para(run(text)))

    return edited(docx_bytes, change)


def word_markup(root: etree._Element) -> None:
    """Mark a document up as Word saves it after editing: runs split at spelling marks, revision ids,
    rendered page breaks; the text people read is left as it was."""
    rsids = itertools.cycle(["00A1B2C3", "00D4E5F6", "0012AB34", "005F9E21"])
    sizes = itertools.cycle([3, 1, 5, 2, 4])
    for number, p in enumerate(root.iter(f"{_W}p")):
        p.set(f"{_W}rsidR", next(rsids))
        p.set(f"{_W}rsidRDefault", next(rsids))
        p.set(f"{_W}rsidP", next(rsids))
        first = p.find(f"{_W}r")
        if first is not None and number % 7 == 0:
            rpr = first.find(f"{_W}rPr")
            first.insert(0 if rpr is None else 1, etree.Element(f"{_W}lastRenderedPageBreak"))
    for r in list(root.iter(f"{_W}r")):
        r.set(f"{_W}rsidR", next(rsids))
        r.set(f"{_W}rsidRPr", next(rsids))
        texts = r.findall(f"{_W}t")
        if len(texts) != 1 or len(texts[0].text or "") < 2:
            continue
        text = texts[0].text or ""
        pieces = []
        while text:
            size = next(sizes)
            pieces.append(text[:size])
            text = text[size:]
        parent = must(r.getparent())
        at = parent.index(r)
        new: list[etree._Element] = [etree.Element(f"{_W}proofErr", {f"{_W}type": "spellStart"})]
        for piece in pieces:
            part = copy.deepcopy(r)
            part.set(f"{_W}rsidR", next(rsids))
            for t in part.findall(f"{_W}t"):
                t.text = piece
                t.set(_XML_SPACE, "preserve")
            new.append(part)
            if len(new) == 3:
                new.append(etree.Element(f"{_W}proofErr", {f"{_W}type": "spellEnd"}))
        parent.remove(r)
        for offset, element in enumerate(new):
            parent.insert(at + offset, element)


def go_back(tc: etree._Element) -> None:
    """Word's _GoBack bookmark, left where the cursor last was: in the middle of an answer."""
    p = must(tc.find(f"{_W}p"))
    runs = p.findall(f"{_W}r")
    middle = runs[len(runs) // 2]
    at = p.index(middle)
    p.insert(at, etree.Element(f"{_W}bookmarkStart", {f"{_W}id": "0", f"{_W}name": "_GoBack"}))
    p.insert(at + 2, etree.Element(f"{_W}bookmarkEnd", {f"{_W}id": "0"}))


def assert_carries(
    pep: pepdocs.PEP, form: pepdocs.Form, want: dict[str, object], sections: frozenset[str] | None = None
) -> None:
    """`pep` carries `want` on the form. With the child's year group unknown (no date of meeting or birth
    was read) the blocks for some years only are read too: they must then be empty."""
    got = carried(pep, form, sections)
    assert {path: got.get(path) for path in want} == want
    assert all(got[path] in (None, []) for path in set(got) - set(want))


def build_docx(make: Callable[[docx.document.Document], None]) -> bytes:
    document = docx.Document()
    make(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- 1. Word's own markup -----------------------------------------------------------------------


@pytest.mark.parametrize(("form_id", "name"), CASES)
def test_word_markup_in_every_run_and_paragraph_leaves_every_value_unchanged(form_id: str, name: str) -> None:
    original = rendered(form_id, name)
    school_label = "School name"

    def change(root: etree._Element) -> None:
        go_back(value_cell(root, school_label))
        word_markup(root)

    marked = edited(original, change)
    xml = document_xml(marked)
    assert b'w:type="spellStart"' in xml and b"w:rsidRPr=" in xml and b"lastRenderedPageBreak" in xml
    assert b'w:name="_GoBack"' in xml
    parsed = pepdocs.parse(marked)
    assert parsed.form == form_id
    assert parsed.warnings == []
    assert parsed.unmapped == []
    assert parsed.pep == pepdocs.parse(original).pep
    assert carried(parsed.pep, pepdocs.get_form(form_id)) == carried(example(name), pepdocs.get_form(form_id))


def test_a_value_split_into_many_runs_with_spelling_marks_reads_as_one_word() -> None:
    split = (
        '<w:p w:rsidR="00AB12CD" w:rsidRDefault="00AB12CD" w:rsidP="00EF3456">'
        '<w:proofErr w:type="spellStart"/>'
        '<w:r w:rsidR="00AB12CD"><w:t>Ok</w:t></w:r>'
        '<w:r w:rsidR="00EF3456" w:rsidRPr="00EF3456"><w:rPr><w:lang w:val="en-GB"/></w:rPr>'
        "<w:lastRenderedPageBreak/><w:t>a</w:t></w:r>"
        '<w:bookmarkStart w:id="0" w:name="_GoBack"/><w:bookmarkEnd w:id="0"/>'
        '<w:r w:rsidR="00AB12CD"><w:t>f</w:t></w:r>'
        '<w:r w:rsidRPr="00EF3456"><w:t>or</w:t></w:r>'
        '<w:proofErr w:type="spellEnd"/>'
        "</w:p>"
    )
    completed = edited(
        rendered("southwark-full", "southwark-primary"), lambda root: fill(value_cell(root, "Surname"), split)
    )
    parsed = pepdocs.parse(completed)
    assert parsed.pep.child.last_name == "Okafor"
    assert parsed.warnings == [] and parsed.unmapped == []


# --- 2. multi-line answers ----------------------------------------------------------------------

GOING_WELL = {"southwark-full": "What is going well at school?", "kent": "What am I good at, and what is going well?"}
LINES = ["I have two best friends.", "I got a star for my story.", "Choir on Tuesdays."]


@pytest.mark.parametrize(("form_id", "name"), CASES)
def test_an_answer_typed_as_one_paragraph_per_line_comes_back_joined_with_newlines(form_id: str, name: str) -> None:
    typed = "".join(para(run(line)) for line in LINES)
    completed = edited(rendered(form_id, name), lambda root: fill(value_cell(root, GOING_WELL[form_id]), typed))
    parsed = pepdocs.parse(completed)
    assert parsed.pep.views.child.going_well == "\n".join(LINES)
    assert parsed.warnings == [] and parsed.unmapped == []


@pytest.mark.parametrize(("form_id", "name"), CASES)
def test_an_answer_typed_with_soft_line_breaks_comes_back_joined_with_newlines(form_id: str, name: str) -> None:
    typed = para(
        f'<w:r><w:t>{LINES[0]}</w:t><w:br/><w:t xml:space="preserve">{LINES[1]}</w:t></w:r>',
        "<w:r><w:br/></w:r>",
        run(LINES[2]),
    )
    completed = edited(rendered(form_id, name), lambda root: fill(value_cell(root, GOING_WELL[form_id]), typed))
    parsed = pepdocs.parse(completed)
    assert parsed.pep.views.child.going_well == "\n".join(LINES)
    assert parsed.warnings == [] and parsed.unmapped == []


# --- 3. rows added to tables --------------------------------------------------------------------

TARGET_HEADER = ("Target", "Area", "How we will know it is achieved", "By when")
ACTION_HEADER = ("Action", "Who", "By when", "How and how often")


def add_row(tbl: etree._Element, model_row: int, values: list[str] | None = None, **by_column: str) -> None:
    """Copy a data row to the end of a table, as Word's "Insert row below" does, and type in it."""
    rows = tbl.findall(f"{_W}tr")
    row = copy.deepcopy(rows[model_row])
    cells = row.findall(f"{_W}tc")
    if values is not None:
        for tc, text in zip(cells, values, strict=True):
            fill(tc, para(run(text)))
    header = [text_of(tc) for tc in rows[0].findall(f"{_W}tc")]
    for column, text in by_column.items():
        fill(cells[header.index(column)], para(run(text)))
    rows[-1].addnext(row)


def test_rows_added_to_the_targets_and_actions_tables_are_read_as_extra_items_in_order() -> None:
    pep = example("southwark-primary")
    new_targets = [
        [
            "I will read aloud to my carer four nights a week.",
            "English and literacy",
            "Reading log signed",
            "20/03/2026",
        ],
        ["I will name the planets in order.", "Science", "Tells Daniel all eight at his visit", "1 May 2026"],
    ]
    new_actions = [
        ["Book a visit to the library with Zoë", "Foster carer", "31/10/2025", "Once"],
        ["Send the SALT report to school", "Social worker", "7/11/2025", "By email"],
    ]

    def change(root: etree._Element) -> None:
        targets = table_headed(root, *TARGET_HEADER)
        actions = table_headed(root, *ACTION_HEADER)
        for values in new_targets:
            add_row(targets, 1, values)
        for values in new_actions:
            add_row(actions, 1, values)

    parsed = pepdocs.parse(edited(rendered("southwark-full", "southwark-primary"), change))
    assert parsed.warnings == [] and parsed.unmapped == []
    got = parsed.pep
    assert [t.description for t in got.targets] == [t.description for t in pep.targets] + [v[0] for v in new_targets]
    assert [(t.area and t.area.value, t.success_measure, t.due_date) for t in got.targets[-2:]] == [
        ("english", "Reading log signed", date(2026, 3, 20)),
        ("science", "Tells Daniel all eight at his visit", date(2026, 5, 1)),
    ]
    before = got.model_copy(update={"targets": got.targets[:-2], "actions": got.actions[:-2]})
    form = pepdocs.get_form("southwark-full")
    assert carried(before, form) == carried(pep, form)
    assert [a.description for a in got.actions] == [a.description for a in pep.actions] + [v[0] for v in new_actions]
    assert [(a.owner, a.due_date, a.comment) for a in got.actions[-2:]] == [
        ("Foster carer", date(2025, 10, 31), "Once"),
        ("Social worker", date(2025, 11, 7), "By email"),
    ]


def test_a_copied_row_with_only_its_description_changed_keeps_the_copied_ticks_and_dates_on_kent() -> None:
    pep = example("kent-secondary")
    form = pepdocs.get_form("kent")
    block = next(b for _, b in form.blocks() if b.kind == "table" and b.path == "targets")
    header = [c.label for c in block.columns]
    names = [c.path.split("[].", 1)[1] for c in block.columns]
    filled = len([t for t in pep.targets if t.description])

    def change(root: etree._Element) -> None:
        tbl = table_headed(root, *header)
        add_row(tbl, filled, Target="I will hand in every science homework on time.")
        tbl2 = table_headed(root, *ACTION_HEADER)
        add_row(tbl2, 1, Action="Check the homework planner every Friday")

    got = pepdocs.parse(edited(rendered("kent", "kent-secondary"), change))
    assert got.warnings == [] and got.unmapped == []
    assert [t.description for t in got.pep.targets] == [t.description for t in pep.targets[:filled]] + [
        "I will hand in every science homework on time."
    ]
    copied, source = got.pep.targets[-1], pep.targets[filled - 1]
    for field in names:
        if field != "description":
            assert getattr(copied, field) == getattr(source, field), field
    assert got.pep.actions[-1].description == "Check the homework planner every Friday"
    assert got.pep.actions[-1].owner == pep.actions[0].owner
    assert len(got.pep.actions) == len(pep.actions) + 1


# --- 4. ticked boxes ----------------------------------------------------------------------------


def checkbox(checked: bool) -> str:
    """A real Word check box content control, as Word 2010 and later save it."""
    glyph = "☒" if checked else "☐"
    return (
        '<w:sdt><w:sdtPr><w:id w:val="-1712253551"/>'
        f'<w14:checkbox><w14:checked w14:val="{int(checked)}"/>'
        '<w14:checkedState w14:val="2612" w14:font="MS Gothic"/>'
        '<w14:uncheckedState w14:val="2610" w14:font="MS Gothic"/></w14:checkbox></w:sdtPr>'
        '<w:sdtContent><w:r><w:rPr><w:rFonts w:ascii="MS Gothic" w:eastAsia="MS Gothic" w:hAnsi="MS Gothic"/></w:rPr>'
        f"<w:t>{glyph}</w:t></w:r></w:sdtContent></w:sdt>"
    )


def boxes(options: list[str], ticked: set[str], style: str) -> str:
    """A tick-box answer as a person leaves it: one way of ticking, the other boxes left as printed."""
    pieces = []
    for option in options:
        on = option in ticked
        if style == "sdt":
            pieces.append(checkbox(on) + run(f" {option}"))
        else:
            mark = {"glyph": "☒", "X": "X", "[x]": "[x]"}[style] if on else "☐"
            pieces.append(run(f"{mark} {option}"))
    return para(TAB.join(pieces))


PARTICIPATION = ["Attended all of the meeting", "Attended part of the meeting", "Did not attend"]
TICKS = [
    # label, printed options, option ticked, path, value expected
    ("Interpreter needed", ["Yes", "No"], "Yes", ("child", "interpreter_needed"), True),
    (
        "Did the child attend the meeting?",
        PARTICIPATION,
        "Attended all of the meeting",
        ("plan", "child_participation"),
        "all",
    ),
    ("Term", ["Autumn", "Spring", "Summer"], "Spring", ("plan", "term"), "spring"),
]


def value_at(pep: pepdocs.PEP, path: tuple[str, str]) -> object:
    value = getattr(getattr(pep, path[0]), path[1])
    return getattr(value, "value", value)


@pytest.mark.parametrize("style", ["glyph", "X", "[x]", "sdt"])
@pytest.mark.parametrize(("label", "options", "tick", "path", "expected"), TICKS, ids=[t[0] for t in TICKS])
def test_a_ticked_box_reads_as_the_ticked_option(
    style: str, label: str, options: list[str], tick: str, path: tuple[str, str], expected: object
) -> None:
    pep = example("southwark-primary")
    assert value_at(pep, path) != expected  # the tick changes the answer
    typed = boxes(options, {tick}, style)
    parsed = pepdocs.parse(
        edited(rendered("southwark-full", "southwark-primary"), lambda r: fill(value_cell(r, label), typed))
    )
    assert parsed.warnings == [] and parsed.unmapped == []
    assert value_at(parsed.pep, path) == expected


@pytest.mark.parametrize("style", ["glyph", "X", "sdt"])
@pytest.mark.parametrize(("label", "options", "tick", "path", "expected"), TICKS, ids=[t[0] for t in TICKS])
def test_two_boxes_ticked_for_a_single_choice_gives_a_warning_naming_the_field_not_a_silent_pick(
    style: str, label: str, options: list[str], tick: str, path: tuple[str, str], expected: object
) -> None:
    typed = boxes(options, {options[0], options[1]}, style)
    parsed = pepdocs.parse(
        edited(rendered("southwark-full", "southwark-primary"), lambda r: fill(value_cell(r, label), typed))
    )
    json_path = f"$.{path[0]}.{path[1]}"
    assert len(parsed.warnings) == 1
    warning = parsed.warnings[0]
    assert warning.path == json_path
    assert warning.field == label and json_path in str(warning) and f'field "{label}"' in str(warning)
    assert warning.message == "2 boxes ticked for one choice"  # which two is the child's answer: kept, never said
    assert value_at(parsed.pep, path) is None
    kept = [item for item in parsed.unmapped if item.path == json_path]
    assert len(kept) == 1 and kept[0].label == label
    for option in options[:2]:
        assert option in kept[0].text


@pytest.mark.parametrize(("form_id", "name"), [("southwark-full", "southwark-primary"), ("kent", "kent-secondary")])
def test_words_typed_into_a_labels_own_cell_are_kept_as_unmapped_naming_the_label(form_id: str, name: str) -> None:
    def change(root: etree._Element) -> None:
        label_cell(root, "Religion").append(fragment(para(run("Typed here by mistake")))[0])

    parsed = pepdocs.parse(edited(rendered(form_id, name), change))
    (kept,) = parsed.unmapped
    assert (kept.label, kept.text) == ("Religion", "Religion\nTyped here by mistake")
    assert kept.where.endswith("the label's own cell")
    assert parsed.pep.child.religion == example(name).child.religion


@pytest.mark.parametrize(("form_id", "name"), [("southwark-full", "southwark-primary"), ("kent", "kent-secondary")])
def test_a_comment_in_the_margin_is_kept_as_unmapped_without_its_author(form_id: str, name: str) -> None:
    document = docx.Document(io.BytesIO(rendered(form_id, name)))
    runs = next(p.runs for table in document.tables for c in table._cells for p in c.paragraphs if p.runs)
    document.add_comment(runs, text="Moved to a new school in May", author="Jane Author", initials="JA")
    out = io.BytesIO()
    document.save(out)
    parsed = pepdocs.parse(out.getvalue())
    assert [(u.where, u.text) for u in parsed.unmapped] == [
        ("comment 1: a comment in the margin, outside any answer", "Moved to a new school in May")
    ]
    assert "Jane Author" not in repr(parsed.unmapped)


def test_an_empty_box_typed_as_square_brackets_is_not_a_tick() -> None:
    typed = para(run("[x] Yes"), TAB, run("[ ] No"))
    completed = edited(
        rendered("southwark-full", "southwark-primary"), lambda r: fill(value_cell(r, "Interpreter needed"), typed)
    )
    parsed = pepdocs.parse(completed)
    assert parsed.warnings == []
    assert parsed.pep.child.interpreter_needed is True


# --- 5. dates as people type them ---------------------------------------------------------------


@pytest.mark.parametrize("form_id", ["southwark-full", "kent"])
@pytest.mark.parametrize("typed", ["1/9/2025", "01-09-25", "1 September 2025", "1st Sept 2025", " 01/09/2025 "])
def test_a_date_typed_the_way_people_write_it_reads_as_that_day(typed: str, form_id: str) -> None:
    name = dict(CASES)[form_id]
    parsed = pepdocs.parse(answer(rendered(form_id, name), {"Date of meeting": typed}))
    assert parsed.warnings == [] and parsed.unmapped == []
    assert parsed.pep.plan.meeting_date == date(2025, 9, 1)


def test_a_date_in_a_word_date_picker_reads_as_the_date_it_shows() -> None:
    picker = para(
        '<w:sdt><w:sdtPr><w:id w:val="12"/><w:date w:fullDate="2025-09-01T00:00:00Z"><w:dateFormat w:val="dd/MM/yyyy"/>'
        '<w:lid w:val="en-GB"/><w:storeMappedDataAs w:val="dateTime"/><w:calendar w:val="gregorian"/>'
        "</w:date></w:sdtPr>"
        f"<w:sdtContent>{run('01/09/2025')}</w:sdtContent></w:sdt>"
    )
    completed = edited(
        rendered("southwark-full", "southwark-primary"), lambda r: fill(value_cell(r, "Date of meeting"), picker)
    )
    parsed = pepdocs.parse(completed)
    assert parsed.pep.plan.meeting_date == date(2025, 9, 1)
    assert parsed.warnings == []


@pytest.mark.parametrize(("form_id", "name"), CASES)
def test_an_impossible_date_gives_a_warning_naming_the_field_and_keeps_the_text(form_id: str, name: str) -> None:
    pep = example(name)
    parsed = pepdocs.parse(answer(rendered(form_id, name), {"Date of meeting": "31/02/2025"}))
    assert len(parsed.warnings) == 1
    warning = parsed.warnings[0]
    assert warning.path == "$.plan.meeting_date"
    assert "Date of meeting" in str(warning) and "$.plan.meeting_date" in str(warning)
    assert warning.message == "not a day of the calendar"  # what was wrong, never the value typed
    assert parsed.pep.plan.meeting_date is None
    assert [(u.label, u.text, u.path) for u in parsed.unmapped] == [
        ("Date of meeting", "31/02/2025", "$.plan.meeting_date")
    ]
    assert "31/02/2025" in parsed.pep.extensions[form_id].values()
    # The rest of the form still parses.
    form = pepdocs.get_form(form_id)
    want = carried(pep, form)
    want["plan.meeting_date"] = None
    assert_carries(parsed.pep, form, want)


# --- 6. placeholder prompts -----------------------------------------------------------------------


def placeholder_block(prompt: str) -> str:
    """A rich-text content control around the cell's paragraph, still showing its prompt."""
    return (
        '<w:sdt><w:sdtPr><w:id w:val="-305"/><w:placeholder><w:docPart w:val="DefaultPlaceholder_-1854013440"/>'
        "</w:placeholder><w:showingPlcHdr/></w:sdtPr><w:sdtContent>"
        '<w:p><w:r><w:rPr><w:rStyle w:val="PlaceholderText"/></w:rPr>'
        f"<w:t>{escape(prompt)}</w:t></w:r></w:p></w:sdtContent></w:sdt>"
    )


def placeholder_inline(prompt: str, kind: str = "") -> str:
    """A content control inside the paragraph (plain text, date picker or drop-down), showing its prompt."""
    return para(
        f'<w:sdt><w:sdtPr><w:id w:val="-306"/><w:showingPlcHdr/>{kind}</w:sdtPr><w:sdtContent>'
        f'<w:r><w:rPr><w:rStyle w:val="PlaceholderText"/></w:rPr><w:t>{escape(prompt)}</w:t></w:r>'
        "</w:sdtContent></w:sdt>"
    )


DATE_PICKER = '<w:date><w:dateFormat w:val="dd/MM/yyyy"/><w:lid w:val="en-GB"/></w:date>'
DROP_DOWN = '<w:dropDownList><w:listItem w:displayText="Full care order (C2)" w:value="C2"/></w:dropDownList>'


@pytest.mark.parametrize(("form_id", "name"), CASES)
def test_placeholder_prompts_left_in_unanswered_cells_read_as_empty(form_id: str, name: str) -> None:
    cells = {
        "Venue": para(run("Click or tap here to enter text.")),
        "Chair": placeholder_block("Click or tap here to enter text."),
        "First language": placeholder_inline("Click or tap here to enter text."),
        "Religion": placeholder_block("Click here to enter text."),
        "Legal status": placeholder_inline("Choose an item.", DROP_DOWN),
        "Date of birth": placeholder_inline("Click or tap to enter a date.", DATE_PICKER),
        "Placement start date": para(run("dd/mm/yyyy")),
    }

    def change(root: etree._Element) -> None:
        for label, xml in cells.items():
            fill(value_cell(root, label), xml)
        tables = root.iter(f"{_W}tbl")
        targets = next(tbl for tbl in tables if text_of(must(must(tbl.find(f"{_W}tr")).find(f"{_W}tc"))) == "Target")
        first_row = targets.findall(f"{_W}tr")[1]
        header = [text_of(tc) for tc in must(targets.find(f"{_W}tr")).findall(f"{_W}tc")]
        due = header.index("By when" if "By when" in header else "Deadline")
        fill(first_row.findall(f"{_W}tc")[due], placeholder_inline("Click or tap to enter a date.", DATE_PICKER))

    parsed = pepdocs.parse(edited(rendered(form_id, name), change))
    assert parsed.warnings == [] and parsed.unmapped == []
    got = parsed.pep
    assert got.plan.meeting_venue is None
    assert got.plan.chair.name is None
    assert got.child.first_language is None
    assert got.child.religion is None
    assert got.care.legal_status is None
    assert got.child.date_of_birth is None
    assert got.care.placement_start_date is None
    assert got.targets[0].due_date is None
    assert got.targets[0].description == example(name).targets[0].description


def test_a_custom_placeholder_in_a_content_control_around_the_cell_paragraph_reads_as_empty() -> None:
    completed = edited(
        rendered("southwark-full", "southwark-primary"),
        lambda r: fill(value_cell(r, "Venue"), placeholder_block("Type the venue of the meeting")),
    )
    parsed = pepdocs.parse(completed)
    assert parsed.pep.plan.meeting_venue is None
    assert parsed.unmapped == []


def test_a_custom_placeholder_in_a_content_control_inside_the_paragraph_reads_as_empty() -> None:
    completed = edited(
        rendered("southwark-full", "southwark-primary"),
        lambda r: fill(value_cell(r, "Venue"), placeholder_inline("Type the venue of the meeting")),
    )
    parsed = pepdocs.parse(completed)
    assert parsed.pep.plan.meeting_venue is None
    assert parsed.warnings == [] and parsed.unmapped == []


# --- 7. a form retyped by a school ------------------------------------------------------------------

UPN = "L210245621034"  # southwark-primary's, a valid UPN
CHILD_ROWS = [
    ("Surname", "Okafor"),
    ("First name(s)", "Chidi"),
    ("Middle name(s)", "Emeka"),
    ("Preferred name", "Chi"),
    ("Date of birth", "3 March 2014"),
    ("Gender", "Male"),
    ("Ethnicity", "Black African"),
    ("Religion", "Christian"),
    ("First language", "English"),
    ("Interpreter needed", "No"),
    ("Mosaic person ID", "4471823"),
    ("UPN", UPN),
    ("Responsible authority", "Southwark"),
]
MEETING_ROWS = [
    ("Date of meeting", "14/10/2025"),
    ("Venue", "Bellenden Fields Primary School"),
    ("Academic year", "2025-26"),
    ("PEP number this academic year", "1"),
    ("Chair", "Priya Raman"),
    ("Chair's role", "Designated teacher"),
    ("School name", "Bellenden Fields Primary School"),
    ("Phase", "Primary"),
    ("Date joined this school", "2 September 2021"),
    ("School phone", "020 7525 0000"),
    ("Legal status", "Full care order (C2)"),
    ("Placement type", "Foster placement with other foster carer (U4)"),
]
RETYPED_TARGETS = [
    ("Read every night", "English and literacy", "Reading log signed", "1/3/2026"),
    ("Learn my 8 times table", "Maths and numeracy", "25 out of 25", "01/04/2026"),
]


def retyped(rows: list[tuple[str, str]]) -> bytes:
    """A school's own copy of the form: a fresh document, no bookmarks, no custom properties."""

    def make(document: docx.document.Document) -> None:
        document.add_heading("Personal Education Plan", 0)
        table = document.add_table(rows=0, cols=2)
        for label, value in rows:
            cells = table.add_row().cells
            cells[0].text, cells[1].text = label, value
        document.add_paragraph("")
        targets = document.add_table(rows=1, cols=4)
        for cell, label in zip(targets.rows[0].cells, TARGET_HEADER, strict=True):
            cell.text = label
        for row in RETYPED_TARGETS:
            for cell, text in zip(targets.add_row().cells, row, strict=True):
                cell.text = text

    data = build_docx(make)
    names = {info.filename for info, _ in members(data)}
    assert "docProps/custom.xml" not in names and b"bookmarkStart" not in document_xml(data)
    return data


def assert_retyped_values_read(parsed: Parsed) -> None:
    child = parsed.pep.child
    assert (child.last_name, child.first_name, child.date_of_birth, child.upn) == (
        "Okafor",
        "Chidi",
        date(2014, 3, 3),
        UPN,
    )
    assert [
        (t.description, t.area.value if t.area else None, t.success_measure, t.due_date) for t in parsed.pep.targets
    ] == [
        ("Read every night", "english", "Reading log signed", date(2026, 3, 1)),
        ("Learn my 8 times table", "maths", "25 out of 25", date(2026, 4, 1)),
    ]
    assert ("Favourite colour", "green") in [(u.label, u.text) for u in parsed.unmapped]
    assert "green" in parsed.pep.extensions[parsed.form].values()


def test_a_retyped_form_given_its_form_id_reads_the_values_typed_in_it() -> None:
    parsed = pepdocs.parse(retyped([*CHILD_ROWS, *MEETING_ROWS, ("Favourite colour", "green")]), form="southwark-full")
    assert parsed.form == "southwark-full"
    assert parsed.warnings == []
    assert_retyped_values_read(parsed)
    got = parsed.pep
    assert got.child.middle_names == "Emeka" and got.child.religion == "Christian"
    assert got.child.interpreter_needed is False
    assert got.plan.meeting_date == date(2025, 10, 14)
    assert got.plan.chair.name == "Priya Raman"
    assert got.education.setting.name == "Bellenden Fields Primary School"
    assert got.education.setting.start_date == date(2021, 9, 2)
    assert got.care.legal_status is not None and got.care.legal_status.value == "C2"
    # Nothing but the extra row is left over: the heading is the form's title.
    assert [u.text for u in parsed.unmapped] == ["Favourite colour", "green"]


def test_an_extra_labelled_row_in_a_retyped_form_is_kept_in_unmapped_never_dropped() -> None:
    parsed = pepdocs.parse(retyped([*CHILD_ROWS, *MEETING_ROWS, ("Favourite colour", "green")]))
    assert ("Favourite colour", "green") in [(u.label, u.text) for u in parsed.unmapped]
    assert "green" in parsed.pep.extensions[parsed.form].values()


def test_a_form_retyped_by_a_school_is_recognised_as_southwark_full_by_its_labels() -> None:
    parsed = pepdocs.parse(retyped([*CHILD_ROWS, *MEETING_ROWS, ("Favourite colour", "green")]))
    assert parsed.form == "southwark-full"
    assert_retyped_values_read(parsed)


def without_bookmarks_or_properties(docx_bytes: bytes) -> bytes:
    def strip(root: etree._Element) -> None:
        for mark in list(root.iter(f"{_W}bookmarkStart", f"{_W}bookmarkEnd")):
            must(mark.getparent()).remove(mark)

    stripped = edited(docx_bytes, strip)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for info, content in members(stripped):
            if info.filename != "docProps/custom.xml":
                package.writestr(info, content)
    return out.getvalue()


@pytest.mark.parametrize(("form_id", "name"), CASES)
def test_a_whole_form_copied_without_bookmarks_or_properties_is_recognised_by_its_labels(
    form_id: str, name: str
) -> None:
    copied = without_bookmarks_or_properties(rendered(form_id, name))
    assert b"bookmarkStart" not in document_xml(copied)
    parsed = pepdocs.parse(copied)
    assert parsed.form == form_id
    assert parsed.warnings == [] and parsed.unmapped == []
    form = pepdocs.get_form(form_id)
    assert carried(parsed.pep, form, like=example(name)) == carried(example(name), form)


# --- 8. text typed outside the tables -------------------------------------------------------------


@pytest.mark.parametrize(("form_id", "name"), CASES)
def test_a_paragraph_typed_between_sections_is_kept_in_unmapped(form_id: str, name: str) -> None:
    note = "Note from school: the SALT report will follow next week."

    def change(root: etree._Element) -> None:
        heading = next(
            p for p in root.iter(f"{_W}p") if text_of(p).startswith("Section 3") or text_of(p).startswith("Section C")
        )
        heading.addprevious(fragment(para(run(note)))[0])

    parsed = pepdocs.parse(edited(rendered(form_id, name), change))
    assert parsed.warnings == []
    assert [(u.label, u.text) for u in parsed.unmapped] == [("", note)]
    assert parsed.unmapped[0].where.startswith("paragraph ")
    assert note in parsed.pep.extensions[form_id].values()
    form = pepdocs.get_form(form_id)
    assert carried(parsed.pep, form, like=example(name)) == carried(example(name), form)


# --- 9. bad input -----------------------------------------------------------------------------------


def _zip(members_: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name, data in members_.items():
            package.writestr(name, data)
    return out.getvalue()


def _prose() -> bytes:
    def write(document: docx.document.Document) -> None:
        document.add_paragraph("Dear colleagues, please find attached the minutes of Tuesday's staff meeting.")

    return build_docx(write)


BAD_FILES: list[tuple[str, Callable[[], bytes], type[pepdocs.PepdocsError]]] = [
    ("empty.docx", lambda: b"", pepdocs.DocumentError),
    ("random.docx", lambda: b"\x00\x13" + random.Random(7).randbytes(4000), pepdocs.DocumentError),
    ("notes.docx", lambda: "Zoë's PEP notes\nTargets: reading, times tables\n".encode(), pepdocs.DocumentError),
    ("archive.docx", lambda: _zip({"readme.txt": b"hello", "data/a.csv": b"1,2"}), pepdocs.DocumentError),
    (
        "truncated.docx",
        lambda: (lambda d: d[: len(d) // 2])(rendered("southwark-full", "southwark-primary")),
        pepdocs.DocumentError,
    ),
    ("letter.docx", _prose, pepdocs.NotAPepFormError),
]


@pytest.mark.parametrize(("filename", "content", "error"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_file_that_is_no_completed_form_raises_a_specific_error_naming_the_file(
    tmp_path: Path, filename: str, content: Callable[[], bytes], error: type[pepdocs.PepdocsError]
) -> None:
    path = tmp_path / filename
    path.write_bytes(content())
    with pytest.raises(pepdocs.PepdocsError) as raised:
        pepdocs.parse(path)
    assert type(raised.value) is error
    assert str(path) in str(raised.value)
    assert raised.value.file == str(path)  # type: ignore[attr-defined]


def test_a_missing_file_raises_a_document_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.docx"
    with pytest.raises(pepdocs.DocumentError, match=r"nowhere\.docx"):
        pepdocs.parse(path)


def test_an_unknown_form_id_raises_a_form_error_listing_the_known_ids(tmp_path: Path) -> None:
    path = tmp_path / "form.docx"
    path.write_bytes(rendered("southwark-full", "southwark-primary"))
    ids = [form.id for form in pepdocs.list_forms()]
    for call in (
        lambda: pepdocs.parse(path, form="nope"),
        lambda: pepdocs.render(example("southwark-primary"), "nope"),
    ):
        with pytest.raises(pepdocs.FormError) as raised:
            call()
        assert "nope" in str(raised.value)
        for form_id in ids:
            assert form_id in str(raised.value)


def _entities(levels: int) -> bytes:
    declarations = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, levels + 1)
    )
    return f"<!DOCTYPE w:document [{declarations}]>".encode()


def _with_doctype(docx_bytes: bytes, doctype: bytes, prolog: bytes = b"", reference: bytes = b"&lol9;") -> bytes:
    body = document_xml(docx_bytes).split(b"?>", 1)[1]
    body = body.replace(b">Okonkwo-Hart<", b">" + reference + b"<", 1)
    return with_part(
        docx_bytes, DOCUMENT, b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + prolog + doctype + body
    )


@pytest.mark.parametrize("prolog", [b"", b"<!--" + b" " * 70_000 + b"-->"], ids=["at the top", "after a long comment"])
def test_a_document_declaring_entities_is_refused_quickly(tmp_path: Path, prolog: bytes) -> None:
    path = tmp_path / "laughs.docx"
    path.write_bytes(_with_doctype(rendered("southwark-full", "southwark-primary"), _entities(9), prolog))
    started = time.perf_counter()
    with pytest.raises(pepdocs.DocumentError) as raised:
        pepdocs.parse(path)
    assert time.perf_counter() - started < 2
    assert type(raised.value) is pepdocs.DocumentError
    assert str(path) in str(raised.value)


def test_a_small_entity_declared_after_a_long_comment_is_refused_not_silently_dropped(tmp_path: Path) -> None:
    path = tmp_path / "entity.docx"
    doctype = b'<!DOCTYPE w:document [<!ENTITY surname "Smith">]>'
    prolog = b"<!--" + b" " * 70_000 + b"-->"
    path.write_bytes(_with_doctype(rendered("southwark-full", "southwark-primary"), doctype, prolog, b"&surname;"))
    with pytest.raises(pepdocs.DocumentError, match="DTD"):
        pepdocs.parse(path)


def test_the_cli_reports_a_bad_file_in_one_line_and_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "notes.docx"
    path.write_text("not a Word document", encoding="utf-8")
    result = CliRunner().invoke(main, ["parse", str(path)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("pepdocs:") and str(path) in lines[0]
    assert "Traceback" not in result.output


def test_the_cli_renders_and_parses_back_to_json_that_read_pep_loads(tmp_path: Path) -> None:
    case = ROOT / "examples" / "southwark-primary.json"
    form_docx, record = tmp_path / "out" / "pep.docx", tmp_path / "out" / "pep.json"
    runner = CliRunner()
    rendered_ = runner.invoke(main, ["render", str(case), "--form", "southwark-full", "-o", str(form_docx), "--mkdir"])
    assert rendered_.exit_code == 0, rendered_.output
    parsed = runner.invoke(main, ["parse", str(form_docx), "-o", str(record)])
    assert parsed.exit_code == 0, parsed.output
    assert "Traceback" not in parsed.output
    form = pepdocs.get_form("southwark-full")
    assert carried(pepdocs.read_pep(record), form) == carried(pepdocs.read_pep(case), form)


# --- 10. one section on its own -------------------------------------------------------------------------


def test_a_render_of_section_3_alone_holds_only_section_3_and_parses_to_its_paths() -> None:
    pep = example("southwark-primary")
    form = pepdocs.get_form("southwark-full")
    part = pepdocs.render(pep, "southwark-full", sections=["3"])
    root = etree.fromstring(document_xml(part))
    paragraphs = [text_of(p) for p in root.iter(f"{_W}p")]
    cells = {text_of(tc) for tc in root.iter(f"{_W}tc")}
    assert "Personal Education Plan: Section 3 only" in paragraphs
    assert "Section 3: School information" in paragraphs
    assert not any(text.startswith(("Section 1", "Section 2", "Section 4")) for text in paragraphs)
    for label in ("Surname", "Mosaic person ID", "Legal status", "Placement type", "Date of meeting", "Target"):
        assert label not in cells
    for label in ("School name", "School URN", "SEN status"):
        assert label in cells

    parsed = pepdocs.parse(part)
    assert parsed.form == "southwark-full" and parsed.sections == ["3"]
    assert parsed.warnings == [] and parsed.unmapped == []
    got = parsed.pep
    assert got.education.setting.name == pep.education.setting.name is not None
    assert got.child.last_name is None and got.care.legal_status is None
    assert got.plan.meeting_date is None and got.targets == []
    only = frozenset({"3"})
    assert_carries(got, form, carried(pep, form, only), only)


def test_a_strict_parse_refuses_a_value_it_cannot_read_naming_the_field_and_path(tmp_path: Path) -> None:
    path = tmp_path / "returned.docx"
    path.write_bytes(answer(rendered("southwark-full", "southwark-primary"), {"Date of meeting": "31/02/2025"}))
    with pytest.raises(pepdocs.FieldValueError) as raised:
        pepdocs.parse(path, strict=True)
    message = str(raised.value)
    assert "returned.docx" in message and "Date of meeting" in message and "$.plan.meeting_date" in message
    assert raised.value.path == "$.plan.meeting_date"
