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


def test_remembering_per_object_forgets_in_bulk_and_never_mixes_objects_up() -> None:
    from pepdocs._util.memo import MAX_REMEMBERED, per_object

    made: list[object] = []

    @per_object
    def remember(key: object) -> int:
        made.append(key)
        return id(key)

    keys = [object() for _ in range(3 * MAX_REMEMBERED)]
    assert [remember(key) for key in keys] == [id(key) for key in keys]
    assert remember(keys[-1]) == id(keys[-1]) and len(made) == len(keys)  # the latest is still remembered
