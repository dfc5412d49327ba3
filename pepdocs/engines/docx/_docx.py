"""The DOCX engine: fills a form's docxtpl template from a PEP, and reads completed forms back.

Rendering compiles each template part once per process (docxtpl's own tag handling, then a
sandboxed, auto-escaping Jinja environment) and rewrites only the rendered parts into the package.
Reading never trusts the file: the zip is read with size limits and the XML without DTDs or entities.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

from pepdocs._errors import DocumentError, RenderError
from pepdocs.forms._spec import Form

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
_W = f"{{{W}}}"
RENDERED_PARTS = re.compile(r"word/(document|header\d*|footer\d*)\.xml")
CUSTOM_PART = "docProps/custom.xml"
MAX_PART_BYTES = 64 * 1024 * 1024
MAX_PARTS = 2000


# --- rendering ----------------------------------------------------------------------------


class _ZipEntry:
    """One member of a zip package, deflated once, ready to copy into any number of packages."""

    __slots__ = ("crc", "data", "name", "size")

    def __init__(self, name: str, raw: bytes) -> None:
        self.name = name.encode("utf-8")
        self.crc = zlib.crc32(raw)
        self.size = len(raw)
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        self.data = packer.compress(raw) + packer.flush()


_DOS_DATE = (2025 - 1980) << 9 | 1 << 5 | 1  # 1 January 2025, midnight: outputs do not say when they were made


def _zip(entries: list[_ZipEntry]) -> bytes:
    """A zip package of deflated entries, written directly so unchanged parts are never compressed again."""
    out = bytearray()
    directory = bytearray()
    for entry in entries:
        offset = len(out)
        fields = (20, 0, 8, 0, _DOS_DATE, entry.crc, len(entry.data), entry.size, len(entry.name))
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields, 0) + entry.name + entry.data
        directory += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fields, 0, 0, 0, 0, 0, offset) + entry.name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(directory), len(out), 0)
    return bytes(out + directory + end)


@dataclass
class CompiledTemplate:
    """A DOCX template ready to render many times: its fixed parts deflated once, Jinja for the parts with tags."""

    fixed: list[_ZipEntry]
    templates: dict[str, jinja2.Template]


def _environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


def compile_template(docx: bytes) -> CompiledTemplate:
    """Read a docxtpl template once: patch its tags as docxtpl does, and compile each part."""
    from docxtpl import DocxTemplate

    patcher = DocxTemplate.__new__(DocxTemplate)  # patch_xml needs no loaded document
    env = _environment()
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        parts = _with_custom_part({name: package.read(name) for name in package.namelist()})
    templates = {}
    fixed = []
    for name, data in parts.items():
        if RENDERED_PARTS.fullmatch(name):
            source = patcher.patch_xml(data.decode("utf-8"))
            source = re.sub(r"<w:p([ >])", r"\n<w:p\1", source)
            templates[name] = env.from_string(source)
        elif name != CUSTOM_PART:
            fixed.append(_ZipEntry(name, data))
    return CompiledTemplate(fixed, templates)


def _custom_properties(properties: dict[str, str]) -> bytes:
    items = "".join(
        f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{pid}" name={quoteattr(name)}>'
        f"<vt:lpwstr>{escape(value)}</vt:lpwstr></property>"
        for pid, (name, value) in enumerate(properties.items(), start=2)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        f"{items}</Properties>"
    ).encode()


def _with_custom_part(parts: dict[str, bytes]) -> dict[str, bytes]:
    """Declare docProps/custom.xml in the content types and package relationships."""
    parts = dict(parts)
    types = parts["[Content_Types].xml"]
    if b"/docProps/custom.xml" not in types:
        parts["[Content_Types].xml"] = types.replace(
            b"</Types>",
            b'<Override PartName="/docProps/custom.xml" '
            b'ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/></Types>',
        )
    rels = parts["_rels/.rels"]
    if b"docProps/custom.xml" not in rels:
        parts["_rels/.rels"] = rels.replace(
            b"</Relationships>",
            b'<Relationship Id="rIdPepdocsCustom" '
            b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties" '
            b'Target="docProps/custom.xml"/></Relationships>',
        )
    return parts


def render_docx(template: CompiledTemplate, context: dict[str, Any], properties: dict[str, str]) -> bytes:
    """A filled DOCX: every templated part rendered with `context`, `properties` as custom properties."""
    entries = list(template.fixed)
    for name, jinja in template.templates.items():
        try:
            xml = jinja.render(context)
        except jinja2.TemplateError as error:
            raise RenderError(f"template part {name} does not fit its spec: {error}") from error
        entries.append(_ZipEntry(name, re.sub(r"\n<w:p([ >])", r"<w:p\1", xml).encode("utf-8")))
    entries.append(_ZipEntry(CUSTOM_PART, _custom_properties(properties)))
    return _zip(entries)


@cache
def template_for(form: Form) -> CompiledTemplate:
    """The compiled DOCX template of a form, read from its folder once per process."""
    path = form.folder / "form.docx"
    try:
        return compile_template(path.read_bytes())
    except OSError:
        raise RenderError(f"form {form.id} has no DOCX template at {path.name}; run python -m pepdocs.build") from None


# --- reading ------------------------------------------------------------------------------


_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False, remove_comments=True
)


def safe_xml(data: bytes, file: str, part: str) -> etree._Element:
    """Parse one XML part of an untrusted file: no DTD, no entities, no network."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise DocumentError(f"{part} declares a DTD or entities, which a Word document never needs", file)
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as error:
        raise DocumentError(f"{part} is not well-formed XML ({error.msg})", file) from None


def read_package(data: bytes, file: str) -> dict[str, bytes]:
    """The XML parts of a DOCX that pepdocs reads, with size limits against zip bombs."""
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise DocumentError("not a DOCX file (it is not a zip package)", file) from None
    with package:
        infos = package.infolist()
        if len(infos) > MAX_PARTS:
            raise DocumentError(f"holds {len(infos)} parts; a PEP form has a few dozen", file)
        names = {info.filename for info in infos}
        if "word/document.xml" not in names:
            raise DocumentError("not a Word document (no word/document.xml)", file)
        wanted = ["word/document.xml", CUSTOM_PART, "[Content_Types].xml"]
        out = {}
        for name in wanted:
            if name in names:
                out[name] = _read_limited(package, name, file)
        return out


def _read_limited(package: zipfile.ZipFile, name: str, file: str) -> bytes:
    try:
        with package.open(name) as stream:
            data = stream.read(MAX_PART_BYTES + 1)
    except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, ValueError) as error:
        raise DocumentError(f"{name} cannot be read, the file is damaged or truncated ({error})", file) from None
    if len(data) > MAX_PART_BYTES:
        raise DocumentError(f"{name} inflates past {MAX_PART_BYTES // 2**20} MB; refusing a possible zip bomb", file)
    return data


def custom_properties(parts: dict[str, bytes], file: str) -> dict[str, str]:
    if CUSTOM_PART not in parts:
        return {}
    root = safe_xml(parts[CUSTOM_PART], file, CUSTOM_PART)
    out = {}
    for prop in root:
        name = prop.get("name")
        if name:
            out[str(name)] = "".join(str(text) for text in prop.itertext())
    return out


PROMPTS = {
    "click or tap here to enter text.",
    "click here to enter text.",
    "click or tap to enter a date.",
    "click here to enter a date.",
    "choose an item.",
}
"""Word's own placeholder prompts: text a cell shows until someone answers it."""


def _owner(element: etree._Element, tag: str) -> etree._Element | None:
    for ancestor in element.iterancestors(tag):
        return ancestor
    return None


def paragraph_text(p: etree._Element) -> str:
    """The text of a paragraph as a person reads it: tabs, line breaks, tick boxes; no deleted text."""
    out: list[str] = []
    skip: set[etree._Element] = set()
    for el in p.iter():
        if el in skip:
            continue
        tag = el.tag
        if tag == f"{_W}sdt":
            pr = el.find(f"{_W}sdtPr")
            content = el.find(f"{_W}sdtContent")
            if pr is not None and content is not None:
                box = pr.find(f"{{{W14}}}checkbox")
                if box is not None:
                    checked = box.find(f"{{{W14}}}checked")
                    value = checked.get(f"{{{W14}}}val") if checked is not None else "0"
                    out.append("☒" if value in ("1", "true") else "☐")
                    skip.update(content.iter())
                elif pr.find(f"{_W}showingPlcHdr") is not None:
                    skip.update(content.iter())
        elif tag == f"{_W}t":
            out.append(el.text or "")
        elif tag == f"{_W}tab" and _owner(el, f"{_W}r") is not None:
            out.append("\t")
        elif tag in (f"{_W}br", f"{_W}cr"):
            out.append("\n")
        elif tag == f"{_W}noBreakHyphen":
            out.append("-")
        elif tag == f"{_W}sym":
            char = el.get(f"{_W}char", "")
            out.append({"F078": "☒", "F0FD": "☒", "F0FE": "☑", "F06F": "☐", "F0A8": "☐"}.get(char.upper(), ""))
    return "".join(out)


def _placeholder(p: etree._Element, tc: etree._Element) -> bool:
    """Whether a paragraph is the prompt of a content control still showing its placeholder."""
    for sdt in p.iterancestors(f"{_W}sdt"):
        if sdt.find(f"{_W}sdtPr/{_W}showingPlcHdr") is not None:
            return True
        if _owner(sdt, f"{_W}tc") is not tc:
            break
    return False


def cell_text(tc: etree._Element) -> str:
    """The text of a table cell, one line per paragraph; placeholder prompts read as empty."""
    lines = [
        paragraph_text(p) for p in tc.iter(f"{_W}p") if _owner(p, f"{_W}tc") is tc and not _placeholder(p, tc)
    ]
    text = "\n".join(lines)
    if text.strip().casefold() in PROMPTS:
        return ""
    return text


@dataclass
class Cell:
    """A table cell found in a document, with where it stands."""

    element: etree._Element
    table: int
    row: int
    column: int
    text: str


@dataclass
class DocxContent:
    """What a DOCX holds: its tables as rows of cells, bookmarks, loose paragraphs and properties."""

    tables: list[list[list[Cell]]]
    bookmarks: dict[str, Cell]
    paragraphs: list[str]
    properties: dict[str, str]
    cells_by_element: dict[Any, Cell] = field(default_factory=dict)

    def cells(self) -> Iterator[Cell]:
        for table in self.tables:
            for row in table:
                yield from row


def read_docx(data: bytes, file: str) -> DocxContent:
    """Read a DOCX into tables of cell text, bookmarks and the paragraphs outside tables."""
    parts = read_package(data, file)
    types = parts.get("[Content_Types].xml", b"")
    if b"macroEnabled" in types or b"vbaProject" in types:
        raise DocumentError("is a macro-enabled document; save it as a plain .docx", file)
    root = safe_xml(parts["word/document.xml"], file, "word/document.xml")
    body = root.find(f"{_W}body")
    if body is None:
        raise DocumentError("word/document.xml has no body", file)
    tables: list[list[list[Cell]]] = []
    by_element: dict[Any, Cell] = {}
    for tbl in body.iter(f"{_W}tbl"):
        if _owner(tbl, f"{_W}tbl") is not None:
            continue  # a table inside a cell is read as the cell's text
        rows = []
        for r, tr in enumerate(tr for tr in tbl.iter(f"{_W}tr") if _owner(tr, f"{_W}tbl") is tbl):
            cells = []
            for c, tc in enumerate(tc for tc in tr.iter(f"{_W}tc") if _owner(tc, f"{_W}tr") is tr):
                cell = Cell(tc, len(tables), r, c, cell_text(tc))
                cells.append(cell)
                by_element[tc] = cell
            rows.append(cells)
        tables.append(rows)
    bookmarks = {}
    for mark in body.iter(f"{_W}bookmarkStart"):
        name = mark.get(f"{_W}name", "")
        owner = _owner(mark, f"{_W}tc")
        if owner is None:
            # Word may put a bookmark that starts a cell just before the cell's paragraph.
            following = mark.getnext()
            owner = _owner(following, f"{_W}tc") if following is not None else None
        if name and owner is not None and owner in by_element and name not in bookmarks:
            bookmarks[name] = by_element[owner]
    paragraphs = [paragraph_text(p) for p in body.iter(f"{_W}p") if _owner(p, f"{_W}tc") is None]
    return DocxContent(tables, bookmarks, paragraphs, custom_properties(parts, file), by_element)


# --- a form's answers in and out ------------------------------------------------------------


def _paragraphs(text: str) -> list[list[str]]:
    """Answer text as the template prints it: paragraphs of tab-separated pieces."""
    return [line.split("\t") for line in text.split("\n")]


def docx_context(form: Form, answers: Any, title: str, footer_name: str) -> dict[str, Any]:
    """The Jinja context of a form's DOCX template for one set of answers."""
    return {
        "v": {key: _paragraphs(text) for key, text in answers.values.items()},
        "t": {
            key: [{k: _paragraphs(text) for k, text in row.items()} for row in rows]
            for key, rows in answers.tables.items()
        },
        "show": answers.show,
        "title": title,
        "footer_name": footer_name,
    }
