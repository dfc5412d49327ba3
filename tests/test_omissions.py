"""Nothing of the record is left off a form without a word: render_report names every value left out, and why."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import pepdocs
from pepdocs._cli import main
from pepdocs.forms._spec import Block, Field, Form
from pepdocs.model._paths import put
from pepdocs.model._records import validate_dropping

from .conftest import ROOT, example

CONDITIONAL = [(form, block) for form in pepdocs.list_forms() for _, block in form.blocks() if block.conditional]


def _value(f: Field) -> Any:
    """A value the model takes for a field, or None for identifiers and the like that need a real one."""
    kind, enum = f.slot.kind, f.slot.enum
    if kind == "text":
        return None if f.slot.unit else "Invented answer"
    values: dict[str, Any] = {"date": date(2024, 1, 15), "bool": True, "int": 1, "decimal": Decimal(1)}
    if kind in values:
        return values[kind]
    if enum is not None:
        first = next(iter(enum)).value
        return [first] if kind == "codes" else first
    return None


def _filled(form: Form, block: Block, year: int) -> tuple[pepdocs.PEP, set[str]]:
    """A PEP of a child in `year` with every answer of `block` filled, and those answers' JSON paths."""
    data: dict[str, Any] = {"child": {"ncy_actual": year}}
    item: dict[str, Any] = {}
    for f in (*block.cells(), *(block.columns if block.kind == "table" else ())):
        value = _value(f)
        if value is None or f.derived:
            continue
        if block.kind == "table":
            item[f.path.split("[].", 1)[1]] = value
        elif f.path.startswith("extensions."):
            data.setdefault("extensions", {}).setdefault(form.id, {})[f.path.removeprefix("extensions.")] = value
        else:
            put(data, f.path, value)
    if block.kind == "table":
        put(data, block.path, [item])
    pep, _ = validate_dropping(data)
    assert pep is not None
    return pep, {o.path for o in pepdocs.render_report(pep, form, sections=[])} - {"$.child.ncy_actual"}


def _outside(years: tuple[int, int]) -> int:
    return years[1] + 1 if years[1] < 14 else years[0] - 1


@pytest.mark.parametrize(("form", "block"), CONDITIONAL, ids=lambda x: getattr(x, "id", ""))
def test_every_conditional_block_of_every_form_reports_what_it_leaves_out(form: Form, block: Block) -> None:
    if block.years is not None:
        pep, paths = _filled(form, block, _outside(block.years))
        assert paths
        left_out = {o.path: o for o in pepdocs.render_report(pep, form)}
        for path in paths:
            assert left_out[path].reason == "years", path
        inside, _ = _filled(form, block, block.years[0])
        assert not paths & {o.path for o in pepdocs.render_report(inside, form)}
    if block.sensitive:
        pep, paths = _filled(form, block, block.years[0] if block.years else 8)
        assert paths
        for audience in ("school", "child"):
            left_out = {o.path: o for o in pepdocs.render_report(pep, form, audience=audience)}
            for path in paths:
                assert left_out[path].reason == "audience", path
        assert not paths & {o.path for o in pepdocs.render_report(pep, form)}


def test_a_part_reports_the_other_sections_values() -> None:
    pep = example("southwark-primary")
    left_out = pepdocs.render_report(pep, "southwark-full", part="school")
    reasons = {o.path: o.reason for o in left_out}
    assert reasons["$.child.first_name"] == "section"
    assert "$.education.school.name" not in reasons
    assert "$.child.person_id" not in reasons  # the name band shows it on every part


def test_kent_secondary_on_southwark_full_reports_the_transition_plan(tmp_path: Path) -> None:
    pep = example("kent-secondary")
    left_out = {o.path: o for o in pepdocs.render_report(pep, "southwark-full")}
    assert left_out["$.education.transition"].reason == "years"
    kent = tmp_path / "kent.docx"
    kent.write_bytes(pepdocs.render(pep, "kent"))
    converted = pepdocs.convert(kent, "southwark-full")
    assert [c.path for c in converted.report.changes if c.kind == "left-out"] == ["$.education.transition"]
    assert pep.education.transition is not None
    assert pep.education.transition not in "\n".join(converted.report.lines())
    runner = CliRunner()
    case = str(ROOT / "examples" / "kent-secondary.json")
    result = runner.invoke(main, ["render", case, "--form", "southwark-full", "-o", str(tmp_path / "s.docx")])
    assert result.exit_code == 0, result.output
    count = len(left_out)
    assert f"{count} values of the record left out of the form (--report lists them)" in result.output
    assert "$.education.transition" not in result.output
    result = runner.invoke(
        main, ["render", case, "--form", "southwark-full", "-o", str(tmp_path / "s.docx"), "--report"]
    )
    assert "$.education.transition" in result.output
    assert pep.education.transition not in result.output
    result = runner.invoke(main, ["convert", str(kent), "--to", "southwark-full"])
    assert "[$.education.transition] left out of southwark-full" in result.output
