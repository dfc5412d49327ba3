"""Rebuild every form's templates from its spec: `python -m pepdocs.build [--check]`."""

from __future__ import annotations

import argparse
import sys

from pepdocs.engines import all_engines
from pepdocs.forms._spec import list_forms


def main(argv: list[str] | None = None) -> int:
    """Write each engine's template (form.docx, form.pdf) beside each spec; with --check, only report templates that differ from it."""
    parser = argparse.ArgumentParser(prog="python -m pepdocs.build", description=main.__doc__)
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a template is stale")
    args = parser.parse_args(argv)
    stale = []
    for form in list_forms():
        for engine in all_engines():
            target = form.folder / f"form{engine.suffix}"
            built = engine.build(form)
            if target.exists() and target.read_bytes() == built:
                continue
            stale.append(str(target))
            if not args.check:
                target.write_bytes(built)
    for name in stale:
        print(("stale: " if args.check else "wrote: ") + name)
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
