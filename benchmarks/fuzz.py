"""Fuzzing the readers in-process: mutated copies of every form in every format, counted by how each ended.

    python benchmarks/fuzz.py [--n 20000] [--seeds 0 [1 ...]] [--seconds 10] [--memory-mb 1024] [--progress 1000]
                              [--no-office]

    python benchmarks/fuzz.py --n 10000 --seeds 21 22 --progress 1000   # the figures in SECURITY.md

Each case renders a form (whole, or one role's part) from an example PEP, damages it one way or
several (flipped, cut and inserted bytes in the file or inside a compressed part, parts recompressed
with zlib, LZMA or bz2, document properties and PDF field names rewritten, digits made superscript,
row numbers made huge, paragraphs nested deep) and parses it with `isolated=False`, in this process.
One case in twenty is a PDF read by its printed text (a flattened pepdocs PDF, or each form's DOCX
exported to PDF by LibreOffice unless `--no-office`) with its page text damaged; two in twenty are a
case-data file (an XLSX and a CSV of invented children) with damaged bytes, cells, cell types, row
numbers or encoding, read row by row as `pepdocs batch` reads it.
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


def cases(
    docs: list[tuple[str, bytes]], printed: list[tuple[str, bytes]], tables: list[tuple[str, bytes]], n: int, seed: int
) -> Iterator[tuple[str, bytes]]:
    """`n` damaged files: in each twenty, one PDF read by its text, two case-data files, seventeen forms."""
    rng = random.Random(seed)
    forms = 0
    for i in range(n):
        if i % 20 == 19 and printed:
            name, data = printed[(i // 20) % len(printed)]
            yield name, mutate_printed(rng, data)
        elif i % 10 == 4 and tables:
            name, data = tables[(i // 10) % len(tables)]
            yield name, (mutate_xlsx if name.endswith("xlsx") else mutate_csv)(rng, data)
        else:
            name, data = docs[forms % len(docs)]
            forms += 1
            yield name, (mutate_docx if data[:2] == b"PK" else mutate_pdf)(rng, data)


def _last_resort(error: pepdocs.PepdocsError, cause: BaseException) -> bool:
    """Whether `parse` turned a library's exception its engine did not foresee into a DocumentError."""
    message = f"cannot be read ({type(cause).__name__})"
    return str(error) in (message, f"{getattr(error, 'file', '')}: {message}")


KINDS = ("forms", "PDFs read by their text", "case-data files")


def _kind(name: str) -> str:
    return KINDS[2] if name.startswith("cases/") else KINDS[1] if "/printed/" in name else KINDS[0]


def read(name: str, data: bytes, folder: Path) -> None:
    """Read a damaged file as pepdocs would: a form with `parse`, a case-data file row by row."""
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
) -> Counter[str]:
    """Run `n` cases; the counts by outcome (and a running count every `progress` cases)."""
    import resource

    docs, printed, tables = documents(), printed_documents(office), case_files()
    folder = Path(tempfile.mkdtemp(prefix="pepdocs-fuzz-"))
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
        for index, (name, data) in _until_interrupted(enumerate(cases(docs, printed, tables, n, seed)), out):
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
        shutil.rmtree(folder, ignore_errors=True)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    out(f"{sum(counts.values())} cases, --seed={seed}, started {started_at}, load average now {load}")
    out(f"  {len(docs)} forms, {len(printed)} PDFs read by their text, {len(tables)} case-data files")
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
    args = parser.parse_args()
    import warnings

    warnings.simplefilter("ignore")  # parse warns about what it could not read; only outcomes count here
    echo = lambda line: print(line, flush=True)  # noqa: E731
    runs: dict[int, Counter[str]] = {}
    for seed in args.seed:
        runs[seed] = run(args.n, seed, args.seconds, args.memory_mb, echo, args.progress, not args.no_office)
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
