"""Resident memory of a process tree, read from /proc (Linux), and a sampler of its peak."""

from __future__ import annotations

import os
import threading
from types import TracebackType


def tree_rss_mb(root: int | None = None) -> float:
    """The resident memory of a process (default this one) and all its descendants now, summed, in MB."""
    total = 0
    pending = [os.getpid() if root is None else root]
    while pending:
        pid = pending.pop()
        try:
            with open(f"/proc/{pid}/status", encoding="ascii") as status:
                total += next((int(line.split()[1]) for line in status if line.startswith("VmRSS:")), 0)
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as children:
                    pending += [int(child) for child in children.read().split()]
        except (OSError, ValueError):
            continue  # the process ended between two reads, or there is no /proc
    return total / 1024


class TreeSampler:
    """The peak of this process tree's summed resident memory, sampled by a thread every `interval` seconds."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.peak_mb = 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="pepdocs-memory", daemon=True)

    def _sample(self) -> None:
        while True:
            self.peak_mb = max(self.peak_mb, tree_rss_mb())
            if self._done.wait(self.interval):
                return

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._done.set()
        self._thread.join()
        self.peak_mb = max(self.peak_mb, tree_rss_mb())
