"""Copies for schools and children leave out what the model marks sensitive; outputs leak no metadata."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader, PdfWriter

import pepdocs
from pepdocs.forms._codecs import code_label
from pepdocs.forms._spec import load_form
from pepdocs.model._paths import get, put, slot

from .conftest import ROOT, example

MARKER = "QX7-SENSITIVE-MARKER"
FORMS = [form.id for form in pepdocs.list_forms()]
FORMATS = ["docx", "pdf"]


def marked() -> tuple[pepdocs.PEP, list[str]]:
    """A PEP with a unique marker in every sensitive text field; the words of every sensitive code field."""
    data: dict[str, Any] = example("kent-secondary").model_dump(exclude_computed_fields=True)
    codes = []
    for path in pepdocs.sensitive_paths():
        found = slot(path)
        if found.kind == "text":
            put(data, path, f"{MARKER}:{path}")
        elif found.enum is not None:
            member = list(found.enum)[-1]
            put(data, path, member.value)
            codes.append(code_label(member))
    return pepdocs.PEP.model_validate(data), codes


def every_byte(document: bytes, fmt: str) -> bytes:
    """All the bytes a reader could get at: every part of a DOCX, every stream of a PDF inflated."""
    if fmt == "docx":
        package = zipfile.ZipFile(io.BytesIO(document))
        return b"".join(package.read(name) for name in package.namelist())
    out = [document]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", document, re.S):
        try:
            out.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"".join(out)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("form_id", FORMS)
@pytest.mark.parametrize("audience", ["school", "child"])
def test_a_copy_for_others_holds_no_sensitive_value_anywhere(
    audience: pepdocs.Audience, form_id: str, fmt: pepdocs.Format
) -> None:
    pep, codes = marked()
    data = every_byte(pepdocs.render(pep, form_id, fmt, audience=audience), fmt)
    assert MARKER.encode() not in data
    assert MARKER.encode("utf-16-be") not in data
    for words in codes:
        assert words.encode() not in data


@pytest.mark.parametrize("form_id", FORMS)
def test_the_record_copy_keeps_every_sensitive_field_the_form_carries(form_id: str) -> None:
    pep, _ = marked()
    form = pepdocs.get_form(form_id)
    parsed = pepdocs.parse(pepdocs.render(pep, form_id)).pep
    for path in pepdocs.sensitive_paths():
        if path in form.paths and slot(path).kind == "text":
            assert get(parsed, path) == f"{MARKER}:{path}"


def test_a_school_copy_leaves_out_the_blocks_that_are_all_sensitive() -> None:
    docx = pepdocs.render(example("southwark-primary"), "southwark-full", audience="school")
    xml = zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml").decode()
    assert "Relevant pre-care history" not in xml and "Who holds parental responsibility" not in xml
    assert "Surname" in xml


def test_an_unknown_audience_is_refused() -> None:
    with pytest.raises(pepdocs.UsageError, match="audience"):
        pepdocs.render(example("southwark-primary"), "kent", audience="press")  # type: ignore[arg-type]


@pytest.mark.parametrize("form_id", FORMS)
def test_docx_outputs_carry_no_author_user_or_machine_path(form_id: str) -> None:
    docx = pepdocs.render(example("southwark-primary"), form_id)
    package = zipfile.ZipFile(io.BytesIO(docx))
    core = package.read("docProps/core.xml").decode()
    assert not re.search(r"<dc:creator>|<cp:lastModifiedBy>|<dcterms:created", core)
    for name in package.namelist():
        data = package.read(name)
        for leak in (b"/home/", b"/root", b"/work/", b"/tmp/", b"C:\\", b"python-docx"):
            assert leak not in data, (name, leak)


def test_a_pdf_for_email_is_locked_with_aes_256_and_opens_with_its_password() -> None:
    pep = example("kent-secondary")
    locked = pepdocs.render(pep, "kent", "pdf", password="correct horse")
    assert b"/V 5" in locked.replace(b"/V5", b"/V 5") or b"/AESV3" in locked
    assert pep.child.last_name is not None and pep.child.last_name.encode() not in every_byte(locked, "pdf")
    with pytest.raises(pepdocs.DocumentError, match="password"):
        pepdocs.parse(locked)
    with pytest.raises(pepdocs.DocumentError, match="does not open it"):
        pepdocs.parse(locked, password="wrong")
    assert (
        pepdocs.parse(locked, password="correct horse").pep.child
        == pepdocs.parse(pepdocs.render(pep, "kent", "pdf")).pep.child
    )


def test_a_docx_cannot_be_given_a_password() -> None:
    with pytest.raises(pepdocs.UsageError, match="only a PDF"):
        pepdocs.render(example("kent-secondary"), "kent", password="x")


@pytest.mark.parametrize("council", ["eastvale", "riverford"])
def test_a_councils_own_form_passes_on_no_author_company_or_path_of_its_original(council: str, tmp_path: Path) -> None:
    original = next((ROOT / "tests" / "corpus" / council).glob("original.*"))
    authored = tmp_path / original.name
    if original.suffix == ".docx":
        with zipfile.ZipFile(original) as source, zipfile.ZipFile(authored, "w") as target:
            for name in source.namelist():
                data = source.read(name)
                if name == "docProps/core.xml":
                    data = re.sub(rb"<dc:creator>.*?</dc:creator>", b"<dc:creator>Jane Author</dc:creator>", data)
                elif name == "docProps/app.xml":
                    data = data.replace(b"<Company/>", b"<Company>JANEPC Ltd</Company>")
                target.writestr(name, data)
            vt = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
            fmtid = 'fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"'
            target.writestr(
                "docProps/custom.xml",
                '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
                f'xmlns:vt="{vt}"><property {fmtid} pid="2" name="_AuthorEmail"><vt:lpwstr>jane@janepc.example'
                f'</vt:lpwstr></property><property {fmtid} pid="3" name="_AuthorEmailDisplayName"><vt:lpwstr>Author, '
                f'Jane</vt:lpwstr></property><property {fmtid} pid="4" name="MSIP_Label_1234_Owner"><vt:lpwstr>'
                f'jane@janepc.example</vt:lpwstr></property><property {fmtid} pid="5" name="MSIP_Label_1234_Name">'
                "<vt:lpwstr>OFFICIAL-SENSITIVE</vt:lpwstr></property></Properties>",
            )
            template = "file:///C:/Users/JANEPC/AppData/Roaming/Microsoft/Templates/Normal.dotm"
            target.writestr(
                "word/_rels/settings.xml.rels",
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship '
                'Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" '
                f'Target="{template}" TargetMode="External"/></Relationships>',
            )
    else:
        writer = PdfWriter(clone_from=PdfReader(original))
        writer.add_metadata({"/Author": "Jane Author", "/Creator": "C:\\Users\\JANEPC\\form.docx"})
        writer.write(authored)
    folder = pepdocs.scaffold_form(authored, council, tmp_path / "forms").folder
    form = load_form(folder / "form.toml")
    fmt: pepdocs.Format = "docx" if original.suffix == ".docx" else "pdf"
    assert form.formats == (fmt,)
    document = pepdocs.render(example("early-years"), form, fmt)
    data = every_byte(document, fmt)
    assert b"Jane Author" not in data and b"JANEPC" not in data and b"python-docx" not in data
    assert b"janepc" not in data and b"Author, Jane" not in data
    if fmt == "docx":  # the council's own marking of its document stays
        with zipfile.ZipFile(io.BytesIO(document)) as package:
            assert b"MSIP_Label_1234_Name" in package.read("docProps/custom.xml")
    assert pepdocs.parse(document, form=form).form == form.id


def test_the_batch_and_merge_reports_name_their_files_not_the_folders_of_this_machine(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from pepdocs._cli import main

    from .conftest import write_xlsx
    from .test_batch import HEADERS, KINDS

    cases = write_xlsx(tmp_path / "cases.xlsx", HEADERS, [KINDS["southwark"]])
    pepdocs.batch(cases, tmp_path / "out", workers=1, policy="southwark")
    returned = tmp_path / "returned.docx"
    returned.write_bytes(pepdocs.render(example("southwark-primary"), "southwark-full"))
    record = ROOT / "examples" / "southwark-primary.json"
    args = ["merge", str(record), str(returned), "-o", str(tmp_path / "m.json"), "--report", str(tmp_path / "r.json")]
    assert CliRunner().invoke(main, args).exit_code == 0
    batch_report = (tmp_path / "out" / "batch-report.json").read_text(encoding="utf-8")
    merge_report = (tmp_path / "r.json").read_text(encoding="utf-8")
    assert '"source": "cases.xlsx"' in batch_report and '"returned": "returned.docx"' in merge_report
    workbook = every_byte((tmp_path / "out" / "batch-report.xlsx").read_bytes(), "docx")
    for text in (batch_report.encode(), merge_report.encode(), workbook):
        assert str(tmp_path).encode() not in text and str(ROOT).encode() not in text
    tracker = tmp_path / "tracker.xlsx"
    assert CliRunner().invoke(main, ["tracker", str(cases), "-o", str(tracker), "--policy", "southwark"]).exit_code == 0
    for book in (tmp_path / "out" / "batch-report.xlsx", tracker):
        with zipfile.ZipFile(book) as package:
            assert re.search(r"<dc:creator[^>]*>pepdocs</dc:creator>", package.read("docProps/core.xml").decode()), book
