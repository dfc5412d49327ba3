"""Every speed figure of issue 17 in one run, each side by side with its baseline as a ratio of CPU time.

    python benchmarks/speed.py                 # ratios, then a 10,000-row batch with 1 and 2 workers
    python benchmarks/speed.py --rows 0        # the ratios only

Ratios: the two sides run interleaved in one process (A, B, A, B, ...), `--reps` repetitions of `--n`
documents each; per document CPU time (time.process_time), min/median/max over the repetitions.
The batch runs in fresh child processes; its report JSON gives its CPU time (the batch process and
its children) and the peak memory of the whole tree (the batch process plus every worker).
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHILDREN_IN_CARE = 84_000  # England, roughly, 31 March 2025
TARGET_SECONDS = 300


def cpu_ms(make: Callable[[], object], n: int) -> float:
    started = time.process_time()
    for _ in range(n):
        make()
    return (time.process_time() - started) * 1000 / n


def side_by_side(label: str, ours: Callable[[], object], base: Callable[[], object], base_label: str, n: int,
                 reps: int, limit: float | None = None, ms_limit: float | None = None,
                 brief: bool = False) -> float:  # fmt: skip
    """Interleaved CPU time per document of pepdocs and a baseline; prints both and their ratio; the median ratio."""
    ours(), base()  # warm
    mine: list[float] = []
    theirs: list[float] = []
    ratios: list[float] = []
    for _ in range(reps):
        a = cpu_ms(ours, n)
        b = cpu_ms(base, n)
        mine.append(a)
        theirs.append(b)
        ratios.append(a / b)

    def spread(values: list[float], unit: str = " ms") -> str:
        return f"{min(values):.2f}/{statistics.median(values):.2f}/{max(values):.2f}{unit}"

    ratio = statistics.median(ratios)
    verdict = "" if limit is None else f"  (target <= {limit:g}: {'met' if ratio <= limit else 'NOT met'})"
    if brief:  # one line: pepdocs, baseline and their ratio, min/median/max
        print(f"{label}: pepdocs {spread(mine)}, {base_label} {spread(theirs)}, ratio {spread(ratios, '')}{verdict}")
        return ratio
    print(f"{label}")
    print(f"  pepdocs   {spread(mine)}   min/median/max CPU per document, {reps} x {n}")
    print(f"  {base_label:<9} {spread(theirs)}")
    print(f"  ratio pepdocs/baseline {spread(ratios, '')}{verdict}")
    if ms_limit is not None:
        median = statistics.median(mine)
        met = "met" if median <= ms_limit else "NOT met"
        print(f"  pepdocs median {median:.2f} ms (target <= {ms_limit:g} ms: {met})")
    return ratio


def ratios(n: int, reps: int) -> None:
    from docxtpl import DocxTemplate

    import pepdocs
    from pepdocs.engines.docx._render import docx_context
    from pepdocs.forms._answers import answers
    from pepdocs.forms._wording import partial_title

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    pep = pepdocs.read_pep(ROOT / "examples" / "southwark-primary.json")
    form = pepdocs.get_form("southwark-full")
    context = docx_context(form, answers(pep, form), partial_title(form, None), pep.child.full_name or "")
    template = ROOT / "templates" / "southwark" / "form.docx"

    def docxtpl() -> bytes:
        document = DocxTemplate(template)
        document.render(context, autoescape=True)
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()

    side_by_side("DOCX render, southwark-full", lambda: pepdocs.render(pep, form), docxtpl, "docxtpl", n, reps,
                 ms_limit=8)  # fmt: skip
    for other in [form, *(f for f in pepdocs.list_forms() if f is not form and not f.foreign)]:
        parse_ratios(pep, other, n, reps, brief=other is not form)


def parse_ratios(pep: Any, form: Any, n: int, reps: int, brief: bool) -> None:
    """`parse` of one form filled from `pep`, as DOCX against a python-docx cell walk, as PDF against pypdf."""
    import docx
    from pypdf import PdfReader

    import pepdocs

    filled = pepdocs.render(pep, form)

    def cell_walk() -> list[str]:
        document = docx.Document(io.BytesIO(filled))
        return [cell.text for table in document.tables for row in table.rows for cell in row.cells]

    side_by_side(f"DOCX parse, {form.id} filled", lambda: pepdocs.parse(filled), cell_walk, "python-docx", n, reps,
                 limit=0.15, brief=brief)  # fmt: skip
    pdf = pepdocs.render(pep, form, "pdf")
    side_by_side(f"PDF parse, {form.id} filled", lambda: pepdocs.parse(pdf),
                 lambda: PdfReader(io.BytesIO(pdf)).get_fields(), "pypdf", max(1, n // 4), reps, limit=0.3,
                 brief=brief)  # fmt: skip


_BATCH = """
import json, sys
from pepdocs.workflows._batch import batch
report = batch(sys.argv[1], sys.argv[2], workers=int(sys.argv[3]), policy="southwark")
print(json.dumps(report.as_dict() | {"rows": len(report.rows)}))
"""


def run_batch(cases: Path, out: Path, workers: int) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-c", _BATCH, str(cases), str(out), str(workers)],
                          capture_output=True, text=True, check=True)  # fmt: skip
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def big_batch(rows: int) -> None:
    """A generated workbook of `rows` children, batched afresh with one worker and with two."""
    spec = importlib.util.spec_from_file_location("make_cases", ROOT / "examples" / "make_cases.py")
    assert spec is not None and spec.loader is not None
    make_cases = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = make_cases
    spec.loader.exec_module(make_cases)
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "cases.xlsx"
        make_cases.write(path, rows)
        print(f"Batch, {rows:,} generated rows ({path.stat().st_size / 1e6:.1f} MB workbook), fresh processes, DOCX:")
        results = {}
        for workers in (1, 2):
            load = os.getloadavg()[0]
            result = run_batch(path, Path(work) / f"out{workers}", workers)
            results[workers] = result
            written = result["files_written"]
            cpu = result["cpu_seconds"]
            print(f"  workers={workers}: {result['rows']:,} rows, {written:,} documents, "
                  f"wall {result['seconds']:.1f} s, "
                  f"CPU {cpu:.1f} s = {written / cpu:.0f} documents per CPU second, "
                  f"{cpu * 1000 / result['rows']:.2f} ms CPU per child; peak memory of the tree "
                  f"{result['peak_tree_mb']:.0f} MB (load average {load:.1f} at the start)")  # fmt: skip
    one, two = results[1], results[2]
    print(f"  scaling 1 -> 2 workers, wall time: {one['seconds'] / two['seconds']:.2f}x "
          "(on this shared machine, as loaded as it was)")  # fmt: skip
    cpu_per_child = two["cpu_seconds"] / two["rows"]
    busiest = two["main_cpu_seconds"] / two["rows"]
    # On an idle 2-core machine two workers and the reading process share both cores: the work is
    # CPU-bound, so the run takes the CPU time over two cores, unless the reading process alone is slower.
    ideal = max(cpu_per_child / 2, busiest)
    modelled = one["cpu_seconds"] / one["rows"] / ideal
    print(f"  scaling 1 -> 2 workers on an idle machine, from CPU time: {modelled:.2f}x; "
          f"reading process {busiest * 1000:.2f} ms per child, all {cpu_per_child * 1000:.2f} ms")  # fmt: skip
    estimate = ideal * CHILDREN_IN_CARE
    measured = two["seconds"] / two["rows"] * CHILDREN_IN_CARE
    print(f"  {CHILDREN_IN_CARE:,} children on this 2-core machine: {estimate / 60:.1f} min from CPU time "
          f"(target <= {TARGET_SECONDS // 60} min: {'met' if estimate <= TARGET_SECONDS else 'NOT met'}); "
          f"{measured / 60:.1f} min at the wall time measured under the current load")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20, help="documents per repetition (default 20)")
    parser.add_argument("--reps", type=int, default=3, help="repetitions, interleaved (default 3)")
    parser.add_argument("--rows", type=int, default=10_000, help="rows of the batch; 0 skips it (default 10000)")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}, Python {sys.version.split()[0]}")
    ratios(args.n, args.reps)
    if args.rows:
        big_batch(args.rows)
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
