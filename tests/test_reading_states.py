"""A document's claims that do not hold are warned about and read around, never read as empty."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject

import pepdocs

from .conftest import acroform, example
from .test_hostile import with_part


def test_unknown_sections_in_the_properties_are_a_warning_and_the_whole_form_is_read() -> None:
    pep = example("southwark-primary")
    docx = pepdocs.render(pep, "southwark-full", sections=["3"])
    custom = zipfile.ZipFile(io.BytesIO(docx)).read("docProps/custom.xml").decode()
    custom = re.sub(r'(name="pepdocs.sections"><vt:lpwstr>)[^<]*', r"\g<1>3,Z9", custom)
    parsed = pepdocs.parse(with_part(docx, "docProps/custom.xml", custom.encode()))
    assert parsed.sections is None
    assert any("does not have; the whole form was read" in w.message for w in parsed.warnings)
    assert parsed.pep.education.setting.name == pep.education.setting.name


def test_section_keys_in_the_properties_are_read_in_any_case() -> None:
    docx = pepdocs.render(example("kent-secondary"), "kent", sections=["B"])
    custom = zipfile.ZipFile(io.BytesIO(docx)).read("docProps/custom.xml").decode()
    custom = custom.replace('name="pepdocs.sections"><vt:lpwstr>B<', 'name="pepdocs.sections"><vt:lpwstr>b<')
    parsed = pepdocs.parse(with_part(docx, "docProps/custom.xml", custom.encode()))
    assert parsed.sections == ["B"] and not parsed.warnings


def _without_values(pdf: bytes, names: set[str]) -> bytes:
    """The PDF with the value (/V) of these fields removed, their widgets' appearance states (/AS) kept."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))

    def walk(kids: Any, prefix: str) -> None:
        for ref in kids:
            node = ref.get_object()
            part = node.get("/T")
            name = f"{prefix}.{part}" if prefix and part is not None else str(part) if part is not None else prefix
            if name in names and "/V" in node:
                del node[NameObject("/V")]
            if "/Kids" in node:
                walk(node["/Kids"], name)

    walk(acroform(writer)["/Fields"], "")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_radio_and_checkbox_states_saved_only_in_the_appearance_are_read_with_a_warning() -> None:
    pep = example("southwark-primary")
    pdf = pepdocs.render(pep, "southwark-full", "pdf")
    radios = {"plan.term", "views.child.wants_copy", "education.setting.attendance_pattern"}
    parsed = pepdocs.parse(_without_values(pdf, radios))
    assert parsed.pep.plan.term == pep.plan.term
    assert parsed.pep.views.child.wants_copy is True
    assert parsed.pep.education.setting.attendance_pattern == pep.education.setting.attendance_pattern
    warned = {w.path for w in parsed.warnings if "/AS" in w.message}
    assert warned == radios
    assert not pepdocs.parse(pdf).warnings
