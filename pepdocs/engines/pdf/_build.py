"""Builds each form's fillable PDF (an AcroForm) from its spec, and the drawing both PDF paths share.

The page content is drawn here, not by a PDF library: every piece of text is set in one embedded
font (DejaVu Sans as a Type0/Identity-H font, measured with fontTools), Arabic is shaped and put in
visual order before it is drawn, and blocks flow down A4 pages so no answer box is split across a
page. Field names are the model paths as a parent/kid field tree (`child` > `date_of_birth`).
`_pdf` fills the built template, and lays out continuation pages with the same `Flow`.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any

import arabic_reshaper  # type: ignore[import-untyped]
from bidi import get_display  # type: ignore[import-untyped]
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

from pepdocs._errors import FormError
from pepdocs.forms._spec import Block, Field, Form, Section, option_label
from pepdocs.forms._wording import block_header, filled_by_line, section_heading

FONT_FILE = Path(__file__).resolve().parent / "fonts" / "DejaVuSans.ttf"
FONT = "DejaVuSans"  # the font's resource name in /DR and in every page and appearance stream
BOX_FONT = "ZaDb"

PAGE_W, PAGE_H = 595.28, 841.89  # A4 portrait
LEFT = 51.02  # 1.8 cm, as the DOCX
WIDTH = PAGE_W - 2 * LEFT
TOP = PAGE_H - 58.0
BOTTOM = 52.0
PAD = 2.5
BOX = 7.5  # side of a tick box
ROW = 28.0  # height of a table row: two lines of 8 points, three when shrunk
FIELD_ROW = 22.0  # height of a label/answer row: two lines when shrunk

BLUE = (0.122, 0.220, 0.392)  # 1F3864
LABEL_FILL = (0.863, 0.902, 0.941)  # DCE6F0
SECTION_FILL = (0.835, 0.863, 0.894)  # D5DCE4
GREY = (0.30, 0.30, 0.30)
WHITE = (1.0, 1.0, 1.0)
BLACK = (0.0, 0.0, 0.0)

LABEL_SIZE = 8.0
VALUE_SIZE = 9.0
CELL_SIZE = 8.0
HEADER_SIZE = 7.5
NOTE_SIZE = 7.5
MIN_SIZE = 6.5
MULTILINE = 1 << 12
READ_ONLY = 1
RADIO = 1 << 15


# --- the font -------------------------------------------------------------------------------

_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\u200f\u202b\u202e\u2067]")
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]")
_INVISIBLE_CODES = [
    code
    for code in (*range(0x20), *range(0x7F, 0xA0), 0xAD, *range(0x200B, 0x2070), 0xFEFF, 0xFFF9, 0xFFFA, 0xFFFB)
    if _INVISIBLE.match(chr(code)) and chr(code) not in "\t\n"
]
_BREAKS = re.compile("\r\n|[\r\n\u2028\u2029]")
_SPECIAL = re.compile("[\t\r\n\u2028\u2029\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\u200f\u202b\u202e\u2067]")
_PRESENTATION = ((0xFB50, 0xFDFF), (0xFE70, 0xFEFF))


class Font:
    """The embedded font's metrics: each character's glyph id and advance width, read once."""

    def __init__(self, data: bytes) -> None:
        tt = TTFont(io.BytesIO(data), lazy=True)
        self.data = data
        head, hhea = tt["head"], tt["hhea"]
        scale = 1000 / head.unitsPerEm
        order = tt.getGlyphOrder()
        metrics = tt["hmtx"].metrics
        self.widths = [round(metrics[name][0] * scale) for name in order]
        gids = {name: gid for gid, name in enumerate(order)}
        cmap: dict[int, str] = tt.getBestCmap()
        self.codes = _Codes()
        self.advance = _Advance(self.widths[0])
        for code, name in cmap.items():
            gid = gids[name]
            self.codes[code] = f"{gid:04X}"
            self.advance[chr(code)] = self.widths[gid]
        self.missing_width = self.widths[0]
        for code in _INVISIBLE_CODES:
            self.advance[chr(code)] = 0  # dropped before drawing, so they take no room
        self.unicode_of: dict[int, str] = {}
        for code, name in sorted(cmap.items(), key=lambda item: (_presentation(item[0]), item[0])):
            self.unicode_of.setdefault(gids[name], unicodedata.normalize("NFKC", chr(code)) or chr(code))
        self.ascent = round(hhea.ascent * scale)
        self.descent = round(hhea.descent * scale)
        self.bbox = [round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)]
        glyf = tt["glyf"]
        self.cap_height = round(glyf["H"].yMax * scale) if "H" in gids else 700
        self.glyph_count = len(order)

    def width(self, text: str, size: float) -> float:
        """The width of a line of (visual, visible) text at `size` points."""
        return sum(map(self.advance.__getitem__, text)) * size / 1000

    def encode(self, text: str) -> bytes:
        """Text as a PDF hex string of two-byte glyph ids (Identity-H); a character the font lacks is glyph 0."""
        return b"<" + text.translate(self.codes).encode("ascii") + b">"


class _Codes(dict[int, str]):
    """Glyph ids in hex by code point, for str.translate: glyph 0 (.notdef) for what the font lacks."""

    def __missing__(self, code: int) -> str:
        return "0000"


class _Advance(dict[str, int]):
    """Advance widths by character (thousandths of an em); the .notdef width for what the font lacks."""

    def __init__(self, missing: int) -> None:
        super().__init__()
        self.missing = missing

    def __missing__(self, char: str) -> int:
        return self.missing


def _presentation(code: int) -> bool:
    return any(low <= code <= high for low, high in _PRESENTATION)


@cache
def font() -> Font:
    """DejaVu Sans, as shipped in pepdocs/fonts, read once per process."""
    try:
        return Font(FONT_FILE.read_bytes())
    except OSError as error:
        raise FormError(f"the PDF font is missing from this installation of pepdocs ({error.strerror})") from None


# --- text: shaping, wrapping, drawing ---------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One wrapped line: its logical text, what ended it (' ' a wrap at a space, '' inside a word, '\\n')."""

    text: str
    end: str
    rtl: bool = False


@cache
def _reshaper() -> Any:
    """Arabic shaping that keeps vowel marks (the library's default drops them)."""
    return arabic_reshaper.ArabicReshaper(configuration={"delete_harakat": False})


def _shape(paragraph: str) -> tuple[str, bool]:
    """A paragraph with Arabic letters joined (still logical order), and whether it reads right to left."""
    rtl = False
    if _RTL.search(paragraph):
        if _ARABIC.search(paragraph):
            paragraph = _reshaper().reshape(paragraph)
        for char in paragraph:
            kind = unicodedata.bidirectional(char)
            if kind in ("L", "R", "AL"):
                rtl = kind != "L"
                break
    return paragraph, rtl


def visual(line: Line) -> str:
    """A line as drawn: in visual order when it holds right-to-left text, invisible marks removed."""
    text = line.text
    if _RTL.search(text):
        text = get_display(text, base_dir="R" if line.rtl else "L")
    return _INVISIBLE.sub("", text)


def wrap(text: str, size: float, width: float) -> list[Line]:
    """Text broken into lines that fit `width`: at spaces, inside a word only when it is wider than a line."""
    advance = font().advance
    limit = width * 1000 / size
    if not _SPECIAL.search(text) and sum(map(advance.__getitem__, text)) <= limit:
        return [Line(text, "\n")]  # the common case: one short line of left-to-right text
    space = advance[" "]
    measure = advance.__getitem__
    lines: list[Line] = []
    for raw in _BREAKS.split(text.replace("\t", "    ")):
        paragraph, rtl = _shape(raw)
        current: list[str] = []
        used = 0.0
        started = False
        for word in paragraph.split(" "):
            w = sum(map(measure, word))
            joined = used + space + w if started else w
            if joined <= limit:
                if started:
                    current.append(" ")
                current.append(word)
                used, started = joined, True
                continue
            if started:
                lines.append(Line("".join(current), " ", rtl))
            started = True
            if w <= limit:
                current, used = [word], w
                continue
            # A word wider than a line is broken where it reaches the edge.
            piece: list[str] = []
            used = 0.0
            for char in word:
                cw = measure(char)
                if piece and used + cw > limit:
                    lines.append(Line("".join(piece), "", rtl))
                    piece, used = [], 0.0
                piece.append(char)
                used += cw
            current = piece
        lines.append(Line("".join(current), "\n", rtl))
    return lines


def rejoin(lines: Sequence[Line]) -> str:
    """The logical text of wrapped lines, as it was before wrapping."""
    return "".join(line.text + line.end for line in lines).removesuffix("\n")


def _n(value: float) -> bytes:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return (text if text not in ("-0", "") else "0").encode()


def color(rgb: tuple[float, float, float], stroke: bool = False) -> bytes:
    return b" ".join(_n(c) for c in rgb) + (b" RG" if stroke else b" rg")


def text_op(
    x: float, y: float, text: str, size: float, rgb: tuple[float, float, float] = BLACK, bold: bool = False
) -> bytes:
    """Operators drawing one line of visual text with its baseline at (x, y)."""
    body = b"BT /%s %s Tf %s 1 0 0 1 %s %s Tm %s Tj ET" % (
        FONT.encode(),
        _n(size),
        color(rgb),
        _n(x),
        _n(y),
        font().encode(text),
    )
    if bold:
        # DejaVu Sans is shipped in one weight: bold is drawn as filled and outlined glyphs.
        return b"q 2 Tr %s w %s %s Q" % (_n(size / 30), color(rgb, stroke=True), body)
    return body


@dataclass
class Fit:
    """How an answer sits in its box: the size, the lines shown, and what did not fit."""

    size: float
    lines: list[Line]
    overflow: list[Line] = field(default_factory=list)
    single: bool = False


def capacity(height: float, size: float) -> int:
    """How many lines of `size` points a box of `height` holds (at least one)."""
    return max(1, int((height - 2 * PAD - size) / (size * 1.18)) + 1)


MARKER = "[continued on page {page}]"
SHORT_MARKER = "… p. {page}"


def fit(text: str, width: float, height: float, size: float) -> Fit:
    """Fit an answer in a box: shrink down to MIN_SIZE, else keep what fits and mark the rest as overflow."""
    inner = width - 2 * PAD
    trial = size
    while True:
        lines = wrap(text, trial, inner)
        if len(lines) <= capacity(height, trial):
            return Fit(trial, lines)
        if trial <= MIN_SIZE:
            break
        trial = max(MIN_SIZE, trial - 1)
    lines = wrap(text, size, inner)
    room = capacity(height, size)
    if room >= 2:
        return Fit(size, lines[: room - 1], lines[room - 1 :])
    # One line only: show its start, and the whole answer on the continuation page.
    marker_width = font().width(SHORT_MARKER.format(page=999), size) + 2
    first = wrap(text, size, max(inner - marker_width, size))[0]
    return Fit(size, [Line(first.text, "", first.rtl)], list(lines), single=True)


def draw_fit(result: Fit, width: float, height: float, page: int | None = None) -> bytes:
    """The operators of a text answer's appearance: lines from the top, clipped to the box."""
    size = result.size
    lead = size * 1.18
    shown = [(visual(line), line.rtl) for line in result.lines]
    if result.overflow and page is not None:
        marker = (SHORT_MARKER if result.single else MARKER).format(page=page)
        if result.single:
            text, rtl = shown[0] if shown else ("", False)
            shown = [(text + " " + marker, rtl)]
        else:
            shown.append((marker, False))
    y = height - PAD - size * 0.93
    fnt = font()
    out = [b"/Tx BMC q 1 1 %.2f %.2f re W n BT /%s %.2f Tf 0 g" % (width - 2, height - 2, FONT.encode(), size)]
    for text, rtl in shown:
        x = width - PAD - fnt.width(text, size) if rtl else PAD
        out.append(b"1 0 0 1 %.2f %.2f Tm %s Tj" % (x, y, fnt.encode(text)))
        y -= lead
    out.append(b"ET Q EMC")
    return b"\n".join(out)


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
            parts.append(b"%s %s %s %s %s re f" % (color(fill), _n(x), _n(y), _n(w), _n(h)))
        if stroke:
            parts.append(b"0.5 w 0 G %s %s %s %s re S" % (_n(x), _n(y), _n(w), _n(h)))
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


def table_header(block: Block, widths: Sequence[float], white_first: bool = True) -> tuple[float, Draw]:
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
            % (color(BLUE, stroke=True), _n(LEFT), _n(y - 5), _n(PAGE_W - LEFT), _n(y - 5)),
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
    if form.title_fields:
        widths = _scaled([2.2, 3.6] * len(form.title_fields))
        labels = [_label_lines(f.label, widths[2 * i]) for i, f in enumerate(form.title_fields)]
        height = max(20.0, max(text_height(len(lines), LABEL_SIZE) for lines in labels))

        def draw(flow: Flow, top: float) -> None:
            x = LEFT
            for i, f in enumerate(form.title_fields):
                lw, vw = widths[2 * i], widths[2 * i + 1]
                flow.rect(x, top - height, lw, height, LABEL_FILL)
                flow.lines(x + PAD, top - PAD, labels[i], LABEL_SIZE, bold=True)
                flow.rect(x + lw, top - height, vw, height)
                rect = (x + lw + 0.5, top - height + 0.5, x + lw + vw - 0.5, top - 0.5)
                flow.widget(Widget(field_name(f), "text", rect, f.label, readonly=True))
                x += lw + vw

        flow.row(height, draw)
        flow.gap(10)


def lay_out(form: Form) -> list[Page]:
    """The pages of a form: title block, then each section from a new page, blocks flowing down."""
    flow = Flow(page_header(form))
    _title_block(flow, form)
    for number, section in enumerate(form.sections):
        if number:
            flow.new_page()
        _section(flow, section)
    return flow.pages


# --- PDF objects --------------------------------------------------------------------------------


class Name(str):
    """A PDF name (written /Name)."""

    __slots__ = ()


@dataclass(frozen=True)
class Ref:
    """A reference to an indirect object."""

    num: int


@dataclass
class Stream:
    """A stream object: its dictionary and data, compressed when written unless told not to."""

    entries: dict[str, Any]
    data: bytes
    compress: bool = True


_NAME_SAFE = re.compile(rb"[^!-~]|[#()<>\[\]{}/%]")


def name_bytes(name: str) -> bytes:
    """A PDF name, escaping what a name cannot hold as #xx."""
    return b"/" + _NAME_SAFE.sub(lambda m: b"#%02X" % m[0][0], name.encode("utf-8"))


_LITERAL = re.compile(r"[ -~\n\t]*")


def string_bytes(text: str) -> bytes:
    """A PDF text string: a literal for plain ASCII, else UTF-16BE with a byte order mark, in hex."""
    if _LITERAL.fullmatch(text):
        escaped = (
            text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").replace("\n", "\\n").replace("\t", "\\t")
        )
        return b"(" + escaped.encode("ascii") + b")"
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode("ascii") + b">"


def serialize(value: Any) -> bytes:
    """A Python value as PDF syntax: dicts, lists, names, references, strings, numbers, streams."""
    if isinstance(value, Name):
        return name_bytes(value)
    if isinstance(value, Ref):
        return b"%d 0 R" % value.num
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, int):
        return b"%d" % value
    if isinstance(value, float):
        return _n(value)
    if isinstance(value, str):
        return string_bytes(value)
    if isinstance(value, bytes):
        return value  # already PDF syntax
    if value is None:
        return b"null"
    if isinstance(value, list | tuple):
        return b"[" + b" ".join(serialize(v) for v in value) + b"]"
    if isinstance(value, dict):
        return b"<<" + b"".join(name_bytes(k) + b" " + serialize(v) for k, v in value.items()) + b">>"
    if isinstance(value, Stream):
        data = zlib.compress(value.data, 9) if value.compress else value.data
        entries = dict(value.entries)
        if value.compress:
            entries["Filter"] = Name("FlateDecode")
        entries["Length"] = len(data)
        return serialize(entries) + b"\nstream\n" + data + b"\nendstream"
    raise TypeError(f"cannot write {type(value).__name__} as PDF")


HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"


def write_file(objects: Iterable[tuple[int, bytes]], size: int, trailer: bytes) -> bytes:
    """A whole PDF file from numbered object bodies (in ascending order), with a cross-reference table."""
    out = [HEADER]
    position = len(HEADER)
    offsets = [b"0000000000 65535 f \n"] * size
    for num, body in objects:
        chunk = b"%d 0 obj\n%s\nendobj\n" % (num, body)
        offsets[num] = b"%010d 00000 n \n" % position
        out.append(chunk)
        position += len(chunk)
    out.append(b"xref\n0 %d\n" % size)
    out.extend(offsets)
    out.append(b"trailer\n%s\nstartxref\n%d\n%%%%EOF\n" % (trailer, position))
    return b"".join(out)


def trailer(size: int, root: int, info: int, ids: tuple[bytes, bytes]) -> bytes:
    return b"<</Size %d/Root %d 0 R/Info %d 0 R/ID[<%s><%s>]>>" % (
        size,
        root,
        info,
        ids[0].hex().encode(),
        ids[1].hex().encode(),
    )


class Objects:
    """Numbered objects being written: reserve a number, then put its value."""

    def __init__(self) -> None:
        self.bodies: dict[int, bytes] = {}
        self.next = 1

    def reserve(self) -> int:
        self.next += 1
        return self.next - 1

    def put(self, num: int, value: Any) -> Ref:
        self.bodies[num] = serialize(value)
        return Ref(num)

    def add(self, value: Any) -> Ref:
        return self.put(self.reserve(), value)


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


def _write_tree(
    nodes: list[_Node], parent: int | None, objects: Objects, page_refs: list[Ref], box_on: Ref, box_off: Ref
) -> None:
    for node in nodes:
        entries: dict[str, Any] = {}
        if node.kind in ("text", "check"):
            w = node.widget
            assert w is not None
            entries |= {"Type": Name("Annot"), "Subtype": Name("Widget")}
        if node.kind in ("text", "check", "radio"):
            entries["FT"] = Name("Tx" if node.kind == "text" else "Btn")
        entries["T"] = node.part
        if parent is not None:
            entries["Parent"] = Ref(parent)
        if node.kind == "node":
            entries["Kids"] = [Ref(kid.num) for kid in node.kids]
            objects.put(node.num, entries)
            _write_tree(node.kids, node.num, objects, page_refs, box_on, box_off)
            continue
        w = node.widget
        assert w is not None
        if w.label:
            entries["TU"] = w.label
        if node.kind == "text":
            flags = (MULTILINE if w.multiline else 0) | (READ_ONLY if w.readonly else 0)
            entries |= {
                "Rect": list(w.rect),
                "P": page_refs[node.page],
                "F": 4,
                "Ff": flags,
                "DA": f"/{FONT} {_n(w.size).decode()} Tf 0 g",
                "MK": {},
            }
        elif node.kind == "check":
            entries |= {
                "Rect": list(w.rect),
                "P": page_refs[node.page],
                "F": 4,
                "Ff": 0,
                "DA": f"/{BOX_FONT} 0 Tf 0 g",
                "MK": {"CA": "8"},
                "V": Name("Off"),
                "AS": Name("Off"),
                "AP": {"N": {"Yes": box_on, "Off": box_off}},
            }
        else:
            entries |= {"Ff": RADIO, "DA": f"/{BOX_FONT} 0 Tf 0 g", "Kids": [Ref(num) for num, _, _ in node.buttons]}
        objects.put(node.num, entries)
        for num, button, page_no in node.buttons:
            objects.put(
                num,
                {
                    "Type": Name("Annot"),
                    "Subtype": Name("Widget"),
                    "Parent": Ref(node.num),
                    "Rect": list(button.rect),
                    "P": page_refs[page_no],
                    "F": 4,
                    "MK": {"CA": "8"},
                    "AS": Name("Off"),
                    "AP": {"N": {button.state: box_on, "Off": box_off}},
                },
            )


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
            "DA": f"/{FONT} {_n(VALUE_SIZE).decode()} Tf 0 g",
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
