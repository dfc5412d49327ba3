"""The DOCX render's own code for a template prints what docxtpl's Jinja source prints, for any PEP.

Exactly, but for the runs with nothing in them that docxtpl leaves beside its tags, which pepdocs leaves out.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pepdocs
from pepdocs._errors import RenderError
from pepdocs.engines.docx import _render
from pepdocs.forms._answers import answers
from pepdocs.forms._spec import Form

from .strategies import peps

FORMS = [form for form in pepdocs.list_forms() if not form.foreign]
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def jinja_parts(form: Form, pep: pepdocs.PEP, sections: frozenset[str] | None = None) -> dict[str, bytes]:
    """Each templated part as Jinja prints docxtpl's source of it, with the answers split into lines and pieces."""
    env = _render._environment()
    context = _render.docx_context(form, answers(pep, form, sections), "A title & <more>", "Zoë O'Neill")
    with zipfile.ZipFile(form.folder / "form.docx") as package:
        return {
            name: _filled(env.from_string(_render.patch_source(package.read(name))).render(context).encode())
            for name in package.namelist()
            if _render.RENDERED_PARTS.fullmatch(name)
        }


def our_parts(form: Form, pep: pepdocs.PEP, sections: frozenset[str] | None = None) -> dict[str, bytes]:
    template = _render.template_for(form)
    context = _render.docx_context(
        form, answers(pep, form, sections), "A title & <more>", "Zoë O'Neill", split=not template.lean
    )
    document = _render.render_docx(template, context, {"pepdocs.form": form.id})
    with zipfile.ZipFile(io.BytesIO(document)) as package:
        return {
            name: _filled(package.read(name)) for name in package.namelist() if _render.RENDERED_PARTS.fullmatch(name)
        }


def _filled(xml: bytes) -> bytes:
    return xml.replace(_render.EMPTY_RUN.encode(), b"")


def test_runs_with_nothing_in_them_are_left_out() -> None:
    form = pepdocs.get_form("southwark-full")
    pep = pepdocs.read_pep(EXAMPLES / "southwark-primary.json")
    with zipfile.ZipFile(io.BytesIO(pepdocs.render(pep, form))) as package:
        ours = package.read("word/document.xml")
    context = _render.docx_context(form, answers(pep, form), "t", "n")
    with zipfile.ZipFile(form.folder / "form.docx") as package:
        source = _render.patch_source(package.read("word/document.xml"))
    theirs = _render._environment().from_string(source).render(context).encode()
    assert len(ours) < 0.7 * len(theirs)


def test_every_form_is_rendered_by_its_own_code_with_answers_as_text() -> None:
    for form in FORMS:
        template = _render.template_for(form)
        assert template.lean, form.id
        assert {kind for kind, _ in template.codes.values()} == {"python"}, form.id


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(pep=peps(), index=st.integers(0, len(FORMS) - 1), whole=st.booleans())
def test_the_same_xml_as_jinja_for_any_pep(pep: pepdocs.PEP, index: int, whole: bool) -> None:
    form = FORMS[index]
    sections = None if whole else frozenset(section.key for section in form.sections[::2])
    assert our_parts(form, pep, sections) == jinja_parts(form, pep, sections)


def test_the_same_xml_as_jinja_for_the_examples() -> None:
    for path in sorted(EXAMPLES.glob("*.json")):
        pep = pepdocs.read_pep(path)
        for form in FORMS:
            assert our_parts(form, pep) == jinja_parts(form, pep), (path.name, form.id)


def test_a_template_with_a_tag_the_builder_never_writes_is_left_to_jinja() -> None:
    source = "<w:p>{{ _answer(v.a, 0) }}{% if show.s %}<x/>{% endif %}{{ title | upper }}</w:p>"
    assert _render._python_source(source) is None
    assert _render._python_source(source.replace(" | upper", "")) is not None
    assert _render._python_source("{% for row in t.x %}{{ _answer(row.a, 0) }}") is None  # never closed
    assert _render._python_source("{{ _answer(row.a, 0) }}") is None  # a row outside its table
    assert _render._python_source("{{ __import__('os') }}") is None


def test_a_part_whose_python_code_misses_an_answer_is_a_render_error() -> None:
    form = pepdocs.get_form("southwark-full")
    template = _render.template_for(form)
    context = _render.docx_context(form, answers(pepdocs.PEP(), form), "t", "n", split=False)
    del context["v"][next(iter(context["v"]))]
    with pytest.raises(RenderError, match="does not fit its spec"):
        _render.render_docx(template, context, {})
