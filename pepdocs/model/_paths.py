"""Dotted model paths: what type a path holds, reading values, building records from values."""

from __future__ import annotations

import typing
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from types import UnionType
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from pepdocs.model._pep import PEP


@dataclass(frozen=True)
class Slot:
    """What one model path holds: its Python type, code list or unit, and whether it is derived."""

    path: str
    kind: str  # text, date, bool, int, decimal, code, codes, model
    enum: type[Enum] | None = None
    unit: str = ""  # money, percent, hours, identifier names (upn, la, ...)
    derived: bool = False


def _unwrap(annotation: Any) -> tuple[Any, list[Any]]:
    """Strip Optional and Annotated; return the bare type and the Annotated metadata."""
    metadata: list[Any] = []
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            args = typing.get_args(annotation)
            annotation, metadata = args[0], metadata + list(args[1:])
        elif origin in (typing.Union, UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(members) != 1:
                return annotation, metadata
            annotation = members[0]
        else:
            return annotation, metadata


def _unit(metadata: list[Any]) -> str:
    """Name the kind of number or identifier an annotation carries."""
    for item in metadata:
        validator = getattr(item, "func", None)
        if validator is not None:
            return str(validator.__name__).removeprefix("validate_")
        if isinstance(item, FieldInfo):
            bounds = {type(m).__name__: getattr(m, type(m).__name__.lower(), None) for m in item.metadata}
            if bounds.get("Le") == 100 and bounds.get("Ge") == 0:
                return "percent"
            if bounds.get("Le") == 168:
                return "hours"
            if any(getattr(m, "max_digits", None) == 10 for m in item.metadata):
                return "money"
    return ""


def _slot_for(path: str, annotation: Any, derived: bool = False) -> Slot:
    bare, metadata = _unwrap(annotation)
    if typing.get_origin(bare) is list:
        (inner,) = typing.get_args(bare)
        if isinstance(inner, type) and issubclass(inner, Enum):
            return Slot(path, "codes", inner)
        return Slot(path, "model")
    if isinstance(bare, type):
        if issubclass(bare, BaseModel):
            return Slot(path, "model")
        if issubclass(bare, Enum):
            return Slot(path, "code", bare, derived=derived)
        if issubclass(bare, bool):
            return Slot(path, "bool", derived=derived)
        if issubclass(bare, int):
            return Slot(path, "int", unit=_unit(metadata), derived=derived)
        if issubclass(bare, Decimal):
            return Slot(path, "decimal", unit=_unit(metadata), derived=derived)
        if bare.__name__ == "date":
            return Slot(path, "date", derived=derived)
        if issubclass(bare, str):
            return Slot(path, "text", unit=_unit(metadata), derived=derived)
    raise KeyError(path)


def _model_of(annotation: Any) -> type[BaseModel] | None:
    bare, _ = _unwrap(annotation)
    if typing.get_origin(bare) is list:
        (bare,) = typing.get_args(bare)
    return bare if isinstance(bare, type) and issubclass(bare, BaseModel) else None


def slot(path: str) -> Slot:
    """The slot a dotted path names (`targets[].due_date`); KeyError if the model has no such path."""
    if path.startswith("extensions."):
        return Slot(path, "text")
    model: type[BaseModel] = PEP
    parts = path.replace("[]", "").split(".")
    for i, name in enumerate(parts):
        last = i == len(parts) - 1
        if name in model.model_fields:
            annotation = model.model_fields[name].annotation
            if last:
                return _slot_for(path, annotation)
            inner = _model_of(annotation)
            if inner is None:
                raise KeyError(path)
            model = inner
        elif name in model.model_computed_fields and last:
            return _slot_for(path, model.model_computed_fields[name].return_type, derived=True)
        else:
            raise KeyError(path)
    raise KeyError(path)


def get(obj: Any, path: str) -> Any:
    """The value at a dotted path below `obj` (no `[]`); None where any step is missing."""
    for name in path.split("."):
        if obj is None:
            return None
        obj = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
    return obj


def put(data: dict[str, Any], path: str, value: Any) -> None:
    """Set a dotted path (no `[]`) in nested dicts, creating the dicts on the way."""
    *parents, last = path.split(".")
    for name in parents:
        data = data.setdefault(name, {})
    data[last] = value


def drop(data: Any, loc: tuple[int | str, ...]) -> tuple[bool, Any]:
    """Remove the value at a pydantic error location from nested data: whether one was there, and what."""
    if not loc:
        return False, None
    for step in loc[:-1]:
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            return False, None
    try:
        if isinstance(data, dict):
            return True, data.pop(loc[-1])
        if isinstance(data, list) and isinstance(loc[-1], int):
            return True, data.pop(loc[-1])
    except (KeyError, IndexError):
        pass
    return False, None
