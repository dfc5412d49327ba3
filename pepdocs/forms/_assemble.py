"""From what a completed form holds to a PEP: decoding answers, collecting what has no place."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

from pepdocs._errors import Issue, LimitError, ModelError
from pepdocs._util.memo import per_object
from pepdocs.forms._codecs import read, ticked
from pepdocs.forms._spec import IDENTITY, Field, Form, option_label
from pepdocs.model._paths import put
from pepdocs.model._pep import PEP
from pepdocs.model._records import json_path, validate_dropping


@dataclass(frozen=True)
class Unmapped:
    """Something a document held that has no place on the form or in the model; never dropped."""

    label: str
    text: str
    path: str = ""
    where: str = ""


@dataclass
class Found:
    """Raw answers located in a document by a format engine, before decoding."""

    values: dict[str, str] = field(default_factory=dict)
    rows: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    unmapped: list[Unmapped] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    """What the engine noticed while reading, e.g. a box ticked only in its appearance."""


@dataclass
class Parsed:
    """A completed form read back: the PEP, which form and format, and what could not be placed."""

    pep: PEP
    form: str
    format: str
    warnings: list[Issue]
    unmapped: list[Unmapped]
    sections: list[str] | None = None
    texts: dict[str, str] = field(default_factory=dict, repr=False)
    """The text each answer held as typed, by JSON path ($.plan.meeting_date, $.targets[0].due_date)."""
    identity: dict[str, Any] = field(default_factory=dict, repr=False)
    """Who the form is about, as its name band says: values by model path (child.full_name, child.date_of_birth)."""


MAX_ROWS = 1000
"""The most items pepdocs reads into one list of a PEP (table rows, PDF row numbers): a PEP has a few dozen."""

DATE_PROMPTS = {"dd/mm/yyyy", "dd/mm/yy", "dd-mm-yyyy", "date"}
"""What a date box says until someone writes a date in it."""


Choices = tuple[tuple[Enum | bool, ...], tuple[str, ...]]
"""The options a box answer may tick and the words beside each."""


def choices(field: Field) -> Choices:
    options = field.readable_options()
    return options, tuple(option_label(o) for o in options)


def decode(field: Field, text: str, boxes: Choices | None = None) -> Any:
    """The model value of one answer; None for an empty answer; ValueError if it cannot be read.

    `boxes`: the field's `choices`, when worked out already.
    """
    if field.slot.kind == "text" and field.slot.unit != "la":
        return text if text != "" else None
    if not text.strip() or (field.slot.kind == "date" and text.strip().casefold() in DATE_PROMPTS):
        return None
    if field.widget == "boxes":
        options, labels = boxes or choices(field)
        picked = ticked(text, labels)
        if picked is None:
            return read(field.slot, text)
        if not picked:
            return None
        chosen = [options[i] for i in picked]
        if field.slot.kind == "codes":
            return chosen
        if len(chosen) > 1:
            raise ValueError(f"{len(chosen)} boxes ticked for one choice")  # which ones is the child's: never said
        return chosen[0]
    return read(field.slot, text)


@dataclass(frozen=True)
class _Plan:
    """What `assemble` walks for a form, with everything that depends only on the form worked out once."""

    fields: dict[str, tuple[Field, str, bool]]
    """The fields read into the model, by id, with the JSON path of each and whether its text is its value."""
    tables: dict[str, tuple[str, tuple[tuple[Field, str, bool], ...]]]
    """Each table block's JSON path and its columns, with each one's name below the row and whether its text is its
    value, by block id."""
    boxes: dict[str, Choices]
    """The choices of each box answer (field or column), by field id."""


def _as_typed(field: Field) -> bool:
    """Whether `decode` gives a field's text back as it is (free text): no need to call it."""
    return field.slot.kind == "text" and field.slot.unit != "la"


@per_object
def _plan(form: Form) -> _Plan:
    fields = {f.id: (f, json_path(tuple(f.path.split("."))), _as_typed(f)) for f in form.fields() if not f.derived}
    tables = {
        block.id: (
            json_path(tuple(block.path.split("."))),
            tuple((column, column.path.split("[].", 1)[1], _as_typed(column)) for column in block.columns),
        )
        for _, block in form.blocks()
        if block.kind == "table"
    }
    boxes = {f.id: choices(f) for f in (*form.title_fields, *form.fields()) if f.widget == "boxes"}
    return _Plan(fields, tables, boxes)


class _Collector:
    def __init__(self, form: Form) -> None:
        self.form = form
        self.data: dict[str, Any] = {}
        self.warnings: list[Issue] = []
        self.unmapped: list[Unmapped] = []
        self.labels: dict[str, str] = {}
        self.texts: dict[str, str] = {}
        self.boxes = _plan(form).boxes

    def problem(self, message: str, field: Field, text: str, path: str) -> None:
        self.warnings.append(Issue(message, path, field=field.label))
        self.unmapped.append(Unmapped(field.label, text, path))

    def decoded(self, field: Field, text: str, path: str) -> Any:
        try:
            return decode(field, text, self.boxes.get(field.id))
        except ValueError as error:
            self.problem(str(error), field, text, path)
            return None

    def put(self, path: str, value: Any) -> None:
        if path.startswith("extensions."):
            self.data.setdefault("extensions", {}).setdefault(self.form.id, {})[path.removeprefix("extensions.")] = (
                value
            )
        else:
            put(self.data, path, value)


def assemble(form: Form, found: Found, fmt: str, sections: frozenset[str] | None) -> Parsed:
    """Decode located answers into a PEP; every answer that cannot be read becomes a warning and is kept."""
    collector = _Collector(form)
    collector.unmapped.extend(found.unmapped)
    collector.warnings.extend(found.warnings)
    plan = _plan(form)
    fields = plan.fields
    for field_id, text in found.values.items():
        known = fields.get(field_id)
        if known is None:
            continue
        f, path, as_typed = known
        collector.labels[path] = f.label
        if not text:
            continue
        if text.strip():
            collector.texts[path] = text
        value = text if as_typed else collector.decoded(f, text, path)
        if value is not None:
            collector.put(f.path, value)
    identity = _band(collector, found)
    items: dict[str, dict[int, dict[str, Any]]] = {}
    for _section, block in form.blocks(sections):
        if block.kind != "table":
            continue
        rows = found.rows.get(block.id, [])
        if len(rows) > MAX_ROWS:
            raise LimitError(f'the table "{block.heading or block.path}" has more than {MAX_ROWS} rows')
        where, columns = plan.tables[block.id]
        for index, row in enumerate(rows):
            item = items.setdefault(block.path, {}).setdefault(index, {})
            for column, name, as_typed in columns:
                text = row.get(column.id, "")
                if not text:
                    continue  # an empty cell: no value and nothing to warn about (most rows of a table are empty)
                path = f"{where}[{index}].{name}"
                if text.strip():
                    collector.texts[path] = text
                value = text if as_typed else collector.decoded(column, text, path)
                if value is not None:
                    item[name] = value
    for list_path, by_index in items.items():
        kept = [by_index[i] for i in sorted(by_index) if by_index[i]]
        if kept:
            put(collector.data, list_path, kept)
    pep = _validated(collector)
    for entry in collector.unmapped:
        key = entry.path or entry.label or entry.where
        if key:
            extra = pep.extensions.setdefault(form.id, {})
            # Two answers under one label (two rows' "Area", two fields the blank form prints alike) are both kept.
            unique, n = key, 1
            while unique in extra:
                n += 1
                unique = f"{key} ({n})"
            extra[unique] = entry.text
    keys = sorted(sections) if sections else None
    return Parsed(pep, form.id, fmt, collector.warnings, collector.unmapped, keys, collector.texts, identity)


def _band(collector: _Collector, found: Found) -> dict[str, Any]:
    """The identity the name band holds; each item the form's sections do not hold is taken into the record too."""
    identity: dict[str, Any] = {}
    for f in collector.form.title_fields:
        text = found.values.get(f.id)
        if f.path not in IDENTITY or text is None:
            continue
        where = json_path(tuple(f.path.split(".")))
        if where in collector.labels:  # a section holds it too: its answer, even empty, is the record's
            if text == collector.texts.get(where, ""):
                try:
                    value = decode(f, text, collector.boxes.get(f.id))
                except ValueError:  # the same text in the section is warned about already
                    continue
            else:
                value = collector.decoded(f, text, where)
        else:
            value = collector.decoded(f, text, where)
            if value is not None and f.path != "child.full_name":
                collector.put(f.path, value)
        if value is not None:
            identity[f.path] = value
    return identity


def _validated(collector: _Collector) -> PEP:
    """Validate, dropping each value the model refuses (with a warning) until the rest stands."""
    pep, refusals = validate_dropping(collector.data)
    for refusal in refusals:
        path = refusal.issue.path
        label = collector.labels.get(path, "")
        collector.warnings.append(replace(refusal.issue, field=label))
        if refusal.value is not None:
            collector.unmapped.append(Unmapped(label, str(refusal.value), path))
    if pep is None:
        raise ModelError([refusal.issue for refusal in refusals], f"the answers read from form {collector.form.id}")
    return pep
