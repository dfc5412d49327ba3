"""PDFs laid out to their content and tagged for screen readers: sizes, pages, structure, an independent checker."""

from __future__ import annotations

import functools
import io
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from pdfua import validate
from pypdf import PdfReader

import pepdocs
from pepdocs.engines.pdf._build import build_pdf
from pepdocs.forms._spec import list_forms

from .conftest import EXAMPLES, example, libreoffice_convert, office

FORMS = [form.id for form in list_forms()]
NAMES = [path.stem for path in EXAMPLES]
PAINT = {"Tj", "TJ", "'", '"', "f", "f*", "F", "S", "s", "B", "B*", "b", "b*", "Do", "sh", "BI"}
SHOW = {"Tj", "TJ", "'", '"'}


@functools.cache
def _rendered(name: str, form_id: str, flatten: bool = False) -> bytes:
    return pepdocs.render(example(name), form_id, "pdf", flatten=flatten)


def _documents() -> Iterator[tuple[str, bytes]]:
    """Every form blank, filled with every example, and flattened with its own kind of example."""
    for form_id in FORMS:
        yield f"{form_id} blank", build_pdf(pepdocs.get_form(form_id))
        for name in NAMES:
            yield f"{form_id} {name}", _rendered(name, form_id)
        yield f"{form_id} flattened", _rendered(NAMES[0], form_id, flatten=True)


def _streams(pdf: pikepdf.Pdf) -> Iterator[tuple[str, Any]]:
    """Each page's content and each widget's appearance: (where, the object to parse)."""
    for number, page in enumerate(pdf.pages, start=1):
        yield f"page {number}", page
        annots: Any = page.get("/Annots", [])
        for annot in annots:
            normal = annot["/AP"].get("/N") if "/AP" in annot else None
            if isinstance(normal, pikepdf.Stream):
                yield f"page {number} field {annot.get('/T')}", normal


def _sizes(instructions: list[Any]) -> Iterator[float]:
    """The size each piece of text is drawn at: the Tf size scaled by the text matrix and the graphics state."""
    ctm = [1.0]
    size, scale = 0.0, 1.0
    for item in instructions:
        op, args = str(item.operator), item.operands
        if op == "q":
            ctm.append(ctm[-1])
        elif op == "Q":
            ctm.pop()
        elif op == "cm":
            ctm[-1] *= abs(float(args[3]))
        elif op == "Tf":
            size = float(args[1])
        elif op == "Tm":
            scale = abs(float(args[3]))
        elif op == "BT":
            scale = 1.0
        elif op in SHOW:
            yield size * scale * ctm[-1]


@pytest.mark.parametrize("form_id", FORMS)
def test_no_text_is_drawn_below_9_points(form_id: str) -> None:
    documents = [(label, data) for label, data in _documents() if label.startswith(f"{form_id} ")]
    for label, data in documents:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            for where, stream in _streams(pdf):
                sizes = list(_sizes(pikepdf.parse_content_stream(stream)))
                assert sizes, f"{label}, {where}: no text"
                assert min(sizes) >= 9.0, f"{label}, {where}: text drawn at {min(sizes)} pt"


@pytest.mark.parametrize("form_id", FORMS)
@pytest.mark.parametrize("name", NAMES)
def test_a_filled_pdf_has_no_continuation_page_and_every_answer_at_full_size(name: str, form_id: str) -> None:
    data = _rendered(name, form_id)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "Continuation" not in text and "continued from page" not in text
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for annot in (a for page in pdf.pages for a in page.get("/Annots", [])):
            if "/V" in annot and annot.get("/FT") == "/Tx":
                drawn = annot["/AP"]["/N"].read_bytes()
                assert b"continued" not in drawn, annot["/T"]


MAX_FILLED_BYTES = 150_000
"""Issue 14's bound for a filled PDF: a batch of them goes by email and onto every child's file."""


@pytest.mark.parametrize("form_id", FORMS)
def test_every_form_filled_with_every_example_is_at_most_150_kb(form_id: str) -> None:
    sizes = {name: len(_rendered(name, form_id)) for name in NAMES}
    assert max(sizes.values()) <= MAX_FILLED_BYTES, sizes


def test_boxes_and_tables_grow_with_their_answers() -> None:
    story = " ".join(["The carer says she is settled and reading every night."] * 12)
    targets = [{"description": f"Target {n}: read a chapter book a week", "due_date": "2026-03-01"} for n in range(9)]
    pep = pepdocs.PEP.model_validate({"views": {"carer": story}, "targets": targets})
    data = pepdocs.render(pep, "southwark-full", "pdf")
    blank = pepdocs.get_form("southwark-full").folder / "form.pdf"
    with pikepdf.open(io.BytesIO(data)) as pdf, pikepdf.open(blank) as template:

        def heights(doc: pikepdf.Pdf) -> dict[str, float]:
            out = {}
            for annot in (a for page in doc.pages for a in page.get("/Annots", [])):
                if "/T" in annot and "/Parent" in annot:
                    rect = [float(v) for v in annot["/Rect"]]
                    out[_full_name(annot)] = rect[3] - rect[1]
            return out

        filled, empty = heights(pdf), heights(template)
    assert filled["views.carer"] > empty["views.carer"] * 1.5
    assert "targets.8.description" in filled and "targets.9.description" in filled  # every item and a spare row
    assert "targets.10.description" not in filled
    assert pepdocs.parse(data).pep.views.carer == story


def test_an_answer_longer_than_a_page_goes_on_below_its_box_and_reads_back_whole() -> None:
    story = " ".join(f"word{n}" for n in range(3000)) + "\nlast paragraph"
    data = pepdocs.render(pepdocs.PEP.model_validate({"views": {"carer": story}}), "southwark-full", "pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "word2999" in text and "last paragraph" in text and "continued from page" in text
    assert pepdocs.parse(data).pep.views.carer == story


def test_a_section_the_spec_starts_on_a_new_page_does(tmp_path: Path) -> None:
    import dataclasses

    form = pepdocs.get_form("southwark-review")
    sections = tuple(dataclasses.replace(s, new_page=s.key == "3") for s in form.sections)
    broken = dataclasses.replace(form, sections=sections)
    pages = PdfReader(io.BytesIO(build_pdf(broken))).pages
    starts = [n for n, page in enumerate(pages) if "Section 3:" in (page.extract_text() or "")]
    assert starts and "Section 2:" not in pages[starts[0]].extract_text()
    assert len(pages) >= len(PdfReader(io.BytesIO(build_pdf(form))).pages)


def _full_name(annot: Any) -> str:
    parts = []
    node = annot
    while node is not None and "/T" in node:
        parts.append(str(node["/T"]))
        node = node.get("/Parent")
    return ".".join(reversed(parts))


# --- tagged and accessible ------------------------------------------------------------------------


def _check_tagging(label: str, data: bytes) -> None:
    """What pdfua does not check and PDF/UA-1 asks: every page's content tagged or an artifact, the parent tree
    matching the marked content, every field in a /Form element with /OBJR and a /TU, header cells scoped."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.Root
        assert bool(root.MarkInfo.Marked) and str(root.Lang) == "en-GB", label
        assert bool(root.ViewerPreferences.DisplayDocTitle) and str(pdf.docinfo["/Title"]), label
        assert b"<pdfuaid:part>1</pdfuaid:part>" in root.Metadata.read_bytes(), label
        nums = list(root.StructTreeRoot.ParentTree.Nums)
        parents: dict[int, Any] = {int(k): v for k, v in zip(nums[::2], nums[1::2], strict=True)}
        for number, page in enumerate(pdf.pages, start=1):
            assert page.Tabs == "/S", f"{label} page {number}"
            stack: list[str] = []
            mcids: list[int] = []
            for item in pikepdf.parse_content_stream(page):
                op = str(item.operator)
                if op in ("BDC", "BMC"):
                    tag = str(item.operands[0])
                    props = item.operands[1] if op == "BDC" else None
                    if tag != "/Artifact" and props is not None and "/MCID" in props:
                        mcids.append(int(props.MCID))
                        tag = "MCID"
                    stack.append(tag)
                elif op == "EMC":
                    stack.pop()
                elif op in PAINT:
                    assert {"MCID", "/Artifact"} & set(stack), f"{label} page {number}: {op} outside tags"
            assert mcids == list(range(len(mcids))), f"{label} page {number}"
            elems = parents[int(page.StructParents)]
            assert len(elems) == len(mcids), f"{label} page {number}"
            for mcid, elem in enumerate(elems):
                # A kid is this page's marked content as a bare MCID (on the element's /Pg) or a marked-content
                # reference naming its own page.
                kids = elem.K if isinstance(elem.K, pikepdf.Array) else [elem.K]
                assert any(
                    (k == mcid and elem.get("/Pg") == page.obj)
                    if isinstance(k, int)
                    else (isinstance(k, pikepdf.Dictionary) and k.get("/MCID") == mcid and k.get("/Pg") == page.obj)
                    for k in kids
                ), f"{label} page {number}: MCID {mcid}"
            for annot in page.get("/Annots", []):
                form = parents[int(annot.StructParent)]
                assert form.S == "/Form", f"{label}: {_full_name(annot)}"
                kids = form.K if isinstance(form.K, pikepdf.Array) else [form.K]
                assert any(k.get("/Obj") == annot for k in kids if isinstance(k, pikepdf.Dictionary))
                field = annot if "/T" in annot else annot.Parent
                assert str(field.get("/TU", "")), f"{label}: {_full_name(annot)} has no /TU"

        def walk(elem: Any, depth: int = 0) -> Iterator[Any]:
            yield elem
            kids = elem.get("/K", [])
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") not in ("/MCR", "/OBJR"):
                    yield from walk(kid, depth + 1)

        roles = [str(e.S) for e in walk(root.StructTreeRoot.K[0])]
        assert roles[0] == "/Document" and "/H1" in roles and "/H2" in roles and "/Table" in roles, label
        for elem in walk(root.StructTreeRoot.K[0]):
            if elem.S == "/TH":
                assert elem.A.Scope in ("/Row", "/Column"), label
            if elem.S == "/TR":
                assert elem.P.S == "/Table", label


def test_every_pdf_is_tagged_with_its_fields_in_the_structure() -> None:
    for label, data in _documents():
        _check_tagging(label, data)


def test_the_pdfua_checker_finds_nothing_on_any_form_blank_filled_or_flattened(tmp_path: Path) -> None:
    for n, (label, data) in enumerate(_documents()):
        path = tmp_path / f"{n}.pdf"
        path.write_bytes(data)
        report = validate(str(path))
        findings = [f"{f.rule_id} {f.message}" for f in report.findings]
        assert findings == [], f"{label}: {findings}"


@pytest.mark.office
def test_pdfinfo_says_tagged(tmp_path: Path) -> None:
    pdfinfo = office("pdfinfo")
    for form_id in FORMS:
        path = tmp_path / f"{form_id}.pdf"
        path.write_bytes(_rendered(NAMES[0], form_id))
        out = subprocess.run([pdfinfo, str(path)], capture_output=True, text=True, check=True, timeout=60).stdout
        assert "Tagged:          yes" in out, form_id


@pytest.mark.office
def test_pdffonts_finds_every_font_embedded_on_every_form(tmp_path: Path) -> None:
    """PDF/A and PDF/UA want every font embedded: tick boxes too draw nothing in a font the file does not carry."""
    pdffonts = office("pdffonts")
    for n, (label, data) in enumerate(_documents()):
        path = tmp_path / f"{n}.pdf"
        path.write_bytes(data)
        out = subprocess.run([pdffonts, str(path)], capture_output=True, text=True, check=True, timeout=60).stdout
        rows = out.splitlines()[2:]
        assert rows, label
        assert all(row.split()[-5] == "yes" for row in rows), f"{label}: {out}"


# --- no longer than the DOCX printed -------------------------------------------------------------


@pytest.mark.office
def test_a_filled_pdf_has_no_more_pages_than_its_docx_printed_by_libreoffice_plus_one() -> None:
    with tempfile.TemporaryDirectory() as work:
        source = Path(work, "in")
        source.mkdir()
        for form_id in FORMS:
            for name in NAMES:
                (source / f"{form_id}__{name}.docx").write_bytes(pepdocs.render(example(name), form_id, "docx"))
        out = Path(work, "out")
        libreoffice_convert(sorted(source.iterdir()), "pdf", out, timeout=900)
        over = []
        for form_id in FORMS:
            for name in NAMES:
                printed = len(PdfReader(out / f"{form_id}__{name}.pdf").pages)
                ours = len(PdfReader(io.BytesIO(_rendered(name, form_id))).pages)
                if ours > printed + 1:
                    over.append(f"{form_id} with {name}: {ours} pages, the DOCX printed {printed}")
        assert over == []
