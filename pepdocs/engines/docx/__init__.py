"""The DOCX engine: docxtpl templates filled from a form's answers, completed Word documents read back."""

from __future__ import annotations

from pepdocs.engines._engine import RenderOptions
from pepdocs.engines.docx._build import build_docx
from pepdocs.engines.docx._locate import identify, locate
from pepdocs.engines.docx._read import DocxContent, read_docx
from pepdocs.engines.docx._render import docx_context, render_docx, template_for
from pepdocs.forms._answers import Answers
from pepdocs.forms._assemble import Found
from pepdocs.forms._spec import Form


class DocxEngine:
    """Word documents (.docx)."""

    format = "docx"
    suffix = ".docx"
    options: frozenset[str] = frozenset()

    def sniff(self, data: bytes) -> bool:
        return data[:2] == b"PK"

    def render(self, form: Form, answers: Answers, options: RenderOptions) -> bytes:
        context = docx_context(form, answers, options.title, options.footer_name)
        return render_docx(template_for(form), context, dict(options.properties))

    def open(self, data: bytes, file: str, password: str | None) -> DocxContent:
        return read_docx(data, file)  # a Word document pepdocs reads is never encrypted: no password applies

    def identify(self, content: DocxContent) -> tuple[Form | None, float]:
        return identify(content)

    def locate(self, form: Form, content: DocxContent, sections: frozenset[str] | None) -> Found:
        return locate(form, content, sections)

    def load(self, form: Form) -> None:
        template_for(form)

    def build(self, form: Form) -> bytes:
        return build_docx(form)
