"""The documentation stays true: its examples run, and it names every command and rule there is."""

from __future__ import annotations

import re
from pathlib import Path

import pepdocs
from pepdocs._cli import main
from tests.conftest import ROOT, example

DOCS = ROOT / "docs"


def _blocks(page: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", (DOCS / page).read_text(encoding="utf-8"), re.S)


def test_the_policy_written_in_the_docs_loads_and_checks(tmp_path: Path) -> None:
    (written,) = _blocks("policies.md", "toml")
    path = tmp_path / "my-authority.toml"
    path.write_text(written, encoding="utf-8")
    policy = pepdocs.load_policy(path)
    assert (policy.name, policy.reviews_per_year, policy.max_targets) == ("my-authority", 3, 4)
    assert policy.severity["academic-target"] == "off" and policy.require_target_owner
    assert all(f.rule != "academic-target" for f in pepdocs.check(example("kent-secondary"), policy=policy))


def test_the_policies_page_names_every_rule_and_key() -> None:
    from pepdocs.rules._check import RULES

    text = (DOCS / "policies.md").read_text(encoding="utf-8")
    assert [rule for rule in RULES if f"`{rule}`" not in text] == []
    keys = [key for key in pepdocs.Policy.model_fields if key != "file"]
    unnamed = [key for key in keys if not any(f"`{form.format(key)}`" in text for form in ("{}", "[{}]", "[[{}]]"))]
    assert unnamed == []


def test_every_page_in_the_docs_folder_is_in_the_navigation() -> None:
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert sorted(p.name for p in DOCS.glob("*.md")) == sorted(set(re.findall(r"([\w-]+\.md)", nav)))


def test_the_cli_reference_is_generated_from_the_commands() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert ":module: pepdocs._cli" in text and ":command: main" in text
    assert main.commands  # mkdocs-click documents each of these from its own help
