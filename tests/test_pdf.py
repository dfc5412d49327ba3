"""Every form as a fillable PDF: rendered with drawn appearances, filled by other tools, flattened, read back."""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

import pepdocs
from pepdocs.engines.pdf._build import build_pdf
from pepdocs.engines.pdf._read import read_pdf
from pepdocs.engines.pdf._text import FONT_FILE
from pepdocs.forms._spec import list_forms

from .conftest import EXAMPLES, acroform, carried, example, office, xfdf
from .strategies import peps

FORMS = [form.id for form in list_forms()]
NAMES: dict[str, dict[str, Any]] = {
    "child": {
        "first_name": "Zoë",
        "middle_names": "Łucja Żółć",
        "last_name": "Nguyễn",
        "preferred_name": "Ионов",
        "address": "محمد سعيد, 1 Ωmega Road",
    },
    "care": {"carers": [{"name": "Ωmega Ионов", "relationship": "محمد سعيد"}]},
}


def _pdf_text(data: bytes, tmp_path: Path) -> str:
    source = tmp_path / "text.pdf"
    source.write_bytes(data)
    pdftotext = office("pdftotext")
    out = subprocess.run([pdftotext, "-enc", "UTF-8", str(source), "-"], capture_output=True, check=True, timeout=60)
    return out.stdout.decode("utf-8")


def _fields(data: bytes) -> dict[str, Any]:
    """Every terminal field of a PDF by full name (parents joined with dots)."""
    out: dict[str, Any] = {}

    def walk(kids: Any, prefix: str) -> None:
        for ref in kids:
            node = ref.get_object()
            name = f"{prefix}.{node['/T']}" if prefix else str(node["/T"])
            named = [k for k in node.get("/Kids", []) if "/T" in k.get_object()]
            if named:
                walk(named, name)
            else:
                out[name] = node

    reader = PdfReader(io.BytesIO(data))
    walk(acroform(reader)["/Fields"], "")
    return out


# --- (a) and (b): render and parse back -----------------------------------------------------------


@pytest.mark.parametrize("form_id", FORMS)
@pytest.mark.parametrize("name", [path.stem for path in EXAMPLES])
def test_every_example_comes_back_from_every_pdf_form(name: str, form_id: str) -> None:
    pep = example(name)
    form = pepdocs.get_form(form_id)
    parsed = pepdocs.parse(pepdocs.render(pep, form_id, "pdf"))
    assert parsed.form == form_id and parsed.format == "pdf"
    assert parsed.warnings == []
    assert parsed.unmapped == []
    assert carried(parsed.pep, form) == carried(pep, form)


def _same_carried(parsed: pepdocs.PEP, pep: pepdocs.PEP, form: pepdocs.Form) -> None:
    """`carried` agrees, but for blocks shown only to some year groups on a form that cannot carry the year group.

    Such a block is printed empty and read back empty, yet `carried` lists its paths for one PEP and not the
    other when their year groups differ. The same gap exists for DOCX; the PDF adds nothing to it.
    """
    got, want = carried(parsed, form), carried(pep, form)
    if parsed.year_group != pep.year_group:
        got = {path: value for path, value in got.items() if path in want or value not in (None, [])}
        want = {path: value for path, value in want.items() if path in got or value not in (None, [])}
    assert got == want


@pytest.mark.parametrize("form_id", FORMS)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(pep=peps())
def test_any_pep_comes_back_from_any_pdf_form(form_id: str, pep: pepdocs.PEP) -> None:
    form = pepdocs.get_form(form_id)
    parsed = pepdocs.parse(pepdocs.render(pep, form_id, "pdf"))
    assert parsed.warnings == []
    _same_carried(parsed.pep, pep, form)


def test_lists_longer_than_the_printed_rows_continue_on_an_added_page() -> None:
    targets = [{"description": f"Target {n}", "due_date": "2026-03-01"} for n in range(1, 13)]
    pep = pepdocs.PEP.model_validate(
        {"targets": targets, "plan": {"attendees": [{"name": f"P{n}", "invited": True} for n in range(20)]}}
    )
    data = pepdocs.render(pep, "southwark-full", "pdf")
    fields = _fields(data)
    assert "targets.11.description" in fields and fields["targets.11.description"]["/V"] == "Target 12"
    assert "/AP" in fields["targets.11.description"]
    parsed = pepdocs.parse(data).pep
    assert [t.description for t in parsed.targets] == [f"Target {n}" for n in range(1, 13)]
    assert len(parsed.plan.attendees) == 20 and all(a.invited for a in parsed.plan.attendees)


def test_a_long_answer_is_kept_whole_in_its_field_and_continued_on_an_added_page(tmp_path: Path) -> None:
    story = " ".join(f"word{n}" for n in range(3000)) + "\nlast paragraph"
    pep = pepdocs.PEP.model_validate({"views": {"carer": story}, "child": {"first_name": "A" * 300}})
    data = pepdocs.render(pep, "southwark-full", "pdf")
    template_pages = len(PdfReader(pepdocs.get_form("southwark-full").folder / "form.pdf").pages)
    assert len(PdfReader(io.BytesIO(data)).pages) > template_pages
    text = _pdf_text(data, tmp_path)
    assert "word2999" in text and "last paragraph" in text and "continued on page" in text
    parsed = pepdocs.parse(data).pep
    assert parsed.views.carer == story and parsed.child.first_name == "A" * 300


def test_a_choice_the_form_prints_no_box_for_is_ticked_on_an_added_page() -> None:
    pep = pepdocs.PEP.model_validate({"plan": {"pep_type": "transition"}})  # southwark prints four of the types
    data = pepdocs.render(pep, "southwark-full", "pdf")
    assert pepdocs.parse(data).pep.plan.pep_type == pep.plan.pep_type


def test_a_pdf_of_some_sections_fills_only_those() -> None:
    pep = example("southwark-primary")
    data = pepdocs.render(pep, "southwark-full", "pdf", sections=["3"])
    parsed = pepdocs.parse(data)
    assert parsed.sections == ["3"] and parsed.warnings == []
    assert parsed.pep.education.setting.name == pep.education.setting.name
    assert parsed.pep.child.last_name is None
    assert "Personal Education Plan: Section 3 only" in PdfReader(io.BytesIO(data)).pages[0].extract_text()


def test_a_pdf_whose_document_information_was_lost_is_recognised_by_its_field_names() -> None:
    writer = PdfWriter(clone_from=io.BytesIO(pepdocs.render(example("kent-secondary"), "kent", "pdf")))
    writer.metadata = {"/Producer": "a school's scanner"}
    data = writer_bytes(writer)
    assert b"pepdocs.form" not in data
    parsed = pepdocs.parse(data)
    assert parsed.form == "kent" and parsed.warnings == []
    assert carried(parsed.pep, pepdocs.get_form("kent")) == carried(example("kent-secondary"), pepdocs.get_form("kent"))


@pytest.mark.parametrize("flatten", [False, True])
def test_words_typed_on_the_page_or_left_as_a_comment_are_kept_as_unmapped_naming_the_page(flatten: bool) -> None:
    from pypdf.annotations import FreeText, Link, Text

    pep = example("kent-secondary")
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pepdocs.render(pep, "kent", "pdf", flatten=flatten))))
    writer.add_annotation(0, FreeText(text="Typed with the Add Text tool", rect=(50, 50, 300, 80)))
    writer.add_annotation(1, Text(text="A comment left on page 2", rect=(50, 50, 70, 70)))
    writer.add_annotation(1, Link(rect=(80, 50, 120, 70), url="https://example.org"))  # no words of anyone's
    out = io.BytesIO()
    writer.write(out)
    parsed = pepdocs.parse(out.getvalue())
    assert [(u.where, u.text) for u in parsed.unmapped if u.where.startswith("page ")] == [
        ("page 1: a FreeText annotation, outside any field", "Typed with the Add Text tool"),
        ("page 2: a Text annotation, outside any field", "A comment left on page 2"),
    ]
    assert parsed.pep.child.full_name == pep.child.full_name


def test_flatten_is_for_pdf_only() -> None:
    with pytest.raises(pepdocs.UsageError, match="PDF"):
        pepdocs.render(pepdocs.PEP(), "kent", "docx", flatten=True)


# --- (c) and (d): filled by other tools ------------------------------------------------------------


def _trimmed(pep: pepdocs.PEP, form: pepdocs.Form) -> pepdocs.PEP:
    """The PEP cut to the rows the blank form prints, so a tool that only fills fields can hold all of it."""
    from pepdocs.model._paths import get, put

    data = pep.model_dump(mode="json")
    limits: dict[str, int] = {}
    for _, block in form.blocks():
        if block.kind == "table":
            limits[block.path] = min(limits.get(block.path, block.rows), block.rows)
    for path, limit in limits.items():
        items = get(data, path)
        if isinstance(items, list):
            put(data, path, items[:limit])
    return pepdocs.PEP.model_validate(data)


@pytest.mark.office
@pytest.mark.parametrize("form_id", FORMS)
def test_a_form_filled_by_pdftk_reads_the_same(form_id: str, tmp_path: Path) -> None:
    pdftk = office("pdftk")
    form = pepdocs.get_form(form_id)
    for name in ("southwark-primary", "kent-secondary"):
        pep = _trimmed(example(name), form)
        ours = read_pdf(pepdocs.render(pep, form_id, "pdf"), "ours")
        blank = set(_fields((form.folder / "form.pdf").read_bytes()))
        values = {n: v for n, v in ours.text.items() if v and not n.startswith("derived.")}
        values |= {n: s for n, s in ours.states.items() if s != "Off"}
        assert set(values) <= blank | {n.rpartition(".")[0] for n in blank}
        (tmp_path / "data.xfdf").write_bytes(xfdf(values))
        out = tmp_path / "out.pdf"
        # pdftk-java draws appearances only with simple fonts: replacement_font hands it the form's own font.
        command = [pdftk, str(form.folder / "form.pdf"), "fill_form", str(tmp_path / "data.xfdf"), "output", str(out)]
        subprocess.run([*command, "replacement_font", str(FONT_FILE)], check=True, capture_output=True, timeout=120)
        parsed = pepdocs.parse(out)
        assert parsed.form == form_id
        assert parsed.warnings == []
        assert carried(parsed.pep, form) == carried(pep, form)
        if pep.child.last_name and "child.last_name" in form.paths:
            assert pep.child.last_name in _pdf_text(out.read_bytes(), tmp_path)


@pytest.mark.parametrize("form_id", FORMS)
def test_a_form_filled_by_a_viewer_with_values_but_no_appearances_reads_the_same(form_id: str) -> None:
    form = pepdocs.get_form(form_id)
    pep = _trimmed(example("kent-secondary"), form)
    ours = read_pdf(pepdocs.render(pep, form_id, "pdf"), "ours")
    writer = PdfWriter(clone_from=form.folder / "form.pdf")
    by_name: dict[str, DictionaryObject] = {}

    def walk(kids: Any, prefix: str) -> None:
        for ref in kids:
            node = ref.get_object()
            name = f"{prefix}.{node['/T']}" if prefix else str(node["/T"])
            named = [k for k in node.get("/Kids", []) if "/T" in k.get_object()]
            by_name[name] = node
            walk(named, name)

    walk(acroform(writer)["/Fields"], "")
    for name, text in ours.text.items():
        if text and name in by_name:
            by_name[name][NameObject("/V")] = TextStringObject(text)
            by_name[name].pop("/AP", None)
    for name, state in ours.states.items():
        if state != "Off" and name in by_name:
            by_name[name][NameObject("/V")] = NameObject("/" + state)  # /V only: /AS is left for the viewer
    parsed = pepdocs.parse(writer_bytes(writer))
    assert parsed.warnings == []
    assert carried(parsed.pep, form) == carried(pep, form)


def writer_bytes(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- (e), (f), (g): flattened copies, structure, drawn text ----------------------------------------


def _qdf(data: bytes, tmp_path: Path) -> bytes:
    qpdf = office("qpdf")
    source, target = tmp_path / "in.pdf", tmp_path / "qdf.pdf"
    source.write_bytes(data)
    subprocess.run([qpdf, "--qdf", "--object-streams=disable", str(source), str(target)], check=True, timeout=120)
    return target.read_bytes()


@pytest.mark.office
@pytest.mark.parametrize("form_id", FORMS)
def test_a_flattened_copy_holds_no_field_values_only_drawn_text(form_id: str, tmp_path: Path) -> None:
    pep = example("southwark-primary")
    flat = pepdocs.render(pep, form_id, "pdf", flatten=True)
    expanded = _qdf(flat, tmp_path)
    assert b"%QDF" in expanded
    objects = re.sub(rb"\nstream\n.*?\nendstream", b"", expanded, flags=re.S)  # the dictionaries, not font programs
    assert re.search(rb"/V[\s/(<\[]", objects) is None
    assert b"/AcroForm" not in expanded and b"/Widget" not in expanded and b"/Annots" not in expanded
    assert b"/TU" not in expanded and b"/NeedAppearances" not in expanded
    text = _pdf_text(flat, tmp_path)
    assert "Okonkwo-Hart" in text and "OFFICIAL-SENSITIVE" in text


@pytest.mark.office
@pytest.mark.parametrize("form_id", FORMS)
def test_rendered_and_flattened_pdfs_pass_qpdf_check(form_id: str, tmp_path: Path) -> None:
    qpdf = office("qpdf")
    pep = pepdocs.PEP.model_validate(
        example("kent-secondary").model_dump(mode="json") | {"targets": [{"description": "x" * 900}] * 9}
    )
    for n, data in enumerate(
        (
            pepdocs.render(pep, form_id, "pdf"),
            pepdocs.render(pep, form_id, "pdf", flatten=True),
            build_pdf(pepdocs.get_form(form_id)),
        )
    ):
        path = tmp_path / f"{n}.pdf"
        path.write_bytes(data)
        result = subprocess.run([qpdf, "--check", str(path)], capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "No syntax or stream encoding errors" in result.stdout


def _letters(text: str) -> set[str]:
    return {c for c in unicodedata.normalize("NFKC", text) if unicodedata.category(c).startswith("L")}


@pytest.mark.office
@pytest.mark.parametrize("flatten", [False, True])
def test_names_in_any_script_are_drawn(flatten: bool, tmp_path: Path) -> None:
    pep = pepdocs.PEP.model_validate(NAMES)
    data = pepdocs.render(pep, "southwark-full", "pdf", flatten=flatten)
    text = _pdf_text(data, tmp_path)
    for name in ("Zoë", "Łucja Żółć", "Nguyễn", "Ионов", "Ωmega"):
        assert name in text
    arabic = unicodedata.normalize("NFKC", text)
    assert _letters("محمد سعيد") <= _letters(arabic)
    # Drawn shaped and right to left: the words come out whole, in one order or the other.
    assert "محمد" in arabic or "دمحم" in arabic
    if not flatten:
        assert pepdocs.parse(data).pep.child.address == NAMES["child"]["address"]


def test_every_filled_text_field_has_an_appearance_and_no_viewer_is_asked_to_draw_one() -> None:
    data = pepdocs.render(example("kent-secondary"), "kent", "pdf")
    assert b"NeedAppearances" not in data
    for name, node in _fields(data).items():
        if node.get("/FT") == "/Tx" and node.get("/V"):
            assert "/N" in node["/AP"], name
            stream = node["/AP"]["/N"].get_object()
            assert b"Tf" in stream.get_data() and b"Tj" in stream.get_data()


def test_ticked_boxes_set_the_group_value_and_the_button_state() -> None:
    pep = pepdocs.PEP.model_validate({"plan": {"child_participation": "part"}, "child": {"interpreter_needed": True}})
    fields = _fields(pepdocs.render(pep, "southwark-full", "pdf"))
    group = fields["plan.child_participation"]
    assert group["/V"] == "/part"
    states = {kid.get_object()["/AS"] for kid in group["/Kids"]}
    assert states == {"/part", "/Off"}
    assert fields["child.interpreter_needed"]["/V"] == "/Yes"


# --- (h): files that cannot be read ---------------------------------------------------------------


def test_not_a_pdf_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "form.pdf"
    path.write_bytes(b"hello, this is not a PDF")
    with pytest.raises(pepdocs.DocumentError) as error:
        pepdocs.parse(path)
    assert error.value.file == str(path)
    with pytest.raises(pepdocs.DocumentError, match="not a PDF"):
        read_pdf(b"hello", "x.pdf")


def test_a_truncated_pdf_is_refused_naming_the_file(tmp_path: Path) -> None:
    data = pepdocs.render(example("southwark-primary"), "southwark-full", "pdf")
    for cut in (len(data) // 2, len(data) - 40, 2000):
        path = tmp_path / "cut.pdf"
        path.write_bytes(data[:cut])
        with pytest.raises(pepdocs.DocumentError) as error:
            pepdocs.parse(path)
        assert error.value.file == str(path) and "truncated" in str(error.value)


def test_a_damaged_pdf_is_refused_naming_the_file(tmp_path: Path) -> None:
    data = bytearray(pepdocs.render(example("southwark-primary"), "southwark-full", "pdf"))
    start = data.index(b"/Type/ObjStm")  # the packed dictionaries: catalog, form fields, structure
    data[start : start + 2000] = b"\x00" * 2000
    path = tmp_path / "damaged.pdf"
    path.write_bytes(bytes(data))
    with pytest.raises(pepdocs.DocumentError) as error:
        pepdocs.parse(path)
    assert error.value.file == str(path)


@pytest.mark.office
def test_an_encrypted_pdf_needs_its_password(tmp_path: Path) -> None:
    qpdf = office("qpdf")
    pep = example("southwark-primary")
    plain, locked = tmp_path / "plain.pdf", tmp_path / "locked.pdf"
    plain.write_bytes(pepdocs.render(pep, "southwark-full", "pdf"))
    subprocess.run([qpdf, "--encrypt", "s3cret", "owner", "256", "--", str(plain), str(locked)], check=True, timeout=60)
    with pytest.raises(pepdocs.DocumentError, match="password") as error:
        pepdocs.parse(locked)
    assert error.value.file == str(locked)
    with pytest.raises(pepdocs.DocumentError, match="password"):
        pepdocs.parse(locked, password="wrong")
    parsed = pepdocs.parse(locked, password="s3cret")
    assert parsed.warnings == []
    form = pepdocs.get_form("southwark-full")
    assert carried(parsed.pep, form) == carried(pep, form)


def test_a_pdf_with_no_fields_and_no_text_is_refused_and_a_flattened_copy_is_read_by_its_text() -> None:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    with pytest.raises(pepdocs.NotAPepFormError, match="no text"):
        pepdocs.parse(writer_bytes(writer))
    flat = pepdocs.render(example("southwark-review"), "southwark-review", "pdf", flatten=True)
    parsed = pepdocs.parse(flat)
    assert parsed.form == "southwark-review"
    assert "read from the printed text" in parsed.warnings[0].message


def test_a_hybrid_xfa_form_is_read_through_its_acroform_with_a_warning_and_a_pure_one_is_refused() -> None:
    pep = example("kent-secondary")
    writer = PdfWriter(clone_from=io.BytesIO(pepdocs.render(pep, "kent", "pdf")))
    acroform(writer)[NameObject("/XFA")] = TextStringObject("<xdp/>")
    with pytest.warns(pepdocs.PepdocsWarning, match="hybrid XFA"):
        parsed = pepdocs.parse(writer_bytes(writer))
    assert parsed.pep.child == pep.child
    acroform(writer)[NameObject("/Fields")] = ArrayObject()
    with pytest.raises(pepdocs.DocumentError, match="XFA"):
        pepdocs.parse(writer_bytes(writer))


def test_a_pdf_form_that_is_no_pep_form_is_refused() -> None:
    writer = PdfWriter(clone_from=io.BytesIO(pepdocs.render(pepdocs.PEP(), "kent", "pdf")))
    writer._info = None
    for ref in acroform(writer)["/Fields"]:
        ref.get_object()[NameObject("/T")] = TextStringObject("other" + str(ref.get_object()["/T"]))
    writer.add_metadata({"/Producer": "elsewhere"})
    with pytest.raises(pepdocs.NotAPepFormError):
        pepdocs.parse(writer_bytes(writer))


def test_fields_a_form_does_not_know_are_kept_as_unmapped() -> None:
    writer = PdfWriter(clone_from=io.BytesIO(pepdocs.render(example("kent-secondary"), "kent", "pdf")))
    by_name: dict[str, Any] = {}
    for ref in acroform(writer)["/Fields"]:
        by_name[str(ref.get_object()["/T"])] = ref.get_object()
    extra = DictionaryObject(
        {
            NameObject("/FT"): NameObject("/Tx"),
            NameObject("/T"): TextStringObject("notes"),
            NameObject("/V"): TextStringObject("see me"),
        }
    )
    acroform(writer)["/Fields"].append(writer._add_object(extra))
    parsed = pepdocs.parse(writer_bytes(writer))
    assert [(u.label, u.text) for u in parsed.unmapped] == [("notes", "see me")]
    assert parsed.pep.extensions["kent"]["notes"] == "see me"


# --- (i) and (j): the templates ---------------------------------------------------------------------


@pytest.mark.parametrize("form", list_forms(), ids=lambda f: f.id)
def test_the_checked_in_pdf_template_is_what_the_spec_builds(form: pepdocs.Form) -> None:
    assert (form.folder / "form.pdf").read_bytes() == build_pdf(form), "run: python -m pepdocs.build"


@pytest.mark.parametrize("form", list_forms(), ids=lambda f: f.id)
def test_pdf_templates_have_hierarchical_names_no_maxlen_and_no_author(form: pepdocs.Form) -> None:
    data = (form.folder / "form.pdf").read_bytes()
    assert b"/MaxLen" not in data and b"NeedAppearances" not in data
    reader = PdfReader(io.BytesIO(data))
    seen = 0

    def walk(kids: Any) -> None:
        nonlocal seen
        for ref in kids:
            node = ref.get_object()
            if "/T" in node:
                seen += 1
                assert "." not in str(node["/T"])
            assert "/MaxLen" not in node
            walk(node.get("/Kids", []))

    walk(acroform(reader)["/Fields"])
    assert seen > 50
    info = reader.metadata
    assert info is not None
    assert info.get("/pepdocs.form") == form.id and info.get("/pepdocs.version") == form.version
    assert info.get("/Producer") == "pepdocs" and "/Author" not in info and "/Creator" not in info
    assert "/CreationDate" not in info and "/ModDate" not in info
    assert b"/home/" not in data and b"/work/" not in data and b"/tmp/" not in data
    names = set(_fields(data))
    assert {f.path for f in form.title_fields} <= {n.removeprefix("derived.") for n in names}
    for _, block in form.blocks():
        if block.kind == "table":
            for column in block.columns:
                last = f"{block.path}.{block.rows - 1}.{column.path.split('[].', 1)[1]}"
                assert last in names or any(n.startswith(last + ".") for n in names), last
    page = reader.pages[0]
    assert [round(float(v)) for v in page.mediabox] == [0, 0, 595, 842]
    text = page.extract_text()
    assert "OFFICIAL-SENSITIVE" in text and "Page 1 of" in text


def test_templates_name_the_embedded_unicode_font_in_every_text_field() -> None:
    data = (pepdocs.get_form("kent").folder / "form.pdf").read_bytes()
    reader = PdfReader(io.BytesIO(data))
    font = acroform(reader)["/DR"]["/Font"]["/DejaVuSans"]
    assert font["/Subtype"] == "/Type0" and font["/Encoding"] == "/Identity-H"
    assert "/FontFile2" in font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
    for name, node in _fields(data).items():
        if node.get("/FT") == "/Tx":
            assert str(node["/DA"]).startswith("/DejaVuSans "), name
