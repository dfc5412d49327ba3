"""Text: metrics over every font, bidi order, shaping, wrapping, fitting an answer in its box, drawing it."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache

from bidi import get_display  # type: ignore[import-untyped]

from pepdocs.engines.pdf._fonts import (
    EXTRA,
    FOLDER,
    LATIN,
    PRIMARY,
    SHORT,
    Face,
    current,
    face_for,
    latin_chars,
    latin_codes,
    literal,
    primary,
)
from pepdocs.engines.pdf._syntax import number, string_bytes, tenth

FONT_FILE = FOLDER / "DejaVuSans.ttf"
FONT = PRIMARY  # the main font's resource name in /DR and in every page and appearance stream
PAD = 2.5
BLACK = (0.0, 0.0, 0.0)
MIN_SIZE = 6.5


# --- metrics ---------------------------------------------------------------------------------

_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\u200f\u202b\u202e\u2067]")
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b\u200e\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]"
)
_INVISIBLE_CODES = [
    code
    for code in (*range(0x20), *range(0x7F, 0xA0), 0xAD, *range(0x200B, 0x2070), 0xFEFF, 0xFFF9, 0xFFFA, 0xFFFB)
    if _INVISIBLE.match(chr(code)) and chr(code) not in "\t\n"
]
_JOINERS = "\u200c\u200d"
_BREAKS = re.compile("\r\n|[\r\n\u2028\u2029]")
_SPECIAL = re.compile("[\t\r\n\u2028\u2029\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\u200f\u202b\u202e\u2067]")
_MARKS = ("Mn", "Mc", "Me")
_BREAK_AFTER = frozenset("@./-_")


class Font:
    """Advance widths of every character, in the font it is drawn in (thousandths of an em), read once."""

    def __init__(self) -> None:
        main = primary()
        self.advance = _Advance()
        for code, gid in main.gid.items():
            self.advance[chr(code)] = main.widths[gid]
        for code in _INVISIBLE_CODES:
            self.advance[chr(code)] = 0  # dropped before drawing, so they take no room
        for char in _JOINERS:
            self.advance[char] = 0

    def width(self, text: str, size: float) -> float:
        """The width of a line of (visual, visible) text at `size` points, shaped where its script is."""
        if _plain(None).issuperset(text):
            return sum(map(self.advance.__getitem__, text)) * size / 1000
        return sum(run.width for run in _runs(text)) * size / 1000


class _Advance(dict[str, int]):
    """Advance widths by character: a fallback font's for what the main font lacks, U+FFFD's for what none has."""

    def __missing__(self, char: str) -> int:
        f = face_for(char)
        gid = f.gid.get(ord(char))
        if gid is None:
            width = f.widths[f.gid.get(0xFFFD, 0)]  # drawn as U+FFFD
        elif unicodedata.category(char) in _MARKS and f.shaped:
            width = 0
        else:
            width = f.widths[gid]
        self[char] = width
        return width


@cache
def font() -> Font:
    """The text metrics, read once per process."""
    return Font()


@lru_cache(maxsize=8)
def _plain(base: frozenset[int] | None) -> frozenset[str]:
    """Characters drawn in the main font under its one resource name, unshaped."""
    main = primary()
    return frozenset(
        chr(code) for code, gid in main.gid.items() if (base is None or gid in base) and face_for(chr(code)) is main
    )


@dataclass(frozen=True)
class _Run:
    """A piece of a line in one font: plain characters, or shaped glyphs (id, advance, x and y offset, text)."""

    face: Face
    text: str
    width: int
    glyphs: tuple[tuple[int, int, int, int, str], ...] = ()
    rtl: bool = False


@lru_cache(maxsize=4096)
def _runs(text: str) -> tuple[_Run, ...]:
    """A line of visual text cut into runs by font, the shaped scripts shaped with HarfBuzz."""
    pieces: list[tuple[Face, bool, list[str]]] = []
    for char in text:
        f = face_for(char)
        if ord(char) not in f.gid:
            if char in _JOINERS or unicodedata.category(char) in ("Cc", "Cf"):
                if pieces and pieces[-1][0].shaped:
                    pieces[-1][2].append(char)
                continue
            f, char = primary(), "\ufffd"
        joins = char in _JOINERS or unicodedata.category(char) in _MARKS
        if joins and pieces and pieces[-1][0].shaped:
            pieces[-1][2].append(char)
            continue
        rtl = f.shaped and unicodedata.bidirectional(char) in ("R", "AL")
        if pieces and pieces[-1][0] is f and pieces[-1][1] == rtl:
            pieces[-1][2].append(char)
        else:
            pieces.append((f, rtl, [char]))
    runs = []
    for f, rtl, chars in pieces:
        run = "".join(chars)
        if f.shaped:
            glyphs = tuple(f.shape(run[::-1] if rtl else run, rtl))
            runs.append(_Run(f, run, sum(g[1] for g in glyphs), glyphs, rtl))
        else:
            runs.append(_Run(f, run, sum(f.widths[f.gid[ord(c)]] for c in run)))
    return tuple(runs)


def show(text: str, size: float) -> bytes:
    """Operators drawing a line of visual text at the text position, a font run at a time."""
    rtl_line = _logical.get(text)
    if rtl_line is None and _RTL.search(text):
        # Right-to-left text given in reading order (not a wrapped line): put it in visual order here.
        text = visual(Line(text, "\n", _shape(text)[1]))
        rtl_line = _logical[text]
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    usage = current()
    base = usage.base if usage is not None else None
    single = _single(text, size, base)
    if single is not None:
        if usage is not None:
            usage.chars.update(text)
        return b"%s %s" % single
    out = []
    for run in _runs(text):
        if not run.glyphs:
            if usage is not None:
                usage.chars.update(run.text)
            out.extend(_plain_run(run, size, base))
            continue
        if usage is not None:
            used = usage.glyphs.setdefault(run.face.name, {})
            for glyph in run.glyphs:
                if glyph[4] or glyph[0] not in used:
                    used[glyph[0]] = glyph[4] or used.get(glyph[0], "")
        ops = _shaped_run(run, size)
        if rtl_line is None:
            ops = _actual(run.text[::-1] if run.rtl else run.text, ops)
        out.append(ops)
    body = b" ".join(out)
    return _actual(rtl_line, body) if rtl_line is not None else body


def _single(text: str, size: float, base: frozenset[int] | None) -> tuple[bytes, bytes] | None:
    """Visual text drawn in the main font alone: the operator choosing the font, and the one showing the text."""
    if latin_chars().issuperset(text):
        return b"/%s %s Tf" % (LATIN.encode(), number(size)), b"(%s)Tj" % text.translate(latin_codes()).encode(
            "latin-1"
        )
    if _plain(base).issuperset(text):
        shown = text.translate(primary().codes).encode("latin-1")
        return b"/%s %s Tf" % (SHORT.encode(), number(size)), b"(%s)Tj" % shown
    return None


def _actual(text: str, ops: bytes) -> bytes:
    """Marked content whose text is `text` in reading order, for copying and screen readers."""
    return b"/Span <</ActualText %s>> BDC %s EMC" % (string_bytes(text), ops)


def _plain_run(run: _Run, size: float, base: frozenset[int] | None) -> list[bytes]:
    """A run in an unshaped font; the main font's glyphs its template lacks go in the extra resource."""
    f = run.face
    codes = [f.gid[ord(c)] for c in run.text]
    names = [f.name if f is not primary() or base is None or gid in base else EXTRA for gid in codes]
    out = []
    start = 0
    for i in range(1, len(codes) + 1):
        if i == len(codes) or names[i] != names[start]:
            name = SHORT if names[start] == PRIMARY else names[start]
            out.append(b"/%s %s Tf %s Tj" % (name.encode(), number(size), literal(codes[start:i])))
            start = i
    return out


def _shaped_run(run: _Run, size: float) -> bytes:
    """Shaped glyphs placed by their advances and offsets (TJ adjustments and text rise)."""
    f = run.face
    ops = [b"/%s %s Tf" % (f.name.encode(), number(size))]
    array: list[bytes] = []
    rise = 0

    def flush() -> None:
        if array:
            ops.append(b"[" + b" ".join(array) + b"] TJ")
            array.clear()

    for gid, advance, dx, dy, _ in run.glyphs:
        if dy != rise:
            flush()
            ops.append(b"%s Ts" % number(dy * size / 1000))
            rise = dy
        if dx:
            array.append(b"%d" % -dx)
        array.append(literal((gid,)))
        rest = advance - dx - f.widths[gid]
        if rest:
            array.append(b"%d" % -rest)
    flush()
    if rise:
        ops.append(b"0 Ts")
    return b" ".join(ops)


# --- text: shaping, wrapping, drawing ---------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One wrapped line: its logical text, what ended it (' ' a wrap at a space, '' inside a word, '\\n')."""

    text: str
    end: str
    rtl: bool = False


def _shape(paragraph: str) -> tuple[str, bool]:
    """A paragraph (logical order) and whether it reads right to left, by its first strong character."""
    rtl = False
    if _RTL.search(paragraph):
        for char in paragraph:
            kind = unicodedata.bidirectional(char)
            if kind in ("L", "R", "AL"):
                rtl = kind != "L"
                break
    return paragraph, rtl


_logical: dict[str, str] = {}  # visual lines of right-to-left text, and their text in reading order


def visual(line: Line) -> str:
    """A line as drawn: in visual order when it holds right-to-left text, invisible marks removed."""
    text = line.text
    if _RTL.search(text):
        shown = _INVISIBLE.sub("", get_display(text, base_dir="R" if line.rtl else "L"))
        if len(_logical) > 10000:
            _logical.clear()
        _logical[shown] = _INVISIBLE.sub("", text)
        return shown
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
            w = _word_width(word)
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


def _word_width(word: str) -> float:
    """A word's advance in thousandths of an em: shaped as drawn where its script is (joined Arabic letters and
    Indic conjuncts are narrower than the same letters apart, so a line measured letter by letter wraps too soon)."""
    if not any(face_for(char).shaped for char in word):
        return sum(map(font().advance.__getitem__, word))
    return sum(run.width for run in _runs(_INVISIBLE.sub("", get_display(word))))


def rejoin(lines: Sequence[Line]) -> str:
    """The logical text of wrapped lines, as it was before wrapping."""
    return "".join(line.text + line.end for line in lines).removesuffix("\n")


def color(rgb: tuple[float, float, float], stroke: bool = False) -> bytes:
    return b" ".join(number(c) for c in rgb) + (b" RG" if stroke else b" rg")


def text_op(
    x: float, y: float, text: str, size: float, rgb: tuple[float, float, float] = BLACK, bold: bool = False
) -> bytes:
    """Operators drawing one line of visual text with its baseline at (x, y)."""
    body = b"BT %s %s %s Td %s ET" % (color(rgb), tenth(x), tenth(y), show(text, size))
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
    # No clip of its own: an answer is fitted to its box, and a field's appearance is clipped to its /BBox. No
    # /Tx BMC..EMC either: a viewer that regenerates the appearance replaces the whole stream, and a filled form
    # has hundreds of these.
    out = [b"BT"]
    at = (0.0, 0.0)
    chosen = b""  # the font operator in force: a line in the same font as the last does not repeat it
    usage = current()
    for text, rtl in shown:
        x = width - PAD - fnt.width(text, size) if rtl else PAD
        # Each line is placed from the last (Td), which is shorter than a whole matrix per line.
        out.append(b"%s %s Td" % (tenth(x - at[0]), tenth(y - at[1])))
        single = _single(text, size, usage.base if usage is not None else None)
        if single is None:
            out.append(show(text, size))
            chosen = b""
        else:
            if usage is not None:
                usage.chars.update(text)
            out.extend(single[1:] if single[0] == chosen else single)
            chosen = single[0]
        at = (round(x - at[0], 1) + at[0], round(y - at[1], 1) + at[1])
        y -= lead
    out.append(b"ET")
    return b" ".join(out)
