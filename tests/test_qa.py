"""Quality assurance: red, amber and green by area, from criteria kept as data in the policy."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import pepdocs
from pepdocs._cli import main
from pepdocs.rules._qa import qa
from tests.test_check import EXAMPLES, make

ON = date(2025, 10, 21)
GOOD: dict[str, Any] = {
    "child": {"date_of_birth": "2016-05-01"},  # Year 4 in 2025-26: no transition due
    "plan": {
        "attendees": [
            {"name": "A", "attended": True},
            {"name": "B", "attended": True},
            {"name": "C", "attended": True},
        ],
        "previous_pep_date": "2025-05-20",
    },
    "views": {"child": {"going_well": "Maths", "finding_hard": "Spelling"}},
    "previous_targets": [{"description": "Read daily", "outcome": "achieved"}],
    "education": {"attendance": {"percent": "96.5"}, "attainment": [{"subject": "Maths", "current": "WTS"}]},
    "pupil_premium": {"items": [{"intervention": "Tutor", "cost": "300", "linked_target": 1}]},
}


def rated(**changes: Any) -> dict[str, str]:
    from tests.test_check import _merge

    report = qa(make(**_merge(GOOD, changes)), policy="dfe", on=ON)
    return {area.area: area.rating for area in report.areas}


def test_a_complete_pep_is_green_in_every_area() -> None:
    report = qa(make(**GOOD), policy="dfe", on=ON)
    assert report.rating == "green" and {a.rating for a in report.areas} == {"green"}
    assert "Lancashire" in report.source and all(area.source for area in report.areas)


@pytest.mark.parametrize(
    ("changes", "area", "rating"),
    [
        ({"views": {"child": {"finding_hard": None}}}, "child_voice", "amber"),
        ({"views": {"child": {"going_well": None, "finding_hard": None}}}, "child_voice", "red"),
        (
            {"previous_targets": [{"description": "a", "outcome": "achieved"}, {"description": "b"}]},
            "previous_targets",
            "amber",
        ),
        (
            {
                "previous_targets": [
                    {"description": "a"},
                    {"description": "b"},
                    {"description": "c", "outcome": "partly"},
                ]
            },
            "previous_targets",
            "red",
        ),
        ({"previous_targets": [], "plan": {"previous_pep_date": None}}, "previous_targets", "green"),  # a first PEP
        (
            {
                "targets": [
                    {
                        "description": "Times tables",
                        "area": "maths",
                        "success_measure": "Test",
                        "due_date": "2026-01-30",
                    }
                ]
            },
            "smart_targets",
            "red",
        ),
        (
            {
                "targets": [
                    {
                        "description": "Line up",
                        "area": "behaviour",
                        "success_measure": "Log",
                        "owner": "TA",
                        "due_date": "2026-01-30",
                    }
                ]
            },
            "smart_targets",
            "amber",
        ),
        ({"targets": []}, "smart_targets", "red"),
        (
            {
                "pupil_premium": {
                    "items": [
                        {"intervention": "a", "cost": "1", "linked_target": 1},
                        {"intervention": "b", "cost": "1"},
                    ]
                }
            },
            "pupil_premium",
            "amber",
        ),
        ({"pupil_premium": {"items": []}}, "pupil_premium", "red"),
        ({"pupil_premium": {"items": [{"intervention": "Mentor", "fund": "school"}]}}, "pupil_premium", "red"),
        ({"education": {"attendance": {"percent": None}}}, "attendance_attainment", "amber"),
        ({"education": {"attendance": {"percent": None}, "attainment": []}}, "attendance_attainment", "red"),
        (
            {"plan": {"attendees": [{"name": "A", "attended": True}, {"name": "B", "attended": False}]}},
            "attendees",
            "amber",
        ),
        ({"plan": {"attendees": []}}, "attendees", "red"),
        ({"plan": {"next_pep_date": None}}, "next_date", "red"),
        ({"child": {"date_of_birth": "2015-05-01"}}, "transitions", "red"),  # Year 6 in 2025-26, no plan
        (
            {"child": {"date_of_birth": "2015-05-01"}, "education": {"transition": "Visits to the secondary school"}},
            "transitions",
            "green",
        ),
        ({"education": {"transition_date": "2026-01-05"}}, "transitions", "red"),
    ],
)
def test_each_area_on_both_sides_of_its_thresholds(changes: dict[str, Any], area: str, rating: str) -> None:
    assert rated(**changes)[area] == rating


def test_the_overall_rating_follows_the_policys_counts() -> None:
    from tests.test_check import _merge

    one_amber = qa(make(**_merge(GOOD, {"views": {"child": {"finding_hard": None}}})), on=ON)
    assert one_amber.rating == "green" and one_amber.reason == "1 amber, 7 green"
    two_amber = qa(
        make(**_merge(GOOD, {"views": {"child": {"finding_hard": None}}, "plan": {"attendees": [{"attended": True}]}})),
        on=ON,
    )
    assert two_amber.rating == "amber"
    assert qa(make(**_merge(GOOD, {"plan": {"next_pep_date": None}})), on=ON).rating == "red"


def test_southwark_does_not_mark_down_a_second_pep_without_a_next_date() -> None:
    from tests.test_check import _merge

    second = make(**_merge(GOOD, {"plan": {"next_pep_date": None, "pep_number_in_year": 2}}))
    assert {a.area: a.rating for a in qa(second, policy="southwark", on=ON).areas}["next_date"] == "green"
    assert {a.area: a.rating for a in qa(second, policy="dfe", on=ON).areas}["next_date"] == "red"


def test_criteria_are_data_a_users_policy_can_change(tmp_path: Path) -> None:
    path = tmp_path / "strict.toml"
    path.write_text(
        'extends = "dfe"\n[qa]\nsource = "Our QA framework (2026)"\nred_overall_at = 1\namber_overall_at = 1\n'
        '[qa.areas.child_voice]\ntitle = "Voice"\ngreen_at = 4\namber_at = 2\ncite = "Our QA framework §2"\n',
        encoding="utf-8",
    )
    report = qa(make(**GOOD), policy=path, on=ON)
    assert [(a.area, a.rating) for a in report.areas] == [("child_voice", "amber")] and report.rating == "amber"
    assert report.source == "Our QA framework (2026)"
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'extends = "dfe"\n[qa]\nsource = "x"\nred_overall_at = 1\namber_overall_at = 1\n'
        '[qa.areas.mood]\ntitle = "Mood"\ngreen_at = 1\namber_at = 1\ncite = "x"\n',
        encoding="utf-8",
    )
    with pytest.raises(pepdocs.InputError, match=r"qa\.areas\.mood"):
        qa(make(**GOOD), policy=bad, on=ON)


def test_the_cli_rates_the_examples_with_reasons() -> None:
    result = CliRunner().invoke(main, ["qa", *map(str, EXAMPLES), "--on", "2026-11-30"])
    lines = result.output.splitlines()
    assert sum(1 for line in lines if line.startswith("examples/") or "/examples/" in line.split(":")[0]) == len(
        EXAMPLES
    )
    heads = [line.split(": ") for line in lines if ".json: " in line]
    overall = {Path(file).name: rating.split(" ")[0] for file, rating in heads}
    # Under the national default a PEP sets the next date; Southwark's second PEP of the year does not: red.
    assert overall == {
        "early-years.json": "green", "kent-secondary.json": "green", "no-provision.json": "green",
        "post-16-neet.json": "green", "southwark-primary.json": "green", "southwark-review.json": "red",
    }  # fmt: skip
    assert "  red   Next PEP date: no date is set for the next PEP" in lines
    assert any(line.startswith("criteria: Lancashire") for line in lines)
    assert result.exit_code == 1 and "1 of 6 PEPs rated red" in result.output
    args = ["qa", *map(str, EXAMPLES), "--on", "2026-11-30", "--policy", "southwark"]
    under_southwark = CliRunner().invoke(main, args)
    assert under_southwark.exit_code == 0, under_southwark.output


def test_no_rating_carries_a_value_from_the_record() -> None:
    from tests.test_check import _merge

    pep = make(
        **_merge(GOOD, {"views": {"child": {"going_well": "SECRET-VALUE"}}, "child": {"first_name": "SECRET-NAME"}})
    )
    text = "\n".join(str(area) for area in qa(pep, on=ON).areas)
    assert "SECRET" not in text
