"""Filling a PDF form, side by side: a plain pypdf loop and `pepdocs.render`, same template and same values.

    python benchmarks/pdf_fill.py [--n 50] [--form southwark-full] [--plain-n 1] [--repeat 3]

The plain loop is what a script would write with pypdf alone: clone the template, set every field's
value with `update_page_form_field_values(None, values, auto_regenerate=False)` and write the file,
once per document. pepdocs lays out and renders the same PEP (whose values those are) for its own
answers. Both are timed in CPU seconds per document, in the same process, interleaved, `--repeat`
times; the ratio is printed as min/median/max over the repetitions. The plain loop takes seconds per
document on these templates (pypdf parses the embedded font's cmap and ToUnicode map again for every
field), so `--plain-n` times it over fewer documents.
"""

from __future__ import annotations

import argparse
import io
import logging
import statistics
import sys
import time
from pathlib import Path

from pypdf import PdfWriter

import pepdocs
from pepdocs.engines.pdf._read import read_pdf

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for the tests' list of examples

from tests.examples import EXAMPLE_FOR  # noqa: E402


def plain_values(pep: pepdocs.PEP, form: pepdocs.Form) -> dict[str, str]:
    """The values pepdocs writes for `pep`, by full field name, for the fields the blank template has."""
    fields = read_pdf(pepdocs.render(pep, form, "pdf"), "values")
    blank = read_pdf_names(form.folder / "form.pdf")
    values = {name: text for name, text in fields.text.items() if text and name in blank}
    values |= {name: "/" + state for name, state in fields.states.items() if state != "Off" and name in blank}
    return values


def read_pdf_names(path: Path) -> set[str]:
    """Every field name in a blank template, including each radio group and checkbox."""
    from pypdf import PdfReader

    names: set[str] = set()
    for name in PdfReader(path).get_fields() or {}:
        names.add(name)
    return names


def plain_loop(template: Path, values: dict[str, str], n: int) -> float:
    """CPU seconds per document for clone, fill and write with pypdf alone."""
    start = time.process_time()
    for _ in range(n):
        writer = PdfWriter(clone_from=template)
        writer.update_page_form_field_values(None, values, auto_regenerate=False)
        out = io.BytesIO()
        writer.write(out)
    return (time.process_time() - start) / n


def pepdocs_loop(pep: pepdocs.PEP, form: pepdocs.Form, n: int) -> float:
    """CPU seconds per document for `pepdocs.render(pep, form, "pdf")` (after one warm-up render)."""
    pepdocs.render(pep, form, "pdf")
    start = time.process_time()
    for _ in range(n):
        pepdocs.render(pep, form, "pdf")
    return (time.process_time() - start) / n


def main(argv: list[str] | None = None) -> int:
    """Time both ways of filling one form, interleaved, and print CPU ms per document and the ratio."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--n", type=int, default=50, help="documents rendered by pepdocs per repetition (default 50)")
    parser.add_argument("--form", default="southwark-full", choices=sorted(EXAMPLE_FOR), help="the form to fill")
    parser.add_argument("--plain-n", type=int, default=1, help="documents filled by the plain loop per repetition")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions, interleaved (default 3, at least 3)")
    args = parser.parse_args(argv)
    # pypdf warns, per field, that it cannot encode the tick-box glyphs of derived answers; that is not timed.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    form = pepdocs.get_form(args.form)
    pep = pepdocs.read_pep(ROOT / "examples" / f"{EXAMPLE_FOR[args.form]}.json")
    values = plain_values(pep, form)
    ours: list[float] = []
    plain: list[float] = []
    for _ in range(max(3, args.repeat)):
        plain.append(plain_loop(form.folder / "form.pdf", values, args.plain_n))
        ours.append(pepdocs_loop(pep, form, args.n))
    ratios = sorted(p / o for p, o in zip(plain, ours, strict=True))
    sizes = [len(pepdocs.render(pep, form, "pdf"))]

    def spread(values: list[float]) -> str:
        ms = sorted(v * 1000 for v in values)
        return f"min {ms[0]:.1f} median {statistics.median(ms):.1f} max {ms[-1]:.1f} ms"

    print(f"form {form.id}: {len(values)} field values, template {form.folder.name}/form.pdf, {len(ours)} repetitions")
    print(f"plain pypdf loop (clone, update_page_form_field_values, write), CPU per document: {spread(plain)}")
    print(f"pepdocs.render(pep, form, 'pdf'), CPU per document:                          {spread(ours)}")
    print(
        f"pepdocs is faster by min {ratios[0]:.1f}x median {statistics.median(ratios):.1f}x max {ratios[-1]:.1f}x;"
        f" the filled file is {sizes[0] / 1000:.1f} KB (1,000 bytes)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
