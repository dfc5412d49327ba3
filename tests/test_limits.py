"""In-process too (isolated=False), each hostile file named in issue 13 is a PepdocsError within 10 s and 1 GB."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import pepdocs
from pepdocs._util.isolate import outcome

from .conftest import example, write_xlsx
from .test_hostile import _pdf, with_part

DOCX = pepdocs.render(example("southwark-primary"), "southwark-full")
SECONDS = 10.0


def ends(job: Callable[..., Any], *args: Any) -> tuple[str, Any]:
    """How `job` ends run in this process's image (forked, not isolated by pepdocs) with 10 s and 1 GB more."""
    return outcome(job, *args, seconds=SECONDS, memory=2**30)


def refused(data: bytes) -> pepdocs.PepdocsError:
    kind, value = ends(pepdocs.parse, data)
    assert kind == "error", (kind, value)
    assert isinstance(value, pepdocs.PepdocsError)
    return value


def repacked(docx: bytes, compression: int, damage: Callable[[bytes], bytes] | None = None) -> bytes:
    """The DOCX with every part stored with `compression`; `damage` changes document.xml's compressed bytes."""
    source = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as target:
        for item in source.infolist():
            target.writestr(item.filename, source.read(item.filename))
    data = out.getvalue()
    if damage is None:
        return data
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    end = start + info.compress_size
    return data[:start] + damage(data[start:end]) + data[end:]


def flip(at: float) -> Callable[[bytes], bytes]:
    def change(member: bytes) -> bytes:
        i = int(len(member) * at)
        return member[:i] + bytes([member[i] ^ 0x5A]) + member[i + 1 :]

    return change


@pytest.mark.parametrize("at", [0.0, 0.01, 0.3, 0.6, 0.99])
@pytest.mark.parametrize(
    "compression", [zipfile.ZIP_DEFLATED, zipfile.ZIP_LZMA, zipfile.ZIP_BZIP2], ids=["zlib", "lzma", "bz2"]
)
def test_one_flipped_byte_in_a_compressed_part_is_a_document_error(compression: int, at: float) -> None:
    kind, value = ends(pepdocs.parse, repacked(DOCX, compression, flip(at)))
    assert kind in ("ok", "error"), (kind, value)


def test_a_part_compressed_by_an_unknown_method_is_a_document_error_naming_it() -> None:
    # A flipped byte in the central directory's method field: zipfile raises NotImplementedError (found by fuzzing).
    name = b"word/document.xml"
    at = DOCX.index(b"PK\x01\x02")  # the central directory's first entry
    while DOCX[at + 46 : at + 46 + len(name)] != name:
        at = DOCX.index(b"PK\x01\x02", at + 4)
    damaged = DOCX[: at + 10] + (99).to_bytes(2, "little") + DOCX[at + 12 :]
    error = refused(damaged)
    assert isinstance(error, pepdocs.DocumentError)
    assert "word/document.xml" in str(error) and "compressed by a method" in str(error)


def _with_property(name: str, value: str) -> bytes:
    custom = zipfile.ZipFile(io.BytesIO(DOCX)).read("docProps/custom.xml").decode()
    custom = re.sub(rf'(name="{re.escape(name)}"><vt:lpwstr>)[^<]*', rf"\g<1>{value}", custom)
    return with_part(DOCX, "docProps/custom.xml", custom.encode())


def test_a_version_written_with_a_superscript_digit_is_read_or_refused_never_a_value_error() -> None:
    kind, value = ends(pepdocs.parse, _with_property("pepdocs.version", "2025.²"))
    assert kind == "ok", (kind, value)
    assert any("template version" in w.message for w in value.warnings)


def _pdf_with_fields(names: list[str]) -> bytes:
    fields = b" ".join(b"%d 0 R" % (4 + i) for i in range(len(names)))
    objects = [
        b"<</Type/Catalog/Pages 2 0 R/AcroForm<</Fields[" + fields + b"]>>>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>",
    ]
    # field names in PDFDocEncoding, which is Latin-1 for these
    objects += [b"<</FT/Tx/T(" + name.encode("latin-1") + b")/V(Invented)/Rect[0 0 10 10]>>" for name in names]
    pdf = _pdf(objects)
    return pdf.replace(b"trailer\n<<", b"trailer\n<</Info<</pepdocs.form(southwark-full)>>")


def test_a_pdf_row_number_beyond_any_table_is_refused_quickly() -> None:
    error = refused(_pdf_with_fields(["care.carers.1000000000.name", "child.first_name"]))
    assert "care.carers" in str(error)


def test_a_pdf_row_number_written_with_a_superscript_digit_is_kept_without_a_place() -> None:
    kind, value = ends(pepdocs.parse, _pdf_with_fields(["care.carers.\u00b2.name", "child.first_name"]))
    assert kind == "ok", (kind, value)
    assert [u.where for u in value.unmapped] == ["PDF field care.carers.².name"]


def _nested_paragraphs(depth: int, width: int) -> bytes:
    """A DOCX whose table cell holds paragraphs nested `depth` deep, `width` of them at each level."""
    inner = ""
    for _ in range(depth):
        inner = "<w:p><w:r><w:t>" + "x" * 20_000 + "</w:t></w:r>" + inner * width + "</w:p>"
    xml = zipfile.ZipFile(io.BytesIO(DOCX)).read("word/document.xml").decode()
    xml = xml.replace("<w:body>", f"<w:body><w:tbl><w:tr><w:tc>{inner}</w:tc></w:tr></w:tbl>", 1)
    return with_part(DOCX, "word/document.xml", xml.encode())


@pytest.mark.parametrize("depth", [20, 100, 300])
def test_deeply_nested_paragraphs_are_refused_quickly(depth: int) -> None:
    error = refused(_nested_paragraphs(depth, 1))
    assert isinstance(error, pepdocs.LimitError)
    assert "nests" in str(error)


def test_a_document_with_too_much_text_is_refused() -> None:
    xml = zipfile.ZipFile(io.BytesIO(DOCX)).read("word/document.xml").decode()
    para = "<w:p><w:r><w:t>" + "y" * 100_000 + "</w:t></w:r></w:p>"
    xml = xml.replace("<w:body>", "<w:body>" + para * 200, 1)
    error = refused(with_part(DOCX, "word/document.xml", xml.encode()))
    assert isinstance(error, pepdocs.LimitError)
    assert "characters of text" in str(error)


def test_one_answer_with_too_much_text_is_refused_naming_its_cell() -> None:
    xml = zipfile.ZipFile(io.BytesIO(DOCX)).read("word/document.xml").decode()
    cell = "<w:tc><w:p><w:r><w:t>" + "z" * 300_000 + "</w:t></w:r></w:p></w:tc>"
    xml = xml.replace("<w:body>", f"<w:body><w:tbl><w:tr>{cell}</w:tr></w:tbl>", 1)
    error = refused(with_part(DOCX, "word/document.xml", xml.encode()))
    assert "table 1 row 1 column 1" in str(error)


def _read_all_cases(path: str) -> int:
    with pepdocs.read_cases(path) as rows:
        return sum(1 for _ in rows)


def _case_workbook(tmp_path: Path) -> bytes:
    from .test_batch import HEADERS, KINDS

    return write_xlsx(tmp_path / "good.xlsx", HEADERS, [list(row) for row in KINDS.values()]).read_bytes()


@pytest.mark.parametrize("at", [0.05, 0.2, 0.4, 0.6, 0.8, 0.95])
def test_a_flipped_byte_in_a_case_workbooks_sheet_is_an_input_error_naming_the_file(tmp_path: Path, at: float) -> None:
    # Found by the fuzzer: zlib.error raised from openpyxl's sheet reader, outside the errors it caught.
    data = _case_workbook(tmp_path)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    i = start + int(info.compress_size * at)
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(data[:i] + bytes([data[i] ^ 0x5A]) + data[i + 1 :])
    kind, value = ends(_read_all_cases, str(path))
    assert kind in ("ok", "error"), (kind, value)
    if kind == "error":
        assert isinstance(value, pepdocs.InputError) and value.file == str(path)


def test_a_csv_cell_past_the_field_limit_is_an_input_error_naming_its_row(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text("Person ID,Forename\nP1,Amara\nP2," + "x" * 200_000 + "\n", encoding="utf-8")
    kind, value = ends(_read_all_cases, str(path))
    assert kind == "error" and isinstance(value, pepdocs.InputError), (kind, value)
    assert value.row == 3 and "field larger than field limit" in str(value) and "xxx" not in str(value)


def test_memory_running_out_while_reading_is_left_to_the_guard_not_called_a_damaged_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """In-process, MemoryError reaches the caller (isolated, it is a LimitError); never 'cannot be read'."""
    from pepdocs.engines.docx import DocxEngine

    def exhausted(*_args: Any) -> Any:
        raise MemoryError

    monkeypatch.setattr(DocxEngine, "open", exhausted)
    with pytest.raises(MemoryError):
        pepdocs.parse(DOCX)
