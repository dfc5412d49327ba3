"""Lays out and writes a form's PDF for one document: a fillable AcroForm, tagged for screen readers.

The page content is drawn here, not by a PDF library: text is set in embedded fonts (DejaVu Sans, a
Noto font for each script it lacks, subset to the glyphs drawn and typeable: see `_fonts`), right-to-left
text in visual order and complex scripts shaped with HarfBuzz. Each document is laid out for its own answers: boxes
grow to hold them at the form's sizes (never below 9 pt), tables get a row per item, sections flow on, and no
box is split across a page. Field names are the model paths as a parent/kid field tree (`child` >
`date_of_birth`). Every piece of text is tagged into a structure tree in reading order (headings,
tables with header cells, /Form elements for the fields); rules, fills and running headers and
footers are artifacts. The blank template (`form.pdf`) is the layout of no answers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from functools import cache, lru_cache
from typing import Any
from xml.sax.saxutils import escape

from pepdocs._errors import FormError
from pepdocs.engines.pdf._fonts import LATIN, PRIMARY, SHORT, Usage, collect, embed, embed_main, needed, typing_gids
from pepdocs.engines.pdf._syntax import (
    Name,
    Objects,
    Ref,
    Stream,
    name_bytes,
    number,
    string_bytes,
    tenth,
    write_packed,
)
from pepdocs.engines.pdf._text import (
    BLACK,
    FONT,
    PAD,
    Fit,
    Line,
    capacity,
    color,
    draw_fit,
    font,
    text_op,
    visual,
    wrap,
)
from pepdocs.forms import _style
from pepdocs.forms._spec import Block, Field, Form, Section, option_label
from pepdocs.forms._wording import block_header, filled_by_line, section_heading

PAGE_W, PAGE_H = _style.points(_style.PAGE_WIDTH_CM), _style.points(_style.PAGE_HEIGHT_CM)
LEFT = _style.points(_style.MARGIN_CM)
WIDTH = PAGE_W - 2 * LEFT
TOP = PAGE_H - 58.0
BOTTOM = 52.0
BOX = 7.5  # side of a tick box
ROW = 18.0  # height of an empty table row, to write in
FIELD_ROW = 18.0  # height of an empty label/answer row
LANG = "en-GB"

BLUE = _style.rgb(_style.NAVY)
LABEL_FILL = _style.rgb(_style.LABEL_FILL)
SECTION_FILL = _style.rgb(_style.SECTION_FILL)
GREY = (0.30, 0.30, 0.30)
WHITE = (1.0, 1.0, 1.0)

# Nothing is printed below 9 pt; answers are set at the DOCX's body size, 10 pt, and table cells at 9.
LABEL_SIZE = 9.0
VALUE_SIZE = 10.0
CELL_SIZE = 9.0
HEADER_SIZE = 9.0
NOTE_SIZE = 9.0
FOOTER_SIZE = 9.0
HEADING_SIZE = 11.0
SECTION_SIZE = 13.0
TITLE_SIZE = 16.0
MULTILINE = 1 << 12
READ_ONLY = 1
RADIO = 1 << 15


CROSS = b"q 0 G 0.9 w 1.6 1.6 m 5.9 5.9 l S 1.6 5.9 m 5.9 1.6 l S Q"
"""A tick box's 'on' appearance: a cross inside the box, as ☒ on the DOCX."""


# --- field names ------------------------------------------------------------------------------


@lru_cache(maxsize=None, typed=True)  # looked up for every box of every document; an enum's .value is slow
def state_of(option: Enum | bool) -> str:
    """The on-state name of the box for one option: Yes/No for yes/no fields, else the code."""
    if isinstance(option, bool):
        return "Yes" if option else "No"
    return str(option.value)


def field_name(field_: Field) -> str:
    """The full PDF name of a field: its model path, under `derived` when it is only printed."""
    return f"derived.{field_.path}" if field_.derived else field_.path


def cell_name(block: Block, index: int, column: Field) -> str:
    """The full PDF name of a table cell: `targets.0.description`."""
    return f"{block.path}.{index}.{column.path.split('[].', 1)[1]}"


def is_multi(field_: Field) -> bool:
    """Whether a box answer ticks any number of codes (a checkbox per code) rather than one (a radio group)."""
    return field_.slot.kind == "codes"


# --- what one document holds -----------------------------------------------------------------


@dataclass
class Content:
    """What one document puts in its fields, by full field name, and how many items each table lists.

    The layout sizes every box and table to it; an empty Content is the blank form."""

    texts: dict[str, str] = field(default_factory=dict)
    ticks: dict[str, list[str]] = field(default_factory=dict)
    items: dict[str, int] = field(default_factory=dict)  # table block id -> list items filled in

    def rows(self, block: Block) -> int:
        """The rows a table prints: its items and a spare one to write in, and never fewer than the spec's rows."""
        items = self.items.get(block.id, 0)
        return max(block.rows, items + 1) if items else block.rows


# --- structure: what a screen reader reads ---------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """A marked-content sequence on a page (an MCID), as a kid of a structure element."""

    page: int
    mcid: int


@dataclass(eq=False)
class Elem:
    """A structure element of the tagged PDF: a role (/S) and its kids in reading order."""

    role: str
    kids: list[Elem | Mark | Widget] = field(default_factory=list)
    scope: str = ""  # Row or Column, for a table header cell
    alt: str = ""


# --- widgets and pages ------------------------------------------------------------------------


@dataclass(eq=False)
class Widget:
    """A field's box on a page: a text field, one button of a radio group, or a checkbox, with its answer."""

    name: str
    kind: str  # text, radio, check
    rect: tuple[float, float, float, float]
    label: str = ""
    state: str = ""
    multiline: bool = False
    readonly: bool = False
    size: float = VALUE_SIZE
    value: str = ""  # a text field's answer, whole
    on: bool = False  # a button that is ticked
    shown: Fit | None = None  # how a text answer sits in the box (lines, and the rest when longer than a page)
    rest_page: int = 0  # where the rest of an answer longer than a page is printed
    page: int = 0
    form: Elem = field(default_factory=lambda: Elem("Form"))  # its /Form structure element


@dataclass
class Page:
    """One laid-out page: its drawing operators, the field boxes on it, and its marked-content count."""

    ops: list[bytes] = field(default_factory=list)
    widgets: list[Widget] = field(default_factory=list)
    marks: list[Elem] = field(default_factory=list)  # the element each MCID belongs to, by MCID


Draw = Callable[["Flow", float], None]
"""Draws a row whose top edge is at y."""

LINE = 1.18  # leading, in ems
SLACK = 2.0  # a box is this much taller than its lines, so rounding never drops the last one nor clips its descenders
LONGEST = TOP - BOTTOM - 120.0  # the tallest answer box: a longer answer goes on below it


_COLORS = {rgb: color(rgb) for rgb in (BLUE, LABEL_FILL, SECTION_FILL)}


def _artifact(ops: bytes, kind: bytes = b"") -> bytes:
    return b"/Artifact %sBDC\n%s\nEMC" % (kind, ops) if kind else b"/Artifact BMC\n%s\nEMC" % ops


class Flow:
    """Lays rows down pages: a cursor that moves to a new page when the next row does not fit, and the
    structure tree the drawn text is tagged into (text drawn while `quiet` is an artifact)."""

    def __init__(self, header: bytes, content: Content | None = None, flatten: bool = False) -> None:
        self.header = header
        self.content = content or Content()
        self.flatten = flatten
        self.pages: list[Page] = []
        self.root = Elem("Document")
        self.parent = self.root
        self.quiet = 0
        self.rests: list[tuple[Widget, list[Line]]] = []  # answers longer than a page: printed after their row
        self.new_page(top=TOP)

    def new_page(self, top: float = TOP) -> None:
        self.page = Page([_artifact(self.header, b"<</Type/Pagination/Subtype/Header>> ")])
        self.pages.append(self.page)
        self.y = top

    def room(self, height: float) -> bool:
        return self.y - height >= BOTTOM

    def ensure(self, height: float) -> None:
        if not self.room(height) and self.y < TOP:
            self.new_page()

    def row(self, height: float, draw: Draw, repeat: Draw | None = None, repeat_height: float = 0.0) -> None:
        """Place a row of `height`, on a new page when it does not fit (after `repeat`, e.g. a table header)."""
        if not self.room(height) and self.y < TOP:
            self.new_page()
            if repeat is not None:
                self.quiet += 1  # a header repeated on a new page is read once, where it first stands
                repeat(self, self.y)
                self.quiet -= 1
                self.y -= repeat_height
        draw(self, self.y)
        self.y -= height
        if self.rests:
            self._rests()

    def gap(self, height: float) -> None:
        self.y -= height

    # --- structure

    def open(self, role: str, scope: str = "", into: Elem | None = None) -> Elem:
        """A new structure element, the last kid of `into` (else of the current parent)."""
        elem = Elem(role, scope=scope)
        if not self.quiet:
            (into or self.parent).kids.append(elem)
        return elem

    @contextmanager
    def inside(self, elem: Elem) -> Iterator[Elem]:
        """Tag what is drawn meanwhile into `elem`."""
        outer, self.parent = self.parent, elem
        try:
            yield elem
        finally:
            self.parent = outer

    def tagged(self, elem: Elem, ops: bytes) -> None:
        """Draw `ops` as marked content of `elem` (an artifact while quiet)."""
        if self.quiet:
            self.art(ops)
            return
        mcid = len(self.page.marks)
        self.page.marks.append(elem)
        elem.kids.append(Mark(len(self.pages) - 1, mcid))
        self.page.ops.append(b"/%s <</MCID %d>> BDC\n%s\nEMC" % (elem.role.encode(), mcid, ops))

    def tagged_on(self, page_no: int, elem: Elem, ops: bytes) -> None:
        """Draw `ops` on an earlier page, as marked content of `elem`."""
        page = self.pages[page_no]
        mcid = len(page.marks)
        page.marks.append(elem)
        elem.kids.append(Mark(page_no, mcid))
        page.ops.append(b"/%s <</MCID %d>> BDC\n%s\nEMC" % (elem.role.encode(), mcid, ops))

    def art(self, ops: bytes) -> None:
        """Draw what only decorates (rules, fills, box outlines) as an artifact, in one with an artifact just before."""
        ops_ = self.page.ops
        if ops_ and ops_[-1].startswith(b"/Artifact BMC\n"):
            ops_[-1] = ops_[-1][:-4] + b"\n" + ops + b"\nEMC"
        else:
            ops_.append(_artifact(ops))

    # --- drawing

    def rect(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        fill: tuple[float, float, float] | None = None,
        stroke: bool = True,
    ) -> None:
        box = b"%s %s %s %s re" % (tenth(x), tenth(y), tenth(w), tenth(h))
        if fill is None:
            self.art(b"0.5 w 0 G %s S" % box if stroke else b"")
        else:
            self.art(b"%s 0.5 w 0 G %s B" % (_COLORS[fill], box) if stroke else b"%s %s f" % (_COLORS[fill], box))

    def lines(
        self,
        x: float,
        top: float,
        lines: Sequence[Line],
        size: float,
        rgb: tuple[float, float, float] = BLACK,
        bold: bool = False,
        width: float = 0.0,
        into: Elem | None = None,
        role: str = "P",
    ) -> None:
        """Draw wrapped lines from `top` down (right-aligned for right-to-left paragraphs when `width` is given),
        tagged into `into`, else into a new element of `role`."""
        if not lines:
            return
        y = top - size * 0.93
        ops = []
        for line in lines:
            text = visual(line)
            left = x + width - font().width(text, size) if line.rtl and width else x
            ops.append(text_op(left, y, text, size, rgb, bold))
            y -= size * LINE
        self.tagged(into or self.open(role), b"\n".join(ops))

    def widget(self, w: Widget, into: Elem | None = None) -> Elem:
        """Put a field's box on the page, in a /Form element (the /Form's kid `into`, else the current parent)."""
        w.page = len(self.pages) - 1
        self.page.widgets.append(w)
        w.form = self.open("Form", into=into)
        if not self.quiet:
            w.form.kids.append(w)
        return w.form

    def _rests(self) -> None:
        """The rest of each answer longer than a page, under its label, line by line down as many pages as it needs."""
        rests, self.rests = self.rests, []
        for w, rest in rests:
            label = wrap(f"{w.label} (continued from page {w.page + 1})", LABEL_SIZE, WIDTH - 2 * PAD)
            label_h = text_height(len(label), LABEL_SIZE)
            line_h = w.size * LINE
            self.ensure(label_h + line_h + 2 * PAD)
            w.rest_page = len(self.pages)
            self.rect(LEFT, self.y - label_h, WIDTH, label_h, LABEL_FILL)
            self.lines(LEFT + PAD, self.y - PAD, label, LABEL_SIZE, bold=True)
            self.gap(label_h + 2)
            para = self.open("P")
            for line in rest:
                if not self.room(line_h):
                    self.new_page()
                self.lines(LEFT + PAD, self.y, [line], w.size, width=WIDTH - 2 * PAD, into=para)
                self.gap(line_h)
            self.gap(8)


def text_height(lines: int, size: float) -> float:
    return lines * size * LINE + 2 * PAD - size * 0.18


def _scaled(widths: Sequence[float], total: float = WIDTH) -> list[float]:
    scale = total / sum(widths)
    return [w * scale for w in widths]


# --- answers sized to their content -------------------------------------------------------------


def answer_lines(text: str, width: float, size: float) -> list[Line]:
    """An answer wrapped to its box, no smaller than `size`."""
    return wrap(text, size, width - 2 * PAD) if text else []


def box_height(lines: int, size: float, minimum: int, spare: bool) -> float:
    """The height of a text box: its answer's lines (and a spare line to type more), at least `minimum` lines."""
    need = lines + (1 if spare and lines else 0)
    return min(LONGEST, text_height(max(minimum, need), size) + SLACK)


def text_widget(
    flow: Flow,
    name: str,
    rect: tuple[float, float, float, float],
    label: str,
    size: float,
    *,
    multiline: bool,
    readonly: bool = False,
    lines: list[Line] | None = None,
    into: Elem | None = None,
) -> None:
    """A text field holding its answer; an answer longer than the tallest box goes on below its row."""
    value = flow.content.texts.get(name, "")
    w = Widget(name, "text", rect, label, multiline=multiline or len(lines or ()) > 1, readonly=readonly, size=size)
    w.value = value
    if value:
        shown = lines if lines is not None else wrap(value, size, rect[2] - rect[0] - 2 * PAD)
        room = capacity(rect[3] - rect[1] + SLACK, size)
        if len(shown) > room:
            w.shown = Fit(size, shown[: room - 1], shown[room - 1 :])
            flow.rests.append((w, shown[room - 1 :]))
        else:
            w.shown = Fit(size, shown)
    flow.widget(w, into)


def _options(flow: Flow, field_: Field, name: str) -> list[Enum | bool]:
    """The options a box answer prints: the spec's, then any other this record ticks (as the DOCX shows them)."""
    printed = list(field_.options)
    states = {state_of(o) for o in printed}
    extra = [s for s in flow.content.ticks.get(name, []) if s not in states]
    if extra:
        printed += [o for o in field_.readable_options() if state_of(o) in extra]
    return printed


def _boxes_layout(
    options: Sequence[Enum | bool], width: float, narrow: bool
) -> list[tuple[float, int, Enum | bool, list[Line]]]:
    """Where each option's box sits in a cell: (x, line number) from the cell's inner left, the option, and its
    words wrapped to the cell (an option's words wider than a narrow column go on over more lines)."""
    fnt = font()
    out: list[tuple[float, int, Enum | bool, list[Line]]] = []
    x, line = 0.0, 0
    inner = width - 2 * PAD
    room = max(inner - BOX - 3, CELL_SIZE)
    for option in options:
        words = wrap(option_label(option), CELL_SIZE, room)
        need = BOX + 3 + max(fnt.width(visual(w), CELL_SIZE) for w in words)
        if out and (narrow or x + need > inner or len(words) > 1 or len(out[-1][3]) > 1):
            x, line = 0.0, line + len(out[-1][3])
        out.append((x, line, option, words))
        x += need + 9
    return out


BOX_LINE = CELL_SIZE * LINE + 2.5


def boxes_height(flow: Flow, field_: Field, name: str, width: float, narrow: bool) -> float:
    layout = _boxes_layout(_options(flow, field_, name), width, narrow)
    lines = layout[-1][1] + len(layout[-1][3]) if layout else 1
    return lines * BOX_LINE + 2 * PAD


def draw_boxes(
    flow: Flow, field_: Field, name: str, x: float, top: float, width: float, narrow: bool, label: str
) -> None:
    """Draw a box answer: a square and the option's words for each option, and a button on each square."""
    ticked = flow.content.ticks.get(name, [])
    for dx, line, option, words in _boxes_layout(_options(flow, field_, name), width, narrow):
        bx = x + PAD + dx
        by = top - PAD - 1.5 - line * BOX_LINE - BOX
        flow.rect(bx, by, BOX, BOX)
        state = state_of(option)
        text = option_label(option)
        if is_multi(field_):
            w = Widget(f"{name}.{state}", "check", (bx, by, bx + BOX, by + BOX), f"{label}: {text}", "Yes")
        else:
            w = Widget(name, "radio", (bx, by, bx + BOX, by + BOX), label, state)
        w.on = state in ticked
        form = flow.widget(w)
        ops = [text_op(bx + BOX + 3, by + 0.5 - n * BOX_LINE, visual(part), CELL_SIZE) for n, part in enumerate(words)]
        flow.tagged(form, b"\n".join(ops))


def fit_widths(widths: Sequence[float], needs: Sequence[float]) -> list[float]:
    """Column widths that give each column its longest word where they can (a date or a tick-box word is not broken),
    taken from the columns with room to spare, in proportion to their spare room."""
    needs = [min(n, WIDTH * 0.4) for n in needs]
    short = [max(0.0, n - w) for w, n in zip(widths, needs, strict=True)]
    spare = [max(0.0, w - n) for w, n in zip(widths, needs, strict=True)]
    lack, room = sum(short), sum(spare)
    if not lack or not room:
        return list(widths)
    take = min(lack, room)
    return [w + s * take / lack if s else w - r * take / room for w, s, r in zip(widths, short, spare, strict=True)]


def _longest_word(text: str, size: float) -> float:
    fnt = font()
    return max((fnt.width(word, size) for word in text.split()), default=0.0)


def column_needs(flow: Flow, block: Block, names: Sequence[Sequence[str]], columns: Sequence[Field]) -> list[float]:
    """The width each column needs for its longest word: the header's, its tick-box words', its answers'."""
    header = block_header(block)[-len(columns) :]
    needs = []
    for i, column in enumerate(columns):
        need = _longest_word(header[i], HEADER_SIZE)
        if column.widget == "boxes" and not column.derived:
            options = column.readable_options() if not column.options else column.options
            need = max([need] + [BOX + 3 + _longest_word(option_label(o), CELL_SIZE) for o in options])
        for row in names:
            need = max(need, _longest_word(flow.content.texts.get(row[i], ""), CELL_SIZE))
        needs.append(need + 2 * PAD + 1)
    return needs


# --- blocks -----------------------------------------------------------------------------------


def _label_lines(text: str, width: float, size: float = LABEL_SIZE) -> list[Line]:
    return wrap(text, size, width - 2 * PAD)


@dataclass
class _Answer:
    """One answer cell being laid out: its field, name, width, and the lines its text takes."""

    field: Field
    name: str
    width: float
    label: str
    size: float
    narrow: bool
    lines: list[Line]
    height: float


def answer(
    flow: Flow, field_: Field, name: str, width: float, label: str, size: float, *, narrow: bool, minimum: int,
    spare: bool,
) -> _Answer:  # fmt: skip
    """Measure an answer cell: tick boxes take their options' lines, text its wrapped lines."""
    if field_.widget == "boxes" and not field_.derived:
        return _Answer(field_, name, width, label, size, narrow, [], boxes_height(flow, field_, name, width, narrow))
    lines = answer_lines(flow.content.texts.get(name, ""), width, size)
    return _Answer(field_, name, width, label, size, narrow, lines, box_height(len(lines), size, minimum, spare))


def _value(flow: Flow, a: _Answer, x: float, top: float, height: float, into: Elem, *, multiline: bool) -> None:
    """The answer part of a cell: tick boxes, or a text field filling the cell."""
    with flow.inside(into):
        if a.field.widget == "boxes" and not a.field.derived:
            draw_boxes(flow, a.field, a.name, x, top, a.width, a.narrow, a.label)
            return
        rect = (x + 0.5, top - height + 0.5, x + a.width - 0.5, top - 0.5)
        text_widget(flow, a.name, rect, a.label, a.size, multiline=multiline, readonly=a.field.derived, lines=a.lines)


def wordy(field_: Field) -> bool:
    """Whether a label/answer field may need more than one line: free text and code-list words, not dates or numbers."""
    return field_.lines > 1 or field_.slot.kind in ("text", "code", "codes")


def _fields_block(flow: Flow, block: Block, first: Draw | None, first_height: float) -> None:
    pairs = max(1, block.pairs)
    widths = _scaled([4.0, 4.7] * pairs if pairs > 1 else [6.0, 11.4])
    fields = list(block.fields)
    table = flow.open("Table")
    for start in range(0, len(fields), pairs):
        group = fields[start : start + pairs]
        labels = [_label_lines(f.label, widths[2 * i]) for i, f in enumerate(group)]
        cells = [
            answer(
                flow, f, field_name(f), widths[2 * i + 1], f.label, VALUE_SIZE, narrow=False, minimum=f.lines,
                spare=f.lines > 1,
            )
            for i, f in enumerate(group)
        ]  # fmt: skip
        height = max(
            max(text_height(len(lines), LABEL_SIZE) + SLACK for lines in labels),
            max(max(FIELD_ROW, a.height) for a in cells),
        )

        def draw(
            flow: Flow,
            top: float,
            group: list[Field] = group,
            labels: list[list[Line]] = labels,
            cells: list[_Answer] = cells,
            height: float = height,
        ) -> None:
            x = LEFT
            tr = flow.open("TR", into=table)
            for i, f in enumerate(group):
                lw, vw = widths[2 * i], widths[2 * i + 1]
                flow.rect(x, top - height, lw, height, LABEL_FILL)
                flow.lines(x + PAD, top - PAD, labels[i], LABEL_SIZE, bold=True, into=flow.open("TH", "Row", tr))
                flow.rect(x + lw, top - height, vw, height)
                _value(flow, cells[i], x + lw, top, height, flow.open("TD", into=tr), multiline=wordy(f))
                x += lw + vw
            if len(group) < pairs:
                flow.rect(x, top - height, LEFT + WIDTH - x, height)

        _row(flow, height, draw, first, first_height)
        first, first_height = None, 0.0


def _row(flow: Flow, height: float, draw: Draw, first: Draw | None, first_height: float = 0.0) -> None:
    """A row, with what must stay with it on its page (a heading before the block's first row)."""
    if first is None:
        flow.row(height, draw)
        return

    def both(flow: Flow, top: float) -> None:
        first(flow, top)
        draw(flow, top - first_height)

    flow.row(height + first_height, both)


def _text_block(flow: Flow, block: Block, first: Draw | None, first_height: float) -> None:
    for f in block.fields:
        label = _label_lines(f.label, WIDTH)
        label_h = text_height(len(label), LABEL_SIZE)
        a = answer(
            flow, f, field_name(f), WIDTH, f.label, VALUE_SIZE, narrow=False, minimum=max(1, f.lines), spare=True
        )
        box_h = max(a.height, FIELD_ROW)
        div = flow.open("Div")

        def draw(
            flow: Flow,
            top: float,
            label: list[Line] = label,
            label_h: float = label_h,
            box_h: float = box_h,
            a: _Answer = a,
            div: Elem = div,
        ) -> None:
            flow.rect(LEFT, top - label_h, WIDTH, label_h, LABEL_FILL)
            flow.lines(LEFT + PAD, top - PAD, label, LABEL_SIZE, bold=True, into=flow.open("P", into=div))
            flow.rect(LEFT, top - label_h - box_h, WIDTH, box_h)
            _value(flow, a, LEFT, top - label_h, box_h, div, multiline=True)

        _row(flow, label_h + box_h + 4, draw, first, first_height)
        first, first_height = None, 0.0


def table_header(flow: Flow, table: Elem, block: Block, widths: Sequence[float]) -> tuple[float, Draw]:
    """The header row of a table or grid: its height and how to draw it."""
    labels = [_label_lines(text, w, HEADER_SIZE) for text, w in zip(block_header(block), widths, strict=True)]
    height = max(16.0, max(text_height(len(lines), HEADER_SIZE) for lines in labels) + SLACK)

    def draw(flow: Flow, top: float) -> None:
        x = LEFT
        tr = flow.open("TR", into=table)
        for index, (lines, w) in enumerate(zip(labels, widths, strict=True)):
            dark = index > 0 or block.kind == "table"
            flow.rect(x, top - height, w, height, BLUE if dark else LABEL_FILL)
            cell = flow.open("TH", "Column", tr) if lines and lines[0].text else flow.open("TD", into=tr)
            flow.lines(x + PAD, top - PAD, lines, HEADER_SIZE, WHITE if dark else BLACK, bold=True, into=cell)
            x += w

    return height, draw


def table_rows(flow: Flow, block: Block, first: Draw | None, first_height: float) -> None:
    """Numbered rows of a table block, each cell a field named `path.N.column`; the header repeats on a new page."""
    rows = range(flow.content.rows(block))
    names = [[cell_name(block, index, column) for column in block.columns] for index in rows]
    widths = fit_widths(_scaled(block.widths), column_needs(flow, block, names, block.columns))
    table = flow.open("Table")
    header_h, header = table_header(flow, table, block, widths)
    if first is None:
        first_h, first_draw = header_h, header
    else:

        def first_draw(flow: Flow, top: float, first: Draw = first) -> None:
            first(flow, top)
            header(flow, top - first_height)

        first_h = first_height + header_h
    pending: Draw | None = first_draw
    for index in rows:
        cells = [
            answer(
                flow, column, cell_name(block, index, column), w,
                f"{block.heading or block_header(block)[0]}, row {index + 1}: {column.label}", CELL_SIZE,
                narrow=True, minimum=max(1, column.lines), spare=False,
            )
            for column, w in zip(block.columns, widths, strict=True)
        ]  # fmt: skip
        height = max([ROW] + [a.height for a in cells])

        def draw(flow: Flow, top: float, cells: list[_Answer] = cells, height: float = height) -> None:
            x = LEFT
            tr = flow.open("TR", into=table)
            for a in cells:
                flow.rect(x, top - height, a.width, height)
                _value(flow, a, x, top, height, flow.open("TD", into=tr), multiline=True)
                x += a.width

        if pending is not None:
            _row(flow, height, draw, pending, first_h)
            pending = None
        else:
            flow.row(height, draw, header, header_h)
    if pending is not None:  # a table with no rows still shows its header
        flow.row(first_h, pending)


def _grid_block(flow: Flow, block: Block, first: Draw | None, first_height: float) -> None:
    pairs = block.pairs
    names = [[field_name(c) for c in block.columns[r * pairs : (r + 1) * pairs]] for r in range(len(block.row_labels))]
    labels_need = max(_longest_word(label, LABEL_SIZE) for label in block.row_labels) + 2 * PAD + 1
    needs = [labels_need, *column_needs(flow, block, names, block.columns[:pairs])]
    widths = fit_widths(_scaled([3.2, *block.widths]), needs)
    table = flow.open("Table")
    header_h, header = table_header(flow, table, block, widths)
    if first is not None:

        def lead(flow: Flow, top: float, first: Draw = first) -> None:
            first(flow, top)
            header(flow, top - first_height)

        pending: Draw = lead
        pending_h = first_height + header_h
    else:
        pending, pending_h = header, header_h
    for r, row_label in enumerate(block.row_labels):
        fields = block.columns[r * block.pairs : (r + 1) * block.pairs]
        label = _label_lines(row_label, widths[0])
        cells = [
            answer(
                flow, cell, field_name(cell), w, f"{row_label}: {cell.label}", CELL_SIZE, narrow=True,
                minimum=max(1, cell.lines), spare=False,
            )
            for cell, w in zip(fields, widths[1:], strict=True)
        ]  # fmt: skip
        height = max([text_height(len(label), LABEL_SIZE) + SLACK, ROW] + [a.height for a in cells])

        def draw(
            flow: Flow,
            top: float,
            cells: list[_Answer] = cells,
            label: list[Line] = label,
            height: float = height,
        ) -> None:
            tr = flow.open("TR", into=table)
            flow.rect(LEFT, top - height, widths[0], height, LABEL_FILL)
            flow.lines(LEFT + PAD, top - PAD, label, LABEL_SIZE, bold=True, into=flow.open("TH", "Row", tr))
            x = LEFT + widths[0]
            for a in cells:
                flow.rect(x, top - height, a.width, height)
                _value(flow, a, x, top, height, flow.open("TD", into=tr), multiline=True)
                x += a.width

        if r == 0:
            _row(flow, height, draw, pending, pending_h)
        else:
            flow.row(height, draw, header, header_h)


def heading_lines(flow: Flow, block: Block) -> tuple[float, Draw | None]:
    """A block's heading (H3) and note: their height and how to draw them above its first row."""
    parts: list[tuple[list[Line], float, tuple[float, float, float], bool, Elem]] = []
    if block.heading:
        parts.append((wrap(block.heading, HEADING_SIZE, WIDTH), HEADING_SIZE, BLUE, True, flow.open("H3")))
    if block.note:
        parts.append((wrap(block.note, NOTE_SIZE, WIDTH), NOTE_SIZE, GREY, False, flow.open("P")))
    if not parts:
        return 0.0, None
    height = sum(text_height(len(lines), size) for lines, size, _, _, _ in parts) + 2

    def draw(flow: Flow, top: float) -> None:
        for lines, size, rgb, bold, elem in parts:
            flow.lines(LEFT, top, lines, size, rgb, bold, into=elem)
            top -= text_height(len(lines), size)

    return height, draw


def block(flow: Flow, block_: Block) -> None:
    """Lay out one block of a section, its heading kept with its first row."""
    height, first = heading_lines(flow, block_)
    if block_.kind == "fields":
        _fields_block(flow, block_, first, height)
    elif block_.kind == "text":
        _text_block(flow, block_, first, height)
    elif block_.kind == "table":
        table_rows(flow, block_, first, height)
    else:
        _grid_block(flow, block_, first, height)
    flow.gap(8)


def _section(flow: Flow, section: Section) -> None:
    heading = wrap(section_heading(section), SECTION_SIZE, WIDTH - 2 * PAD)
    bar = text_height(len(heading), SECTION_SIZE) + 4
    notes = [wrap(text, NOTE_SIZE, WIDTH) for text in (filled_by_line(section), section.note) if text]
    notes_h = sum(text_height(len(lines), NOTE_SIZE) for lines in notes)
    flow.ensure(bar + notes_h + 80)  # a section heading is never left alone at the foot of a page
    flow.rect(LEFT, flow.y - bar, WIDTH, bar, SECTION_FILL, stroke=False)
    flow.lines(LEFT + PAD, flow.y - 2 - PAD, heading, SECTION_SIZE, BLUE, bold=True, role="H2")
    flow.gap(bar + 3)
    for lines in notes:
        flow.lines(LEFT, flow.y, lines, NOTE_SIZE, GREY)
        flow.gap(text_height(len(lines), NOTE_SIZE))
    flow.gap(5)
    for b in section.blocks:
        block(flow, b)


def page_header(form: Form) -> bytes:
    """The marking and short title at the top of every page."""
    fnt = font()
    marking = "OFFICIAL-SENSITIVE"
    y = PAGE_H - 34
    short = form.short_title
    return b"\n".join(
        [
            text_op((PAGE_W - fnt.width(marking, 9)) / 2, y, marking, 9, bold=True),
            text_op(PAGE_W - LEFT - fnt.width(short, NOTE_SIZE), y, short, NOTE_SIZE, GREY),
            b"0.4 w %s %s %s m %s %s l S"
            % (color(BLUE, stroke=True), number(LEFT), number(y - 5), number(PAGE_W - LEFT), number(y - 5)),
        ]
    )


def page_footer(index: int, count: int, name: str) -> bytes:
    """The footer of each page: marking, child's name, page N of M (an artifact, as a running footer is)."""
    fnt = font()
    parts = ["OFFICIAL-SENSITIVE", name, f"Page {index + 1} of {count}"]
    footer = "    ".join(part for part in parts if part)
    if fnt.width(footer, FOOTER_SIZE) > WIDTH:
        footer = "    ".join([parts[0], f"Page {index + 1} of {count}"])
    ops = text_op((PAGE_W - fnt.width(footer, FOOTER_SIZE)) / 2, 26, footer, FOOTER_SIZE)
    return _artifact(ops, b"<</Type/Pagination/Subtype/Footer>> ")


def _title_block(flow: Flow, form: Form, title: str) -> None:
    flow.lines(LEFT, PAGE_H - 62, [Line(form.authority, "\n")], 12, BLUE, bold=True)
    lines = wrap(title, TITLE_SIZE, WIDTH)
    flow.lines(LEFT, PAGE_H - 80, lines, TITLE_SIZE, BLUE, role="H1")
    flow.y = PAGE_H - 80 - text_height(len(lines), TITLE_SIZE) - 6
    if form.intro:
        intro = wrap(form.intro, NOTE_SIZE, WIDTH)
        flow.lines(LEFT, flow.y, intro, NOTE_SIZE, GREY)
        flow.gap(text_height(len(intro), NOTE_SIZE) + 6)
    if form.title_fields:
        table = flow.open("Table")
        across = min(3, len(form.title_fields))  # label and answer pairs in one row of the name band
        for start in range(0, len(form.title_fields), across):
            _band_row(flow, table, form.title_fields[start : start + across], across)
        flow.gap(10)


def _band_row(flow: Flow, table: Elem, band: Sequence[Field], across: int) -> None:
    """One row of the name band: label and read-only answer pairs, a tagged table row read back by parse."""
    widths = _scaled([2.2, 3.6] * across)
    labels = [_label_lines(f.label, widths[2 * i]) for i, f in enumerate(band)]
    cells = [
        answer(flow, f, field_name(f), widths[2 * i + 1], f.label, VALUE_SIZE, narrow=False, minimum=1, spare=False)
        for i, f in enumerate(band)
    ]
    height = max([FIELD_ROW] + [text_height(len(lines), LABEL_SIZE) + SLACK for lines in labels])
    height = max([height] + [a.height for a in cells])

    def draw(flow: Flow, top: float) -> None:
        x = LEFT
        tr = flow.open("TR", into=table)
        for i, a in enumerate(cells):
            lw, vw = widths[2 * i], widths[2 * i + 1]
            flow.rect(x, top - height, lw, height, LABEL_FILL)
            flow.lines(x + PAD, top - PAD, labels[i], LABEL_SIZE, bold=True, into=flow.open("TH", "Row", tr))
            flow.rect(x + lw, top - height, vw, height)
            rect = (x + lw + 0.5, top - height + 0.5, x + lw + vw - 0.5, top - 0.5)
            with flow.inside(flow.open("TD", into=tr)):
                text_widget(flow, a.name, rect, a.label, VALUE_SIZE, multiline=False, readonly=True, lines=a.lines)
            x += lw + vw

    flow.row(height, draw)


def lay_out(form: Form, title: str = "", content: Content | None = None, flatten: bool = False) -> Flow:
    """The pages of one document of a form: title block, then the sections flowing on, every box sized to its
    answer (`content`; none for the blank form). A section starts a new page only where the spec says so."""
    flow = Flow(page_header(form), content, flatten)
    _title_block(flow, form, title or form.title)
    for section in form.sections:
        if section.new_page and flow.y < TOP:
            flow.new_page()
        with flow.inside(flow.open("Sect")):
            _section(flow, section)
    return flow


@dataclass
class _Node:
    """A field in the tree being built: a parent, a terminal field, or a radio group."""

    part: str
    kind: str = "node"  # node, text, check, radio
    num: int = 0
    kids: list[_Node] = field(default_factory=list)
    widget: Widget | None = None
    buttons: list[tuple[int, Widget]] = field(default_factory=list)


def _tree(pages: list[Page], objects: Objects) -> tuple[list[_Node], dict[Widget, int]]:
    """The field tree from the widgets on the pages, and each widget's object number."""
    roots: list[_Node] = []
    index: dict[str, _Node] = {}
    nums: dict[Widget, int] = {}
    for page in pages:
        for w in page.widgets:
            parts = w.name.split(".")
            siblings = roots
            node: _Node | None = None
            for depth, part in enumerate(parts):
                full = ".".join(parts[: depth + 1])
                node = index.get(full)
                if node is None:
                    node = _Node(part, num=objects.reserve())
                    index[full] = node
                    siblings.append(node)
                elif depth < len(parts) - 1 and node.kind != "node":
                    raise FormError(f"PDF field {full!r} is both an answer and a group of answers")
                siblings = node.kids
            assert node is not None
            if w.kind == "radio":
                if node.kind not in ("node", "radio") or (node.kind == "node" and node.kids):
                    raise FormError(f"PDF field {w.name!r} is both a tick-box answer and something else")
                node.kind = "radio"
                node.widget = node.widget or w
                num = objects.reserve()
                node.buttons.append((num, w))
                nums[w] = num
            else:
                if node.kind != "node" or node.kids:
                    raise FormError(f"PDF field {w.name!r} appears twice on the form")
                node.kind, node.widget = w.kind, w
                nums[w] = node.num
    return roots, nums


def widget_bytes(
    w: Widget, part: str, parent: int | None, page: int, key: int, box_on: int, box_off: int, ap: int = 0
) -> bytes:
    """The dictionary of a widget, written directly (a form has hundreds): a text field or checkbox (field and
    widget in one, named `part`), or one button of a radio group (`part` unused: the group is the field)."""
    out = [b"<</Type/Annot/Subtype/Widget"]
    if w.kind != "radio":
        out.append(b"/FT/Tx/T" if w.kind == "text" else b"/FT/Btn/T")
        out.append(string_bytes(part))
    if parent is not None:
        out.append(b"/Parent %d 0 R" % parent)
    if w.label:
        out.append(b"/Contents" if w.kind == "radio" else b"/TU")
        out.append(string_bytes(w.label))
    x0, y0, x1, y1 = w.rect
    out.append(b"/Rect[%.1f %.1f %.1f %.1f]/P %d 0 R/F 4/StructParent %d" % (x0, y0, x1, y1, page, key))
    state = name_bytes(w.state if w.on else "Off")
    if w.kind == "text":
        flags = (MULTILINE if w.multiline else 0) | (READ_ONLY if w.readonly else 0)
        out.append(b"/Ff %d/DA(/%s %s Tf 0 g)" % (flags, FONT.encode(), number(w.size)))
        if w.value:
            out.append(b"/V" + string_bytes(w.value))
        if ap:
            out.append(b"/AP<</N %d 0 R>>" % ap)
    elif w.kind == "check":
        out.append(b"/Ff 0/DA(/%s 0 Tf 0 g)/V%s/AS%s" % (FONT.encode(), state, state))
        out.append(b"/AP<</N<</Yes %d 0 R/Off %d 0 R>>>>" % (box_on, box_off))
    else:
        out.append(b"/AS%s/AP<</N<<%s %d 0 R/Off %d 0 R>>>>" % (state, name_bytes(w.state), box_on, box_off))
    out.append(b">>")
    return b"".join(out)


def group_entries(
    part: str, parent: int | None, kids: list[int], radio: bool = False, label: str = "", state: str = ""
) -> dict[str, Any]:
    """The dictionary of a field that holds others: a parent of fields, or a radio group of buttons."""
    entries: dict[str, Any] = {"FT": Name("Btn")} if radio else {}
    entries["T"] = part
    if parent is not None:
        entries["Parent"] = Ref(parent)
    if radio:
        if label:
            entries["TU"] = label
        entries |= {"Ff": RADIO, "DA": f"/{FONT} 0 Tf 0 g"}
        if state:
            entries["V"] = Name(state)
    entries["Kids"] = [Ref(kid) for kid in kids]
    return entries


def box_streams() -> tuple[Stream, Stream]:
    """The appearances of a tick box: a cross when on, nothing when off."""
    bbox = [0, 0, BOX, BOX]
    form = {"Type": Name("XObject"), "Subtype": Name("Form"), "BBox": bbox}
    return Stream(form, CROSS, compress=False), Stream(form, b"", compress=False)


@dataclass(frozen=True)
class _Static:
    """The objects every document shares (the main font cut to what a person may type, the tick-box appearances),
    written once; a document's resources object is written per document, for the fonts it adds."""

    bodies: dict[int, bytes]
    next: int
    resources: Ref
    fonts: dict[str, Ref]
    box_on: Ref
    box_off: Ref


@cache
def _static() -> _Static:
    objects = Objects()
    resources = objects.reserve()
    main, latin = embed_main(objects.add)
    on, off = box_streams()
    box_on, box_off = objects.add(on), objects.add(off)
    fonts = {PRIMARY: main, SHORT: main, LATIN: latin}
    return _Static(dict(objects.bodies), objects.next, Ref(resources), fonts, box_on, box_off)


def warm() -> None:
    """Measure the font and write the shared objects now, so a warmed-up worker renders at once."""
    _static()


def _appearance(w: Widget, resources: Ref) -> bytes:
    """A text field's appearance: its answer's lines in the embedded font (and where the rest is printed)."""
    assert w.shown is not None
    width, height = w.rect[2] - w.rect[0], w.rect[3] - w.rect[1]
    ops = draw_fit(w.shown, width, height, w.rest_page + 1 if w.shown.overflow else None)
    # Not compressed: compressing a stream this short costs more than it saves.
    # No /Type: it is optional in a form XObject, and a filled form has hundreds of these.
    head = b"<</Subtype/Form/BBox[0 0 %s %s]/Resources %d 0 R/Length %d>>"
    return head % (tenth(width), tenth(height), resources.num, len(ops)) + b"\nstream\n" + ops + b"\nendstream"


def _flatten(flow: Flow) -> None:
    """Draw every answer into its page, tagged where its field was, and take the fields away."""
    for page_no, page in enumerate(flow.pages):
        widgets, page.widgets = page.widgets, []
        for w in widgets:
            form = w.form
            form.kids.remove(w)
            if w.kind == "text":
                form.role = "P"
                if w.shown is not None and w.shown.lines:
                    width, height = w.rect[2] - w.rect[0], w.rect[3] - w.rect[1]
                    ops = draw_fit(w.shown, width, height, w.rest_page + 1 if w.shown.overflow else None)
                    flow.tagged_on(
                        page_no, form, b"q 1 0 0 1 %s %s cm %s Q" % (number(w.rect[0]), number(w.rect[1]), ops)
                    )
            else:
                form.role = "Span"
                if w.on:
                    figure = Elem("Figure", alt="Ticked")
                    form.kids.insert(0, figure)
                    cross = b"q 1 0 0 1 %s %s cm %s Q" % (number(w.rect[0]), number(w.rect[1]), CROSS)
                    flow.tagged_on(page_no, figure, cross)


def xmp(title: str) -> bytes:
    """The XMP metadata: the title, language and the PDF/UA-1 claim (no author, dates or tool paths)."""
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">\n'
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title)}</rdf:li></rdf:Alt></dc:title>\n'
        f"<dc:language><rdf:Bag><rdf:li>{LANG}</rdf:li></rdf:Bag></dc:language>\n"
        "<pdf:Producer>pepdocs</pdf:Producer>\n"
        "<pdfuaid:part>1</pdfuaid:part>\n"
        "</rdf:Description></rdf:RDF></x:xmpmeta>\n"
        '<?xpacket end="w"?>'
    ).encode()


def _structure(
    flow: Flow, objects: Objects, root: int, page_refs: list[Ref], annots: dict[Widget, int], keys: dict[Widget, int]
) -> None:
    """Write the structure tree and its parent tree (each page's MCIDs, then each widget, to their elements)."""
    refs: dict[Elem, int] = {}
    hoisted: dict[Elem, Elem] = {}

    def prune(elem: Elem) -> bool:
        """Leave out elements that came to hold nothing (an empty corner cell, an unticked flattened box), and
        put the marked content of a cell's only paragraph in the cell itself (PDF/UA allows it; one element less)."""
        kept: list[Elem | Mark | Widget] = []
        for kid in elem.kids:
            if isinstance(kid, Elem):
                if not prune(kid):
                    continue
                if (
                    elem.role in ("TD", "TH")
                    and len(elem.kids) == 1
                    and kid.role == "P"
                    and not kid.alt
                    and all(isinstance(k, Mark) for k in kid.kids)
                ):
                    hoisted[kid] = elem
                    kept.extend(kid.kids)
                    continue
            kept.append(kid)
        elem.kids = kept
        return bool(kept)

    prune(flow.root)
    for page in flow.pages:
        page.marks = [hoisted.get(elem, elem) for elem in page.marks]

    def number_of(elem: Elem) -> int:
        refs[elem] = objects.reserve()
        for kid in elem.kids:
            if isinstance(kid, Elem):
                number_of(kid)
        return refs[elem]

    pages = [ref.num for ref in page_refs]

    def put(elem: Elem, parent: int) -> None:
        # Written directly, not through serialize: a form has a thousand elements. The element names the page
        # of its first marked content (/Pg), so its marked content on that page is a bare MCID; a widget's page is
        # its annotation's own /P, and /Type, optional in an element, is left out.
        on = next((kid.page for kid in elem.kids if isinstance(kid, Mark)), None)
        kids: list[bytes] = []
        for kid in elem.kids:
            if isinstance(kid, Elem):
                put(kid, refs[elem])
                kids.append(b"%d 0 R" % refs[kid])
            elif isinstance(kid, Mark):
                if kid.page == on:
                    kids.append(b"%d" % kid.mcid)
                else:
                    kids.append(b"<</Type/MCR/Pg %d 0 R/MCID %d>>" % (pages[kid.page], kid.mcid))
            else:
                kids.append(b"<</Type/OBJR/Obj %d 0 R>>" % annots[kid])
        extra = b"/A<</O/Table/Scope/%s>>" % elem.scope.encode() if elem.scope else b""
        if elem.alt:
            extra += b"/Alt" + string_bytes(elem.alt)
        if on is not None:
            extra += b"/Pg %d 0 R" % pages[on]
        k = kids[0] if len(kids) == 1 else b"[" + b" ".join(kids) + b"]"
        body = b"<</S/%s/P %d 0 R/K %s%s>>" % (elem.role.encode(), parent, k, extra)
        objects.bodies[refs[elem]] = body

    document = number_of(flow.root)
    put(flow.root, root)
    nums: list[bytes] = []
    for index, page in enumerate(flow.pages):
        nums.append(b"%d[%s]" % (index, b" ".join(b"%d 0 R" % refs[elem] for elem in page.marks)))
    nums.extend(b"%d %d 0 R" % (key, refs[w.form]) for w, key in keys.items())
    parent_tree = objects.add(b"<</Nums[%s]>>" % b"\n".join(nums))
    tree = {"Type": Name("StructTreeRoot"), "K": [Ref(document)], "ParentTree": parent_tree}
    objects.put(root, tree | {"ParentTreeNextKey": len(nums)})


@contextmanager
def drawing() -> Iterator[Usage]:
    """Record the glyphs a document draws (lay it out and write it inside), for `write_pdf` to embed what it adds."""
    with collect(typing_gids()) as usage:
        yield usage


def write_pdf(
    form: Form, flow: Flow, usage: Usage, title: str, properties: dict[str, str], footer_name: str = ""
) -> bytes:
    """One document's PDF from its laid-out pages: tagged, with its fields filled and drawn (or flattened).

    Called inside `drawing()`, whose `usage` names the glyphs the document draws beyond the shared typing set.
    """
    static = _static()
    objects = Objects()
    objects.bodies, objects.next = dict(static.bodies), static.next
    catalog, page_tree, acroform, info, struct_root, metadata = (objects.reserve() for _ in range(6))
    if flow.flatten:
        _flatten(flow)
    pages = flow.pages
    page_refs = [Ref(objects.reserve()) for _ in pages]
    roots, annots = _tree(pages, objects)
    keys = {w: len(pages) + i for i, w in enumerate(w for page in pages for w in page.widgets)}

    shared: dict[bytes, int] = {}  # an appearance drawn twice (a "Yes", a date, in boxes of one size) is written once

    def entries_of(w: Widget, part: str, parent: int | None) -> bytes:
        ap = 0
        if w.kind == "text" and w.shown is not None:
            body = _appearance(w, static.resources)
            ap = shared.get(body) or shared.setdefault(body, objects.add(body).num)
        page = page_refs[w.page].num
        return widget_bytes(w, part, parent, page, keys[w], static.box_on.num, static.box_off.num, ap)

    def write_tree(nodes: list[_Node], parent: int | None) -> None:
        for node in nodes:
            if node.kind == "node":
                objects.put(node.num, group_entries(node.part, parent, [kid.num for kid in node.kids]))
                write_tree(node.kids, node.num)
            elif node.kind != "radio":
                assert node.widget is not None
                objects.put(node.num, entries_of(node.widget, node.part, parent))
            else:
                assert node.widget is not None
                ticked = next((w.state for _, w in node.buttons if w.on), "")
                buttons = [num for num, _ in node.buttons]
                objects.put(
                    node.num,
                    group_entries(node.part, parent, buttons, radio=True, label=node.widget.label, state=ticked),
                )
                for num, button in node.buttons:
                    objects.put(num, entries_of(button, node.part, node.num))

    write_tree(roots, None)
    _structure(flow, objects, struct_root, page_refs, annots, keys)
    for index, (ref, page) in enumerate(zip(page_refs, pages, strict=True)):
        ops = b"\n".join([*page.ops, page_footer(index, len(pages), footer_name)])
        entries: dict[str, Any] = {
            "Type": Name("Page"),
            "Parent": Ref(page_tree),
            "MediaBox": [0, 0, PAGE_W, PAGE_H],
            "Resources": static.resources,
            "Contents": objects.add(Stream({}, ops)),
            "StructParents": index,
            "Tabs": Name("S"),
        }
        if page.widgets:
            entries["Annots"] = [Ref(annots[w]) for w in page.widgets]
        objects.put(ref.num, entries)
    # Every glyph is drawn by now (pages, appearances, footers): embed the subsets of the fonts the document adds.
    added = {name: embed(name, glyphs, objects.add) for name, glyphs in sorted(needed(usage).items())}
    objects.put(static.resources.num, {"Font": static.fonts | added})
    objects.put(page_tree, {"Type": Name("Pages"), "Kids": page_refs, "Count": len(pages)})
    catalog_entries: dict[str, Any] = {
        "Type": Name("Catalog"),
        "Pages": Ref(page_tree),
        "Lang": LANG,
        "ViewerPreferences": {"DisplayDocTitle": True},
        "MarkInfo": {"Marked": True},
        "StructTreeRoot": Ref(struct_root),
        "Metadata": Ref(metadata),
    }
    if not flow.flatten:
        objects.put(
            acroform,
            {
                "Fields": [Ref(node.num) for node in roots],
                "DR": static.resources,
                "DA": f"/{FONT} {number(VALUE_SIZE).decode()} Tf 0 g",
            },
        )
        catalog_entries["AcroForm"] = Ref(acroform)
    objects.put(catalog, catalog_entries)
    objects.put(metadata, Stream({"Type": Name("Metadata"), "Subtype": Name("XML")}, xmp(title), compress=False))
    objects.put(info, info_entries(form, properties, title))
    bodies = sorted(objects.bodies.items())
    digest = hashlib.md5(b"".join(body for num, body in bodies if num >= static.next), usedforsecurity=False).digest()
    return write_packed(bodies, objects.next, catalog, info, (digest, digest))


def build_pdf(form: Form) -> bytes:
    """The form's blank fillable PDF, built from its spec; the same spec always gives the same bytes."""
    with drawing() as usage:
        return write_pdf(form, lay_out(form), usage, form.title, {})


def info_entries(form: Form, properties: dict[str, str], title: str = "") -> dict[str, Any]:
    """The document information: title, council, producer and pepdocs' own entries; no author, dates or paths."""
    entries: dict[str, Any] = {"Title": title or form.title, "Subject": form.authority, "Producer": "pepdocs"}
    entries["pepdocs.form"] = form.id
    entries["pepdocs.version"] = form.version
    for key, value in properties.items():
        entries[key] = value
    return entries
