"""The verbs: render a PEP onto a form, parse a completed form back into a PEP."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ._answers import AUDIENCES, answers
from ._docx import docx_context, read_docx, render_docx, template_for
from ._docx_read import identify, locate
from ._errors import DocumentError, FormError, Issue, NotAPepFormError, RenderError
from ._forms import Form, get_form, list_forms
from ._layout import partial_title
from ._model import PEP
from ._pdf import identify_pdf, locate_pdf, read_pdf, render_pdf
from ._read import Parsed, assemble

FORMATS = ("docx", "pdf")


def _sections(form: Form, sections: Iterable[str | int] | None) -> frozenset[str] | None:
    if sections is None:
        return None
    keys = frozenset(str(key) for key in sections)
    for key in keys:
        form.section(key)  # raises FormError naming the sections there are
    return keys


def render(
    pep: PEP,
    form: str | Form,
    format: str = "docx",
    *,
    sections: Iterable[str | int] | None = None,
    audience: str = "record",
    flatten: bool = False,
) -> bytes:
    """The form filled in from `pep`, as the bytes of a DOCX or a PDF.

    `sections` limits it to those sections; `audience` "school" or "child" leaves out every field the
    model marks sensitive, for copies that leave the social worker's record. `flatten` (PDF only) draws
    every answer into the pages and leaves no fillable field or field value in the file.
    """
    chosen = get_form(form)
    if not isinstance(pep, PEP):
        raise RenderError(f"render needs a pepdocs.PEP, not {type(pep).__name__}")
    if format not in FORMATS:
        raise RenderError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
    if flatten and format != "pdf":
        raise RenderError("only a PDF can be flattened; use format='pdf' with flatten=True")
    if audience not in AUDIENCES:
        raise RenderError(f"audience must be one of {', '.join(AUDIENCES)}, not {audience!r}")
    keys = _sections(chosen, sections)
    filled = answers(pep, chosen, keys, audience)
    if format == "pdf":
        properties = {"pepdocs.form": chosen.id, "pepdocs.version": chosen.version, "pepdocs.audience": audience}
        if keys:
            properties["pepdocs.sections"] = ",".join(sorted(keys))
        title = partial_title(chosen, keys)
        return render_pdf(chosen, filled, title, properties, flatten=flatten, footer_name=pep.child.full_name or "")
    context = docx_context(chosen, filled, partial_title(chosen, keys), pep.child.full_name or "")
    properties = {"pepdocs.form": chosen.id, "pepdocs.version": chosen.version, "pepdocs.audience": audience}
    if keys:
        properties["pepdocs.sections"] = ",".join(sorted(keys))
    return render_docx(template_for(chosen), context, properties)


def _read_source(source: str | os.PathLike[str] | bytes) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray):
        return bytes(source), "<bytes>"
    path = Path(source)
    try:
        return path.read_bytes(), str(path)
    except OSError as error:
        raise DocumentError(f"cannot read the file ({error.strerror or error.__class__.__name__})", str(path)) from None


def parse(
    source: str | os.PathLike[str] | bytes, *, form: str | Form | None = None, password: str | None = None
) -> Parsed:
    """A completed form read back into a PEP; the form is recognised from the document unless given.

    `password` opens an encrypted PDF.
    """
    data, name = _read_source(source)
    if not data:
        raise DocumentError("the file is empty", name)
    if b"%PDF-" in data[:1024] and data[:2] != b"PK":
        return _parse_pdf(data, name, form, password)
    if data[:2] != b"PK":
        raise DocumentError("not a DOCX or PDF file", name)
    content = read_docx(data, name)
    warnings: list[Issue] = []
    chosen: Form | None = get_form(form) if form is not None else None
    claimed = content.properties.get("pepdocs.form")
    if chosen is None and claimed:
        try:
            chosen = get_form(claimed)
        except FormError:
            warnings.append(Issue(f"the document says it is form {claimed!r}, which pepdocs does not know"))
    if chosen is None:
        chosen, _ = identify(content)
    if chosen is None:
        raise NotAPepFormError("is not a PEP form pepdocs knows: no form's labels were found in it", name)
    version = content.properties.get("pepdocs.version")
    if version and version != chosen.version:
        warnings.append(
            Issue(f"made from {chosen.id} template version {version}; this pepdocs reads version {chosen.version}")
        )
    keys = None
    if claimed == chosen.id and content.properties.get("pepdocs.sections"):
        keys = frozenset(content.properties["pepdocs.sections"].split(","))
    parsed = assemble(chosen, locate(chosen, content, keys), "docx", keys)
    parsed.warnings[:0] = warnings
    return parsed


def _parse_pdf(data: bytes, name: str, form: str | Form | None, password: str | None) -> Parsed:
    """A completed PDF form read back: by its fields' full names, the form named in its document information."""
    fields = read_pdf(data, name, password)
    warnings: list[Issue] = []
    chosen: Form | None = get_form(form) if form is not None else None
    claimed = fields.info.get("pepdocs.form")
    if chosen is None and claimed:
        try:
            chosen = get_form(claimed)
        except FormError:
            warnings.append(Issue(f"the document says it is form {claimed!r}, which pepdocs does not know"))
    if chosen is None:
        chosen, _ = identify_pdf(fields)
    if chosen is None:
        raise NotAPepFormError("is not a PEP form pepdocs knows: no form's fields were found in it", name)
    version = fields.info.get("pepdocs.version")
    if version and version != chosen.version:
        warnings.append(
            Issue(f"made from {chosen.id} template version {version}; this pepdocs reads version {chosen.version}")
        )
    keys = None
    if claimed == chosen.id and fields.info.get("pepdocs.sections"):
        keys = frozenset(fields.info["pepdocs.sections"].split(","))
    parsed = assemble(chosen, locate_pdf(chosen, fields, keys), "pdf", keys)
    parsed.warnings[:0] = warnings
    return parsed


__all__ = ["get_form", "list_forms", "parse", "render"]
