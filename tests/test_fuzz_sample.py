"""A fixed sample of the fuzz runner's cases (benchmarks/fuzz.py) in CI: every one read or a PepdocsError."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_derandomised_sample_of_fuzzed_forms_gives_no_raw_exception() -> None:
    spec = importlib.util.spec_from_file_location("fuzz", ROOT / "benchmarks" / "fuzz.py")
    assert spec is not None and spec.loader is not None
    fuzz = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fuzz)
    lines: list[str] = []
    counts = fuzz.run(160, seed=0, seconds=10.0, memory_mb=1024, out=lines.append, office=False)
    assert sum(counts.values()) == 160
    bad = [o for o in counts if o.startswith("RAW") or "last resort" in o or o in ("timeout", "memory")]
    assert not bad, lines
    assert counts["read"] and counts["DocumentError"] and counts["InputError"]  # forms, and case-data files
    kinds = "forms | PDFs read by their text | case-data files | councils' blank forms | councils' completed forms"
    assert f"| outcome (--seed=0) | {kinds} | total |" in lines
    read = next(line for line in lines if line.startswith("| read |")).split(" | ")
    assert int(read[4]) and int(read[5].replace(",", "")), read  # councils' forms scaffolded, and read back
