"""Every child's script in a PDF: drawn with a glyph for every character, shaped, copied out in reading order."""

from __future__ import annotations

import io
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

import pepdocs
from pepdocs.engines.pdf._fonts import missing

from .conftest import office

# A name and a sentence in each script and language the issue names (invented children).
SAMPLES: dict[str, tuple[str, str]] = {
    "Arabic": ("محمد سعيد", "أحبُّ المدرسة وأصدقائي كثيراً."),
    "Urdu": ("عائشہ خان", "مجھے اسکول جانا پسند ہے۔"),
    "Persian": ("زهرا رضایی", "من می‌خواهم پزشک شوم و مدرسه را دوست دارم."),
    "Tigrinya": ("ሰላም ተስፋይ", "ትምህርቲ ቤት ይፈቱ እየ።"),
    "Amharic": ("አበበ ከበደ", "ትምህርት ቤት እወዳለሁ።"),
    "Bengali": ("সুমাইয়া আক্তার", "আমি স্কুলে যেতে ভালোবাসি।"),
    "Punjabi": ("ਹਰਪ੍ਰੀਤ ਕੌਰ", "ਮੈਨੂੰ ਸਕੂਲ ਜਾਣਾ ਪਸੰਦ ਹੈ।"),
    "Hindi": ("प्रिया शर्मा", "मुझे स्कूल जाना पसंद है।"),
    "Tamil": ("கார்த்திக் ராஜா", "எனக்கு பள்ளிக்குச் செல்லப் பிடிக்கும்."),
    "Chinese": ("王小明", "我喜欢上学，也喜欢踢足球。"),
    "Vietnamese": ("Nguyễn Thị Hương", "Em thích đi học và chơi bóng đá."),
    "Polish": ("Łucja Wróbel-Żółć", "Lubię chodzić do szkoły."),
    "Romanian": ("Ștefan Țurcanu", "Îmi place să merg la școală."),
    "Turkish": ("Çağrı Öztürk", "Okula gitmeyi çok seviyorum."),
    "Greek": ("Γιώργος Παπαδόπουλος", "Μου αρέσει πολύ το σχολείο."),
    "Cyrillic": ("Олександр Ковальчук", "Мне нравится школа. Їжак і ґанок."),
    "Somali": ("Cabdi Maxamed Xuseen", "Waxaan jeclahay dugsiga."),
}


RIGHT_TO_LEFT = {"Arabic", "Urdu", "Persian"}


def _letters(text: str) -> set[str]:
    return {c for c in unicodedata.normalize("NFKC", text) if unicodedata.category(c).startswith("L")}


def _actual_texts(pdf: pikepdf.Pdf) -> list[str]:
    """The /ActualText of every marked span on the pages."""
    out = []
    for page in pdf.pages:
        for instruction in pikepdf.parse_content_stream(page):
            operands, operator = instruction.operands, instruction.operator
            if operator == pikepdf.Operator("BDC") and isinstance(operands[1], pikepdf.Dictionary):
                if "/ActualText" in operands[1]:
                    out.append(str(operands[1].ActualText))
    return out


def _pep(name: str, sentence: str) -> pepdocs.PEP:
    return pepdocs.PEP.model_validate({"child": {"first_name": name, "address": sentence}})


def _fonts(pdf: pikepdf.Pdf) -> dict[str, tuple[TTFont | None, set[int]]]:
    """Each font resource's embedded program and the glyph ids its /W lists."""
    out: dict[str, tuple[TTFont | None, set[int]]] = {}
    for name, font in pdf.Root.AcroForm.DR.Font.items() if "/AcroForm" in pdf.Root else []:
        out[name] = _font(font)
    for page in pdf.pages:
        for name, font in page.Resources.get("/Font", {}).items():
            out[name] = _font(font)
    return out


def _font(font: Any) -> tuple[TTFont | None, set[int]]:
    if font.Subtype != "/Type0":
        return None, set()
    cid = font.DescendantFonts[0]
    program = TTFont(io.BytesIO(cid.FontDescriptor.FontFile2.read_bytes()))
    listed: set[int] = set()
    w = list(cid.W)
    for i in range(0, len(w), 2):
        listed.update(range(int(w[i]), int(w[i]) + len(w[i + 1])))
    return program, listed


def _glyphs_drawn(pdf: pikepdf.Pdf) -> list[tuple[str, int]]:
    """(font resource, glyph id) of every glyph a text operator draws, in pages and field appearances."""
    streams: list[Any] = list(pdf.pages)
    for page in pdf.pages:
        for annot in page.get("/Annots", []):
            if "/AP" in annot and isinstance(annot.AP.N, pikepdf.Stream):
                streams.append(annot.AP.N)
    drawn: list[tuple[str, int]] = []
    for stream in streams:
        font = ""
        for instruction in pikepdf.parse_content_stream(stream):
            operands, operator = instruction.operands, instruction.operator
            if operator == pikepdf.Operator("Tf"):
                font = str(operands[0])
            elif operator in (pikepdf.Operator("Tj"), pikepdf.Operator("TJ")):
                items = operands[0] if operator == pikepdf.Operator("TJ") else [operands[0]]
                for item in items:
                    if isinstance(item, pikepdf.String):
                        data = bytes(item)
                        drawn.extend((font, int.from_bytes(data[i : i + 2], "big")) for i in range(0, len(data), 2))
    return drawn


@pytest.mark.parametrize("script", sorted(SAMPLES))
def test_every_script_has_a_glyph_for_every_character(script: str) -> None:
    name, sentence = SAMPLES[script]
    assert missing(name + sentence) == []
    for flatten in (False, True):
        data = pepdocs.render(_pep(name, sentence), "southwark-full", "pdf", flatten=flatten)
        pdf = pikepdf.open(io.BytesIO(data))
        fonts = _fonts(pdf)
        drawn = _glyphs_drawn(pdf)
        assert drawn
        for font, gid in drawn:
            program, listed = fonts[font]
            if program is None:
                continue
            assert gid != 0, f"{script}: .notdef drawn in {font}"
            assert gid in listed, f"{script}: glyph {gid} of {font} has no width"
            glyph_name = program.getGlyphOrder()[gid]
            glyph = program["glyf"][glyph_name]
            # Spaces and joiners have no outline; any other glyph drawn must have one in the embedded subset.
            if program["hmtx"][glyph_name][0] == 0 or glyph.numberOfContours == 0:
                continue
            assert glyph.numberOfContours != 0


@pytest.mark.office
@pytest.mark.parametrize("script", sorted(SAMPLES))
def test_every_script_is_drawn_and_copied_out_in_reading_order(script: str, tmp_path: Path) -> None:
    name, sentence = SAMPLES[script]
    data = pepdocs.render(_pep(name, sentence), "southwark-full", "pdf", flatten=True)
    path = tmp_path / "flat.pdf"
    path.write_bytes(data)
    pdftotext = office("pdftotext")
    text = subprocess.run([pdftotext, "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, timeout=60)
    copied = unicodedata.normalize("NFC", text.stdout.decode("utf-8"))
    if script in RIGHT_TO_LEFT:
        # Poppler puts right-to-left text in its own order; the reading order is the lines' /ActualText.
        assert _letters(name + sentence) <= _letters(copied)
        assert {name, sentence} <= set(_actual_texts(pikepdf.open(io.BytesIO(data))))
    else:
        for word in (name.split()[0], sentence.split()[0]):
            assert unicodedata.normalize("NFC", word) in copied, (script, word)
    pdftoppm = office("pdftoppm")
    shown = subprocess.run(
        [pdftoppm, "-r", "40", "-f", "1", "-l", "1", "-gray", str(path), str(tmp_path / "page")],
        capture_output=True,
        check=True,
        timeout=60,
        text=True,
    )
    assert shown.stderr == ""  # poppler complains of a font it cannot use


def _one_glyph_font(path: Path, code: int) -> None:
    """A TrueType font with one glyph (a square) for one character, written with fontTools."""
    from fontTools.fontBuilder import FontBuilder  # type: ignore[import-untyped]
    from fontTools.pens.ttGlyphPen import TTGlyphPen  # type: ignore[import-untyped]

    pen = TTGlyphPen(None)
    for x, y in ((100, 0), (100, 700), (600, 700), (600, 0)):
        (pen.moveTo if x == 100 and y == 0 else pen.lineTo)((x, y))
    pen.closePath()
    square = pen.glyph()
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder([".notdef", "square"])
    builder.setupCharacterMap({code: "square"})
    builder.setupGlyf({".notdef": TTGlyphPen(None).glyph(), "square": square})
    builder.setupHorizontalMetrics({".notdef": (500, 0), "square": (700, 100)})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "Test", "styleName": "Regular"})
    builder.setupOS2()
    builder.setupPost()
    builder.save(str(path))


def test_a_font_file_the_user_names_draws_what_no_bundled_font_has(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pepdocs.engines.pdf import _fonts, _text

    char = "\ue000"  # a private-use character: no bundled font has it
    path = tmp_path / "mine.ttf"
    _one_glyph_font(path, ord(char))

    def reset() -> None:
        _fonts._choice.clear()
        _text._plain.cache_clear()
        _text._runs.cache_clear()
        _text.font.cache_clear()

    reset()
    assert missing(char) == [char]
    monkeypatch.setenv(_fonts.FONT_ENV, str(path))
    reset()
    try:
        assert missing(char) == []
        data = pepdocs.render(_pep("Ada " + char, "x"), "southwark-full", "pdf", flatten=True)
        pdf = pikepdf.open(io.BytesIO(data))
        assert ("/UserFont", 1) in _glyphs_drawn(pdf)
    finally:
        monkeypatch.delenv(_fonts.FONT_ENV)
        reset()
