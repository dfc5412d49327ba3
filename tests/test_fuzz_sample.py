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
    counts = fuzz.run(136, seed=0, seconds=10.0, memory_mb=1024, out=lines.append)
    assert sum(counts.values()) == 136
    assert not [outcome for outcome in counts if outcome.startswith("RAW") or outcome in ("timeout", "memory")], lines
    assert counts["read"] and counts["DocumentError"]
