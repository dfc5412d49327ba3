"""Value codecs: how a model value is written on a form, and read back from what people type."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from enum import Enum
from functools import lru_cache
from typing import Any

from pepdocs._util.dates import read_date
from pepdocs.model._codes import LOCAL_AUTHORITIES, Code
from pepdocs.model._identifiers import year_group_label
from pepdocs.model._paths import Slot

CHECKED = "☒"
UNCHECKED = "☐"
_TICKS = "☒☑✓✔✗✘■xX"
_BOXES = "☐□▢"

_YES = {"yes", "y", "true", "ticked", CHECKED, "☑", "✓", "✔", "x"}
_NO = {"no", "n", "false"}


def _read_decimal(text: str, unit: str) -> Decimal:
    cleaned = text.strip().replace(",", "").replace("£", "").removesuffix("%").strip()
    if unit == "hours":
        cleaned = re.sub(r"\s*(hours?|hrs?|h)\s*(a|per)?\s*(week|wk)?$", "", cleaned, flags=re.I)
    if not re.fullmatch(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", cleaned):  # ASCII digits: no NaN, ², 1e9999
        raise ValueError("not a number")
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        raise ValueError("not a number") from None


def read_year_group(text: str) -> int:
    """A National Curriculum year as written: 'Year 7', 'Y7', 'Yr 7', '7', 'Reception', 'R', 'Nursery'."""
    cleaned = text.strip().casefold()
    if cleaned in ("reception", "r", "yr r", "year r", "rec"):
        return 0
    if cleaned in ("nursery", "n", "pre-school", "preschool"):
        return -1
    if match := re.fullmatch(r"nursery \((-[0-9])\)", cleaned):
        return int(match[1])
    if match := re.fullmatch(r"(?:year|yr|y|ncy)?\s*([0-9]{1,2})", cleaned):
        return int(match[1])
    raise ValueError("not a year group")


def read_la(text: str) -> str:
    """A local authority as its DfE number, from '210', 'Southwark' or 'Southwark (210)'."""
    cleaned = text.strip()
    if match := re.search(r"\b([0-9]{3})\b", cleaned):
        return match[1]
    for number, name in LOCAL_AUTHORITIES.items():
        if cleaned.casefold() == name.casefold():
            return number
    raise ValueError("not a local authority")


def code_label(member: Enum) -> str:
    """How a form shows a code: its words, with the official code where that is not a plain word."""
    label = member.label if isinstance(member, Code) else str(member.value)
    code = str(member.value)
    if isinstance(member, Code) and (code.isupper() or code.isdigit()) and code != label:
        return f"{label} ({code})"
    return label


def read_code(text: str, enum: type[Enum]) -> Enum:
    """A code-list member from its code, its words, or both ('Full care order (C2)', 'C2 - Full care order')."""
    cleaned = " ".join(text.split())
    candidates = [cleaned]
    if match := re.fullmatch(r"(.+?)\s*\(([^()]+)\)", cleaned):
        candidates += [match[2], match[1]]
    if match := re.fullmatch(r"(\S+)\s*[-–—:]\s*(.+)", cleaned):
        candidates += [match[1], match[2]]
    for candidate in candidates:
        try:
            return enum(candidate)
        except ValueError:
            continue
    folded = cleaned.casefold()
    for member in enum:
        if code_label(member).casefold() == folded:
            return member
    raise ValueError("not one of the choices")


def write(slot: Slot, value: Any) -> str:
    """A model value as a form shows it."""
    if value is None:
        return ""
    if slot.kind == "date":
        return f"{value:%d/%m/%Y}"
    if slot.kind == "bool":
        return "Yes" if value else "No"
    if slot.kind == "code":
        return code_label(value)
    if slot.kind == "codes":
        return "\n".join(code_label(member) for member in value)
    if slot.kind == "decimal":
        if slot.unit == "money":
            return f"£{value:,.2f}"
        if slot.unit == "percent":
            return f"{value}%"
        return str(value)
    if slot.path in ("year_group", "child.ncy_actual"):
        return year_group_label(value)
    if slot.unit == "la":
        name = LOCAL_AUTHORITIES.get(value)
        return f"{name} ({value})" if name else str(value)
    return str(value)


def read(slot: Slot, text: str) -> Any:
    """A model value from what a form holds; ValueError says what could not be read."""
    if slot.kind == "text":
        if slot.unit == "la":
            return read_la(text)
        return text
    stripped = text.strip()
    if slot.kind == "date":
        return read_date(stripped)
    if slot.kind == "bool":
        folded = stripped.casefold()
        if folded in _YES:
            return True
        if folded in _NO:
            return False
        raise ValueError("not yes or no")
    if slot.kind == "code":
        assert slot.enum is not None
        return read_code(stripped, slot.enum)
    if slot.kind == "codes":
        assert slot.enum is not None
        enum = slot.enum
        return [read_code(line, enum) for line in stripped.splitlines() if line.strip()]
    if slot.kind == "decimal":
        return _read_decimal(stripped, slot.unit)
    if slot.kind == "int":
        if slot.path in ("year_group", "child.ncy_actual"):
            return read_year_group(stripped)
        if re.fullmatch(r"[+-]?[0-9]+", stripped):
            return int(stripped)
        raise ValueError("not a whole number")
    raise ValueError(f"cannot read a {slot.kind} from a form")


@lru_cache(maxsize=4096)
def _option(label: str) -> re.Pattern[str]:
    """An option's words, after the box or mark that may tick them."""
    return re.compile(rf"(\[\s*[xX✓]?\s*\]|[{_TICKS}{_BOXES}])?\s*(?<!\w){re.escape(label)}(?!\w)")


_A_BOX = re.compile(rf"[{_BOXES}☒☑]|\[\s*[xX✓]?\s*\]")
"""A box glyph, ticked or not, or a box typed as brackets."""


@lru_cache(maxsize=1024)
def _longest_first(labels: tuple[str, ...]) -> tuple[tuple[int, str, re.Pattern[str]], ...]:
    """Each option's index, folded words and pattern, longest words first, so "Not achieved" is not read as
    "Achieved"."""
    order = sorted(range(len(labels)), key=lambda i: -len(labels[i]))
    return tuple((index, labels[index].casefold(), _option(labels[index].casefold())) for index in order)


def ticked(text: str, labels: Sequence[str]) -> list[int] | None:
    """Indexes of the options ticked in a tick-box answer; None when it holds no boxes or ticks at all.

    A tick is a ticked glyph (☒ ☑ ✓ ✔ X) right before an option's words, or an option's words
    standing alone where the boxes were retyped away.
    """
    folded = " ".join(text.split()).casefold()
    if not folded:
        return None
    found: list[int] = []
    saw_box = _A_BOX.search(text) is not None
    claimed: list[tuple[int, int]] = []
    for index, label, option in _longest_first(tuple(labels)):
        for match in option.finditer(folded):
            start, end = match.span()
            if any(s <= match.start(0) + len(match[0]) - len(label) < e for s, e in claimed):
                continue
            claimed.append((start, end))
            mark = (match[1] or "").strip("[] ")
            if mark and mark in _TICKS + "✓":
                found.append(index)
            elif not mark and not saw_box:
                found.append(index)
            break
    if not found and not saw_box:
        return None
    return sorted(found)
