"""Rendering a form's DOCX: its docxtpl template compiled once per process, then filled from a form's answers.

Each template part is compiled once (docxtpl's own tag handling, then a sandboxed, auto-escaping
Jinja environment), and only the rendered parts are written into each package. Each answer's loops
(a paragraph per line, a tab between pieces) become one call that writes the same XML from the
answer's text, so the template does per answer what Jinja's loops did per line and per piece.
"""

from __future__ import annotations

import hashlib
import io
import marshal
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from types import CodeType
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import jinja2
from jinja2.runtime import LoopContext
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup
from markupsafe import escape as markup_escape

from pepdocs._errors import RenderError
from pepdocs._util.memo import per_object
from pepdocs.engines.docx._read import CUSTOM_PART
from pepdocs.engines.docx._zip import ZipEntry, zip_package
from pepdocs.forms._answers import Answers
from pepdocs.forms._spec import Form

RENDERED_PARTS = re.compile(r"word/(document|header\d*|footer\d*)\.xml")
EMPTY_RUN = '<w:r><w:t xml:space="preserve"></w:t></w:r>'
"""A run with nothing in it, as docxtpl leaves one each side of a tag it takes out: left out of the output
(nearly half its XML), so each document is smaller and quicker to deflate."""
DOCUMENT_LEVEL = 3
"""Deflate level of the parts rendered for every document: half the time of 6; 1 saves little more on this
repetitive XML and makes it a tenth larger."""


@dataclass
class CompiledTemplate:
    """A DOCX template ready to render many times: its fixed parts deflated once, Jinja for the parts with tags."""

    fixed: list[ZipEntry]
    templates: dict[str, Callable[[dict[str, Any]], str]]
    """Each templated part's renderer: context in, XML out."""
    codes: dict[str, tuple[str, CodeType]]
    """Each part's Python code as the cache keeps it: "python" (`_python_source`) or "jinja" (Jinja's)."""
    pieces: list[tuple[str, ...]]
    """The XML around each answer's lines and pieces, for `_answer` (by the number its call in the template gives)."""
    lean: bool
    """Whether every answer is printed by `_answer`, so the context holds answers as text, not split."""


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


_STATIC = r"([^{}]*)"
_ANSWER_LOOPS = re.compile(
    r"\{% for para in ((?:v|row)\.\w+) %\}" + _STATIC + r"\{% for seg in para %\}" + _STATIC
    + r"\{% if not loop\.first %\}" + _STATIC + r"\{% endif %\}" + _STATIC + r"\{\{ seg \}\}" + _STATIC
    + r"\{% endfor %\}" + _STATIC + r"\{% endfor %\}"
)  # fmt: skip
"""An answer as the template builder writes it: a paragraph per line, a tab before every piece but the first."""


def _answer_calls(source: str, pieces: list[tuple[str, ...]]) -> str:
    """The source with each answer's loops replaced by a call of `_answer` (their XML added to `pieces`)."""

    def call(match: re.Match[str]) -> str:
        pieces.append(match.groups()[1:])
        return f"{{{{ _answer({match[1]}, {len(pieces) - 1}) }}}}"

    return _ANSWER_LOOPS.sub(call, source)


def _escaped(text: str) -> str:
    """Text as XML character data, escaped exactly as Jinja's autoescape (markupsafe) escapes it."""
    return (
        text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;").replace("'", "&#39;")
        .replace('"', "&#34;")
    )  # fmt: skip


def _answer_writer(pieces: list[tuple[str, ...]]) -> Callable[[str | list[list[str]], int], str]:
    """`_answer(answer, number)`: the XML the loops that call `number` replaced print for an answer.

    The answer is its text, or its lines already split into pieces (the context of a template not all rewritten).
    """
    joined = [(line, piece + between, piece + tab + between, after, end) for line, piece, tab, between, after, end
              in pieces]  # fmt: skip
    last: list[tuple[object, str]] = [("", line + first + after + end) for line, first, _, after, end in joined]

    def answer(text: str | list[list[str]], number: int) -> str:
        before = last[number]
        if before[0] == text:
            return before[1]  # most answers print as they did in the document before (blank, boxes unticked)
        before_line, first, later, after_piece, after_line = joined[number]
        lines = _paragraphs(text) if isinstance(text, str) else text
        out = []
        for line in lines:
            out.append(before_line)
            lead = first
            for piece in line:
                out += (lead, _escaped(piece), after_piece)
                lead = later
            out.append(after_line)
        xml = "".join(out)
        last[number] = (text, xml)
        return xml

    return answer


_TAG = re.compile(r"\{[{%#].*?[}%#]\}", re.S)
_PYTHON_TAGS = (
    ("answer", re.compile(r"\{\{ _answer\((v|row)\.(\w+), ([0-9]+)\) \}\}")),
    ("for", re.compile(r"\{% for row in t\.(\w+) %\}")),
    ("endfor", re.compile(r"\{% endfor %\}")),
    ("if", re.compile(r"\{% if show\.(\w+) %\}")),
    ("endif", re.compile(r"\{% endif %\}")),
    ("name", re.compile(r"\{\{ (title|footer_name) \}\}")),
)


def _python_source(source: str) -> str | None:
    """A part's Jinja source, once its answers are calls of `_answer`, as a Python function `render(context)`.

    The function prints exactly what Jinja prints, a missing key raising KeyError. Only the few tags the
    template builder writes are taken, every name and text written as a Python literal; None for any other.
    """
    body = ["def render(context):", " v, t, show = context['v'], context['t'], context['show']", " out = []",
            " put = out.append"]  # fmt: skip
    blocks: list[str] = []
    depth = 1

    def line(code: str) -> None:
        body.append(" " * depth + code)

    at = 0
    for tag in _TAG.finditer(source):
        if "{{" in source[at : tag.start()] or "{%" in source[at : tag.start()] or "{#" in source[at : tag.start()]:
            return None
        if tag.start() > at:
            line(f"put({source[at : tag.start()]!r})")
        at = tag.end()
        found = next(((kind, m) for kind, pattern in _PYTHON_TAGS if (m := pattern.fullmatch(tag[0]))), None)
        if found is None:
            return None
        kind, match = found
        if kind == "answer":
            scope = "v" if match[1] == "v" else f"row{sum(b == 'for' for b in blocks)}"
            if scope != "v" and "for" not in blocks:
                return None
            line(f"put(_answer({scope}[{match[2]!r}], {int(match[3])}))")
        elif kind in ("for", "if"):
            head = f"for row{sum(b == 'for' for b in blocks) + 1} in t[{match[1]!r}]:" if kind == "for" else \
                f"if show[{match[1]!r}]:"  # fmt: skip
            line(head)
            blocks.append(kind)
            depth += 1
            line("pass")
        elif kind == "name":
            line(f"put(escape(context[{match[1]!r}]))")
        else:
            if not blocks or blocks.pop() != kind.removeprefix("end"):
                return None
            depth -= 1
    if blocks or "{{" in source[at:] or "{%" in source[at:] or "{#" in source[at:]:
        return None
    if at < len(source):
        line(f"put({source[at:]!r})")
    line("return ''.join(out)")
    return "\n".join(body) + "\n"


def _renderer(
    env: SandboxedEnvironment, kind: str, code: CodeType, answer: Callable[[str | list[list[str]], int], str]
) -> Callable[[dict[str, Any]], str]:
    """The function that renders a part from its code (as `_python_source` or Jinja made it)."""
    if kind == "python":
        names: dict[str, Any] = {"__builtins__": {}, "_answer": answer, "escape": markup_escape}
        exec(code, names)  # code pepdocs generated: literals and the names above only
        return names["render"]  # type: ignore[no-any-return]

    def markup(text: str | list[list[str]], number: int) -> Markup:
        return Markup(answer(text, number))

    return env.template_class.from_code(env, code, env.make_globals({"_answer": markup})).render


def compile_template(docx: bytes) -> CompiledTemplate:
    """Read a docxtpl template once: patch its tags as docxtpl does, and compile each part."""
    from docxtpl import DocxTemplate

    patcher = DocxTemplate.__new__(DocxTemplate)  # patch_xml needs no loaded document
    env = _environment()
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        parts = _with_custom_part({name: package.read(name) for name in package.namelist()})
    codes = {}
    fixed = []
    pieces: list[tuple[str, ...]] = []
    lean = True
    for name, data in parts.items():
        if RENDERED_PARTS.fullmatch(name):
            source = _answer_calls(patch_source(data, patcher).replace(EMPTY_RUN, ""), pieces)
            lean = lean and "for para in" not in source
            python = _python_source(source)
            if python is not None:
                codes[name] = ("python", compile(python, "<template>", "exec"))
            else:
                codes[name] = ("jinja", compile(env.compile(source, raw=True), "<template>", "exec"))
        elif name != CUSTOM_PART:
            fixed.append(ZipEntry(name, data))
    return _compiled(env, fixed, codes, pieces, lean)


def _compiled(
    env: SandboxedEnvironment,
    fixed: list[ZipEntry],
    codes: dict[str, tuple[str, CodeType]],
    pieces: list[tuple[str, ...]],
    lean: bool,
) -> CompiledTemplate:
    answer = _answer_writer(pieces)
    templates = {name: _renderer(env, kind, code, answer) for name, (kind, code) in codes.items()}
    return CompiledTemplate(fixed, templates, codes, pieces, lean)


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
    for name, part in template.templates.items():
        try:
            xml = part(context)
        except (jinja2.TemplateError, KeyError, TypeError) as error:
            raise RenderError(f"template part {name} does not fit its spec: {error}") from error
        entries.append(ZipEntry(name, xml.encode(), level=DOCUMENT_LEVEL))
    entries.append(ZipEntry(CUSTOM_PART, _custom_properties(properties)))
    return zip_package(entries)


_CACHE_LAYOUT = "answers-2"
"""Changes whenever what the cache keeps changes, so a cache from an older pepdocs of the same version is not used."""


def _cache_key(docx: bytes) -> str:
    import sys
    from importlib.metadata import version

    digest = hashlib.sha256(docx)
    for part in (sys.version, version("pepdocs"), jinja2.__version__, version("docxtpl"), _CACHE_LAYOUT):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()[:32]


def _from_cache(payload: bytes) -> CompiledTemplate:
    """A compiled template as `_to_cache` keeps it (a payload whose digest was checked)."""
    fixed, codes, pieces, lean = marshal.loads(payload)
    entries = [ZipEntry.deflated(name, crc, size, data) for name, crc, size, data in fixed]
    parts = {name: (str(kind), code) for name, (kind, code) in codes.items()}
    return _compiled(_environment(), entries, parts, [tuple(piece) for piece in pieces], bool(lean))


def _to_cache(docx: bytes) -> tuple[CompiledTemplate, bytes]:
    """A template compiled, and the same as bytes for the cache (deflated parts and Python code objects)."""
    template = compile_template(docx)
    fixed = [(entry.name.decode(), entry.crc, entry.size, entry.data) for entry in template.fixed]
    return template, marshal.dumps((fixed, template.codes, template.pieces, template.lean))


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


@per_object
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


def docx_context(form: Form, answers: Answers, title: str, footer_name: str, *, split: bool = True) -> dict[str, Any]:
    """The Jinja context of a form's DOCX template for one set of answers.

    `split` False leaves each answer as its text, for a template whose answers are all printed by `_answer`.
    """
    if not split:
        return {"v": answers.values, "t": answers.tables, "show": answers.show, "title": title,
                "footer_name": footer_name}  # fmt: skip
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
