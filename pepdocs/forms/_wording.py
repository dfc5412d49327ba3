"""Printed wording shared by the builders and the readers: what a form says besides its answers."""

from __future__ import annotations

from pepdocs.forms._spec import Block, Form, Section


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
