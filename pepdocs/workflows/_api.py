"""The verbs: render a PEP onto a form, parse a completed form back into a PEP."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

from pepdocs._errors import (
    DocumentError,
    FieldValueError,
    FormError,
    Issue,
    NotAPepFormError,
    RenderError,
    TemplateVersionError,
)
from pepdocs._util.isolate import isolated as run_isolated
from pepdocs.engines.docx._docx import docx_context, read_docx, render_docx, template_for
from pepdocs.engines.docx._locate import identify, locate
from pepdocs.engines.docx._original import identify_original, locate_original, open_original, render_original
from pepdocs.engines.pdf._pdf import encrypt_pdf, identify_pdf, locate_pdf, read_pdf, render_pdf
from pepdocs.forms._answers import AUDIENCES, Answers, answers
from pepdocs.forms._assemble import Parsed, assemble
from pepdocs.forms._spec import Form, get_form, list_forms, part_sections
from pepdocs.forms._wording import partial_title
from pepdocs.model._pep import PEP

FORMATS = ("docx", "pdf")


def _sections(form: Form, sections: Iterable[str | int] | None, part: str | None = None) -> frozenset[str] | None:
    """The keys of the sections asked for by key (any case) or by `part`, the role that completes them."""
    if part is not None:
        if sections is not None:
            raise RenderError("give sections or part, not both")
        return part_sections(form, part)
    if sections is None:
        return None
    return frozenset(form.section(str(key)).key for key in sections)  # FormError names the sections there are


def render(
    pep: PEP,
    form: str | Form,
    format: str = "docx",
    *,
    sections: Iterable[str | int] | None = None,
    part: str | None = None,
    audience: str = "record",
    flatten: bool = False,
    password: str | None = None,
) -> bytes:
    """The form filled in from `pep`, as the bytes of a DOCX or a PDF.

    `sections` limits it to those sections (keys in any case); `part` to the sections a role completes
    ("school", "social_worker", "meeting", "child", "carer", "virtual_school"), whatever their numbers.
    `audience` "school" or "child" leaves out every field the model marks sensitive, for copies that
    leave the social worker's record. `flatten` (PDF only) draws
    every answer into the pages and leaves no fillable field or field value in the file. `password`
    (PDF only) encrypts the PDF with AES-256 for emailing.
    """
    chosen = get_form(form)
    if not isinstance(pep, PEP):
        raise RenderError(f"render needs a pepdocs.PEP, not {type(pep).__name__}")
    if format not in FORMATS:
        raise RenderError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
    if (flatten or password is not None) and format != "pdf":
        raise RenderError("only a PDF can be flattened or given a password; use format='pdf'")
    if audience not in AUDIENCES:
        raise RenderError(f"audience must be one of {', '.join(AUDIENCES)}, not {audience!r}")
    keys = _sections(chosen, sections, part)
    filled = answers(pep, chosen, keys, audience)
    if chosen.foreign:
        return _render_original(chosen, filled, format)
    title = partial_title(chosen, keys)
    name = pep.child.full_name or ""
    properties = {"pepdocs.form": chosen.id, "pepdocs.version": chosen.version, "pepdocs.audience": audience}
    if keys:
        properties["pepdocs.sections"] = ",".join(sorted(keys))
    if format == "pdf":
        shown = chosen if keys is None else replace(chosen, sections=tuple(s for s in chosen.sections if s.key in keys))
        pdf = render_pdf(shown, filled, title, properties, flatten=flatten, footer_name=name)
        return pdf if password is None else encrypt_pdf(pdf, password)
    return render_docx(template_for(chosen), docx_context(chosen, filled, title, name), properties)


def _render_original(form: Form, filled: Answers, format: str) -> bytes:
    """A council's own form filled in: its own document, in its own format."""
    own = form.template.rsplit(".", 1)[-1]
    if format != own:
        raise RenderError(f"form {form.id} is the council's own {own.upper()}; render it with format={own!r}")
    if own == "pdf":
        from pepdocs.engines.pdf._places import render_pdf_original

        return render_pdf_original(form, filled)
    return render_original(form, filled)


def _read_source(source: str | os.PathLike[str] | bytes) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray):
        return bytes(source), "<bytes>"
    path = Path(source)
    try:
        return path.read_bytes(), str(path)
    except OSError as error:
        raise DocumentError(f"cannot read the file ({error.strerror or error.__class__.__name__})", str(path)) from None


def parse(
    source: str | os.PathLike[str] | bytes,
    *,
    form: str | Form | None = None,
    password: str | None = None,
    isolated: bool = False,
    strict: bool = False,
) -> Parsed:
    """A completed form (DOCX or PDF) read back into a PEP; the form is recognised from the document unless given.

    `password` opens an encrypted PDF. `isolated` reads the file in a child process limited to 5 seconds
    and 500 MB, for files from outside (the command line always does). A value that cannot be read is
    a warning (and kept in `unmapped`), or with `strict` a FieldValueError naming the field and path.
    """
    if isolated:
        name = "<bytes>" if isinstance(source, bytes | bytearray) else str(source)
        return run_isolated(parse, source, form=form, password=password, strict=strict, file=name)
    data, name = _read_source(source)
    if not data:
        raise DocumentError("the file is empty", name)
    if b"%PDF-" in data[:1024] and data[:2] != b"PK":
        from pepdocs.engines.pdf._places import identify_pdf_original, locate_pdf_original

        fields = read_pdf(data, name, password)
        chosen, keys, warnings = _which_form(
            name, form, fields.info, lambda: _best(identify_pdf(fields), identify_pdf_original(fields))
        )
        if chosen.foreign:
            found, fmt = locate_pdf_original(chosen, fields), "pdf"
        else:
            found, fmt = locate_pdf(chosen, fields, keys), "pdf"
    elif data[:2] == b"PK":
        content = read_docx(data, name)
        layout = open_original(data, name)
        chosen, keys, warnings = _which_form(
            name, form, content.properties, lambda: _best(identify(content), identify_original(layout))
        )
        if chosen.foreign:
            found, fmt = locate_original(chosen, layout), "docx"
        else:
            found, fmt = locate(chosen, content, keys), "docx"
    else:
        raise DocumentError("not a DOCX or PDF file", name)
    parsed = assemble(chosen, found, fmt, keys)
    if strict and parsed.warnings:
        first = parsed.warnings[0]
        raise FieldValueError(first.message, name, path=first.path)
    parsed.warnings[:0] = warnings
    return parsed


def _best(*scored: tuple[Form | None, float]) -> Form | None:
    """The form that most labels point to, of pepdocs' own forms and councils' own forms."""
    found = [(score, form) for form, score in scored if form is not None]
    return max(found, key=lambda pair: pair[0])[1] if found else None


def _which_form(
    name: str, form: str | Form | None, properties: dict[str, str], identify_form: Callable[[], Form | None]
) -> tuple[Form, frozenset[str] | None, list[Issue]]:
    """The form a document is, which of its sections it holds, and what to warn about its template version."""
    warnings: list[Issue] = []
    chosen = get_form(form) if form is not None else None
    claimed = properties.get("pepdocs.form")
    if chosen is None and claimed:
        try:
            chosen = get_form(claimed)
        except FormError:
            warnings.append(Issue(f"the document says it is form {claimed!r}, which pepdocs does not know"))
    if chosen is None:
        chosen = identify_form()
    if chosen is None:
        raise NotAPepFormError("is not a PEP form pepdocs knows: no form's labels or fields were found in it", name)
    version = properties.get("pepdocs.version")
    if version and version != chosen.version:
        if _version_key(version) > _version_key(chosen.version):
            raise TemplateVersionError(
                f"was made from {chosen.id} template version {version}, newer than this pepdocs knows "
                f"({chosen.version}); upgrade pepdocs to read it",
                name,
            )
        warnings.append(
            Issue(f"made from {chosen.id} template version {version}; read as version {chosen.version} by its labels")
        )
    keys = None
    if claimed == chosen.id and properties.get("pepdocs.sections"):
        keys = frozenset(properties["pepdocs.sections"].split(","))
    return chosen, keys, warnings


def _version_key(version: str) -> tuple[int, ...]:
    """A template version as numbers for comparing: '2025.1' -> (2025, 1)."""
    return tuple(int(part) if part.isdigit() else 0 for part in version.split("."))


__all__ = ["get_form", "list_forms", "parse", "render"]
