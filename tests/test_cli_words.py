"""The command line speaks its own words: options as typed, folders that exist, plurals, what was not written."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import pepdocs
from pepdocs._cli import main

from .conftest import ROOT

CASE = str(ROOT / "examples" / "kent-secondary.json")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_a_usage_error_names_the_command_lines_option_not_the_apis(tmp_path: Path) -> None:
    code, _, err = run("render", CASE, "--form", "kent", "--flatten", "-o", str(tmp_path / "k.docx"))
    assert code != 0 and "--format pdf" in err and "format=" not in err
    both = ["--sections", "B", "--part", "school"]
    code, _, err = run("render", CASE, "--form", "kent", *both, "-o", str(tmp_path / "k"))
    assert code != 0 and "give --sections or --part, not both" in err
    with pytest.raises(pepdocs.UsageError, match="format='pdf'"):
        pepdocs.render(pepdocs.read_pep(CASE), "kent", flatten=True)


def test_form_ids_and_section_keys_are_read_in_any_case(tmp_path: Path) -> None:
    code, _, err = run("render", CASE, "--form", "KENT", "--sections", "b", "-o", str(tmp_path / "k.docx"))
    assert code == 0, err
    assert pepdocs.parse(tmp_path / "k.docx").sections == ["B"]
    assert pepdocs.get_form(" Southwark-Full ").id == "southwark-full"


def test_formats_parts_and_audiences_are_read_in_any_case(tmp_path: Path) -> None:
    args = ["--form", "kent", "--format", "PDF", "--part", "School", "--audience", "SCHOOL"]
    code, _, err = run("render", CASE, *args, "-o", str(tmp_path / "k.pdf"))
    assert code == 0, err
    parsed = pepdocs.parse(tmp_path / "k.pdf")
    school = [section.key for section in pepdocs.get_form("kent").sections if "school" in section.roles]
    assert parsed.format == "pdf" and parsed.sections == school


@pytest.mark.parametrize("command", ["render", "parse", "convert", "merge", "tracker"])
def test_an_output_in_a_folder_that_does_not_exist_is_refused_unless_mkdir(command: str, tmp_path: Path) -> None:
    docx = tmp_path / "k.docx"
    docx.write_bytes(pepdocs.render(pepdocs.read_pep(CASE), "kent"))
    target = tmp_path / "no" / "such" / "out.file"
    args = {
        "render": ["render", CASE, "--form", "kent", "-o", str(target)],
        "parse": ["parse", str(docx), "-o", str(target)],
        "convert": ["convert", str(docx), "--to", "southwark-full", "-o", str(target)],
        "merge": ["merge", CASE, str(docx), "-o", str(target)],
        "tracker": ["tracker", str(ROOT / "examples"), "-o", str(target)],
    }[command]
    code, _, err = run(*args)
    assert code != 0 and "the folder does not exist; create it or pass --mkdir" in err
    assert not (tmp_path / "no").exists()
    code, _, err = run(*args, "--mkdir")
    assert code in (0, 1) and target.exists(), err


def test_tracker_on_a_missing_folder_says_so(tmp_path: Path) -> None:
    code, _, err = run("tracker", str(tmp_path / "missing"), "-o", str(tmp_path / "t.xlsx"))
    assert code == 1 and "no such folder or file" in err


def test_convert_without_an_output_says_nothing_was_written(tmp_path: Path) -> None:
    docx = tmp_path / "k.docx"
    docx.write_bytes(pepdocs.render(pepdocs.read_pep(CASE), "kent"))
    code, _, err = run("convert", str(docx), "--to", "southwark-full")
    assert code == 0 and "no southwark-full form was written: give -o FILE to write it" in err


def test_counts_are_said_in_the_right_number(tmp_path: Path) -> None:
    docx = tmp_path / "k.docx"
    docx.write_bytes(pepdocs.render(pepdocs.read_pep(CASE), "kent", sections=["B"]))
    code, out, err = run("merge", CASE, str(docx), "-o", str(tmp_path / "m.json"))
    assert code == 0, err
    assert out.startswith("0 values taken, 0 conflicts;")
    one = tmp_path / "one"
    one.mkdir()
    (one / "k.json").write_bytes(Path(CASE).read_bytes())
    code, out, err = run("tracker", str(one), "-o", str(tmp_path / "t.xlsx"), "--on", "2026-12-01")
    assert "1 child," in out and "1 children" not in out


@pytest.mark.filterwarnings("always::pepdocs.PepdocsWarning")
def test_a_warning_is_one_line_in_the_commands_words_naming_no_source_file(tmp_path: Path) -> None:
    pep = pepdocs.read_pep(CASE)
    pep.child.first_name = "Ka\x01i"
    record = tmp_path / "record.json"
    record.write_text(pep.to_json(), encoding="utf-8")
    code, _, err = run("render", str(record), "--form", "kent", "-o", str(tmp_path / "k.docx"))
    assert code == 0
    assert "pepdocs: warning: control characters dropped from child.first_name\n" in err
    assert ".py" not in err and "answers(" not in err
