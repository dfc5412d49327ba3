"""What of a PEP a rendered form leaves out: values with no place on it, in sections not drawn, for other years."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from pepdocs._types import Audience
from pepdocs.forms._answers import year_on
from pepdocs.forms._spec import Block, Field, Form, Section
from pepdocs.model._pep import PEP

REASONS = {
    "no-place": "the form has no place for it",
    "section": "its section is not in this part",
    "years": "the form shows it only for other year groups",
    "audience": "copies for others leave it out",
}


@dataclass(frozen=True)
class Omission:
    """One value of the record that a rendered form does not show, and why (never the value itself)."""

    path: str
    """Its JSON path in the record: `$.education.transition`, `$.care.carers[0].name`."""
    reason: str
    """One of REASONS' keys: no-place, section, years, audience."""
    label: str = ""
    """The form's label for it, where the form has one."""
    note: str = ""

    def describe(self) -> str:
        """The omission as one line: where, and why."""
        label = f' "{self.label}"' if self.label else ""
        note = f" ({self.note})" if self.note else ""
        return f"{self.path}{label}: {REASONS[self.reason]}{note}"


def _leaves(data: Any, json: str, model: str) -> list[tuple[str, str]]:
    """Every filled value below `data`: its JSON path and its model path (`[]` for list items)."""
    if isinstance(data, dict):
        return [pair for key, value in data.items() for pair in _leaves(value, f"{json}.{key}", f"{model}.{key}")]
    if isinstance(data, list) and data and all(isinstance(item, dict) for item in data):
        return [pair for i, item in enumerate(data) for pair in _leaves(item, f"{json}[{i}]", f"{model}[]")]
    if data in (None, "", [], {}):
        return []
    return [(json, model)]


def _places(form: Form) -> dict[str, tuple[Section, Block, Field]]:
    places: dict[str, tuple[Section, Block, Field]] = {}
    for section, block in form.blocks():
        for f in (*block.cells(), *(block.columns if block.kind == "table" else ())):
            if not f.derived:
                places.setdefault(f.path, (section, block, f))
    return places


def omitted(
    pep: PEP, form: Form, sections: frozenset[str] | None = None, audience: Audience = "record", on: date | None = None
) -> list[Omission]:
    """Every value of `pep` that `form`, drawn for these sections and this audience, does not show."""
    places = _places(form)
    band = {f.path for f in form.title_fields}
    data = pep.model_dump(exclude_defaults=True, exclude_computed_fields=True, exclude={"schema_version"})
    extensions = data.pop("extensions", {})
    leaves = _leaves(data, "$", "")
    for form_id, values in extensions.items():
        for json, model in _leaves(values, f"$.extensions.{form_id}", ""):
            leaves.append((json, f".extensions{model}" if form_id == form.id else f".extensions.{form_id}{model}"))
    year = year_on(pep, on).get("year_group", pep.year_group)
    out: list[Omission] = []
    for json, model in leaves:
        path = model.removeprefix(".")
        place = places.get(path)
        if place is None:
            if path not in band:
                out.append(Omission(json, "no-place"))
            continue
        section, block, f = place
        if sections is not None and section.key not in sections:
            if path not in band:
                out.append(Omission(json, "section", f.label, f"section {section.key}"))
        elif block.years is not None and year is not None and not block.years[0] <= year <= block.years[1]:
            first, last = block.years
            out.append(Omission(json, "years", f.label, f"Years {first} to {last}; the child is in Year {year}"))
        elif audience != "record" and (f.sensitive or block.sensitive):
            out.append(Omission(json, "audience", f.label, f"the {audience} copy"))
    return out
