"""A council's own Word form: its places found, answers written into the original, completed copies read back.

Only `word/document.xml` is rewritten; every other part of the package is copied as it was, and in the
document itself only the places answered change.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from pepdocs._errors import DocumentError
from pepdocs._util.memo import per_object
from pepdocs.engines._engine import council_template
from pepdocs.engines.docx._places import (
    CHOICE_CONTROLS,
    Control,
    Layout,
    Unit,
    blank_entry,
    box_ticked,
    boxes,
    controls,
    find_places,
    key,
    read_after_label,
    tick,
    write_after_label,
    write_paragraphs,
    write_unit,
)
from pepdocs.engines.docx._properties import scrubbed_part
from pepdocs.engines.docx._read import W, open_package, read_docx, read_limited, read_package, safe_xml
from pepdocs.forms._answers import Answers
from pepdocs.forms._assemble import Found, Unmapped
from pepdocs.forms._match import Spot, choice_words, chosen_values
from pepdocs.forms._spec import Block, Field, Form, list_forms

_W = f"{{{W}}}"


def _body(root: Any, file: str) -> Any:
    body = root.find(f"{_W}body")
    if body is None:
        raise DocumentError("word/document.xml has no body", file)
    return body


def spots_of_docx(data: bytes, file: str) -> tuple[str, list[Spot]]:
    """The title (its first line of text) and every place an answer goes in a Word form."""
    # Read as each completed copy will be (its limits, properties, macros), so a form whose copies pepdocs could
    # not read back is refused when it is onboarded; and every part, as each is copied into each copy.
    layout = Layout(read_docx(data, file).body)
    _whole_package(data, file)
    title = next((u.text().strip() for u in layout.units if not u.is_cell and u.text().strip()), "")
    return title, find_places(layout)


# --- finding a spec's places in a document ---------------------------------------------------------


@dataclass
class _Finder:
    """Finds places in reading order: each label is looked for after the previous place, never twice."""

    layout: Layout
    stops: frozenset[str]
    cursor: int = 0
    used: set[int] = field(default_factory=set)
    unread: set[int] = field(default_factory=set)
    """Cells of a found table's rows in columns the spec does not read."""
    last: Unit | None = None

    def anchor(self, label: str, again: bool = False) -> Unit | None:
        """The next unit with this label; with `again`, the last one found if it has it (a matrix row's label)."""
        wanted = key(label)
        units = self.layout.units
        if again and self.last is not None and self.last.key() == wanted:
            return self.last
        found = self._anchor(wanted, units)
        self.last = found
        return found

    def _anchor(self, wanted: str, units: list[Unit]) -> Unit | None:
        for unit in [*units[self.cursor :], *units[: self.cursor]]:
            if unit.index not in self.used and unit.key() == wanted:
                self.used.add(unit.index)
                self.cursor = unit.index + 1
                return unit
        return None

    def header(self, headers: list[str]) -> list[Unit] | None:
        wanted = [key(h) for h in headers]
        best: tuple[float, list[Unit] | None] = (0.0, None)
        for table in self.layout.tables:
            for row in table:
                if any(c.index in self.used for c in row):
                    continue
                keys = [c.key() for c in row]
                hits = sum(1 for w in wanted if w and w in keys)
                score = hits / max(1, len([w for w in wanted if w])) - (0.001 if row[0].index < self.cursor else 0.0)
                if score >= 0.6 and score > best[0]:
                    best = (score, row)
        found = best[1]
        if found is not None:
            self.used.update(c.index for c in found)
            self.cursor = found[0].index + 1
        return found

    def region(self, place: dict[str, Any]) -> tuple[Unit | None, list[Unit]]:
        """The anchor of a field's place and the units its answer is in."""
        anchor = self.anchor(str(place.get("label", "")), again=place.get("at") == "column")
        if anchor is None:
            return None, []
        at = place.get("at")
        target: Unit | None
        if at == "self":
            return anchor, [anchor]
        if at == "next":
            found = self.layout.following(anchor, self.stops)
            self.used.update(u.index for u in found)
            return anchor, found
        if not anchor.is_cell:
            return anchor, []
        if at == "right":
            target = self.layout.right(anchor)
        elif at == "below":
            target = self.layout.below(anchor)
        elif at == "column":
            row = self.layout.row_of(anchor)
            column = int(place.get("column", 0))
            target = row[column] if column < len(row) else None
        else:
            target = None
        if target is None:
            return anchor, []
        self.used.add(target.index)
        return anchor, [target]

    def rows(self, header: list[Unit]) -> list[list[Unit]]:
        """The rows under a table's header row, up to a row of another shape."""
        table = self.layout.tables[header[0].table]
        out = []
        for row in table[header[0].row + 1 :]:
            if len(row) != len(header):
                break
            out.append(row)
        self.used.update(c.index for row in out for c in row)
        return out


def _paragraphs(units: list[Unit]) -> list[Any]:
    return [p for u in units for p in u.paragraphs()]


def _first_control(units: list[Unit], kind: str) -> Control | None:
    found = controls(_paragraphs(units))
    for control in found:
        if control.kind == kind:
            return control
    return found[0] if found else None


# --- values and choices -------------------------------------------------------------------------


def _option(words: str) -> str:
    """An option's words as compared: case, spacing and punctuation ignored."""
    return re.sub(r"[^\w]+", " ", words.casefold()).strip()


def _choices(place: dict[str, Any]) -> dict[str, str]:
    return {_option(option): str(value) for option, value in dict(place.get("choices", {})).items()}


# --- writing ------------------------------------------------------------------------------------


def _write_field(finder: _Finder, f: Field, text: str, value: Any) -> None:
    _anchor, units = finder.region(f.place)
    if units:
        _write_region(units, f.place, text, value)


def _write_region(units: list[Unit], place: dict[str, Any], text: str, value: Any) -> None:
    """Write one answer into its units: tick its boxes, set its control, or type its text."""
    if value in (None, [], "") and not text:
        return  # nothing to answer: the place stays exactly as the council left it
    control = str(place.get("control", "text"))
    if control in CHOICE_CONTROLS:
        chosen = chosen_values(value)
        choices = _choices(place)
        if control == "ticks":
            for box in boxes(_paragraphs(units)):
                tick(box, choices.get(_option(box.words)) in chosen)
            return
        found = _first_control(units, control)
        if found is None:
            return
        if control in ("checkbox", "sdt-check"):
            found.write(value is True)
        else:
            entry = next((e for e in found.entries if choices.get(_option(e)) in chosen), None)
            if entry is not None and found.kind == "dropdown":
                found.write(entry)
            elif found.kind == "sdt-drop":
                found.write(entry or "")
        return
    if control != "text":
        control_found = _first_control(units, control)
        if control_found is not None:
            control_found.write(text)
            return
    if place.get("at") == "self":
        write_after_label(units[0], text)
    elif text:
        target = units[0] if place.get("at") != "next" else next((u for u in units if u.empty()), units[0])
        write_unit(target, text)


def _write_table(finder: _Finder, block: Block, rows: list[dict[str, str]], items: list[dict[str, Any]]) -> None:
    header = finder.header(list(block.place.get("headers", [])))
    if header is None:
        return
    data = finder.rows(header)
    if not data:
        return
    wanted = [(r, i) for r, i in zip(rows, items, strict=False) if any(v not in (None, "", []) for v in i.values())]
    last = data[-1][0].element.getparent()
    while len(data) < len(wanted):
        fresh = _blank_row(last)
        last.addnext(fresh)
        last = fresh
        layout = Layout(finder.layout.body)
        finder.layout = layout
        table = layout.tables[header[0].table]
        data = table[header[0].row + 1 : header[0].row + 1 + len(data) + 1]
    for row, (values, raw) in zip(data, wanted, strict=False):
        for column in block.columns:
            position = int(column.place.get("column", -1))
            if 0 <= position < len(row):
                _write_region([row[position]], column.place, values.get(column.id, ""), raw.get(column.id))


def _blank_row(tr: Any) -> Any:
    """A copy of a table row with its answers taken out: boxes cleared, controls emptied, text cleared."""
    fresh = copy.deepcopy(tr)
    for tc in fresh.iter(f"{_W}tc"):
        found = controls([tc])
        ticks = boxes([tc])
        if len(ticks) >= 2:
            for box in ticks:
                tick(box, False)
        elif found:
            for control in found:
                if control.kind not in ("checkbox", "dropdown", "sdt-check", "sdt-drop"):
                    control.write("")
        else:
            paragraphs = list(tc.iter(f"{_W}p"))
            if paragraphs:
                write_paragraphs(paragraphs, "")
    return fresh


def _stops(form: Form) -> frozenset[str]:
    return frozenset(key(str(f.place.get("label", ""))) for f in form.fields() if f.place.get("label"))


def render_original(form: Form, answers: Answers) -> bytes:
    """The council's own document with the answers written where a person would type them."""
    template = council_template(form)
    parts, infos = _whole_package(template, form.template)
    names = list(parts)
    root = safe_xml(parts["word/document.xml"], form.template, "word/document.xml")
    finder = _Finder(Layout(_body(root, form.template)), _stops(form))
    for section, block in form.blocks():
        # A place not shown (another section, another audience) is still found, so later labels are found after it.
        shown = answers.show.get(section.id, True) and answers.show.get(block.id, True)
        if block.kind == "table":
            rows = answers.tables.get(block.id, []) if shown else []
            _write_table(finder, block, rows, answers.raw_tables.get(block.id, []) if shown else [])
            continue
        for f in block.fields:
            if shown and answers.show.get(f.id, True):
                _write_field(finder, f, answers.values.get(f.id, ""), answers.raw.get(f.id))
            else:
                finder.region(f.place)
    parts["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name in names:
            info = infos[name]
            info.compress_type = zipfile.ZIP_DEFLATED
            # The council's author and company are not ours to pass on.
            package.writestr(info, scrubbed_part(name, parts[name], form.title, form.authority))
    return out.getvalue()


def _whole_package(data: bytes, file: str) -> tuple[dict[str, bytes], dict[str, zipfile.ZipInfo]]:
    """Every part of a Word package, each within the size limit, and how each was stored."""
    with open_package(data, file) as package:
        infos = package.infolist()
        return {i.filename: read_limited(package, i.filename, file) for i in infos}, {i.filename: i for i in infos}


# --- reading ------------------------------------------------------------------------------------


def _read_field(finder: _Finder, f: Field, found: Found) -> None:
    _anchor, units = finder.region(f.place)
    if units:
        text = _read_region(units, f, found)
        if text is not None:
            found.values[f.id] = text


def _read_region(units: list[Unit], f: Field, found: Found) -> str | None:
    """The text of one answer as its codec reads it: ticked options and chosen entries as their codes' words."""
    place = f.place
    control = str(place.get("control", "text"))
    if control in CHOICE_CONTROLS:
        choices = _choices(place)
        if control == "ticks":
            ticked = [b.words for b in boxes(_paragraphs(units)) if box_ticked(b)]
        else:
            control_found = _first_control(units, control)
            if control_found is None:
                return "\n".join(u.text() for u in units).strip()
            value = control_found.read()
            if isinstance(value, bool):
                return "Yes" if value else ""
            ticked = [value] if value and not blank_entry(value) else []
        values = []
        for word in ticked:
            if _option(word) in choices:
                values.append(choices[_option(word)])
            else:
                found.unmapped.append(Unmapped(f.label, word, where="an option with no code in the form's spec"))
        return choice_words(f.slot, values)
    if control != "text":
        control_found = _first_control(units, control)
        if control_found is not None:
            return str(control_found.read())
    if place.get("at") == "self":
        return read_after_label(units[0], str(place.get("suffix", "")))
    return "\n".join(u.text() for u in units if u.text().strip()).strip("\n")


def _read_table(finder: _Finder, block: Block, found: Found) -> None:
    header = finder.header(list(block.place.get("headers", [])))
    if header is None:
        return
    keys = [c.key() for c in header]
    positions = {}
    for column in block.columns:
        printed = key(column.label)
        positions[column.id] = keys.index(printed) if printed in keys else int(column.place.get("column", -1))
    read = set(positions.values())
    rows = []
    for row in finder.rows(header):
        values = {}
        for column in block.columns:
            position = positions[column.id]
            if 0 <= position < len(row):
                values[column.id] = _read_region([row[position]], column, found) or ""
        rows.append(values)
        finder.unread.update(cell.index for position, cell in enumerate(row) if position not in read)
    found.rows[block.id] = rows


def open_original(data: bytes, file: str) -> Layout:
    """The layout of a completed copy of a council's Word form."""
    parts = read_package(data, file)
    return Layout(_body(safe_xml(parts["word/document.xml"], file, "word/document.xml"), file))


def locate_original(form: Form, layout: Layout) -> Found:
    """Every answer of a council's own form found in a completed copy of it; what was written anywhere else
    (a place its scaffold left for review) is kept as unmapped."""
    found = Found()
    finder = _Finder(layout, _stops(form))
    for _section, block in form.blocks():
        if block.kind == "table":
            _read_table(finder, block, found)
            continue
        for f in block.fields:
            _read_field(finder, f, found)
    _keep_the_rest(form, layout, finder.used - finder.unread, found)
    return found


@per_object
def _blank_texts(form: Form) -> tuple[dict[int, set[str]], set[str]]:
    """What the council's blank form prints: each table's cell texts, and the paragraphs outside tables."""
    layout = open_original(council_template(form), form.template)
    cells: dict[int, set[str]] = {}
    for unit in layout.units:
        if unit.is_cell:
            cells.setdefault(unit.table, set()).add(unit.text())
    return cells, {unit.text() for unit in layout.units if not unit.is_cell}


def _keep_the_rest(form: Form, layout: Layout, read: set[int], found: Found) -> None:
    """Keep, as unmapped, text in the completed copy that no place read and the blank form does not print."""
    cells, paragraphs = _blank_texts(form)
    for unit in layout.units:
        if unit.index in read:
            continue
        text = unit.text()
        if not text.strip():
            continue
        if not unit.is_cell:
            if text not in paragraphs:
                found.unmapped.append(Unmapped("", text, where=f"paragraph {unit.index + 1}: not a place on the form"))
            continue
        # Compared with the same table's cells, not the same position: a row added above must not shift the rest.
        printed = cells.get(unit.table, set())
        if text in printed:
            continue
        table = layout.tables[unit.table]
        heading = table[0][unit.column] if unit.row > 0 and unit.column < len(table[0]) else None
        left = layout.row_of(unit)[unit.column - 1] if unit.column > 0 else None
        # Its label: the words the blank form prints to its left, else at the head of its column.
        labels = (u.text().strip() for u in (left, heading) if u is not None and u.text() in printed)
        label = next((words for words in labels if words), "")
        where = (
            f"table {unit.table + 1} row {unit.row + 1} column {unit.column + 1}: a place the form's spec does not read"
        )
        found.unmapped.append(Unmapped(label, text, where=where))


def identify_original(layout: Layout) -> tuple[Form | None, float]:
    """The council form a Word document most looks like, by how many of its places' labels it holds."""
    keys = {u.key() for u in layout.units}
    best: Form | None = None
    best_score = 0.0
    for form in list_forms():
        if not form.foreign or not form.template.endswith(".docx"):
            continue
        labels = {key(str(f.place.get("label", ""))) for f in form.fields() if f.place.get("label")}
        for _section, block in form.blocks():
            labels |= {key(h) for h in block.place.get("headers", [])}
        labels.discard("")
        hits = len(labels & keys)
        score = hits + hits / max(1, len(labels))
        if hits >= min(5, len(labels)) and score > best_score:
            best, best_score = form, score
    return best, best_score
