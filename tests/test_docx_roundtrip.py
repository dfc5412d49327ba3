"""Rendering every form to DOCX and reading it back gives the same values at every path the form carries."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pepdocs
from pepdocs.forms._spec import list_forms

from .conftest import EXAMPLES, carried, example, libreoffice_resave
from .strategies import peps

FORMS = [form.id for form in list_forms()]


@pytest.mark.parametrize("form_id", FORMS)
@pytest.mark.parametrize("name", [path.stem for path in EXAMPLES])
def test_every_example_comes_back_from_every_form(name: str, form_id: str) -> None:
    pep = example(name)
    form = pepdocs.get_form(form_id)
    parsed = pepdocs.parse(pepdocs.render(pep, form_id))
    assert parsed.form == form_id and parsed.format == "docx"
    assert parsed.warnings == []
    assert parsed.unmapped == []
    assert carried(parsed.pep, form, like=pep) == carried(pep, form)


@pytest.mark.parametrize("form_id", FORMS)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(pep=peps())
def test_any_pep_comes_back_from_any_form(form_id: str, pep: pepdocs.PEP) -> None:
    form = pepdocs.get_form(form_id)
    parsed = pepdocs.parse(pepdocs.render(pep, form_id))
    assert parsed.warnings == []
    assert carried(parsed.pep, form, like=pep) == carried(pep, form)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_control_characters_are_dropped_with_a_warning(text: str) -> None:
    pep = pepdocs.PEP.model_validate({"views": {"carer": "before\x01" + text + "\x1fafter"}})
    with pytest.warns(pepdocs.PepdocsWarning, match=r"views\.carer"):
        docx = pepdocs.render(pep, "southwark-full")
    typed = text.replace("\r\n", "\n").replace("\r", "\n")
    expected = "before" + "".join(c for c in typed if c >= " " or c in "\t\n") + "after"
    assert pepdocs.parse(docx).pep.views.carer == expected


def test_jinja_in_answers_is_printed_as_typed_never_run() -> None:
    sneaky = "{{ 7*7 }} {% for x in range(3) %}x{% endfor %} {{ ''.__class__.__mro__ }} {_{ }_}"
    pep = pepdocs.PEP.model_validate({"views": {"child": {"worries": sneaky}}, "child": {"first_name": "<b>&"}})
    parsed = pepdocs.parse(pepdocs.render(pep, "southwark-full")).pep
    assert parsed.views.child.worries == sneaky
    assert parsed.child.first_name == "<b>&"


def test_lists_longer_than_the_printed_rows_keep_every_item() -> None:
    targets = [{"description": f"Target {n}", "due_date": "2026-03-01"} for n in range(1, 13)]
    pep = pepdocs.PEP.model_validate(
        {"targets": targets, "plan": {"attendees": [{"name": f"P{n}"} for n in range(20)]}}
    )
    parsed = pepdocs.parse(pepdocs.render(pep, "southwark-full")).pep
    assert [t.description for t in parsed.targets] == [f"Target {n}" for n in range(1, 13)]
    assert len(parsed.plan.attendees) == 20


def test_empty_lists_print_empty_rows_to_write_in() -> None:
    parsed = pepdocs.parse(pepdocs.render(pepdocs.PEP(), "kent"))
    assert parsed.pep.targets == [] and parsed.warnings == [] and parsed.unmapped == []


@pytest.mark.office
@pytest.mark.parametrize("form_id", FORMS)
def test_a_form_resaved_by_libreoffice_reads_the_same(form_id: str) -> None:
    form = pepdocs.get_form(form_id)
    for name in ("southwark-primary", "kent-secondary"):
        pep = example(name)
        resaved = libreoffice_resave(pepdocs.render(pep, form_id))
        parsed = pepdocs.parse(resaved)
        assert parsed.form == form_id
        assert parsed.warnings == []
        assert carried(parsed.pep, form, like=pep) == carried(pep, form)


SIGNED = {"signed_on": "2026-11-20"}
NEW_IN_ISSUE_15 = {
    "plan": {
        "completed_on": "2026-11-20",
        "submitted_on": "2026-11-23",
        "working_well": "Settled at school",
        "worried_about": "Reading is behind",
        "sign_off": {
            "designated_teacher": {"name": "A Teacher", "role": "Teacher", "signature": "A. Teacher", **SIGNED},
            "young_person": {"name": "Sam", "role": "Child", "signature": "Sam", **SIGNED},
        },
    },
    "child": {"uasc": True},
    "care": {"safeguarding_concerns": "Missing twice in October"},
    "education": {
        "eal_stage": "B",
        "reading_age": "7 years 2 months",
        "phonics": "Phase 5",
        "attendance": {"previous_year_percent": "91.5"},
        "setting": {
            "inspection": {
                "inspected_on": "2026-01-20",
                "report_card": {"achievement": "needs_attention", "safeguarding_met": True},
            }
        },
    },
    "pupil_premium": {
        "items": [{"intervention": "Tutor", "fund": "pp_plus", "cost": "300"}],
        "previous_items": [
            {"intervention": "Mentor", "fund": "school", "cost": "120", "actual_impact": "Calm", "released": True}
        ],
    },
}


@pytest.mark.parametrize("form_id", FORMS)
def test_the_fields_issue_15_added_come_back_from_every_form_that_carries_them(form_id: str) -> None:
    pep = pepdocs.PEP.model_validate(NEW_IN_ISSUE_15)
    form = pepdocs.get_form(form_id)
    for fmt in ("docx", "pdf"):
        parsed = pepdocs.parse(pepdocs.render(pep, form_id, fmt))
        assert parsed.warnings == [] and parsed.unmapped == []
        assert carried(parsed.pep, form, like=pep) == carried(pep, form)
    assert parsed.pep.plan.sign_off.designated_teacher.signature == "A. Teacher"
    assert parsed.pep.pupil_premium.previous_items[0].actual_impact == "Calm"
