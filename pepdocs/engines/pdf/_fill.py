"""Filling a form's PDF template: field values with appearances drawn in the embedded font, continuation pages.

The template is read once per process with pypdf and every object's bytes kept; each document is
written from those bytes plus what changes: field values (/V), appearance streams (so values show in
every viewer without /NeedAppearances), and continuation pages for answers and list items that do
not fit. With `flatten`, the answers are drawn into the pages and the form itself is left out.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import re
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from typing import Any

from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject, PdfObject

from pepdocs._errors import RenderError
from pepdocs.engines.pdf._build import (
    BLUE,
    CROSS,
    LABEL_FILL,
    LEFT,
    PAGE_H,
    PAGE_W,
    RADIO,
    SECTION_FILL,
    WIDTH,
    Flow,
    Widget,
    build_pdf,
    cell_name,
    draw_boxes,
    field_name,
    group_entries,
    heading_lines,
    info_entries,
    is_multi,
    page_header,
    page_overlay,
    state_of,
    table_rows,
    text_height,
    widget_entries,
)
from pepdocs.engines.pdf._syntax import Name as PdfName
from pepdocs.engines.pdf._syntax import Ref as PdfRef
from pepdocs.engines.pdf._syntax import name_bytes, serialize, string_bytes, trailer, write_file
from pepdocs.engines.pdf._text import PAD, Fit, draw_fit, fit, font, rejoin, wrap
from pepdocs.forms._answers import Answers
from pepdocs.forms._spec import Block, Field, Form, get_form

Rect = tuple[float, float, float, float]


# --- the template, read once -------------------------------------------------------------------


@dataclass
class _Text:
    """A text field of the template (field and widget in one object)."""

    num: int
    head: bytes  # the dictionary without /V, /AP and its closing '>>'
    page: int
    rect: Rect
    size: float
    label: str


@dataclass
class _Button:
    """One radio button or checkbox of a document."""

    num: int
    head: bytes  # without /AS (and /V for a checkbox) and the closing '>>'
    page: int
    rect: Rect
    state: str


@dataclass
class _Group:
    """A radio group of the template: one field, a button per option."""

    num: int
    head: bytes  # without /V, /Kids and the closing '>>'
    kids: list[int]
    buttons: dict[str, _Button]


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
    first_id: bytes
    root: int
    info: int
    acroform: int
    acroform_head: bytes
    catalog_flat: bytes
    pages_node: int
    pages_head: bytes
    resources: int
    pages: list[int]
    page_heads: list[bytes]  # page dictionaries without /Contents, /Annots and '>>'
    contents: list[list[int]]
    annots: list[list[int]]
    roots: list[int]
    texts: dict[str, _Text] = field(default_factory=dict)
    groups: dict[str, _Group] = field(default_factory=dict)
    checks: dict[str, _Button] = field(default_factory=dict)
    parents: dict[str, _Parent] = field(default_factory=dict)
    form_objects: set[int] = field(default_factory=set)
    box_on: int = 0
    box_off: int = 0


def _bytes(obj: PdfObject) -> bytes:
    buffer = io.BytesIO()
    obj.write_to_stream(buffer)
    return buffer.getvalue()


def _head(obj: DictionaryObject, *drop: str) -> bytes:
    """A dictionary's bytes without some keys and without its closing '>>', ready to have entries added."""
    kept = DictionaryObject({key: value for key, value in obj.items() if key not in drop})
    return _bytes(kept)[:-2]


def _rect(obj: Any) -> Rect:
    x0, y0, x1, y1 = (float(v) for v in obj["/Rect"])
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


_DA_SIZE = re.compile(r"([\d.]+)\s+Tf")


def _index(reader: PdfReader) -> _Template:
    """Every object of a template as bytes, and its pages and field tree."""
    size = int(reader.trailer["/Size"])  # type: ignore[call-overload]
    bodies: list[bytes | None] = [None] * size
    for num in reader.xref[0]:
        bodies[num] = _bytes(reader.get_object(num))  # type: ignore[arg-type]
    catalog: Any = reader.trailer["/Root"]
    acroform: Any = catalog["/AcroForm"]
    pages_node: Any = catalog["/Pages"]
    page_nums = [ref.idnum for ref in pages_node.raw_get("/Kids")]
    pages: list[Any] = [reader.get_object(num) for num in page_nums]
    t = _Template(
        bodies=bodies,
        first_id=bytes(reader.trailer["/ID"][0].original_bytes),  # type: ignore[index]
        root=reader.trailer.raw_get("/Root").idnum,
        info=reader.trailer.raw_get("/Info").idnum,
        acroform=catalog.raw_get("/AcroForm").idnum,
        acroform_head=_head(acroform, "/Fields"),
        catalog_flat=_bytes(DictionaryObject({k: v for k, v in catalog.items() if k != "/AcroForm"})),
        pages_node=catalog.raw_get("/Pages").idnum,
        pages_head=_head(pages_node, "/Kids", "/Count"),
        resources=acroform.raw_get("/DR").idnum,
        pages=page_nums,
        page_heads=[_head(page, "/Contents", "/Annots") for page in pages],
        contents=[[ref.idnum for ref in page.raw_get("/Contents")] for page in pages],
        annots=[[ref.idnum for ref in page.raw_get("/Annots") or []] for page in pages],
        roots=[ref.idnum for ref in acroform.raw_get("/Fields")],
    )
    t.form_objects.add(t.acroform)
    page_index = {num: i for i, num in enumerate(page_nums)}
    for ref in acroform.raw_get("/Fields"):
        _walk(ref, "", t, page_index)
    return t


def _walk(ref: IndirectObject, prefix: str, t: _Template, page_index: dict[int, int]) -> None:
    obj: Any = ref.get_object()
    num = ref.idnum
    name = f"{prefix}.{obj['/T']}" if prefix else str(obj["/T"])
    t.form_objects.add(num)
    kind = obj.get("/FT")
    if kind == "/Tx":
        size = _DA_SIZE.search(str(obj.get("/DA", "")))
        page = page_index[obj.raw_get("/P").idnum]
        t.texts[name] = _Text(
            num, _head(obj, "/V", "/AP"), page, _rect(obj), float(size[1]) if size else 9.0, str(obj.get("/TU", name))
        )
        return
    if kind == "/Btn":
        kids = list(obj.raw_get("/Kids") or []) if int(obj.get("/Ff", 0)) & RADIO else [ref]
        buttons = {}
        for kid_ref in kids:
            kid: Any = kid_ref.get_object()
            t.form_objects.add(kid_ref.idnum)
            appearances = kid["/AP"].raw_get("/N")
            state = next(str(s)[1:] for s in appearances if s != "/Off")
            t.box_on, t.box_off = appearances.raw_get(f"/{state}").idnum, appearances.raw_get("/Off").idnum
            t.form_objects.update((t.box_on, t.box_off))
            page = page_index[kid.raw_get("/P").idnum]
            if kid_ref is ref:
                t.checks[name] = _Button(num, _head(kid, "/V", "/AS"), page, _rect(kid), state)
            else:
                buttons[state] = _Button(kid_ref.idnum, _head(kid, "/AS"), page, _rect(kid), state)
        if kids and kids[0] is not ref:
            t.groups[name] = _Group(num, _head(obj, "/V", "/Kids"), [k.idnum for k in kids], buttons)
        return
    kids = list(obj.raw_get("/Kids") or [])
    t.parents[name] = _Parent(num, _head(obj, "/Kids"), [k.idnum for k in kids])
    for kid_ref in kids:
        _walk(kid_ref, name, t, page_index)


@cache
def template_for(form: Form) -> _Template:
    """The PDF template of a form, read from its folder once per process; a part of a form is built once."""
    path = form.folder / "form.pdf"
    try:
        data = path.read_bytes() if form == get_form(form.id) else build_pdf(form)
    except OSError as error:
        raise RenderError(f"form {form.id} has no PDF template at {path.name}; run python -m pepdocs.build") from error
    font()  # measured once per process too, so a warmed-up worker draws at once
    try:
        return _index(PdfReader(io.BytesIO(data)))
    except Exception as error:  # a template pepdocs did not build: say so rather than fail obscurely
        raise RenderError(f"the PDF template of form {form.id} is not one pepdocs built ({error})") from error


# --- what a document shows ---------------------------------------------------------------------


def _states(value: Any) -> list[str]:
    """The on-states of the boxes an answer ticks."""
    if value is None:
        return []
    chosen = value if isinstance(value, list) else [value]
    return [state_of(v) for v in chosen if isinstance(v, bool | Enum)]


@dataclass
class _Wanted:
    """What one document puts in its fields: text and ticked states by field name, with labels."""

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
            if not answers.show.get(block.id, True):
                continue  # a block this child or audience does not get: its boxes stay empty
            for f in block.cells():
                name = field_name(f)
                wanted.labels[name] = f.label
                wanted.fields[name] = f
                if f.widget == "boxes" and not f.derived:
                    wanted.ticks[name] = _states(answers.raw.get(f.id))
                else:
                    wanted.texts[name] = answers.values.get(f.id, "")
            if block.kind != "table":
                continue
            rows = answers.tables.get(block.id, [])
            raw_rows = answers.raw_tables.get(block.id, [])
            for index, row in enumerate(rows):
                for column in block.columns:
                    name = cell_name(block, index, column)
                    text = row.get(column.id, "")
                    wanted.labels[name] = f"{block.heading or 'Table'}, row {index + 1}: {column.label}"
                    wanted.fields[name] = column
                    if column.widget == "boxes":
                        wanted.ticks[name] = _states(raw_rows[index][column.id]) if index < len(raw_rows) else []
                    else:
                        wanted.texts[name] = text
            if len(rows) > block.rows:
                wanted.extra_rows.append((block, block.rows, len(rows)))
    return wanted


# --- one document --------------------------------------------------------------------------


@dataclass
class _NewNode:
    """A field created for a continuation page: a parent or a radio group."""

    num: int
    part: str
    parent: int | None
    kind: str  # node, radio
    kids: list[int] = field(default_factory=list)


@dataclass
class _Overflow:
    """A text answer that did not fit its box: the box, the fitted lines, and where the rest is drawn."""

    num: int
    head: bytes
    page: int
    rect: Rect
    fit: Fit
    text: str
    label: str
    target_page: int = 0


class _Document:
    """One document being written from a template: changed and new objects, continuation pages."""

    def __init__(self, form: Form, template: _Template, flatten: bool) -> None:
        self.form = form
        self.t = template
        self.flatten = flatten
        self.changed: dict[int, bytes] = {}
        self.next = len(template.bodies)
        self.flat: dict[int, list[bytes]] = {}
        self.overflows: list[_Overflow] = []
        self.extra_pages: list[Any] = []
        self.page_nums: dict[int, int] = {}
        self.extra_annots: dict[int, list[int]] = {}
        self.group_state: dict[int, str] = {}
        self.kids_added: dict[int, list[int]] = {}
        self.new_nodes: dict[str, _NewNode] = {}
        self.new_roots: list[int] = []

    def reserve(self) -> int:
        self.next += 1
        return self.next - 1

    def page_num(self, page: int) -> int:
        """The object number of a page, reserving one for a continuation page."""
        if page < len(self.t.pages):
            return self.t.pages[page]
        if page not in self.page_nums:
            self.page_nums[page] = self.reserve()
        return self.page_nums[page]

    # --- text fields

    def text(self, num: int, head: bytes, page: int, rect: Rect, size: float, text: str, label: str) -> None:
        """Fill a text field: its value and an appearance, or the start of it and a note of the rest."""
        width, height = rect[2] - rect[0], rect[3] - rect[1]
        result = fit(text, width, height, size)
        if result.overflow:
            self.overflows.append(_Overflow(num, head, page, rect, result, text, label))
        else:
            self.place(num, head, page, rect, draw_fit(result, width, height), text)

    def place(self, num: int, head: bytes, page: int, rect: Rect, ops: bytes, text: str) -> None:
        width, height = rect[2] - rect[0], rect[3] - rect[1]
        if self.flatten:
            self.flat.setdefault(page, []).append(b"q 1 0 0 1 %.2f %.2f cm %s Q" % (rect[0], rect[1], ops))
            return
        ap = self.reserve()
        self.changed[ap] = (
            b"<</Type/XObject/Subtype/Form/BBox[0 0 %.2f %.2f]/Resources %d 0 R/Length %d>>\nstream\n%s\nendstream"
            % (
                width,
                height,
                self.t.resources,
                len(ops),
                ops,
            )
        )
        self.changed[num] = head + b"/V " + string_bytes(text) + b"/AP<</N %d 0 R>>>>" % ap

    # --- tick boxes

    def tick(self, button: _Button, group: int | None) -> None:
        if self.flatten:
            self.flat.setdefault(button.page, []).append(
                b"q 1 0 0 1 %.2f %.2f cm %s Q" % (button.rect[0], button.rect[1], CROSS)
            )
        elif group is None:
            self.changed[button.num] = button.head + b"/V/Yes/AS/Yes>>"
        else:
            self.changed[button.num] = button.head + b"/AS" + name_bytes(button.state) + b">>"
            self.group_state[group] = button.state

    # --- fields added on continuation pages

    def node(self, name: str, kind: str = "node") -> int | None:
        """The object number of a field that groups others, created with its parents when the template lacks it."""
        if not name:
            return None
        if name in self.t.parents:
            return self.t.parents[name].num
        if name in self.t.groups:
            return self.t.groups[name].num
        if name in self.new_nodes:
            return self.new_nodes[name].num
        parent_name, _, part = name.rpartition(".")
        parent = self.node(parent_name)
        num = self.reserve()
        self.new_nodes[name] = _NewNode(num, part, parent, kind)
        self.add_kid(parent_name, num)
        return num

    def add_kid(self, parent_name: str, num: int) -> None:
        if not parent_name:
            self.new_roots.append(num)
        elif parent_name in self.new_nodes:
            self.new_nodes[parent_name].kids.append(num)
        else:
            parent = self.node(parent_name)
            assert parent is not None
            self.kids_added.setdefault(parent, []).append(num)

    def widget(self, w: Widget, page: int, wanted: _Wanted) -> None:
        """Add a field drawn on a continuation page, and fill it."""
        num = 0 if self.flatten else self.reserve()
        if num:
            self.extra_annots.setdefault(page, []).append(num)
        radio = w.kind == "radio"
        field, _, part = w.name.rpartition(".")
        if radio:
            field = w.name  # a radio button's field is its group; a text field or checkbox is a field itself
        head = b""
        parent = None
        if not self.flatten:
            parent = self.node(field, "radio" if radio else "node")
            self.add_kid(field, num)
            page_ref, on, off = PdfRef(self.page_num(page)), PdfRef(self.t.box_on), PdfRef(self.t.box_off)
            entries = widget_entries(w, part, parent, page_ref, on, off)
            # The value and state are written with the head, when the document has them.
            head = serialize({k: v for k, v in entries.items() if k not in ("V", "AS")})[:-2]
            self.changed[num] = head + {"text": b">>", "check": b"/V/Off/AS/Off>>", "radio": b"/AS/Off>>"}[w.kind]
        if radio:
            if w.state in wanted.ticks.get(w.name, []):
                self.tick(_Button(num, head, page, w.rect, w.state), parent or 0)
        elif w.kind == "check":
            if part in wanted.ticks.get(field, []):
                self.tick(_Button(num, head, page, w.rect, "Yes"), None)
        elif wanted.texts.get(w.name):
            self.text(num, head, page, w.rect, w.size, wanted.texts[w.name], w.label)


def render_pdf(
    form: Form,
    answers: Answers,
    title: str,
    properties: dict[str, str],
    *,
    flatten: bool = False,
    footer_name: str = "",
) -> bytes:
    """A filled PDF: values with drawn appearances in the form's fields, continuation pages for what does not fit.

    With `flatten`, every answer is drawn into the pages and the form itself (fields, widgets, values) is left out.
    """
    t = template_for(form)
    doc = _Document(form, t, flatten)
    wanted = _wanted(form, answers)
    for name, text in wanted.texts.items():
        target = t.texts.get(name)
        if target is not None and text:
            doc.text(target.num, target.head, target.page, target.rect, target.size, text, target.label)
    extra_choices: list[tuple[str, str]] = []
    for name, states in wanted.ticks.items():
        multi = is_multi(wanted.fields[name])
        group = t.groups.get(name)
        for state in states:
            check = t.checks.get(f"{name}.{state}")
            if check is not None:
                doc.tick(check, None)
            elif group is not None and state in group.buttons:
                doc.tick(group.buttons[state], group.num)
            elif group is not None or (multi and _printed(t, name)):
                extra_choices.append((name, state))
    if wanted.extra_rows or extra_choices or doc.overflows:
        _continuation(doc, wanted, extra_choices)
    for item in doc.overflows:
        width, height = item.rect[2] - item.rect[0], item.rect[3] - item.rect[1]
        doc.place(
            item.num,
            item.head,
            item.page,
            item.rect,
            draw_fit(item.fit, width, height, item.target_page + 1),
            item.text,
        )
    return _write(doc, title, properties, footer_name)


def _printed(t: _Template, name: str) -> bool:
    """Whether the template prints the boxes of a multi-choice answer (else a continuation row does)."""
    return name in t.parents


def _continuation(doc: _Document, wanted: _Wanted, extra_choices: list[tuple[str, str]]) -> None:
    """Continuation pages: list items beyond the printed rows, choices with no box, the rest of long answers."""
    t = doc.t
    flow = Flow(page_header(doc.form))
    first_page = len(t.pages)
    _bar(flow, "Continuation: answers that did not fit in their boxes")
    for block, start, end in wanted.extra_rows:
        height, first = heading_lines(dataclasses.replace(block, heading=f"{block.heading or 'Table'} (continued)"))
        table_rows(flow, block, range(start, end), first, height)
        flow.gap(8)
    drawn = {w.name for page in flow.pages for w in page.widgets}
    for name, states in wanted.ticks.items():
        f = wanted.fields[name]
        if name in t.groups or name in t.parents:
            continue
        if name in drawn or any(n.startswith(name + ".") for n in drawn):
            printed = {state_of(o) for o in f.options}
            extra_choices.extend((name, s) for s in states if s not in printed)
    for name, state in extra_choices:
        _choice_row(flow, wanted, name, state)
    for page_no, page in enumerate(flow.pages):
        for w in page.widgets:
            doc.widget(w, first_page + page_no, wanted)
    flow.gap(4)
    for item in doc.overflows:
        _continued_text(flow, item, first_page)
    doc.extra_pages = flow.pages


def _bar(flow: Flow, text: str) -> None:
    flow.rect(LEFT, flow.y - 20, WIDTH, 20, SECTION_FILL, stroke=False)
    flow.lines(LEFT + PAD, flow.y - 4, wrap(text, 12.0, WIDTH), 12.0, BLUE, bold=True)
    flow.gap(26)


def _choice_row(flow: Flow, wanted: _Wanted, name: str, state: str) -> None:
    """A row for a choice the form prints no box for: the answer's label and a ticked box with the choice's words."""
    f = wanted.fields[name]
    option = next(o for o in f.readable_options() if state_of(o) == state)
    single = dataclasses.replace(f, options=(option,))
    label = wanted.labels.get(name, f.label)
    label_w = WIDTH * 0.5
    lines = wrap(label, 8.0, label_w - 2 * PAD)
    height = max(18.0, text_height(len(lines), 8.0))

    def draw(flow: Flow, top: float) -> None:
        flow.rect(LEFT, top - height, label_w, height, LABEL_FILL)
        flow.lines(LEFT + PAD, top - PAD, lines, 8.0, bold=True)
        flow.rect(LEFT + label_w, top - height, WIDTH - label_w, height)
        draw_boxes(flow, single, name, LEFT + label_w, top, WIDTH - label_w, False, label)

    flow.row(height, draw)


def _continued_text(flow: Flow, item: _Overflow, first_page: int) -> None:
    """The rest of a long answer, under its label, line by line down as many pages as it needs."""
    label = wrap(f"Continued from page {item.page + 1}: {item.label}", 8.0, WIDTH - 2 * PAD)
    label_h = text_height(len(label), 8.0)
    lines = wrap(rejoin(item.fit.overflow), 9.0, WIDTH - 2 * PAD)
    line_h = 9.0 * 1.18
    flow.ensure(label_h + line_h + 2 * PAD)
    item.target_page = first_page + len(flow.pages) - 1
    flow.rect(LEFT, flow.y - label_h, WIDTH, label_h, LABEL_FILL)
    flow.lines(LEFT + PAD, flow.y - PAD, label, 8.0, bold=True)
    flow.gap(label_h + 2)
    for line in lines:
        if not flow.room(line_h):
            flow.new_page()
        flow.lines(LEFT + PAD, flow.y, [line], 9.0, width=WIDTH - 2 * PAD)
        flow.gap(line_h)
    flow.gap(8)


def _stream(data: bytes) -> bytes:
    return b"<</Length %d>>\nstream\n%s\nendstream" % (len(data), data)


def _write(doc: _Document, title: str, properties: dict[str, str], footer_name: str) -> bytes:
    """The document's bytes: the template's objects, replaced where they changed, then the new ones."""
    t = doc.t
    changed = doc.changed
    total = len(t.pages) + len(doc.extra_pages)
    for index, nums in enumerate(t.contents):
        changed[nums[-1]] = _stream(page_overlay(index, total, title, footer_name))
    for index, page in enumerate(doc.extra_pages, start=len(t.pages)):
        num = doc.page_num(index)
        static = doc.reserve()
        overlay = doc.reserve()
        changed[static] = _stream(b"\n".join(page.ops))
        changed[overlay] = _stream(page_overlay(index, total, title, footer_name))
        contents = [static, overlay]
        if doc.flatten and index in doc.flat:
            flat = doc.reserve()
            changed[flat] = _stream(b"\n".join(doc.flat[index]))
            contents.append(flat)
        entries: dict[str, Any] = {
            "Type": PdfName("Page"),
            "Parent": PdfRef(t.pages_node),
            "MediaBox": [0, 0, PAGE_W, PAGE_H],
            "Resources": PdfRef(t.resources),
            "Contents": [PdfRef(c) for c in contents],
        }
        if doc.extra_annots.get(index) and not doc.flatten:
            entries["Annots"] = [PdfRef(a) for a in doc.extra_annots[index]]
        changed[num] = serialize(entries)
    all_pages = t.pages + [doc.page_num(i) for i in range(len(t.pages), total)]
    if doc.extra_pages:
        changed[t.pages_node] = t.pages_head + b"/Kids[%s]/Count %d>>" % (
            b" ".join(b"%d 0 R" % p for p in all_pages),
            total,
        )
    if doc.flatten:
        changed[t.root] = t.catalog_flat
        for index, num in enumerate(t.pages):
            contents = list(t.contents[index])
            if index in doc.flat:
                flat = doc.reserve()
                changed[flat] = _stream(b"\n".join(doc.flat[index]))
                contents.append(flat)
            changed[num] = t.page_heads[index] + b"/Contents[%s]>>" % b" ".join(b"%d 0 R" % c for c in contents)
    else:
        _update_fields(doc)
    changed[t.info] = serialize(info_entries(doc.form, properties))
    size = doc.next
    skip = t.form_objects if doc.flatten else set()
    bodies = t.bodies

    def objects() -> Any:
        for num in range(1, size):
            body = changed.get(num)
            if body is None:
                if num in skip or num >= len(bodies):
                    continue
                body = bodies[num]
                if body is None:
                    continue
            yield num, body

    digest = hashlib.md5(usedforsecurity=False)
    for num in sorted(changed):
        digest.update(changed[num])
    return write_file(objects(), size, trailer(size, t.root, t.info, (t.first_id, digest.digest())))


def _update_fields(doc: _Document) -> None:
    """Rewrite the fields whose kids or value changed, and write the fields new to this document."""
    t, changed = doc.t, doc.changed
    for group in t.groups.values():
        state = doc.group_state.get(group.num)
        added = doc.kids_added.get(group.num, [])
        if state is None and not added:
            continue
        value = b"/V" + name_bytes(state) if state else b""
        kids = b" ".join(b"%d 0 R" % k for k in group.kids + added)
        changed[group.num] = group.head + value + b"/Kids[" + kids + b"]>>"
    for parent in t.parents.values():
        added = doc.kids_added.get(parent.num, [])
        if added:
            changed[parent.num] = (
                parent.head + b"/Kids[" + b" ".join(b"%d 0 R" % k for k in parent.kids + added) + b"]>>"
            )
    for node in doc.new_nodes.values():
        state = doc.group_state.get(node.num, "")
        changed[node.num] = serialize(
            group_entries(node.part, node.parent, node.kids, node.kind == "radio", state=state)
        )
    if doc.new_roots:
        roots = t.roots + doc.new_roots
        changed[t.acroform] = t.acroform_head + b"/Fields[" + b" ".join(b"%d 0 R" % r for r in roots) + b"]>>"
