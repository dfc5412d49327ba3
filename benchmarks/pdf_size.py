"""The size of each form's filled PDF with its bundled example, fillable and flattened, and the median.

    python benchmarks/pdf_size.py

Sizes are in KB (1,000 bytes); the issue's bound is 150 KB for a filled PDF. Then every form filled with every
bundled example, with their median and the largest.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

import pepdocs

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for the tests' list of examples

from tests.examples import EXAMPLE_FOR  # noqa: E402


def main() -> int:
    """Print each form's blank, filled and flattened sizes, then the median filled size."""
    filled: list[float] = []
    print(f"{'form':18} {'template':>9} {'filled':>9} {'flattened':>10} {'archive':>9}")
    for form_id, name in EXAMPLE_FOR.items():
        pep = pepdocs.PEP.model_validate_json((ROOT / "examples" / f"{name}.json").read_text(encoding="utf-8"))
        form = pepdocs.get_form(form_id)
        blank = (form.folder / "form.pdf").stat().st_size / 1000
        fill = len(pepdocs.render(pep, form_id, "pdf")) / 1000
        flat = len(pepdocs.render(pep, form_id, "pdf", flatten=True)) / 1000
        try:
            archive = f"{len(pepdocs.render(pep, form_id, 'pdf', archive=True)) / 1000:9.1f}"  # type: ignore[call-arg]
        except TypeError:
            archive = f"{'-':>9}"
        filled.append(fill)
        print(f"{form_id:18} {blank:9.1f} {fill:9.1f} {flat:10.1f} {archive}")
    print(f"median filled: {statistics.median(filled):.1f} KB; largest: {max(filled):.1f} KB")
    print()
    every_example()
    return 0


def every_example() -> None:
    """Print each form filled with each bundled example (the issue's bound holds for all of them)."""
    names = sorted(set(EXAMPLE_FOR.values()))
    peps = {
        n: pepdocs.PEP.model_validate_json((ROOT / "examples" / f"{n}.json").read_text(encoding="utf-8")) for n in names
    }
    sizes: list[float] = []
    print("filled with each example (KB):")
    print(f"{'form':18} " + " ".join(f"{n[:13]:>13}" for n in names))
    for form_id in EXAMPLE_FOR:
        row = [len(pepdocs.render(peps[n], form_id, "pdf")) / 1000 for n in names]
        sizes.extend(row)
        print(f"{form_id:18} " + " ".join(f"{size:13.1f}" for size in row))
    over = sum(size > 150 for size in sizes)
    print(
        f"{len(sizes)} filled PDFs: median {statistics.median(sizes):.1f} KB, largest {max(sizes):.1f} KB,"
        f" over 150 KB: {over}"
    )


if __name__ == "__main__":
    sys.exit(main())
