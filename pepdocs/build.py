"""Rebuild every form's templates from its spec: `python -m pepdocs.build [--check]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pepdocs.engines import all_engines
from pepdocs.forms._spec import Form, list_forms, templates_dir


def build_form(form: Form, check: bool = False) -> list[Path]:
    """Write each engine's template (form.docx, form.pdf) beside the form's spec; the templates that were stale
    (with `check`, none written)."""
    if form.foreign:
        return []  # a council's own document is the template: nothing to build
    stale = []
    for engine in all_engines():
        target = form.folder / f"form{engine.suffix}"
        built = engine.build(form)
        if target.exists() and target.read_bytes() == built:
            continue
        stale.append(target)
        if not check:
            target.write_bytes(built)
    return stale


def main(argv: list[str] | None = None) -> int:
    """Write form.docx and form.pdf beside each built-in spec; with --check, only report those that differ from it."""
    parser = argparse.ArgumentParser(prog="python -m pepdocs.build", description=main.__doc__)
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a template is stale")
    args = parser.parse_args(argv)
    builtin = templates_dir()
    stale = [
        target for form in list_forms() if form.folder.parent == builtin for target in build_form(form, args.check)
    ]
    for name in stale:
        print(("stale: " if args.check else "wrote: ") + str(name))
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
