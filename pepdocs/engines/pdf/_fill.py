"""Rendering one document as a PDF: its answers by field name, laid out and written by `_build`.

Every document is laid out for its own answers (boxes sized to them, a table row per item), so there
is no template to patch and no continuation page: the blank `form.pdf` is the same layout with no
answers. With `flatten`, the answers are drawn into the pages and the form itself is left out.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from pepdocs.engines.pdf._build import Content, cell_name, field_name, lay_out, state_of, warm, write_pdf
from pepdocs.forms._answers import Answers
from pepdocs.forms._spec import Form


def _states(value: Any) -> list[str]:
    """The on-states of the boxes an answer ticks."""
    if value is None:
        return []
    chosen = value if isinstance(value, list) else [value]
    return [state_of(v) for v in chosen if isinstance(v, bool | Enum)]


def content(form: Form, answers: Answers) -> Content:
    """What one document puts in its fields, by full field name; blocks this child or reader does not get stay empty."""
    out = Content()
    for f in form.title_fields:
        out.texts[field_name(f)] = answers.values.get(f.id, "")
    for section in form.sections:
        if not answers.show.get(section.id, True):
            continue
        for block in section.blocks:
            if not answers.show.get(block.id, True):
                continue
            for f in block.cells():
                if f.widget == "boxes" and not f.derived:
                    out.ticks[field_name(f)] = _states(answers.raw.get(f.id))
                else:
                    out.texts[field_name(f)] = answers.values.get(f.id, "")
            if block.kind != "table":
                continue
            raw_rows = answers.raw_tables.get(block.id, [])
            out.items[block.id] = len(raw_rows)
            for index, row in enumerate(answers.tables.get(block.id, [])[: len(raw_rows)]):
                for column in block.columns:
                    name = cell_name(block, index, column)
                    if column.widget == "boxes":
                        out.ticks[name] = _states(raw_rows[index][column.id])
                    else:
                        out.texts[name] = row.get(column.id, "")
    return out


def render_pdf(
    form: Form,
    answers: Answers,
    title: str,
    properties: dict[str, str],
    *,
    flatten: bool = False,
    footer_name: str = "",
) -> bytes:
    """A filled PDF: each answer in a field sized to it, with a drawn appearance (into the page when `flatten`)."""
    flow = lay_out(form, title, content(form, answers), flatten)
    return write_pdf(form, flow, title, properties, footer_name)


def template_for(form: Form) -> None:
    """Get ready to render `form` (font measured, shared objects written): a warmed-up worker renders at once."""
    del form  # every form shares them
    warm()
