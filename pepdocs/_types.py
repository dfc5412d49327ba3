"""The option types of the public calls, each a Literal for typing; the CLI choices and checks are built from them
(the formats from the registered engines, `pepdocs.engines.formats()`)."""

from __future__ import annotations

from typing import Any, Literal, TypeVar, get_args

from pepdocs._errors import UsageError

Format = Literal["docx", "pdf"]
"""A document format pepdocs renders and reads."""
Audience = Literal["record", "school", "child"]
"""Who a rendered copy is for: the record holds everything; a school or child copy leaves out sensitive fields."""
Prefer = Literal["record", "returned"]
"""Whose value `merge` keeps where the record and a returned form differ."""
Part = Literal["school", "social_worker", "meeting", "child", "carer", "virtual_school"]
"""Who completes a section (a section's role): `part=` renders the sections that role completes."""

AUDIENCES: tuple[Audience, ...] = get_args(Audience)
PREFERS: tuple[Prefer, ...] = get_args(Prefer)
PARTS: tuple[Part, ...] = get_args(Part)

T = TypeVar("T", bound=str)


def option(name: str, value: Any, allowed: tuple[T, ...]) -> T:
    """`value` if it is one of `allowed`, else a UsageError naming the option and its choices."""
    if isinstance(value, str) and value in allowed:
        return value
    shown = repr(value) if isinstance(value, str) else type(value).__name__
    message = f"must be one of {', '.join(allowed)}, not {shown}"
    raise UsageError(f"{name} {message}", f"--{name} {message}")
