"""The PDF engine: fillable AcroForm templates filled with drawn appearances, completed PDF forms read back."""

from __future__ import annotations

from dataclasses import replace

from pepdocs._errors import RenderError
from pepdocs.engines._engine import RenderOptions
from pepdocs.engines.pdf._build import build_pdf
from pepdocs.engines.pdf._fill import render_pdf, template_for
from pepdocs.engines.pdf._places import identify_pdf_original, locate_pdf_original, render_pdf_original
from pepdocs.engines.pdf._read import PdfFields, encrypt_pdf, identify_pdf, locate_pdf, read_pdf
from pepdocs.forms._answers import Answers
from pepdocs.forms._assemble import Found
from pepdocs.forms._spec import Form


class PdfEngine:
    """PDF forms (.pdf): fillable, or flattened, optionally locked with a password."""

    format = "pdf"
    suffix = ".pdf"
    options = frozenset({"flatten", "password"})

    def sniff(self, data: bytes) -> bool:
        return b"%PDF-" in data[:1024] and data[:2] != b"PK"

    def render(self, form: Form, answers: Answers, options: RenderOptions) -> bytes:
        if form.foreign:
            # The council's own PDF, its own fields filled; flattening would redraw a form that is not pepdocs'.
            if options.flatten:
                raise RenderError(f"form {form.id} is a council's own PDF, which pepdocs fills but does not flatten")
            pdf = render_pdf_original(form, answers)
            return pdf if options.password is None else encrypt_pdf(pdf, options.password)
        keys = options.sections
        # A part of a form is laid out on its own pages, so its template holds only those sections.
        part = form if keys is None else replace(form, sections=tuple(s for s in form.sections if s.key in keys))
        pdf = render_pdf(
            part, answers, options.title, dict(options.properties), flatten=options.flatten,
            footer_name=options.footer_name,
        )  # fmt: skip
        return pdf if options.password is None else encrypt_pdf(pdf, options.password)

    def open(self, data: bytes, file: str, password: str | None) -> PdfFields:
        return read_pdf(data, file, password)

    def identify(self, content: PdfFields) -> tuple[Form | None, float]:
        own, council = identify_pdf(content), identify_pdf_original(content)
        return council if council[0] is not None and (own[0] is None or council[1] > own[1]) else own

    def locate(self, form: Form, content: PdfFields, sections: frozenset[str] | None) -> Found:
        if form.foreign:
            return locate_pdf_original(form, content)
        return locate_pdf(form, content, sections)

    def load(self, form: Form) -> None:
        if not form.foreign:
            template_for(form)

    def build(self, form: Form) -> bytes:
        return build_pdf(form)
