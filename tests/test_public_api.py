"""The public surface stays small and documented; the CLI mirrors it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import pepdocs
from pepdocs._cli import main

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_the_exported_names_are_pinned() -> None:
    assert pepdocs.__all__ == sorted(pepdocs.__all__, key=lambda n: (not n.isupper(), n[0].islower(), n))
    assert set(pepdocs.__all__) == {
        "LOCAL_AUTHORITIES", "PEP", "AreaRating", "Audience", "BatchReport", "Converted", "DocumentError", "Due",
        "FieldValueError", "Finding", "Form", "FormChoice", "FormError", "Format", "InputError", "Issue", "LimitError",
        "Merged", "ModelError", "NotAPepFormError", "Parsed", "Part", "PepdocsError", "PepdocsWarning", "Policy",
        "Prefer", "QaReport", "IdentityError", "Omission", "render_report", "RenderError", "Scaffold",
        "TemplateVersionError", "Unmapped", "UsageError", "add_forms", "batch", "check", "convert", "get_form",
        "list_forms", "load_policy", "merge", "nc_year", "next_due", "parse", "qa", "read_cases", "read_pep", "render",
        "scaffold_form", "schema", "select_form", "sensitive_paths", "validate_uln", "validate_upn"
    }  # fmt: skip


def test_every_error_pepdocs_raises_shares_one_root() -> None:
    errors = [getattr(pepdocs, name) for name in pepdocs.__all__ if name.endswith("Error")]
    assert all(issubclass(error, pepdocs.PepdocsError) for error in errors)


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_has_help_and_is_in_the_readme(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0 and main.commands[command].help
    assert re.search(rf"`pepdocs {command}\b", README), f"README does not document `pepdocs {command}`"


def test_the_cli_renders_and_parses_as_the_api_does(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    out = tmp_path / "form.docx"
    runner = CliRunner()
    result = runner.invoke(
        main, ["render", str(root / "examples/kent-secondary.json"), "--form", "kent", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == pepdocs.render(pepdocs.read_pep(root / "examples/kent-secondary.json"), "kent")
    json_out = tmp_path / "back.json"
    result = runner.invoke(main, ["parse", str(out), "-o", str(json_out)])
    assert result.exit_code == 0, result.output
    assert pepdocs.read_pep(json_out).child == pepdocs.parse(out).pep.child


def test_an_unknown_form_is_one_line_and_exit_1(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    result = CliRunner().invoke(
        main, ["render", str(root / "examples/kent-secondary.json"), "--form", "x", "-o", str(tmp_path / "o")]
    )
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "unknown form 'x'" in result.output and "Traceback" not in result.output


HEAVY = {"pydantic", "pypdf", "lxml", "docx", "docxtpl", "fontTools", "cryptography", "holidays", "jinja2"}
HEAVY |= {"openpyxl", "rich"}
"""Libraries that only the work itself needs; start-up must not load them (benchmarks/startup.py has the figures)."""


def _loaded_after(code: str) -> set[str]:
    import subprocess
    import sys

    probe = f"{code}\nimport sys\nprint(' '.join(sorted(name for name in sys.modules if '.' not in name)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60).stdout
    return set(out.split())


@pytest.mark.parametrize(
    "code",
    [
        "import pepdocs",
        "import pepdocs; pepdocs.__version__; dir(pepdocs)",
        "from pepdocs._cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass",
        "from pepdocs._cli import main\ntry:\n    main(['--version'])\nexcept SystemExit:\n    pass",
    ],
)
def test_starting_up_loads_no_heavy_library(code: str) -> None:
    assert _loaded_after(code) & HEAVY == set()


def test_every_exported_name_resolves_and_dir_lists_it() -> None:
    import ast
    import importlib

    for name in pepdocs.__all__:
        assert getattr(pepdocs, name) is getattr(importlib.import_module(pepdocs._HOME[name]), name)
    assert set(pepdocs.__all__) | {"__version__"} <= set(dir(pepdocs))
    assert set(pepdocs._HOME) == set(pepdocs.__all__)
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        pepdocs.nothing_here  # noqa: B018
    source = ast.parse(Path(pepdocs.__file__).read_text(encoding="utf-8"))
    guarded = next(node for node in source.body if isinstance(node, ast.If))
    imports = [node for node in guarded.body if isinstance(node, ast.ImportFrom)]
    declared = {node.module: tuple(alias.name for alias in node.names) for node in imports}
    assert declared == pepdocs._HOMES, "the TYPE_CHECKING imports and _HOMES must name the same things"
