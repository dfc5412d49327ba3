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
from pepdocs.forms._codecs import CHECKED, UNCHECKED, write
from pepdocs.forms._spec import Field, Form, option_label
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
    for field in form.title_fields:
        values[field.id] = shown(field, stand_in.get(field.path, value_at(pep, form, field.path)))
    for section in form.sections:
        show[section.id] = sections is None or section.key in sections
        for block in section.blocks:
            if block.conditional:
                in_years = block.years is None or year is None or block.years[0] <= year <= block.years[1]
                show[block.id] = in_years and not (private and block.sensitive)
            for field in block.cells():
                if block.kind == "text" and field.sensitive and not block.sensitive:
                    show[field.id] = not private
                value = None if private and field.sensitive else value_at(pep, form, field.path)
                raw[field.id] = value
                values[field.id] = shown(field, value)
            if block.kind == "table":
                items = get(pep, block.path) or []
                rows = []
                raw_rows = []
                for item in items:
                    row = {}
                    raw_row = {}
                    for column in block.columns:
                        value = None if private and column.sensitive else get(item, column.path.split("[].", 1)[1])
                        row[column.id] = shown(column, value, narrow=True)
                        raw_row[column.id] = value
                    rows.append(row)
                    raw_rows.append(raw_row)
                blank = {column.id: shown(column, None, narrow=True) for column in block.columns}
                rows.extend(dict(blank) for _ in range(block.rows - len(rows)))
                tables[block.id] = rows
                raw_tables[block.id] = raw_rows
    return Answers(values, tables, show, raw, raw_tables)
