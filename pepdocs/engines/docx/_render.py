"""Rendering a form's DOCX: its docxtpl template compiled once per process, then filled from a form's answers.

Each template part is compiled once (docxtpl's own tag handling, then a sandboxed, auto-escaping
Jinja environment), and only the rendered parts are written into each package.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from functools import cache
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from pepdocs._errors import RenderError
from pepdocs.engines.docx._read import CUSTOM_PART
from pepdocs.engines.docx._zip import ZipEntry, zip_package
from pepdocs.forms._answers import Answers
from pepdocs.forms._spec import Form

RENDERED_PARTS = re.compile(r"word/(document|header\d*|footer\d*)\.xml")


@dataclass
class CompiledTemplate:
    """A DOCX template ready to render many times: its fixed parts deflated once, Jinja for the parts with tags."""

    fixed: list[ZipEntry]
    templates: dict[str, jinja2.Template]


def _environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


def compile_template(docx: bytes) -> CompiledTemplate:
    """Read a docxtpl template once: patch its tags as docxtpl does, and compile each part."""
    from docxtpl import DocxTemplate

    patcher = DocxTemplate.__new__(DocxTemplate)  # patch_xml needs no loaded document
    env = _environment()
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        parts = _with_custom_part({name: package.read(name) for name in package.namelist()})
    templates = {}
    fixed = []
    for name, data in parts.items():
        if RENDERED_PARTS.fullmatch(name):
            source = patcher.patch_xml(data.decode("utf-8"))
            source = re.sub(r"<w:p([ >])", r"\n<w:p\1", source)
            templates[name] = env.from_string(source)
        elif name != CUSTOM_PART:
            fixed.append(ZipEntry(name, data))
    return CompiledTemplate(fixed, templates)


def _custom_properties(properties: dict[str, str]) -> bytes:
    items = "".join(
        f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{pid}" name={quoteattr(name)}>'
        f"<vt:lpwstr>{escape(value)}</vt:lpwstr></property>"
        for pid, (name, value) in enumerate(properties.items(), start=2)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        f"{items}</Properties>"
    ).encode()


def _with_custom_part(parts: dict[str, bytes]) -> dict[str, bytes]:
    """Declare docProps/custom.xml in the content types and package relationships."""
    parts = dict(parts)
    types = parts["[Content_Types].xml"]
    if b"/docProps/custom.xml" not in types:
        parts["[Content_Types].xml"] = types.replace(
            b"</Types>",
            b'<Override PartName="/docProps/custom.xml" '
            b'ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/></Types>',
        )
    rels = parts["_rels/.rels"]
    if b"docProps/custom.xml" not in rels:
        parts["_rels/.rels"] = rels.replace(
            b"</Relationships>",
            b'<Relationship Id="rIdPepdocsCustom" '
            b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties" '
            b'Target="docProps/custom.xml"/></Relationships>',
        )
    return parts


def render_docx(template: CompiledTemplate, context: dict[str, Any], properties: dict[str, str]) -> bytes:
    """A filled DOCX: every templated part rendered with `context`, `properties` as custom properties."""
    entries = list(template.fixed)
    for name, jinja in template.templates.items():
        try:
            xml = jinja.render(context)
        except jinja2.TemplateError as error:
            raise RenderError(f"template part {name} does not fit its spec: {error}") from error
        entries.append(ZipEntry(name, re.sub(r"\n<w:p([ >])", r"<w:p\1", xml).encode("utf-8")))
    entries.append(ZipEntry(CUSTOM_PART, _custom_properties(properties)))
    return zip_package(entries)


@cache
def template_for(form: Form) -> CompiledTemplate:
    """The compiled DOCX template of a form, read from its folder once per process."""
    path = form.folder / "form.docx"
    try:
        return compile_template(path.read_bytes())
    except OSError as error:
        raise RenderError(f"form {form.id} has no DOCX template at {path.name}; run python -m pepdocs.build") from error
    except (zipfile.BadZipFile, KeyError, UnicodeDecodeError, jinja2.TemplateError) as error:
        # a template pepdocs did not build: say so rather than fail obscurely
        raise RenderError(f"the DOCX template of form {form.id} is not one pepdocs built ({error})") from error


def _paragraphs(text: str) -> list[list[str]]:
    """Answer text as the template prints it: paragraphs of tab-separated pieces."""
    return [line.split("\t") for line in text.split("\n")]


def docx_context(form: Form, answers: Answers, title: str, footer_name: str) -> dict[str, Any]:
    """The Jinja context of a form's DOCX template for one set of answers."""
    return {
        "v": {key: _paragraphs(text) for key, text in answers.values.items()},
        "t": {
            key: [{k: _paragraphs(text) for k, text in row.items()} for row in rows]
            for key, rows in answers.tables.items()
        },
        "show": answers.show,
        "title": title,
        "footer_name": footer_name,
    }
