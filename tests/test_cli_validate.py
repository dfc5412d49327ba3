"""`pepdocs validate` and `pepdocs schema`, and the same checks through the Python API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import pepdocs
from pepdocs._cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))

BAD_RECORD = {
    "schema_version": "1.0",
    "plan": {"meeting_date": "2025-02-31", "meeting_venue": "School"},
    "child": {"first_name": "Łucja", "upn": "B210123423001"},
    "care": {"legal_status": "Q9"},
}
"""A record with three problems: a wrong UPN check letter (A is right), 31 February, an unknown legal status."""


def run(*args: str) -> Result:
    """`pepdocs ARGS`, with stdout and stderr kept apart."""
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def bad_file(tmp_path: Path) -> Path:
    """BAD_RECORD written to a file."""
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(BAD_RECORD, ensure_ascii=False), encoding="utf-8")
    return path


def test_there_are_six_examples() -> None:
    assert len(EXAMPLES) == 6


def test_validate_says_ok_for_every_example() -> None:
    result = run("validate", *map(str, EXAMPLES))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines == [f"{path}: ok" for path in EXAMPLES]
    assert result.stderr == ""


def test_validate_prints_each_problem_with_its_path_and_exits_1(bad_file: Path) -> None:
    result = run("validate", str(bad_file))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    assert all(line.startswith(f"{bad_file}: ") for line in lines)
    by_path = {line.rsplit(" @ ", 1)[1]: line for line in lines}
    assert set(by_path) == {"$.child.upn", "$.plan.meeting_date", "$.care.legal_status"}
    assert "UPN check letter is wrong" in by_path["$.child.upn"]
    assert "date" in by_path["$.plan.meeting_date"]
    assert "not one of the codes" in by_path["$.care.legal_status"]
    assert "1 of 1 files have problems" in result.stderr


def test_validate_checks_every_file_even_after_a_bad_one(bad_file: Path) -> None:
    result = run("validate", str(bad_file), str(EXAMPLES[0]))
    assert result.exit_code == 1
    assert f"{EXAMPLES[0]}: ok" in result.stdout.splitlines()
    assert "1 of 2 files have problems" in result.stderr


def test_validate_reports_a_file_that_is_not_json_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "notes.json"
    path.write_text("Zoë's PEP: see the Word document\n", encoding="utf-8")
    result = run("validate", str(path))
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{path}: not JSON: ")
    assert "line 1 column 1" in result.stdout
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_validate_reports_a_missing_file_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "missing.json"
    result = run("validate", str(path))
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{path}: no such file")
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_validate_reports_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes('{"child": {"first_name": "Zoë"}}'.encode("latin-1"))
    result = run("validate", str(path))
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{path}: not UTF-8 text")
    assert "Traceback" not in result.output


def test_validate_reports_json_that_is_not_an_object(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text("[]", encoding="utf-8")
    result = run("validate", str(path))
    assert result.exit_code == 1
    assert result.stdout.rstrip().endswith("@ $")


def test_validate_names_a_field_the_model_does_not_have(tmp_path: Path) -> None:
    path = tmp_path / "extra.json"
    path.write_text(json.dumps({"child": {"first_name": "Zoë", "shoe_size": "13"}}), encoding="utf-8")
    result = run("validate", str(path))
    assert result.exit_code == 1
    assert result.stdout.strip() == f"{path}: not a PEP field @ $.child.shoe_size"


def test_validate_accepts_a_utf8_file_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"child": {"first_name": "Zoë"}}).encode("utf-8"))
    result = run("validate", str(path))
    assert result.exit_code == 0
    assert result.stdout == f"{path}: ok\n"


def test_validate_needs_at_least_one_file() -> None:
    result = run("validate")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_schema_prints_the_json_schema() -> None:
    result = run("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert "$defs" in schema
    assert schema["title"] == "Personal Education Plan"
    assert {"plan", "child", "care", "targets"} <= set(schema["properties"])
    assert schema == pepdocs.schema()


# --- the same through the Python API ------------------------------------------------------


def test_read_pep_reads_every_example() -> None:
    for path in EXAMPLES:
        assert isinstance(pepdocs.read_pep(path), pepdocs.PEP)


def test_read_pep_lists_every_problem_of_a_bad_record(bad_file: Path) -> None:
    with pytest.raises(pepdocs.ModelError) as raised:
        pepdocs.read_pep(bad_file)
    error = raised.value
    assert error.source == str(bad_file)
    assert {issue.path for issue in error.issues} == {"$.child.upn", "$.plan.meeting_date", "$.care.legal_status"}
    assert str(bad_file) in str(error)
    assert isinstance(error, pepdocs.PepdocsError)
    assert isinstance(error, ValueError)


def test_read_pep_explains_a_file_that_is_not_json(tmp_path: Path) -> None:
    path = tmp_path / "notes.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(pepdocs.ModelError) as raised:
        pepdocs.read_pep(path)
    (issue,) = raised.value.issues
    assert issue.message.startswith("not JSON: ")


def test_read_pep_explains_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(pepdocs.ModelError) as raised:
        pepdocs.read_pep(tmp_path / "missing.json")
    (issue,) = raised.value.issues
    assert issue.message == "no such file"
    assert str(issue) == "no such file"


def test_an_issue_prints_as_message_at_path() -> None:
    assert str(pepdocs.Issue("UPN check letter is wrong", "$.child.upn")) == "UPN check letter is wrong @ $.child.upn"
