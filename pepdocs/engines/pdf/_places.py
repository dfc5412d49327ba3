"""A council's own fillable PDF: its fields found and labelled, values filled in with appearances, read back.

A field is named anything (`Text1`, `Check Box12`, `topmostSubform[0].Page1[0].TextField3[0]`), so it
is labelled by its tooltip (`/TU`), else by the printed words nearest its widget (to its left on the same
line, else just above). Text fields standing in a grid of rows and columns under printed headings are
a table. A field's place is its full name; nothing else in the PDF is changed when filling it.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from pepdocs._errors import DocumentError, PepdocsWarning, RenderError
from pepdocs.engines.pdf._pdf import PdfFields
from pepdocs.forms._answers import Answers
from pepdocs.forms._assemble import Found, Unmapped
from pepdocs.forms._match import Spot, choice_words, chosen_values
from pepdocs.forms._spec import Form, list_forms

RADIO = 1 << 15
PUSH = 1 << 16
COMBO = 1 << 17
MAX_FIELDS = 5000


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


def _fields(reader: PdfReader, file: str) -> list[_PdfField]:
    root: Any = reader.trailer["/Root"]
    acroform: Any = root.get("/AcroForm")
    if acroform is None or not acroform.get("/Fields"):
        raise DocumentError("the PDF has no fillable fields", file)
    if acroform.get("/XFA") is not None:
        warnings.warn(
            PepdocsWarning(f"{file}: a hybrid XFA form; read and filled through its AcroForm fields"), stacklevel=3
        )
    pages = {page.indirect_reference.idnum: number for number, page in enumerate(reader.pages) if page.indirect_reference}
    out: list[_PdfField] = []
    seen: set[int] = set()

    def walk(kids: Any, prefix: str, inherited: dict[str, Any], depth: int) -> None:
        if depth > 32:
            return
        for ref in kids:
            ident = ref.idnum if isinstance(ref, IndirectObject) else id(ref)
            if ident in seen or len(seen) > MAX_FIELDS:
                continue
            seen.add(ident)
            node: Any = ref.get_object()
            if not isinstance(node, DictionaryObject):
                continue
            part = node.get("/T")
            name = (f"{prefix}.{part}" if prefix else str(part)) if part is not None else prefix
            kind = dict(inherited)
            for attr in ("/FT", "/Ff", "/TU", "/Opt"):
                if attr in node:
                    kind[attr] = node[attr]
            children = node.get("/Kids") or []
            named = [k for k in children if "/T" in k.get_object()]
            if named:
                walk(named, name, kind, depth + 1)
                continue
            widgets = [k.get_object() for k in children] or [node]
            found = _terminal(name, kind, widgets, pages)
            if found is not None:
                out.append(found)

    walk(acroform["/Fields"], "", {}, 0)
    return out


def _terminal(name: str, kind: dict[str, Any], widgets: list[Any], pages: dict[int, int]) -> _PdfField | None:
    flags = int(kind.get("/Ff", 0))
    field_type = kind.get("/FT")
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
        for option in kind.get("/Opt") or []:
            option = option.get_object()
            found.options.append(str(option[0] if isinstance(option, ArrayObject) else option))
    for widget in widgets:
        page_ref = widget.get("/P")
        page = pages.get(page_ref.idnum, 0) if isinstance(page_ref, IndirectObject) else 0
        rect = widget.get("/Rect")
        if rect is not None:
            found.widgets.append(_Widget(page, tuple(float(v) for v in rect)[:4]))  # type: ignore[arg-type]
        if sort in ("radio", "checkbox"):
            normal = (widget.get("/AP") or {}).get("/N") or {}
            states = [str(s)[1:] for s in getattr(normal, "keys", lambda: [])() if str(s) != "/Off"]
            for state in states:
                if state not in found.options:
                    found.options.append(state)
    return found


def _texts(reader: PdfReader) -> dict[int, list[tuple[float, float, str]]]:
    """The printed words of each page with where they start: (x, y, text)."""
    out: dict[int, list[tuple[float, float, str]]] = {}
    for number, page in enumerate(reader.pages):
        pieces: list[tuple[float, float, str]] = []

        def visit(text: str, cm: Any, tm: Any, font: Any, size: Any, pieces: list[tuple[float, float, str]] = pieces) -> None:
            if text.strip():
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                pieces.append((x, y, " ".join(text.split())))

        try:
            page.extract_text(visitor_text=visit)
        except PyPdfError:
            pass
        out[number] = pieces
    return out


def _nearest(texts: list[tuple[float, float, str]], widget: _Widget) -> tuple[str, str]:
    """The printed words nearest a widget: to its left on its line, else just above it; and which ("left"/"above")."""
    x0, y0, x1, y1 = widget.rect
    middle = (y0 + y1) / 2
    left = [(x0 - x, t) for x, y, t in texts if x < x0 and abs(y - middle) <= max(8.0, (y1 - y0) / 2 + 2) and x0 - x < 260]
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


def _tables(fields: list[_PdfField], texts: dict[int, list[tuple[float, float, str]]]) -> list[tuple[list[list[_PdfField]], list[str]]]:
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


def spots_of_pdf(data: bytes, file: str) -> tuple[str, list[Spot]]:
    """The title and every place an answer goes in a fillable PDF, in reading order."""
    reader = _open(data, file)
    fields = _fields(reader, file)
    texts = _texts(reader)
    title = str(reader.metadata.get("/Title", "") or "") if reader.metadata else ""
    if not title and texts.get(0):
        title = max(texts[0], key=lambda t: t[1])[2]
    spots: list[Spot] = []
    in_tables: set[str] = set()
    placed: list[tuple[int, float, float, Spot]] = []
    for grid, headers in _tables(fields, texts):
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
        if f.kind == "radio":
            words = {}
            for state, w in zip(f.options, f.widgets, strict=False):
                words[state] = _right_words(page_texts, w) or state
            options = [words[s] for s in f.options]
            place["states"] = {words[s]: s for s in f.options}
            if printed and f.tooltip:
                place["printed"] = printed
        spot = Spot(label or f.name, place, f.name, f.kind, options)
        spot.alternatives = [t for t in (printed, _name_words(f.name)) if t and t != label]
        if f.kind == "checkbox":
            spot.options = []
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
    path = form.folder / form.template
    try:
        reader = PdfReader(io.BytesIO(path.read_bytes()))
    except (OSError, PyPdfError):
        raise RenderError(f"form {form.id} has no readable template PDF at {form.template}") from None
    writer = PdfWriter(clone_from=reader)
    kinds = {f.name: f for f in _fields(reader, form.template)}
    values: dict[str, str] = {}
    for _section, block in form.blocks():
        if block.kind == "table":
            names = block.place.get("fields", [])
            rows = [r for r in answers.tables.get(block.id, []) if any(v.strip() for v in r.values())]
            for row_names, row in zip(names, rows, strict=False):
                for column in block.columns:
                    position = int(column.place.get("column", -1))
                    if 0 <= position < len(row_names) and row.get(column.id):
                        values[row_names[position]] = row[column.id]
            continue
        for f in block.fields:
            name = str(f.place.get("name", ""))
            control = str(f.place.get("control", "text"))
            raw = answers.raw.get(f.id)
            if name not in kinds:
                continue
            if control in ("radio", "checkbox"):
                if control == "checkbox" and not f.place.get("choices"):
                    if raw is True:
                        values[name] = "/" + (kinds[name].options[0] if kinds[name].options else "Yes")
                    continue
                state = _state(f.place, chosen_values(raw))
                if state is not None:
                    values[name] = "/" + state
            elif control in ("combo", "list"):
                entry = next((w for w, v in dict(f.place.get("choices", {})).items() if v in chosen_values(raw)), None)
                if entry is not None:
                    values[name] = entry
            elif answers.values.get(f.id):
                values[name] = answers.values[f.id]
    if values:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            writer.update_page_form_field_values(None, values, auto_regenerate=False)
    writer.set_need_appearances_writer(False)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


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
                    if 0 <= position < len(row_names):
                        row[column.id] = fields.text.get(row_names[position], "")
                rows.append(row)
            found.rows[block.id] = rows
            continue
        for f in block.fields:
            name = str(f.place.get("name", ""))
            control = str(f.place.get("control", "text"))
            choices = dict(f.place.get("choices", {}))
            if control in ("radio", "checkbox"):
                state = fields.states.get(name, "Off")
                if state in ("Off", ""):
                    continue
                if control == "checkbox" and not choices:
                    found.values[f.id] = "Yes"
                    continue
                states = {str(s): w for w, s in dict(f.place.get("states", {})).items()} or {w: w for w in choices}
                words = states.get(state, state)
                if words in choices:
                    found.values[f.id] = choice_words(f.slot, [str(choices[words])])
                else:
                    found.unmapped.append(Unmapped(f.label, state, where=f"field {name}: an option with no code"))
            elif control in ("combo", "list"):
                text = fields.text.get(name, "")
                if text and text in choices:
                    found.values[f.id] = choice_words(f.slot, [str(choices[text])])
                elif text:
                    found.unmapped.append(Unmapped(f.label, text, where=f"field {name}: an option with no code"))
            elif name in fields.text:
                found.values[f.id] = fields.text[name]
    return found


def identify_pdf_original(fields: PdfFields) -> tuple[Form | None, float]:
    """The council PDF form whose field names a completed PDF holds most of."""
    names = set(fields.text) | set(fields.states)
    best: Form | None = None
    best_score = 0.0
    for form in list_forms():
        if not form.foreign or not form.template.endswith(".pdf"):
            continue
        wanted = {str(f.place.get("name")) for f in form.fields() if f.place.get("name")}
        for _section, block in form.blocks():
            wanted |= {n for row in block.place.get("fields", []) for n in row}
        hits = len(wanted & names)
        score = hits + hits / max(1, len(wanted))
        if wanted and hits >= 0.8 * len(wanted) and score > best_score:
            best, best_score = form, score
    return best, best_score

