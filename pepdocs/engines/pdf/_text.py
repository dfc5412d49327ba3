"""The embedded font and text: metrics, Arabic shaping and bidi order, wrapping, fitting an answer in its box."""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import arabic_reshaper  # type: ignore[import-untyped]
from bidi import get_display  # type: ignore[import-untyped]
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

from pepdocs._errors import FormError
from pepdocs.engines.pdf._syntax import number

FONT_FILE = Path(__file__).resolve().parent / "fonts" / "DejaVuSans.ttf"
FONT = "DejaVuSans"  # the font's resource name in /DR and in every page and appearance stream
PAD = 2.5
BLACK = (0.0, 0.0, 0.0)
MIN_SIZE = 6.5


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
_BREAK_AFTER = frozenset("@./-_")
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
        raise FormError(f"the PDF font is missing from this installation of pepdocs ({error.strerror})") from error


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
            # A word wider than a line is broken where it reaches the edge, or after the last @ . / - _ before
            # it when that is in the line's second half (an email address or web address breaks between its parts).
            piece: list[str] = []
            used = 0.0
            for char in word:
                cw = measure(char)
                if piece and used + cw > limit:
                    cut = max(i for i, c in enumerate(piece) if c in _BREAK_AFTER or i == 0)
                    if cut < len(piece) // 2:
                        cut = len(piece) - 1
                    lines.append(Line("".join(piece[: cut + 1]), "", rtl))
                    piece = piece[cut + 1 :]
                    used = sum(map(measure, piece))
                piece.append(char)
                used += cw
            current = piece
        lines.append(Line("".join(current), "\n", rtl))
    return lines


def rejoin(lines: Sequence[Line]) -> str:
    """The logical text of wrapped lines, as it was before wrapping."""
    return "".join(line.text + line.end for line in lines).removesuffix("\n")


def color(rgb: tuple[float, float, float], stroke: bool = False) -> bytes:
    return b" ".join(number(c) for c in rgb) + (b" RG" if stroke else b" rg")


def text_op(
    x: float, y: float, text: str, size: float, rgb: tuple[float, float, float] = BLACK, bold: bool = False
) -> bytes:
    """Operators drawing one line of visual text with its baseline at (x, y)."""
    body = b"BT /%s %s Tf %s 1 0 0 1 %s %s Tm %s Tj ET" % (
        FONT.encode(),
        number(size),
        color(rgb),
        number(x),
        number(y),
        font().encode(text),
    )
    if bold:
        # DejaVu Sans is shipped in one weight: bold is drawn as filled and outlined glyphs.
        return b"q 2 Tr %s w %s %s Q" % (number(size / 30), color(rgb, stroke=True), body)
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
