"""Benchmark: pepdocs against a plain docxtpl (and pypdf) loop, then the batch itself, then a 10,000-row batch.

    python benchmarks/docx_batch.py            # --n 100 documents per loop, --rows 10000 for the big batch
    python benchmarks/docx_batch.py --n 30 --rows 0

Everything runs in one process except the big batch, which runs in a child process of its own so its
peak memory (the parent's and every worker's VmHWM) is the batch's alone.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHILDREN_IN_CARE = 84_000  # England, roughly, 31 March 2025


def per_document(label: str, n: int, make: Callable[[], bytes]) -> float:
    """Wall time per document over n documents, after one to warm up; printed and returned in ms."""
    make()
    started = time.perf_counter()
    for _ in range(n):
        make()
    ms = (time.perf_counter() - started) * 1000 / n
    print(f"  {label:<44} {ms:8.1f} ms per document")
    return ms


def docx_loops(n: int) -> None:
    """The plain docxtpl loop and pepdocs.render on the same template and the same answers."""
    from docxtpl import DocxTemplate

    import pepdocs
    from pepdocs.engines.docx._render import docx_context
    from pepdocs.forms._answers import answers
    from pepdocs.forms._wording import partial_title

    pep = pepdocs.read_pep(ROOT / "examples" / "southwark-primary.json")
    form = pepdocs.get_form("southwark-full")
    context = docx_context(form, answers(pep, form), partial_title(form, None), pep.child.full_name or "")
    template = ROOT / "templates" / "southwark" / "form.docx"

    def plain() -> bytes:
        document = DocxTemplate(template)
        document.render(context, autoescape=True)
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()

    print(f"DOCX, {form.id}, {n} documents, one process:")
    slow = per_document("docxtpl: DocxTemplate, render, save", n, plain)
    fast = per_document('pepdocs.render(pep, "southwark-full")', n, lambda: pepdocs.render(pep, "southwark-full"))
    print(f"  pepdocs is {slow / fast:.1f}x faster (target 10x)")


def pdf_loops(n: int, plain_n: int) -> None:
    """The plain pypdf clone-fill-write loop and pepdocs' PDF engine, on the same form and answers."""
    import pepdocs
    from pepdocs.engines import formats

    if "pdf" not in formats():
        print("PDF: no PDF engine in this pepdocs; skipped")
        return
    from pypdf import PdfReader, PdfWriter

    from pepdocs.engines.pdf._fill import _wanted
    from pepdocs.forms._answers import answers

    pep = pepdocs.read_pep(ROOT / "examples" / "southwark-primary.json")
    form = pepdocs.get_form("southwark-full")
    texts = {name: text for name, text in _wanted(form, answers(pep, form)).texts.items() if text}
    reader = PdfReader(ROOT / "templates" / "southwark" / "form.pdf")

    def plain() -> bytes:
        writer = PdfWriter(clone_from=reader)
        writer.update_page_form_field_values(None, texts, auto_regenerate=False)
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()

    print(f"PDF, {form.id}, one process ({len(texts)} text fields; the plain loop ticks no boxes):")
    import logging

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # font-encoding warnings, once per field
    slow = per_document(f"pypdf: clone, fill, write ({plain_n} documents)", plain_n, plain)
    fast = per_document('pepdocs.render(pep, "southwark-full", "pdf")', n,
                        lambda: pepdocs.render(pep, "southwark-full", "pdf"))  # fmt: skip
    print(f"  pepdocs is {slow / fast:.1f}x faster")


def example_batch() -> None:
    """The batch on examples/cases.xlsx with one and two workers, every form written afresh each time."""
    import pepdocs
    from pepdocs.workflows._batch import _warm, batch

    _warm(tuple(form.id for form in pepdocs.list_forms()), "docx")  # so neither run pays for loading them
    print("Batch, examples/cases.xlsx (templates already loaded; includes reading, worker start-up, reports; "
          "best of 3):")  # fmt: skip
    results = {}
    for workers in (1, 2):
        runs = []
        for _ in range(3):
            with tempfile.TemporaryDirectory() as out:
                runs.append(batch(ROOT / "examples" / "cases.xlsx", out, workers=workers, policy="southwark"))
        report = min(runs, key=lambda run: run.seconds)
        ms = report.ms_per_document or 0.0
        results[workers] = ms
        counts = report.counts
        print(f"  workers={workers}: {len(report.rows)} rows, {report.written} documents in {report.seconds:.1f} s, "
              f"{ms:.1f} ms per document ({counts['done']} done, {counts['problem']} with problems)")  # fmt: skip
    print(f"  speed-up with 2 workers: {results[1] / results[2]:.2f}x")


_BIG = """
import json, sys
from pepdocs.workflows._batch import batch
report = batch(sys.argv[1], sys.argv[2], workers=int(sys.argv[3]), policy="southwark")
print(json.dumps({"rows": len(report.rows), "written": report.written, "seconds": report.seconds,
                  "ms": report.ms_per_document, "rss": report.peak_rss_mb, "counts": report.counts}))
"""


def big_batch(rows: int, workers: int) -> None:
    """A generated workbook of `rows` children, batched in a child process; time, memory and a national estimate."""
    spec = importlib.util.spec_from_file_location("make_cases", ROOT / "examples" / "make_cases.py")
    assert spec is not None and spec.loader is not None
    make_cases = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = make_cases
    spec.loader.exec_module(make_cases)
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "cases.xlsx"
        started = time.perf_counter()
        make_cases.write(path, rows)
        print(f"Batch, {rows:,} generated rows ({path.stat().st_size / 1e6:.1f} MB workbook, made in "
              f"{time.perf_counter() - started:.1f} s), workers={workers}, in a fresh process:")  # fmt: skip
        done = subprocess.run([sys.executable, "-c", _BIG, str(path), str(Path(work) / "out"), str(workers)],
                              capture_output=True, text=True, check=True)  # fmt: skip
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    per_child = result["seconds"] / result["rows"]
    print(f"  {result['rows']:,} rows, {result['written']:,} documents in {result['seconds']:.1f} s: "
          f"{result['ms']:.1f} ms per document, {per_child * 1000:.1f} ms per child")  # fmt: skip
    print(f"  peak resident memory (largest of the batch process and its workers): {result['rss']:.0f} MB")
    hours = per_child * CHILDREN_IN_CARE / 3600
    print(f"  England's ~{CHILDREN_IN_CARE:,} children in care at this rate: {hours * 60:.0f} minutes "
          f"({hours:.1f} h) on this machine")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100, help="documents per loop (default 100)")
    parser.add_argument("--pdf-n", type=int, default=3, help="documents for the plain pypdf loop (slow; default 3)")
    parser.add_argument("--rows", type=int, default=10_000, help="rows of the big batch; 0 skips it (default 10000)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="workers for the big batch")
    args = parser.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{os.cpu_count()} CPUs, load average {load:.2f}, Python {sys.version.split()[0]}")
    docx_loops(args.n)
    pdf_loops(args.n, args.pdf_n)
    example_batch()
    if args.rows:
        big_batch(args.rows, args.workers)


if __name__ == "__main__":
    main()
