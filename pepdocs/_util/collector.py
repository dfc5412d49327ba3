"""Python's cyclic garbage collector held off while one document is read."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Within the block the cyclic collector does not run; it runs again after, if it ran before.

    Reading a document makes tens of thousands of short-lived objects and no reference cycles (lxml trees and the
    record's dicts free themselves by reference counting), yet each few hundred allocations set off a collection
    that walks every young object, and now and then every object the program holds. Held off for the few
    milliseconds of one read, the collections that follow find the read's objects already gone.
    """
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()
