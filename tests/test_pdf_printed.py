"""PDFs with no fields read back by their printed text: a completed DOCX saved as PDF, a flattened pepdocs PDF."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest

import pepdocs
from pepdocs.engines.pdf._printed import MAX_PAGES, PRINTED_WARNING

from .conftest import carried, example, libreoffice_convert
from .examples import EXAMPLE_FOR


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Each form's DOCX filled with its example and saved as PDF by LibreOffice, all in one run."""
    folder = tmp_path_factory.mktemp("printed")
    for form_id, name in EXAMPLE_FOR.items():
        (folder / f"{form_id}.docx").write_bytes(pepdocs.render(example(name), form_id, "docx"))
    libreoffice_convert(sorted(folder.glob("*.docx")), "pdf", folder, timeout=600)
    return {form_id: (folder / f"{form_id}.pdf").read_bytes() for form_id in EXAMPLE_FOR}


@pytest.mark.office
@pytest.mark.parametrize("form_id", sorted(EXAMPLE_FOR))
def test_a_word_form_saved_as_pdf_reads_back_every_value(form_id: str, printed: dict[str, bytes]) -> None:
    data = printed[form_id]
    assert b"/AcroForm" not in data
    parsed = pepdocs.parse(data)
    form = pepdocs.get_form(form_id)
    assert parsed.form == form_id
    assert [w.message for w in parsed.warnings] == [PRINTED_WARNING]
    assert parsed.unmapped == []
    assert carried(parsed.pep, form) == carried(example(EXAMPLE_FOR[form_id]), form)


# Laid out to its content, a flattened copy has no continuation pages, so every example reads back, no-provision's
# Arabic quotation too: its lam-alef ligature in reading order, its mixed-direction line wrapped where it was.
@pytest.mark.parametrize("form_id", sorted(EXAMPLE_FOR))
def test_a_flattened_pepdocs_pdf_reads_back_every_value(form_id: str) -> None:
    pep = example(EXAMPLE_FOR[form_id])
    parsed = pepdocs.parse(pepdocs.render(pep, form_id, "pdf", flatten=True))
    form = pepdocs.get_form(form_id)
    assert parsed.form == form_id
    assert [w.message for w in parsed.warnings] == [PRINTED_WARNING]
    assert carried(parsed.pep, form) == carried(pep, form)


def test_a_flattened_copy_with_a_short_record_reads_back_ticks_tables_and_text() -> None:
    pep = example("southwark-review")
    flat = pepdocs.render(pep, "southwark-review", "pdf", flatten=True)
    parsed = pepdocs.parse(flat, form="southwark-review")
    form = pepdocs.get_form("southwark-review")
    assert carried(parsed.pep, form) == carried(pep, form)


def _image_only_pdf() -> bytes:
    pdf = pikepdf.new()
    image = pikepdf.Stream(pdf, bytes(range(256)) * 4)
    image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    image.Width, image.Height, image.BitsPerComponent = 32, 32, 8
    image.ColorSpace = pikepdf.Name.DeviceGray
    page = pdf.add_blank_page(page_size=(595, 842))
    page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    page.Contents = pdf.make_stream(b"q 500 0 0 700 40 60 cm /Im0 Do Q")
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_a_scanned_pdf_with_no_text_is_refused_saying_so(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(_image_only_pdf())
    with pytest.raises(pepdocs.NotAPepFormError, match="no text") as error:
        pepdocs.parse(path)
    assert error.value.file == str(path)


def test_a_printed_pdf_of_more_pages_than_any_pep_is_refused_before_it_is_read() -> None:
    flat = pikepdf.open(io.BytesIO(pepdocs.render(example("kent-secondary"), "kent", "pdf", flatten=True)))
    while len(flat.pages) <= MAX_PAGES:  # the same pages again: a small file that would take minutes to read
        flat.pages.extend(list(flat.pages))
    out = io.BytesIO()
    flat.save(out)
    with pytest.raises(pepdocs.LimitError, match=r"pages to read by their printed text"):
        pepdocs.parse(out.getvalue())


def test_a_pdf_with_text_but_no_form_is_not_a_pep_form() -> None:
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(595, 842))
    font = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    page.Contents = pdf.make_stream(b"BT /F1 12 Tf 72 700 Td (A shopping list: eggs, bread, milk) Tj ET")
    out = io.BytesIO()
    pdf.save(out)
    with pytest.raises(pepdocs.NotAPepFormError):
        pepdocs.parse(out.getvalue())
