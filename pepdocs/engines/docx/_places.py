"""Where answers go in a Word form pepdocs did not make: finding them, reading them, writing into them.

A place is found again in any copy of the form by its label (the printed words beside, above or before
the answer) and where the answer stands from it: `right` (the next cell), `below` (the cell under it),
`self` (after the label in the same cell or paragraph), `next` (the paragraphs under a question),
`column` (a cell of a matrix row). Inside that region the answer is plain text, a legacy form field
(FORMTEXT, FORMCHECKBOX, FORMDROPDOWN), a content control, or a tick list of box glyphs. Tables with a
header row are found by their headings. Labels are looked for in document order, so a repeated label
("Name") is the one after the previous place.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from pepdocs.engines.docx._read import PROMPTS, W14, W
from pepdocs.forms._match import Spot

_W = f"{{{W}}}"
_W14 = f"{{{W14}}}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

# Box glyphs as typed or inserted from a symbol font, and the ticked glyph of the same family.
TICK_FOR = {"☐": "☒", "□": "■", "▢": "▣", "\uf0a8": "\uf0fe", "\uf06f": "\uf078", "❏": "☒", "◻": "◼"}
TICKED = set(TICK_FOR.values()) | {"☑", "✓", "✔", "☒", "\uf0fd", "\uf0fe", "\uf078"}
BOXES = set(TICK_FOR) | TICKED
SYM_TICK = {"F0A8": "F0FE", "F06F": "F078", "F071": "F0FE"}
SYM_TICKED = {"F0FE", "F0FD", "F078", "F0FC"}
_BRACKETS = re.compile(r"\[\s*([xX✓✔]?)\s*\]")
_MARKER = re.compile(r"_{3,}|\.{5,}|…{2,}")
EMPTY_FIELD = "\u2002"


def _tag(el: Any, name: str) -> bool:
    return bool(el.tag == f"{_W}{name}")


def _integer(text: str | None, default: int) -> int:
    """A whole number a Word attribute gives (a span, a list index); `default` when it gives none."""
    return int(text) if text is not None and re.fullmatch(r"-?[0-9]{1,9}", text) else default


def _glyph(state: Any, value: bool) -> str:
    """The box a content control's tick box shows: its own glyph (a hex code) if XML can hold it, else Word's."""
    text = state.get(f"{_W14}val", "") if state is not None else ""
    code = int(text, 16) if re.fullmatch(r"[0-9A-Fa-f]{1,6}", text) else -1
    usable = code in (9, 10, 13) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF
    return chr(code) if usable else ("☒" if value else "☐")


def _owner(el: Any, name: str) -> Any:
    for ancestor in el.iterancestors(f"{_W}{name}"):
        return ancestor
    return None


def _heading_style(p: Any) -> bool:
    style = p.find(f"{_W}pPr/{_W}pStyle")
    return style is not None and re.match(r"(?i)heading|title", style.get(f"{_W}val", "")) is not None


# --- controls ------------------------------------------------------------------------------------


@dataclass
class Control:
    """A legacy form field or a content control, and the runs or content that hold its answer."""

    kind: str  # formtext, checkbox, dropdown, sdt-text, sdt-date, sdt-drop, sdt-check
    element: Any  # the begin fldChar's ffData, or the w:sdt
    result: list[Any] = field(default_factory=list)  # legacy: runs between separate and end
    end_run: Any = None
    entries: list[str] = field(default_factory=list)
    title: str = ""

    def read(self) -> str | bool:
        if self.kind == "checkbox":
            box = self.element.find(f"{_W}checkBox")
            checked = box.find(f"{_W}checked") if box is not None else None
            if checked is None:
                default = box.find(f"{_W}default") if box is not None else None
                return default is not None and default.get(f"{_W}val", "1") not in ("0", "false")
            return checked.get(f"{_W}val", "1") not in ("0", "false")
        if self.kind == "dropdown":
            result = self.element.find(f"{_W}ddList/{_W}result")
            index = _integer(result.get(f"{_W}val"), 0) if result is not None else 0
            return self.entries[index] if 0 <= index < len(self.entries) else ""
        if self.kind == "sdt-check":
            checked = self.element.find(f"{_W}sdtPr/{_W14}checkbox/{_W14}checked")
            if checked is not None:
                return checked.get(f"{_W14}val") in ("1", "true")
            return any(c in TICKED for c in _plain(self.element.find(f"{_W}sdtContent")))
        if self.kind.startswith("sdt"):
            if self.element.find(f"{_W}sdtPr/{_W}showingPlcHdr") is not None:
                return ""
            content = self.element.find(f"{_W}sdtContent")
            text = "\n".join(_plain(p) for p in _paragraphs_in(content)) if content is not None else ""
            return "" if text.strip().casefold() in PROMPTS else text
        return "".join(_run_text(r) for r in self.result).replace(EMPTY_FIELD, " ").strip(" ")

    def write(self, value: str | bool) -> None:
        if self.kind == "checkbox":
            box = self.element.find(f"{_W}checkBox")
            if box is None:
                return
            checked = box.find(f"{_W}checked")
            if checked is None:
                checked = etree.SubElement(box, f"{_W}checked")
            checked.set(f"{_W}val", "1" if value else "0")
        elif self.kind == "dropdown":
            if value not in self.entries:
                return
            ddlist = self.element.find(f"{_W}ddList")
            result = ddlist.find(f"{_W}result")
            if result is None:
                result = etree.Element(f"{_W}result")
                ddlist.insert(0, result)
            result.set(f"{_W}val", str(self.entries.index(str(value))))
        elif self.kind == "sdt-check":
            pr = self.element.find(f"{_W}sdtPr")
            box = pr.find(f"{_W14}checkbox")
            if box is not None:
                checked = box.find(f"{_W14}checked")
                if checked is None:
                    checked = etree.SubElement(box, f"{_W14}checked")
                checked.set(f"{_W14}val", "1" if value else "0")
                state = box.find(f"{_W14}{'checkedState' if value else 'uncheckedState'}")
                glyph = _glyph(state, bool(value))
            else:
                glyph = "☒" if value else "☐"
            for t in self.element.iter(f"{_W}t"):
                if t.text and any(c in BOXES for c in t.text):
                    t.text = glyph
                    break
        elif self.kind.startswith("sdt"):
            pr = self.element.find(f"{_W}sdtPr")
            shown = pr.find(f"{_W}showingPlcHdr")
            if shown is not None:
                pr.remove(shown)
            if self.kind == "sdt-date":
                date = pr.find(f"{_W}date")
                match = re.fullmatch(r"(\d{2})/(\d{2})/(\d{4})", str(value))
                if date is not None and match:
                    date.set(f"{_W}fullDate", f"{match[3]}-{match[2]}-{match[1]}T00:00:00Z")
            content = self.element.find(f"{_W}sdtContent")
            paragraphs = list(_paragraphs_in(content))
            if paragraphs and content is not None and content.find(f"{_W}p") is not None:
                write_paragraphs(paragraphs, str(value))
            else:
                style = _answer_rpr(list(content.iter(f"{_W}r")) if content is not None else [])
                for child in list(content if content is not None else []):
                    content.remove(child)
                for run in _runs(str(value), style, breaks=True):
                    content.append(run)
        else:
            style = _answer_rpr(self.result)
            parent = self.end_run.getparent()
            for run in self.result:
                run.getparent().remove(run)
            position = parent.index(self.end_run)
            # An emptied field shows Word's five blank spaces, so it stays a place to type in.
            for offset, run in enumerate(_runs(str(value) or EMPTY_FIELD * 5, style, breaks=True)):
                parent.insert(position + offset, run)


def _paragraphs_in(el: Any) -> Iterator[Any]:
    if el is None:
        return
    if _tag(el, "p"):
        yield el
        return
    found = list(el.iter(f"{_W}p"))
    if found:
        yield from found
    else:
        yield el  # run-level content: the runs themselves


def controls(region: list[Any]) -> list[Control]:
    """The form fields and content controls in a region of paragraphs, in reading order."""
    out: list[Control] = []
    seen: set[Any] = set()
    current: Control | None = None
    collecting = False
    for root in region:
        for el in root.iter(f"{_W}sdt", f"{_W}r"):
            if _tag(el, "sdt"):
                if el in seen or any(a in seen for a in el.iterancestors(f"{_W}sdt")):
                    continue
                seen.add(el)
                out.append(_sdt_control(el))
                continue
            if any(a in seen for a in el.iterancestors(f"{_W}sdt")):
                continue
            char = el.find(f"{_W}fldChar")
            kind = char.get(f"{_W}fldCharType") if char is not None else None
            if kind == "begin":
                data = char.find(f"{_W}ffData")
                current = None
                if data is not None:
                    if data.find(f"{_W}checkBox") is not None:
                        current = Control("checkbox", data)
                    elif data.find(f"{_W}ddList") is not None:
                        entries = [e.get(f"{_W}val", "") for e in data.iter(f"{_W}listEntry")]
                        current = Control("dropdown", data, entries=entries)
                    else:
                        current = Control("formtext", data)
                    out.append(current)
                collecting = False
            elif kind == "separate":
                collecting = current is not None
            elif kind == "end":
                if current is not None:
                    current.end_run = el
                current, collecting = None, False
            elif collecting and current is not None:
                current.result.append(el)
    # A text field whose end never comes is no field Word shows: its place is read and written as plain text.
    return [c for c in out if c.kind != "formtext" or c.end_run is not None]


def _sdt_control(sdt: Any) -> Control:
    pr = sdt.find(f"{_W}sdtPr")
    alias = pr.find(f"{_W}alias") if pr is not None else None
    tag = pr.find(f"{_W}tag") if pr is not None else None
    title = (alias.get(f"{_W}val") if alias is not None else "") or (tag.get(f"{_W}val") if tag is not None else "")
    if pr is not None and pr.find(f"{_W14}checkbox") is not None:
        return Control("sdt-check", sdt, title=title or "")
    if pr is not None and (pr.find(f"{_W}dropDownList") is not None or pr.find(f"{_W}comboBox") is not None):
        entries = [i.get(f"{_W}displayText") or i.get(f"{_W}value", "") for i in pr.iter(f"{_W}listItem")]
        return Control("sdt-drop", sdt, entries=entries, title=title or "")
    if pr is not None and pr.find(f"{_W}date") is not None:
        return Control("sdt-date", sdt, title=title or "")
    content = sdt.find(f"{_W}sdtContent")
    if content is not None and content.find(f".//{_W}sdt") is not None:
        # LibreOffice wraps a check box in a second control: the inner one is the answer.
        inner = controls([content])
        if len(inner) == 1:
            return inner[0]
    return Control("sdt-text", sdt, title=title or "")


# --- text --------------------------------------------------------------------------------------


def _run_text(run: Any) -> str:
    out = []
    for el in run:
        if _tag(el, "t"):
            out.append(el.text or "")
        elif _tag(el, "tab"):
            out.append("\t")
        elif _tag(el, "br") or _tag(el, "cr"):
            out.append("\n")
        elif _tag(el, "sym"):
            out.append(_sym_char(el))
    return "".join(out)


def _sym_char(sym: Any) -> str:
    char = sym.get(f"{_W}char", "").upper()
    return chr(int(char, 16)) if re.fullmatch(r"[0-9A-F]{4}", char) else ""


def _plain(el: Any) -> str:
    """The text of a paragraph or run container, deleted text left out."""
    if el is None:
        return ""
    return "".join(_run_text(r) for r in el.iter(f"{_W}r") if _owner(r, "del") is None)


def _outside_controls(p: Any) -> str:
    """A paragraph's printed words: its text outside form fields and content controls, each control as NUL."""
    out = []
    inside = False
    skip: set[Any] = set()
    for el in p.iter(f"{_W}r", f"{_W}sdt"):
        if skip and any(a in skip for a in el.iterancestors(f"{_W}sdt")):
            continue
        if _tag(el, "sdt"):
            skip.add(el)
            out.append("\x00")
            continue
        char = el.find(f"{_W}fldChar")
        if char is not None:
            kind = char.get(f"{_W}fldCharType")
            if kind == "begin" and char.find(f"{_W}ffData") is not None:
                inside = True
                out.append("\x00")
            elif kind == "end":
                inside = False
            continue
        if not inside and el.find(f"{_W}instrText") is None and _owner(el, "del") is None:
            out.append(_run_text(el))
    return "".join(out)


def label_of(text: str) -> str:
    """The label part of a printed text: before a colon, a control, a box or a writing line."""
    cut = len(text)
    for pattern in (r"\x00", r"[" + "".join(BOXES) + r"]", r"\[\s*[xX✓✔]?\s*\]", _MARKER.pattern, r"\t"):
        match = re.search(pattern, text)
        if match:
            cut = min(cut, match.start())
    head = text[:cut]
    if ":" in head:
        head = head.split(":", 1)[0]
    return " ".join(head.split()).rstrip(" :")


def key(text: str) -> str:
    """A label as found again: case, spacing and punctuation ignored."""
    return re.sub(r"[^\w]+", " ", label_of(text).casefold()).strip()


# --- units: cells and paragraphs in reading order ----------------------------------------------


@dataclass
class Unit:
    """A top-level table cell or a paragraph outside tables, in reading order."""

    element: Any
    index: int
    table: int = -1
    row: int = -1
    column: int = -1
    grid: int = 0  # first grid column the cell covers
    span: int = 1

    @property
    def is_cell(self) -> bool:
        return self.table >= 0

    def paragraphs(self) -> list[Any]:
        if not self.is_cell:
            return [self.element]
        return [p for p in self.element.iter(f"{_W}p") if _owner(p, "tc") is self.element]

    def printed(self) -> str:
        return "\n".join(_outside_controls(p) for p in self.paragraphs())

    def text(self) -> str:
        text = "\n".join(_plain(p) for p in self.paragraphs())
        return "" if text.strip().casefold() in PROMPTS else text

    def key(self) -> str:
        return key(self.printed())

    def empty(self) -> bool:
        """Whether the unit holds nothing printed: blank, a writing line, prompts or only empty controls."""
        printed = self.printed().replace("\x00", "")
        return not _MARKER.sub("", printed).strip() or printed.strip().casefold() in PROMPTS


class Layout:
    """The units of one document body, and its tables as rows of cell units."""

    def __init__(self, body: Any) -> None:
        self.body = body
        self.units: list[Unit] = []
        self.tables: list[list[list[Unit]]] = []
        self._headings: list[str] | None = None
        for child in body:
            if _tag(child, "p"):
                self.units.append(Unit(child, len(self.units)))
            elif _tag(child, "tbl"):
                self._table(child)
            elif _tag(child, "sdt"):
                for p in child.iter(f"{_W}p"):
                    if _owner(p, "tbl") is None:
                        self.units.append(Unit(p, len(self.units)))

    def _table(self, tbl: Any) -> None:
        number = len(self.tables)
        rows: list[list[Unit]] = []
        for tr in (tr for tr in tbl.iter(f"{_W}tr") if _owner(tr, "tbl") is tbl):
            cells = []
            grid = 0
            for c, tc in enumerate(tc for tc in tr.iter(f"{_W}tc") if _owner(tc, "tr") is tr):
                span_el = tc.find(f"{_W}tcPr/{_W}gridSpan")
                span = max(1, _integer(span_el.get(f"{_W}val"), 1)) if span_el is not None else 1
                unit = Unit(tc, len(self.units), number, len(rows), c, grid, span)
                self.units.append(unit)
                cells.append(unit)
                grid += span
            if cells:  # a row without cells holds nothing and has no first cell to stand for it
                rows.append(cells)
        self.tables.append(rows)

    def row_of(self, unit: Unit) -> list[Unit]:
        return self.tables[unit.table][unit.row]

    def right(self, unit: Unit) -> Unit | None:
        row = self.row_of(unit)
        return row[unit.column + 1] if unit.column + 1 < len(row) else None

    def below(self, unit: Unit) -> Unit | None:
        table = self.tables[unit.table]
        if unit.row + 1 >= len(table):
            return None
        for cell in table[unit.row + 1]:
            if cell.grid <= unit.grid < cell.grid + cell.span:
                return cell
        return None

    def following(self, unit: Unit, stops: frozenset[str] | None = None) -> list[Unit]:
        """The paragraphs under a question: the empty ones after it in a blank form; with `stops` (the labels
        of the form's places), everything up to the next of them, a heading or a table in a completed one."""
        out: list[Unit] = []
        for other in self.units[unit.index + 1 :]:
            if other.is_cell or _heading_style(other.element):
                break
            if stops is None:
                if not other.empty():
                    break
            elif other.key() in stops and not other.empty():
                break
            out.append(other)
        return out

    def heading_before(self, unit: Unit) -> str:
        """The nearest heading above a unit: a heading paragraph, or a table row of one merged cell."""
        if self._headings is None:
            # Every unit's, found in one pass down the document: not a pass up it for each of a thousand rows.
            self._headings, last = [], ""
            for other in self.units:
                self._headings.append(last)
                last = self._heading(other) or last
        return self._headings[unit.index]

    def _heading(self, unit: Unit) -> str:
        """The unit's words if it is a heading, else ""."""
        if unit.is_cell:
            row = self.row_of(unit)
            return unit.text().strip() if len(row) == 1 and row[0].span > 1 and not unit.empty() else ""
        text = unit.text().strip()
        if text and (_heading_style(unit.element) or (_bold(unit.element) and not text.endswith(("?", ":")))):
            return text
        return ""


def _bold(p: Any) -> bool:
    runs = [r for r in p.iter(f"{_W}r") if _run_text(r).strip()]
    return bool(runs) and all(r.find(f"{_W}rPr/{_W}b") is not None for r in runs)


# --- tick lists ----------------------------------------------------------------------------------


@dataclass
class _Box:
    """One tick box in a region: where its glyph is, and the words after it."""

    node: Any  # a w:t, or a w:sym
    offset: int
    glyph: str
    words: str = ""
    bracket: bool = False


def boxes(region: list[Any]) -> list[_Box]:
    """The tick boxes of a region of paragraphs, each with the option words that follow it."""
    found: list[_Box] = []
    pieces: list[tuple[Any, str]] = []
    for root in region:
        for r in root.iter(f"{_W}r"):
            for el in r:
                if _tag(el, "t"):
                    pieces.append((el, el.text or ""))
                elif _tag(el, "sym"):
                    pieces.append((el, _sym_char(el)))
                elif _tag(el, "tab"):
                    pieces.append((None, "\t"))
        pieces.append((None, "\n"))
    text = "".join(t for _, t in pieces)
    starts = []
    position = 0
    for node, t in pieces:
        starts.append((position, node, t))
        position += len(t)

    def at(index: int) -> tuple[Any, int]:
        for start, node, _text in reversed(starts):
            if start <= index and node is not None:
                return node, index - start
        return None, 0

    marks = [(m.start(), m.end(), m[0], False) for m in re.finditer("[" + re.escape("".join(BOXES)) + "]", text)]
    marks += [(m.start(), m.end(), m[0], True) for m in _BRACKETS.finditer(text)]
    marks.sort()
    for i, (start, end, glyph, bracket) in enumerate(marks):
        stop = marks[i + 1][0] if i + 1 < len(marks) else len(text)
        words = re.split(r"[\t\n]|\s{2,}", text[end:stop].strip())[0].strip(" :;,/")
        node, offset = at(start + (1 if bracket else 0))
        if node is not None:
            found.append(_Box(node, offset, glyph, words, bracket))
    return found


def box_ticked(box: _Box) -> bool:
    if box.bracket:
        return bool(_BRACKETS.fullmatch(box.glyph) and _BRACKETS.fullmatch(box.glyph)[1])  # type: ignore[index]
    if _tag(box.node, "sym"):
        return box.node.get(f"{_W}char", "").upper() in SYM_TICKED
    return box.glyph in TICKED


def tick(box: _Box, on: bool) -> None:
    """Tick or clear a box the document's own way: the ticked glyph of the same family."""
    if _tag(box.node, "sym"):
        char = box.node.get(f"{_W}char", "").upper()
        if on and char in SYM_TICK:
            box.node.set(f"{_W}char", SYM_TICK[char])
        elif not on:
            back = {v: k for k, v in SYM_TICK.items()}
            box.node.set(f"{_W}char", back.get(char, char))
        return
    text = box.node.text or ""
    if box.bracket:
        # The glyph offset points inside the brackets: a space (or a mark) becomes X, or goes back.
        inner = text[box.offset] if box.offset < len(text) else ""
        if inner in " xX✓✔":
            box.node.text = text[: box.offset] + ("X" if on else " ") + text[box.offset + 1 :]
            box.node.set(XML_SPACE, "preserve")
        return
    glyph = text[box.offset]
    unticked = {v: k for k, v in TICK_FOR.items()}
    new = TICK_FOR.get(glyph, glyph) if on else unticked.get(glyph, glyph)
    box.node.text = text[: box.offset] + new + text[box.offset + 1 :]


# --- writing plain text in the document's own style ---------------------------------------------


def _answer_rpr(runs: list[Any]) -> Any:
    """Run properties for an answer: the first styled run's, without placeholder styling, underline or bold."""
    for run in runs:
        rpr = run.find(f"{_W}rPr")
        if rpr is not None:
            rpr = copy.deepcopy(rpr)
            for name in ("rStyle", "color", "u", "b", "bCs", "noProof", "vanish"):
                for el in rpr.findall(f"{_W}{name}"):
                    if name != "rStyle" or "placeholder" in el.get(f"{_W}val", "").casefold():
                        rpr.remove(el)
            return rpr
    return None


def _runs(text: str, rpr: Any, breaks: bool = False) -> list[Any]:
    """Runs writing `text`: tabs as w:tab, and (with `breaks`) line breaks as w:br."""
    runs = []
    for number, line in enumerate(text.split("\n")):
        run = etree.Element(f"{_W}r")
        if rpr is not None:
            run.append(copy.deepcopy(rpr))
        if number:
            if not breaks:
                continue
            etree.SubElement(run, f"{_W}br")
        for i, piece in enumerate(line.split("\t")):
            if i:
                etree.SubElement(run, f"{_W}tab")
            if piece:
                t = etree.SubElement(run, f"{_W}t")
                t.text = piece
                if piece != piece.strip():
                    t.set(XML_SPACE, "preserve")
        runs.append(run)
    return runs


def _mark_rpr(p: Any) -> Any:
    """The paragraph mark's run properties as run properties: the style an empty paragraph types in."""
    mark = p.find(f"{_W}pPr/{_W}rPr")
    if mark is None:
        return _answer_rpr(list(p.iter(f"{_W}r")))
    rpr = etree.Element(f"{_W}rPr")
    for child in mark:
        if child.tag not in (f"{_W}ins", f"{_W}del", f"{_W}moveFrom", f"{_W}moveTo"):
            rpr.append(copy.deepcopy(child))
    return rpr if len(rpr) else None


def write_paragraphs(paragraphs: list[Any], text: str) -> None:
    """Replace what paragraphs hold with `text`, a paragraph per line, in the first paragraph's style."""
    first = paragraphs[0]
    rpr = _mark_rpr(first) if _tag(first, "p") else None
    for p in paragraphs[1:]:
        p.getparent().remove(p)
    for child in list(first):
        if not _tag(child, "pPr"):
            first.remove(child)
    shell = copy.deepcopy(first)
    anchor = first
    for number, line in enumerate(text.split("\n")):
        p = first if number == 0 else copy.deepcopy(shell)
        if number:
            anchor.addnext(p)
            anchor = p
        for run in _runs(line, rpr):
            p.append(run)


def write_unit(unit: Unit, text: str) -> None:
    """Write an answer into an empty cell or paragraph, in the style its paragraph mark carries."""
    write_paragraphs(unit.paragraphs(), text)


def write_after_label(unit: Unit, text: str) -> tuple[str, str]:
    """Write an answer after `Label:` in a paragraph, over its writing line or tab; keeps any words after it."""
    p = next((p for p in unit.paragraphs() if ":" in _plain(p) or "\t" in _plain(p)), unit.paragraphs()[0])
    nodes = [el for r in p.iter(f"{_W}r") for el in r if _tag(el, "t") or _tag(el, "tab")]
    full = "".join((n.text or "") if _tag(n, "t") else "\t" for n in nodes)
    colon = full.find(":")
    start = colon + 1 if colon >= 0 else len(label_of(full))
    rest = full[start:]
    line = _MARKER.search(rest)
    tab = rest.find("\t")
    if line is not None and (tab < 0 or line.start() < tab):
        span = (start + line.start(), start + line.end())
    elif tab >= 0:
        span = (start + tab, start + len(rest) - len(rest[tab:].lstrip("\t")))
    else:
        span = (start + len(rest) - len(rest.lstrip()), start + len(rest.rstrip()) or start + len(rest))
    before_rest = full[start : span[0]]
    suffix = full[span[1] :].strip()
    written = False
    position = 0
    for node in nodes:
        length = len(node.text or "") if _tag(node, "t") else 1
        lo, hi = position, position + length
        position = hi
        if hi <= span[0] or lo >= span[1]:
            continue
        if _tag(node, "tab"):
            run = node.getparent()
            if not written:
                node.addprevious(_text_el(" " + text if not before_rest.endswith(" ") else text))
                written = True
            run.remove(node)
            continue
        old = node.text or ""
        keep_before = old[: max(0, span[0] - lo)]
        keep_after = old[max(0, span[1] - lo) :] if span[1] < hi else ""
        middle = ""
        if not written:
            middle = text if (before_rest.endswith(" ") or keep_before.endswith(" ")) else " " + text
            written = True
        node.text = keep_before + middle + keep_after
        node.set(XML_SPACE, "preserve")
        rpr = node.getparent().find(f"{_W}rPr")
        if rpr is not None:
            for u in rpr.findall(f"{_W}u"):
                rpr.remove(u)
    if not written:
        for run in _runs(" " + text, _answer_rpr(list(p.iter(f"{_W}r")))):
            p.append(run)
    return before_rest, suffix


def _text_el(text: str) -> Any:
    t = etree.Element(f"{_W}t")
    t.text = text
    t.set(XML_SPACE, "preserve")
    return t


def read_after_label(unit: Unit, suffix: str = "") -> str:
    """The answer after `Label:` in a paragraph: its writing line and a printed suffix ("%") left out."""
    for p in unit.paragraphs():
        text = _plain(p)
        if ":" in text or "\t" in text:
            colon = text.find(":")
            rest = text[colon + 1 :] if colon >= 0 else text[len(label_of(text)) :]
            rest = _MARKER.sub("", rest).replace("\t", " ").strip()
            if suffix and rest.endswith(suffix):
                rest = rest[: -len(suffix)].strip()
            return rest
    return ""


# --- finding the places of a blank or completed form -----------------------------------------------

CHOICE_CONTROLS = ("checkbox", "dropdown", "sdt-check", "sdt-drop", "ticks")
_INLINE = re.compile(r":[ \t]*(?:_{3,}|\.{5,}|\t)|:[ \t]*$")


def _answer_like(unit: Unit | None) -> bool:
    """Whether a cell is where an answer goes: empty, a control, or a tick list with no label of its own."""
    if unit is None:
        return False
    if unit.empty():
        return True
    return len(boxes(unit.paragraphs())) >= 2 and not label_of(unit.printed())


def _control_of(region: list[Any]) -> tuple[str, list[str], str]:
    """What holds the answer in a region: a control's kind, a tick list, or text; options; control title."""
    found = controls(region)
    if found:
        return found[0].kind, [e for e in found[0].entries if not blank_entry(e)], found[0].title
    ticks = boxes(region)
    if len(ticks) >= 2:
        return "ticks", [b.words for b in ticks], ""
    return "text", [], ""


def blank_entry(entry: str) -> bool:
    """Whether a drop-down entry is its "no answer" entry: blank, "Please select", "Choose an item"."""
    return (
        not entry.strip()
        or re.fullmatch(r"(?i)\W*(please )?(select|choose)( an? (item|option))?\W*", entry.strip()) is not None
    )


def _spot(label: str, place: dict[str, Any], region: list[Any], heading: str) -> Spot:
    control, options, title = _control_of(region)
    place = {**place, "control": control}
    if title:
        place["title"] = title
    return Spot(label, place, label, control, options, heading, section=heading)


def find_places(layout: Layout) -> list[Spot]:
    """Every place an answer goes in a document, in reading order."""
    spots: list[Spot] = []
    used: set[int] = set()
    done_tables: set[int] = set()
    for unit in layout.units:
        if unit.index in used:
            continue
        if unit.is_cell:
            if unit.table not in done_tables:
                done_tables.add(unit.table)
                spots.extend(_table_places(layout, unit.table, used))
            continue
        spots.extend(_paragraph_places(layout, unit, used))
    return spots


def _paragraph_places(layout: Layout, unit: Unit, used: set[int]) -> list[Spot]:
    printed = unit.printed()
    label = label_of(printed)
    region = unit.paragraphs()
    if _heading_style(unit.element) or not printed.strip(" \x00"):
        return []
    heading = layout.heading_before(unit)
    has_control = "\x00" in printed or len(boxes(region)) >= 2
    if label and has_control:
        used.add(unit.index)
        return [_spot(label, {"label": label, "at": "self"}, region, heading)]
    following = layout.following(unit)
    question = printed.rstrip().endswith(("?", ":")) or _bold(unit.element)
    if label and following and len(printed) < 300 and question and not re.search(r":[ \t]*(_{3,}|\.{5,}|\t)", printed):
        used.add(unit.index)
        used.update(o.index for o in following)
        region = [p for o in following for p in o.paragraphs()]
        return [_spot(_whole(printed), {"label": _whole(printed), "at": "next"}, region, heading)]
    if label and _INLINE.search(printed.split("\n")[0]):
        used.add(unit.index)
        spot = _spot(label, {"label": label, "at": "self"}, region, heading)
        after = _MARKER.sub("\x01", printed.split(":", 1)[1]).split("\x01")
        suffix = after[-1].strip() if len(after) > 1 else ""
        if suffix:
            spot.place["suffix"] = suffix
        return [spot]
    return []


def _table_places(layout: Layout, number: int, used: set[int]) -> list[Spot]:
    rows = layout.tables[number]
    spots: list[Spot] = []
    # How many rows from each on are rows of answers of its shape, counted once: a table a school has given
    # a thousand rows is looked through once, not once for each row.
    answers = [0] * (len(rows) + 1)
    for i in range(len(rows) - 1, -1, -1):
        if all(_answer_like(c) for c in rows[i]):
            answers[i] = 1 + (answers[i + 1] if i + 1 < len(rows) and len(rows[i + 1]) == len(rows[i]) else 0)
    r = 0
    while r < len(rows):
        row = rows[r]
        same = r + 1 < len(rows) and len(rows[r + 1]) == len(row)
        data = rows[r + 1 : r + 1 + answers[r + 1]] if same else []
        printed = [c.printed() for c in row]
        plain = all(
            not c.empty() and "\x00" not in p and len(boxes(c.paragraphs())) < 2
            for c, p in zip(row, printed, strict=True)
        )
        heading = _table_heading(layout, rows, r)
        if len(row) >= 2 and plain and data:
            headers = [label_of(p) or p.strip() for p in printed]
            spot = Spot(
                headers[0],
                {"headers": headers},
                headers[0],
                "table",
                heading=heading,
                headers=headers,
                columns=[{"column": i, **_column_control(layout, data, i)} for i in range(len(row))],
                keys=headers,
                rows=len(data),
                section=heading,
                below=[
                    {"label": h, "at": "below", "control": _control_of(data[0][i].paragraphs())[0]}
                    for i, h in enumerate(headers)
                ],
            )
            spots.append(spot)
            used.update(c.index for other in [row, *data] for c in other)
            r += 1 + len(data)
            continue
        if len(row) >= 3 and row[0].empty() and all(not c.empty() for c in row[1:]):
            matrix = []
            for other in rows[r + 1 :]:
                if len(other) != len(row) or other[0].empty() or not all(_answer_like(c) for c in other[1:]):
                    break
                matrix.append(other)
            if matrix:
                headers = [label_of(c.printed()) for c in row]
                for other in matrix:
                    name = label_of(other[0].printed())
                    for i in range(1, len(row)):
                        region = other[i].paragraphs()
                        spot = _spot(
                            f"{name} {headers[i]}", {"label": name, "at": "column", "column": i}, region, heading
                        )
                        spot.place["header"] = headers[i]
                        spot.heading = name
                        spot.section = heading
                        spots.append(spot)
                used.update(c.index for other in [row, *matrix] for c in other)
                r += 1 + len(matrix)
                continue
        for cell in row:
            if cell.index in used or cell.empty():
                continue
            found = _cell_place(layout, cell, used, heading)
            if found is not None:
                spots.append(found)
        r += 1
    return spots


def _column_control(layout: Layout, data: list[list[Unit]], i: int) -> dict[str, Any]:
    control, options, _title = _control_of(data[0][i].paragraphs())
    if control == "text":
        return {}
    return {"control": control, "options": options} if options else {"control": control}


def _whole(printed: str) -> str:
    """A label cell's or question's words in full, on one line: all of it names the answer."""
    return " ".join(printed.replace("\x00", " ").split()).rstrip(" :")


def _table_heading(layout: Layout, rows: list[list[Unit]], r: int) -> str:
    for above in reversed(rows[:r]):
        if len(above) == 1 and above[0].span > 1 and not above[0].empty():
            return above[0].text().strip()
        if len(above) > 1:
            break
    return layout.heading_before(rows[r][0])


def _cell_place(layout: Layout, cell: Unit, used: set[int], heading: str) -> Spot | None:
    printed = cell.printed()
    label = label_of(printed)
    if not label:
        return None
    region = cell.paragraphs()
    if "\x00" in printed or len(boxes(region)) >= 2 or _INLINE.search(printed.split("\n")[0]):
        used.add(cell.index)
        return _spot(label, {"label": label, "at": "self"}, region, heading)
    label = _whole(printed)
    right = layout.right(cell)
    if right is not None and right.index not in used and _answer_like(right):
        used.update((cell.index, right.index))
        return _spot(label, {"label": label, "at": "right"}, right.paragraphs(), heading)
    below = layout.below(cell)
    if below is not None and below.index not in used and _answer_like(below):
        used.update((cell.index, below.index))
        return _spot(label, {"label": label, "at": "below"}, below.paragraphs(), heading)
    return None
