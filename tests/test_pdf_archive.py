"""Archival copies: `render(..., archive=True)` writes a flattened PDF/A-2b that is still PDF/UA-1, checked object
by object with pikepdf and by the `pdfua` checker.

No PDF/A validator installs here (veraPDF is Java, in neither Debian nor PyPI, and its download sites do not
resolve from this machine), so these tests check the
objects PDF/A-2b requires and forbids: header, XMP identification agreeing with the document information,
an sRGB output intent, every font drawn embedded, no form, no annotation, no encryption, no transparency.
"""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from pdfua import validate

import pepdocs
from pepdocs._cli import main
from pepdocs.forms._spec import list_forms

from .conftest import example

FORMS = [form.id for form in list_forms()]


def _archive(form_id: str) -> bytes:
    return pepdocs.render(example("kent-secondary"), form_id, "pdf", archive=True)


@pytest.mark.parametrize("form_id", FORMS)
def test_an_archival_copy_has_what_pdfa_2b_requires(form_id: str) -> None:
    data = _archive(form_id)
    assert data.startswith(b"%PDF-1.7\n%") and all(b > 127 for b in data[10:14])
    pdf = pikepdf.open(io.BytesIO(data))
    assert not pdf.is_encrypted
    assert len(pdf.trailer.ID) == 2
    root = pdf.Root
    assert "/AcroForm" not in root and "/Lang" in root
    meta = pdf.open_metadata()
    assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
    assert meta["dc:title"] == str(pdf.docinfo.Title) == pepdocs.get_form(form_id).title
    assert meta["pdf:Producer"] == str(pdf.docinfo.Producer)
    assert meta["dc:description"] == str(pdf.docinfo.Subject)
    assert "dc:creator" not in meta and "/Author" not in pdf.docinfo
    raw = root.Metadata.read_bytes()
    assert b"/home/" not in raw and b"/work/" not in raw
    (intent,) = root.OutputIntents
    assert intent.S == "/GTS_PDFA1" and str(intent.OutputConditionIdentifier) == "sRGB IEC61966-2.1"
    profile = intent.DestOutputProfile
    assert int(profile.N) == 3 and profile.read_bytes()[36:40] == b"acsp" and profile.read_bytes()[16:20] == b"RGB "
    for page in pdf.pages:
        assert "/Annots" not in page and "/Group" not in page
        for name, font in page.Resources.Font.items():
            descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
            assert "/FontFile2" in descendant.FontDescriptor, name
            assert "/ToUnicode" in font, name
        for state in page.Resources.get("/ExtGState", {}).values():
            assert "/SMask" not in state and float(state.get("/CA", 1)) == 1 and float(state.get("/ca", 1)) == 1
        for instruction in pikepdf.parse_content_stream(page):
            assert str(instruction.operator) not in ("BI", "d0", "d1")  # no inline image, no Type 3 glyph


@pytest.mark.parametrize("form_id", FORMS)
def test_an_archival_copy_stays_pdfua_1(form_id: str, tmp_path: Path) -> None:
    data = _archive(form_id)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert pdf.open_metadata()["pdfuaid:part"] == "1"
        assert bool(pdf.Root.MarkInfo.Marked) and "/StructTreeRoot" in pdf.Root
        assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle)
    path = tmp_path / "archive.pdf"
    path.write_bytes(data)
    findings = [f"{f.rule_id} {f.message}" for f in validate(str(path)).findings]
    assert findings == []


def test_an_archival_copy_holds_the_answers_as_drawn_text() -> None:
    data = _archive("kent")
    pdf = pikepdf.open(io.BytesIO(data))
    drawn = b"".join(page.Contents.read_bytes() if isinstance(page.Contents, pikepdf.Stream) else b"".join(
        c.read_bytes() for c in page.Contents) for page in pdf.pages)  # fmt: skip
    assert b"Tj" in drawn
    assert pepdocs.render(example("kent-secondary"), "kent", "pdf", archive=True) == data  # the same bytes each time


def test_an_archival_copy_cannot_have_a_password_or_be_a_docx() -> None:
    with pytest.raises(pepdocs.UsageError, match="cannot be encrypted"):
        pepdocs.render(example("kent-secondary"), "kent", "pdf", archive=True, password="x")
    with pytest.raises(pepdocs.UsageError, match="archival"):
        pepdocs.render(example("kent-secondary"), "kent", "docx", archive=True)


def test_the_command_line_writes_an_archival_copy(tmp_path: Path) -> None:
    case = tmp_path / "case.json"
    case.write_text(example("kent-secondary").model_dump_json(), encoding="utf-8")
    out = tmp_path / "archive.pdf"
    args = ["render", str(case), "--form", "kent", "--format", "pdf", "--archive", "-o", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert pikepdf.open(out).open_metadata()["pdfaid:part"] == "2"
