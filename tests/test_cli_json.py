"""The command line for scripts: --json output and the exit statuses 0, 1, 2 and 3."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import pepdocs
from pepdocs._cli import main
from tests.conftest import ROOT, example

KENT = ROOT / "examples/kent-secondary.json"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def lines(result: Result) -> list[Any]:
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"child": {"upn": "B210123423001", "date_of_birth": "2015-02-31"}}), encoding="utf-8")
    return path


@pytest.fixture
def returned(tmp_path: Path) -> Path:
    path = tmp_path / "returned.docx"
    path.write_bytes(pepdocs.render(example("kent-secondary"), "kent"))
    return path


def test_the_help_documents_the_exit_statuses() -> None:
    text = run("--help").stdout
    assert all(f"- {code}: " in text for code in "0123") and "--json" in text


def test_validate_json_gives_one_line_per_file_and_exit_1_on_problems(bad: Path) -> None:
    result = run("validate", "--json", str(KENT), str(bad))
    assert result.exit_code == 1
    good, wrong = lines(result)
    assert good == {"file": str(KENT), "ok": True, "issues": []}
    assert wrong["ok"] is False and {i["path"] for i in wrong["issues"]} == {"$.child.upn", "$.child.date_of_birth"}
    assert lines(run("validate", "--json", str(KENT))) == [good] and run("validate", "--json", str(KENT)).exit_code == 0


def test_check_json_gives_the_library_s_findings(tmp_path: Path, bad: Path) -> None:
    record = json.loads(KENT.read_text(encoding="utf-8"))
    record["targets"] = []
    path = tmp_path / "no-targets.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    pep = pepdocs.read_pep(path)
    assert pep.plan.meeting_date is not None
    day = pep.plan.meeting_date - dt.timedelta(days=40)  # before the planned meeting
    result = run("check", "--json", "--policy", "kent", "--on", day.isoformat(), str(path), str(bad))
    assert result.exit_code == 1
    checked, invalid = lines(result)
    expected = pepdocs.check(pep, policy="kent", on=day)
    assert [f["rule"] for f in checked["findings"]] == [f.rule for f in expected] and expected
    due = pepdocs.next_due(pep, policy="kent", on=day)
    assert (checked["policy"], checked["on"], checked["next_due"]["date"]) == ("kent", day.isoformat(), str(due.date))
    assert invalid["ok"] is False and invalid["issues"]


def test_forms_json_is_one_document() -> None:
    (forms,) = lines(run("forms", "--json", "--paths"))
    assert [f["id"] for f in forms] == [f.id for f in pepdocs.list_forms()]
    kent = next(f for f in forms if f["id"] == "kent")
    assert kent["paths"] == pepdocs.get_form("kent").paths and kent["sections"][0]["roles"]


def test_parse_json_reads_several_files_as_json_lines(returned: Path, tmp_path: Path) -> None:
    junk = tmp_path / "junk.docx"
    junk.write_bytes(b"not a form")
    result = run("parse", "--json", str(returned), str(junk))
    assert result.exit_code == 1
    good, failed = lines(result)
    parsed = pepdocs.parse(returned)
    assert (good["form"], good["format"], good["ok"]) == ("kent", "docx", True)
    assert good["record"] == json.loads(parsed.pep.to_json()) and good["warnings"] == [] and good["unmapped"] == []
    assert (
        failed["ok"] is False
        and failed["error"]["type"] == "DocumentError"
        and "junk.docx" in failed["error"]["message"]
    )


def test_several_files_without_json_is_a_usage_error_exit_2(returned: Path) -> None:
    result = run("parse", str(returned), str(returned))
    assert result.exit_code == 2 and "--json" in result.stderr
    assert run("render", "--no-such-option").exit_code == 2


def test_convert_json_gives_the_report(returned: Path, tmp_path: Path) -> None:
    out = tmp_path / "southwark.docx"
    (report,) = lines(run("convert", str(returned), "--to", "southwark-full", "-o", str(out), "--json"))
    converted = pepdocs.convert(returned, "southwark-full")
    assert (report["source_form"], report["target_form"], report["written"]) == (
        "kent",
        "southwark-full",
        {"output": str(out)},
    )
    assert report["changes"] == json.loads(json.dumps(converted.report.to_dict()["changes"], default=str))
    assert pepdocs.parse(out).form == "southwark-full"


def test_a_limit_hit_is_exit_3(returned: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def too_slow(*_args: Any, **_kwargs: Any) -> Any:
        raise pepdocs.LimitError("reading took longer than 5 seconds", str(returned))

    monkeypatch.setattr(pepdocs, "parse", too_slow)
    result = run("parse", str(returned))
    assert result.exit_code == 3 and "longer than 5 seconds" in result.stderr
    result = run("parse", "--json", str(returned))
    assert result.exit_code == 3 and lines(result)[0]["error"]["type"] == "LimitError"


def test_qa_json_gives_the_library_s_ratings(bad: Path) -> None:
    examples = sorted((ROOT / "examples").glob("*.json"))
    result = run("qa", "--json", "--on", "2026-11-30", *map(str, examples), str(bad))
    rated = lines(result)
    assert [line["file"] for line in rated] == [*map(str, examples), str(bad)]
    for path, line in zip(examples, rated, strict=False):
        report = pepdocs.qa(pepdocs.read_pep(path), policy="dfe", on=dt.date(2026, 11, 30))
        assert (line["rating"], line["reason"], line["ok"]) == (report.rating, report.reason, report.rating != "red")
        assert [a["area"] for a in line["areas"]] == [a.area for a in report.areas] and line["source"] == report.source
    assert rated[-1]["ok"] is False and rated[-1]["issues"]
    assert result.exit_code == 1
