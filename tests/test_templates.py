"""Each form's spec is the single source of truth: the built templates must agree with it."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

import pepdocs
from pepdocs.engines.docx._build import build_docx
from pepdocs.forms._spec import list_forms

from .conftest import ROOT

FORMS = list_forms()


def test_there_are_six_forms_with_the_ids_the_api_promises() -> None:
    ids = {"southwark-full", "southwark-review", "kent", "no-provision", "early-years", "post-16"}
    assert sorted(form.id for form in FORMS) == sorted(ids)


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.id)
def test_the_checked_in_docx_template_is_what_the_spec_builds(form: pepdocs.Form) -> None:
    assert (form.folder / "form.docx").read_bytes() == build_docx(form), "run: python -m pepdocs.build"


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.id)
def test_every_answer_in_the_docx_template_is_a_field_of_the_spec(form: pepdocs.Form) -> None:
    xml = zipfile.ZipFile(io.BytesIO((form.folder / "form.docx").read_bytes())).read("word/document.xml").decode()
    used = set(re.findall(r"\b(?:v|row)\.([fn]_\w+)", xml))
    assert used == {field.id for field in form.fields()} | {field.id for field in form.title_fields}
    marks = set(re.findall(r'w:name="([^"]+)"', xml))
    expected = {f.id for _, b in form.blocks() for f in b.fields if not f.derived}
    expected |= {b.id for _, b in form.blocks() if b.kind in ("table", "grid")}
    expected |= {f.id for f in form.title_fields}  # the name band, read back to check who the form is about
    assert marks == expected


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.id)
def test_each_form_is_a4_portrait_marked_official_sensitive_with_page_numbers(form: pepdocs.Form) -> None:
    package = zipfile.ZipFile(io.BytesIO((form.folder / "form.docx").read_bytes()))
    document = package.read("word/document.xml").decode()
    assert re.search(r'<w:pgSz w:w="11906" w:h="16838"', document)
    header = package.read("word/header1.xml").decode()
    footer = package.read("word/footer1.xml").decode()
    assert "OFFICIAL-SENSITIVE" in header and "OFFICIAL-SENSITIVE" in footer
    assert " PAGE " in footer and " NUMPAGES " in footer


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.id)
def test_templates_carry_no_author_or_machine_path(form: pepdocs.Form) -> None:
    package = zipfile.ZipFile(io.BytesIO((form.folder / "form.docx").read_bytes()))
    core = package.read("docProps/core.xml").decode()
    assert "creator" not in core and "lastModifiedBy" not in core
    for name in package.namelist():
        text = package.read(name)
        assert b"python-docx" not in text and b"/home/" not in text and b"/work/" not in text


SHIPPED = [
    ROOT / "README.md", ROOT / "SECURITY.md", *sorted((ROOT / "templates").rglob("*.md")),
    *sorted((ROOT / "templates").rglob("*.toml")), *sorted((ROOT / "pepdocs").rglob("*.py")),
    *sorted((ROOT / "pepdocs").rglob("*.toml")), *sorted((ROOT / "pepdocs").rglob("*.csv")),
]  # fmt: skip


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_shipped_file_names_an_internal_note_or_a_machine_path(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"domain\.md|seeds?/|\bseed \d|/work/|/home/", text, re.IGNORECASE), path


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.id)
def test_every_form_folder_says_what_is_reconstructed(form: pepdocs.Form) -> None:
    readme = (form.folder / "README.md").read_text(encoding="utf-8")
    assert "reconstruct" in readme.casefold()


def test_a_form_reports_the_model_paths_it_carries() -> None:
    form = pepdocs.get_form("southwark-full")
    assert "child.date_of_birth" in form.paths
    assert "targets[].description" in form.paths
    assert "year_group" not in form.paths  # derived: printed, never read back


def test_a_spec_naming_a_path_the_model_lacks_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from pepdocs.forms._spec import load_form

    spec = tmp_path / "form.toml"
    spec.write_text(
        'id = "x"\ntitle = "X"\nauthority = "A"\nversion = "1"\n[[sections]]\nkey = "1"\ntitle = "S"\n'
        '[[sections.blocks]]\ntype = "fields"\nfields = [{ path = "child.shoe_size", label = "Shoe size" }]\n',
        encoding="utf-8",
    )
    with pytest.raises(pepdocs.FormError, match=r"child\.shoe_size"):
        load_form(spec)


SCHEDULE_1_PARA_2 = {
    "(1) educational and training history: institutions attended": ("education.setting_history[]",),
    "(1) attendance record": ("education.attendance.percent",),
    "(1) conduct record": ("education.exclusions[]", "plan.discussion.behaviour"),
    "(1) academic and other achievements": ("education.achievements",),
    "(1) special educational needs": ("education.sen.status",),
    "(2) existing arrangements, incl. special educational and other provision": (
        "education.interventions[]",
        "no_provision.interim[]",
    ),
    "(3) planned changes, and provision to minimise disruption": ("plan.planned_changes",),
    "(4) leisure interests": ("education.interests",),
    "(5) the role of the appropriate person and other carers": ("views.carer",),
}
"""CPPCR Regulations 2010 Schedule 1 para 2 (legislation.gov.uk/uksi/2010/959/schedules/made), its five
sub-paragraphs exactly, and the paths that carry each item."""

COUNCIL_PRACTICE = {
    "long-term plans and aspirations": ("plan.long_term_plans", "views.child.aspirations"),
    "review of previous actions": ("previous_actions[]",),
}
"""Items councils' PEPs carry beyond Schedule 1 para 2: long-term plans and aspirations (DfE 2018 as quoted by
Kirklees, kirkleeschildcare.proceduresonline.com/p_pep.html); the last PEP's actions reviewed (Southwark procedure
3.5.2 §4, southwark.proceduresonline.com/chapters/p_pers_ed_plans.html)."""

SIGN_OFF = [
    "plan.completed_on",
    "plan.submitted_on",
    *(f"plan.sign_off.{who}.{what}" for who in ("designated_teacher", "social_worker", "young_person", "virtual_school")
      for what in ("name", "role", "signed_on", "signature")),
]  # fmt: skip


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.id)
def test_every_form_carries_the_schedule_1_items_and_a_sign_off(form: pepdocs.Form) -> None:
    paths = set(form.paths)
    for item, where in SCHEDULE_1_PARA_2.items():
        assert any(p == w or p.startswith(w) for p in paths for w in where), f"{form.id} lacks {item}"
    for item, where in COUNCIL_PRACTICE.items():
        assert any(p == w or p.startswith(w) for p in paths for w in where), f"{form.id} lacks {item} (practice)"
    assert set(SIGN_OFF) <= paths, sorted(set(SIGN_OFF) - paths)
    assert {"plan.working_well", "plan.worried_about", "pupil_premium.previous_items[].actual_impact"} <= paths
    assert "plan.completed_by" in paths


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.id)
def test_the_safeguarding_box_is_sensitive_wherever_a_form_has_it(form: pepdocs.Form) -> None:
    boxes = [f for f in form.fields() if f.path == "care.safeguarding_concerns"]
    assert all(f.sensitive for f in boxes)
    if form.id != "southwark-review":
        assert boxes, f"{form.id} has no safeguarding box"
