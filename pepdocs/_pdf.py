"""The PDF engine: fills a form's AcroForm template from a PEP, and reads completed PDF forms back.

Rendering reads each template once per process with pypdf, keeps every object's bytes, and writes
each document from those bytes plus what changes: field values (/V), appearance streams drawn here
in the embedded font (so values show in every viewer without /NeedAppearances), and continuation
pages for answers and list items that do not fit. Reading never trusts the file: every pypdf
exception becomes a DocumentError naming the file.
"""

from __future__ import annotations

import dataclasses
import io
import re
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from typing import Any

from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject, PdfObject

from ._answers import Answers
from ._errors import RenderError
from ._forms import Block, Field, Form
from ._pdf_build import (
    CROSS,
    LEFT,
    PAD,
    RADIO,
    WIDTH,
    Fit,
    Flow,
    Line,
    Page,
    Widget,
    cell_name,
    draw_boxes,
    draw_fit,
    field_name,
    fit,
    heading_lines,
    is_multi,
    name_bytes,
    page_header,
    rejoin,
    state_of,
    string_bytes,
    table_rows,
    text_height,
    wrap,
)
from ._read import decode

MAX_FIELDS = 20_000
MAX_DEPTH = 32


# --- the template, read once -------------------------------------------------------------------


@dataclass
class _Text:
    """A text field of the template (field and widget in one object)."""

    num: int
    head: bytes  # the dictionary without /V, /AP and its closing '>>'
    page: int
    rect: tuple[float, float, float, float]
    size: float
    label: str


@dataclass
class _Button:
    """One radio button or checkbox widget of the template."""

    num: int
    head: bytes  # without /AS (and /V for a checkbox) and the closing '>>'
    page: int
    rect: tuple[float, float, float, float]
    state: str


@dataclass
class _Group:
    """A radio group of the template: one field, a button per option."""

    num: int
    head: bytes  # without /V, /Kids and the closing '>>'
    kids: list[int]
    buttons: dict[str, _Button]
    label: str


@dataclass
class _Parent:
    """A field of the template that only groups other fields (`child`, `targets`, `targets.0`)."""

    num: int
    head: bytes  # without /Kids and the closing '>>'
    kids: list[int]


@dataclass
class _Template:
    """A form's PDF template as rendering needs it: every object's bytes and where each field is."""

    bodies: list[bytes | None]
    ids: bytes
    root: int
    info: int
    acroform: int
    acroform_head: bytes
    catalog_flat: bytes
    pages_node: int
    resources: int
    pages: list[int]
    page_heads: list[bytes]  # page dictionaries without /Contents, /Annots and '>>'
    contents: list[list[int]]
    annots: list[list[int]]
    roots: list[int]
    texts: dict[str, _Text]
    groups: dict[str, _Group]
    checks: dict[str, _Button]
    parents: dict[str, _Parent]
    form_objects: set[int]


def _bytes(obj: PdfObject) -> bytes:
    buffer = io.BytesIO()
    obj.write_to_stream(buffer)
    return buffer.getvalue()


def _head(obj: DictionaryObject, *drop: str) -> bytes:
    """A dictionary's bytes without some keys and without its closing '>>', ready to have entries added."""
    kept = DictionaryObject({key: value for key, value in obj.items() if key not in drop})
    return _bytes(kept)[:-2]


def _rect(obj: DictionaryObject) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (float(v) for v in obj["/Rect"])
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


_DA_SIZE = re.compile(r"([\d.]+)\s+Tf")


def _load(form: Form) -> _Template:
    path = form.folder / "form.pdf"
    try:
        reader = PdfReader(path)
        return _index(reader)
    except OSError:
        raise RenderError(f"form {form.id} has no PDF template at {path.name}; run python -m pepdocs.build") from None


def _index(reader: PdfReader) -> _Template:
    size = int(reader.trailer["/Size"])
    bodies: list[bytes | None] = [None] * size
    for num in reader.xref[0]:
        bodies[num] = _bytes(reader.get_object(num))  # type: ignore[arg-type]
    root_ref = reader.trailer.raw_get("/Root")
    info_ref = reader.trailer.raw_get("/Info")
    catalog = reader.trailer["/Root"]
    acroform_ref = catalog.raw_get("/AcroForm")
    acroform = catalog["/AcroForm"]
    pages_ref = catalog.raw_get("/Pages")
    page_nums = [ref.idnum for ref in catalog["/Pages"]["/Kids"]]
    page_index = {num: i for i, num in enumerate(page_nums)}
    pages = [reader.get_object(num) for num in page_nums]
    template = _Template(
        bodies=bodies,
        ids=bytes(reader.trailer["/ID"][0].original_bytes),
        root=root_ref.idnum,
        info=info_ref.idnum,
        acroform=acroform_ref.idnum,
        acroform_head=_head(acroform, "/Fields"),
        catalog_flat=_bytes(DictionaryObject({k: v for k, v in catalog.items() if k != "/AcroForm"})),
        pages_node=pages_ref.idnum,
        resources=acroform.raw_get("/DR").idnum,
        pages=page_nums,
        page_heads=[_head(page, "/Contents", "/Annots") for page in pages],  # type: ignore[arg-type]
        contents=[[ref.idnum for ref in page.raw_get("/Contents")] for page in pages],  # type: ignore[union-attr]
        annots=[[ref.idnum for ref in page.get("/Annots", [])] for page in pages],  # type: ignore[union-attr]
        roots=[ref.idnum for ref in acroform.raw_get("/Fields")],
        texts={},
        groups={},
        checks={},
        parents={},
        form_objects={acroform_ref.idnum},
    )
    for ref in acroform.raw_get("/Fields"):
        _walk(ref, "", template, page_index)
    return template


def _page_of(widget: DictionaryObject, page_index: dict[int, int]) -> int:
    return page_index[widget.raw_get("/P").idnum]


def _walk(ref: IndirectObject, prefix: str, t: _Template, page_index: dict[int, int]) -> None:
    obj: DictionaryObject = ref.get_object()  # type: ignore[assignment]
    num = ref.idnum
    name = f"{prefix}.{obj['/T']}" if prefix else str(obj["/T"])
    t.form_objects.add(num)
    kind = obj.get("/FT")
    label = str(obj.get("/TU", ""))
    if kind == "/Tx":
        size = _DA_SIZE.search(str(obj.get("/DA", "")))
        t.texts[name] = _Text(num, _head(obj, "/V", "/AP"), _page_of(obj, page_index), _rect(obj), float(size[1]) if size else 9.0, label)
    elif kind == "/Btn" and int(obj.get("/Ff", 0)) & RADIO:
        buttons = {}
        for kid_ref in obj.raw_get("/Kids"):
            kid: DictionaryObject = kid_ref.get_object()
            t.form_objects.add(kid_ref.idnum)
            states = [s[1:] for s in kid["/AP"]["/N"] if s != "/Off"]
            t.form_objects.update(v.idnum for v in kid["/AP"]["/N"].values() if isinstance(v, IndirectObject))
            buttons[states[0]] = _Button(kid_ref.idnum, _head(kid, "/AS"), _page_of(kid, page_index), _rect(kid), states[0])
        t.groups[name] = _Group(num, _head(obj, "/V", "/Kids"), [k.idnum for k in obj.raw_get("/Kids")], buttons, label)
    elif kind == "/Btn":
        t.form_objects.update(v.idnum for v in obj["/AP"]["/N"].values() if isinstance(v, IndirectObject))
        t.checks[name] = _Button(num, _head(obj, "/V", "/AS"), _page_of(obj, page_index), _rect(obj), "Yes")
    else:
        t.parents[name] = _Parent(num, _head(obj, "/Kids"), [k.idnum for k in obj.raw_get("/Kids")])
        for kid_ref in obj.raw_get("/Kids"):
            _walk(kid_ref, name, t, page_index)


@cache
def template_for(form: Form) -> _Template:
    """The PDF template of a form, read from its folder once per process."""
    return _load(form)


# --- what a document shows ---------------------------------------------------------------------


def _states(field_: Field, value: Any) -> list[str]:
    """The on-states of the boxes an answer ticks."""
    if value is None:
        return []
    chosen = value if isinstance(value, list) else [value]
    return [state_of(v) for v in chosen if isinstance(v, bool | Enum)]


@dataclass
class _Wanted:
    """What one document puts in its fields: text by field name, ticked states by field name."""

    texts: dict[str, str] = field(default_factory=dict)
    ticks: dict[str, list[str]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    fields: dict[str, Field] = field(default_factory=dict)
    extra_rows: list[tuple[Block, int, int]] = field(default_factory=list)


def _wanted(form: Form, answers: Answers) -> _Wanted:
    wanted = _Wanted()
    for f in form.title_fields:
        wanted.texts[field_name(f)] = answers.values.get(f.id, "")
    for section in form.sections:
        if not answers.show.get(section.id, True):
            continue
        for block in section.blocks:
            if block.years is not None and not answers.show.get(block.id, True):
                continue
            for f in block.cells():
                name = field_name(f)
                wanted.labels[name] = f.label
                wanted.fields[name] = f
                if f.widget == "boxes" and not f.derived:
                    wanted.ticks[name] = _states(f, answers.raw.get(f.id))
                else:
                    wanted.texts[name] = answers.values.get(f.id, "")
            if block.kind != "table":
                continue
            rows = answers.tables.get(block.id, [])
            for index, row in enumerate(rows):
                for column in block.columns:
                    name = cell_name(block, index, column)
                    text = row.get(column.id, "")
                    wanted.labels[name] = f"{block.heading or column.label}, row {index + 1}: {column.label}"
                    wanted.fields[name] = column
                    if column.widget == "boxes":
                        wanted.ticks[name] = _states(column, decode(column, text)) if text.strip() else []
                    else:
                        wanted.texts[name] = text
            if len(rows) > block.rows:
                wanted.extra_rows.append((block, block.rows, len(rows)))
    return wanted


# --- one document --------------------------------------------------------------------------


@dataclass
class _NewNode:
    """A field created for a continuation page."""

    num: int
    part: str
    parent: int | None
    kind: str  # node, radio
    kids: list[int] = field(default_factory=list)
    state: str = ""


@dataclass
class _Overflow:
    """An answer that did not fit its box: what was shown, where, and the rest."""

    label: str
    page: int
    remainder: str
    target_page: int = 0


class _Document:
    """One document being written from a template: new and changed objects, continuation pages."""

    def __init__(self, form: Form, template: _Template, flatten: bool) -> None:
        self.form = form
        self.t = template
        self.flatten = flatten
        self.changed: dict[int, bytes] = {}
        self.next = len(template.bodies)
        self.flat: list[list[bytes]] = [[] for _ in template.pages]
        self.overflows: list[tuple[_Overflow, Fit, float, float, int, tuple[float, float, float, float], str]] = []
        self.extra_pages: list[Page] = []
        self.extra_page_nums: list[int] = []
        self.group_kids: dict[str, list[int]] = {}
        self.group_state: dict[str, str] = {}
        self.parent_kids: dict[str, list[int]] = {}
        self.new_nodes: dict[str, _NewNode] = {}
        self.new_roots: list[int] = []
        self.extra_annots: list[list[int]] = []

    def reserve(self) -> int:
        self.next += 1
        return self.next - 1

    # text fields

    def text(self, name: str, num: int, head: bytes, page: int, rect: tuple[float, float, float, float], size: float, text: str, label: str) -> None:
        width, height = rect[2] - rect[0], rect[3] - rect[1]
        result = fit(text, width, height, size)
        if result.overflow:
            item = _Overflow(label, page, rejoin(result.overflow))
            self.overflows.append((item, result, width, height, num, rect, text))
            return
        self._place(num, head, page, rect, draw_fit(result, width, height), text)

    def _place(self, num: int, head: bytes, page: int, rect: tuple[float, float, float, float], ops: bytes, text: str) -> None:
        width, height = rect[2] - rect[0], rect[3] - rect[1]
        if self.flatten:
            self._flat(page).append(b"q 1 0 0 1 %s %s cm %s Q" % (_n(rect[0]), _n(rect[1]), ops))
            return
        ap = self.reserve()
        self.changed[ap] = b"<</Type/XObject/Subtype/Form/BBox[0 0 %s %s]/Resources %d 0 R/Length %d>>\nstream\n%s\nendstream" % (
            _n(width),
            _n(height),
            self.t.resources,
            len(ops),
            ops,
        )
        self.changed[num] = head + b"/V " + string_bytes(text) + b"/AP<</N %d 0 R>>>>" % ap

    def _flat(self, page: int) -> list[bytes]:
        while page >= len(self.flat):
            self.flat.append([])
        return self.flat[page]

    def finish_overflows(self) -> None:
        for item, result, width, height, num, rect, text in self.overflows:
            head = self._text_head(num)
            self._place(num, head, item.page, rect, draw_fit(result, width, height, item.target_page + 1), text)

    def _text_head(self, num: int) -> bytes:
        return self.heads[num]

    heads: dict[int, bytes]

    # buttons

    def tick(self, button: _Button, group: str | None) -> None:
        if self.flatten:
            self._flat(button.page).append(b"q 1 0 0 1 %s %s cm %s Q" % (_n(button.rect[0]), _n(button.rect[1]), CROSS))
            return
        if group is None:
            self.changed[button.num] = button.head + b"/V/Yes/AS/Yes>>"
        else:
            self.changed[button.num] = button.head + b"/AS" + name_bytes(button.state) + b">>"
            self.group_state[group] = button.state


def _n(value: float) -> bytes:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return (text if text not in ("-0", "") else "0").encode()


def render_pdf(
    form: Form,
    answers: Answers,
    title: str,
    properties: dict[str, str],
    *,
    flatten: bool = False,
    footer_name: str = "",
) -> bytes:
    """A filled PDF: values and drawn appearances in the form's fields, continuation pages for what does not fit.

    With `flatten`, every answer is drawn into the pages and the form itself (fields, widgets, values) is left out.
    """
    t = template_for(form)
    doc = _Document(form, t, flatten)
    doc.heads = {}
    wanted = _wanted(form, answers)
    pending: list[Widget] = []
    extra_choices: list[tuple[str, str]] = []
    for name, text in wanted.texts.items():
        field_ = t.texts.get(name)
        if field_ is None:
            continue  # a row beyond the template's rows: drawn on a continuation page
        if text:
            doc.heads[field_.num] = field_.head
            doc.text(name, field_.num, field_.head, field_.page, field_.rect, field_.size, text, field_.label)
    for name, states in wanted.ticks.items():
        f = wanted.fields[name]
        for state in states:
            if is_multi(f):
                check = t.checks.get(f"{name}.{state}")
                if check is not None:
                    doc.tick(check, None)
                elif _template_has_row(t, name):
                    extra_choices.append((name, state))
            else:
                group = t.groups.get(name)
                if group is not None and state in group.buttons:
                    doc.tick(group.buttons[state], name)
                elif group is not None:
                    extra_choices.append((name, state))
    _continuation(doc, form, wanted, extra_choices, pending)
    doc.finish_overflows()
    return _write(doc, form, title, properties, footer_name)


def _template_has_row(t: _Template, name: str) -> bool:
    """Whether a box answer's row is printed on the template (else its continuation row prints it)."""
    prefix = name + "."
    return any(check.startswith(prefix) for check in t.checks)


def _continuation(
    doc: _Document, form: Form, wanted: _Wanted, extra_choices: list[tuple[str, str]], pending: list[Widget]
) -> None:
    """Lay out continuation pages: list items beyond the printed rows, choices with no box, answers too long."""
    t = doc.t
    if not wanted.extra_rows and not extra_choices and not doc.overflows:
        return
    flow = Flow(page_header(form))
    first_page = len(t.pages)
    _continuation_heading(flow, "Continuation: answers that did not fit on the form")
    widgets_before = 0
    for block, start, end in wanted.extra_rows:
        height, first = heading_lines(dataclasses.replace(block, heading=f"{block.heading or 'Table'} (continued)"))
        table_rows(flow, block, range(start, end), first, height)
        flow.gap(8)
    # Rows drawn above may tick choices that have no box in their row either.
    row_choices: list[tuple[str, str]] = []
    new_names = {w.name for page in flow.pages for w in page.widgets}
    for name, states in wanted.ticks.items():
        f = wanted.fields[name]
        if name in t.groups or _template_has_row(t, name) or not any(n == name or n.startswith(name + ".") for n in new_names):
            continue
        printed = {state_of(o) for o in f.options}
        row_choices.extend((name, s) for s in states if s not in printed)
    for name, state in extra_choices + row_choices:
        f = wanted.fields[name]
        option = next(o for o in f.readable_options() if state_of(o) == state)
        single = dataclasses.replace(f, options=(option,))
        label = f"{wanted.labels.get(name, f.label)}: another choice"
        lines = wrap(label, 8.0, WIDTH * 0.45 - 2 * PAD)
        height = max(18.0, text_height(len(lines), 8.0))

        def draw(flow: Flow, top: float, single: Field = single, name: str = name, lines: list[Line] = lines, height: float = height, label: str = label) -> None:
            flow.rect(LEFT, top - height, WIDTH * 0.45, height, (0.863, 0.902, 0.941))
            flow.lines(LEFT + PAD, top - PAD, lines, 8.0, bold=True)
            flow.rect(LEFT + WIDTH * 0.45, top - height, WIDTH * 0.55, height)
            draw_boxes(flow, single, name, LEFT + WIDTH * 0.45, top, WIDTH * 0.55, False, label)

        flow.row(height, draw)
    flow.gap(8)
    # Fill the continuation widgets; their own overflow joins the text continued below.
    for page_no, page in enumerate(flow.pages):
        for w in page.widgets:
            _new_widget(doc, w, first_page + page_no, wanted)
    widgets_before = len(doc.overflows)
    for item, *_ in doc.overflows[:widgets_before]:
        _continued_text(flow, item, first_page)
    doc.extra_pages = flow.pages


def _continuation_heading(flow: Flow, text: str) -> None:
    flow.rect(LEFT, flow.y - 20, WIDTH, 20, (0.835, 0.863, 0.894), stroke=False)
    flow.lines(LEFT + PAD, flow.y - 4, wrap(text, 12.0, WIDTH), 12.0, (0.122, 0.220, 0.392), bold=True)
    flow.gap(26)


def _continued_text(flow: Flow, item: _Overflow, first_page: int) -> None:
    """Draw the rest of a long answer on continuation pages, line by line, under its label."""
    label = wrap(f"Continued from page {item.page + 1}: {item.label}", 8.0, WIDTH - 2 * PAD)
    label_h = text_height(len(label), 8.0)
    lines = wrap(item.remainder, 9.0, WIDTH - 2 * PAD)
    line_h = 9.0 * 1.18
    flow.ensure(label_h + line_h + 2 * PAD)
    item.target_page = first_page + len(flow.pages) - 1
    flow.rect(LEFT, flow.y - label_h, WIDTH, label_h, (0.863, 0.902, 0.941))
    flow.lines(LEFT + PAD, flow.y - PAD, label, 8.0, bold=True)
    flow.gap(label_h + 2)
    for line in lines:
        if not flow.room(line_h):
            flow.new_page()
        flow.lines(LEFT + PAD, flow.y, [line], 9.0, width=WIDTH - 2 * PAD)
        flow.gap(line_h)
    flow.gap(8)


def _new_widget(doc: _Document, w: Widget, page: int, wanted: _Wanted) -> None:
    """Add a field drawn on a continuation page to the document (and its field tree unless flattening)."""
    parts = w.name.split(".")
    if w.kind == "radio":
        group_name = w.name
        chosen = w.state in wanted.ticks.get(group_name, [])
        num = doc.reserve() if not doc.flatten else 0
        if not doc.flatten:
            if group_name in doc.t.groups:
                doc.group_kids.setdefault(group_name, []).append(num)
            else:
                node = _ensure_node(doc, parts, "radio")
                node.kids.append(num)
            head = _widget_head(w, page, _group_num(doc, group_name))
            doc.changed[num] = head + b"/AS/Off>>"
            doc.extra_annot(page, num)
        if chosen:
            doc.tick(_Button(num, head if not doc.flatten else b"", page, w.rect, w.state), group_name)
        return
    if w.kind == "check":
        group_name = ".".join(parts[:-1])
        chosen = parts[-1] in wanted.ticks.get(group_name, [])
        num = 0
        head = b""
        if not doc.flatten:
            num = doc.reserve()
            parent = _ensure_parent(doc, parts[:-1])
            head = _check_head(w, page, parent, parts[-1])
            doc.changed[num] = head + b"/V/Off/AS/Off>>"
            doc.extra_annot(page, num)
        if chosen:
            doc.tick(_Button(num, head, page, w.rect, "Yes"), None)
        return
    num = 0
    head = b""
    if not doc.flatten:
        num = doc.reserve()
        parent = _ensure_parent(doc, parts[:-1])
        head = _text_head(w, page, parent, parts[-1])
        doc.changed[num] = head + b">>"
        doc.extra_annot(page, num)
    doc.heads[num] = head
    text = wanted.texts.get(w.name, "")
    if text:
        doc.text(w.name, num, head, page, w.rect, w.size, text, w.label)


def _group_num(doc: _Document, name: str) -> int:
    group = doc.t.groups.get(name)
    return group.num if group is not None else doc.new_nodes[name].num


def _ensure_parent(doc: _Document, parts: list[str]) -> int | None:
    if not parts:
        return None
    return _ensure_node(doc, parts, "node").num


def _ensure_node(doc: _Document, parts: list[str], kind: str) -> _NewNode | _ParentRef:
    """The field named by `parts`, created (with its missing parents) when the template lacks it."""
    name = ".".join(parts)
    existing = doc.t.parents.get(name)
    if existing is not None:
        return _ParentRef(existing.num, name)
    if name in doc.new_nodes:
        return doc.new_nodes[name]
    parent = _ensure_parent(doc, parts[:-1])
    node = _NewNode(doc.reserve(), parts[-1], parent, kind)
    doc.new_nodes[name] = node
    _add_kid(doc, ".".join(parts[:-1]), node.num)
    return node


@dataclass
class _ParentRef:
    """A template parent that gains kids on a continuation page."""

    num: int
    name: str

    @property
    def kids(self) -> _KidList:
        return _KidList(self.name)


class _KidList:
    def __init__(self, name: str) -> None:
        self.name = name

    def append(self, num: int) -> None:  # pragma: no cover - radio groups are never template parents
        raise AssertionError(self.name)


def _add_kid(doc: _Document, parent_name: str, num: int) -> None:
    if not parent_name:
        doc.new_roots.append(num)
    elif parent_name in doc.new_nodes:
        doc.new_nodes[parent_name].kids.append(num)
    else:
        doc.parent_kids.setdefault(parent_name, []).append(num)


def _widget_common(w: Widget, page: int) -> bytes:
    return b"/Type/Annot/Subtype/Widget/Rect[%s]/P %%d 0 R/F 4" % b" ".join(_n(v) for v in w.rect)


def _text_head(w: Widget, page: int, parent: int | None) -> bytes:  # type: ignore[no-redef]
    raise NotImplementedError


def _attach(doc: _Document, num: int, parent: int | None, part: str) -> None:
    _ = (doc, num, parent, part)
