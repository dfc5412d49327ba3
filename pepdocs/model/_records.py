"""PEP records as JSON files: reading them and turning validation failures into issues."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pepdocs._errors import Issue, ModelError
from pepdocs.model._paths import drop
from pepdocs.model._pep import PEP


def json_path(loc: tuple[int | str, ...]) -> str:
    """A pydantic error location as a JSON path: ('targets', 0, 'due_date') -> $.targets[0].due_date."""
    out = "$"
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def issues_of(error: ValidationError) -> list[Issue]:
    """Every problem in a pydantic validation error, each with its path."""
    issues = []
    for item in error.errors(include_url=False):
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "not a PEP field"
        elif item["type"] == "enum":
            message = f"not one of the codes; expected {item['ctx']['expected']}"
        issues.append(Issue(message, json_path(tuple(item["loc"]))))
    return issues


@dataclass(frozen=True)
class Refusal:
    """A value the model refused and that was left out: where it was, why, and the value itself."""

    loc: tuple[int | str, ...]
    issue: Issue
    value: Any


def validate_dropping(data: dict[str, Any]) -> tuple[PEP | None, list[Refusal]]:
    """A PEP from nested data, leaving out (in place) each value the model refuses, and the refusals.

    The PEP is None when a refusal names no value that can be left out, e.g. a rule across fields.
    """
    refusals: list[Refusal] = []
    while True:
        try:
            return PEP.model_validate(data), refusals
        except ValidationError as error:
            found = zip(error.errors(include_url=False), issues_of(error), strict=True)
            dropped = False
            # Last locations first, so that taking an item out of a list does not move the next one.
            for item, issue in sorted(
                found, key=lambda pair: [str(step).zfill(6) for step in pair[0]["loc"]], reverse=True
            ):
                loc = tuple(item["loc"])
                there, value = drop(data, loc)
                refusals.append(Refusal(loc, issue, value))
                dropped = dropped or there
            if not dropped:
                return None, refusals


def pep_from_data(data: Any, source: str = "") -> PEP:
    """A PEP from parsed JSON data; ModelError lists every problem."""
    try:
        return PEP.model_validate(data)
    except ValidationError as error:
        raise ModelError(issues_of(error), source) from None


def read_pep(path: str | Path) -> PEP:
    """A PEP from a JSON file; ModelError names the file and every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ModelError([Issue("no such file")], str(path)) from None
    except UnicodeDecodeError:
        raise ModelError([Issue("not UTF-8 text; save the record as UTF-8 JSON")], str(path)) from None
    except OSError as error:
        raise ModelError(
            [Issue(f"cannot read the file ({error.strerror or error.__class__.__name__})")], str(path)
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ModelError(
            [Issue(f"not JSON: {error.msg} at line {error.lineno} column {error.colno}")], str(path)
        ) from None
    except RecursionError:  # arrays or objects nested thousands deep: no PEP record is
        raise ModelError([Issue("not a PEP record: its JSON nests too deep to read")], str(path)) from None
    return pep_from_data(data, str(path))


def schema() -> dict[str, Any]:
    """The JSON Schema of a PEP record."""
    return PEP.model_json_schema(mode="validation")
