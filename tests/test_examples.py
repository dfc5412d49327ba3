"""The example records in examples/: valid, canonical, consistent and free of real identifiers."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

import pepdocs
from pepdocs.model._codes import EetStatus, NoProvisionReason, PepType, TargetArea
from pepdocs.model._identifiers import academic_year_label, validate_upn

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
NAMES = [path.stem for path in EXAMPLES]


def example(name: str) -> pepdocs.PEP:
    """An example record by its file name without '.json'."""
    return pepdocs.read_pep(ROOT / "examples" / f"{name}.json")


def test_there_is_one_example_per_scenario() -> None:
    assert NAMES == [
        "early-years",
        "kent-secondary",
        "no-provision",
        "post-16-neet",
        "southwark-primary",
        "southwark-review",
    ]


@pytest.mark.parametrize("path", EXAMPLES, ids=NAMES)
def test_each_example_validates(path: Path) -> None:
    assert isinstance(pepdocs.read_pep(path), pepdocs.PEP)


@pytest.mark.parametrize("path", EXAMPLES, ids=NAMES)
def test_each_example_is_exactly_what_to_json_writes(path: Path) -> None:
    pep = pepdocs.read_pep(path)
    assert pep.to_json() == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", EXAMPLES, ids=NAMES)
def test_each_example_round_trips_through_to_json(path: Path) -> None:
    pep = pepdocs.read_pep(path)
    again = pepdocs.PEP.model_validate_json(pep.to_json())
    assert again == pep
    assert again.to_json() == pep.to_json()


@pytest.mark.parametrize("name", NAMES)
def test_each_example_is_a_rich_record(name: str) -> None:
    pep = example(name)
    data = json.loads(pep.to_json())
    assert {"plan", "child", "care", "people", "education", "health", "views", "targets", "actions"} <= set(data)
    assert pep.plan.home_authority == "210"
    assert pep.plan.meeting_date is not None and pep.plan.meeting_venue and pep.plan.chair.name
    assert pep.plan.attendees and pep.plan.pep_number_in_year
    assert pep.child.first_name and pep.child.last_name and pep.child.date_of_birth and pep.child.person_id
    assert pep.child.upn is not None and validate_upn(pep.child.upn) == pep.child.upn
    assert pep.care.legal_status is not None and pep.care.iro.name and pep.care.next_lac_review_date
    assert pep.people.social_worker.name and pep.people.virtual_school_officer.name
    assert pep.views.child.going_well and pep.views.carer
    assert pep.previous_targets and all(t.outcome is not None for t in pep.previous_targets)


@pytest.mark.parametrize("name", NAMES)
def test_each_example_has_one_to_three_smart_targets_at_least_one_academic(name: str) -> None:
    targets = example(name).targets
    assert 1 <= len(targets) <= 3
    assert any(t.academic for t in targets)
    assert all(t.description and t.owner and t.due_date and t.success_measure for t in targets)


@pytest.mark.parametrize("name", NAMES)
def test_each_example_s_pupil_premium_items_serve_its_targets(name: str) -> None:
    pep = example(name)
    items = pep.pupil_premium.items
    assert items
    assert all(1 <= (item.linked_target or 1) <= len(pep.targets) for item in items)
    assert pep.pupil_premium.total is not None
    assert pep.pupil_premium.allocation is not None and pep.pupil_premium.total <= pep.pupil_premium.allocation


@pytest.mark.parametrize("name", NAMES)
def test_each_example_s_dates_fit_its_meeting(name: str) -> None:
    pep = example(name)
    meeting = pep.plan.meeting_date
    assert meeting is not None and pep.child.date_of_birth is not None
    assert pep.plan.academic_year == academic_year_label(meeting)
    assert pep.care.date_became_looked_after is not None
    assert pep.child.date_of_birth < pep.care.date_became_looked_after <= meeting
    if pep.plan.next_pep_date is not None:
        assert pep.plan.next_pep_date > meeting
    assert all(t.due_date > meeting for t in pep.targets if t.due_date)
    assert all(t.due_date <= meeting for t in pep.previous_targets if t.due_date)
    assert pep.care.next_lac_review_date is None or pep.care.next_lac_review_date > meeting


@pytest.mark.parametrize(
    ("name", "year_group"),
    [
        ("southwark-primary", 4),
        ("kent-secondary", 10),
        ("no-provision", 9),
        ("early-years", -1),
        ("post-16-neet", 12),
        ("southwark-review", 8),
    ],
)
def test_each_example_child_is_in_the_year_group_of_its_scenario(name: str, year_group: int) -> None:
    assert example(name).year_group == year_group


def test_the_southwark_primary_example_is_the_first_pep_of_autumn_2026_at_a_southwark_school() -> None:
    pep = example("southwark-primary")
    assert pep.plan.pep_number_in_year == 1
    assert pep.plan.meeting_date is not None and date(2026, 10, 1) <= pep.plan.meeting_date <= date(2026, 10, 31)
    assert pep.education.setting.la == "210"
    assert pep.child.upn is not None and pep.child.upn[1:4] == "210"


def test_the_kent_example_is_a_southwark_child_at_a_kent_school_with_ks4_options() -> None:
    pep = example("kent-secondary")
    assert pep.plan.home_authority == "210"
    assert pep.education.setting.laestab is not None and pep.education.setting.laestab.startswith("886")
    assert pep.education.setting.la == "886"
    assert pep.child.upn is not None and pep.child.upn[1:4] == "886"
    assert pep.education.options_and_careers


def test_the_no_provision_example_has_no_school_and_an_action_plan() -> None:
    pep = example("no-provision")
    block = pep.no_provision
    assert NoProvisionReason.PERMANENT_EXCLUSION in block.reasons
    assert block.date_last_attended and block.date_off_roll and block.interim and block.applications
    assert block.early_review_date is not None and pep.plan.meeting_date is not None
    assert 0 < (block.early_review_date - pep.plan.meeting_date).days <= 28
    assert pep.education.setting.name is None
    assert len(pep.actions) >= 5


def test_the_early_years_example_fills_every_eyfs_area() -> None:
    pep = example("early-years")
    assert pep.child.upn == "UN1"
    eyfs = pep.early_years.eyfs
    areas = [getattr(eyfs, name) for name in type(eyfs).model_fields]
    assert len(areas) == 7
    assert all(area.judgement is not None and area.comment for area in areas)
    assert pep.early_years.progress_check.completed_on is not None
    assert pep.early_years.eypp_eligible and pep.early_years.funded_hours and pep.early_years.key_person.name
    assert pep.early_years.transition_plan and pep.early_years.reception_start_date
    assert all(t.area is not None and t.area.value.startswith("eyfs_") for t in pep.targets)


def test_the_post_16_example_is_neet_with_a_valid_uln_and_a_personal_adviser() -> None:
    pep = example("post-16-neet")
    assert pep.post16.eet_status is EetStatus.NEET_SEEKING
    assert pep.child.uln is not None and pepdocs.validate_uln(pep.child.uln) == pep.child.uln
    assert pep.child.uln != "9999999999"
    assert pep.post16.neet_since and pep.post16.neet_barriers and pep.post16.neet_support
    assert pep.post16.careers_plan and pep.post16.pathway_plan_date
    assert pep.people.personal_adviser.name
    assert any(t.area is TargetArea.EET for t in pep.targets)


def test_the_review_example_is_eligible_for_the_simpler_review_form() -> None:
    pep = example("southwark-review")
    meeting = pep.plan.meeting_date
    assert meeting is not None
    assert pep.plan.pep_type is PepType.REVIEW
    assert pep.plan.pep_number_in_year == 2
    assert date(2026, 4, 1) <= meeting <= date(2026, 7, 31)
    assert pep.education.setting.start_date is not None and (meeting - pep.education.setting.start_date).days > 365
    assert pep.care.placement_start_date is not None and (meeting - pep.care.placement_start_date).days > 183
    assert pep.education.attendance.persistent_absence is False
    assert pep.education.exclusions == []
    assert pep.previous_targets and pep.previous_actions
    assert pep.plan.next_pep_date is None


def test_the_examples_use_only_invented_contact_details() -> None:
    for path in EXAMPLES:
        data = json.loads(path.read_text(encoding="utf-8"))
        for text in _strings(data):
            if "@" in text:
                assert text.endswith((".example", "@example.org")), text
            if text.startswith(("020 ", "01632 ", "07700 ")):
                assert text.startswith(("020 7946 0", "01632 960", "07700 900")), text


def _strings(data: object) -> list[str]:
    """Every string in parsed JSON."""
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for value in data.values() for s in _strings(value)]
    if isinstance(data, list):
        return [s for value in data for s in _strings(value)]
    return []
