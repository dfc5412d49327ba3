"""Filling a PDF form, side by side: a plain pypdf loop and `pepdocs.render`, same template and same values.

    python benchmarks/pdf_fill.py [--n 200] [--form southwark-full] [--plain-n N]

The plain loop is what a script would write with pypdf alone: clone the template, set every field's
value with `update_page_form_field_values(None, values, auto_regenerate=False)` and write the file,
once per document. pepdocs renders the same PEP (whose values those are) onto the same template.
The plain loop takes seconds per document on these templates (pypdf parses the embedded font's
cmap and ToUnicode map again for every field), so `--plain-n` times it over fewer documents by
default; both figures are per document.
"""

from __future__ import annotations

import argparse
import io
import logging
import sys
import time
from pathlib import Path

from pypdf import PdfWriter

import pepdocs
from pepdocs.engines.pdf._read import read_pdf

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = {
    "southwark-full": "southwark-primary",
    "southwark-review": "southwark-review",
    "kent": "kent-secondary",
    "no-provision": "no-provision",
    "early-years": "early-years",
    "post-16": "post-16-neet",
}


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
    """Seconds per document for clone, fill and write with pypdf alone."""
    start = time.perf_counter()
    for _ in range(n):
        writer = PdfWriter(clone_from=template)
        writer.update_page_form_field_values(None, values, auto_regenerate=False)
        out = io.BytesIO()
        writer.write(out)
    return (time.perf_counter() - start) / n


def pepdocs_loop(pep: pepdocs.PEP, form: pepdocs.Form, n: int) -> float:
    """Seconds per document for `pepdocs.render(pep, form, "pdf")` (after one warm-up render)."""
    pepdocs.render(pep, form, "pdf")
    start = time.perf_counter()
    for _ in range(n):
        pepdocs.render(pep, form, "pdf")
    return (time.perf_counter() - start) / n


def main(argv: list[str] | None = None) -> int:
    """Time both ways of filling one form and print ms per document and the ratio."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--n", type=int, default=200, help="documents rendered by pepdocs (default 200)")
    parser.add_argument("--form", default="southwark-full", choices=sorted(EXAMPLES), help="the form to fill")
    parser.add_argument(
        "--plain-n", type=int, default=0, help="documents filled by the plain loop (default: n, at most 5)"
    )
    args = parser.parse_args(argv)
    # pypdf warns, per field, that it cannot encode the tick-box glyphs of derived answers; that is not timed.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    form = pepdocs.get_form(args.form)
    pep = pepdocs.read_pep(ROOT / "examples" / f"{EXAMPLES[args.form]}.json")
    values = plain_values(pep, form)
    plain_n = args.plain_n or min(args.n, 5)
    ours = pepdocs_loop(pep, form, args.n)
    plain = plain_loop(form.folder / "form.pdf", values, plain_n)
    print(f"form {form.id}: {len(values)} field values, template {form.folder.name}/form.pdf")
    print(
        "plain pypdf loop (clone, update_page_form_field_values, write): "
        f"{plain * 1000:.1f} ms per document over {plain_n}"
    )
    print(
        f"pepdocs.render(pep, form, 'pdf'):                             {ours * 1000:.1f} ms per document over {args.n}"
    )
    print(f"pepdocs is {plain / ours:.1f}x faster per document")
    return 0


if __name__ == "__main__":
    sys.exit(main())
