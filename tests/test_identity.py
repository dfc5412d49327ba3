"""Every form and every part of one says which child it is about; merge refuses a form about another child."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import pepdocs
from pepdocs._cli import main
from pepdocs.forms._spec import ROLES, load_form, part_sections
from pepdocs.model._paths import get

from .conftest import ROOT, example

FORMS = pepdocs.list_forms()


def _identity(pep: pepdocs.PEP, form: pepdocs.Form) -> dict[str, object]:
    upn = any(f.path == "child.upn" for f in form.fields())
    items = {
        "child.full_name": pep.child.full_name,
        "child.date_of_birth": pep.child.date_of_birth,
        "child.person_id": pep.child.person_id,
        "child.upn": pep.child.upn if upn else None,
    }
    return {path: value for path, value in items.items() if value is not None}


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.id)
def test_every_part_of_every_form_reads_back_the_childs_identity(form: pepdocs.Form, fmt: str) -> None:
    pep = example("southwark-primary")
    parts = [None, *(role for role in ROLES if any(role in s.roles for s in form.sections))]
    for part in parts:
        parsed = pepdocs.parse(pepdocs.render(pep, form, fmt, part=part))  # type: ignore[arg-type]
        assert parsed.identity == _identity(pep, form), (form.id, part)
        assert parsed.pep.child.person_id == pep.child.person_id
        assert parsed.pep.child.date_of_birth == pep.child.date_of_birth
        if part is not None:
            assert frozenset(parsed.sections or ()) == part_sections(form, part)


def test_a_form_folder_of_your_own_gets_the_name_band(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "form.toml").write_text(
        'id = "mine-identity"\ntitle = "My PEP"\nauthority = "Somewhere"\nversion = "1"\n'
        '[[sections]]\nkey = "1"\ntitle = "School"\nroles = ["school"]\n'
        '  [[sections.blocks]]\n  type = "fields"\n'
        '  fields = [{ path = "care.school_moves", label = "School moves" }]\n',
        encoding="utf-8",
    )
    form = load_form(folder / "form.toml")
    assert [f.path for f in form.title_fields] == ["child.full_name", "child.date_of_birth", "child.person_id"]


def section3_of(name: str) -> bytes:
    return pepdocs.render(example(name), "southwark-full", sections=["3"])


def test_section_3_of_another_child_is_refused_naming_the_items_never_their_values() -> None:
    record = example("kent-secondary")
    with pytest.raises(pepdocs.IdentityError) as caught:
        pepdocs.merge(record, pepdocs.parse(section3_of("southwark-primary")), prefer="returned")
    assert caught.value.items == ["name", "date of birth", "person ID", "UPN"]
    other = example("southwark-primary")
    for value in (other.child.full_name, other.child.person_id, "2017", record.child.person_id):
        assert str(value) not in str(caught.value)


def test_section_3_goes_into_its_own_childs_record() -> None:
    record = example("southwark-primary")
    returned = pepdocs.parse(section3_of("southwark-primary"))
    merged = pepdocs.merge(record, returned, prefer="returned")
    assert merged.conflicts == []
    assert merged.pep.education == record.education


def test_a_form_saying_nothing_of_who_it_is_about_needs_allow_unidentified() -> None:
    record = example("southwark-primary")
    returned = pepdocs.parse(section3_of("southwark-primary"))
    returned.identity.clear()
    anonymous = returned.pep.model_copy(update={"child": pepdocs.PEP().child})
    returned.pep = anonymous
    with pytest.raises(pepdocs.IdentityError, match="allow_unidentified") as caught:
        pepdocs.merge(record, returned)
    assert caught.value.items == []
    assert pepdocs.merge(record, returned, allow_unidentified=True).pep.child == record.child


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_a_form_whose_name_band_names_this_child_above_sections_about_another_is_refused(fmt: pepdocs.Format) -> None:
    record = example("kent-secondary")
    other = record.model_copy(deep=True)
    other.child.first_name, other.child.person_id = "Another", "ZZ999"
    returned = pepdocs.parse(pepdocs.render(other, "kent", fmt))
    returned.identity.update({path: get(record, path) for path in returned.identity})  # the band retyped
    with pytest.raises(pepdocs.IdentityError) as caught:
        pepdocs.merge(record, returned)
    assert caught.value.items == ["name", "person ID"]
    assert "Another" not in str(caught.value) and "ZZ999" not in str(caught.value)


def test_a_name_typed_in_other_case_and_spacing_is_the_same_child() -> None:
    record = example("southwark-primary")
    returned = pepdocs.parse(section3_of("southwark-primary"))
    returned.identity["child.full_name"] = "  " + str(record.child.full_name).upper().replace(" ", "  ")
    pepdocs.merge(record, returned)


def test_cli_merge_exits_1_naming_the_items(tmp_path: Path) -> None:
    s3 = tmp_path / "s3.docx"
    s3.write_bytes(section3_of("southwark-primary"))
    runner = CliRunner()
    kent = str(ROOT / "examples" / "kent-secondary.json")
    result = runner.invoke(main, ["merge", kent, str(s3), "-o", str(tmp_path / "m.json"), "--prefer", "returned"])
    assert result.exit_code == 1
    assert "name, date of birth, person ID and UPN differ" in result.output
    assert not (tmp_path / "m.json").exists()
    own = str(ROOT / "examples" / "southwark-primary.json")
    result = runner.invoke(main, ["merge", own, str(s3), "-o", str(tmp_path / "m.json"), "--prefer", "returned"])
    assert result.exit_code == 0, result.output
    person_id = json.loads((tmp_path / "m.json").read_text())["child"]["person_id"]
    assert person_id == example("southwark-primary").child.person_id


def test_cli_convert_record_refuses_to_overwrite_another_childs_record(tmp_path: Path) -> None:
    kent = tmp_path / "kent.docx"
    kent.write_bytes(pepdocs.render(example("kent-secondary"), "kent"))
    other = tmp_path / "record.json"
    other.write_bytes((ROOT / "examples" / "southwark-primary.json").read_bytes())
    before = other.read_bytes()
    runner = CliRunner()
    result = runner.invoke(main, ["convert", str(kent), "--to", "southwark-full", "--record", str(other)])
    assert result.exit_code == 1
    assert "another child" in result.output
    assert other.read_bytes() == before
    own = tmp_path / "own.json"
    own.write_bytes((ROOT / "examples" / "kent-secondary.json").read_bytes())
    result = runner.invoke(main, ["convert", str(kent), "--to", "southwark-full", "--record", str(own)])
    assert result.exit_code == 0, result.output
