"""The memory of a process tree, summed as sampled together: what the batch report's peak_tree_mb gives."""

import subprocess
import sys
import time

import pytest

from pepdocs._util.memory import TreeSampler, tree_rss_mb

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

HOLD = "import sys, time; block = bytearray(80 * 1024 * 1024); print(flush=True); sys.stdin.read()"


def test_children_are_counted_while_they_live() -> None:
    alone = tree_rss_mb()
    child = subprocess.Popen([sys.executable, "-c", HOLD], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert child.stdout is not None and child.stdout.readline()  # the block is held now
        assert tree_rss_mb() - alone > 70
    finally:
        child.communicate()
    assert tree_rss_mb() - alone < 40


def test_sampler_keeps_the_peak_of_a_child_that_has_ended() -> None:
    with TreeSampler(interval=0.01) as sampler:
        alone = tree_rss_mb()
        child = subprocess.Popen([sys.executable, "-c", HOLD], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert child.stdout is not None and child.stdout.readline()
        time.sleep(0.1)  # a few samples while the child holds its block
        child.communicate()
    assert sampler.peak_mb - alone > 70
    assert tree_rss_mb() < sampler.peak_mb - 40
