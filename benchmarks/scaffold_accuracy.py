"""How well `pepdocs forms scaffold` maps council forms it did not make: per-form accuracy against true mappings.

For each form of the test corpus (tests/corpus/*/original.*, true mapping in expected.toml beside it)
and each of the six built-in forms treated as foreign (their blank DOCX and PDF with pepdocs' bookmarks
and properties stripped), it prints: places, mapped right, left for review, WRONG (a wrong mapping used
unconfirmed), and accuracy = places mapped right (or rightly left unmapped) / places.

    python benchmarks/scaffold_accuracy.py
"""

from __future__ import annotations

import re
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pepdocs.workflows._scaffold import scaffold_form  # noqa: E402
from tests.foreign_helpers import score  # noqa: E402


def corpus() -> list[tuple[str, Path, list[tuple[str, str]]]]:
    out = []
    for expected in sorted((ROOT / "tests" / "corpus").glob("*/expected.toml")):
        raw = tomllib.loads(expected.read_text(encoding="utf-8"))
        original = next(expected.parent.glob("original.*"))
        out.append((expected.parent.name, original, list(raw["places"].items())))
    return out


def built_in(work: Path) -> list[tuple[str, Path, list[tuple[str, str]]]]:
    """The six built-in forms' blank DOCX and PDF, stripped of pepdocs' marks, with their specs as the truth."""
    from tests.foreign_helpers import built_in_as_foreign

    return built_in_as_foreign(work)


def main() -> int:
    rows = []
    with tempfile.TemporaryDirectory() as work:
        cases = corpus() + built_in(Path(work))
        for name, document, expected in cases:
            scaffold = scaffold_form(
                document, re.sub(r"[^a-z0-9]+", "-", name).strip("-"), Path(work) / "out", overwrite=True
            )
            places, right, review, wrong, missed = score(scaffold, expected)
            rows.append((name, places, right, review, wrong, missed))
    print(f"{'form':28} {'places':>6} {'right':>6} {'review':>6} {'wrong':>6} {'accuracy':>9}")
    for name, places, right, review, wrong, _missed in rows:
        print(f"{name:28} {places:6} {right:6} {review:6} {len(wrong):6} {100 * right / max(1, places):8.1f}%")
    for name, _p, _r, _v, wrong, missed in rows:
        for line in wrong:
            print(f"  WRONG {name}: {line}")
        if missed:
            print(f"  not found in {name}: {', '.join(missed)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
