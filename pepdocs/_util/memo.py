"""Remembering what a function made of an object by the object itself, not by its hash."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


def per_object(make: Callable[[K], V]) -> Callable[[K], V]:
    """`make` run once per object given (a form: hashing a whole spec costs more than most uses of it).

    Each object is kept with its result, so its id is never reused for another while remembered.
    """
    made: dict[int, tuple[K, V]] = {}

    @wraps(make)
    def remembered(key: K) -> V:
        known = made.get(id(key))
        if known is None or known[0] is not key:
            known = made[id(key)] = (key, make(key))
        return known[1]

    return remembered
