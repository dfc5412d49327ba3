"""Rendering a form's DOCX: its docxtpl template compiled once per process, then filled from a form's answers.

Each template part is compiled once (docxtpl's own tag handling, then a sandboxed, auto-escaping
Jinja environment), and only the rendered parts are written into each package.
"""

from __future__ import annotations

import hashlib
import io
import marshal
import re
import zipfile
from dataclasses import dataclass
from functools import cache
from types import CodeType
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import jinja2
from jinja2.runtime import LoopContext
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
    codes: dict[str, CodeType]
    """Each template's Python code, as the cache keeps it."""


class _Sandbox(SandboxedEnvironment):
    """The sandbox, with the lookups every field makes (`v.f_name`, `loop.first`) taken straight."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        # The context's dicts are keyed by field and section ids; a key shadows a dict method of its name.
        if type(obj) is dict and attribute in obj:
            return obj[attribute]
        if type(obj) is LoopContext and attribute in _LOOP:
            return getattr(obj, attribute)
        return super().getattr(obj, attribute)


_LOOP = frozenset({"first", "last", "index", "index0"})


def _environment() -> SandboxedEnvironment:
    return _Sandbox(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


def patch_source(xml: bytes, patcher: Any = None) -> str:
    """A part's XML with docxtpl's tags made Jinja's."""
    from docxtpl import DocxTemplate

    patcher = patcher or DocxTemplate.__new__(DocxTemplate)  # patch_xml needs no loaded document
    return str(patcher.patch_xml(xml.decode("utf-8")))


def compile_template(docx: bytes) -> CompiledTemplate:
    """Read a docxtpl template once: patch its tags as docxtpl does, and compile each part."""
    from docxtpl import DocxTemplate

    patcher = DocxTemplate.__new__(DocxTemplate)  # patch_xml needs no loaded document
    env = _environment()
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        parts = _with_custom_part({name: package.read(name) for name in package.namelist()})
    templates = {}
    codes = {}
    fixed = []
    for name, data in parts.items():
        if RENDERED_PARTS.fullmatch(name):
            codes[name] = compile(env.compile(patch_source(data, patcher), raw=True), "<template>", "exec")
            templates[name] = env.template_class.from_code(env, codes[name], env.make_globals(None))
        elif name != CUSTOM_PART:
            fixed.append(ZipEntry(name, data))
    return CompiledTemplate(fixed, templates, codes)


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
        entries.append(ZipEntry(name, xml.encode(), level=3))
    entries.append(ZipEntry(CUSTOM_PART, _custom_properties(properties)))
    return zip_package(entries)


def _cache_key(docx: bytes) -> str:
    import sys
    from importlib.metadata import version

    digest = hashlib.sha256(docx)
    for part in (sys.version, version("pepdocs"), jinja2.__version__, version("docxtpl")):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()[:32]


def _from_cache(payload: bytes) -> CompiledTemplate:
    """A compiled template as `_to_cache` keeps it (a payload whose digest was checked)."""
    fixed, codes = marshal.loads(payload)
    env = _environment()
    entries = [ZipEntry.deflated(name, crc, size, data) for name, crc, size, data in fixed]
    templates = {name: env.template_class.from_code(env, code, env.make_globals(None)) for name, code in codes.items()}
    return CompiledTemplate(entries, templates, codes)


def _to_cache(docx: bytes) -> tuple[CompiledTemplate, bytes]:
    """A template compiled, and the same as bytes for the cache (deflated parts and Python code objects)."""
    template = compile_template(docx)
    fixed = [(entry.name.decode(), entry.crc, entry.size, entry.data) for entry in template.fixed]
    return template, marshal.dumps((fixed, template.codes))


def cached_template(docx: bytes, name: str) -> CompiledTemplate:
    """A template compiled, or loaded as compiled before from the cache folder (any doubt about it: compiled)."""
    from pepdocs._util import cache as store

    key = _cache_key(docx)
    payload = store.load(name, key)
    if payload is not None:
        try:
            return _from_cache(payload)
        except Exception:  # a cache from elsewhere or damaged in a way its digest cannot see: compile
            pass
    template, payload = _to_cache(docx)
    store.store(name, key, payload)
    return template


@cache
def template_for(form: Form) -> CompiledTemplate:
    """The compiled DOCX template of a form, read from its folder once per process (and cached between runs)."""
    path = form.folder / "form.docx"
    try:
        return cached_template(path.read_bytes(), f"docx-{form.id}")
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
