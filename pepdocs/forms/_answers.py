"""A PEP as a form shows it: the text of every answer, the rows of every table, what is shown."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

from pepdocs._errors import PepdocsWarning
from pepdocs._types import Audience
from pepdocs._util.memo import per_object
from pepdocs.forms._codecs import CHECKED, UNCHECKED, write
from pepdocs.forms._spec import Block, Field, Form, Section, option_label
from pepdocs.model._identifiers import key_stage, nc_year
from pepdocs.model._paths import get
from pepdocs.model._pep import PEP

_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class Answers:
    """Everything a form prints for one PEP, as text, keyed by field and table block ids, and the model values."""

    values: dict[str, str]
    tables: dict[str, list[dict[str, str]]]
    show: dict[str, bool]
    raw: dict[str, Any]
    raw_tables: dict[str, list[dict[str, Any]]]


def value_at(pep: PEP, form: Form, path: str) -> Any:
    """The model value a form field shows; `extensions.NAME` reads this form's extensions."""
    if path.startswith("extensions."):
        return pep.extensions.get(form.id, {}).get(path.removeprefix("extensions."))
    return get(pep, path)


def _clean(text: str, path: str) -> str:
    cleaned = _ILLEGAL.sub("", text)
    if cleaned != text:
        warnings.warn(PepdocsWarning(f"control characters dropped from {path}"), stacklevel=4)
    return cleaned


def shown(field: Field, value: Any, narrow: bool = False) -> str:
    """An answer as printed: tick boxes for choices, the codec's spelling for everything else.

    Boxes stand on one line, tab-separated, unless there are many or the column is `narrow`.
    """
    if field.widget == "boxes":
        chosen = set(value) if isinstance(value, list) else {value}
        options = list(field.options)
        # A code the form has no box for still shows, ticked, after the boxes it has.
        options += [c for c in chosen if c is not None and not _is_chosen(c, set(options))]
        marks = [f"{CHECKED if _is_chosen(option, chosen) else UNCHECKED} {option_label(option)}" for option in options]
        return ("\t" if len(marks) <= 4 and not narrow else "\n").join(marks)
    return _clean(write(field.slot, value), field.path)


def _is_chosen(option: Enum | bool, chosen: set[Any]) -> bool:
    return any(option is c or (isinstance(c, Enum) and option == c) for c in chosen if c is not None)


def year_on(pep: PEP, on: date | None) -> dict[str, Any]:
    """The year group and key stage of a PEP with no meeting date yet, as on the day `on` (else nothing)."""
    if pep.year_group is not None or on is None or pep.child.date_of_birth is None:
        return {}
    year = nc_year(pep.child.date_of_birth, on)
    return {"year_group": year, "key_stage": key_stage(year)}


@dataclass(frozen=True)
class _Answer:
    """A field as `answers` walks it for every PEP: worked out once per form."""

    field: Field
    steps: tuple[str, ...] | None
    """The model path's steps below the PEP; None for a form's extension."""
    sensitive: bool
    own_show: bool
    """Whether a text block's field has a `show` flag of its own (sensitive in a block that is not)."""
    blank: str
    """What the field prints with no value."""

    def value(self, pep: PEP, form: Form) -> Any:
        if self.steps is None:
            return value_at(pep, form, self.field.path)
        found: Any = pep
        for name in self.steps:
            found = getattr(found, name, None)
            if found is None:
                return None
        return found


@dataclass(frozen=True)
class _Block:
    block: Block
    conditional: bool
    sensitive: bool
    answers: tuple[_Answer, ...]
    columns: tuple[tuple[Field, str, bool, str], ...]
    """A table's columns: the field, its path below the row, whether sensitive, and what it prints blank."""


def _answer(field: Field, own_show: bool, narrow: bool = False) -> _Answer:
    path = field.path
    steps = None if path.startswith("extensions.") else tuple(path.split("."))
    return _Answer(field, steps, field.sensitive, own_show, shown(field, None, narrow))


@per_object
def _plan(form: Form) -> tuple[tuple[_Answer, ...], tuple[tuple[Section, tuple[_Block, ...]], ...]]:
    """What `answers` walks for `form`, with everything that depends only on the form worked out."""
    title = tuple(_answer(field, False) for field in form.title_fields)
    sections = []
    for section in form.sections:
        blocks = []
        for block in section.blocks:
            sensitive = block.sensitive
            cells = tuple(
                _answer(field, block.kind == "text" and field.sensitive and not sensitive) for field in block.cells()
            )
            columns = tuple(
                (column, column.path.split("[].", 1)[1], column.sensitive, shown(column, None, narrow=True))
                for column in (block.columns if block.kind == "table" else ())
            )
            blocks.append(_Block(block, block.conditional, sensitive, cells, columns))
        sections.append((section, tuple(blocks)))
    return title, tuple(sections)


def answers(
    pep: PEP,
    form: Form,
    sections: frozenset[str] | None = None,
    audience: Audience = "record",
    on: date | None = None,
) -> Answers:
    """What `form` prints for `pep`, limited to `sections` when given.

    For any audience but the record, sensitive fields print empty and wholly sensitive blocks are left out.
    `on`: the day the year group and key stage are for when the PEP has no meeting date.
    """
    stand_in = year_on(pep, on)
    private = audience != "record"
    values: dict[str, str] = {}
    raw: dict[str, Any] = {}
    tables: dict[str, list[dict[str, str]]] = {}
    raw_tables: dict[str, list[dict[str, Any]]] = {}
    show: dict[str, bool] = {}
    year = stand_in.get("year_group", pep.year_group)
    title, plan = _plan(form)
    for answer in title:
        field = answer.field
        values[field.id] = shown(field, stand_in.get(field.path, answer.value(pep, form)))
    for section, blocks in plan:
        show[section.id] = sections is None or section.key in sections
        for planned in blocks:
            block = planned.block
            if planned.conditional:
                in_years = block.years is None or year is None or block.years[0] <= year <= block.years[1]
                show[block.id] = in_years and not (private and planned.sensitive)
            for answer in planned.answers:
                field = answer.field
                if answer.own_show:
                    show[field.id] = not private
                value = None if private and answer.sensitive else answer.value(pep, form)
                raw[field.id] = value
                values[field.id] = answer.blank if value is None else shown(field, value)
            if block.kind == "table":
                items = get(pep, block.path) or []
                rows = []
                raw_rows = []
                for item in items:
                    row = {}
                    raw_row = {}
                    for column, path, sensitive, blank in planned.columns:
                        value = None if private and sensitive else get(item, path)
                        row[column.id] = blank if value is None else shown(column, value, narrow=True)
                        raw_row[column.id] = value
                    rows.append(row)
                    raw_rows.append(raw_row)
                blank_row = {column.id: blank for column, _, _, blank in planned.columns}
                rows.extend(dict(blank_row) for _ in range(block.rows - len(rows)))
                tables[block.id] = rows
                raw_tables[block.id] = raw_rows
    return Answers(values, tables, show, raw, raw_tables)
