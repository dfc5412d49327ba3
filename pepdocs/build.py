"""Rebuild every form's templates from its spec: `python -m pepdocs.build [--check]`."""

from __future__ import annotations

import argparse
import sys

from ._docx_build import build_docx
from ._forms import list_forms
from ._pdf_build import build_pdf


def main(argv: list[str] | None = None) -> int:
    """Write form.docx beside each spec; with --check, only report templates that differ from their spec."""
    parser = argparse.ArgumentParser(prog="python -m pepdocs.build", description=main.__doc__)
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a template is stale")
    args = parser.parse_args(argv)
    stale = []
    for form in list_forms():
        target = form.folder / "form.docx"
        built = build_docx(form)
        if target.exists() and target.read_bytes() == built:
            continue
        stale.append(str(target))
        if not args.check:
            target.write_bytes(built)
    for form in list_forms():
        pdf = form.folder / "form.pdf"
        built_pdf = build_pdf(form)
        if pdf.exists() and pdf.read_bytes() == built_pdf:
            continue
        stale.append(str(pdf))
        if not args.check:
            pdf.write_bytes(built_pdf)
    for name in stale:
        print(("stale: " if args.check else "wrote: ") + name)
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
