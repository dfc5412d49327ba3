"""Builds each form's DOCX template (a docxtpl template) from its spec with python-docx.

The template holds Jinja tags in docxtpl's dialect: `{%p %}` paragraphs loop over the lines of an
answer, `{%tr %}` rows over list items, `{%r %}` runs over tab-separated pieces. Every answer's
label cell carries a bookmark named after the field, and every table's header row one named after
the table, so a completed form is read back even after an office suite drops its other markup.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph

from pepdocs.engines.docx._properties import scrubbed_part
from pepdocs.forms._spec import Block, Form
from pepdocs.forms._style import LABEL_FILL, MARGIN_CM, NAVY, PAGE_HEIGHT_CM, PAGE_WIDTH_CM, TEXT_WIDTH_CM
from pepdocs.forms._wording import block_header, filled_by_line, section_heading

FIXED_TIME = (2025, 1, 1, 0, 0, 0)
BAND_PAIRS = 3
"""Label and answer pairs across one row of the name band."""


class _Bookmarks:
    """Hands out bookmark ids in document order."""

    def __init__(self) -> None:
        self.next_id = 1

    def add(self, paragraph: Paragraph, name: str) -> None:
        start = OxmlElement("w:bookmarkStart")
        start.set(qn("w:id"), str(self.next_id))
        start.set(qn("w:name"), name)
        end = OxmlElement("w:bookmarkEnd")
        end.set(qn("w:id"), str(self.next_id))
        paragraph._p.insert(1 if paragraph._p.pPr is not None else 0, start)
        paragraph._p.append(end)
        self.next_id += 1


def _shade(cell: _Cell, fill: str) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def _min_height(row: _Row, twips: int) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    height = OxmlElement("w:trHeight")
    height.set(qn("w:val"), str(twips))
    height.set(qn("w:hRule"), "atLeast")
    tr_pr.append(height)


def _keep_together(row: _Row) -> None:
    """A row that moves whole to the next page rather than splitting (so a printed copy reads back by rows)."""
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _repeat_header(row: _Row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:tblHeader"))
    tr_pr.append(OxmlElement("w:cantSplit"))


def _widths(table: Table, widths: Iterable[float]) -> None:
    """Fix column widths (in cm, scaled to the text width) on the grid and every cell."""
    raw = list(widths)
    scale = TEXT_WIDTH_CM / sum(raw)
    cms = [w * scale for w in raw]
    table.autofit = False
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), cms, strict=True):
        col.set(qn("w:w"), str(int(Cm(width).twips)))
    for row in table.rows:
        for cell, width in zip(row.cells, cms, strict=False):
            cell.width = Cm(width)


def _text(cell: _Cell, text: str, *, bold: bool = False, white: bool = False, size: float | None = None) -> Paragraph:
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(text)
    run.bold = bold
    if white:
        run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    if size:
        run.font.size = Pt(size)
    return paragraph  # type: ignore[no-any-return]


def _answer(cell: _Cell, expr: str) -> None:
    """Write the docxtpl loop that prints an answer: a paragraph per line, a tab between pieces."""
    first = cell.paragraphs[0]
    first.add_run(f"{{%p for para in {expr} %}}")
    body = cell.add_paragraph()
    body.add_run("{%r for seg in para %}")
    body.add_run("{%r if not loop.first %}")
    body.add_run().add_tab()
    body.add_run("{%r endif %}")
    body.add_run("{{ seg }}")
    body.add_run("{%r endfor %}")
    cell.add_paragraph().add_run("{%p endfor %}")


def _gap(document: DocumentObject) -> None:
    """A small paragraph between tables: without it office suites merge neighbouring tables."""
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_after = Pt(2)
    run = paragraph.add_run()
    run.font.size = Pt(4)


def _jinja_if(document: DocumentObject, condition: str) -> None:
    document.add_paragraph(f"{{%p if {condition} %}}")


def _jinja_endif(document: DocumentObject) -> None:
    document.add_paragraph("{%p endif %}")


def _fields_table(document: DocumentObject, block: Block, marks: _Bookmarks) -> None:
    fields = list(block.fields)
    pairs = max(1, block.pairs)
    table = document.add_table(rows=0, cols=2 * pairs)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for start in range(0, len(fields), pairs):
        row = table.add_row()
        _min_height(row, 360)
        _keep_together(row)
        for i, field in enumerate(fields[start : start + pairs]):
            label, value = row.cells[2 * i], row.cells[2 * i + 1]
            _shade(label, LABEL_FILL)
            paragraph = _text(label, field.label, bold=True)
            if not field.derived:
                marks.add(paragraph, field.id)
            _answer(value, f"v.{field.id}")
    _widths(table, [4.0, 4.7] * pairs if pairs > 1 else [6.0, 11.4])


def _text_table(document: DocumentObject, block: Block, marks: _Bookmarks) -> None:
    for index, field in enumerate(block.fields):
        if index:
            _gap(document)
        if field.sensitive and not block.sensitive:
            _jinja_if(document, f"show.{field.id}")
        table = document.add_table(rows=2, cols=1)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        label, value = table.rows[0].cells[0], table.rows[1].cells[0]
        _shade(label, LABEL_FILL)
        paragraph = _text(label, field.label, bold=True)
        paragraph.paragraph_format.keep_with_next = True
        if not field.derived:
            marks.add(paragraph, field.id)
        _answer(value, f"v.{field.id}")
        _min_height(table.rows[1], 300 * max(1, field.lines))
        _widths(table, [1.0])
        if field.sensitive and not block.sensitive:
            _jinja_endif(document)


def _list_table(document: DocumentObject, block: Block, marks: _Bookmarks) -> None:
    header = block_header(block)
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    head = table.rows[0]
    _repeat_header(head)
    for index, (cell, text) in enumerate(zip(head.cells, header, strict=True)):
        _shade(cell, NAVY)
        paragraph = _text(cell, text, bold=True, white=True, size=9)
        if index == 0:
            marks.add(paragraph, block.id)
    loop_open = table.add_row()
    loop_open.cells[0].paragraphs[0].add_run(f"{{%tr for row in t.{block.id} %}}")
    data = table.add_row()
    _min_height(data, 400)
    _keep_together(data)
    for cell, column in zip(data.cells, block.columns, strict=True):
        _answer(cell, f"row.{column.id}")
    loop_close = table.add_row()
    loop_close.cells[0].paragraphs[0].add_run("{%tr endfor %}")
    _widths(table, block.widths)


def _grid_table(document: DocumentObject, block: Block, marks: _Bookmarks) -> None:
    header = block_header(block)
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    head = table.rows[0]
    _keep_together(head)
    for index, (cell, text) in enumerate(zip(head.cells, header, strict=True)):
        _shade(cell, NAVY if index else LABEL_FILL)
        paragraph = _text(cell, text, bold=True, white=bool(index), size=9)
        if index == 0:
            marks.add(paragraph, block.id)
    per_row = block.pairs
    for r, label in enumerate(block.row_labels):
        row = table.add_row()
        _min_height(row, 360)
        _keep_together(row)
        _shade(row.cells[0], LABEL_FILL)
        _text(row.cells[0], label, bold=True)
        for cell, field in zip(row.cells[1:], block.columns[r * per_row : (r + 1) * per_row], strict=True):
            _answer(cell, f"v.{field.id}")
    _widths(table, [3.2, *block.widths])


def _title_block(document: DocumentObject, form: Form, marks: _Bookmarks) -> None:
    authority = document.add_paragraph()
    run = authority.add_run(form.authority)
    run.bold = True
    run.font.size = Pt(12)
    run.font.color.rgb = RGBColor.from_string(NAVY)
    document.add_paragraph("{{ title }}", style="Title")
    if form.intro:
        intro = document.add_paragraph()
        intro_run = intro.add_run(form.intro)
        intro_run.italic = True
        intro_run.font.size = Pt(9)
    if form.title_fields:
        across = min(BAND_PAIRS, len(form.title_fields))
        table = document.add_table(rows=-(-len(form.title_fields) // across), cols=2 * across)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for i, field in enumerate(form.title_fields):
            cells = table.rows[i // across].cells
            label, value = cells[2 * (i % across)], cells[2 * (i % across) + 1]
            _shade(label, LABEL_FILL)
            marks.add(_text(label, field.label, bold=True), field.id)
            _answer(value, f"v.{field.id}")
        _widths(table, [2.2, 3.6] * across)
        _gap(document)


def _header_footer(document: DocumentObject, form: Form) -> None:
    section = document.sections[0]
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    marking = header.add_run("OFFICIAL-SENSITIVE")
    marking.bold = True
    marking.font.size = Pt(9)
    header.add_run(f"\t{form.short_title}").font.size = Pt(8)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text in ("OFFICIAL-SENSITIVE    {{ footer_name }}    Page ",):
        footer.add_run(text).font.size = Pt(8)
    _page_field(footer, "PAGE")
    footer.add_run(" of ").font.size = Pt(8)
    _page_field(footer, "NUMPAGES")


def _page_field(paragraph: Paragraph, code: str) -> None:
    def add(kind: str) -> None:
        run = paragraph.add_run()
        run.font.size = Pt(8)
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        run._r.append(char)

    add("begin")
    instr = paragraph.add_run()
    instr.font.size = Pt(8)
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {code} "
    instr._r.append(text)
    add("separate")
    paragraph.add_run("1").font.size = Pt(8)
    add("end")


def _styles(document: DocumentObject) -> None:
    styles = document.styles
    normal = styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10)
    normal.paragraph_format.space_after = Pt(0)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "Arial")
    for name, size in (("Title", 20), ("Heading 1", 13), ("Heading 2", 11)):
        style = styles[name]
        style.font.name = "Arial"
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor.from_string(NAVY)
        style.paragraph_format.space_before = Pt(10 if name != "Title" else 0)
        style.paragraph_format.space_after = Pt(4)
    styles["Title"].element.get_or_add_pPr()


def build_docx(form: Form) -> bytes:
    """The form's DOCX template, built from its spec; the same spec always gives the same bytes."""
    document = Document()
    _styles(document)
    page = document.sections[0]
    page.orientation = WD_ORIENT.PORTRAIT
    page.page_width, page.page_height = Cm(PAGE_WIDTH_CM), Cm(PAGE_HEIGHT_CM)
    for side in ("left_margin", "right_margin"):
        setattr(page, side, Cm(MARGIN_CM))
    page.top_margin, page.bottom_margin = Cm(1.6), Cm(1.6)
    page.header_distance = page.footer_distance = Cm(0.8)
    _header_footer(document, form)
    marks = _Bookmarks()
    _title_block(document, form, marks)
    for section in form.sections:
        _jinja_if(document, f"show.{section.id}")
        document.add_paragraph(section_heading(section), style="Heading 1")
        if filled_by_line(section):
            line = document.add_paragraph()
            run = line.add_run(filled_by_line(section))
            run.italic = True
            run.font.size = Pt(9)
        for block in section.blocks:
            if block.conditional:
                _jinja_if(document, f"show.{block.id}")
            if block.heading:
                document.add_paragraph(block.heading, style="Heading 2").paragraph_format.keep_with_next = True
            if block.note:
                note = document.add_paragraph()
                note.paragraph_format.keep_with_next = True
                note_run = note.add_run(block.note)
                note_run.italic = True
                note_run.font.size = Pt(9)
            {"fields": _fields_table, "text": _text_table, "table": _list_table, "grid": _grid_table}[block.kind](
                document, block, marks
            )
            _gap(document)
            if block.conditional:
                _jinja_endif(document)
        _jinja_endif(document)
    document.core_properties.title = form.title
    document.core_properties.subject = form.authority
    out = io.BytesIO()
    document.save(out)
    return _scrub(out.getvalue(), form)


def _scrub(docx: bytes, form: Form) -> bytes:
    """Give the package fixed timestamps and core properties with no author, dates or tool names."""
    source = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = scrubbed_part(info.filename, source.read(info.filename), form.title, form.authority)
            if info.filename.startswith("docProps/thumbnail"):
                continue
            elif info.filename == "_rels/.rels":
                data = re.sub(rb'<Relationship [^>]*Target="docProps/thumbnail[^"]*"/>', b"", data)
            elif info.filename == "[Content_Types].xml":
                data = re.sub(rb'<Default Extension="jpeg"[^>]*/>', b"", data)
            target.writestr(zipfile.ZipInfo(info.filename, FIXED_TIME), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()
