"""Reading a PDF that has no fields by its printed text: a Word form saved as PDF, or a flattened pepdocs PDF.

pdfplumber finds the tables by their ruled lines and the words in each cell; tick boxes are read as ☒ or ☐
(a glyph in a Word export; a small square, crossed or not, in a flattened pepdocs PDF). The pages become
the same tables of cells a completed DOCX is read into, so the DOCX engine's labels and table headers place
the answers. Page headers and footers (the same line on every page, page numbers aside) are left out.
"""

from __future__ import annotations

import io
import itertools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pepdocs._errors import DocumentError, Issue, LimitError, NotAPepFormError
from pepdocs.engines.docx._locate import identify as identify_cells
from pepdocs.engines.docx._locate import locate as locate_cells
from pepdocs.engines.docx._read import Cell, DocxContent
from pepdocs.forms._assemble import Found
from pepdocs.forms._codecs import CHECKED, UNCHECKED
from pepdocs.forms._spec import Form, _normal, option_label
from pepdocs.forms._wording import block_header, static_texts

MAX_PAGES = 100
"""The most pages a PDF read by its printed text may have: a PEP has a few dozen; each takes a tenth of a second."""

PRINTED_WARNING = (
    "the PDF has no fillable fields: its answers were read from the printed text by their labels; check them"
)
_BOX = (5.0, 12.0)  # the side of a tick box drawn as a square, in points


@dataclass
class PrintedContent:
    """A PDF without fields, read as tables of cells and loose lines, with its document information."""

    cells: DocxContent
    info: dict[str, str] = field(default_factory=dict)
    warnings: list[Issue] = field(default_factory=lambda: [Issue(PRINTED_WARNING)])
    notes: list[tuple[str, str]] = field(default_factory=list)
    """Words written on the pages outside the printed text (a typed-on text box, a comment), each with where."""

    @property
    def properties(self) -> dict[str, str]:
        return self.info


@dataclass
class _Token:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float


def read_printed(
    data: bytes,
    file: str,
    info: dict[str, str],
    password: str | None = None,
    notes: list[tuple[str, str]] | None = None,
) -> PrintedContent:
    """The tables and lines of a PDF's pages; NotAPepFormError when it holds no text at all (an image scan)."""
    import pdfplumber  # only for PDFs without fields

    reader = _Reader()
    try:
        with pdfplumber.open(io.BytesIO(data), password=password or "") as pdf:
            if len(pdf.pages) > MAX_PAGES:
                raise LimitError(
                    f"has {len(pdf.pages):,} pages to read by their printed text; a PEP has far fewer", file
                )
            if not any(page.chars for page in pdf.pages):
                raise NotAPepFormError(
                    "holds no text, only images (a scan?): pepdocs reads a PDF's fields or its printed text, "
                    "so type the answers into the form or save it from Word as PDF",
                    file,
                )
            for number, page in enumerate(pdf.pages):
                reader.page(page, number)
    except (NotAPepFormError, LimitError):
        raise
    except Exception as error:  # pdfminer raises many kinds on a damaged file
        raise DocumentError(f"the PDF's text cannot be read ({type(error).__name__})", file) from error
    cells = DocxContent(_numbered(reader.tables), {}, reader.paragraphs(), info)
    return PrintedContent(cells, info, notes=notes or [])


Box = tuple[float, float, float, float]


@dataclass
class _Line:
    page: int
    top: float
    bottom: float
    x0: float
    x1: float
    text: str


class _Reader:
    """The tables and loose lines of a PDF, page by page."""

    def __init__(self) -> None:
        self.tables: list[list[list[Cell]]] = []
        self.lines: list[_Line] = []
        self.columns: tuple[float, ...] | None = None  # of the last table read
        self.last_row: dict[int, list[tuple[Cell, Box]]] = {}  # the last table row on each page
        self.first_top: dict[int, float] = {}  # where the first table on each page starts
        self.rules: dict[int, list[tuple[float, float, float]]] = {}  # vertical rules on each page: x, top, bottom

    def page(self, page: Any, number: int) -> None:
        """Add a page's tables (joining one continued from the last page) and its loose lines."""
        tokens = _tokens(page)
        self.rules[number] = [
            (e["x0"], e["top"], e["bottom"]) for e in page.edges if e["orientation"] == "v" and e.get("stroke", True)
        ]
        found = sorted(page.find_tables(), key=lambda t: t.bbox[1])
        inside: set[int] = set()
        for position, table in enumerate(found):
            rows: list[list[Cell]] = []
            for row in table.rows:
                cells = []
                for bbox in row.cells:
                    if bbox is None:
                        continue  # a merged cell, read once
                    mine = [t for t in tokens if _within(t, bbox)]
                    inside.update(id(t) for t in mine)
                    cell = Cell(None, 0, 0, 0, _text(mine, bbox))
                    cells.append(cell)
                    self.last_row[number] = [] if len(cells) == 1 else self.last_row[number]
                    self.last_row[number].append((cell, bbox))
                if cells:
                    rows.append(cells)
            self.first_top.setdefault(number, table.bbox[1])
            columns = tuple(round(b[0]) for b in table.rows[0].cells if b is not None) if table.rows else ()
            header = [c.text for c in rows[0]] if rows else []
            tables = self.tables
            earlier = next((t for t in reversed(tables) if len(header) > 1 and [c.text for c in t[0]] == header), None)
            follows = self.columns is not None and _same(columns, self.columns) and not _above(tokens, inside, table)
            if earlier is not None:
                earlier.extend(rows[1:])  # a table continued, its header row printed again
            elif position == 0 and tables and follows:
                tables[-1].extend(rows)  # a table continued from the last page without its header
            elif rows:
                tables.append(rows)
            self.columns = columns
        for row in _rows_of([t for t in tokens if id(t) not in inside]):
            bottom = max(t.bottom for t in row)
            self.lines.append(_Line(number, row[0].top, bottom, row[0].x0, row[-1].x1, " ".join(t.text for t in row)))

    def _boxed(self, line: _Line, left: float, right: float) -> bool:
        """Whether a line stands between cell borders ruled at `left` and `right` (the rest of a split cell)."""
        if not (left - 2 <= line.x0 and line.x1 <= right + 2):
            return False
        rules = self.rules.get(line.page, [])
        return all(
            any(abs(x - edge) <= 2 and top <= line.top + 1 and line.bottom - 1 <= bottom for x, top, bottom in rules)
            for edge in (left, right)
        )

    def paragraphs(self) -> list[str]:
        """The loose lines, less page headers and footers; text above a page's first table that stands inside a
        cell of the last page's last row is the rest of that cell, split by the page break."""
        repeated = _repeated(self.lines)
        out = []
        for line in self.lines:
            if _repeat_key(line.text) in repeated:
                continue
            above = line.top < self.first_top.get(line.page, float("inf"))
            cell = next(
                (c for c, box in self.last_row.get(line.page - 1, []) if self._boxed(line, box[0], box[2])), None
            )
            if above and cell is not None:
                cell.text = f"{cell.text} {line.text}" if cell.text else line.text
                continue
            out.append(line.text)
        return out


def _same(columns: tuple[float, ...], previous: tuple[float, ...]) -> bool:
    return len(columns) == len(previous) and all(abs(a - b) <= 2 for a, b in zip(columns, previous, strict=True))


def _above(tokens: list[_Token], inside: set[int], table: Any) -> bool:
    """Whether any loose text stands above a table on its page (then it starts there, not continues)."""
    top = table.bbox[1]
    return any(id(t) not in inside and t.bottom < top and t.top > 60 for t in tokens)


def _tokens(page: Any) -> list[_Token]:
    """The page's words, and its tick boxes drawn as squares read as ☒ (crossed) or ☐."""
    from pdfplumber.utils.text import extract_words

    # A glyph for two right-to-left letters (Arabic's lam-alef) gives them in reading order, where the rest of
    # its line comes out left to right: given in drawing order like its neighbours, `_logical` turns it back.
    chars = [dict(c, text=c["text"][::-1]) if len(c["text"]) > 1 and _RTL.search(c["text"]) else c for c in page.chars]
    words = extract_words(chars, keep_blank_chars=False, use_text_flow=False)
    tokens = [_Token(w["text"], w["x0"], w["x1"], w["top"], w["bottom"]) for w in words]
    strokes = [(ln["x0"], ln["top"], ln["x1"], ln["bottom"]) for ln in page.lines]
    for rect in page.rects:
        w, h = rect["width"], rect["height"]
        if _BOX[0] <= w <= _BOX[1] and abs(w - h) < 0.5:
            x0, top, x1, bottom = rect["x0"], rect["top"], rect["x1"], rect["bottom"]
            crossed = any(
                x0 - 0.5 <= a and c <= x1 + 0.5 and top - 0.5 <= b and d <= bottom + 0.5 for a, b, c, d in strokes
            )
            tokens.append(_Token(CHECKED if crossed else UNCHECKED, x0, x1, top, bottom))
    return tokens


_BREAK_AFTER = frozenset("@./_")  # where the layout breaks a word too long for its line (see `_text.wrap`)
_NOT_A_WORD = re.compile(r"[@./:_\d]")  # an email, a web address, a date: broken where the line ends, not at a space
_RTL_CHARS = "\u0590-\u065f\u066a-\u06ef\u06fa-\u08ff\ufb1d-\ufdff\ufe70-\ufefc"  # not the Arabic digits
_RTL_RUN = re.compile(f"[{_RTL_CHARS}](?:[{_RTL_CHARS} ]*[{_RTL_CHARS}])?")
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


def _logical(text: str) -> str:
    """A printed line in reading order: each right-to-left run, extracted left to right, turned back."""
    return _RTL_RUN.sub(lambda m: m[0][::-1], text) if _RTL.search(text) else text


def _joined(row: list[_Token]) -> str:
    """A printed line's words with a space between, a vowel mark printed apart joined to its letter."""
    out = ""
    last: _Token | None = None
    for token in row:
        marks = all(unicodedata.category(c) in ("Mn", "Me") for c in token.text)
        touching = last is not None and token.x0 - last.x1 < 0.8  # split by a change of font, not by a space
        out += token.text if marks or touching or not out else " " + token.text
        last = token
    return out


def _within(token: _Token, bbox: Box) -> bool:
    x = (token.x0 + token.x1) / 2
    y = (token.top + token.bottom) / 2
    return bbox[0] <= x <= bbox[2] and bbox[1] <= y <= bbox[3]


def _rows_of(tokens: list[_Token]) -> Iterator[list[_Token]]:
    """Tokens grouped into printed lines, top to bottom, each left to right."""
    line: list[_Token] = []
    for token in sorted(tokens, key=lambda t: ((t.top + t.bottom) / 2, t.x0)):
        # Words in different fonts (a fallback for another script) stand a little higher or lower: a line is
        # the words whose middles are within the first word's height.
        if line and not line[0].top - 1 <= (token.top + token.bottom) / 2 <= line[0].bottom + 1:
            yield sorted(line, key=lambda t: t.x0)
            line = []
        line.append(token)
    if line:
        yield sorted(line, key=lambda t: t.x0)


def _text(tokens: list[_Token], bbox: Box) -> str:
    """A cell's text: its lines joined with a space where the text wrapped, a line break where it was broken."""
    rows = list(_rows_of(tokens))
    if not rows:
        return ""
    margin = max(1.5, min(row[0].x0 for row in rows) - bbox[0])
    out = _logical(_joined(rows[0]))
    for last, row in itertools.pairwise(rows):
        space = (row[0].x1 - row[0].x0) / max(1, len(row[0].text))  # about one character
        room = bbox[2] - margin - last[-1].x1
        wrapped = room < (row[0].x1 - row[0].x0) + space * 1.5
        # A word too long for its line is broken where the line ends (an email, a long date), or after an
        # @ . / _ in the line's second half, which with the rest of it would not fit on one line; a hyphenated
        # word after its hyphen. (A label's word broken in a narrow column is mended by `locate_printed`.)
        alone = last[0].x1 - last[0].x0
        at_mark = last[0].text[-1:] in _BREAK_AFTER and alone + row[0].x1 - row[0].x0 > bbox[2] - bbox[0] - 2 * margin
        broken = len(last) == 1 and (room < space * 3 or at_mark) and _NOT_A_WORD.search(last[0].text) is not None
        inside_word = wrapped and (broken or last[-1].text.endswith("-"))
        out += ("" if inside_word else " " if wrapped else "\n") + _logical(_joined(row))
    return out


def _repeat_key(text: str) -> str:
    return re.sub(r"\d+", "#", text)


def _repeated(lines: list[_Line]) -> set[str]:
    """Lines printed on two or more pages (page numbers aside): the page header and footer."""
    pages: dict[str, set[int]] = {}
    for line in lines:
        pages.setdefault(_repeat_key(line.text), set()).add(line.page)
    return {key for key, seen in pages.items() if len(seen) > 1}


def _numbered(tables: list[list[list[Cell]]]) -> list[list[list[Cell]]]:
    """Each cell told its table, row and column, as the DOCX reader numbers them."""
    for t, table in enumerate(tables):
        for r, row in enumerate(table):
            for c, cell in enumerate(row):
                cell.table, cell.row, cell.column = t, r, c
    return tables


def _compact(text: str) -> str:
    return "".join(_normal(text).split())


def identify_printed(content: PrintedContent) -> tuple[Form | None, float]:
    return identify_cells(content.cells)


def locate_printed(form: Form, content: PrintedContent, sections: frozenset[str] | None) -> Found:
    """The answers placed by labels and table headers; loose lines that are the form's own wording are dropped."""
    # A column too narrow for a word breaks it where the line ends: a cell whose letters are those of a
    # label, header or choice of the form, spaces aside, is that wording.
    wording = [*static_texts(form), *(f.label for f in form.fields() if f.label)]
    wording += [text for _, block in form.blocks() for text in (*block_header(block), *block.row_labels)]
    wording += [option_label(o) for _, block in form.blocks() for f in block.cells() for o in f.readable_options()]
    exact = {_normal(text) for text in wording}
    compact = {_compact(text): text for text in wording}
    for cell in content.cells.cells():
        if _normal(cell.text) not in exact and _compact(cell.text) in compact:
            cell.text = compact[_compact(cell.text)]
    found = locate_cells(form, content.cells, sections)
    printed = " ".join(_normal(text) for text in static_texts(form))
    found.unmapped = [
        item for item in found.unmapped if not (item.where.startswith("paragraph") and _normal(item.text) in printed)
    ]
    return found
