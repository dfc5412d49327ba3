"""A council's own fillable PDF: its fields found and labelled, values filled in with appearances, read back.

A field is named anything (`Text1`, `Check Box12`, `topmostSubform[0].Page1[0].TextField3[0]`), so it
is labelled by its tooltip (`/TU`), else by the printed words nearest its widget (to its left on the same
line, else just above). Text fields standing in a grid of rows and columns under printed headings are
a table. A field's place is its full name; nothing else in the PDF is changed when filling it.
"""

from __future__ import annotations

import io
import math
import re
import warnings
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pikepdf
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.generic import NameObject

from pepdocs._errors import DocumentError, RenderError
from pepdocs._util.memo import per_object
from pepdocs.engines._engine import council_template
from pepdocs.engines.pdf._read import PdfFields, field_tree, open_pdf, read_pdf
from pepdocs.forms._answers import Answers
from pepdocs.forms._assemble import Found, Unmapped
from pepdocs.forms._match import Spot, choice_words, chosen_values
from pepdocs.forms._spec import Field, Form, list_forms

RADIO = 1 << 15
PUSH = 1 << 16
COMBO = 1 << 17
MAX_FIELDS = 5000
_BROKEN = (PyPdfError, ArithmeticError, AssertionError, AttributeError, LookupError, TypeError, ValueError, zlib.error)
"""What pypdf raises on a damaged page or field beside its own errors (its content parser asserts)."""


@dataclass
class _Widget:
    page: int
    rect: tuple[float, float, float, float]


@dataclass
class _PdfField:
    """One terminal field of an AcroForm: full name, kind, tooltip, options and where its widgets are."""

    name: str
    kind: str  # text, checkbox, radio, combo, list
    tooltip: str = ""
    options: list[str] = field(default_factory=list)  # choice entries, or radio/checkbox on-states
    widgets: list[_Widget] = field(default_factory=list)
    words: dict[str, str] = field(default_factory=dict)  # on-state -> printed words beside it


def _open(data: bytes, file: str) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise DocumentError("is encrypted; save an unprotected copy of the blank form to onboard it", file)
        return reader
    except PyPdfError as error:
        raise DocumentError(f"not a readable PDF ({error.__class__.__name__})", file) from None


def _fields(data: bytes, file: str) -> list[_PdfField]:
    """Every terminal field of a PDF form, read by the one field walk that reading completed forms uses."""
    with open_pdf(data, file) as pdf:
        acroform = pdf.Root.get("/AcroForm")
        fields = acroform.get("/Fields") if isinstance(acroform, pikepdf.Dictionary) else None
        if not isinstance(fields, pikepdf.Array) or not len(fields):
            raise DocumentError("the PDF has no fillable fields", file)
        pages = {page.obj.objgen: number for number, page in enumerate(pdf.pages)}
        out = []
        try:
            for name, kind, node, kids in field_tree(fields, ("/FT", "/Ff", "/TU", "/Opt"), MAX_FIELDS):
                found = _terminal(name, kind, kids or [node], pages)
                if found is not None:
                    out.append(found)
        except (ValueError, pikepdf.PdfError) as error:  # a name that is not the text it claims, a damaged object
            raise DocumentError(f"a field of the PDF cannot be read ({type(error).__name__})", file) from error
        return out


def _number(value: Any, default: float = 0) -> float:
    """A PDF number as a float; `default` for anything else (a name, a string, an array where a number goes)."""
    return float(value) if isinstance(value, int | float | Decimal) and not isinstance(value, bool) else default


def _rect(value: Any) -> tuple[float, float, float, float] | None:
    """A widget's rectangle, or None when it is not four numbers."""
    if not isinstance(value, pikepdf.Array) or len(value) < 4:
        return None
    corners = [_number(v, math.nan) for v in list(value)[:4]]
    return None if not all(math.isfinite(c) for c in corners) else (corners[0], corners[1], corners[2], corners[3])


def _terminal(
    name: str, kind: dict[str, Any], widgets: list[Any], pages: dict[tuple[int, int], int]
) -> _PdfField | None:
    flags = int(_number(kind.get("/Ff")))
    field_type = str(kind.get("/FT"))
    if field_type == "/Tx":
        sort = "text"
    elif field_type == "/Ch":
        sort = "combo" if flags & COMBO else "list"
    elif field_type == "/Btn" and not flags & PUSH:
        sort = "radio" if flags & RADIO else "checkbox"
    else:
        return None
    found = _PdfField(name, sort, str(kind.get("/TU", "") or ""))
    if sort in ("combo", "list"):
        options = kind.get("/Opt")
        for option in options if isinstance(options, pikepdf.Array) else []:
            # An entry is its words, or [export value, words]; anything else is not an option.
            if isinstance(option, pikepdf.Array) and len(option):
                option = option[0]
            if isinstance(option, pikepdf.String | pikepdf.Name):
                found.options.append(str(option))
    for widget in widgets:
        if not isinstance(widget, pikepdf.Dictionary):
            continue  # a kid that is not a widget (a number, a string) has nowhere to be
        page_ref = widget.get("/P")
        page = pages.get(page_ref.objgen, 0) if isinstance(page_ref, pikepdf.Dictionary) else 0
        rect = _rect(widget.get("/Rect"))
        if rect is not None:
            found.widgets.append(_Widget(page, rect))
        if sort in ("radio", "checkbox"):
            appearance = widget.get("/AP")
            normal = appearance.get("/N") if isinstance(appearance, pikepdf.Dictionary) else None
            keys = normal.keys() if isinstance(normal, pikepdf.Dictionary | pikepdf.Stream) else []
            states = [str(s)[1:] for s in keys if str(s) != "/Off"]
            for state in states:
                if state not in found.options:
                    found.options.append(state)
    return found


def _texts(reader: PdfReader) -> dict[int, list[tuple[float, float, str]]]:
    """The printed words of each page with where they start: (x, y, text)."""
    out: dict[int, list[tuple[float, float, str]]] = {}
    try:
        pages = list(reader.pages)
    except _BROKEN:
        return out  # pages pypdf cannot find (qpdf, which found the fields, repairs more): no printed words
    for number, page in enumerate(pages):
        pieces: list[tuple[float, float, str]] = []

        def visit(
            text: str, cm: Any, tm: Any, font: Any, size: Any, pieces: list[tuple[float, float, str]] = pieces
        ) -> None:
            if text.strip():
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                pieces.append((x, y, " ".join(text.split())))

        try:
            page.extract_text(visitor_text=visit)
        except _BROKEN:
            pass  # a page whose text cannot be read labels no field: tooltips and names still do
        out[number] = pieces
    return out


def _nearest(texts: list[tuple[float, float, str]], widget: _Widget) -> tuple[str, str]:
    """The printed words nearest a widget: to its left on its line, else just above it; and which ("left"/"above")."""
    x0, y0, x1, y1 = widget.rect
    middle = (y0 + y1) / 2
    left = [
        (x0 - x, t) for x, y, t in texts if x < x0 and abs(y - middle) <= max(8.0, (y1 - y0) / 2 + 2) and x0 - x < 260
    ]
    if left:
        return min(left)[1], "left"
    above = [(y - y1, abs(x - x0), t) for x, y, t in texts if 0 <= y - y1 <= 30 and x0 - 12 <= x <= x1]
    if above:
        return min(above)[2], "above"
    return "", ""


def _right_words(texts: list[tuple[float, float, str]], widget: _Widget) -> str:
    _x0, y0, x1, y1 = widget.rect
    middle = (y0 + y1) / 2
    right = [(x - x1, t) for x, y, t in texts if x >= x1 - 1 and abs(y - middle) <= 8 and x - x1 < 40]
    return min(right)[1] if right else ""


def _tables(
    fields: list[_PdfField], texts: dict[int, list[tuple[float, float, str]]]
) -> list[tuple[list[list[_PdfField]], list[str]]]:
    """Grids of untitled text fields: rows of fields at the same height, columns at the same left edge."""
    loose = [f for f in fields if f.kind == "text" and not f.tooltip and len(f.widgets) == 1]
    by_column: dict[tuple[int, int, int], list[_PdfField]] = {}
    for f in loose:
        w = f.widgets[0]
        by_column.setdefault((w.page, round(w.rect[0]), round(w.rect[2])), []).append(f)
    columns = {k: v for k, v in by_column.items() if len(v) >= 2}
    rows: dict[tuple[int, int], list[_PdfField]] = {}
    for (page, _x0, _x1), members in columns.items():
        for f in members:
            rows.setdefault((page, round(f.widgets[0].rect[1])), []).append(f)
    grids: dict[tuple[int, tuple[int, ...]], list[list[_PdfField]]] = {}
    for (page, _y), members in sorted(rows.items(), key=lambda kv: (kv[0][0], -kv[0][1])):
        if len(members) < 2:
            continue
        members.sort(key=lambda f: f.widgets[0].rect[0])
        shape = (page, tuple(round(f.widgets[0].rect[0]) for f in members))
        grids.setdefault(shape, []).append(members)
    out = []
    for (page, _shape), grid in grids.items():
        if len(grid) < 2:
            continue
        headers = []
        for f in grid[0]:
            words, where = _nearest(texts.get(page, []), f.widgets[0])
            headers.append(words if where == "above" else "")
        out.append((grid, headers))
    return out


_ROW = re.compile(r"(?i)^(?P<table>.+?)[,:;]?\s+row\s+(?P<row>\d{1,6})\s*[:,.\-–]\s*(?P<column>.+)$")


def _options(f: _PdfField, texts: list[tuple[float, float, str]]) -> tuple[list[str], dict[str, str]]:
    """A box group's options as printed words, and each word's on-state."""
    words = {}
    for state, w in zip(f.options, f.widgets, strict=False):
        words[state] = _right_words(texts, w) or state
    for state in f.options:
        words.setdefault(state, state)
    return [words[s] for s in f.options], {words[s]: s for s in f.options}


def _tooltip_tables(
    fields: list[_PdfField], texts: dict[int, list[tuple[float, float, str]]]
) -> list[tuple[Spot, _Widget]]:
    """Tables told by tooltips: "Targets, row 2: By when" names a cell of a table of rows."""
    tables: dict[str, dict[int, dict[str, _PdfField]]] = {}
    columns: dict[str, list[str]] = {}
    for f in fields:
        match = _ROW.match(f.tooltip) if f.widgets else None
        if match is None:
            continue
        table, column = match["table"].strip(), match["column"].strip()
        tables.setdefault(table, {}).setdefault(int(match["row"]), {})[column] = f
        if column not in columns.setdefault(table, []):
            columns[table].append(column)
    out = []
    for table, rows in tables.items():
        if len(rows) < 2:
            continue
        headers = columns[table]
        names = [[rows[r][c].name if c in rows[r] else "" for c in headers] for r in sorted(rows)]
        first_row = rows[min(rows)]
        places: list[dict[str, Any]] = []
        for column in headers:
            sample = first_row.get(column) or next(row[column] for row in rows.values() if column in row)
            place: dict[str, Any] = {"column": len(places)}
            if sample.kind in ("radio", "checkbox", "combo", "list"):
                place["control"] = sample.kind
                options, states = _options(sample, texts.get(sample.widgets[0].page, []))
                place["options"] = options if sample.kind in ("radio", "checkbox") else sample.options
                if sample.kind in ("radio", "checkbox"):
                    place["states"] = states
            places.append(place)
        spot = Spot(
            table,
            {"fields": names, "headers": headers, "keys": names},
            table,
            "table",
            heading=table,
            headers=headers,
            columns=places,
            keys=names[0],
            rows=len(names),
            section=table,
        )
        out.append((spot, next(iter(first_row.values())).widgets[0]))
    return out


def _box_lists(fields: list[_PdfField], taken: set[str]) -> list[tuple[Spot, _Widget]]:
    """Check boxes that are the options of one question, told by tooltips: "Reasons: Medical needs"."""
    groups: dict[str, list[tuple[str, _PdfField]]] = {}
    for f in fields:
        if f.kind == "checkbox" and len(f.options) <= 1 and f.widgets and f.name not in taken and ":" in f.tooltip:
            question, option = f.tooltip.rsplit(":", 1)
            groups.setdefault(question.strip(), []).append((option.strip(), f))
    out = []
    for question, members in groups.items():
        if len(members) < 2:
            continue
        boxes = {option: f.name for option, f in members}
        on = {f.name: (f.options[0] if f.options else "Yes") for _o, f in members}
        spot = Spot(question, {"boxes": boxes, "on": on, "control": "boxes"}, question, "boxes", list(boxes))
        spot.keys = [f.name for _o, f in members]
        out.append((spot, members[0][1].widgets[0]))
    return out


def hybrid(data: bytes, file: str) -> bool:
    """Whether a PDF form carries an XFA packet beside its AcroForm fields (LiveCycle's hybrid forms)."""
    with open_pdf(data, file) as pdf:
        acroform = pdf.Root.get("/AcroForm")
        return isinstance(acroform, pikepdf.Dictionary) and acroform.get("/XFA") is not None


def spots_of_pdf(data: bytes, file: str) -> tuple[str, list[Spot]]:
    """The title and every place an answer goes in a fillable PDF, in reading order."""
    reader = _open(data, file)
    fields = _fields(data, file)
    texts = _texts(reader)
    try:
        title = str(reader.metadata.get("/Title", "") or "") if reader.metadata else ""
    except _BROKEN:
        title = ""
    if not title and texts.get(0):
        title = max(texts[0], key=lambda t: t[1])[2]
    spots: list[Spot] = []
    in_tables: set[str] = set()
    placed: list[tuple[int, float, float, Spot]] = []
    for spot, first in _tooltip_tables(fields, texts):
        in_tables.update(n for row in spot.place["fields"] for n in row if n)
        placed.append((first.page, -first.rect[3], first.rect[0], spot))
    for spot, first in _box_lists(fields, in_tables):
        in_tables.update(spot.place["boxes"].values())
        placed.append((first.page, -first.rect[3], first.rect[0], spot))
    for grid, headers in _tables([f for f in fields if f.name not in in_tables], texts):
        names = [[f.name for f in row] for row in grid]
        in_tables.update(n for row in names for n in row)
        first = grid[0][0].widgets[0]
        spot = Spot(
            headers[0],
            {"fields": names, "headers": headers},
            headers[0],
            "table",
            headers=headers,
            columns=[{"column": i} for i in range(len(headers))],
            keys=[f.name for f in grid[0]],
            rows=len(grid),
        )
        placed.append((first.page, -first.rect[3], first.rect[0], spot))
        # Every field of the grid is a place of the true mapping: the first row's names stand for their columns.
        spot.keys = [f.name for f in grid[0]]
        spot.place["keys"] = names
    for f in fields:
        if f.name in in_tables or not f.widgets:
            continue
        widget = f.widgets[0]
        page_texts = texts.get(widget.page, [])
        printed, _where = _nearest(page_texts, widget)
        label = f.tooltip or printed
        place: dict[str, Any] = {"name": f.name, "control": f.kind}
        options = list(f.options)
        if f.kind == "radio" or (f.kind == "checkbox" and len(f.options) > 1):
            options, place["states"] = _options(f, page_texts)
        elif f.kind == "checkbox":
            options = []
        spot = Spot(label or f.name, place, f.name, f.kind, options)
        spot.alternatives = [t for t in (printed, _name_words(f.name)) if t and t != label]
        placed.append((widget.page, -widget.rect[3], widget.rect[0], spot))
    placed.sort(key=lambda p: (p[0], round(p[1] / 4), p[2]))
    spots = [p[3] for p in placed]
    return title, spots


def _name_words(name: str) -> str:
    """A field name as words: `topmostSubform[0].Page1[0].ChildSurname[0]` -> "Child Surname"."""
    last = re.sub(r"\[\d+\]", "", name).split(".")[-1]
    return " ".join(re.sub(r"([a-z])([A-Z])", r"\1 \2", last).replace("_", " ").split())


# --- filling --------------------------------------------------------------------------------------


def _state(place: dict[str, Any], chosen: set[str]) -> str | None:
    """The on-state of a radio group or check box that `chosen` selects."""
    choices = dict(place.get("choices", {}))
    states = dict(place.get("states", {}))
    for words, value in choices.items():
        if value in chosen:
            return str(states.get(words, words))
    return None


def render_pdf_original(form: Form, answers: Answers) -> bytes:
    """The council's own PDF with each answer in its own field, appearances drawn; nothing else changed."""
    template = council_template(form)
    try:
        reader = PdfReader(io.BytesIO(template))
    except PyPdfError:
        raise RenderError(f"form {form.id} has no readable template PDF at {form.template}") from None
    kinds = {f.name: f for f in _fields(template, form.template)}
    values: dict[str, str] = {}
    for section, block in form.blocks():
        if not (answers.show.get(section.id, True) and answers.show.get(block.id, True)):
            continue
        if block.kind == "table":
            names = block.place.get("fields", [])
            items = answers.raw_tables.get(block.id, [])
            for row_names, item in zip(names, items, strict=False):
                for column in block.columns:
                    position = int(column.place.get("column", -1))
                    name = row_names[position] if 0 <= position < len(row_names) else ""
                    if name in kinds:
                        _fill(values, kinds[name], column, item.get(column.id), _text(column, item.get(column.id)))
            continue
        for f in block.fields:
            name = str(f.place.get("name", ""))
            if f.place.get("control") == "boxes":
                _fill(values, _PdfField("", "boxes"), f, answers.raw.get(f.id), "")
            elif name in kinds:
                _fill(values, kinds[name], f, answers.raw.get(f.id), answers.values.get(f.id, ""))
    try:
        return _filled(form, reader, values)
    except _BROKEN as error:
        # Which field pypdf cannot fill (one without a rectangle, an appearance that is no dictionary) is found again
        # one field at a time; its name is the council's, never an answer.
        name = next((n for n in values if not _fills(form, reader, {n: values[n]})), "")
        which = f"field {name} of " if name else ""
        raise RenderError(
            f"form {form.id}: {which}its template PDF {form.template} cannot be filled ({type(error).__name__})"
        ) from error


def _filled(form: Form, reader: PdfReader, values: dict[str, str]) -> bytes:
    writer = PdfWriter(clone_from=reader)
    if values:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            writer.update_page_form_field_values(None, values, auto_regenerate=False)
    writer.set_need_appearances_writer(False)
    # The council's author, tool and file path are not ours to pass on: its title, its authority, pepdocs.
    writer.metadata = {"/Title": form.title, "/Subject": form.authority, "/Producer": "pepdocs"}
    writer.root_object.pop(NameObject("/Metadata"), None)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _fills(form: Form, reader: PdfReader, values: dict[str, str]) -> bool:
    try:
        _filled(form, reader, values)
    except _BROKEN:
        return False
    return True


def _text(f: Field, value: Any) -> str:
    from pepdocs.forms._codecs import write

    return write(f.slot, value)


def _fill(values: dict[str, str], found: _PdfField, f: Field, raw: Any, text: str) -> None:
    """The value one field takes for an answer: text, a box group's on-state, a list entry."""
    control = str(f.place.get("control", "text"))
    if control == "boxes":
        chosen = chosen_values(raw)
        for words, name in dict(f.place.get("boxes", {})).items():
            if dict(f.place.get("choices", {})).get(words) in chosen:
                values[name] = "/" + str(dict(f.place.get("on", {})).get(name, "Yes"))
        return
    if control in ("radio", "checkbox"):
        if control == "checkbox" and not f.place.get("choices"):
            if raw is True:
                values[found.name] = "/" + (found.options[0] if found.options else "Yes")
            return
        state = _state(f.place, chosen_values(raw))
        if state is not None:
            values[found.name] = "/" + state
    elif control in ("combo", "list"):
        entry = next((w for w, v in dict(f.place.get("choices", {})).items() if v in chosen_values(raw)), None)
        if entry is not None:
            values[found.name] = entry
    elif text:
        values[found.name] = text


def _read_one(fields: PdfFields, f: Field, name: str, found: Found) -> str | None:
    """The text of one field's answer as its codec reads it; None when it holds none."""
    control = str(f.place.get("control", "text"))
    choices = dict(f.place.get("choices", {}))
    if control == "boxes":
        ticked = [
            w for w, n in dict(f.place.get("boxes", {})).items() if fields.states.get(n, "Off") not in ("Off", "")
        ]
        for words in ticked:
            if words not in choices:
                found.unmapped.append(Unmapped(f.label, words, where="an option with no code in the form's spec"))
        picked = [str(choices[w]) for w in ticked if w in choices]
        return choice_words(f.slot, picked) if picked else None
    if control in ("radio", "checkbox"):
        state = fields.states.get(name, "Off")
        if state in ("Off", ""):
            return None
        if control == "checkbox" and not choices:
            return "Yes"
        states = {str(s): w for w, s in dict(f.place.get("states", {})).items()} or {w: w for w in choices}
        words = states.get(state, state)
        if words in choices:
            return choice_words(f.slot, [str(choices[words])])
        found.unmapped.append(Unmapped(f.label, state, where=f"field {name}: an option with no code"))
        return None
    text = fields.text.get(name)
    if control in ("combo", "list") and text:
        if text in choices:
            return choice_words(f.slot, [str(choices[text])])
        found.unmapped.append(Unmapped(f.label, text, where=f"field {name}: an option with no code"))
        return None
    return text


# --- reading --------------------------------------------------------------------------------------


def locate_pdf_original(form: Form, fields: PdfFields) -> Found:
    """Every answer of a council's own PDF form read from a completed copy, by its fields' names."""
    found = Found()
    for _section, block in form.blocks():
        if block.kind == "table":
            rows = []
            for row_names in block.place.get("fields", []):
                row = {}
                for column in block.columns:
                    position = int(column.place.get("column", -1))
                    if 0 <= position < len(row_names) and row_names[position]:
                        text = _read_one(fields, column, row_names[position], found)
                        row[column.id] = text or ""
                rows.append(row)
            found.rows[block.id] = rows
            continue
        for f in block.fields:
            text = _read_one(fields, f, str(f.place.get("name", "")), found)
            if text is not None:
                found.values[f.id] = text
    _keep_the_rest(form, fields, found)
    return found


@per_object
def _read_names(form: Form) -> frozenset[str]:
    """Every field of the council's PDF that the form's spec reads an answer from."""
    names = {str(f.place.get("name")) for f in form.fields() if f.place.get("name")}
    names |= {str(n) for f in form.fields() for n in dict(f.place.get("boxes", {})).values()}
    for _section, block in form.blocks():
        names |= {n for row in block.place.get("fields", []) for n in row}
    return frozenset(names)


@per_object
def _blank_fields(form: Form) -> PdfFields:
    """The council's blank PDF's own field values (a field may come with words already in it)."""
    return read_pdf(council_template(form), form.template)


@per_object
def _printed_labels(form: Form) -> dict[str, str]:
    """The words the council's blank PDF shows for each of its fields (tooltip, else printed beside it), by name;
    a table's fields by their column's heading."""
    template = council_template(form)
    labels: dict[str, str] = {}
    for spot in spots_of_pdf(template, form.template)[1]:
        for row in spot.place.get("fields", []):
            labels.update((name, heading) for name, heading in zip(row, spot.headers, strict=False) if name)
        labels.update((name, spot.label) for name in dict(spot.place.get("boxes", {})).values())
        if "name" in spot.place:
            labels[str(spot.place["name"])] = spot.label
    return labels


def _keep_the_rest(form: Form, fields: PdfFields, found: Found) -> None:
    """Keep, as unmapped, what was written in a field the spec does not read (one its scaffold left for review),
    labelled by the words the blank form shows for it."""
    read, blank = _read_names(form), _blank_fields(form)
    written = [
        *((name, text) for name, text in fields.text.items() if text.strip() and text != blank.text.get(name, "")),
        *(
            (name, state)
            for name, state in fields.states.items()
            if state not in ("Off", "") and state != blank.states.get(name, "Off")
        ),
    ]
    labels = _printed_labels(form) if any(name not in read for name, _ in written) else {}
    for name, value in written:
        if name not in read:
            where = f"PDF field {name}: a field the form's spec does not read"
            found.unmapped.append(Unmapped(labels.get(name) or name, value, where=where))


def identify_pdf_original(fields: PdfFields) -> tuple[Form | None, float]:
    """The council PDF form whose field names a completed PDF holds most of."""
    names = set(fields.text) | set(fields.states)
    best: Form | None = None
    best_score = 0.0
    for form in list_forms():
        if not form.foreign or not form.template.endswith(".pdf"):
            continue
        wanted = _read_names(form)
        hits = len(wanted & names)
        score = hits + hits / max(1, len(wanted))
        if wanted and hits >= 0.8 * len(wanted) and score > best_score:
            best, best_score = form, score
    return best, best_score
