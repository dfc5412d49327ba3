"""Reading a DOCX that came from outside: the package with size limits, XML without DTDs or entities.

A document is read into its tables of cell text, bookmarks, loose paragraphs and custom properties.
"""

from __future__ import annotations

import io
import lzma
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from lxml import etree

from pepdocs._errors import DocumentError, LimitError

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
_W = f"{{{W}}}"
CUSTOM_PART = "docProps/custom.xml"
COMMENTS_PART = "word/comments.xml"
MAX_PART_BYTES = 64 * 1024 * 1024
MAX_PARTS = 2000
MAX_DEPTH = 256
"""XML elements nest at most this deep (libxml2's own limit without its huge-tree option)."""
MAX_NESTED_PARAGRAPHS = 8
"""Paragraphs inside paragraphs (text boxes) at most this deep: each level is read again by the one around it."""
MAX_TEXT = 4_000_000
"""Characters of text in one document: a completed PEP holds tens of thousands."""
MAX_FIELD_TEXT = 200_000
"""Characters in one answer (one table cell)."""


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
        if "depth" in str(error.msg).casefold():
            raise LimitError(f"{part} nests elements more than {MAX_DEPTH} deep", file) from error
        raise DocumentError(f"{part} is not well-formed XML ({error.msg})", file) from error


def open_package(data: bytes, file: str) -> zipfile.ZipFile:
    """A Word document's zip package, opened, of no more parts than the limit."""
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise DocumentError("not a DOCX file (it is not a zip package)", file) from error
    except (ValueError, EOFError, OSError, NotImplementedError) as error:
        # A part's name that is not the UTF-8 its flag claims; a zip version past any Word writes.
        raise DocumentError(f"the zip package is damaged ({type(error).__name__})", file) from error
    parts = len(package.infolist())
    if parts > MAX_PARTS:
        package.close()
        raise DocumentError(f"holds {parts} parts; a PEP form has a few dozen", file)
    return package


def read_package(data: bytes, file: str) -> dict[str, bytes]:
    """The XML parts of a DOCX that pepdocs reads, with size limits against zip bombs."""
    with open_package(data, file) as package:
        names = {info.filename for info in package.infolist()}
        if "word/document.xml" not in names:
            raise DocumentError("not a Word document (no word/document.xml)", file)
        wanted = ["word/document.xml", CUSTOM_PART, "[Content_Types].xml", COMMENTS_PART]
        out = {}
        for name in wanted:
            if name in names:
                out[name] = read_limited(package, name, file)
        return out


def read_limited(package: zipfile.ZipFile, name: str, file: str) -> bytes:
    try:
        with package.open(name) as stream:
            data = stream.read(MAX_PART_BYTES + 1)
    except NotImplementedError as error:  # zipfile's word for a compression method it has no decoder for
        raise DocumentError(f"{name} is compressed by a method Word does not use; the file is damaged", file) from error
    except (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError, RuntimeError, ValueError) as error:
        raise DocumentError(f"{name} cannot be read, the file is damaged or truncated ({error})", file) from error
    if len(data) > MAX_PART_BYTES:
        raise DocumentError(f"{name} inflates past {MAX_PART_BYTES // 2**20} MB; refusing a possible zip bomb", file)
    return data


def comments(parts: dict[str, bytes], file: str) -> list[tuple[str, str]]:
    """The words of each comment in the margin (never who wrote it), each with where it is."""
    if COMMENTS_PART not in parts:
        return []
    root = safe_xml(parts[COMMENTS_PART], file, COMMENTS_PART)
    if len(root) > MAX_PARTS or cast(float, _ALL_TEXT(root)) > MAX_TEXT:
        raise LimitError(f"{COMMENTS_PART} holds more comments than any PEP ({len(root):,})", file)
    out = []
    for number, comment in enumerate(root.iter(f"{_W}comment"), 1):
        text = "\n".join(paragraph_text(p) for p in comment.iter(f"{_W}p")).strip()
        if text:
            out.append((f"comment {number}: a comment in the margin, outside any answer", text))
    return out


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
_LONGEST_PROMPT = max(map(len, PROMPTS))


def _prompt(text: str) -> bool:
    """Whether a cell's text is one of Word's prompts.

    Every prompt ends in a full stop, which no other character folds to, and case folding never shortens text:
    text without a full stop, or longer than any prompt once stripped, is not folded to compare.
    """
    if "." not in text:
        return False
    stripped = text.strip()
    return len(stripped) <= _LONGEST_PROMPT and stripped.casefold() in PROMPTS


def _owner(element: etree._Element, tag: str) -> etree._Element | None:
    for ancestor in element.iterancestors(tag):
        return ancestor
    return None


_READ_TAGS = tuple(f"{_W}{tag}" for tag in ("sdt", "t", "tab", "br", "cr", "noBreakHyphen", "sym"))
_SYMBOLS = {"F078": "☒", "F0FD": "☒", "F0FE": "☑", "F06F": "☐", "F0A8": "☐"}


def paragraph_text(p: etree._Element) -> str:
    """The text of a paragraph as a person reads it: tabs, line breaks, tick boxes; no deleted text."""
    out: list[str] = []
    skip: set[etree._Element] = set()
    for el in p.iter(*_READ_TAGS):  # only the elements that print (the walk is lxml's, not Python's)
        if skip and el in skip:
            continue
        tag = el.tag
        if tag == f"{_W}t":
            out.append(el.text or "")
        elif tag == f"{_W}sdt":
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
        elif tag == f"{_W}tab":
            if _owner(el, f"{_W}r") is not None:
                out.append("\t")
        elif tag in (f"{_W}br", f"{_W}cr"):
            out.append("\n")
        elif tag == f"{_W}noBreakHyphen":
            out.append("-")
        else:  # sym
            out.append(_SYMBOLS.get(el.get(f"{_W}char", "").upper(), ""))
    return "".join(out)


def _placeholder(p: etree._Element, tc: etree._Element) -> bool:
    """Whether a paragraph is the prompt of a content control still showing its placeholder."""
    for sdt in p.iterancestors(f"{_W}sdt"):
        if sdt.find(f"{_W}sdtPr/{_W}showingPlcHdr") is not None:
            return True
        if _owner(sdt, f"{_W}tc") is not tc:
            break
    return False


_PRINTING = tuple(f"{_W}{tag}" for tag in ("sdt", "tab", "br", "cr", "noBreakHyphen", "sym"))
_XPATH = {"w": W}
_LOOSE = etree.XPath("descendant-or-self::w:p[not(ancestor::w:tc)]", namespaces=_XPATH)
"""Paragraphs outside table cells, asked of each of the body's children that is not a table (a table holds none)."""
_NESTED = etree.XPath("boolean(descendant::w:p/descendant::w:p)", namespaces=_XPATH)
_ALL_TEXT = etree.XPath("string-length(.)")
_ODD_TEXT = etree.XPath("descendant::text()[not(parent::w:t) or not(ancestor::w:p)]", namespaces=_XPATH)
"""Text outside `w:t` (deleted text, field codes, white space between elements) or outside paragraphs."""
_NO_ODD_TEXT = etree.XPath(
    "count(descendant::text()) = count(descendant::w:t[ancestor::w:p]/text())", namespaces=_XPATH
)
"""Whether `_ODD_TEXT` finds nothing, asked by counting (most documents have no odd text, and counting is quicker)."""
_MANY = etree.XPath("descendant::w:tc[descendant::w:p[2]]", namespaces=_XPATH)
"""Cells of more than one paragraph."""


@dataclass(slots=True)
class Cell:
    """A table cell found in a document, with where it stands."""

    element: etree._Element | None  # None for a cell read from a PDF's printed text
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
    body: Any = field(default=None, repr=False, compare=False)
    """The document body as read, for finding the places of a council's own form."""
    notes: list[tuple[str, str]] = field(default_factory=list)
    """Words written outside the body (a comment in the margin), each with where it is."""

    def cells(self) -> Iterator[Cell]:
        for table in self.tables:
            for row in table:
                yield from row


class _Reader:
    """Reads the text of one body's cells and paragraphs, in C where it can.

    A paragraph whose only text is in `w:t` and that holds no tab, break, symbol or content control
    (most of them) is read by lxml all at once; any other goes through `paragraph_text`. So is a cell of
    one such paragraph, in a document with no table in a cell and no placeholder.
    """

    def __init__(self, body: etree._Element, flat: bool) -> None:
        self.flat = flat
        self.short = False
        """Whether the body holds too little text for any cell lxml reads whole to pass MAX_FIELD_TEXT."""
        self.marked: set[etree._Element] = set()
        self.placeholders = False
        for el in body.iter(*_PRINTING, f"{_W}showingPlcHdr"):
            if el.tag == f"{_W}showingPlcHdr":
                self.placeholders = True
            else:
                self.marked.update(el.iterancestors(f"{_W}p"))
        odd: set[etree._Element] = set()  # cells holding text a paragraph does not print
        for text in cast(list[Any], [] if _NO_ODD_TEXT(body) else _ODD_TEXT(body)):
            holder = text.getparent()
            for el in [holder, *holder.iterancestors(f"{_W}p", f"{_W}tc")] if holder is not None else []:
                if el.tag == f"{_W}p":
                    self.marked.add(el)
                elif el.tag == f"{_W}tc":
                    odd.add(el)
        self.whole = flat and not self.placeholders
        self.slow: set[etree._Element] = set()
        if self.whole:
            self.slow = odd | set(cast(list[etree._Element], _MANY(body)))
            self.slow.update(tc for p in self.marked for tc in p.iterancestors(f"{_W}tc"))

    def paragraph(self, p: etree._Element) -> str:
        if p in self.marked:
            return paragraph_text(p)
        return etree.tostring(p, method="text", encoding="unicode", with_tail=False)

    def cell(self, tc: etree._Element) -> str:
        """The text of a table cell, one line per paragraph; placeholder prompts read as empty.

        In a `flat` document (no table inside a cell) every paragraph below the cell is its own.
        """
        if self.whole and tc not in self.slow:
            text = etree.tostring(tc, method="text", encoding="unicode", with_tail=False)
        else:
            flat, placeholders = self.flat, self.placeholders
            text = "\n".join(
                [
                    self.paragraph(p)
                    for p in tc.iter(f"{_W}p")
                    if (flat or _owner(p, f"{_W}tc") is tc) and not (placeholders and _placeholder(p, tc))
                ]
            )
        return "" if _prompt(text) else text


def _within_limits(body: etree._Element, file: str) -> tuple[float, bool]:
    """Refuse a document whose text, or paragraphs nested in paragraphs, would make reading it slow or huge.

    The length of all the body's text and whether any paragraph holds another (a text box), for the readers after.
    """
    # All the body's text, counted in C, is more than its w:t text: only past the limit is w:t counted alone.
    length = cast(float, _ALL_TEXT(body))
    if length > MAX_TEXT:
        total = 0
        for t in body.iter(f"{_W}t"):
            total += len(t.text or "")
            if total > MAX_TEXT:
                raise LimitError(f"holds more than {MAX_TEXT:,} characters of text; a PEP holds far fewer", file)
    if not _NESTED(body):
        return length, False
    for p in body.iter(f"{_W}p"):
        depth = 0
        for _ in p.iterancestors(f"{_W}p"):
            depth += 1
            if depth > MAX_NESTED_PARAGRAPHS:
                raise LimitError(f"nests paragraphs more than {MAX_NESTED_PARAGRAPHS} deep", file)
    return length, True


def _tables(
    outer: list[etree._Element],
    flat: bool,
    reader: _Reader,
    tables: list[list[list[Cell]]],
    by_element: dict[etree._Element, Cell],
    file: str,
) -> None:
    """Read each top-level table into rows of cells; a table inside a cell is read as the cell's text."""
    tbl_tag, tr_tag, tc_tag, read = f"{_W}tbl", f"{_W}tr", f"{_W}tc", reader.cell  # looked up once, not per cell
    # A cell lxml reads whole holds no more text than the body: it is checked against MAX_FIELD_TEXT only if the body
    # could hold that much.
    whole, slow, tostring, short = reader.whole, reader.slow, etree.tostring, reader.short
    for tbl in outer:
        rows = []
        t = len(tables)
        trs = tbl.iter(tr_tag)
        for r, tr in enumerate(trs if flat else (tr for tr in trs if _owner(tr, tbl_tag) is tbl)):
            cells = []
            tcs = tr.iter(tc_tag)
            for c, tc in enumerate(tcs if flat else (tc for tc in tcs if _owner(tc, tr_tag) is tr)):
                if whole and tc not in slow:
                    text = tostring(tc, method="text", encoding="unicode", with_tail=False)
                    if "." in text and _prompt(text):
                        text = ""
                    elif not short and len(text) > MAX_FIELD_TEXT:
                        _too_long(t, r, c, file)
                else:
                    text = read(tc)
                    if len(text) > MAX_FIELD_TEXT:
                        _too_long(t, r, c, file)
                cell = Cell(tc, t, r, c, text)
                cells.append(cell)
                by_element[tc] = cell
            rows.append(cells)
        tables.append(rows)


def _too_long(t: int, r: int, c: int, file: str) -> None:
    raise LimitError(f"table {t + 1} row {r + 1} column {c + 1} holds more than {MAX_FIELD_TEXT:,} characters", file)


def _bookmarks(body: etree._Element, by_element: dict[etree._Element, Cell]) -> dict[str, Cell]:
    """The cell each bookmark names: the cell it stands in, or the cell of the element it stands just before."""
    bookmarks: dict[str, Cell] = {}
    p_tag, tc_tag, name_key = f"{_W}p", f"{_W}tc", f"{_W}name"
    for mark in body.iter(f"{_W}bookmarkStart"):
        name = mark.get(name_key, "")
        if not name or name in bookmarks:
            continue
        # Most marks stand in a cell's own paragraph: its owner is two steps up, not an ancestor walk away.
        parent = mark.getparent()
        holder = parent.getparent() if parent is not None and parent.tag == p_tag else None
        if holder is not None and holder.tag == tc_tag:
            owner: etree._Element | None = holder
        else:
            owner = _owner(mark, tc_tag)
            if owner is None:
                # Word may put a bookmark that starts a cell just before the cell's paragraph.
                following = mark.getnext()
                owner = _owner(following, tc_tag) if following is not None else None
        if owner is not None and owner in by_element:
            bookmarks[name] = by_element[owner]
    return bookmarks


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
    length, nested = _within_limits(body, file)
    tables: list[list[list[Cell]]] = []
    by_element: dict[etree._Element, Cell] = {}
    every = list(body.iter(f"{_W}tbl"))
    outer = [tbl for tbl in every if _owner(tbl, f"{_W}tbl") is None]
    flat = len(outer) == len(every)  # no table in a cell: no element's owner to look for
    reader = _Reader(body, flat)
    reader.short = length <= MAX_FIELD_TEXT
    _tables(outer, flat, reader, tables, by_element, file)
    bookmarks = _bookmarks(body, by_element)
    p_tag, tbl_tag = f"{_W}p", f"{_W}tbl"
    # A paragraph of the body holding no other paragraph is its own only loose paragraph: no XPath asked of it.
    loose = [
        p
        for child in body
        if child.tag != tbl_tag
        for p in ((child,) if child.tag == p_tag and not nested else cast(list[etree._Element], _LOOSE(child)))
    ]
    paragraphs = [reader.paragraph(p) for p in loose]
    return DocxContent(tables, bookmarks, paragraphs, custom_properties(parts, file), body, comments(parts, file))
