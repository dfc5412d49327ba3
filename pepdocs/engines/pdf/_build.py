"""Builds each form's fillable PDF (an AcroForm) from its spec, and the drawing both PDF paths share.

The page content is drawn here, not by a PDF library: every piece of text is set in one embedded
font (DejaVu Sans as a Type0/Identity-H font, measured with fontTools), Arabic is shaped and put in
visual order before it is drawn, and blocks flow down A4 pages so no answer box is split across a
page. Field names are the model paths as a parent/kid field tree (`child` > `date_of_birth`).
`_fill` fills the built template, and lays out continuation pages with the same `Flow`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from pepdocs._errors import FormError
from pepdocs.engines.pdf._syntax import Name, Objects, Ref, Stream, number, trailer, write_file
from pepdocs.engines.pdf._text import BLACK, FONT, PAD, Font, Line, color, font, text_op, visual, wrap
from pepdocs.forms._spec import Block, Field, Form, Section, option_label
from pepdocs.forms._wording import block_header, filled_by_line, section_heading

BOX_FONT = "ZaDb"

PAGE_W, PAGE_H = 595.28, 841.89  # A4 portrait
LEFT = 51.02  # 1.8 cm, as the DOCX
WIDTH = PAGE_W - 2 * LEFT
TOP = PAGE_H - 58.0
BOTTOM = 52.0
BOX = 7.5  # side of a tick box
ROW = 28.0  # height of a table row: two lines of 8 points, three when shrunk
FIELD_ROW = 22.0  # height of a label/answer row: two lines when shrunk

BLUE = (0.122, 0.220, 0.392)  # 1F3864
LABEL_FILL = (0.863, 0.902, 0.941)  # DCE6F0
SECTION_FILL = (0.835, 0.863, 0.894)  # D5DCE4
GREY = (0.30, 0.30, 0.30)
WHITE = (1.0, 1.0, 1.0)

LABEL_SIZE = 8.0
VALUE_SIZE = 9.0
CELL_SIZE = 8.0
HEADER_SIZE = 7.5
NOTE_SIZE = 7.5
MULTILINE = 1 << 12
READ_ONLY = 1
RADIO = 1 << 15


CROSS = b"q 0 G 0.9 w 1.6 1.6 m 5.9 5.9 l S 1.6 5.9 m 5.9 1.6 l S Q"
"""A tick box's 'on' appearance: a cross inside the box, as ☒ on the DOCX."""


# --- field names ------------------------------------------------------------------------------


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


# --- widgets and pages ------------------------------------------------------------------------


@dataclass
class Widget:
    """A field's box on a page: a text field, one button of a radio group, or a checkbox."""

    name: str
    kind: str  # text, radio, check
    rect: tuple[float, float, float, float]
    label: str = ""
    state: str = ""
    multiline: bool = False
    readonly: bool = False
    size: float = VALUE_SIZE


@dataclass
class Page:
    """One laid-out page: its drawing operators and the field boxes on it."""

    ops: list[bytes] = field(default_factory=list)
    widgets: list[Widget] = field(default_factory=list)


Draw = Callable[["Flow", float], None]
"""Draws a row whose top edge is at y."""


class Flow:
    """Lays rows down pages: a cursor that moves to a new page when the next row does not fit."""

    def __init__(self, header: bytes, top: float = TOP) -> None:
        self.header = header
        self.pages: list[Page] = []
        self.y = top
        self.page = Page([header])
        self.pages.append(self.page)

    def new_page(self) -> None:
        self.page = Page([self.header])
        self.pages.append(self.page)
        self.y = TOP

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
                repeat(self, self.y)
                self.y -= repeat_height
        draw(self, self.y)
        self.y -= height

    def gap(self, height: float) -> None:
        self.y -= height

    def op(self, data: bytes) -> None:
        self.page.ops.append(data)

    def rect(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        fill: tuple[float, float, float] | None = None,
        stroke: bool = True,
    ) -> None:
        parts = []
        if fill is not None:
            parts.append(b"%s %s %s %s %s re f" % (color(fill), number(x), number(y), number(w), number(h)))
        if stroke:
            parts.append(b"0.5 w 0 G %s %s %s %s re S" % (number(x), number(y), number(w), number(h)))
        self.op(b" ".join(parts))

    def lines(
        self,
        x: float,
        top: float,
        lines: Sequence[Line],
        size: float,
        rgb: tuple[float, float, float] = BLACK,
        bold: bool = False,
        width: float = 0.0,
    ) -> None:
        """Draw wrapped lines from `top` down (right-aligned for right-to-left paragraphs when `width` is given)."""
        y = top - size * 0.93
        for line in lines:
            text = visual(line)
            left = x + width - font().width(text, size) if line.rtl and width else x
            self.op(text_op(left, y, text, size, rgb, bold))
            y -= size * 1.18

    def widget(self, w: Widget) -> None:
        self.page.widgets.append(w)


def text_height(lines: int, size: float) -> float:
    return lines * size * 1.18 + 2 * PAD - size * 0.18


def _scaled(widths: Sequence[float], total: float = WIDTH) -> list[float]:
    scale = total / sum(widths)
    return [w * scale for w in widths]


def _boxes_layout(field_: Field, width: float, narrow: bool) -> list[tuple[float, float, Enum | bool]]:
    """Where each option's box sits in a cell: (x, line number) from the cell's inner left, and the option."""
    fnt = font()
    out: list[tuple[float, float, Enum | bool]] = []
    x, line = 0.0, 0
    inner = width - 2 * PAD
    for option in field_.options:
        need = BOX + 3 + fnt.width(option_label(option), CELL_SIZE)
        if out and (narrow or x + need > inner):
            x, line = 0.0, line + 1
        out.append((x, line, option))
        x += need + 9
    return out


def boxes_height(field_: Field, width: float, narrow: bool) -> float:
    layout = _boxes_layout(field_, width, narrow)
    lines = (max(line for _, line, _ in layout) + 1) if layout else 1
    return lines * 11.5 + 2 * PAD


def draw_boxes(
    flow: Flow, field_: Field, name: str, x: float, top: float, width: float, narrow: bool, label: str
) -> None:
    """Draw a box answer: a square and the option's words for each option, and a button on each square."""
    for dx, line, option in _boxes_layout(field_, width, narrow):
        bx = x + PAD + dx
        by = top - PAD - 1.5 - line * 11.5 - BOX
        flow.rect(bx, by, BOX, BOX)
        flow.op(text_op(bx + BOX + 3, by + 1, option_label(option), CELL_SIZE))
        state = state_of(option)
        if is_multi(field_):
            flow.widget(
                Widget(
                    f"{name}.{state}", "check", (bx, by, bx + BOX, by + BOX), f"{label}: {option_label(option)}", "Yes"
                )
            )
        else:
            flow.widget(Widget(name, "radio", (bx, by, bx + BOX, by + BOX), label, state))


# --- blocks -----------------------------------------------------------------------------------


def _label_lines(text: str, width: float, size: float = LABEL_SIZE) -> list[Line]:
    return wrap(text, size, width - 2 * PAD)


def _value(
    flow: Flow,
    field_: Field,
    name: str,
    x: float,
    top: float,
    width: float,
    height: float,
    label: str,
    *,
    multiline: bool,
    size: float = VALUE_SIZE,
    narrow: bool = False,
) -> None:
    """The answer part of a cell: tick boxes, or a text field filling the cell."""
    if field_.widget == "boxes" and not field_.derived:
        draw_boxes(flow, field_, name, x, top, width, narrow, label)
        return
    rect = (x + 0.5, top - height + 0.5, x + width - 0.5, top - 0.5)
    flow.widget(Widget(name, "text", rect, label, multiline=multiline, readonly=field_.derived, size=size))


def _value_height(field_: Field, width: float, narrow: bool = False, minimum: float = FIELD_ROW) -> float:
    if field_.widget == "boxes" and not field_.derived:
        return max(minimum, boxes_height(field_, width, narrow))
    return max(minimum, text_height(field_.lines, VALUE_SIZE) if field_.lines > 1 else minimum)


def wordy(field_: Field) -> bool:
    """Whether a label/answer field may need more than one line: free text and code-list words, not dates or numbers."""
    return field_.lines > 1 or field_.slot.kind in ("text", "code", "codes")


def _fields_block(flow: Flow, block: Block, first: Draw | None) -> None:
    pairs = max(1, block.pairs)
    widths = _scaled([4.0, 4.7] * pairs if pairs > 1 else [6.0, 11.4])
    fields = list(block.fields)
    for start in range(0, len(fields), pairs):
        group = fields[start : start + pairs]
        labels = [_label_lines(f.label, widths[2 * i]) for i, f in enumerate(group)]
        height = max(
            max(text_height(len(lines), LABEL_SIZE) for lines in labels),
            max(_value_height(f, widths[2 * i + 1]) for i, f in enumerate(group)),
        )

        def draw(
            flow: Flow,
            top: float,
            group: list[Field] = group,
            labels: list[list[Line]] = labels,
            height: float = height,
        ) -> None:
            x = LEFT
            for i, f in enumerate(group):
                lw, vw = widths[2 * i], widths[2 * i + 1]
                flow.rect(x, top - height, lw, height, LABEL_FILL)
                flow.lines(x + PAD, top - PAD, labels[i], LABEL_SIZE, bold=True)
                flow.rect(x + lw, top - height, vw, height)
                _value(flow, f, field_name(f), x + lw, top, vw, height, f.label, multiline=wordy(f))
                x += lw + vw
            if len(group) < pairs:
                flow.rect(x, top - height, LEFT + WIDTH - x, height)

        _row(flow, height, draw, first)
        first = None


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
        box_h = _value_height(f, WIDTH, minimum=max(1, f.lines) * 13.0 + 6)

        def draw(
            flow: Flow,
            top: float,
            f: Field = f,
            label: list[Line] = label,
            label_h: float = label_h,
            box_h: float = box_h,
        ) -> None:
            flow.rect(LEFT, top - label_h, WIDTH, label_h, LABEL_FILL)
            flow.lines(LEFT + PAD, top - PAD, label, LABEL_SIZE, bold=True)
            flow.rect(LEFT, top - label_h - box_h, WIDTH, box_h)
            _value(flow, f, field_name(f), LEFT, top - label_h, WIDTH, box_h, f.label, multiline=True)

        _row(flow, label_h + box_h + 4, draw, first, first_height)
        first, first_height = None, 0.0


def table_header(block: Block, widths: Sequence[float]) -> tuple[float, Draw]:
    """The header row of a table or grid: its height and how to draw it."""
    labels = [_label_lines(text, w, HEADER_SIZE) for text, w in zip(block_header(block), widths, strict=True)]
    height = max(14.0, max(text_height(len(lines), HEADER_SIZE) for lines in labels))

    def draw(flow: Flow, top: float) -> None:
        x = LEFT
        for index, (lines, w) in enumerate(zip(labels, widths, strict=True)):
            dark = index > 0 or block.kind == "table"
            flow.rect(x, top - height, w, height, BLUE if dark else LABEL_FILL)
            flow.lines(x + PAD, top - PAD, lines, HEADER_SIZE, WHITE if dark else BLACK, bold=True)
            x += w

    return height, draw


def table_rows(flow: Flow, block: Block, indexes: Iterable[int], first: Draw | None, first_height: float) -> None:
    """Numbered rows of a table block, each cell a field named `path.N.column`; the header repeats on a new page."""
    widths = _scaled(block.widths)
    header_h, header = table_header(block, widths)
    if first is None:
        first_h, first_draw = header_h, header
    else:

        def first_draw(flow: Flow, top: float, first: Draw = first) -> None:
            first(flow, top)
            header(flow, top - first_height)

        first_h = first_height + header_h
    pending: Draw | None = first_draw
    for index in indexes:
        height = max(
            [ROW] + [_value_height(c, w, narrow=True, minimum=ROW) for c, w in zip(block.columns, widths, strict=True)]
        )

        def draw(flow: Flow, top: float, index: int = index, height: float = height) -> None:
            x = LEFT
            for column, w in zip(block.columns, widths, strict=True):
                flow.rect(x, top - height, w, height)
                label = f"{block.heading or block_header(block)[0]}, row {index + 1}: {column.label}"
                _value(
                    flow,
                    column,
                    cell_name(block, index, column),
                    x,
                    top,
                    w,
                    height,
                    label,
                    multiline=True,
                    size=CELL_SIZE,
                    narrow=True,
                )
                x += w

        if pending is not None:
            _row(flow, height, draw, pending, first_h)
            pending = None
        else:
            flow.row(height, draw, header, header_h)
    if pending is not None:  # a table with no rows still shows its header
        flow.row(first_h, pending)


def _grid_block(flow: Flow, block: Block, first: Draw | None, first_height: float) -> None:
    widths = _scaled([3.2, *block.widths])
    header_h, header = table_header(block, widths)
    if first is not None:

        def lead(flow: Flow, top: float, first: Draw = first) -> None:
            first(flow, top)
            header(flow, top - first_height)

        pending: Draw = lead
        pending_h = first_height + header_h
    else:
        pending, pending_h = header, header_h
    for r, row_label in enumerate(block.row_labels):
        cells = block.columns[r * block.pairs : (r + 1) * block.pairs]
        label = _label_lines(row_label, widths[0])
        height = max(
            [text_height(len(label), LABEL_SIZE), ROW]
            + [_value_height(c, w, narrow=True, minimum=ROW) for c, w in zip(cells, widths[1:], strict=True)]
        )

        def draw(
            flow: Flow,
            top: float,
            cells: tuple[Field, ...] = cells,
            label: list[Line] = label,
            height: float = height,
            row_label: str = row_label,
        ) -> None:
            flow.rect(LEFT, top - height, widths[0], height, LABEL_FILL)
            flow.lines(LEFT + PAD, top - PAD, label, LABEL_SIZE, bold=True)
            x = LEFT + widths[0]
            for cell, w in zip(cells, widths[1:], strict=True):
                flow.rect(x, top - height, w, height)
                _value(
                    flow,
                    cell,
                    field_name(cell),
                    x,
                    top,
                    w,
                    height,
                    f"{row_label}: {cell.label}",
                    multiline=True,
                    size=CELL_SIZE,
                    narrow=True,
                )
                x += w

        if r == 0:
            _row(flow, height, draw, pending, pending_h)
        else:
            flow.row(height, draw, header, header_h)


def heading_lines(block: Block) -> tuple[float, Draw | None]:
    """A block's heading and note: their height and how to draw them above its first row."""
    parts: list[tuple[list[Line], float, tuple[float, float, float], bool]] = []
    if block.heading:
        parts.append((wrap(block.heading, 10.0, WIDTH), 10.0, BLUE, True))
    if block.note:
        parts.append((wrap(block.note, NOTE_SIZE, WIDTH), NOTE_SIZE, GREY, False))
    if not parts:
        return 0.0, None
    height = sum(text_height(len(lines), size) for lines, size, _, _ in parts) + 2

    def draw(flow: Flow, top: float) -> None:
        for lines, size, rgb, bold in parts:
            flow.lines(LEFT, top, lines, size, rgb, bold)
            top -= text_height(len(lines), size)

    return height, draw


def block(flow: Flow, block_: Block) -> None:
    """Lay out one block of a section, its heading kept with its first row."""
    height, first = heading_lines(block_)
    if block_.kind == "fields":
        if first is not None:
            flow.ensure(height + 22)
            first(flow, flow.y)
            flow.gap(height)
        _fields_block(flow, block_, None)
    elif block_.kind == "text":
        _text_block(flow, block_, first, height)
    elif block_.kind == "table":
        table_rows(flow, block_, range(block_.rows), first, height)
    else:
        _grid_block(flow, block_, first, height)
    flow.gap(8)


def _section(flow: Flow, section: Section) -> None:
    heading = wrap(section_heading(section), 12.0, WIDTH - 2 * PAD)
    bar = text_height(len(heading), 12.0) + 4
    notes = [wrap(text, NOTE_SIZE, WIDTH) for text in (filled_by_line(section), section.note) if text]
    notes_h = sum(text_height(len(lines), NOTE_SIZE) for lines in notes)
    flow.ensure(bar + notes_h + 60)
    flow.rect(LEFT, flow.y - bar, WIDTH, bar, SECTION_FILL, stroke=False)
    flow.lines(LEFT + PAD, flow.y - 2 - PAD, heading, 12.0, BLUE, bold=True)
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
    return b"\n".join(
        [
            text_op((PAGE_W - fnt.width(marking, 9)) / 2, y, marking, 9, bold=True),
            text_op(PAGE_W - LEFT - fnt.width(form.short_title, 8), y, form.short_title, 8, GREY),
            b"0.4 w %s %s %s m %s %s l S"
            % (color(BLUE, stroke=True), number(LEFT), number(y - 5), number(PAGE_W - LEFT), number(y - 5)),
        ]
    )


TITLE_Y = PAGE_H - 100.0


def page_overlay(index: int, count: int, title: str, name: str) -> bytes:
    """What changes per document on each page: the footer (marking, child's name, page N of M), and the title on page 1."""
    fnt = font()
    parts = ["OFFICIAL-SENSITIVE", name, f"Page {index + 1} of {count}"]
    footer = "    ".join(part for part in parts if part)
    if fnt.width(footer, 8) > WIDTH:
        footer = "    ".join([parts[0], f"Page {index + 1} of {count}"])
    ops = [text_op((PAGE_W - fnt.width(footer, 8)) / 2, 26, footer, 8)]
    if index == 0:
        size = 18.0
        while size > 9 and fnt.width(title, size) > WIDTH:
            size -= 0.5
        ops.append(text_op(LEFT, TITLE_Y, visual(wrap(title, size, WIDTH)[0]), size, BLUE))
    return b"\n".join(ops)


def _title_block(flow: Flow, form: Form) -> None:
    flow.op(text_op(LEFT, PAGE_H - 72, form.authority, 12, BLUE, bold=True))
    flow.y = TITLE_Y - 16  # the title itself is drawn per document (a part of a form says which sections)
    if form.intro:
        intro = wrap(form.intro, 8.0, WIDTH)
        flow.lines(LEFT, flow.y, intro, 8.0, GREY)
        flow.gap(text_height(len(intro), 8.0) + 6)
    across = min(3, len(form.title_fields)) or 1  # label and answer pairs in one row of the name band
    for start in range(0, len(form.title_fields), across):
        _band_row(flow, form.title_fields[start : start + across], across)
    if form.title_fields:
        flow.gap(10)


def _band_row(flow: Flow, band: Sequence[Field], across: int) -> None:
    """One row of the name band: label and read-only answer pairs, read back by parse."""
    widths = _scaled([2.2, 3.6] * across)
    labels = [_label_lines(f.label, widths[2 * i]) for i, f in enumerate(band)]
    height = max(20.0, max(text_height(len(lines), LABEL_SIZE) for lines in labels))

    def draw(flow: Flow, top: float) -> None:
        x = LEFT
        for i, f in enumerate(band):
            lw, vw = widths[2 * i], widths[2 * i + 1]
            flow.rect(x, top - height, lw, height, LABEL_FILL)
            flow.lines(x + PAD, top - PAD, labels[i], LABEL_SIZE, bold=True)
            flow.rect(x + lw, top - height, vw, height)
            rect = (x + lw + 0.5, top - height + 0.5, x + lw + vw - 0.5, top - 0.5)
            flow.widget(Widget(field_name(f), "text", rect, f.label, readonly=True))
            x += lw + vw

    flow.row(height, draw)


def lay_out(form: Form) -> list[Page]:
    """The pages of a form: title block, then each section from a new page, blocks flowing down."""
    flow = Flow(page_header(form))
    _title_block(flow, form)
    for position, section in enumerate(form.sections):
        if position:
            flow.new_page()
        _section(flow, section)
    return flow.pages


def _font_objects(objects: Objects, fnt: Font) -> Ref:
    """The embedded Type0 font: CIDFontType2 with the whole TrueType file, widths and a ToUnicode map."""
    program = objects.add(Stream({"Length1": len(fnt.data)}, fnt.data))
    descriptor = objects.add(
        {
            "Type": Name("FontDescriptor"),
            "FontName": Name(FONT),
            "Flags": 32,
            "FontBBox": fnt.bbox,
            "ItalicAngle": 0,
            "Ascent": fnt.ascent,
            "Descent": fnt.descent,
            "CapHeight": fnt.cap_height,
            "StemV": 80,
            "FontFile2": program,
        }
    )
    cid = objects.add(
        {
            "Type": Name("Font"),
            "Subtype": Name("CIDFontType2"),
            "BaseFont": Name(FONT),
            "CIDSystemInfo": {"Registry": "Adobe", "Ordering": "Identity", "Supplement": 0},
            "FontDescriptor": descriptor,
            "DW": 1000,
            "W": [0, fnt.widths],
            "CIDToGIDMap": Name("Identity"),
        }
    )
    to_unicode = objects.add(Stream({}, _to_unicode(fnt)))
    return objects.add(
        {
            "Type": Name("Font"),
            "Subtype": Name("Type0"),
            "BaseFont": Name(FONT),
            "Encoding": Name("Identity-H"),
            "DescendantFonts": [cid],
            "ToUnicode": to_unicode,
        }
    )


def _to_unicode(fnt: Font) -> bytes:
    """A ToUnicode CMap from glyph ids to text (Arabic presentation forms back to their letters)."""
    runs: list[tuple[int, int, str]] = []  # first glyph, last glyph, text of the first
    for gid, text in sorted(fnt.unicode_of.items()):
        if runs:
            first, last, opening = runs[-1]
            follows = len(text) == 1 and len(opening) == 1 and ord(text) - ord(opening) == gid - first
            if gid == last + 1 and follows and gid >> 8 == first >> 8:
                runs[-1] = (first, gid, opening)
                continue
        runs.append((gid, gid, text))
    singles = [(first, text) for first, last, text in runs if first == last]
    ranges = [(first, last, text) for first, last, text in runs if first != last]
    out = [
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
        b"/CIDSystemInfo <</Registry (Adobe) /Ordering (UCS) /Supplement 0>> def",
        b"/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
        b"1 begincodespacerange <0000> <FFFF> endcodespacerange",
    ]

    def hex_text(text: str) -> bytes:
        return text.encode("utf-16-be").hex().upper().encode()

    for start in range(0, len(singles), 100):
        chunk = singles[start : start + 100]
        out.append(b"%d beginbfchar" % len(chunk))
        out.extend(b"<%04X> <%s>" % (gid, hex_text(text)) for gid, text in chunk)
        out.append(b"endbfchar")
    for start in range(0, len(ranges), 100):
        block = ranges[start : start + 100]
        out.append(b"%d beginbfrange" % len(block))
        out.extend(b"<%04X> <%04X> <%s>" % (first, last, hex_text(text)) for first, last, text in block)
        out.append(b"endbfrange")
    out.append(b"endcmap CMapName currentdict /CMap defineresource pop end end")
    return b"\n".join(out)


@dataclass
class _Node:
    """A field in the tree being built: a parent, a terminal field, or a radio group."""

    part: str
    kind: str = "node"  # node, text, check, radio
    num: int = 0
    kids: list[_Node] = field(default_factory=list)
    widget: Widget | None = None
    buttons: list[tuple[int, Widget, int]] = field(default_factory=list)
    page: int = 0


def _tree(pages: list[Page], objects: Objects) -> tuple[list[_Node], dict[int, list[int]]]:
    """The field tree from the widgets on the pages, and the widget object numbers on each page."""
    roots: list[_Node] = []
    index: dict[str, _Node] = {}
    annots: dict[int, list[int]] = {}
    for page_no, page in enumerate(pages):
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
                node.buttons.append((num, w, page_no))
                annots.setdefault(page_no, []).append(num)
            else:
                if node.kind != "node" or node.kids:
                    raise FormError(f"PDF field {w.name!r} appears twice on the form")
                node.kind, node.widget, node.page = w.kind, w, page_no
                annots.setdefault(page_no, []).append(node.num)
    return roots, annots


def widget_entries(w: Widget, part: str, parent: int | None, page: Ref, box_on: Ref, box_off: Ref) -> dict[str, Any]:
    """The dictionary of a widget: a text field or checkbox (field and widget in one, named `part`), or one
    button of a radio group (`part` unused: the group is the field). Boxes start off."""
    entries: dict[str, Any] = {"Type": Name("Annot"), "Subtype": Name("Widget")}
    if w.kind != "radio":
        entries["FT"] = Name("Tx" if w.kind == "text" else "Btn")
        entries["T"] = part
    if parent is not None:
        entries["Parent"] = Ref(parent)
    if w.label and w.kind != "radio":
        entries["TU"] = w.label
    entries |= {"Rect": list(w.rect), "P": page, "F": 4}
    if w.kind == "text":
        flags = (MULTILINE if w.multiline else 0) | (READ_ONLY if w.readonly else 0)
        entries |= {"Ff": flags, "DA": f"/{FONT} {number(w.size).decode()} Tf 0 g", "MK": {}}
    elif w.kind == "check":
        entries |= {"Ff": 0, "DA": f"/{BOX_FONT} 0 Tf 0 g", "MK": {"CA": "8"}, "V": Name("Off"), "AS": Name("Off")}
        entries["AP"] = {"N": {"Yes": box_on, "Off": box_off}}
    else:
        entries |= {"MK": {"CA": "8"}, "AS": Name("Off"), "AP": {"N": {w.state: box_on, "Off": box_off}}}
    return entries


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
        entries |= {"Ff": RADIO, "DA": f"/{BOX_FONT} 0 Tf 0 g"}
        if state:
            entries["V"] = Name(state)
    entries["Kids"] = [Ref(kid) for kid in kids]
    return entries


def _write_tree(
    nodes: list[_Node], parent: int | None, objects: Objects, page_refs: list[Ref], box_on: Ref, box_off: Ref
) -> None:
    for node in nodes:
        if node.kind == "node":
            objects.put(node.num, group_entries(node.part, parent, [kid.num for kid in node.kids]))
            _write_tree(node.kids, node.num, objects, page_refs, box_on, box_off)
            continue
        w = node.widget
        assert w is not None
        if node.kind != "radio":
            objects.put(node.num, widget_entries(w, node.part, parent, page_refs[node.page], box_on, box_off))
            continue
        buttons = [num for num, _, _ in node.buttons]
        objects.put(node.num, group_entries(node.part, parent, buttons, radio=True, label=w.label))
        for num, button, page_no in node.buttons:
            objects.put(num, widget_entries(button, node.part, node.num, page_refs[page_no], box_on, box_off))


def box_streams() -> tuple[Stream, Stream]:
    """The appearances of a tick box: a cross when on, nothing when off."""
    bbox = [0, 0, BOX, BOX]
    form = {"Type": Name("XObject"), "Subtype": Name("Form"), "BBox": bbox}
    return Stream(form, CROSS, compress=False), Stream(form, b"", compress=False)


def build_pdf(form: Form) -> bytes:
    """The form's fillable PDF template, built from its spec; the same spec always gives the same bytes."""
    pages = lay_out(form)
    objects = Objects()
    catalog, page_tree, acroform, resources, info = (objects.reserve() for _ in range(5))
    fnt = font()
    type0 = _font_objects(objects, fnt)
    zadb = objects.add({"Type": Name("Font"), "Subtype": Name("Type1"), "BaseFont": Name("ZapfDingbats")})
    objects.put(resources, {"Font": {FONT: type0, BOX_FONT: zadb}})
    on, off = box_streams()
    box_on, box_off = objects.add(on), objects.add(off)
    page_refs = [Ref(objects.reserve()) for _ in pages]
    roots, annots = _tree(pages, objects)
    _write_tree(roots, None, objects, page_refs, box_on, box_off)
    for page_no, (ref, page) in enumerate(zip(page_refs, pages, strict=True)):
        static = objects.add(Stream({}, b"\n".join(page.ops)))
        overlay = objects.add(Stream({}, page_overlay(page_no, len(pages), form.title, "")))
        entries: dict[str, Any] = {
            "Type": Name("Page"),
            "Parent": Ref(page_tree),
            "MediaBox": [0, 0, PAGE_W, PAGE_H],
            "Resources": Ref(resources),
            "Contents": [static, overlay],
        }
        if annots.get(page_no):
            entries["Annots"] = [Ref(num) for num in annots[page_no]]
        objects.put(ref.num, entries)
    objects.put(page_tree, {"Type": Name("Pages"), "Kids": page_refs, "Count": len(pages)})
    objects.put(
        acroform,
        {
            "Fields": [Ref(node.num) for node in roots],
            "DR": Ref(resources),
            "DA": f"/{FONT} {number(VALUE_SIZE).decode()} Tf 0 g",
        },
    )
    objects.put(
        catalog,
        {
            "Type": Name("Catalog"),
            "Pages": Ref(page_tree),
            "AcroForm": Ref(acroform),
            "Lang": "en-GB",
            "ViewerPreferences": {"DisplayDocTitle": True},
        },
    )
    objects.put(info, info_entries(form, {}))
    bodies = sorted(objects.bodies.items())
    digest = hashlib.md5(b"".join(body for _, body in bodies), usedforsecurity=False).digest()
    return write_file(bodies, objects.next, trailer(objects.next, catalog, info, (digest, digest)))


def info_entries(form: Form, properties: dict[str, str]) -> dict[str, Any]:
    """The document information: title and council, the producer, and pepdocs' own entries; no author, dates or paths."""
    entries: dict[str, Any] = {"Title": form.title, "Subject": form.authority, "Producer": "pepdocs"}
    entries["pepdocs.form"] = form.id
    entries["pepdocs.version"] = form.version
    for key, value in properties.items():
        entries[key] = value
    return entries
