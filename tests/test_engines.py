"""The engine seam: formats are registered engines, and render, parse and batch reach them only through it."""

from __future__ import annotations

import io
import json
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import click
import pytest

import pepdocs
from pepdocs import engines
from pepdocs.engines import RenderOptions, all_engines, formats, get_engine, register, sniff
from pepdocs.forms._answers import Answers
from pepdocs.forms._assemble import Found
from pepdocs.forms._spec import Form, get_form
from pepdocs.workflows._cases import CaseRow

from .conftest import example

MAGIC = b"pepdocs plain text\n"


@dataclass
class TextContent:
    properties: Mapping[str, str]
    values: dict[str, str]
    rows: dict[str, list[dict[str, str]]]


class TextEngine:
    """A third format that exists only in this test: answers as JSON after a first line."""

    format = "txt"
    suffix = ".txt"
    options: frozenset[str] = frozenset()

    def sniff(self, data: bytes) -> bool:
        return data.startswith(MAGIC)

    def render(self, form: Form, answers: Answers, options: RenderOptions) -> bytes:
        document = {"properties": dict(options.properties), "values": answers.values, "rows": answers.tables}
        return MAGIC + json.dumps(document).encode()

    def open(self, data: bytes, file: str, password: str | None) -> TextContent:
        try:
            document = json.loads(data[len(MAGIC) :])
        except ValueError as error:
            raise pepdocs.DocumentError("is not a plain-text form", file) from error
        return TextContent(document["properties"], document["values"], document["rows"])

    def identify(self, content: TextContent) -> tuple[Form | None, float]:
        return None, 0.0

    def locate(self, form: Form, content: TextContent, sections: frozenset[str] | None) -> Found:
        found = Found()
        for _, block in form.blocks(sections):
            if block.kind == "table":
                found.rows[block.id] = content.rows.get(block.id, [])
            for field in block.cells():
                if not field.derived:
                    found.values[field.id] = content.values.get(field.id, "")
        return found

    def load(self, form: Form) -> None:
        pass

    def build(self, form: Form) -> bytes:
        return MAGIC


@pytest.fixture
def text_engine() -> Iterator[TextEngine]:
    engine = TextEngine()
    register(engine)
    try:
        yield engine
    finally:
        del engines._registry[engine.format]


def test_docx_and_pdf_are_registered_in_that_order() -> None:
    assert formats() == ("docx", "pdf")
    assert [(e.format, e.suffix) for e in all_engines()] == [("docx", ".docx"), ("pdf", ".pdf")]
    assert get_engine("pdf").options == {"flatten", "password"} and not get_engine("docx").options
    with pytest.raises(pepdocs.UsageError, match="format must be one of docx, pdf, not 'odt'"):
        get_engine("odt")
    from pepdocs._cli import main

    for name in ("render", "convert", "batch"):
        (option,) = [p for p in main.commands[name].params if p.name == "fmt"]
        assert isinstance(option.type, click.Choice) and tuple(option.type.choices) == formats()
    with pytest.raises(pepdocs.RenderError, match="already has an engine"):
        register(get_engine("docx"))


def test_sniff_picks_the_engine_by_the_bytes_and_refuses_other_files() -> None:
    pep = example("kent-secondary")
    assert sniff(pepdocs.render(pep, "kent", "docx")).format == "docx"
    assert sniff(pepdocs.render(pep, "kent", "pdf")).format == "pdf"
    assert sniff(b"\n\n%PDF-1.7\n...").format == "pdf"  # a PDF may start after some junk
    for other in (b"", b"hello", b"%!PS-Adobe-3.0", b"\x89PNG\r\n\x1a\n"):
        with pytest.raises(pepdocs.DocumentError, match="not a DOCX or PDF file") as raised:
            sniff(other, "upload.bin")
        assert raised.value.file == "upload.bin"
    with pytest.raises(pepdocs.DocumentError, match="not a DOCX or PDF file"):
        pepdocs.parse(b"plain words, not a form")


def test_a_registered_engine_renders_and_parses_with_no_other_change(text_engine: TextEngine) -> None:
    pep = example("kent-secondary")
    # A registered engine's format lies outside the built-in Format literal: the registry is checked when run.
    document = pepdocs.render(pep, "kent", "txt")  # type: ignore[arg-type]
    assert document.startswith(MAGIC) and sniff(document) is text_engine
    parsed = pepdocs.parse(document)
    assert (parsed.form, parsed.format) == ("kent", "txt")
    assert parsed.pep == pepdocs.parse(pepdocs.render(pep, "kent", "docx")).pep
    part = pepdocs.parse(pepdocs.render(pep, "kent", "txt", sections=["B"]))  # type: ignore[arg-type]
    assert part.sections == ["B"]
    with pytest.raises(pepdocs.UsageError, match="only a PDF can be flattened"):
        pepdocs.render(pep, "kent", "txt", flatten=True)  # type: ignore[arg-type]
    with pytest.raises(pepdocs.DocumentError, match="not a DOCX, PDF or TXT file"):
        pepdocs.parse(b"neither")


def test_batch_writes_a_registered_format(text_engine: TextEngine, tmp_path: Path) -> None:
    pep = example("kent-secondary")
    row = CaseRow(row=2, person_id="T1", pep=pep)
    report = pepdocs.batch(
        [row],
        tmp_path,
        form="kent",
        format="txt",  # type: ignore[arg-type]
        workers=1,
        run_date=date(2027, 1, 5),
        policy="southwark",
    )
    assert report.ok and report.written == 1
    (written,) = tmp_path.glob("*.txt")
    assert written.name.startswith("T1_kent_")  # then the planned meeting's date
    assert pepdocs.parse(written).pep == pepdocs.parse(pepdocs.render(pep, "kent", "docx")).pep


def test_the_build_writes_every_engine_template(text_engine: TextEngine, tmp_path: Path) -> None:
    from pepdocs.build import build_form

    kent = get_form("kent")
    written = build_form(replace(kent, folder=tmp_path))
    assert sorted(p.name for p in written) == sorted(p.name for p in tmp_path.iterdir()) == [
        "form.docx", "form.pdf", "form.txt"
    ]  # fmt: skip
    for name in ("form.docx", "form.pdf"):
        assert (tmp_path / name).read_bytes() == (kent.folder / name).read_bytes()
    assert (tmp_path / "form.txt").read_bytes() == MAGIC


def _damaged_deflate(docx: bytes, part: str) -> bytes:
    """A DOCX whose part's compressed bytes are scrambled, its zip directory left intact."""
    info = zipfile.ZipFile(io.BytesIO(docx)).getinfo(part)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data = bytearray(docx)
    for index in range(start + 10, start + 60):
        data[index] ^= 0x5A
    return bytes(data)


def test_each_engine_turns_library_errors_into_pepdocs_errors_with_the_cause_kept(tmp_path: Path) -> None:
    docx = pepdocs.render(example("kent-secondary"), "kent")
    with pytest.raises(pepdocs.DocumentError, match=r"word/document\.xml cannot be read") as raised:
        pepdocs.parse(_damaged_deflate(docx, "word/document.xml"))
    assert isinstance(raised.value.__cause__, zlib.error)
    with pytest.raises(pepdocs.DocumentError, match="not a DOCX file") as raised:
        pepdocs.parse(docx[:-30])
    assert isinstance(raised.value.__cause__, zipfile.BadZipFile)
    with pytest.raises(pepdocs.DocumentError, match="PDF is damaged") as raised:
        pepdocs.parse(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 9 0 R >>\n%%EOF\n")
    assert raised.value.__cause__ is not None and not isinstance(raised.value.__cause__, pepdocs.PepdocsError)
    (tmp_path / "form.docx").write_bytes(b"PK\x03\x04 not a template")
    broken = replace(get_form("kent"), folder=tmp_path)
    with pytest.raises(pepdocs.RenderError, match="DOCX template of form kent is not one pepdocs built") as refused:
        pepdocs.render(example("kent-secondary"), broken)
    assert isinstance(refused.value.__cause__, zipfile.BadZipFile)
