"""Bad arguments: every option with a fixed set of values refuses others with a UsageError, in the API and the CLI."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, get_args

import click
import pytest
from click.testing import CliRunner

import pepdocs
from pepdocs._cli import main
from pepdocs.engines import formats
from pepdocs.forms._spec import ROLES
from tests.conftest import example

ROOT = Path(__file__).resolve().parent.parent
RECORD = ROOT / "examples" / "kent-secondary.json"


def _render(**options: Any) -> Callable[[], object]:
    return lambda: pepdocs.render(example("kent-secondary"), "kent", **options)


BAD_CALLS: dict[str, tuple[Callable[[], object], str]] = {
    "render format": (_render(format="xlsx"), "format must be one of docx, pdf, not 'xlsx'"),
    "render format not text": (_render(format=3), "format must be one of docx, pdf, not int"),
    "render audience": (_render(audience="press"), "audience must be one of record, school, child, not 'press'"),
    "render section": (_render(sections=["Z"]), "no section 'Z'"),
    "render sections as one string": (_render(sections="AB"), "sections must be a list"),
    "render part": (_render(part="teacher"), "part must be one of school, social_worker"),
    "render sections and part": (_render(sections=["A"], part="school"), "give sections or part, not both"),
    "render password for a docx": (_render(password="x"), "only a PDF"),
    "merge prefer": (
        lambda: pepdocs.merge(example("kent-secondary"), example("kent-secondary"), prefer="theirs"),  # type: ignore[arg-type]
        "prefer must be one of record, returned, not 'theirs'",
    ),
    "batch format": (
        lambda: pepdocs.batch([], "unused", format="odt", policy="southwark"),  # type: ignore[arg-type]
        "format must be one of docx, pdf",
    ),
    "batch section": (
        lambda: pepdocs.batch([], "unused", form="kent", sections=["Z"], policy="southwark"), "no section 'Z'"
    ),
    "batch audience": (
        lambda: pepdocs.batch([], "unused", audience="press", policy="southwark"),  # type: ignore[arg-type]
        "audience must be one of",
    ),
    "batch part": (lambda: pepdocs.batch([], "unused", part="teacher", policy="southwark"), "part must be one of"),  # type: ignore[arg-type]
    "convert format": (lambda: pepdocs.convert(pepdocs.render(example("kent-secondary"), "kent"), "kent", "odt"),  # type: ignore[arg-type]
                       "format must be one of docx, pdf"),
}  # fmt: skip


@pytest.mark.parametrize("call", BAD_CALLS.values(), ids=list(BAD_CALLS))
def test_a_bad_option_raises_a_usage_error_that_is_a_value_error(call: tuple[Callable[[], object], str]) -> None:
    function, message = call
    with pytest.raises(pepdocs.UsageError, match=message) as raised:
        function()
    assert isinstance(raised.value, pepdocs.PepdocsError) and isinstance(raised.value, ValueError)


def test_nothing_is_written_when_a_batch_is_refused(tmp_path: Path) -> None:
    with pytest.raises(pepdocs.UsageError):
        pepdocs.batch([], tmp_path / "out", format="odt", policy="southwark")  # type: ignore[arg-type]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("command", "option", "literal"),
    [("render", "--format", pepdocs.Format), ("render", "--audience", pepdocs.Audience),
     ("merge", "--prefer", pepdocs.Prefer), ("batch", "--format", pepdocs.Format),
     ("render", "--part", pepdocs.Part), ("batch", "--part", pepdocs.Part), ("batch", "--audience", pepdocs.Audience),
     ("convert", "--format", pepdocs.Format)],
)  # fmt: skip
def test_the_cli_offers_exactly_the_literal_choices(command: str, option: str, literal: Any) -> None:
    group = main
    assert isinstance(group, click.Group)
    found = group.commands[command]
    (param,) = [p for p in found.params if option in p.opts]
    assert isinstance(param.type, click.Choice) and tuple(param.type.choices) == get_args(literal)


def test_the_cli_refuses_a_bad_choice_before_reading_anything(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["render", str(RECORD), "--form", "kent", "--format", "xlsx", "-o", str(tmp_path / "x")]
    )
    assert result.exit_code == 2 and "'xlsx' is not one of 'docx', 'pdf'" in result.output
    assert not (tmp_path / "x").exists()


def test_the_cli_names_an_unknown_section_in_one_line(tmp_path: Path) -> None:
    out = tmp_path / "x.docx"
    result = CliRunner().invoke(main, ["render", str(RECORD), "--form", "kent", "--sections", "Z", "-o", str(out)])
    assert result.exit_code == 2  # a UsageError is a usage mistake, as click's own are
    assert result.stderr.startswith("pepdocs: form kent has no section 'Z'")
    assert "Traceback" not in result.output and not out.exists()


def test_the_part_type_names_every_role_a_section_may_declare() -> None:
    assert get_args(pepdocs.Part) == ROLES


def test_the_format_type_names_the_built_in_engines() -> None:
    assert get_args(pepdocs.Format) == formats()  # an engine registered at run time is checked against the registry
