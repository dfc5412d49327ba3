"""The PDF engine: fillable AcroForm templates filled with drawn appearances, completed PDF forms read back."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from pepdocs._errors import RenderError
from pepdocs.engines._engine import RenderOptions
from pepdocs.forms._answers import Answers
from pepdocs.forms._assemble import Found
from pepdocs.forms._spec import Form

if TYPE_CHECKING:
    from pepdocs.engines.pdf._printed import PrintedContent
    from pepdocs.engines.pdf._read import PdfFields

# Each method imports the modules it uses: a process that never touches a PDF (a batch of Word documents)
# does not load pypdf, the fonts and the shaper.


class PdfEngine:
    """PDF forms (.pdf): fillable, or flattened, optionally locked with a password."""

    format = "pdf"
    suffix = ".pdf"
    options = frozenset({"flatten", "password", "archive"})

    def sniff(self, data: bytes) -> bool:
        return b"%PDF-" in data[:1024] and data[:2] != b"PK"

    def render(self, form: Form, answers: Answers, options: RenderOptions) -> bytes:
        from pepdocs.engines.pdf._archive import to_pdfa
        from pepdocs.engines.pdf._fill import render_pdf
        from pepdocs.engines.pdf._places import render_pdf_original
        from pepdocs.engines.pdf._read import encrypt_pdf

        if form.foreign:
            # The council's own PDF, its own fields filled; flattening would redraw a form that is not pepdocs'.
            if options.flatten or options.archive:
                raise RenderError(
                    f"form {form.id} is a council's own PDF, which pepdocs fills but does not flatten or archive"
                )
            pdf = render_pdf_original(form, answers)
            return pdf if options.password is None else encrypt_pdf(pdf, options.password)
        keys = options.sections
        # A part of a form is laid out on its own pages, so its template holds only those sections.
        part = form if keys is None else replace(form, sections=tuple(s for s in form.sections if s.key in keys))
        pdf = render_pdf(
            part, answers, options.title, dict(options.properties), flatten=options.flatten or options.archive,
            footer_name=options.footer_name,
        )  # fmt: skip
        if options.archive:
            return to_pdfa(pdf)
        return pdf if options.password is None else encrypt_pdf(pdf, options.password)

    def open(self, data: bytes, file: str, password: str | None) -> PdfFields | PrintedContent:
        from pepdocs.engines.pdf._printed import read_printed
        from pepdocs.engines.pdf._read import NoFieldsError, read_pdf

        try:
            return read_pdf(data, file, password)
        except NoFieldsError as error:  # a Word form saved as PDF, or a flattened copy: read its printed text
            return read_printed(data, file, error.info, password, error.notes)

    def identify(self, content: PdfFields | PrintedContent) -> tuple[Form | None, float]:
        from pepdocs.engines.pdf._places import identify_pdf_original
        from pepdocs.engines.pdf._printed import PrintedContent, identify_printed
        from pepdocs.engines.pdf._read import identify_pdf

        if isinstance(content, PrintedContent):
            return identify_printed(content)
        own, council = identify_pdf(content), identify_pdf_original(content)
        return council if council[0] is not None and (own[0] is None or council[1] > own[1]) else own

    def locate(self, form: Form, content: PdfFields | PrintedContent, sections: frozenset[str] | None) -> Found:
        from pepdocs.engines.pdf._places import locate_pdf_original
        from pepdocs.engines.pdf._printed import PrintedContent, locate_printed
        from pepdocs.engines.pdf._read import locate_pdf

        if isinstance(content, PrintedContent):
            return locate_printed(form, content, sections)
        if form.foreign:
            return locate_pdf_original(form, content)
        return locate_pdf(form, content, sections)

    def load(self, form: Form) -> None:
        from pepdocs.engines.pdf._fill import template_for

        if not form.foreign:
            template_for(form)

    def build(self, form: Form) -> bytes:
        from pepdocs.engines.pdf._build import build_pdf

        return build_pdf(form)
