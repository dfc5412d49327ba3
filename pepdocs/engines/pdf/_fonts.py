"""The fonts text is drawn in: DejaVu Sans, a Noto font for each script it lacks, and their subsets as embedded.

Each character is drawn in the first font that has it (a script's own font first for scripts that are shaped,
so Arabic letters join and Indic clusters form). A PDF embeds each font it uses as a Type0/Identity-H font whose
program is subset with fontTools to the glyphs used, keeping glyph ids, so the same codes draw in the template
and in every filled copy. The form's main font also keeps what a person may type into a field (`TYPING`).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import Any

from fontTools import subset  # type: ignore[import-untyped]
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

from pepdocs._errors import FormError
from pepdocs.engines.pdf._syntax import Name, Ref, Stream

FOLDER = Path(__file__).resolve().parent / "fonts"
PRIMARY = "DejaVuSans"
LATIN = "L"  # the main font as a one-byte WinAnsi font, for text that is all in it: half the bytes of two-byte codes
SHORT = "F"  # the main font's second, short resource name, used in content streams: a form draws it thousands of times
EXTRA = "DejaVuSansX"  # the main font's glyphs a filled copy adds to those its template embeds
FONT_ENV = "PEPDOCS_PDF_FONT"  # a TrueType file tried for characters no bundled font has


@dataclass(frozen=True)
class Source:
    """A bundled font: its resource name, file, whether HarfBuzz shapes it, and the scripts it is chosen for."""

    name: str
    file: str
    shaped: bool = False
    ranges: tuple[tuple[int, int], ...] = ()


SOURCES = (
    Source(PRIMARY, "DejaVuSans.ttf"),
    Source(
        "NotoSansArabic",
        "NotoSansArabic-Regular.ttf",
        True,
        ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)),
    ),
    Source("NotoSansHebrew", "NotoSansHebrew-Regular.ttf", True, ((0x0590, 0x05FF), (0xFB1D, 0xFB4F))),
    Source(
        "NotoSansEthiopic", "NotoSansEthiopic-Regular.ttf", True, ((0x1200, 0x139F), (0x2D80, 0x2DDF), (0xAB00, 0xAB2F))
    ),
    Source("NotoSansDevanagari", "NotoSansDevanagari-Regular.ttf", True, ((0x0900, 0x097F), (0xA8E0, 0xA8FF))),
    Source("NotoSansBengali", "NotoSansBengali-Regular.ttf", True, ((0x0980, 0x09FF),)),
    Source("NotoSansGurmukhi", "NotoSansGurmukhi-Regular.ttf", True, ((0x0A00, 0x0A7F),)),
    Source("NotoSansTamil", "NotoSansTamil-Regular.ttf", True, ((0x0B80, 0x0BFF),)),
    Source("DroidSansFallback", "DroidSansFallbackFull.ttf"),
)

TYPING = (
    (0x20, 0x7E),  # Basic Latin
    (0xA0, 0x17F),  # Latin-1 and Latin Extended-A (Polish, Turkish, Czech, Hungarian, Maltese, ...)
    (0x186, 0x186),  # open o (Akan, Ewe)
    (0x18F, 0x190),  # schwa, open e (Azerbaijani; Akan, Ewe)
    (0x199, 0x199),  # k with hook (Hausa)
    (0x1B4, 0x1B4),  # y with hook (Hausa)
    (0x1CD, 0x1DC),  # Pinyin tones
    (0x218, 0x21B),  # Romanian s and t with comma
    (0x253, 0x254),  # b with hook (Hausa, Fula), open o
    (0x257, 0x257),  # d with hook (Hausa, Fula)
    (0x259, 0x25B),  # schwa, open e
    (0x2BB, 0x2BC),  # modifier apostrophes (ʻokina, Uzbek)
    (0x370, 0x3CE),  # Greek
    (0x400, 0x45F),  # Cyrillic: Russian, Ukrainian, Belarusian, Bulgarian, Serbian, Macedonian
    (0x490, 0x491),  # Ukrainian ghe with upturn
    (0x1E62, 0x1E63),  # s with dot below (Yoruba)
    (0x1E80, 0x1E85),  # w with grave, acute, diaeresis (Welsh)
    (0x1EB8, 0x1EB9),  # e with dot below (Yoruba)
    (0x1ECC, 0x1ECD),  # o with dot below (Yoruba)
    (0x1EF2, 0x1EF3),  # y with grave (Welsh); the rest of Latin Extended Additional (Vietnamese) is embedded when used
    (0x2010, 0x2044),  # dashes, quotes, bullets, ellipsis
    (0x20AC, 0x20AC),  # euro
    (0x2116, 0x2116),  # numero
    (0x2190, 0x2193),  # arrows
    (0x25A0, 0x25A1),  # squares
    (0x25CF, 0x25CF),  # bullet
    (0x2610, 0x2612),  # ballot boxes, as the DOCX ticks
    (0x2713, 0x2717),  # ticks and crosses
    (0xFFFD, 0xFFFD),  # drawn for a character no font has
)
"""What a person may type into a fillable field: the main font's glyphs every template keeps."""

_MARKS = ("Mn", "Mc", "Me")
_JOINERS = "\u200c\u200d"


class Face:
    """A font's metrics: each character's glyph id, each glyph's advance (thousandths of an em), its text."""

    def __init__(self, source: Source, data: bytes) -> None:
        tt = TTFont(io.BytesIO(data), lazy=True)
        self.name = source.name
        self.shaped = source.shaped
        self.data = data
        head, hhea = tt["head"], tt["hhea"]
        self.upem = head.unitsPerEm
        scale = 1000 / self.upem
        order = tt.getGlyphOrder()
        metrics = tt["hmtx"].metrics
        self.widths: list[int] = [round(metrics[name][0] * scale) for name in order]
        gids = {name: gid for gid, name in enumerate(order)}
        cmap: dict[int, str] = tt.getBestCmap()
        self.gid: dict[int, int] = {code: gids[name] for code, name in cmap.items()}
        self.text_of: dict[int, str] = {}
        for code, name in sorted(cmap.items(), key=lambda item: (_presentation(item[0]), item[0])):
            text = unicodedata.normalize("NFKC", chr(code)) if _presentation(code) else chr(code)
            self.text_of.setdefault(gids[name], text or chr(code))
        self.ascent = round(hhea.ascent * scale)
        self.descent = round(hhea.descent * scale)
        self.bbox = [round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)]
        self.cap_height = round(tt["OS/2"].sCapHeight * scale) if getattr(tt["OS/2"], "sCapHeight", 0) else 700
        self.codes = {code: _literal(gid) for code, gid in self.gid.items()}

    @cached_property
    def hb_font(self) -> Any:
        import uharfbuzz as hb  # only for text in a shaped script

        return hb.Font(hb.Face(self.data))

    def shape(self, text: str, rtl: bool) -> list[tuple[int, int, int, int, str]]:
        """Glyphs in drawing order: (glyph id, advance, x offset, y offset, text of its cluster), in thousandths."""
        import uharfbuzz as hb

        buffer = hb.Buffer()
        buffer.add_str(text)
        buffer.direction = "rtl" if rtl else "ltr"
        buffer.guess_segment_properties()
        hb.shape(self.hb_font, buffer, {})
        scale = 1000 / self.upem
        clusters = sorted({info.cluster for info in buffer.glyph_infos})
        ends = dict(zip(clusters, [*clusters[1:], len(text)], strict=True))
        out = []
        seen: set[int] = set()
        for info, pos in zip(buffer.glyph_infos, buffer.glyph_positions, strict=True):
            first = info.cluster not in seen
            seen.add(info.cluster)
            cluster = text[info.cluster : ends[info.cluster]] if first else ""
            out.append(
                (
                    info.codepoint,
                    round(pos.x_advance * scale),
                    round(pos.x_offset * scale),
                    round(pos.y_offset * scale),
                    cluster,
                )
            )
        return out


def _literal(gid: int) -> str:
    """A glyph id as the two bytes of a PDF literal string (as latin-1 text), escaped where a string needs it."""
    return "".join(_ESCAPE.get(b, chr(b)) for b in gid.to_bytes(2, "big"))


_ESCAPE = {0x5C: "\\\\", 0x28: "\\(", 0x29: "\\)", 0x0D: "\\r"}


def literal(gids: Iterable[int]) -> bytes:
    """Glyph ids as a PDF literal string of two-byte codes."""
    return b"(" + "".join(map(_literal, gids)).encode("latin-1") + b")"


_PRESENTATION = ((0xFB50, 0xFDFF), (0xFE70, 0xFEFF))


def _presentation(code: int) -> bool:
    return any(low <= code <= high for low, high in _PRESENTATION)


def _sources() -> tuple[Source, ...]:
    named = os.environ.get(FONT_ENV)
    return (*SOURCES, Source("UserFont", named)) if named else SOURCES


@cache
def face(name: str) -> Face:
    """A font by its resource name, read once per process."""
    source = next((s for s in _sources() if s.name == name), None)
    if source is None:
        raise FormError(f"the PDF font {name} is not one pepdocs knows")
    path = Path(source.file) if os.path.isabs(source.file) else FOLDER / source.file
    try:
        return Face(source, path.read_bytes())
    except OSError as error:
        raise FormError(f"the PDF font {source.name} is missing from this installation ({error.strerror})") from error
    except Exception as error:  # a user's font file that is not TrueType
        raise FormError(f"the PDF font named by {FONT_ENV} could not be read as a TrueType font ({error})") from error


def primary() -> Face:
    return face(PRIMARY)


class _Choice(dict[str, Face]):
    """The font each character is drawn in, chosen once per character."""

    def __missing__(self, char: str) -> Face:
        code = ord(char)
        chosen = None
        for source in _sources():
            if any(low <= code <= high for low, high in source.ranges) and code in face(source.name).gid:
                chosen = face(source.name)
                break
        if chosen is None:
            chosen = next((face(s.name) for s in _sources() if code in face(s.name).gid), primary())
        self[char] = chosen
        return chosen


_choice = _Choice()


def face_for(char: str) -> Face:
    """The font a character is drawn in (the main font, drawing U+FFFD, when no font has it)."""
    return _choice[char]


def missing(text: str) -> list[str]:
    """The characters of `text` that no font has (drawn as U+FFFD)."""
    return [
        c for c in text if ord(c) not in face_for(c).gid and unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp")
    ]


# --- what a document draws --------------------------------------------------------------------


@dataclass
class Usage:
    """The glyphs a document draws, by font: simple text as characters, shaped text as glyphs with their text."""

    chars: set[str] = field(default_factory=set)
    glyphs: dict[str, dict[int, str]] = field(default_factory=dict)
    base: frozenset[int] | None = None  # the main font's glyphs the template embeds (None: building a template)


_USAGE: ContextVar[Usage | None] = ContextVar("pepdocs_pdf_usage", default=None)


@contextlib.contextmanager
def collect(base: frozenset[int] | None = None) -> Iterator[Usage]:
    """Record the glyphs drawn inside the block, for embedding the fonts they need."""
    usage = Usage(base=base)
    token = _USAGE.set(usage)
    try:
        yield usage
    finally:
        _USAGE.reset(token)


def current() -> Usage | None:
    return _USAGE.get()


@cache
def typing_gids() -> frozenset[int]:
    gid = primary().gid
    return frozenset(gid[code] for low, high in TYPING for code in range(low, high + 1) if code in gid)


@cache
def typing_glyphs() -> dict[int, str]:
    """The typing set as glyphs with their text, the main font's subset every document shares."""
    main = primary()
    return {gid: main.text_of.get(gid, "") for gid in typing_gids()}


@cache
def latin_chars() -> frozenset[str]:
    """The characters drawn in the one-byte font `LATIN`: those of WinAnsi the typing set has a glyph for (a
    no-break space and a soft hyphen aside, which WinAnsi readers take for a space and a hyphen)."""
    gid, typed = primary().gid, typing_gids()
    out = set()
    for code in range(0x20, 0x2200):
        char = chr(code)
        try:
            byte = char.encode("cp1252")
        except UnicodeEncodeError:
            continue
        if byte[0] >= 0x20 and char not in "\xa0\xad" and gid.get(code) in typed:
            out.add(char)
    return frozenset(out)


@cache
def latin_codes() -> dict[int, str]:
    """Each `latin_chars` character's one-byte code, as PDF literal string text."""
    return {ord(c): _ESCAPE.get(c.encode("cp1252")[0], c.encode("cp1252").decode("latin-1")) for c in latin_chars()}


def needed(usage: Usage) -> dict[str, dict[int, str]]:
    """The glyphs to embed for each font resource a document uses, with the text of each glyph."""
    out: dict[str, dict[int, str]] = {name: dict(glyphs) for name, glyphs in usage.glyphs.items()}
    for char in usage.chars:
        f = face_for(char)
        gid = f.gid.get(ord(char))
        if gid is None:
            continue  # drawn as U+FFFD, recorded as such when drawn
        name = f.name
        if name == PRIMARY and usage.base is not None and gid not in usage.base:
            name = EXTRA
        out.setdefault(name, {}).setdefault(gid, f.text_of.get(gid, char))
    if usage.base is None:
        glyphs = out.setdefault(PRIMARY, {})
        for gid in typing_gids():
            glyphs.setdefault(gid, primary().text_of.get(gid, ""))
    elif PRIMARY in out:
        extra = {gid: text for gid, text in out.pop(PRIMARY).items() if gid not in usage.base}
        if extra:
            out.setdefault(EXTRA, {}).update(extra)
    return out


# --- embedding -----------------------------------------------------------------------------------


_DROP = ["FFTM", "GSUB", "GPOS", "GDEF", "kern", "BASE", "JSTF", "MATH", "DSIG", "hdmx", "LTSH", "VDMX", "morx"]


@lru_cache(maxsize=64)
def program(name: str, gids: frozenset[int]) -> bytes:
    """A font's program cut down to some glyphs, glyph ids kept, hinting and layout tables dropped."""
    options = subset.Options()
    options.retain_gids = True
    options.notdef_outline = True
    options.hinting = False
    options.layout_features = []
    options.drop_tables = [*options.drop_tables, *_DROP]
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6]
    options.name_languages = [0x409]
    options.glyph_names = False
    options.recalc_timestamp = False
    tt = TTFont(io.BytesIO(face(name).data), recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(gids=sorted(gids | {0}))
    subsetter.subset(tt)
    # Glyph ids are kept, so the glyphs cut out stay as empty slots; their advances are given in the PDF's /W
    # where used at all, and zeroed here they compress to almost nothing.
    metrics = tt["hmtx"].metrics
    for gid, name in enumerate(tt.getGlyphOrder()):
        if gid and gid not in gids:
            metrics[name] = (0, 0)
    out = io.BytesIO()
    tt.save(out)
    return out.getvalue()


def _tag(name: str, gids: Iterable[int]) -> str:
    """The six-letter subset tag of a font's embedded name, from its glyphs (the same glyphs give the same tag)."""
    digest = hashlib.sha1(",".join(map(str, sorted(gids))).encode() + name.encode(), usedforsecurity=False).digest()
    return "".join(chr(ord("A") + b % 26) for b in digest[:6])


def _descriptor(f: Face, base_font: str, flags: int, file: Ref) -> dict[str, Any]:
    return {
        "Type": Name("FontDescriptor"),
        "FontName": Name(base_font),
        "Flags": flags,
        "FontBBox": f.bbox,
        "ItalicAngle": 0,
        "Ascent": f.ascent,
        "Descent": f.descent,
        "CapHeight": f.cap_height,
        "StemV": 80,
        "FontFile2": file,
    }


def embed_main(add: Callable[[Any], Ref]) -> tuple[Ref, Ref]:
    """Write the main font cut to the typing set as a Type0 font, and as a one-byte WinAnsi TrueType font
    (`LATIN`) drawing from the same program; return both references."""
    glyphs = typing_glyphs()
    f = primary()
    base_font, file = _file(PRIMARY, glyphs, add)
    type0 = _type0(f, base_font, file, glyphs, add)
    codes = sorted(ord(c.encode("cp1252")) for c in latin_chars())
    first, last = codes[0], codes[-1]
    by_code = {ord(c.encode("cp1252")): c for c in latin_chars()}
    widths = [f.widths[f.gid[ord(by_code[code])]] if code in by_code else 0 for code in range(first, last + 1)]
    simple = add(
        {
            "Type": Name("Font"),
            "Subtype": Name("TrueType"),
            "BaseFont": Name(base_font),
            "FirstChar": first,
            "LastChar": last,
            "Widths": widths,
            "Encoding": Name("WinAnsiEncoding"),
            "FontDescriptor": add(_descriptor(f, base_font, 32, file)),
            "ToUnicode": add(Stream({}, to_unicode_cmap({code: by_code[code] for code in codes}, one_byte=True))),
        }
    )
    return type0, simple


def _file(resource: str, glyphs: dict[int, str], add: Callable[[Any], Ref]) -> tuple[str, Ref]:
    """Write a font's program cut to some glyphs; its subset name and reference."""
    f = face(PRIMARY if resource == EXTRA else resource)
    gids = frozenset(glyphs)
    data = program(f.name, gids)
    return f"{_tag(resource, gids)}+{f.name}", add(Stream({"Length1": len(data)}, data))


def embed(resource: str, glyphs: dict[int, str], add: Callable[[Any], Ref]) -> Ref:
    """Write a Type0 font of a subset (`add` writes an object and returns its reference); return its reference."""
    base_font, file = _file(resource, glyphs, add)
    return _type0(face(PRIMARY if resource == EXTRA else resource), base_font, file, glyphs, add)


def _type0(f: Face, base_font: str, file: Ref, glyphs: dict[int, str], add: Callable[[Any], Ref]) -> Ref:
    descriptor = add(_descriptor(f, base_font, 4, file))
    cid = add(
        {
            "Type": Name("Font"),
            "Subtype": Name("CIDFontType2"),
            "BaseFont": Name(base_font),
            "CIDSystemInfo": {"Registry": "Adobe", "Ordering": "Identity", "Supplement": 0},
            "FontDescriptor": descriptor,
            "DW": f.widths[0],
            "W": _widths(f, sorted(frozenset(glyphs) | {0})),
            "CIDToGIDMap": Name("Identity"),
        }
    )
    to_unicode = add(Stream({}, to_unicode_cmap(glyphs)))
    return add(
        {
            "Type": Name("Font"),
            "Subtype": Name("Type0"),
            "BaseFont": Name(base_font),
            "Encoding": Name("Identity-H"),
            "DescendantFonts": [cid],
            "ToUnicode": to_unicode,
        }
    )


def _widths(f: Face, gids: list[int]) -> list[Any]:
    """The /W array: runs of consecutive glyph ids with their widths."""
    out: list[Any] = []
    run: list[int] = []
    start = -2
    for gid in gids:
        if gid != start + len(run):
            if run:
                out += [start, run]
            start, run = gid, []
        run.append(f.widths[gid])
    if run:
        out += [start, run]
    return out


def to_unicode_cmap(glyphs: dict[int, str], one_byte: bool = False) -> bytes:
    """A ToUnicode CMap from glyph ids (or one-byte codes) to their text; runs of consecutive characters as ranges."""
    runs: list[tuple[int, int, str]] = []  # first glyph, last glyph, text of the first
    for gid, text in sorted((gid, text) for gid, text in glyphs.items() if text):
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
        b"1 begincodespacerange <00> <FF> endcodespacerange"
        if one_byte
        else b"1 begincodespacerange <0000> <FFFF> endcodespacerange",
    ]
    code = b"<%02X>" if one_byte else b"<%04X>"

    def hex_text(text: str) -> bytes:
        return text.encode("utf-16-be").hex().upper().encode()

    for start in range(0, len(singles), 100):
        chunk = singles[start : start + 100]
        out.append(b"%d beginbfchar" % len(chunk))
        out.extend(code % gid + b" <%s>" % hex_text(text) for gid, text in chunk)
        out.append(b"endbfchar")
    for start in range(0, len(ranges), 100):
        block = ranges[start : start + 100]
        out.append(b"%d beginbfrange" % len(block))
        out.extend(code % first + b" " + code % last + b" <%s>" % hex_text(text) for first, last, text in block)
        out.append(b"endbfrange")
    out.append(b"endcmap CMapName currentdict /CMap defineresource pop end end")
    return b"\n".join(out)
