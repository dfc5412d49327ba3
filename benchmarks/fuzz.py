"""Fuzzing the readers in-process: mutated copies of every form in every format, counted by how each ended.

    python benchmarks/fuzz.py [--n 20000] [--seeds 0 [1 ...]] [--seconds 10] [--memory-mb 1024] [--progress 1000]
                              [--no-office] [--only forms printed cases scaffold council]

    python benchmarks/fuzz.py --n 10000 --seeds 21 22 --progress 1000   # the figures in SECURITY.md

Each case renders a form (whole, or one role's part) from an example PEP, damages it one way or
several (flipped, cut and inserted bytes in the file or inside a compressed part, parts recompressed
with zlib, LZMA or bz2, document properties and PDF field names rewritten, digits made superscript,
row numbers made huge, paragraphs nested deep) and parses it with `isolated=False`, in this process.
One case in twenty is a PDF read by its printed text (a flattened pepdocs PDF, or each form's DOCX
exported to PDF by LibreOffice unless `--no-office`) with its page text damaged; two in twenty are a
case-data file (an XLSX and a CSV of invented children) with damaged bytes, cells, cell types, row
numbers or encoding, read row by row as `pepdocs batch` reads it.
Five in twenty are councils' own forms (tests/corpus): two a council's blank original, damaged and
scaffolded (`pepdocs.scaffold_form`), then, when that works, a PEP written into what was scaffolded and
read back; three a completed copy of each council's form, damaged and read with its form given or
recognised among all. Besides the damage above, these have what councils' forms have and pepdocs' do
not made odd: content-control tick boxes' states, legacy form fields' data and field characters, text
boxes, merged cells, rows copied a thousand times, words typed anywhere; and in a PDF, radio kids and
check boxes without appearances, `/Opt` of the wrong type, XFA packets, field types, flags, tooltips,
rectangles and kids of the wrong type, kids that loop, and the printed words beside the fields.
`--only` runs only some kinds, each in its turn.
A guard stops a case after `--seconds` of CPU time (a profiling interval timer, so a busy machine does not
stop a case that is only waiting) and the process may use at most
`--memory-mb` beyond what it held at the start (RLIMIT_AS), so a hang or a blow-up is counted, not
suffered. Every outcome is counted: "read" (a PEP), each PepdocsError class, "timeout", "memory",
and "RAW <type>" for any other exception, which is a bug. Exit status 1 when any case was RAW.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pepdocs  # noqa: E402
from pepdocs._util.isolate import address_space  # noqa: E402
from pepdocs.forms._spec import ROLES  # noqa: E402
from pepdocs.workflows._cases import read_cases  # noqa: E402
from tests.examples import EXAMPLE_FOR  # noqa: E402

CASE_ROWS = 41  # the header and 40 children
CONTENT_TOKENS = [*map(str.encode, "BT ET Tj TJ [( )] q Q cm Tf Td Tm re f S".split()), b"/F1 1e30 Tf",
                  b"1 0 0 1 1e9 1e9 cm", b"0 0 1e9 1e9 re f", b"<ffff> Tj", b"(\\", b"BI ID EI"]  # fmt: skip
NUMBERS = [b"1e30", b"-1e30", b"99999999999999999999", b"-0", b"0", b"NaN", b".", b"--1", b"1.2.3", "²".encode()]
CELL_VALUES = [b"1e309", b"-1", b"NaN", b"inf", b"99999999999999999999", b"2958466", b"-700000", b"0.5", b"",
               b"999999999", "²".encode(), b"&lt;&amp;", b"#REF!", b"true"]  # fmt: skip
CELL_TEXTS = ["31/02/2011", "²⁰¹¹-01-01", "2011-1-1", "1e309", "-1", "NaN", "=1+1", "@SUM(A1)", '"', "\r",
              "x" * 200_000, "9" * 400, "0000-00-00", "13/13/2013", "Year ²", "UN9", "C２", "\u202e"]  # fmt: skip
TOKENS = [b"<w:p>", b"</w:p>", b"<w:tc>", b"</w:tr>", b"&amp;", b"\xff\xfe", b"<!--", b"]]>", b"obj", b"endobj",
          b"/Kids[1 0 R]", b"<<", b">>", b"(", b"xref", b"stream", b"/V", b"/AS/Yes", "²".encode()]  # fmt: skip


class Timeout(BaseException):
    """A case ran past its time."""


def _alarm(_signal: int, _frame: FrameType | None) -> None:
    raise Timeout


def documents() -> list[tuple[str, bytes]]:
    """Every form in every format, whole and as each role's part, filled from an example PEP."""
    out = []
    for form in pepdocs.list_forms():
        pep = pepdocs.read_pep(ROOT / "examples" / f"{EXAMPLE_FOR.get(form.id, 'southwark-primary')}.json")
        parts = [None, *(role for role in ROLES if any(role in s.roles for s in form.sections))]
        for fmt in form.formats:
            for part in parts:
                data = pepdocs.render(pep, form, fmt, part=part)  # type: ignore[arg-type]
                out.append((f"{form.id}/{fmt}/{part or 'whole'}", data))
    return out


def printed_documents(office: bool) -> list[tuple[str, bytes]]:
    """PDFs without fields, read by their printed text: each form flattened, and exported from Word's format by
    LibreOffice (when `office` and soffice is installed)."""
    out = []
    soffice = shutil.which("soffice") if office else None
    for form in pepdocs.list_forms():
        pep = pepdocs.read_pep(ROOT / "examples" / f"{EXAMPLE_FOR.get(form.id, 'southwark-primary')}.json")
        if "pdf" in form.formats:
            out.append((f"{form.id}/printed/flattened", pepdocs.render(pep, form, "pdf", flatten=True)))
        if soffice and "docx" in form.formats:
            with tempfile.TemporaryDirectory() as work:
                source = Path(work, "form.docx")
                source.write_bytes(pepdocs.render(pep, form))
                profile = f"-env:UserInstallation=file://{work}/profile"
                command = [soffice, profile, "--headless", "--convert-to", "pdf", "--outdir", work, str(source)]
                subprocess.run(command, check=True, capture_output=True, timeout=180)
                out.append((f"{form.id}/printed/libreoffice", Path(work, "form.pdf").read_bytes()))
    return out


def case_files() -> list[tuple[str, bytes]]:
    """The first rows of examples/cases.xlsx (invented children, some rows wrong on purpose), as XLSX and as CSV."""
    from openpyxl import Workbook, load_workbook

    source = load_workbook(ROOT / "examples" / "cases.xlsx", read_only=True)
    sheet = source.active
    assert sheet is not None
    rows = [list(row) for _, row in zip(range(CASE_ROWS), sheet.iter_rows(values_only=True), strict=False)]
    source.close()
    book = Workbook()
    target = book.active
    assert target is not None
    for row in rows:
        target.append(row)
    xlsx = io.BytesIO()
    book.save(xlsx)
    text = io.StringIO()
    csv.writer(text).writerows([["" if cell is None else cell for cell in row] for row in rows])
    return [("cases/xlsx", xlsx.getvalue()), ("cases/csv", text.getvalue().encode("utf-8"))]


def _bytes(rng: random.Random, data: bytes, tokens: list[bytes] = TOKENS) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        at = rng.randrange(len(out))
        action = rng.choice(["flip", "cut", "insert"])
        if action == "flip":
            out[at] = rng.randrange(256)
        elif action == "cut":
            del out[at : at + rng.randint(1, 400)]
        else:
            out[at:at] = rng.choice(tokens)
        if not out:
            break
    return bytes(out)


def _repack(docx: bytes, change: Callable[[str, bytes], bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as target:
        for item in source.infolist():
            target.writestr(item.filename, change(item.filename, source.read(item.filename)))
    return out.getvalue()


def _superscript(rng: random.Random, text: bytes) -> bytes:
    digits = [m.start() for m in re.finditer(rb"[0-9]", text)]
    out = bytearray(text)
    for at in sorted(rng.sample(digits, min(len(digits), rng.randint(1, 3))), reverse=True):
        out[at : at + 1] = "²".encode()
    return bytes(out)


def _nested(depth: int) -> bytes:
    inner = b""
    for _ in range(depth):
        inner = b"<w:p><w:r><w:t>" + b"x" * 5000 + b"</w:t></w:r>" + inner + b"</w:p>"
    return inner


def mutate_docx(rng: random.Random, docx: bytes) -> bytes:
    kind = rng.choice(["file", "xml", "xml", "properties", "compressed", "nested", "rows"])
    if kind == "file":
        return _bytes(rng, docx)
    if kind == "xml":
        return _repack(docx, lambda name, data: _bytes(rng, data) if name == "word/document.xml" else data)
    if kind == "properties":  # the form id, version and sections pepdocs reads first
        damage = _superscript if rng.random() < 0.5 else _bytes
        return _repack(docx, lambda name, data: damage(rng, data) if name == "docProps/custom.xml" else data)
    if kind == "compressed":
        compression = rng.choice([zipfile.ZIP_DEFLATED, zipfile.ZIP_LZMA, zipfile.ZIP_BZIP2])
        packed = _repack(docx, lambda _name, data: data, compression)
        info = zipfile.ZipFile(io.BytesIO(packed)).getinfo("word/document.xml")
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
        at = start + rng.randrange(max(1, info.compress_size))
        return packed[:at] + bytes([packed[at] ^ (1 << rng.randrange(8))]) + packed[at + 1 :]
    if kind == "nested":
        before, after = b"<w:body>", b"<w:body>" + _nested(rng.choice([5, 9, 20, 100, 300]))
    else:  # rows added to a table, past what any PEP has
        before = b"</w:tbl>"
        after = b"<w:tr><w:tc><w:p><w:r><w:t>r</w:t></w:r></w:p></w:tc></w:tr>" * rng.choice([10, 2000]) + before
    return _repack(docx, lambda name, data: data.replace(before, after, 1) if name == "word/document.xml" else data)


def mutate_pdf(rng: random.Random, pdf: bytes) -> bytes:
    kind = rng.choice(["file", "file", "names", "values", "states"])
    if kind == "file":
        return _bytes(rng, pdf)
    if kind == "names":  # a row number made huge or superscript
        numbers = list(re.finditer(rb"/T ?\(([0-9]+)\)", pdf))
        if not numbers:
            return _bytes(rng, pdf)
        m = rng.choice(numbers)
        new = rng.choice([b"1000000000", "²".encode("latin-1"), b"999", b"-1", b"00"])
        return pdf[: m.start(1)] + new + pdf[m.end(1) :]
    if kind == "values":
        return re.sub(rb"/V ?\(", b"/V (" + rng.choice(TOKENS), pdf, count=rng.randint(1, 20))
    return re.sub(rb"/V ?/", b"/XV/", pdf, count=rng.randint(1, 10))  # states left only in the widgets' /AS


def mutate_printed(rng: random.Random, pdf: bytes) -> bytes:
    """A PDF without fields with its page text damaged: operators, numbers and text in a page's content stream."""
    if rng.random() < 0.25:
        return _bytes(rng, pdf)
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DecodedStreamObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    page = rng.choice(writer.pages)
    contents = page.get_contents()
    text = contents.get_data() if contents is not None else b""
    kind = rng.choice(["bytes", "numbers", "rules", "text"])
    if kind == "bytes" or not text:
        text = _bytes(rng, text or b" ", CONTENT_TOKENS)
    elif kind == "numbers":  # positions and sizes made huge, negative, or not numbers at all
        numbers = list(re.finditer(rb"-?[0-9]+(?:\.[0-9]+)?", text))
        for m in sorted(rng.sample(numbers, min(len(numbers), rng.randint(1, 30))), key=lambda m: -m.start()):
            text = text[: m.start()] + rng.choice(NUMBERS) + text[m.end() :]
    elif kind == "rules":  # a table's ruled lines taken away, so its cells must be found another way or not at all
        rules = list(re.finditer(rb"[^\n]* re\b", text))
        for m in sorted(rng.sample(rules, min(len(rules), rng.randint(1, 40))), key=lambda m: -m.start()):
            text = text[: m.start()] + text[m.end() :]
    else:  # strings shown on the page given odd bytes
        shown = list(re.finditer(rb"\(([^()\\]*)\) ?Tj", text)) or list(re.finditer(rb"<([0-9A-Fa-f]*)> ?Tj", text))
        for m in sorted(rng.sample(shown, min(len(shown), rng.randint(1, 20))), key=lambda m: -m.start()):
            text = text[: m.start(1)] + rng.choice(TOKENS).replace(b"(", b"").replace(b")", b"") + text[m.end(1) :]
    stream = DecodedStreamObject()
    stream.set_data(text)
    page.replace_contents(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def mutate_xlsx(rng: random.Random, xlsx: bytes) -> bytes:
    """A case-data workbook damaged in its bytes, its sheet, its shared strings, its cells or its row numbers."""
    kind = rng.choice(["file", "sheet", "strings", "values", "types", "rows", "dimension"])
    sheet = "xl/worksheets/sheet1.xml"
    if kind == "file":
        return _bytes(rng, xlsx)
    if kind in ("sheet", "strings"):
        part = sheet if kind == "sheet" else "xl/sharedStrings.xml"
        damage = _superscript if rng.random() < 0.3 else _bytes
        return _repack(xlsx, lambda name, data: damage(rng, data) if name == part else data)

    def change(name: str, data: bytes) -> bytes:
        if name != sheet:
            return data
        if kind == "values":
            values = list(re.finditer(rb"<v>([^<]*)</v>", data))
            for m in sorted(rng.sample(values, min(len(values), rng.randint(1, 20))), key=lambda m: -m.start()):
                data = data[: m.start(1)] + rng.choice(CELL_VALUES) + data[m.end(1) :]
            return data
        if kind == "types":
            types = list(re.finditer(rb'<c r="[A-Z]+[0-9]+"( t="[a-zA-Z]+")?', data))
            for m in sorted(rng.sample(types, min(len(types), rng.randint(1, 20))), key=lambda m: -m.start()):
                new = rng.choice([b' t="d"', b' t="e"', b' t="b"', b' t="s"', b' t="str"', b' t="inlineStr"', b""])
                at = m.end() if m.group(1) is None else m.start(1)
                data = data[:at] + new + data[m.end() :]
            return data
        if kind == "rows":  # row numbers huge, repeated or out of order
            rows = list(re.finditer(rb'<row r="([0-9]+)"', data))
            for m in rng.sample(rows, min(len(rows), rng.randint(1, 5)))[::-1]:
                number = rng.choice([b"1048576", b"1048577", b"99999999999", b"1", b"0", b"-3", "²".encode()])
                data = data[: m.start(1)] + number + data[m.end(1) :]
            return data
        return re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', data)

    return _repack(xlsx, change)


def mutate_csv(rng: random.Random, text: bytes) -> bytes:
    """A case-data CSV damaged in its bytes, its cells, its quoting or its encoding."""
    kind = rng.choice(["file", "cells", "cells", "encoding"])
    if kind == "file":
        return _bytes(rng, text, [*TOKENS, b'"', b",", b"\r", b"\n", b"\x00", b"\xef\xbb\xbf"])
    if kind == "encoding":
        decoded = text.decode("utf-8")
        return rng.choice([decoded.encode("utf-16"), decoded.encode("utf-8", "replace") + b"\x81\x8d",
                           decoded.encode("cp1252", "replace"), b"\xef\xbb\xbf" + text])  # fmt: skip
    rows = list(csv.reader(io.StringIO(text.decode("utf-8"))))
    for _ in range(rng.randint(1, 20)):
        row = rng.choice(rows[1:])
        if row:
            row[rng.randrange(len(row))] = rng.choice(CELL_TEXTS)
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


# --- councils' own forms -------------------------------------------------------------------------

W14 = b'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml"'
CHECKED = [b"0", b"1", b"2", b"", b"true", b"-1", b"99999999999999999999", "²".encode(), b"on"]
STATES = [b"2612", b"ZZZZ", b"", b"110000", b"D800", b"0", b"-1", b"FFFFFFFFFFFF"]
LEGACY = [
    b"<w:checkBox><w:sizeAuto/></w:checkBox>", b'<w:checkBox><w:default w:val="x"/><w:checked w:val="2"/></w:checkBox>',
    b'<w:ddList><w:result w:val="99"/></w:ddList>', b'<w:ddList><w:result w:val="-1"/><w:listEntry/></w:ddList>',
    b'<w:ddList><w:result w:val="x"/><w:listEntry w:val="A"/></w:ddList>',
    b'<w:textInput><w:maxLength w:val="99999999999999999999"/><w:default/></w:textInput>',
    b'<w:textInput><w:type w:val="date"/><w:format w:val="dd/MM/yyyy"/><w:default w:val="31/02/2011"/></w:textInput>',
    b"", b"<w:name/>",
]  # fmt: skip
SPANS = [b'<w:gridSpan w:val="0"/>', b'<w:gridSpan w:val="-1"/>', b'<w:gridSpan w:val="3"/>',
         b'<w:gridSpan w:val="x"/>',
         b'<w:gridSpan w:val="99999999999"/>', b"<w:vMerge/>", b'<w:vMerge w:val="restart"/>',
         b'<w:vMerge w:val="continue"/>', b'<w:vMerge w:val="bogus"/>', b'<w:hMerge w:val="restart"/>']  # fmt: skip
TYPED = [b"Mrs Okafor", b"94.5", b"x" * 100_000, "\u202e²".encode(), b"&lt;&amp;&gt;", b"Yes", b"\xe2\x98\x92"]


def _council_record(form: Any) -> pepdocs.PEP:
    """The Kent example with each choice the council's form offers made to fit, so its boxes and lists are answered."""
    import json

    from pydantic import ValidationError

    pep = pepdocs.read_pep(ROOT / "examples" / "kent-secondary.json")
    data = json.loads(pep.model_dump_json())
    for f in form.fields():
        choices = sorted(str(v) for v in dict(f.place.get("choices", {})).values())
        ticked = f.place.get("control") in ("checkbox", "sdt-check") and not choices
        if "[]" in f.path or f.derived or not (choices or ticked):
            continue
        value: Any = True if ticked else choices[0] == "true" if choices[0] in ("true", "false") else choices[0]
        parent = data
        *steps, last = f.path.split(".")
        for step in steps:
            parent = parent.setdefault(step, {}) or {}
        parent[last] = [value] if f.slot.kind == "codes" else value
    try:
        return pepdocs.PEP.model_validate(data)
    except ValidationError:
        return pep


def council_documents(folder: Path) -> tuple[list[tuple[str, bytes]], list[tuple[str, bytes]]]:
    """Each council's blank original (tests/corpus) and a completed copy of it: the originals are scaffolded into
    forms under `folder`, added to the forms pepdocs knows, and answered from an example PEP."""
    from pepdocs.forms._spec import load_form
    from pepdocs.workflows._scaffold import scaffold_form

    blanks, completed = [], []
    for original in sorted((ROOT / "tests" / "corpus").glob("*/original.*")):
        council, fmt = original.parent.name, original.suffix[1:]
        form = load_form(scaffold_form(original, council, folder).folder / "form.toml")
        blanks.append((f"council/{council}/{fmt}/blank", original.read_bytes()))
        completed.append((f"council/{council}/{fmt}/completed", pepdocs.render(_council_record(form), form, fmt)))  # type: ignore[arg-type]
    pepdocs.add_forms(folder)
    return blanks, completed


def _some(rng: random.Random, found: list[re.Match[bytes]], most: int) -> list[re.Match[bytes]]:
    """Up to `most` of the matches, last first, so each can be replaced without moving the others."""
    return sorted(rng.sample(found, min(len(found), rng.randint(1, most))), key=lambda m: -m.start())


def _edit(data: bytes, found: list[re.Match[bytes]], new: Callable[[re.Match[bytes]], bytes]) -> bytes:
    for m in found:
        data = data[: m.start()] + new(m) + data[m.end() :]
    return data


def _council_xml(rng: random.Random, xml: bytes) -> bytes:
    """A council form's document.xml damaged where councils' forms differ from pepdocs' own."""
    kind = rng.choice(["checkbox", "legacy", "textbox", "merged", "controls", "rows", "typed"])
    paragraphs = list(re.finditer(rb"<w:p>|<w:p [^>]*>", xml))
    if kind == "checkbox":  # content-control tick boxes with odd states, or one put where there was none
        states = list(re.finditer(rb'(<w14:checked(?:State)?|<w14:uncheckedState) w14:val="[^"]*"', xml))
        if states:
            return _edit(xml, _some(rng, states, 6), lambda m: m.group(1) + b' w14:val="' + rng.choice(
                CHECKED if m.group(1) == b"<w14:checked" else STATES) + b'"')  # fmt: skip
        box = (b"<w:sdt><w:sdtPr><w14:checkbox " + W14 + b'><w14:checked w14:val="' + rng.choice(CHECKED) +
               b'"/><w14:checkedState w14:val="' + rng.choice(STATES) + b'"/></w14:checkbox></w:sdtPr>'
               b"<w:sdtContent><w:r><w:t>\xe2\x98\x90</w:t></w:r></w:sdtContent></w:sdt>")  # fmt: skip
        return _edit(xml, _some(rng, paragraphs, 4), lambda m: m.group() + box)
    if kind == "legacy":  # form fields' data broken, their field characters out of order or missing
        data = list(re.finditer(rb"<w:(checkBox|ddList|textInput)\b.*?(?:</w:\1>|/>)|<w:name w:val=\"[^\"]*\"/>", xml))
        chars = list(re.finditer(rb'<w:fldChar w:fldCharType="[a-z]+"', xml))
        if data and rng.random() < 0.6:
            return _edit(xml, _some(rng, data, 5), lambda _m: rng.choice(LEGACY))
        if chars:
            kinds = [b'<w:fldChar w:fldCharType="' + k + b'"' for k in (b"begin", b"separate", b"end", b"x")]
            return _edit(xml, _some(rng, chars, 5), lambda _m: rng.choice([*kinds, b"<w:fldChar"]))
        field = (b'<w:r><w:fldChar w:fldCharType="begin"><w:ffData>' + rng.choice(LEGACY) + b"</w:ffData></w:fldChar>"
                 b"</w:r><w:r><w:instrText> FORMCHECKBOX </w:instrText></w:r>"
                 b'<w:r><w:fldChar w:fldCharType="end"/></w:r>')  # fmt: skip
        return _edit(xml, _some(rng, paragraphs, 4), lambda m: m.group() + field)
    if kind == "textbox":  # paragraphs or a table of the form repeated inside a text box, boxes nested in boxes
        body = xml.find(b"<w:body>") + len(b"<w:body>")
        copied = list(re.finditer(rb"<w:tbl>.*?</w:tbl>|<w:p\b[^>]*>(?:(?!<w:p\b).)*?</w:p>", xml[body:], re.S))
        inside = b"".join(m.group() for m in rng.sample(copied, min(len(copied), rng.randint(1, 3))))
        for _ in range(rng.choice([1, 1, 2, 30])):
            inside = (b'<w:p><w:r><w:pict><v:shape xmlns:v="urn:schemas-microsoft-com:vml"><v:textbox>'
                      b"<w:txbxContent>" + (inside or b"<w:p/>") +
                      b"</w:txbxContent></v:textbox></v:shape></w:pict></w:r></w:p>")  # fmt: skip
        return xml[:body] + inside + xml[body:]
    if kind == "merged":  # cells merged across or down, spans past the grid, cells taken out of rows
        cells = list(re.finditer(rb"<w:tcPr>", xml))
        if rng.random() < 0.3:
            whole = list(re.finditer(rb"<w:tc>(?:(?!<w:tc>).)*?</w:tc>", xml, re.S))
            return _edit(xml, _some(rng, whole, 4), lambda _m: b"")
        return _edit(xml, _some(rng, cells, 12), lambda m: m.group() + rng.choice(SPANS))
    if kind == "controls":  # content controls' lists, placeholders and contents made odd
        choices = [
            (rb"<w:listItem [^>]*/>", [b"<w:listItem/>", b'<w:listItem w:value=""/>', b'<w:listItem w:a="A"/>']),
            (rb"<w:showingPlcHdr/>", [b"", b"<w:showingPlcHdr/><w:showingPlcHdr/>"]),
            (rb"<w:sdtContent>", [b"<w:sdtContent><w:sdt><w:sdtPr><w:text/></w:sdtPr><w:sdtContent>", b"<w:sdtPr/>"]),
            (rb"<w:(?:text|dropDownList|comboBox|date)\b", [b"<w:comboBox", b"<w:dropDownList", b"<w:date", b"<w:x"]),
        ]  # fmt: skip
        pattern, news = rng.choice(choices)
        found = list(re.finditer(pattern, xml))
        if not found:
            return _bytes(rng, xml)
        return _edit(xml, _some(rng, found, 6), lambda _m: rng.choice(news))
    if kind == "rows":  # a table's row copied again and again, as a school adds rows
        rows = list(re.finditer(rb"<w:tr\b[^>]*>(?:(?!<w:tr\b).)*?</w:tr>", xml, re.S))
        if not rows:
            return _bytes(rng, xml)
        m = rng.choice(rows)
        return xml[: m.end()] + m.group() * rng.choice([1, 5, 60, 1500]) + xml[m.end() :]
    typed = b"<w:r><w:t>" + rng.choice(TYPED) + b"</w:t></w:r>"  # words typed where the spec may read nothing
    return _edit(xml, _some(rng, paragraphs, 10), lambda m: m.group() + typed)


def mutate_council_docx(rng: random.Random, docx: bytes) -> bytes:
    """A council's Word form damaged as pepdocs' own are, or where councils' forms differ from them."""
    if rng.random() < 0.4:
        return mutate_docx(rng, docx)
    return _repack(docx, lambda name, data: _council_xml(rng, data) if name == "word/document.xml" else data)


def _fields_of(writer: Any) -> list[Any]:
    """Every dictionary of a PDF's field tree: fields and widgets, each once."""
    from pypdf.generic import ArrayObject, DictionaryObject

    acroform = writer._root_object.get("/AcroForm")
    acroform = acroform.get_object() if acroform is not None else None
    out, seen = [], set()
    todo = list(acroform.get("/Fields") or []) if isinstance(acroform, DictionaryObject) else []
    while todo:
        node = todo.pop().get_object()
        if not isinstance(node, DictionaryObject) or id(node) in seen:
            continue
        seen.add(id(node))
        out.append(node)
        kids = node.get("/Kids")
        todo += list(kids.get_object()) if isinstance(kids, ArrayObject) else []
    return out


def _odd_pdf_values(rng: random.Random, writer: Any) -> Any:
    """A value of a type a field's entry should not have."""
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        NullObject,
        NumberObject,
        TextStringObject,
    )

    return rng.choice([
        NumberObject(5), NumberObject(-1), NumberObject(2**40), FloatObject(1.5), TextStringObject("x"), NullObject(),
        NameObject("/Off"), NameObject("/"), ArrayObject(), DictionaryObject(), ArrayObject([NullObject()]),
        ArrayObject([ArrayObject()]), ArrayObject([NumberObject(1), TextStringObject("a")]),
        ArrayObject([ArrayObject([TextStringObject("a")])]), ArrayObject([TextStringObject("o")] * 3000),
        TextStringObject("Targets, row " + "9" * 5000 + ": By when"), TextStringObject("Reasons: x" * 2000),
    ])  # fmt: skip


XFA = [b"", b"\xff\xfe<xdp", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
       b'<xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/">&b;</xdp:xdp>', b"<xdp:xdp>" * 5000]  # fmt: skip


def mutate_council_pdf(rng: random.Random, pdf: bytes) -> bytes:
    """A council's PDF form damaged as pepdocs' own are, or in its field tree: appearances, options, XFA packets,
    field types and flags, kids, widgets' places, and the printed words beside its fields."""
    kind = rng.choice(["pdf", "printed", "appearances", "options", "xfa", "entries", "entries", "tree"])
    if kind == "pdf":
        return mutate_pdf(rng, pdf)
    if kind == "printed":
        return mutate_printed(rng, pdf)
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, DecodedStreamObject, NameObject, NumberObject, TextStringObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    nodes = _fields_of(writer)
    picked = rng.sample(nodes, min(len(nodes), rng.randint(1, 8)))
    if kind == "appearances":  # radio kids and check boxes without appearances, or with states that are not there
        for node in picked:
            key = rng.choice(["/AP", "/AS", "/AP", "/V"])
            if rng.random() < 0.5:
                node.pop(NameObject(key), None)
            else:
                node[NameObject(key)] = rng.choice([NameObject("/Nowhere"), _odd_pdf_values(rng, writer)])
    elif kind == "options":
        for node in picked:
            node[NameObject(rng.choice(["/Opt", "/Opt", "/V", "/DV", "/I"]))] = _odd_pdf_values(rng, writer)
    elif kind == "xfa":
        acroform = writer._root_object["/AcroForm"].get_object()
        packet = DecodedStreamObject()
        packet.set_data(rng.choice(XFA) if rng.random() < 0.7 else _bytes(rng, rng.choice(XFA) + b"<template/>"))
        acroform[NameObject("/XFA")] = rng.choice([
            writer._add_object(packet), ArrayObject([TextStringObject("template"), writer._add_object(packet)]),
            ArrayObject([TextStringObject("datasets")]), NumberObject(0), TextStringObject("<xdp/>"),
        ])  # fmt: skip
        if rng.random() < 0.3:
            acroform[NameObject("/Fields")] = ArrayObject()  # an XFA form with no AcroForm fields left
    elif kind == "entries":
        for node in picked:
            key = rng.choice(["/FT", "/Ff", "/TU", "/T", "/Rect", "/P", "/MaxLen", "/Rect", "/TU"])
            if key == "/FT" and rng.random() < 0.7:
                node[NameObject(key)] = NameObject(rng.choice(["/Tx", "/Btn", "/Ch", "/Sig", "/Zz"]))
            elif key == "/Ff" and rng.random() < 0.7:
                node[NameObject(key)] = NumberObject(rng.choice([1 << 15, 1 << 16, 1 << 17, -1, 2**31, 2**40, 3]))
            elif rng.random() < 0.2:
                node.pop(NameObject(key), None)
            else:
                node[NameObject(key)] = _odd_pdf_values(rng, writer)
    else:  # the field tree: kids that are their own parents, kids that are not fields, names repeated
        for node in picked:
            other = rng.choice(nodes)
            change = rng.choice(["cycle", "odd kids", "same name", "deep"])
            if change == "cycle":
                node[NameObject("/Kids")] = ArrayObject(
                    [other.indirect_reference or other, *list(node.get("/Kids") or [])]
                )
            elif change == "odd kids":
                node[NameObject("/Kids")] = ArrayObject([NumberObject(1), TextStringObject("k"), ArrayObject()])
            elif change == "same name" and "/T" in other:
                node[NameObject("/T")] = other["/T"]
            else:
                from pypdf.generic import DictionaryObject

                inner = DictionaryObject(
                    {NameObject("/T"): TextStringObject("d"), NameObject("/FT"): NameObject("/Tx")}
                )
                for _ in range(200):
                    inner = DictionaryObject(
                        {NameObject("/T"): TextStringObject("d"), NameObject("/Kids"): ArrayObject([inner])}
                    )
                node[NameObject("/Kids")] = ArrayObject([inner, *list(node.get("/Kids") or [])])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


SLOTS = ("forms", "forms", "council", "forms", "cases", "forms", "forms", "council", "forms", "scaffold",
         "forms", "forms", "council", "forms", "cases", "forms", "scaffold", "forms", "forms", "printed")  # fmt: skip


def cases(
    docs: list[tuple[str, bytes]],
    printed: list[tuple[str, bytes]],
    tables: list[tuple[str, bytes]],
    council: tuple[list[tuple[str, bytes]], list[tuple[str, bytes]]],
    n: int,
    seed: int,
    only: frozenset[str] = frozenset(),
) -> Iterator[tuple[str, bytes]]:
    """`n` damaged files: in each twenty, one PDF read by its text, two case-data files, two councils' blank forms
    to scaffold, three completed councils' forms, twelve of pepdocs' forms (`only` keeps some of these kinds)."""
    rng = random.Random(seed)
    slots = [s for s in SLOTS if s in only or not only]
    kinds = {"forms": docs, "printed": printed, "cases": tables, "scaffold": council[0], "council": council[1]}
    taken: Counter[str] = Counter()
    for i in range(n):
        slot = slots[i % len(slots)]
        if not kinds[slot]:
            slot = "forms"
        name, data = kinds[slot][taken[slot] % len(kinds[slot])]
        taken[slot] += 1
        if slot == "printed":
            yield name, mutate_printed(rng, data)
        elif slot == "cases":
            yield name, (mutate_xlsx if name.endswith("xlsx") else mutate_csv)(rng, data)
        elif slot == "forms":
            yield name, (mutate_docx if data[:2] == b"PK" else mutate_pdf)(rng, data)
        else:
            damaged = (mutate_council_docx if data[:2] == b"PK" else mutate_council_pdf)(rng, data)
            yield name + ("/with form" if slot == "council" and rng.random() < 0.5 else ""), damaged


def _last_resort(error: pepdocs.PepdocsError, cause: BaseException) -> bool:
    """Whether `parse` turned a library's exception its engine did not foresee into a DocumentError."""
    message = f"cannot be read ({type(cause).__name__})"
    return str(error) in (message, f"{getattr(error, 'file', '')}: {message}")


KINDS = ("forms", "PDFs read by their text", "case-data files", "councils' blank forms", "councils' completed forms")


def _kind(name: str) -> str:
    if name.startswith("council/"):
        return KINDS[3] if name.endswith("/blank") else KINDS[4]
    return KINDS[2] if name.startswith("cases/") else KINDS[1] if "/printed/" in name else KINDS[0]


def read(name: str, data: bytes, folder: Path) -> None:
    """Read a damaged file as pepdocs would: a form with `parse`, a case-data file row by row, a council's blank
    form scaffolded (and, when that works, a PEP written into it and read back), a council's completed form read
    with its form given or recognised among all."""
    if name.startswith("council/"):
        _, council, fmt, state, *given = name.split("/")
        if state == "completed":
            pepdocs.parse(data, form=council if given else None)
            return
        from pepdocs.forms._spec import load_form
        from pepdocs.workflows._scaffold import scaffold_form

        path = folder / f"original.{fmt}"
        path.write_bytes(data)
        form = load_form(scaffold_form(path, council, folder / "scaffolded", overwrite=True).folder / "form.toml")
        pepdocs.parse(pepdocs.render(_council_record(form), form, fmt), form=form)  # type: ignore[arg-type]
        return
    if not name.startswith("cases/"):
        pepdocs.parse(data)
        return
    path = folder / f"cases.{name.split('/')[1]}"
    path.write_bytes(data)
    with read_cases(path) as rows:
        for _ in rows:
            pass


def _until_interrupted(items: Iterator[Any], out: Callable[[str], None]) -> Iterator[Any]:
    """The items until Ctrl-C (SIGINT), after which the run ends early and still prints its figures."""
    interrupted = False

    def stop(_signal: int, _frame: FrameType | None) -> None:
        nonlocal interrupted
        interrupted = True

    previous = signal.signal(signal.SIGINT, stop)
    try:
        for item in items:
            yield item
            if interrupted:
                out(f"stopped by Ctrl-C after {item[0] + 1} cases")
                return
    finally:
        signal.signal(signal.SIGINT, previous)


def run(
    n: int,
    seed: int,
    seconds: float,
    memory_mb: int,
    out: Callable[[str], None] = print,
    progress: int = 0,
    office: bool = True,
    only: frozenset[str] = frozenset(),
) -> Counter[str]:
    """Run `n` cases; the counts by outcome (and a running count every `progress` cases)."""
    import resource

    from pepdocs.forms import _spec

    docs, printed, tables = documents(), printed_documents(office), case_files()
    folder = Path(tempfile.mkdtemp(prefix="pepdocs-fuzz-"))
    council = council_documents(folder / "forms")
    limit = address_space() + memory_mb * 2**20
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    previous = signal.signal(signal.SIGPROF, _alarm)
    counts: Counter[str] = Counter()
    kinds: Counter[tuple[str, str]] = Counter()
    notable: list[str] = []
    slowest, slowest_case = 0.0, ""
    started_at = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    try:
        for index, (name, data) in _until_interrupted(
            enumerate(cases(docs, printed, tables, council, n, seed, only)), out
        ):
            started = time.process_time()
            signal.setitimer(signal.ITIMER_PROF, seconds)
            try:
                read(name, data, folder)
                outcome = "read"
            except pepdocs.PepdocsError as error:
                outcome = type(error).__name__
                cause = error.__cause__
                if cause is not None and _last_resort(error, cause):
                    outcome += f" by parse's last resort ({type(cause).__name__})"  # a library error not foreseen
                    notable.append(f"case {index} ({name}): {type(cause).__name__}, caught by parse's last resort")
            except Timeout:
                outcome = "timeout"
                notable.append(f"case {index} ({name}): over {seconds:g} s CPU")
            except MemoryError:
                outcome = "memory"
                notable.append(f"case {index} ({name}): over {memory_mb} MB")
            except Exception as error:
                outcome = f"RAW {type(error).__name__}"
                notable.append(f"case {index} ({name}): {type(error).__name__}")
            finally:
                signal.setitimer(signal.ITIMER_PROF, 0)
            took = time.process_time() - started
            if took > slowest:
                slowest, slowest_case = took, f"case {index} ({name})"
            counts[outcome] += 1
            kinds[outcome, _kind(name)] += 1
            if progress and (index + 1) % progress == 0:
                so_far = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
                out(f"... {index + 1} cases: {so_far}; slowest {slowest:.2f} s CPU")
    finally:
        signal.signal(signal.SIGPROF, previous)
        resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
        _spec._added.remove(folder / "forms")  # the councils' forms leave the forms pepdocs knows with their folder
        _spec._forms_in.cache_clear()
        shutil.rmtree(folder, ignore_errors=True)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    out(f"{sum(counts.values())} cases, --seed={seed}, started {started_at}, load average now {load}")
    out(
        f"  {len(docs)} forms, {len(printed)} PDFs read by their text, {len(tables)} case-data files, "
        f"{len(council[0])} councils' forms blank and completed"
    )
    out(f"  slowest: {slowest_case}, {slowest:.2f} s CPU")
    out("")
    out(f"| outcome (--seed={seed}) | {' | '.join(KINDS)} | total |")
    out("|---|" + "---|" * (len(KINDS) + 1))
    for outcome, count in sorted(counts.items(), key=lambda item: -item[1]):
        out(f"| {outcome} | {' | '.join(f'{kinds[outcome, kind]:,}' for kind in KINDS)} | {count:,} |")
    out("")
    for line in notable[:40]:
        out(f"  {line}")
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument(
        "--seeds", "--seed", dest="seed", type=int, nargs="+", default=[0], help="One run after another for each."
    )
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--memory-mb", type=int, default=1024)
    parser.add_argument("--progress", type=int, default=0, help="Print running counts every this many cases.")
    parser.add_argument("--no-office", action="store_true", help="No PDFs exported by LibreOffice.")
    parser.add_argument(
        "--only", nargs="+", choices=sorted(set(SLOTS)), default=[], help="Only these kinds of case, in their turns."
    )
    args = parser.parse_args()
    import warnings

    warnings.simplefilter("ignore")  # parse warns about what it could not read; only outcomes count here
    echo = lambda line: print(line, flush=True)  # noqa: E731
    runs: dict[int, Counter[str]] = {}
    for seed in args.seed:
        runs[seed] = run(
            args.n, seed, args.seconds, args.memory_mb, echo, args.progress, not args.no_office, frozenset(args.only)
        )
        if sum(runs[seed].values()) < args.n:
            break  # stopped by Ctrl-C
    total: Counter[str] = sum(runs.values(), Counter())
    if len(runs) > 1:
        echo(f"| outcome | {' | '.join(f'--seed={seed}' for seed in runs)} | total |")
        echo("|---|" + "---|" * (len(runs) + 1))
        for outcome, count in sorted(total.items(), key=lambda item: -item[1]):
            echo(f"| {outcome} | {' | '.join(f'{counts[outcome]:,}' for counts in runs.values())} | {count:,} |")
    sys.exit(1 if any(outcome.startswith("RAW") for outcome in total) else 0)


if __name__ == "__main__":
    main()
