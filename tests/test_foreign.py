"""Councils' own forms: scaffolded from the corpus of forms pepdocs did not make, filled in, and read back."""

from __future__ import annotations

import copy
import io
import json
import logging
import os
import re
import subprocess
import tomllib
import zipfile
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from pypdf import PdfReader, PdfWriter

import pepdocs
from pepdocs._types import Format
from pepdocs.forms._spec import Form, load_form
from pepdocs.model._paths import get
from pepdocs.workflows._scaffold import scaffold_form
from tests.conftest import ROOT, example, libreoffice_resave, office, xfdf
from tests.examples import EXAMPLE_FOR
from tests.foreign_helpers import score
from tests.test_docx_completed import answer, edited, fill, label_cell, must, para, run

# Highcombe's form is a hybrid XFA form: reading it warns, as one test below checks.
pytestmark = pytest.mark.filterwarnings("ignore:.*hybrid XFA form:pepdocs._errors.PepdocsWarning")

CORPUS = ROOT / "tests" / "corpus"
NAMES = sorted(p.parent.name for p in CORPUS.glob("*/expected.toml"))
DOCX = [n for n in NAMES if (CORPUS / n / "original.docx").exists()]
PDF = [n for n in NAMES if (CORPUS / n / "original.pdf").exists()]


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every corpus form scaffolded once into a folder of forms."""
    folder = tmp_path_factory.mktemp("forms")
    return {name: scaffold_form(next((CORPUS / name).glob("original.*")), name, folder) for name in NAMES}


def _form(scaffolded: dict[str, Any], name: str) -> Form:
    return load_form(scaffolded[name].folder / "form.toml")


def _own(form: Form) -> Format:
    """The format of a council form's own document."""
    return "pdf" if form.template.endswith(".pdf") else "docx"


def _expected(name: str) -> list[tuple[str, str]]:
    return list(tomllib.loads((CORPUS / name / "expected.toml").read_text(encoding="utf-8"))["places"].items())


@pytest.mark.parametrize("name", NAMES)
def test_scaffolding_maps_nine_in_ten_places_and_uses_no_wrong_mapping(scaffolded: dict[str, Any], name: str) -> None:
    places, right, _review, wrong, missed = score(scaffolded[name], _expected(name))
    assert not wrong
    assert not missed
    assert right / places >= 0.9, f"{name}: {right} of {places}"


@pytest.mark.parametrize("name", NAMES)
def test_tick_boxes_and_drop_downs_map_their_options_to_the_right_codes(scaffolded: dict[str, Any], name: str) -> None:
    truth = tomllib.loads((CORPUS / name / "expected.toml").read_text(encoding="utf-8")).get("choices", {})
    form = _form(scaffolded, name)
    by_place = {str(f.place.get("label") or f.place.get("name")): f.place for f in form.fields()}
    by_label = {f.label: f.place for f in form.fields()}
    for place_name, options in truth.items():
        place = by_place.get(place_name) or by_label.get(place_name)
        assert place is not None, place_name
        got = dict(place.get("choices", {}))
        assert all(got[o] == code for o, code in options.items() if o in got), place_name
        assert len(got) >= 0.75 * len(options), place_name


@pytest.fixture(scope="module")
def built_ins(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, Any, list[tuple[str, str]]]]:
    """The six built-in forms' blank DOCX and PDF, stripped of pepdocs' marks, scaffolded as councils' forms."""
    from tests.foreign_helpers import built_in_as_foreign

    work = tmp_path_factory.mktemp("built-in")
    out = []
    for name, document, expected in built_in_as_foreign(work):
        form_id = name.replace(" (", "-").rstrip(")")
        out.append((name, scaffold_form(document, form_id, work / "forms"), expected))
    return out


def test_the_built_in_forms_treated_as_foreign_map_nineteen_in_twenty(built_ins: list[Any]) -> None:
    assert len(built_ins) == 12
    for name, scaffold, expected in built_ins:
        places, right, _review, wrong, _missed = score(scaffold, expected)
        assert not wrong, name
        assert right / places >= 0.95, f"{name}: {right} of {places}"


def test_the_built_in_forms_treated_as_foreign_fill_and_read_back_exact(built_ins: list[Any]) -> None:
    for name, scaffold, _expected in built_ins:
        form = load_form(scaffold.folder / "form.toml")
        pep = example(EXAMPLE_FOR[name.split(" ")[0]])
        parsed = pepdocs.parse(pepdocs.render(pep, form, _own(form)), form=form)
        assert not parsed.warnings, name
        held = carried(form, pep)
        assert carried(form, parsed.pep) == held, name
        assert sum(1 for v in held.values() if v not in (None, [])) >= 0.6 * len(held), name


def test_the_spec_keeps_the_council_document_unchanged_and_comments_out_what_it_is_not_sure_of(
    scaffolded: dict[str, Any],
) -> None:
    scaffold = scaffolded["northmoor"]
    assert (scaffold.folder / "original.docx").read_bytes() == (CORPUS / "northmoor" / "original.docx").read_bytes()
    text = (scaffold.folder / "form.toml").read_text(encoding="utf-8")
    review = [line for line in text.splitlines() if "# REVIEW" in line]
    assert any("Signature of Designated Teacher" in line for line in review)
    form = load_form(scaffold.folder / "form.toml")
    assert "Signature of Designated Teacher" not in {f.label for f in form.fields()}
    assert all("confidence = " in line for line in text.splitlines() if line.strip().startswith("{ path"))
    assert "places found" in scaffold.summary()


# --- what the form holds of a record ---------------------------------------------------------------


def _choice_values(place: dict[str, Any]) -> set[str]:
    return {str(v) for v in dict(place.get("choices", {})).values()}


def _held(form: Form, pep: pepdocs.PEP, value: Any, place: dict[str, Any]) -> Any:
    """A value as far as one place of the form can hold it: a choice it offers, a ticked single check box."""
    control = str(place.get("control", "text"))
    choices = _choice_values(place)
    if control in ("checkbox", "sdt-check") and not choices:
        return True if value is True else None
    if choices or control in ("ticks", "dropdown", "sdt-drop", "radio", "combo", "list"):
        values = value if isinstance(value, list) else [value]
        codes = {
            "true" if v is True else "false" if v is False else str(v.value) if isinstance(v, Enum) else str(v)
            for v in values
        }
        if not codes <= choices:
            return None
    return value


def carried(form: Form, pep: pepdocs.PEP) -> dict[str, Any]:
    """Each path the form reads back, with the value it should read back for `pep`."""
    out: dict[str, Any] = {}
    for _section, block in form.blocks():
        if block.kind == "table":
            items = get(pep, block.path) or []
            names = [c.path.split("[].", 1)[1] for c in block.columns]
            items = [i for i in items if any(get(i, n) not in (None, "") for n in names)]
            if "fields" in block.place:
                items = items[: len(block.place["fields"])]
            for column, name in zip(block.columns, names, strict=True):
                out[column.path] = [get(i, name) for i in items]
            continue
        for f in block.fields:
            if not f.derived:
                out[f.path] = _held(form, pep, get(pep, f.path), f.place)
    return out


def _same(form: Form, sent: pepdocs.PEP, back: pepdocs.PEP) -> None:
    expected = carried(form, sent)
    got = carried(form, back)
    for path, value in expected.items():
        if "[]" in path:
            assert got[path] == value, path
        else:
            assert get(back, path) == value, path


def _record_for(form: Form) -> pepdocs.PEP:
    """An invented record with a value for most places of the form: the Kent example, the choices made to fit."""
    pep = example("kent-secondary")
    data = json.loads(pep.model_dump_json())
    for f in form.fields():
        choices = sorted(_choice_values(f.place))
        if choices and "[]" not in f.path and not f.derived:
            value: Any = choices[0] if choices[0] not in ("true", "false") else choices[0] == "true"
            if f.slot.kind == "codes":
                value = [value]
            parent = data
            *steps, last = f.path.split(".")
            for step in steps:
                parent = parent.setdefault(step, {}) or {}
            parent[last] = value
        if f.place.get("control") in ("checkbox", "sdt-check") and not choices:
            parent = data
            *steps, last = f.path.split(".")
            for step in steps:
                parent = parent.setdefault(step, {})
            parent[last] = True
    return pepdocs.PEP.model_validate(data)


@pytest.mark.parametrize("name", NAMES)
def test_a_record_rendered_into_the_council_form_reads_back_exact(scaffolded: dict[str, Any], name: str) -> None:
    form = _form(scaffolded, name)
    pep = _record_for(form)
    held = carried(form, pep)
    assert sum(1 for v in held.values() if v not in (None, [])) >= 0.8 * len(held), "the record leaves the form empty"
    document = pepdocs.render(pep, form, _own(form))
    parsed = pepdocs.parse(document, form=form)
    assert not parsed.warnings and not parsed.unmapped
    _same(form, pep, parsed.pep)


def _typed_below(docx: bytes, heading: str, text: str) -> bytes:
    """The document with `text` typed into the cell under the column heading `heading`."""

    def change(root: Any) -> None:
        head = label_cell(root, heading)
        row = must(head.getparent())
        fill(must(row.getnext())[row.index(head)], para(run(text)))

    return edited(docx, change)


def test_words_written_where_the_spec_reads_nothing_are_kept_as_unmapped(scaffolded: dict[str, Any]) -> None:
    # Eastvale's attendance, Northmoor's "Who will help" column and Riverford's designated teacher's signature are
    # places their scaffolds left for review: the specs do not read them, so what a school writes there is kept with
    # where it was, never dropped.
    eastvale = _form(scaffolded, "eastvale")
    typed = answer(pepdocs.render(example("southwark-primary"), eastvale, "docx"), {"Attendance this year (%)": "94.5"})
    unmapped = pepdocs.parse(typed, form=eastvale).unmapped
    assert [(u.label, u.text) for u in unmapped] == [("Attendance this year (%)", "94.5")]
    assert "does not read" in unmapped[0].where
    northmoor = _form(scaffolded, "northmoor")
    blank = pepdocs.render(example("southwark-primary"), northmoor, "docx")
    unmapped = pepdocs.parse(_typed_below(blank, "Who will help", "Mrs Okafor"), form=northmoor).unmapped
    assert [(u.label, u.text) for u in unmapped] == [("Who will help", "Mrs Okafor")]
    riverford = _form(scaffolded, "riverford")
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pepdocs.render(example("southwark-primary"), riverford, "pdf"))))
    writer.update_page_form_field_values(None, {"Text40": "J Okafor"}, auto_regenerate=False)
    signed = io.BytesIO()
    writer.write(signed)
    unmapped = pepdocs.parse(signed.getvalue(), form=riverford).unmapped
    assert [(u.label, u.text, u.where) for u in unmapped] == [
        ("Signed (designated teacher)", "J Okafor", "PDF field Text40: a field the form's spec does not read")
    ]


@pytest.mark.office
@pytest.mark.parametrize("name", DOCX)
def test_a_council_form_filled_then_resaved_by_libreoffice_reads_the_same(
    scaffolded: dict[str, Any], name: str
) -> None:
    form = _form(scaffolded, name)
    pep = _record_for(form)
    resaved = libreoffice_resave(pepdocs.render(pep, form))
    parsed = pepdocs.parse(resaved, form=form)
    _same(form, pep, parsed.pep)


# --- untouched parts -----------------------------------------------------------------------------


def _parts(docx: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        return {name: package.read(name) for name in package.namelist()}


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _canonical(el: Any) -> bytes:
    return etree.tostring(el, method="c14n")


@pytest.mark.parametrize("name", DOCX)
def test_the_rendered_document_differs_from_the_original_only_where_answers_were_written(
    scaffolded: dict[str, Any], name: str
) -> None:
    form = _form(scaffolded, name)
    original = (CORPUS / name / "original.docx").read_bytes()
    before = _parts(original)
    blank = _parts(pepdocs.render(pepdocs.PEP(), form))
    after = _parts(pepdocs.render(_record_for(form), form))
    assert set(after) == set(before)
    for part, data in before.items():
        if part in ("docProps/core.xml", "docProps/app.xml"):
            assert not re.search(rb"<dc:creator>|<cp:lastModifiedBy>|<Company>.", after[part]), part  # no one named
        elif part != "word/document.xml":
            assert after[part] == data, part  # headers, footers, styles, images: byte for byte
    old = etree.fromstring(before["word/document.xml"])
    assert _canonical(etree.fromstring(blank["word/document.xml"])) == _canonical(old), (
        "an empty record changed the form"
    )
    new = etree.fromstring(after["word/document.xml"])
    labels = {f.place.get("label", "") for f in form.fields()} | {
        h for _s, b in form.blocks() for h in b.place.get("headers", [])
    }
    old_root, new_root = old.find(f"{W}body"), new.find(f"{W}body")
    assert old_root is not None and new_root is not None
    old_body, new_body = list(old_root), list(new_root)
    changed = 0
    position = 0
    for element in old_body:
        # An answer written under a question may add paragraphs: skip what was added.
        while position < len(new_body) and new_body[position].tag != element.tag:
            position += 1
        twin = new_body[position]
        position += 1
        if _canonical(twin) == _canonical(element):
            continue
        changed += 1
        text = "".join(str(t) for t in element.itertext())
        previous = old_body[old_body.index(element) - 1] if old_body.index(element) else element
        context = text + "".join(str(t) for t in previous.itertext())
        assert any(label and label.split(":")[0] in context for label in labels), (
            f"changed without an answer: {text[:60]!r}"
        )
    assert changed


@pytest.mark.parametrize("name", PDF)
def test_the_rendered_pdf_differs_from_the_original_only_in_its_answers(scaffolded: dict[str, Any], name: str) -> None:
    from pypdf import PdfReader

    form = _form(scaffolded, name)
    before = PdfReader(io.BytesIO((CORPUS / name / "original.pdf").read_bytes()))
    after = PdfReader(io.BytesIO(pepdocs.render(_record_for(form), form, "pdf")))
    assert len(before.pages) == len(after.pages)
    for old, new in zip(before.pages, after.pages, strict=True):
        assert old.get_contents().get_data() == new.get_contents().get_data()  # type: ignore[union-attr]
    answer_keys = {"/V", "/AS", "/AP", "/DA", "/Parent", "/P", "/Kids", "/DR"}
    old_fields, new_fields = before.get_fields() or {}, after.get_fields() or {}
    assert set(old_fields) == set(new_fields)
    changed = 0
    for field_name, old_field in old_fields.items():
        new_field = new_fields[field_name]
        same = {k: str(v) for k, v in old_field.items() if k not in answer_keys}
        assert same == {k: str(v) for k, v in new_field.items() if k not in answer_keys}, field_name
        changed += old_field.get("/V") != new_field.get("/V")
    assert changed >= 0.8 * sum(1 for f in form.fields() if not f.derived) - 1


# --- PDFs ----------------------------------------------------------------------------------------


@pytest.mark.office
@pytest.mark.parametrize("name", PDF)
def test_a_council_pdf_filled_by_pdftk_reads_the_same(scaffolded: dict[str, Any], name: str, tmp_path: Path) -> None:
    pdftk = office("pdftk")
    form = _form(scaffolded, name)
    pep = _record_for(form)
    rendered = pepdocs.parse(pepdocs.render(pep, form, "pdf"), form=form)
    from pepdocs.engines.pdf._read import read_pdf

    fields = read_pdf(pepdocs.render(pep, form, "pdf"), "x")
    xfdf_file = tmp_path / "data.xfdf"
    xfdf_file.write_bytes(xfdf({**fields.text, **fields.states}))
    out = tmp_path / "filled.pdf"
    subprocess.run(
        [pdftk, str(form.folder / form.template), "fill_form", str(xfdf_file), "output", str(out)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    parsed = pepdocs.parse(out.read_bytes(), form=form)
    _same(form, pep, parsed.pep)
    _same(form, pep, rendered.pep)


# --- known among all forms ----------------------------------------------------------------------


@pytest.fixture
def registered(scaffolded: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Any:
    """The scaffolded forms added to the forms pepdocs knows, for one test."""
    from pepdocs.forms import _spec

    monkeypatch.setattr(_spec, "_added", [])
    monkeypatch.delenv("PEPDOCS_FORMS", raising=False)
    pepdocs.add_forms(next(iter(scaffolded.values())).folder.parent)
    yield scaffolded
    _spec._forms_in.cache_clear()


@pytest.mark.parametrize("name", NAMES)
def test_parse_recognises_a_completed_council_form_among_all_forms(registered: dict[str, Any], name: str) -> None:
    form = pepdocs.get_form(name)
    document = pepdocs.render(_record_for(form), name, _own(form))
    assert pepdocs.parse(document).form == name
    blank = (CORPUS / name / form.template).read_bytes()
    assert pepdocs.parse(blank).form == name


@pytest.mark.parametrize("name", NAMES)
def test_a_completed_council_form_converts_as_the_same_answers_typed_into_kents_form(
    registered: dict[str, Any], name: str
) -> None:
    form = pepdocs.get_form(name)
    kent = pepdocs.get_form("kent")
    pep = _record_for(form)
    council = pepdocs.convert(pepdocs.render(pep, name, _own(form)), "southwark-full")
    typed = pepdocs.parse(pepdocs.render(council.pep, "kent"))
    via_kent = pepdocs.convert(pepdocs.render(typed.pep, "kent"), "southwark-full")
    assert council.report.source_form == name
    both = set(kent.paths) & set(form.paths) & set(pepdocs.get_form("southwark-full").paths)
    assert len(both) >= 5
    from_council = carried(form, council.pep)
    from_kent = carried(form, via_kent.pep)
    for path in sorted(both):
        assert from_council[path] == from_kent[path], path
        assert from_council[path] == carried(form, pep)[path], path


@pytest.mark.parametrize("name", ["southdale", "riverford"])
def test_a_form_scaffolded_in_a_child_process_is_the_same_and_its_errors_name_the_file(
    tmp_path: Path, name: str
) -> None:
    original = next((CORPUS / name).glob("original.*"))
    here = scaffold_form(original, name, tmp_path / "here")
    apart = scaffold_form(original, name, tmp_path / "apart", isolated=True)
    assert (apart.folder / "form.toml").read_bytes() == (here.folder / "form.toml").read_bytes()
    assert apart.summary().replace(str(apart.folder), "") == here.summary().replace(str(here.folder), "")
    cut = tmp_path / f"cut{original.suffix}"
    cut.write_bytes(original.read_bytes()[: original.stat().st_size // 3])
    with pytest.raises(pepdocs.DocumentError) as raised:
        scaffold_form(cut, name, tmp_path / "cut", isolated=True)
    assert raised.value.file == cut.name


def test_the_command_line_scaffolds_a_form_and_prints_what_it_found(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from pepdocs._cli import main

    result = CliRunner().invoke(
        main,
        ["forms", "scaffold", str(CORPUS / "southdale" / "original.docx"), "--id", "southdale", "-o", str(tmp_path)],
    )
    assert result.exit_code == 0, result.output
    assert "21 places found, 21 mapped, 0 left for review" in result.output
    again = CliRunner().invoke(
        main,
        ["forms", "scaffold", str(CORPUS / "southdale" / "original.docx"), "--id", "southdale", "-o", str(tmp_path)],
    )
    assert again.exit_code != 0 and "--force" in again.output
    bad = CliRunner().invoke(
        main, ["forms", "scaffold", str(tmp_path / "southdale" / "form.toml"), "--id", "x", "-o", str(tmp_path)]
    )
    assert bad.exit_code != 0 and "not a DOCX or PDF" in bad.output


def test_a_hybrid_xfa_form_is_scaffolded_with_a_note_and_read_with_a_warning(scaffolded: dict[str, Any]) -> None:
    scaffold = scaffolded["highcombe"]
    assert any("hybrid XFA" in note for note in scaffold.notes)
    assert "hybrid XFA" in (scaffold.folder / "form.toml").read_text(encoding="utf-8").splitlines()[0]
    form = _form(scaffolded, "highcombe")
    document = pepdocs.render(_record_for(form), form, "pdf")
    with pytest.warns(pepdocs.PepdocsWarning, match="hybrid XFA"):
        pepdocs.parse(document, form=form)


def test_the_readme_onboards_a_council_form_in_five_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pepdocs.forms import _spec

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("### A council's own form, in five lines", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    assert len(block.strip().splitlines()) == 5
    monkeypatch.setattr(_spec, "_added", [])
    monkeypatch.chdir(tmp_path)
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    (tmp_path / "tests").symlink_to(ROOT / "tests")
    try:
        exec(block, {"pepdocs": pepdocs})
    finally:
        _spec._forms_in.cache_clear()
    assert (tmp_path / "my-forms" / "southdale" / "form.toml").exists()


def test_a_users_vocabulary_maps_what_the_packages_does_not(tmp_path: Path) -> None:
    words = tmp_path / "vocabulary.toml"
    words.write_text(
        '[paths]\n"education.attendance.percent" = ["Attendance % this academic year"]\n', encoding="utf-8"
    )
    plain = scaffold_form(CORPUS / "northmoor" / "original.docx", "northmoor", tmp_path / "a")
    extended = scaffold_form(CORPUS / "northmoor" / "original.docx", "northmoor", tmp_path / "b", vocabulary_file=words)
    sure = {key: path for key, path, ok, _ in extended.places() if ok}
    assert sure["Attendance % this academic year"] == "education.attendance.percent"
    assert "Attendance % this academic year" not in {key for key, _p, ok, _c in plain.places() if ok}
    words.write_text('[paths]\n"child.nickname" = ["Nickname"]\n', encoding="utf-8")
    with pytest.raises(pepdocs.FormError, match=r"no path 'child\.nickname'"):
        scaffold_form(CORPUS / "northmoor" / "original.docx", "northmoor", tmp_path / "c", vocabulary_file=words)


@pytest.mark.parametrize("name", ["southdale", "riverford"])
def test_one_section_of_a_council_form_fills_only_that_section(scaffolded: dict[str, Any], name: str) -> None:
    form = _form(scaffolded, name)
    pep = _record_for(form)
    first = form.sections[0]
    parsed = pepdocs.parse(pepdocs.render(pep, form, _own(form), sections=[first.key]), form=form)
    inside = {f.path for f in form.fields(frozenset({first.key})) if not f.derived}
    for path, value in carried(form, parsed.pep).items():
        if path in inside:
            assert value == carried(form, pep)[path], path
        else:
            assert value in (None, []), path


# --- damaged councils' forms (each found by benchmarks/fuzz.py) --------------------------------------------------

W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"


def _damaged(tmp_path: Path, name: str, change: Any) -> Path:
    """The council's blank Word form with its document.xml changed by `change`, written under `tmp_path`."""
    path = tmp_path / f"{name}.docx"
    path.write_bytes(edited((CORPUS / name / "original.docx").read_bytes(), change))
    return path


def _round_trip(path: Path, name: str, folder: Path) -> tuple[Form, pepdocs.PEP, pepdocs.Parsed]:
    """The damaged form scaffolded, a record written into it, and that read back."""
    form = load_form(scaffold_form(path, name, folder).folder / "form.toml")
    pep = _record_for(form)
    return form, pep, pepdocs.parse(pepdocs.render(pep, form, "docx"), form=form)


def test_cell_spans_that_are_no_number_and_a_row_without_cells_are_read_past(
    scaffolded: dict[str, Any], tmp_path: Path
) -> None:
    # Was a raw ValueError (int("x")) in scaffolding, and "cannot be read (ValueError)" from parse's last resort.
    def change(root: Any) -> None:
        for number, span in enumerate(root.iter(f"{W}gridSpan")):
            span.set(f"{W}val", ["x", "0", "-1", "99999999999"][number % 4])
        row = next(root.iter(f"{W}tr"))
        for cell in row.findall(f"{W}tc"):
            row.remove(cell)  # and a row with no cells, which has no first cell to find a heading by (IndexError)

    _, _pep, parsed = _round_trip(_damaged(tmp_path, "southdale", change), "southdale", tmp_path / "forms")
    assert parsed.texts
    southdale = _form(scaffolded, "southdale")
    completed = edited(pepdocs.render(_record_for(southdale), southdale, "docx"), change)
    assert pepdocs.parse(completed, form=southdale).texts


@pytest.mark.parametrize("state", ["0", "ZZZZ", "110000", "D800", ""])
def test_a_tick_box_control_whose_glyph_xml_cannot_hold_is_ticked_with_words_box(tmp_path: Path, state: str) -> None:
    # Eastvale's content-control tick boxes name the glyph they show as a hex code; one that is no character, a
    # control character or half a surrogate pair was a raw ValueError from int() or lxml while writing the tick.
    def change(root: Any) -> None:
        for glyph in root.iter(f"{W14}checkedState"):
            glyph.set(f"{W14}val", state)

    form, pep, parsed = _round_trip(_damaged(tmp_path, "eastvale", change), "eastvale", tmp_path / "forms")
    _same(form, pep, parsed.pep)
    boxes = [f for f in form.fields() if f.place.get("control") == "sdt-check"]
    assert boxes and all(get(parsed.pep, f.path) is True for f in boxes)


def test_legacy_fields_with_a_list_choice_that_is_no_number_or_no_end_are_read(tmp_path: Path) -> None:
    # Northmoor's legacy fields: a drop-down's chosen entry "x" was a raw ValueError, and a text field whose end
    # never comes a raw AttributeError when an answer was written into it.
    def change(root: Any) -> None:
        for result in root.iter(f"{W}result"):
            result.set(f"{W}val", "x")
        for result in root.iter(f"{W}ddList"):
            etree.SubElement(result, f"{W}result").set(f"{W}val", "x")
        end = next(c for c in root.iter(f"{W}fldChar") if c.get(f"{W}fldCharType") == "end")
        must(end.getparent()).remove(end)

    _, _pep, parsed = _round_trip(_damaged(tmp_path, "northmoor", change), "northmoor", tmp_path / "forms")
    assert len(parsed.texts) >= 10


def test_a_council_table_given_fifteen_hundred_rows_is_scaffolded_within_the_guard(tmp_path: Path) -> None:
    # Each row looked through every row after it (quadratic): 25 s of CPU for a Westbrook form so given rows.
    from tests.test_limits import ends

    def change(root: Any) -> None:
        # An empty row for an answer under a question, as a school adds more room to write.
        row = next(r for r in root.iter(f"{W}tr") if len(r.findall(f"{W}tc")) == 1 and not "".join(r.itertext()))
        for _ in range(1500):
            row.addnext(copy.deepcopy(row))

    kind, value = ends(scaffold_form, _damaged(tmp_path, "westbrook", change), "westbrook", tmp_path / "forms")
    assert kind == "ok", (kind, value)


def _pdf_edited(name: str, change: Any) -> bytes:
    """The council's blank PDF with its field dictionaries changed by `change(writer, fields)`."""
    from pypdf.generic import ArrayObject

    writer = PdfWriter(clone_from=PdfReader(CORPUS / name / "original.pdf"))
    fields: list[Any] = []
    todo = list(writer._root_object["/AcroForm"]["/Fields"])  # type: ignore[index]
    while todo:
        node = todo.pop().get_object()
        fields.append(node)
        kids = node.get("/Kids")
        todo += list(kids) if isinstance(kids, ArrayObject) else []
    change(writer, fields)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("name", PDF)
def test_field_entries_of_the_wrong_type_are_passed_over_when_scaffolding(name: str, tmp_path: Path) -> None:
    # Each was a raw exception: /Ff a name (TypeError), a kid that is a number (AttributeError), /Rect of names
    # (ValueError), /Opt a number (TypeError) or [[]] (IndexError), a tooltip's row of 5,000 digits (ValueError).
    from pypdf.generic import ArrayObject, NameObject, NumberObject, TextStringObject

    def change(_writer: Any, fields: list[Any]) -> None:
        odd = [
            ("/Ff", NameObject("/Yes")),
            ("/Kids", ArrayObject([NumberObject(1), TextStringObject("k")])),
            ("/Rect", ArrayObject([NameObject("/a")] * 4)),
            ("/Opt", NumberObject(5)),
            ("/Opt", ArrayObject([ArrayObject()])),
            ("/TU", TextStringObject("Targets, row " + "9" * 5000 + ": By when")),
        ]
        terminal = [f for f in fields if "/T" in f and not any("/T" in k.get_object() for k in f.get("/Kids", []))]
        for number, node in enumerate(terminal[: 3 * len(odd)]):
            key, value = odd[number % len(odd)]
            node[NameObject(key)] = value

    path = tmp_path / f"{name}.pdf"
    path.write_bytes(_pdf_edited(name, change))
    assert scaffold_form(path, name, tmp_path / "forms").places()


def test_a_page_whose_text_cannot_be_decoded_labels_no_field_and_scaffolding_goes_on(tmp_path: Path) -> None:
    # pypdf's text extraction raised a raw ValueError (binascii) for a page stream that is not the ASCII85 it says.
    from pypdf.generic import NameObject

    def change(writer: Any, _fields: list[Any]) -> None:
        contents = writer.pages[0].get_contents()
        contents[NameObject("/Filter")] = NameObject("/ASCII85Decode")
        contents.set_data(b"~~ not ascii85 ~~")
        writer.pages[0].replace_contents(contents)

    path = tmp_path / "riverford.pdf"
    path.write_bytes(_pdf_edited("riverford", change))
    assert scaffold_form(path, "riverford", tmp_path / "forms").places()


def test_a_council_pdf_whose_widget_cannot_be_filled_is_a_render_error_naming_the_field(
    scaffolded: dict[str, Any], tmp_path: Path
) -> None:
    # pypdf raised a raw KeyError filling a widget with no /Rect, an AttributeError for an /AP that is an array.
    form = _form(scaffolded, "riverford")
    pep = _record_for(form)
    held = carried(form, pep)
    named = next(str(f.place["name"]) for f in form.fields() if f.place.get("name") and held.get(f.path))
    from pypdf.generic import ArrayObject, NameObject

    def change(_writer: Any, fields: list[Any]) -> None:
        for node in fields:
            if node.get("/T") == named:
                node.pop(NameObject("/Rect"), None)
                node[NameObject("/AP")] = ArrayObject()

    folder = tmp_path / "forms" / "riverford"
    folder.mkdir(parents=True)
    (folder / "form.toml").write_text((form.folder / "form.toml").read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "original.pdf").write_bytes(_pdf_edited("riverford", change))
    with pytest.raises(pepdocs.RenderError, match=rf"form riverford: field {named} of its template PDF original\.pdf"):
        pepdocs.render(pep, load_form(folder / "form.toml"), "pdf")


def test_scaffolding_a_damaged_pdf_logs_nothing_of_its_bytes(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # pypdf logged lines quoting the file's bytes while scaffolding ("Invalid Elementary Object starting with ...").
    caplog.set_level(logging.DEBUG)
    data = (CORPUS / "riverford" / "original.pdf").read_bytes()
    at = data.index(b"/Rect")
    path = tmp_path / "riverford.pdf"
    path.write_bytes(data[:at] + b"/Rect [ 1 2 Okafor" + data[at + 12 :].replace(b"startxref", b"startxref 1", 1))
    try:
        scaffold_form(path, "riverford", tmp_path / "forms")
    except pepdocs.PepdocsError:
        pass
    assert not [r for r in caplog.records if r.name.split(".")[0] in ("pypdf", "pikepdf")]


def test_a_word_form_whose_copies_could_not_be_read_back_is_refused_when_scaffolded(tmp_path: Path) -> None:
    # Scaffolding read only document.xml: a form with a damaged styles part, properties that are not XML or
    # paragraphs nested past the limit was onboarded, then failed raw (BadZipFile) when written into, or its
    # every completed copy was refused.
    from tests.test_hostile import with_part

    original = (CORPUS / "westbrook" / "original.docx").read_bytes()
    styles = zipfile.ZipFile(io.BytesIO(original)).getinfo("word/styles.xml")
    start = styles.header_offset + 30 + len(styles.filename.encode()) + len(styles.extra)
    at = start + styles.compress_size // 2
    damaged = {
        "styles": original[:at] + bytes([original[at] ^ 0x5A]) + original[at + 1 :],
        "properties": with_part(original, "docProps/custom.xml", b"<Properties><unclosed></Properties>"),
        "nesting": edited(original, lambda root: must(root.find(f"{W}body")).insert(0, _nested(40))),
    }
    for why, data in damaged.items():
        path = tmp_path / f"{why}.docx"
        path.write_bytes(data)
        with pytest.raises(pepdocs.DocumentError) as raised:
            scaffold_form(path, "westbrook", tmp_path / "forms")
        assert str(raised.value).startswith(f"{why}.docx: "), why


def _nested(depth: int) -> Any:
    inner = etree.fromstring(f'<w:p xmlns:w="{W[1:-1]}"><w:r><w:t>x</w:t></w:r></w:p>')
    for _ in range(depth):
        outer = etree.fromstring(f'<w:p xmlns:w="{W[1:-1]}"/>')
        outer.append(inner)
        inner = outer
    return inner


def _spec_copied(form: Form, tmp_path: Path) -> Path:
    """A new folder for the form holding only a copy of its spec: the test puts the document beside it."""
    folder = tmp_path / form.id
    folder.mkdir()
    (folder / "form.toml").write_text((form.folder / "form.toml").read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def test_a_template_damaged_after_it_was_scaffolded_is_an_error_naming_it_when_written_into(
    scaffolded: dict[str, Any], tmp_path: Path
) -> None:
    form = _form(scaffolded, "westbrook")
    folder = _spec_copied(form, tmp_path)
    original = (form.folder / "original.docx").read_bytes()
    styles = zipfile.ZipFile(io.BytesIO(original)).getinfo("word/styles.xml")
    at = styles.header_offset + 30 + len(styles.filename.encode()) + len(styles.extra) + styles.compress_size // 2
    (folder / "original.docx").write_bytes(original[:at] + bytes([original[at] ^ 0x5A]) + original[at + 1 :])
    with pytest.raises(pepdocs.DocumentError, match=r"^original\.docx: word/styles\.xml cannot be read"):
        pepdocs.render(_record_for(form), load_form(folder / "form.toml"), "docx")


def test_a_council_template_saved_again_and_again_keeps_only_a_few_copies_in_memory(
    scaffolded: dict[str, Any], tmp_path: Path
) -> None:
    """A service whose forms folder is edited for months keeps a few forms' documents in memory, not each version."""
    from pepdocs.engines._engine import _read_template

    form = _form(scaffolded, "westbrook")
    template = _spec_copied(form, tmp_path) / "original.docx"
    template.write_bytes((form.folder / "original.docx").read_bytes())
    edited, pep = load_form(template.parent / "form.toml"), _record_for(form)
    for version in range(40):
        os.utime(template, (1_700_000_000 + version, 1_700_000_000 + version))  # saved again: a new time
        pepdocs.render(pep, edited, "docx")
    assert _read_template.cache_info().currsize <= 32


def test_a_field_type_that_is_not_utf8_is_a_document_error_naming_the_file(tmp_path: Path) -> None:
    # pikepdf cannot make text of the name /T#C7 (a byte that is no UTF-8): a raw UnicodeDecodeError.
    data = (CORPUS / "riverford" / "original.pdf").read_bytes()
    path = tmp_path / "riverford.pdf"
    path.write_bytes(data.replace(b"/FT /Tx", b"/FT /T#C7", 1))
    with pytest.raises(pepdocs.DocumentError, match=r"^riverford\.pdf: a field of the PDF cannot be read"):
        scaffold_form(path, "riverford", tmp_path / "forms")


def test_a_page_whose_content_pypdf_asserts_on_labels_no_field_and_scaffolding_goes_on(tmp_path: Path) -> None:
    # Operands before an inline image's BI: pypdf's content parser fails an assert (a raw AssertionError).
    from pypdf.generic import DecodedStreamObject

    def change(writer: Any, _fields: list[Any]) -> None:
        stream = DecodedStreamObject()
        stream.set_data(b"1 2 BI /W 1 /H 1 ID x EI")
        writer.pages[0].replace_contents(stream)

    path = tmp_path / "riverford.pdf"
    path.write_bytes(_pdf_edited("riverford", change))
    assert scaffold_form(path, "riverford", tmp_path / "forms").places()


def test_a_council_form_with_more_places_than_any_pep_form_is_a_limit_error(tmp_path: Path) -> None:
    # Southdale's row of a label and its answer copied 1,500 times: 3,000 places, each matched against every path
    # of the model, took 8 s of CPU (found by benchmarks/fuzz.py); pepdocs' own forms have about 200.
    def change(root: Any) -> None:
        row = next(r for r in root.iter(f"{W}tr") if len(r.findall(f"{W}tc")) == 2)
        for _ in range(1500):
            row.addnext(copy.deepcopy(row))

    with pytest.raises(pepdocs.LimitError, match=r"^southdale\.docx: has more than 1,000 places for answers"):
        scaffold_form(_damaged(tmp_path, "southdale", change), "southdale", tmp_path / "forms")
