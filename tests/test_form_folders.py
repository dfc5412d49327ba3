"""Forms found in folders (yours too), chosen by data, and rendered by who completes each section."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import pepdocs
from pepdocs._cli import main
from pepdocs.forms import _spec
from pepdocs.forms._spec import load_form, templates_dir
from pepdocs.workflows._cases import read_cases
from pepdocs.workflows._convert import convert

from .conftest import ROOT, carried, example

NORTHSHIRE = {
    'id = "kent"': 'id = "northshire"',
    'short_title = "Kent PEP"': 'short_title = "Northshire PEP"',
    'authority = "Kent County Council"': 'authority = "Northshire County Council"',
    'authority_la = "886"': 'authority_la = "999"',
    'la = ["886"]': 'la = ["999"]',
    "the school is in Kent (886), whose schools must use Kent's form": "the school is in Northshire (999), whose "
    "schools must use Northshire's form",
}


def spec_text(replacements: dict[str, str], source: str = "kent") -> str:
    text = (templates_dir() / source / "form.toml").read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


def write_spec(root: Path, folder: str, text: str) -> Path:
    (root / folder).mkdir(parents=True)
    (root / folder / "form.toml").write_text(text, encoding="utf-8")
    return root / folder


@pytest.fixture(autouse=True)
def only_builtin_forms(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts and ends with the built-in forms only."""
    monkeypatch.setattr(_spec, "_added", [])
    monkeypatch.delenv("PEPDOCS_FORMS", raising=False)
    yield
    _spec._forms_in.cache_clear()


@pytest.fixture(scope="module")
def northshire(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of forms holding a copy of Kent's form made another authority's, built with `pepdocs forms build`."""
    root = tmp_path_factory.mktemp("forms")
    folder = write_spec(root, "northshire", spec_text(NORTHSHIRE))
    shutil.copy(templates_dir() / "kent" / "README.md", folder / "README.md")
    result = CliRunner().invoke(main, ["forms", "build", str(folder)])
    assert result.exit_code == 0, result.output
    assert "wrote form.docx" in result.output and "wrote form.pdf" in result.output
    assert (folder / "form.docx").stat().st_size and (folder / "form.pdf").stat().st_size
    again = CliRunner().invoke(main, ["forms", "build", str(folder)])
    assert "up to date" in again.output
    return root


def at_a_school_in(la: str) -> pepdocs.PEP:
    pep = example("kent-secondary").model_copy(deep=True)
    pep.education.setting.la = la
    pep.education.setting.laestab = None
    return pep


# --- a form of your own, with no Python change -------------------------------------------------


def test_a_form_folder_of_your_own_is_listed_renders_parses_converts_and_is_chosen(
    northshire: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    assert "northshire" not in runner.invoke(main, ["forms"]).output
    listed = runner.invoke(main, ["forms", "--forms", str(northshire)])
    assert listed.exit_code == 0 and "northshire         Northshire County Council" in listed.output
    by_env = runner.invoke(main, ["forms"], env={"PEPDOCS_FORMS": str(northshire)})
    assert "northshire" in by_env.output and "kent" in by_env.output

    pepdocs.add_forms(northshire)
    form = pepdocs.get_form("northshire")
    pep = at_a_school_in("999")
    for fmt in ("docx", "pdf"):
        document = pepdocs.render(pep, "northshire", fmt)
        parsed = pepdocs.parse(document)
        assert (parsed.form, parsed.format, parsed.warnings) == ("northshire", fmt, [])
        assert carried(parsed.pep, form, like=pep) == carried(pep, form)

    there = convert(pepdocs.render(pep, "northshire"), "southwark-full")
    assert there.report.source_form == "northshire" and pepdocs.parse(there.document).form == "southwark-full"
    back = convert(there.document, "northshire", "pdf")
    assert pepdocs.parse(back.document).form == "northshire"
    assert pepdocs.parse(convert(pepdocs.render(pep, "kent"), "northshire").document).form == "northshire"

    policy = tmp_path / "northshire.toml"
    policy.write_text(
        'extends = "kent"\nname = "northshire"\ntitle = "Northshire"\n\n[forms]\nrecord = "northshire"\n'
        'also_record = "Northshire\'s record must also be made"\n',
        encoding="utf-8",
    )
    assert [c.form for c in pepdocs.select_form(pep, policy=policy)] == ["northshire"]
    at_kent = pepdocs.select_form(at_a_school_in("886"), policy=policy)
    assert [c.form for c in at_kent] == ["kent", "northshire"]
    assert at_kent[1].reason.startswith("Northshire's record must also be made; ")
    from_southwark = pepdocs.select_form(pep, policy="southwark")
    assert [c.form for c in from_southwark] == ["northshire", "southwark-full"]
    assert "Northshire (999)" in from_southwark[0].reason


def test_the_cli_renders_and_parses_a_form_of_your_own(northshire: Path, tmp_path: Path) -> None:
    record = tmp_path / "pep.json"
    record.write_text(at_a_school_in("999").to_json(), encoding="utf-8")
    out = tmp_path / "n.pdf"
    runner = CliRunner()
    rendered = runner.invoke(main, ["render", str(record), "--forms", str(northshire), "--form", "northshire",
                                    "--format", "pdf", "--part", "school", "-o", str(out)])  # fmt: skip
    assert rendered.exit_code == 0, rendered.output
    parsed = runner.invoke(main, ["parse", str(out), "-o", str(tmp_path / "back.json")],
                           env={"PEPDOCS_FORMS": str(northshire)})  # fmt: skip
    assert parsed.exit_code == 0 and "northshire read into" in parsed.output, parsed.output
    pepdocs.add_forms(northshire)
    assert pepdocs.parse(out).sections == ["B"]


def test_a_form_id_used_twice_names_both_folders(tmp_path: Path) -> None:
    first = write_spec(tmp_path / "one", "a", spec_text(NORTHSHIRE))
    second = write_spec(tmp_path / "two", "b", spec_text(NORTHSHIRE))
    pepdocs.add_forms(tmp_path / "one")
    assert pepdocs.get_form("northshire").folder == first
    pepdocs.add_forms(tmp_path / "two")
    with pytest.raises(pepdocs.FormError, match="'northshire' is used twice") as raised:
        pepdocs.list_forms()
    assert str(first) in str(raised.value) and str(second) in str(raised.value)


def test_a_form_of_your_own_cannot_take_a_built_in_id(tmp_path: Path) -> None:
    mine = write_spec(tmp_path, "mine", spec_text({}))
    result = CliRunner().invoke(main, ["forms", "--forms", str(tmp_path)])
    assert result.exit_code == 1 and str(mine) in result.output and str(templates_dir() / "kent") in result.output


def test_a_missing_forms_folder_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(pepdocs.FormError, match="not a folder of forms"):
        pepdocs.add_forms(tmp_path / "nowhere")
    result = CliRunner().invoke(main, ["forms"], env={"PEPDOCS_FORMS": str(tmp_path / "nowhere")})
    assert result.exit_code == 1 and "nowhere: the forms folder does not exist" in result.output


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('roles = ["school"]', "", "roles must list who completes the section"),
        ('roles = ["school"]', 'roles = ["teacher"]', "unknown roles ['teacher']"),
        ("years = [12, 14]", 'years = ["Y12", 14]', "year groups are N1, N2, R or 1 to 14"),
        ("[applies]", "[applies]\nphase = 3", "unknown keys ['phase']"),
        ('roles = ["school"]', 'roles = ["school"]\nnew_page = "yes"', "new_page must be true or false"),
    ],
)
def test_a_spec_must_say_who_completes_each_section_and_when_it_applies(
    old: str, new: str, message: str, tmp_path: Path
) -> None:
    folder = write_spec(tmp_path, "bad", spec_text({old: new}, source="post_16"))
    with pytest.raises(pepdocs.FormError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_form(folder / "form.toml")


# --- form choice as data -----------------------------------------------------------------------


def test_a_policy_without_forms_is_refused_and_kents_policy_chooses_kents_form() -> None:
    with pytest.raises(pepdocs.FormError, match="policy 'dfe' names no forms"):
        pepdocs.select_form(example("kent-secondary"), policy="dfe")
    assert [c.form for c in pepdocs.select_form(example("kent-secondary"), policy="kent")] == ["kent"]


def test_the_home_record_is_never_given_the_la_match_reason() -> None:
    # A child Kent looks after, at a Southwark school: Kent's record, and nothing about the school being in Kent.
    (choice,) = pepdocs.select_form(_child("2016-05-01", {"la": "210", "name": "A Southwark school"}), policy="kent")
    assert choice.form == "kent" and choice.reason == "Kent PEP, the home authority's record"
    at_kent = pepdocs.select_form(_child("2016-05-01", {"la": "886", "name": "A Kent school"}), policy="kent")
    assert [c.form for c in at_kent] == ["kent"] and "886" not in at_kent[0].reason
    kent_at_home = pepdocs.select_form(_child("2016-05-01", {"la": "886"}), policy="southwark")[0]
    assert "the school is in Kent (886)" in kent_at_home.reason


def test_select_form_and_batch_need_a_policy() -> None:
    with pytest.raises(TypeError, match="policy"):
        pepdocs.select_form(example("southwark-primary"))  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="policy"):
        pepdocs.batch(ROOT / "examples" / "cases.xlsx", "out")  # type: ignore[call-arg]


def test_each_bundled_example_gets_the_form_it_got_before() -> None:
    names = ("early-years", "kent-secondary", "no-provision", "post-16-neet", "southwark-primary", "southwark-review")
    chosen = {name: [c.form for c in pepdocs.select_form(example(name), policy="southwark")] for name in names}
    assert chosen == {
        "early-years": ["early-years"],
        "kent-secondary": ["kent", "southwark-full"],
        "no-provision": ["no-provision"],
        "post-16-neet": ["post-16"],
        "southwark-primary": ["southwark-full"],
        "southwark-review": ["southwark-review"],
    }


# --- parts by role -----------------------------------------------------------------------------


@pytest.mark.parametrize("form", [f.id for f in _spec._forms_in((templates_dir(),)).values()])
def test_the_school_part_of_each_form_is_its_school_sections_whatever_their_numbers(form: str) -> None:
    spec = pepdocs.get_form(form)
    school = sorted(s.key for s in spec.sections if "school" in s.roles)
    pep = example("kent-secondary")
    if not school:
        with pytest.raises(pepdocs.UsageError, match=f"form {form} has no section completed by school"):
            pepdocs.render(pep, form, part="school")
        return
    document = pepdocs.render(pep, form, part="school")
    assert pepdocs.parse(document).sections == school
    assert document == pepdocs.render(pep, form, sections=school)


def test_sections_are_found_whatever_their_case() -> None:
    pep = example("kent-secondary")
    assert pepdocs.render(pep, "kent", sections=["b", "c"]) == pepdocs.render(pep, "kent", sections=["B", "C"])
    with pytest.raises(pepdocs.UsageError, match="has no section 'z'"):
        pepdocs.render(pep, "kent", sections=["z"])


def test_batch_writes_the_school_part_of_every_chosen_form_and_no_row_fails(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        [
            "batch",
            "--policy",
            "southwark",
            str(ROOT / "examples" / "cases.xlsx"),
            "--out",
            str(out),
            "--part",
            "school",
            "--workers",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads((out / "batch-report.json").read_text(encoding="utf-8"))
    assert report["counts"]["failed"] == 0 and report["files_written"] > 200
    without = [row for row in report["rows"] if row["forms"] == ["no-provision"]]
    assert without and report["counts"]["no part"] == len(without)
    assert f"{len(without)} with no school part, " in result.output  # children with no school: not problems
    assert not any("has no section" in p["message"] for row in report["rows"] for p in row["problems"])
    for row in report["rows"]:
        for form, reason in zip(row["forms"], row["reasons"], strict=True):
            if form == "no-provision":
                assert row["status"] == "no part" and not row["problems"] and not row["files"], row
                assert reason.endswith("; it has no school part, so nothing is written")
            else:
                assert any(f"_{form}_" in name for name in row["files"]), row
    for file in sorted(out.glob("*.docx")):
        parsed = pepdocs.parse(file)
        form = pepdocs.get_form(parsed.form)
        assert parsed.sections and all("school" in form.section(key).roles for key in parsed.sections), file.name


def test_batch_gives_the_schools_copy_of_its_part_in_place_of_the_records(tmp_path: Path) -> None:
    cases = ROOT / "examples" / "cases.xlsx"
    command = ["batch", "--policy", "southwark", str(cases), "--out", str(tmp_path), "--form", "kent"]
    command += ["--part", "school", "--workers", "1"]
    assert CliRunner().invoke(main, command).exit_code == 0
    result = CliRunner().invoke(main, [*command, "--audience", "school"])
    assert result.exit_code == 0, result.output
    assert " 0 already up to date" in result.output  # a copy for another audience is another output
    with read_cases(cases) as rows:
        every = list(rows)  # read to the end, so the workbook is closed
    first = next(row for row in every if row.pep is not None and row.person_id)
    assert first.pep is not None
    written = next(tmp_path.glob(f"{first.person_id}_kent_*.docx")).read_bytes()
    assert written == pepdocs.render(first.pep, "kent", part="school", audience="school")


# --- form choice by the school's identity (issue 15) ---------------------------------------------------


def _child(born: str, setting: dict[str, str]) -> pepdocs.PEP:
    return pepdocs.PEP.model_validate(
        {"child": {"date_of_birth": born}, "plan": {"meeting_date": "2026-11-10"}, "education": {"setting": setting}}
    )


def test_a_school_given_only_by_laestab_gets_its_authoritys_form_not_the_no_provision_one() -> None:
    # Year 5 at a Kent school
    chosen = pepdocs.select_form(_child("2016-05-01", {"laestab": "8864001"}), policy="southwark")
    assert [c.form for c in chosen] == ["kent", "southwark-full"]
    by_urn = pepdocs.select_form(_child("2016-05-01", {"urn": "118776"}), policy="southwark")
    assert [c.form for c in by_urn] == ["southwark-full"]
    assert [c.form for c in pepdocs.select_form(_child("2016-05-01", {}), policy="southwark")] == ["no-provision"]


@pytest.mark.parametrize(
    ("born", "home"),
    [
        ("2022-05-01", "early-years"),
        ("2011-05-01", "southwark-full"),
        ("2010-05-01", "post-16"),
        ("2009-05-01", "post-16"),
    ],
)
def test_reception_and_sixth_form_children_at_kent_schools_get_the_kent_form(born: str, home: str) -> None:
    # On 10 Nov 2026: born May 2022 is in Reception, 2011 in Year 11, 2010 in Year 12, 2009 in Year 13.
    chosen = pepdocs.select_form(_child(born, {"la": "886", "name": "A Kent school"}), policy="southwark")
    assert [c.form for c in chosen] == ["kent", home]
    assert "Kent" in chosen[0].reason and "must also" in chosen[1].reason


def test_convert_notes_when_the_target_form_does_not_fit_the_child() -> None:
    from pepdocs.workflows._convert import does_not_fit

    fifteen = _child("2011-05-01", {"name": "A school"})  # Year 11
    assert "Year 11" in (does_not_fit(fifteen, pepdocs.get_form("early-years")) or "")
    assert does_not_fit(fifteen, pepdocs.get_form("southwark-full")) is None
    assert "names a setting" in (does_not_fit(fifteen, pepdocs.get_form("no-provision")) or "")
    converted = pepdocs.convert(pepdocs.render(fifteen, "southwark-full"), "early-years")
    (note,) = [c for c in converted.report.changes if c.kind == "meaning" and c.path == "$.year_group"]
    assert "Reception" in note.note and any("Who the form is for" in line for line in converted.report.lines())
