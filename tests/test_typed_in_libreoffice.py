"""Forms a person types into in LibreOffice (driven over UNO by lo_type.py) read back what was typed, and no more."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Any

import pytest

import pepdocs
from pepdocs.forms._codecs import write
from pepdocs.forms._spec import Field, Form, load_form, option_label
from pepdocs.model._paths import get
from pepdocs.workflows._scaffold import scaffold_form
from tests.conftest import ROOT, carried, example, office, uno_python
from tests.examples import EXAMPLE_FOR

pytestmark = pytest.mark.office

TYPIST = Path(__file__).with_name("lo_type.py")

STORY = (
    "Ellis reads to his carer every evening and now finishes a chapter book a week.\n"
    "He would like to join the school's coding club after half term."
)
DATE, DATE_READ = "09/10/2026", "2026-10-09"  # day first, as an English school writes it


@pytest.fixture(scope="module")
def soffice(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """The port of a headless LibreOffice of this module's own, with a throw-away profile, stopped at the end."""
    program = office("soffice")
    uno_python()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    profile = tmp_path_factory.mktemp("lo-profile")
    command = [
        program,
        "--headless",
        "--norestore",
        "--nologo",
        "--nodefault",
        "--nolockcheck",
        f"-env:UserInstallation={profile.as_uri()}",
        f"--accept=socket,host=127.0.0.1,port={port};urp;",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, f"soffice exited with status {process.returncode}"
                assert time.monotonic() < deadline, "soffice did not listen within 60 s"
                time.sleep(0.2)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # soffice and the soffice.bin it starts, in their own group
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def typed(port: int, docx: bytes, answers: list[dict[str, Any]], work: Path) -> bytes:
    """The DOCX after lo_type.py typed `answers` into it in LibreOffice and saved it as Word 2007-365."""
    source, target = work / "form.docx", work / "typed.docx"
    source.write_bytes(docx)
    command = [uno_python(), str(TYPIST), str(port), str(source), str(target)]
    result = subprocess.run(command, input=json.dumps(answers), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return target.read_bytes()


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for name in parents:
        if data.get(name) is None:
            data[name] = {}
        data = data[name]
    data[last] = value


def _with(pep: pepdocs.PEP, values: dict[str, Any]) -> pepdocs.PEP:
    """`pep` with these paths set (JSON values; a list replaces a table's items)."""
    data = pep.model_dump(mode="json", exclude_none=True)
    for path, value in values.items():
        _put(data, path, value)
    return pepdocs.PEP.model_validate(data)


def _leaves(value: Any, path: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        return {k: v for name, inner in value.items() for k, v in _leaves(inner, f"{path}.{name}".lstrip(".")).items()}
    if isinstance(value, list) and value:
        return {k: v for n, inner in enumerate(value) for k, v in _leaves(inner, f"{path}[{n}]").items()}
    return {path: value}


def differences(expected: pepdocs.PEP, got: pepdocs.PEP) -> dict[str, tuple[Any, Any]]:
    """Each model path whose value differs: (expected, got)."""
    want, have = _leaves(expected.model_dump()), _leaves(got.model_dump())
    return {p: (want.get(p), have.get(p)) for p in sorted(want.keys() | have.keys()) if want.get(p) != have.get(p)}


# --- the built-in forms --------------------------------------------------------------------------


def prefilled(form: Form, source: pepdocs.PEP) -> pepdocs.PEP:
    """What the form's first section (and name band) holds of `source`, the rest blank: the form a school receives."""
    full = source.model_dump(mode="json")
    paths = [f.path for f in form.title_fields if not f.derived]
    for _section, block in form.blocks(frozenset({form.sections[0].key})):
        paths += [block.path] if block.kind == "table" else [f.path for f in block.cells() if not f.derived]
    data: dict[str, Any] = {}
    for path in paths:
        if get(full, path) is not None:
            _put(data, path, get(full, path))
    return pepdocs.PEP.model_validate(data)


# What a designated teacher fills in, by the model path each form gives it (the first one the form has).
STORY_AT = ["views.school", "education.strengths"]
DATE_AT = ["education.attendance.as_at", "plan.meeting_date"]
TICK_AT = ["plan.child_participation"]
TABLE_AT = ["education.interventions", "education.attainment"]
WORDS = {
    "description": "Lexia reading programme",
    "frequency": "Three times a week",
    "staff": "Mrs Okafor (teaching assistant)",
    "impact": "Reading age up 8 months",
    "subject": "English",
    "current": "Working towards 6",
    "expected": "6",
    "predicted": "6",
}


def _cell(column: Field) -> tuple[str, Any]:
    """What a teacher types in a table cell, and its JSON value."""
    kind = column.slot.kind
    if kind == "date":
        return "01/09/2026", "2026-09-01"
    if kind == "bool":
        return "Yes", True
    assert kind == "text", column.path
    words = WORDS[column.path.split("[].", 1)[1]]
    return words, words


def teachers_answers(form: Form) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """A designated teacher's answers for the form: two paragraphs, a date, a tick and a table row.

    Returns what lo_type.py types and each model path's value (JSON) as it should read back. The answers go
    after the first section, which comes pre-filled.
    """
    later = frozenset(s.key for s in form.sections[1:])
    fields = {f.path: f for f in form.fields(later)}
    tables = {block.path: block for _s, block in form.blocks(later) if block.kind == "table"}
    story = fields[next(p for p in STORY_AT if p in fields)]
    when = fields[next(p for p in DATE_AT if p in fields)]
    box = fields[next(p for p in TICK_AT if p in fields)]
    table = tables[next(p for p in TABLE_AT if p in tables)]
    option = box.options[1]
    assert isinstance(option, Enum)
    cells = [_cell(column) for column in table.columns]
    item: dict[str, Any] = {}
    for column, (_text, value) in zip(table.columns, cells, strict=True):
        _put(item, column.path.split("[].", 1)[1], value)
    answers: list[dict[str, Any]] = [
        {"label": story.label, "text": STORY},
        {"label": when.label, "text": DATE},
        {"label": box.label, "tick": option_label(option)},
        {"headings": [c.label for c in table.columns], "row": 1, "cells": [text for text, _v in cells]},
    ]
    return answers, {story.path: STORY, when.path: DATE_READ, box.path: option.value, table.path: [item]}


@pytest.mark.parametrize("form_id", sorted(EXAMPLE_FOR))
def test_what_a_teacher_types_in_libreoffice_reads_back_exactly_and_nothing_else_changes(
    soffice: int, form_id: str, tmp_path: Path
) -> None:
    form = pepdocs.get_form(form_id)
    document = pepdocs.render(prefilled(form, example(EXAMPLE_FOR[form_id])), form)
    before = pepdocs.parse(document, form=form).pep
    answers, values = teachers_answers(form)
    assert all(get(before, path) in (None, []) for path in values), "the typed places were not blank"
    parsed = pepdocs.parse(typed(soffice, document, answers, tmp_path))
    assert parsed.form == form.id
    assert not parsed.warnings
    assert not parsed.unmapped
    assert differences(_with(before, values), parsed.pep) == {}


def whole_record(form: Form, pep: pepdocs.PEP) -> list[dict[str, Any]]:
    """Every answer `pep` gives after the form's first section, as lo_type.py types it: the words the form would
    print, ticks in the boxes, table rows added where the printed ones run out."""
    answers: list[dict[str, Any]] = []
    for section, block in form.blocks(frozenset(s.key for s in form.sections[1:])):
        years = block.years or section.years
        if years and pep.year_group is not None and not years[0] <= pep.year_group <= years[1]:
            continue
        if block.kind == "table":
            names = [c.path.split("[].", 1)[1] for c in block.columns]
            items = [i for i in get(pep, block.path) or [] if any(get(i, n) not in (None, "", []) for n in names)]
            for n, item in enumerate(items, 1):
                cells = [write(c.slot, get(item, name)) or None for c, name in zip(block.columns, names, strict=True)]
                answers.append({"headings": [c.label for c in block.columns], "row": n, "cells": cells})
        elif block.kind == "grid":  # rows by row labels, under the column headings and a blank corner
            per = len(block.columns) // len(block.row_labels)
            headings = ["", *(c.label for c in block.columns[:per])]
            for n in range(len(block.row_labels)):
                row = block.columns[n * per : (n + 1) * per]
                cells = [None, *(write(c.slot, get(pep, c.path)) or None for c in row)]
                if any(cells):
                    answers.append({"headings": headings, "row": n + 1, "cells": cells})
        else:
            for field in block.fields:
                value = None if field.derived else get(pep, field.path)
                if value in (None, "", []):
                    continue
                if field.widget == "boxes":
                    answers += [{"label": field.label, "tick": option_label(o)} for o in _listed(value)]
                else:
                    answers.append({"label": field.label, "text": write(field.slot, value)})
    return answers


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("form_id", sorted(EXAMPLE_FOR))
def test_a_whole_record_typed_in_libreoffice_reads_back_as_the_record(
    soffice: int, form_id: str, tmp_path: Path
) -> None:
    form = pepdocs.get_form(form_id)
    pep = example(EXAMPLE_FOR[form_id])
    answers = whole_record(form, pep)
    assert len(answers) >= 50
    parsed = pepdocs.parse(typed(soffice, pepdocs.render(prefilled(form, pep), form), answers, tmp_path))
    assert parsed.form == form.id
    assert not parsed.warnings
    assert not parsed.unmapped
    assert carried(parsed.pep, form, like=pep) == carried(pep, form)


# --- a council's own form --------------------------------------------------------------------------


# What a person types into two councils' forms from tests/corpus, and each model path's value (JSON) it reads as.
COUNCILS: dict[str, tuple[list[dict[str, Any]], dict[str, Any]]] = {
    "eastvale": (  # Word content controls
        [
            {"label": "Legal first name", "text": "Ellis"},  # a plain-text control
            {"label": "Date of Birth", "text": "09/10/2014"},  # a date control
            {"label": "Ethnic origin", "choose": "Black African"},  # drop-downs
            {"label": "SEN status", "choose": "SEN Support"},
            {"label": "Interpreter needed", "tick": ""},  # a check box control in a table
            {"label": "SDQ score (most recent)", "text": "14"},
            {"label": "My hopes and dreams for the future", "text": STORY},  # a rich-text control under a heading
            {"label": "I would like a copy of my PEP", "tick": ""},  # a check box control after the question
        ],
        {
            "child.first_name": "Ellis",
            "child.date_of_birth": "2014-10-09",
            "child.ethnicity": "BAFR",
            "education.sen.status": "K",
            "child.interpreter_needed": True,
            "health.sdq.score": 14,
            "views.child.aspirations": STORY,
            "views.child.wants_copy": True,
        },
    ),
    "northmoor": (  # Word's legacy form fields (FORMTEXT, FORMCHECKBOX, FORMDROPDOWN)
        [
            {"label": "Surname", "text": "Okoro"},
            {"label": "D.O.B.", "text": "09/10/2014"},
            {"label": "Gender", "choose": "Female"},
            {"label": "Legal Status", "choose": "Full Care Order"},
            {"label": "Interpreter required?", "tick": ""},
            {"label": "What is going well at school?", "text": "Ellis reads to his carer every evening."},
            {"label": "Would you like a copy of your PEP?", "tick": ""},
            {
                "headings": ["SMART target", "Who will help", "Achieve by (date)"],
                "row": 2,
                "cells": ["Read a chapter book a week", None, "01/09/2026"],
            },
        ],
        {
            "child.last_name": "Okoro",
            "child.date_of_birth": "2014-10-09",
            "child.gender": "F",
            "care.legal_status": "C2",
            "child.interpreter_needed": True,
            "views.child.going_well": "Ellis reads to his carer every evening.",
            "views.child.wants_copy": True,
            "targets": [{"description": "Read a chapter book a week", "due_date": "2026-09-01"}],
        },
    ),
}


@pytest.mark.parametrize("name", sorted(COUNCILS))
def test_what_is_typed_in_libreoffice_into_a_councils_own_form_reads_back_exactly(
    soffice: int, name: str, tmp_path: Path
) -> None:
    scaffold = scaffold_form(ROOT / "tests" / "corpus" / name / "original.docx", name, tmp_path / "forms")
    form = load_form(scaffold.folder / "form.toml")
    document = (form.folder / form.template).read_bytes()
    before = pepdocs.parse(document, form=form).pep
    answers, values = COUNCILS[name]
    assert all(get(before, path) in (None, []) for path in values)
    parsed = pepdocs.parse(typed(soffice, document, answers, tmp_path), form=form)
    assert not parsed.warnings
    assert not parsed.unmapped
    assert differences(_with(before, values), parsed.pep) == {}


def test_the_typist_names_a_place_the_form_does_not_have_and_saves_nothing(soffice: int, tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match="no place labelled 'Favourite colour'"):
        typed(soffice, pepdocs.render(pepdocs.PEP(), "kent"), [{"label": "Favourite colour", "text": "x"}], tmp_path)
    assert not (tmp_path / "typed.docx").exists()
