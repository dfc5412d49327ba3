"""Printed wording shared by the builders and the readers: what a form says besides its answers."""

from __future__ import annotations

from pepdocs._util.memo import per_object
from pepdocs.forms._spec import Block, Form, Section, _normal


def section_heading(section: Section) -> str:
    """A section's heading as printed: 'Section 3: School information'."""
    return f"Section {section.key}: {section.title}"


def filled_by_line(section: Section) -> str:
    return f"Who completes this section: {section.filled_by}" if section.filled_by else ""


def partial_title(form: Form, sections: frozenset[str] | None) -> str:
    """The title of a part of a form sent on its own, e.g. the school's Section 3."""
    if not sections:
        return form.title
    keys = sorted(sections)
    names = ", ".join(keys)
    noun = "Section" if len(keys) == 1 else "Sections"
    return f"{form.title}: {noun} {names} only"


def static_texts(form: Form) -> set[str]:
    """Every piece of fixed wording a form prints outside its answer cells."""
    texts = {form.authority, form.title, form.intro, form.short_title, "OFFICIAL-SENSITIVE"}
    for section in form.sections:
        texts |= {section_heading(section), filled_by_line(section), section.note}
        for block in section.blocks:
            texts |= {block.heading, block.note}
    return {t for t in texts if t}


def block_header(block: Block) -> list[str]:
    """Column labels printed at the top of a table or grid block."""
    if block.kind == "table":
        return [c.label for c in block.columns]
    if block.kind == "grid":
        return ["", *(c.label for c in block.columns[: block.pairs])]
    return []


@per_object
def printed_words(form: Form) -> frozenset[str]:
    """Everything a pepdocs form prints besides its answers, normalised: fixed wording, labels, headings."""
    words = static_texts(form) | {f.label for f in (*form.title_fields, *form.fields())}
    for _, block in form.blocks():
        words |= {*block_header(block), *block.row_labels}
    return frozenset(_normal(word) for word in words if word)


def shown_label(form: Form, label: str) -> str:
    """An unmapped item's label as a message may say it: words the form prints, else nothing (they may be a value).

    A council's own form labels what it keeps only with words its blank form prints.
    """
    return label if form.foreign or _normal(label) in printed_words(form) else ""
