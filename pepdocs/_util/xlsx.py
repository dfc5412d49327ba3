"""Workbooks as pepdocs writes them (batch report, tracker): text that never runs as a formula, one sheet layout.

Text a spreadsheet would run as a formula (a leading = + - or @) is written as a text cell marked
quote-prefixed, the way Excel stores text typed after an apostrophe: the words are kept exactly and no
office suite evaluates them, even after the cell is edited.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

DATE_FORMAT = "dd/mm/yyyy"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read text as a formula (OWASP CSV-injection list)."""
HEADER_FONT = Font(bold=True)
HEADER_ALIGNMENT = Alignment(vertical="top", wrap_text=False)


def workbook(*, write_only: bool = False) -> Workbook:
    """A new workbook that names pepdocs as its creator (openpyxl would name itself)."""
    book = Workbook(write_only=write_only)
    book.properties.creator = "pepdocs"
    return book


def put(cell: Cell, value: Any) -> Cell:
    """`value` in `cell`: text cleaned of characters XLSX cannot hold and never a formula; dates as dd/mm/yyyy."""
    if isinstance(value, str):
        clean = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.value = clean
        if clean.startswith(FORMULA_STARTS):
            cell.data_type = "s"
            cell.quotePrefix = True
    else:
        cell.value = value
        if isinstance(value, date):
            cell.number_format = DATE_FORMAT
    return cell


def style_header(cell: Cell) -> Cell:
    """A header cell: bold, at the top."""
    cell.font = HEADER_FONT
    cell.alignment = HEADER_ALIGNMENT
    return cell


def frame(sheet: Worksheet | WriteOnlyWorksheet, widths: Sequence[float], rows: int) -> None:
    """Freeze and filter the header row, set column widths, print landscape one page wide with the header on each page.

    `rows` counts the sheet's rows, header included (a write-only sheet cannot say).
    """
    sheet.freeze_panes = "A2"
    sheet.page_setup.orientation = "landscape"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.print_title_rows = "1:1"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(widths))}{max(rows, 1)}"
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
