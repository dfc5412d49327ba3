"""Start-up cost: CPU time of `import pepdocs`, `pepdocs --version` and `pepdocs --help`, beside a bare interpreter.

    python benchmarks/startup.py [--n 5] [--importtime]

Each command runs in a fresh interpreter; its CPU time (user + system, from the children's rusage) is
measured with the bare interpreter (`python -c pass`) run interleaved with it, so both see the same
machine load. Printed per command: min/median/max seconds, the ratio to the bare interpreter, and the
target (import under 0.3 s, --version and --help under 0.15 s). `--importtime` also prints the ten
slowest imports of each command from `python -X importtime`, which is where to look when a figure grows.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys

COMMANDS = {
    "python -c pass (baseline)": ([sys.executable, "-c", "pass"], None),
    "import pepdocs": ([sys.executable, "-c", "import pepdocs"], 0.3),
    "pepdocs --version": ([sys.executable, "-m", "pepdocs", "--version"], 0.15),
    "pepdocs --help": ([sys.executable, "-m", "pepdocs", "--help"], 0.15),
    "import pepdocs; pepdocs.PEP (the model, for scale)": ([sys.executable, "-c", "import pepdocs; pepdocs.PEP"], None),
}


def cpu_seconds(args: list[str]) -> float:
    """CPU seconds (user + system) one run of `args` took."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(args, check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def slowest_imports(args: list[str], top: int = 10) -> list[tuple[int, str]]:
    """The `top` imports with the largest cumulative time (microseconds) under `python -X importtime`."""
    command = [args[0], "-X", "importtime", *args[1:]]
    lines = subprocess.run(command, capture_output=True, text=True, check=True).stderr.splitlines()
    found = []
    for line in lines:
        if line.startswith("import time:") and "|" in line and "cumulative" not in line:
            _, cumulative, name = line.removeprefix("import time:").split("|")
            found.append((int(cumulative), name.rstrip()))
    return sorted(found, reverse=True)[:top]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5, help="runs of each command (at least 3)")
    parser.add_argument("--importtime", action="store_true", help="also print the slowest imports")
    options = parser.parse_args()
    runs = max(3, options.n)
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(runs):  # interleaved: every command once per round
        for name, (args, _target) in COMMANDS.items():
            times[name].append(cpu_seconds(args))
    base = statistics.median(times["python -c pass (baseline)"])
    print(
        f"CPU seconds over {runs} runs each, interleaved (min / median / max), ratio of medians to the bare interpreter"
    )
    missed = []
    for name, (args, target) in COMMANDS.items():
        low, mid, high = min(times[name]), statistics.median(times[name]), max(times[name])
        verdict = "" if target is None else (f"  target < {target:.2f} s: " + ("met" if mid < target else "MISSED"))
        if target is not None and mid >= target:
            missed.append(name)
        print(f"  {name:52} {low:6.3f} / {mid:6.3f} / {high:6.3f}   x{mid / base:5.1f}{verdict}")
        if options.importtime and target is not None:
            for cumulative, module in slowest_imports(args):
                print(f"      {cumulative / 1e6:6.3f} s  {module.strip()}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
