"""Remembering what a function made of an object by the object itself, not by its hash."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")
MAX_REMEMBERED = 64


def per_object(make: Callable[[K], V]) -> Callable[[K], V]:
    """`make` run once per object given (a form: hashing a whole spec costs more than most uses of it).

    Each object is kept with its result, so its id is never reused for another while remembered. At most
    `MAX_REMEMBERED` are kept, so a service loading forms from folders again and again does not grow without end.
    """
    made: dict[int, tuple[K, V]] = {}

    @wraps(make)
    def remembered(key: K) -> V:
        known = made.get(id(key))
        if known is None or known[0] is not key:
            if len(made) >= MAX_REMEMBERED:
                made.clear()
            known = made[id(key)] = (key, make(key))
        return known[1]

    return remembered
