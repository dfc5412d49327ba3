"""Turning one authority's completed form into another's, with a field-by-field report."""

from __future__ import annotations

import logging
import os
from dataclasses import asdict, dataclass, field
from typing import Any

from pepdocs._types import Format
from pepdocs.forms._answers import shown, value_at
from pepdocs.forms._assemble import Parsed
from pepdocs.forms._omitted import omitted
from pepdocs.forms._spec import Field, Form, get_form
from pepdocs.forms._wording import shown_label
from pepdocs.model._paths import get
from pepdocs.model._pep import PEP
from pepdocs.model._records import json_path
from pepdocs.workflows._api import parse, render
from pepdocs.workflows._select import has_no_provision, stage_name

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Change:
    """One line of a conversion report."""

    kind: str  # no-place, left-out, left-empty, translated, meaning, unmapped, warning
    path: str
    label: str = ""
    source: str = ""
    target: str = ""
    note: str = ""


@dataclass
class Report:
    """What a conversion did, field by field."""

    source_form: str
    target_form: str
    changes: list[Change] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The report as plain data, for JSON."""
        return {
            "source_form": self.source_form,
            "target_form": self.target_form,
            "changes": [asdict(c) for c in self.changes],
        }

    def lines(self) -> list[str]:
        """The report as a person reads it: each change's label, path and what happened, never a value.

        The values read and written are in `changes` (and `to_dict`), for a file the user asks for.
        """
        words = {
            "no-place": "has no place on {target}",
            "left-empty": "stays empty: {source} had nothing for it",
            "translated": "written differently",
            "meaning": "means something different",
            "unmapped": "kept without a place",
            "warning": "could not be read",
            "left-out": "left out of {target}",
        }
        count = len(self.changes)
        out = [f"{self.source_form} -> {self.target_form}: {count} {'note' if count == 1 else 'notes'}"]
        for change in self.changes:
            what = words[change.kind].format(source=self.source_form, target=self.target_form)
            note = f" ({change.note})" if change.note else ""
            out.append(f"  {change.label or change.path} [{change.path}] {what}{note}")
        return out


@dataclass
class Converted:
    """A converted form: the target document, the home-authority record and the report."""

    document: bytes
    pep: PEP
    report: Report
    parsed: Parsed


def _fields_by_path(form: Form) -> dict[str, Field]:
    return {f.path: f for f in form.fields() if not f.derived}


def _item_paths(pep: PEP, form: Form, path: str) -> list[tuple[str, Any]]:
    """The concrete JSON paths and values a form path holds in a PEP: one per list item for `x[].y`."""
    if "[]." not in path:
        return [(json_path(tuple(path.split("."))), value_at(pep, form, path))]
    list_path, name = path.split("[].", 1)
    items = get(pep, list_path) or []
    base = json_path(tuple(list_path.split(".")))
    return [(f"{base}[{i}].{name}", get(item, name)) for i, item in enumerate(items)]


def _filled(value: Any) -> bool:
    return value not in (None, [], "")


def does_not_fit(pep: PEP, target: Form) -> str | None:
    """Why `target` is not a form for this child (its year group, or having a school), or None when it fits."""
    span, year = target.applies.years, pep.year_group
    if span is not None and year is not None and not span[0] <= year <= span[1]:
        serves = f"{stage_name(span[0])} to {stage_name(span[1])}"
        return f"{target.short_title} is for {serves}, but the child is in {stage_name(year)}"
    if target.applies.no_provision and not has_no_provision(pep):
        return f"{target.short_title} is for a child with no school or provision, but the record names a setting"
    return None


def report_for(parsed: Parsed, source: Form, target: Form) -> Report:
    """What of `source` has no place on `target`, what `target` leaves empty, and what is spelt differently."""
    pep = parsed.pep
    report = Report(source.id, target.id)
    source_fields, target_fields = _fields_by_path(source), _fields_by_path(target)
    for path, f in source_fields.items():
        for where, value in _item_paths(pep, source, path):
            if not _filled(value):
                continue
            if path not in target_fields or path.startswith("extensions."):
                report.changes.append(Change("no-place", where, f.label, str(parsed.texts.get(where, shown(f, value)))))
                continue
            typed = parsed.texts.get(where)
            written = shown(target_fields[path], value)
            if typed is not None and f.widget == "text" and target_fields[path].widget == "text" and typed != written:
                report.changes.append(Change("translated", where, target_fields[path].label, typed, written))
    for omission in omitted(pep, target):
        if omission.reason == "years":  # on both forms, but the target shows it only for other year groups
            report.changes.append(Change("left-out", omission.path, omission.label, note=omission.note))
    for path, f in target_fields.items():
        if path in source_fields or path.startswith("extensions."):
            continue
        if not any(_filled(v) for _, v in _item_paths(pep, target, path)):
            report.changes.append(Change("left-empty", f"$.{path}", f.label))
    for path in target.required:
        for where, value in _item_paths(pep, target, path):
            if not _filled(value):
                label = target_fields[path].label if path in target_fields else path
                report.changes.append(
                    Change(
                        "meaning", where, label, note=f"{target.short_title} requires it; {source.short_title} did not"
                    )
                )
    if source.review_cycle != target.review_cycle:
        report.changes.append(
            Change(
                "meaning",
                "$.plan.next_pep_date",
                "Review cycle",
                source.review_cycle,
                target.review_cycle,
                f"{source.short_title} reviews {source.review_cycle}; "
                f"{target.short_title} reviews {target.review_cycle}: check the next PEP date",
            )
        )
    misfit = does_not_fit(pep, target)
    if misfit is not None:
        report.changes.append(Change("meaning", "$.year_group", "Who the form is for", note=misfit))
    for entry in parsed.unmapped:
        # Its label only if the form prints it: a row's first cell or a heading typed by a school may be a value.
        report.changes.append(
            Change("unmapped", entry.path or entry.where, shown_label(source, entry.label), entry.text)
        )
    for issue in parsed.warnings:
        report.changes.append(Change("warning", issue.path, issue.field, note=issue.message))
    return report


def convert(
    source: str | os.PathLike[str] | bytes,
    to: str | Form,
    format: Format = "docx",
    *,
    form: str | Form | None = None,
    isolated: bool = False,
) -> Converted:
    """Another authority's completed form as the target form, with the home-authority record and a report."""
    target = get_form(to)
    parsed = parse(source, form=form, isolated=isolated)
    document = render(parsed.pep, target, format)
    read_as = form if isinstance(form, Form) and form.id == parsed.form else get_form(parsed.form)  # maybe unlisted
    report = report_for(parsed, read_as, target)
    log.debug("converted source=%s target=%s format=%s changes=%d", parsed.form, target.id, format, len(report.changes))
    return Converted(document, parsed.pep, report, parsed)
