"""Reading a DOCX's cells in C (a cell read whole by lxml) gives exactly what reading it paragraph by paragraph gives.

The reader takes a cell whole only where that cannot differ: one paragraph, no text outside `w:t`, nothing that
prints besides text. Hypothesis builds cells of every kind people and office software leave and compares.
"""

from __future__ import annotations

import gc
import io
import zipfile
from typing import Any
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

import pepdocs
from pepdocs.engines.docx import _read
from pepdocs.engines.docx._read import PROMPTS, W14, W, paragraph_text, read_docx

from .conftest import example

_W = f"{{{W}}}"

WORDS = st.sampled_from(
    ["Yes", "☐ No", "  ", "a.b", "ß.", "Choose an item", "a & b <c>", *PROMPTS, "  CLICK HERE TO ENTER TEXT.  "]
).map(escape)
PLAIN = WORDS.map(lambda t: f'<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">{t}</w:t></w:r>')
MARKED = st.one_of(
    WORDS.map(lambda t: f"<w:r><w:tab/><w:t>{t}</w:t></w:r>"),
    WORDS.map(lambda t: f"<w:r><w:br/><w:t>{t}</w:t><w:cr/><w:noBreakHyphen/></w:r>"),
    WORDS.map(lambda t: f"<w:r><w:delText>{t}</w:delText></w:r>"),
    WORDS.map(lambda t: f"<w:r><w:instrText>{t}</w:instrText></w:r>"),
    WORDS.map(lambda t: f"<w:r><w:t>{t}</w:t></w:r>\n  "),  # white space between elements, as pretty-printed
    st.just('<w:r><w:sym w:font="Wingdings" w:char="F0FE"/></w:r>'),
    st.just(
        '<w:sdt><w:sdtPr><w14:checkbox><w14:checked w14:val="1"/></w14:checkbox></w:sdtPr>'
        "<w:sdtContent><w:r><w:t>☐</w:t></w:r></w:sdtContent></w:sdt>"
    ),
)
PLACEHOLDER = "<w:sdt><w:sdtPr><w:showingPlcHdr/></w:sdtPr><w:sdtContent>{}</w:sdtContent></w:sdt>"
MARKS = st.sampled_from(
    ["", '<w:bookmarkStart w:id="1" w:name="first"/>', '<w:bookmarkStart w:id="2" w:name="second"/>']
)
TABS = st.sampled_from(["", '<w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>'])
TAILS = st.sampled_from(["", "", "", " \n ", "<w:r><w:t>outside a paragraph</w:t></w:r>"])


def bodies(placeholders: bool) -> st.SearchStrategy[str]:
    """Document bodies of tables and paragraphs; with `placeholders`, content controls still showing theirs.

    A placeholder anywhere makes the reader read every cell paragraph by paragraph, so most bodies have none.
    """
    runs = st.one_of(
        *[PLAIN] * 3,
        MARKED,
        *([WORDS.map(lambda t: PLACEHOLDER.format(f"<w:r><w:t>{t}</w:t></w:r>"))] if placeholders else []),
    )
    paragraphs = st.builds(
        lambda tabs, mark, runs: f"<w:p>{tabs}{mark}{''.join(runs)}</w:p>", TABS, MARKS, st.lists(runs, max_size=3)
    )
    cells = st.builds(
        lambda mark, inside, wrap, tail: (
            f"<w:tc><w:tcPr/>{mark}{PLACEHOLDER.format(inside) if wrap else inside}{tail}</w:tc>"
        ),
        MARKS,
        # One paragraph of one plain run (most answers), lines of plain runs, or any paragraphs.
        st.one_of(
            PLAIN.map(lambda run: f"<w:p>{run}</w:p>"),
            st.lists(PLAIN.map(lambda run: f"<w:p>{run}</w:p>"), min_size=2, max_size=3).map("".join),
            st.lists(paragraphs, max_size=3).map("".join),
        ),
        st.booleans() if placeholders else st.just(False),
        TAILS,
    )
    rows = st.lists(cells, min_size=1, max_size=3).map(lambda cells: f"<w:tr>{''.join(cells)}</w:tr>")
    tables = st.lists(rows, min_size=1, max_size=3).map(lambda rows: f"<w:tbl>{''.join(rows)}</w:tbl>")
    others = st.sampled_from(
        [
            "<w:sectPr/>",
            "<w:sdt><w:sdtContent><w:p><w:r><w:t>In a control</w:t></w:r></w:p></w:sdtContent></w:sdt>",
            "<w:p><w:r><w:pict><w:txbxContent><w:p><w:r><w:t>In a text box</w:t></w:r></w:p></w:txbxContent>"
            "</w:pict></w:r></w:p>",
        ]
    )
    return st.lists(st.one_of(tables, paragraphs, others), min_size=1, max_size=4).map("".join)


def _docx(body: str) -> bytes:
    xml = f'<?xml version="1.0"?><w:document xmlns:w="{W}" xmlns:w14="{W14}"><w:body>{body}</w:body></w:document>'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", xml)
    return out.getvalue()


def _showing(p: etree._Element, tc: etree._Element) -> bool:
    """Whether a paragraph is inside a content control of its cell that still shows its placeholder."""
    return any(
        sdt.find(f"{_W}sdtPr/{_W}showingPlcHdr") is not None and tc in sdt.iterancestors(f"{_W}tc")
        for sdt in p.iterancestors(f"{_W}sdt")
    )


def _as_read_by_paragraph(tc: etree._Element | None) -> str:
    assert tc is not None  # a cell read from a DOCX keeps its element
    text = "\n".join(paragraph_text(p) for p in tc.iter(f"{_W}p") if not _showing(p, tc))
    return "" if text.strip().casefold() in PROMPTS else text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(body=st.one_of(bodies(placeholders=False), bodies(placeholders=True)))
def test_every_cell_and_loose_paragraph_reads_as_its_paragraphs_read_one_by_one(body: str) -> None:
    content = read_docx(_docx(body), "form.docx")
    cells = list(content.cells())
    assert [cell.text for cell in cells] == [_as_read_by_paragraph(cell.element) for cell in cells]
    loose = [p for p in content.body.iter(f"{_W}p") if next(p.iterancestors(f"{_W}tc"), None) is None]
    assert content.paragraphs == [paragraph_text(p) for p in loose]
    owners: dict[str, etree._Element] = {}  # the first mark of each name that stands in a cell names that cell
    for mark in content.body.iter(f"{_W}bookmarkStart"):
        owner = next(mark.iterancestors(f"{_W}tc"), None)
        if owner is not None:
            owners.setdefault(mark.get(f"{_W}name", ""), owner)
    assert {name: cell.element for name, cell in content.bookmarks.items()} == owners


def test_every_prompt_holds_a_full_stop_the_reader_looks_for_before_comparing() -> None:
    assert all("." in prompt for prompt in PROMPTS)


def test_parse_holds_off_the_cyclic_collector_and_leaves_it_as_it_found_it(monkeypatch: pytest.MonkeyPatch) -> None:
    filled = pepdocs.render(example("southwark-primary"), "southwark-full")
    seen: list[bool] = []

    def watched(data: bytes, file: str) -> Any:
        seen.append(gc.isenabled())
        return read_docx(data, file)

    monkeypatch.setattr(_read, "read_docx", watched)
    was = gc.isenabled()
    try:
        for enabled in (True, False):
            (gc.enable if enabled else gc.disable)()
            pepdocs.parse(filled)
            assert gc.isenabled() is enabled
            with pytest.raises(pepdocs.DocumentError):
                pepdocs.parse(b"PK\x03\x04 not a package")
            assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
    assert len(seen) == 4 and not any(seen)  # each parse, of the form and of the broken package, read paused
