"""The house style both template builders draw: A4 page, margins and colours, so a form's DOCX and PDF look alike."""

from __future__ import annotations

PAGE_WIDTH_CM = 21.0
PAGE_HEIGHT_CM = 29.7
MARGIN_CM = 1.8
TEXT_WIDTH_CM = PAGE_WIDTH_CM - 2 * MARGIN_CM

NAVY = "1F3864"
"""Title, headings and table header rows."""
LABEL_FILL = "DCE6F0"
"""Behind a label."""
SECTION_FILL = "D5DCE4"
"""Behind a section heading."""


def points(cm: float) -> float:
    """A length in PDF points (1/72 inch), to the hundredth."""
    return round(cm / 2.54 * 72, 2)


def rgb(colour: str) -> tuple[float, float, float]:
    """A hex colour as PDF's red, green and blue from 0 to 1, to three places."""
    red, green, blue = (round(int(colour[at : at + 2], 16) / 255, 3) for at in (0, 2, 4))
    return red, green, blue
