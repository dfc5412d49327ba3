"""The DOCX engine: docxtpl templates filled from a form's answers, completed Word documents read back."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pepdocs.engines._engine import RenderOptions
from pepdocs.engines.docx._render import docx_context, render_docx, template_for
from pepdocs.forms._answers import Answers
from pepdocs.forms._assemble import Found
from pepdocs.forms._spec import Form

if TYPE_CHECKING:
    from pepdocs.engines.docx._read import DocxContent

# Reading, council forms and building import what they use when used: a process that only renders pepdocs'
# own forms (a batch worker) does not load python-docx.


class DocxEngine:
    """Word documents (.docx)."""

    format = "docx"
    suffix = ".docx"
    options: frozenset[str] = frozenset()

    def sniff(self, data: bytes) -> bool:
        return data[:2] == b"PK"

    def render(self, form: Form, answers: Answers, options: RenderOptions) -> bytes:
        if form.foreign:
            from pepdocs.engines.docx._original import render_original

            return render_original(form, answers)  # the council's own document, answered where people type
        template = template_for(form)
        context = docx_context(form, answers, options.title, options.footer_name, split=not template.lean)
        return render_docx(template, context, dict(options.properties))

    def open(self, data: bytes, file: str, password: str | None) -> DocxContent:
        from pepdocs.engines.docx._read import read_docx

        return read_docx(data, file)  # a Word document pepdocs reads is never encrypted: no password applies

    def identify(self, content: DocxContent) -> tuple[Form | None, float]:
        from pepdocs.engines.docx._locate import identify
        from pepdocs.engines.docx._original import identify_original
        from pepdocs.engines.docx._places import Layout

        # pepdocs' own forms by their labels, councils' own forms by the labels of their places: most found wins.
        own, council = identify(content), identify_original(Layout(content.body))
        return council if council[0] is not None and (own[0] is None or council[1] > own[1]) else own

    def locate(self, form: Form, content: DocxContent, sections: frozenset[str] | None) -> Found:
        from pepdocs.engines.docx._locate import locate
        from pepdocs.engines.docx._original import locate_original
        from pepdocs.engines.docx._places import Layout

        if form.foreign:
            return locate_original(form, Layout(content.body))
        return locate(form, content, sections)

    def load(self, form: Form) -> None:
        if not form.foreign:
            template_for(form)

    def build(self, form: Form) -> bytes:
        from pepdocs.engines.docx._build import build_docx

        return build_docx(form)
