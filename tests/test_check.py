"""Each rule on both sides of its boundary, by built-in policy; next due dates; policies as data; the CLI."""

from __future__ import annotations

import copy
import inspect
import json
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from click.testing import CliRunner

import pepdocs
from pepdocs._cli import main
from pepdocs.rules import _check as _check
from pepdocs.rules._check import RULES, Due, Finding, check, next_due
from pepdocs.rules._policy import POLICY_FOLDER, Policy, builtin_policies, load_policy

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))


def example(name: str) -> pepdocs.PEP:
    return pepdocs.read_pep(ROOT / "examples" / f"{name}.json")


def _merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


TARGETS = [
    {"description": "I will learn my 6, 7 and 9 times tables.", "area": "maths",
     "success_measure": "25 out of 25 on the test", "owner": "Class teacher", "due_date": "2026-01-30"},
    {"description": "I will read every evening for 15 minutes.", "area": "english", "success_measure": "Reading record",
     "owner": "Foster carer", "due_date": "2026-02-13"},
]  # fmt: skip

BASE: dict[str, Any] = {
    "plan": {
        "pep_type": "termly",
        "pep_number_in_year": 1,
        "meeting_date": "2025-10-14",
        "previous_pep_date": "2025-06-17",
        "child_participation": "all",
        "next_pep_date": "2026-05-19",
    },
    "child": {"first_name": "Sam", "last_name": "Test", "date_of_birth": "2015-05-01", "person_id": "1"},
    "care": {
        "legal_status": "C2",
        "placement_type": "U4",
        "date_became_looked_after": "2022-01-10",
        "next_lac_review_date": "2026-06-02",
    },
    "education": {"setting": {"name": "Test Primary", "la": "210", "ofsted_grade": "2", "start_date": "2022-09-05"}},
    "health": {"sdq": {"score": 12}},
    "views": {"child": {"going_well": "Maths"}, "carer": "Doing well"},
    "targets": TARGETS,
}


def make(**changes: Any) -> pepdocs.PEP:
    """A PEP that passes every Southwark rule on 21 Oct 2025, changed as given."""
    return pepdocs.PEP.model_validate(_merge(BASE, changes))


ON = date(2025, 10, 21)


def found(pep: pepdocs.PEP, rule: str, policy: str = "southwark", on: date = ON) -> list[Finding]:
    return [finding for finding in check(pep, policy=policy, on=on) if finding.rule == rule]


def severities(pep: pepdocs.PEP, rule: str, policy: str = "southwark", on: date = ON) -> list[str]:
    return [finding.severity for finding in found(pep, rule, policy, on)]


@pytest.mark.parametrize("policy", ["southwark", "kent", "leicester", "sefton", "staffordshire", "luton", "dfe"])
def test_the_base_record_is_clean_under_every_policy(policy: str) -> None:
    findings = check(make(), policy=policy, on=ON)
    if policy == "southwark":
        assert findings == []
    else:  # termly policies: the set next date is later than the end of next term
        assert {f.rule for f in findings} <= {"review-cycle"}


def test_a_finding_reads_as_one_line_with_its_source() -> None:
    (finding,) = found(make(targets=[]), "target-count")
    assert finding == Finding(
        "target-count", "error", "0 targets; at least 1 must be agreed", "$.targets", finding.source
    )
    assert "southwark.proceduresonline.com" in finding.source and "§7" in finding.source
    assert str(finding) == f"error target-count: 0 targets; at least 1 must be agreed @ $.targets [{finding.source}]"


# --- timing -----------------------------------------------------------------------------------------


def test_southwark_initial_pep_day_10_is_in_time_and_day_11_late_across_easter() -> None:
    initial = {"care": {"date_became_looked_after": "2026-03-30"}, "plan": {"pep_type": "initial"}}
    on_time = make(**_merge(initial, {"plan": {"meeting_date": "2026-04-15", "next_pep_date": "2026-07-01"}}))
    late = make(**_merge(initial, {"plan": {"meeting_date": "2026-04-16", "next_pep_date": "2026-07-01"}}))
    assert severities(on_time, "initial-pep-deadline", on=date(2026, 4, 20)) == []
    (finding,) = found(late, "initial-pep-deadline", on=date(2026, 4, 20))
    assert finding.severity == "error" and finding.path == "$.plan.meeting_date"
    assert "11 working days" in finding.message and "Wed 15 Apr 2026" in finding.message


def test_leicester_counts_the_initial_deadline_in_school_days_across_half_term() -> None:
    # Became looked after Mon 20 Oct 2025; half-term 27-31 Oct; 10 school days end Mon 10 Nov.
    initial = {"care": {"date_became_looked_after": "2025-10-20"}, "plan": {"pep_type": "initial"}}
    assert (
        severities(
            make(**_merge(initial, {"plan": {"meeting_date": "2025-11-10"}})), "initial-pep-deadline", "leicester"
        )
        == []
    )
    assert severities(
        make(**_merge(initial, {"plan": {"meeting_date": "2025-11-11"}})), "initial-pep-deadline", "leicester"
    ) == ["error"]
    # Staffordshire: 20 working days, half-term or not.
    assert (
        severities(
            make(**_merge(initial, {"plan": {"meeting_date": "2025-11-17"}})), "initial-pep-deadline", "staffordshire"
        )
        == []
    )
    assert severities(
        make(**_merge(initial, {"plan": {"meeting_date": "2025-11-18"}})), "initial-pep-deadline", "staffordshire"
    ) == ["error"]


def test_no_first_pep_yet_is_an_error_only_once_the_deadline_has_passed() -> None:
    pep = make(plan={"meeting_date": None, "pep_type": None, "pep_number_in_year": None, "next_pep_date": None},
               care={"date_became_looked_after": "2026-03-30"})  # fmt: skip
    assert severities(pep, "initial-pep-deadline", on=date(2026, 4, 15)) == []
    (finding,) = found(pep, "initial-pep-deadline", on=date(2026, 4, 16))
    assert finding.severity == "error" and "no PEP meeting is recorded" in finding.message


def test_southwark_new_school_pep_within_20_school_days_with_a_bank_holiday_between() -> None:
    # Started Mon 13 Apr 2026; 20 school days (Mon 4 May a bank holiday) end Tue 12 May.
    moved = {"education": {"setting": {"start_date": "2026-04-13"}},
             "plan": {"pep_type": "new_school", "next_pep_date": None, "pep_number_in_year": 2}}  # fmt: skip
    on_time = make(**_merge(moved, {"plan": {"meeting_date": "2026-05-12"}}))
    late = make(**_merge(moved, {"plan": {"meeting_date": "2026-05-13"}}))
    assert severities(on_time, "new-school-deadline", on=date(2026, 5, 20)) == []
    assert severities(late, "new-school-deadline", on=date(2026, 5, 20)) == ["error"]
    assert "21 school days" in found(late, "new-school-deadline", on=date(2026, 5, 20))[0].message


def test_a_move_after_the_last_pep_is_overdue_once_the_school_day_deadline_passes() -> None:
    pep = make(education={"setting": {"start_date": "2026-04-13"}})  # the last PEP was in October
    assert severities(pep, "new-school-deadline", on=date(2026, 5, 12)) == []
    (finding,) = found(pep, "new-school-deadline", on=date(2026, 5, 13))
    assert finding.path == "$.education.setting.start_date" and "Tue 12 May 2026" in finding.message


def test_southwark_meetings_fall_in_the_autumn_or_summer_window() -> None:
    march = make(plan={"meeting_date": "2026-03-31", "pep_number_in_year": 2, "next_pep_date": None})
    april = make(plan={"meeting_date": "2026-04-01", "pep_number_in_year": 2, "next_pep_date": None})
    on = date(2026, 4, 2)
    assert severities(march, "review-cycle", on=on) == ["warning"]
    assert severities(april, "review-cycle", on=on) == []
    assert severities(march, "review-cycle", "kent", on=on) == []  # Kent's spring window runs to April


def test_the_next_pep_date_must_not_pass_the_end_of_the_next_window() -> None:
    assert severities(make(plan={"next_pep_date": "2026-07-31"}), "review-cycle") == []
    (finding,) = found(make(plan={"next_pep_date": "2026-08-01"}), "review-cycle")
    assert finding.path == "$.plan.next_pep_date" and "summer" in finding.message


def test_staffordshire_is_half_termly_at_a_school_graded_3_or_4() -> None:
    pep = make(plan={"meeting_date": "2025-09-10", "next_pep_date": None})
    assert next_due(pep, policy="staffordshire", on=date(2025, 9, 11)).date == date(2026, 3, 27)  # end of spring term
    graded = make(
        plan={"meeting_date": "2025-09-10", "next_pep_date": None}, education={"setting": {"ofsted_grade": "3"}}
    )
    due = next_due(graded, policy="staffordshire", on=date(2025, 9, 11))
    assert due.date == date(2025, 12, 19) and "half-term" in due.reason  # end of the next half-term
    assert next_due(graded, policy="luton", on=date(2025, 9, 11)).date == date(2026, 3, 27)


def test_a_pep_is_overdue_the_day_after_it_was_due() -> None:
    pep = make()  # next PEP set for Tue 19 May 2026
    assert severities(pep, "review-overdue", on=date(2026, 5, 19)) == []
    (finding,) = found(pep, "review-overdue", on=date(2026, 5, 20))
    assert (
        finding.severity == "error" and finding.path == "$.plan.next_pep_date" and "1 days overdue" in finding.message
    )


def test_southwark_meets_2_to_6_weeks_before_the_next_lac_review() -> None:
    review = {"care": {"next_lac_review_date": "2026-06-16", "last_lac_review_date": "2025-12-16"}}

    def at(meeting: date) -> list[str]:
        pep = make(
            **_merge(
                review, {"plan": {"meeting_date": meeting.isoformat(), "next_pep_date": None, "pep_number_in_year": 2}}
            )
        )
        return severities(pep, "lac-review-window", on=meeting)

    day = date(2026, 6, 16)
    assert at(day - timedelta(days=42)) == [] and at(day - timedelta(days=43)) == ["warning"]
    assert at(day - timedelta(days=14)) == [] and at(day - timedelta(days=13)) == ["warning"]
    far = make(
        **_merge(review, {"plan": {"meeting_date": "2026-04-01", "next_pep_date": None, "pep_number_in_year": 2}})
    )
    assert severities(far, "lac-review-window", "kent", on=date(2026, 4, 2)) == []


# --- targets ----------------------------------------------------------------------------------------


def _targets(count: int, **fields: Any) -> list[dict[str, Any]]:
    return [{**TARGETS[0], "description": f"Target {n}", **fields} for n in range(count)]


def test_southwark_agrees_1_to_3_targets_and_sefton_at_most_4() -> None:
    assert severities(make(targets=_targets(3)), "target-count") == []
    assert severities(make(targets=_targets(4)), "target-count") == ["warning"]
    assert severities(make(targets=[]), "target-count") == ["error"]
    assert severities(make(targets=_targets(4)), "target-count", "sefton") == []
    assert severities(make(targets=_targets(5)), "target-count", "sefton") == ["error"]


def test_southwark_wants_an_academic_target() -> None:
    behaviour = {**TARGETS[0], "area": "behaviour"}
    assert severities(make(targets=[behaviour, TARGETS[1]]), "academic-target") == []
    (finding,) = found(make(targets=[behaviour]), "academic-target")
    assert finding.severity == "error" and "0 of 1" in finding.message
    assert severities(make(targets=[behaviour]), "academic-target", "kent") == []


def test_a_target_is_due_after_the_meeting() -> None:
    assert severities(make(targets=_targets(1, due_date="2025-10-15")), "target-due-date") == []
    assert severities(make(targets=_targets(1, due_date="2025-10-14")), "target-due-date") == ["error"]
    assert found(make(targets=_targets(1, due_date=None)), "target-due-date")[0].path == "$.targets[0].due_date"


def test_southwark_targets_fall_due_within_six_months_unless_long_term() -> None:
    meeting = date(2025, 10, 14)
    limit = (meeting + timedelta(days=184)).isoformat()
    after = (meeting + timedelta(days=185)).isoformat()
    assert severities(make(targets=_targets(1, due_date=limit)), "target-horizon") == []
    assert severities(make(targets=_targets(1, due_date=after)), "target-horizon") == ["warning"]
    assert severities(make(targets=_targets(1, due_date=after, term="long")), "target-horizon") == []


def test_termly_targets_fall_due_by_the_end_of_next_term() -> None:
    # Meeting in the autumn term 2025; the spring term ends Fri 27 Mar 2026.
    assert severities(make(targets=_targets(1, due_date="2026-03-27")), "target-horizon", "kent") == []
    assert severities(make(targets=_targets(1, due_date="2026-03-28")), "target-horizon", "kent") == ["warning"]


def test_every_target_has_a_success_measure() -> None:
    assert severities(make(targets=_targets(1, success_measure=None)), "target-success-measure") == ["warning"]


def test_kent_targets_must_be_assigned_to_an_owner() -> None:
    helped = _targets(1, owner=None, who_helps="Teaching assistant")
    assert severities(make(targets=helped), "target-owner", "kent") == ["error"]
    assert severities(make(targets=helped), "target-owner") == []
    assert severities(make(targets=_targets(1, owner=None)), "target-owner") == ["warning"]
    assert severities(make(targets=_targets(1)), "target-owner", "kent") == []


def test_an_unmet_target_is_not_repeated_word_for_word() -> None:
    previous = [{"description": "I will read every evening for 15 minutes", "outcome": "partly"}]
    (finding,) = found(make(previous_targets=previous), "unmet-target-repeated")
    assert finding.path == "$.targets[1].description" and "previous target 1" in finding.message
    met = [{"description": "I will read every evening for 15 minutes", "outcome": "achieved"}]
    assert found(make(previous_targets=met), "unmet-target-repeated") == []


# --- the plan ---------------------------------------------------------------------------------------


def test_the_review_form_is_checked_with_review_form_allowed() -> None:
    pep = example("southwark-review")
    on = date(2026, 5, 19)
    assert severities(pep, "review-form-eligibility", on=on) == []
    first = pep.model_copy(update={"plan": pep.plan.model_copy(update={"pep_number_in_year": 1})})
    (finding,) = found(first, "review-form-eligibility", on=on)
    assert "not PEP 2 of the academic year" in finding.message and finding.path == "$.plan.pep_type"
    assert finding.severity == "error"
    assert found(first, "review-form-eligibility", "kent", on=on) == []


def test_low_attendance_bars_the_review_form_as_a_warning_that_shows_no_value() -> None:
    pep = example("southwark-review")
    education = pep.education.model_copy(
        update={"attendance": pep.education.attendance.model_copy(update={"percent": Decimal("83.4")})}
    )
    low = pep.model_copy(update={"education": education})
    (finding,) = found(low, "review-form-eligibility", on=date(2026, 5, 19))
    assert finding.severity == "warning"
    assert finding.message.endswith("attendance is below the 90% threshold") and "83" not in finding.message
    assert "pepdocs' own reading" in finding.source
    chosen = pepdocs.select_form(low, policy="southwark")
    assert [c.form for c in chosen] == ["southwark-full"] and "83" not in chosen[0].reason


def test_the_review_form_rule_is_the_policys_own_table(tmp_path: Path) -> None:
    pep = example("southwark-review")
    path = tmp_path / "strict.toml"
    path.write_text('extends = "southwark"\n[review_form]\nstable_months = 24\n', encoding="utf-8")
    (finding,) = found(pep, "review-form-eligibility", str(path), on=date(2026, 5, 19))
    assert "for 24 months" in finding.message
    no_table = tmp_path / "no-table.toml"
    no_table.write_text(
        'name = "x"\ntitle = "X"\nreviews_per_year = 3\nreview_windows = "terms"\n'
        '[[sources]]\nid = "A"\ntitle = "A"\nurl = "https://example.org"\n'
        '[forms]\nrecord = "southwark-full"\nreview = "southwark-review"\n',
        encoding="utf-8",
    )
    with pytest.raises(pepdocs.PepdocsError, match=r"forms\.review needs a \[review_form\] table"):
        load_policy(no_table)


def test_southwark_sets_the_next_date_after_the_first_pep_of_the_year_only() -> None:
    assert severities(make(plan={"next_pep_date": None}), "next-pep-date") == ["error"]
    second = {"pep_number_in_year": 2, "meeting_date": "2026-05-12"}
    assert severities(make(plan={**second, "next_pep_date": None}), "next-pep-date", on=date(2026, 5, 13)) == []
    assert severities(make(plan={**second, "next_pep_date": "2026-10-01"}), "next-pep-date", on=date(2026, 5, 13)) == [
        "warning"
    ]
    # Termly policies want a next date, but no source makes its absence an error.
    assert severities(make(plan={"pep_number_in_year": 2, "next_pep_date": None}), "next-pep-date", "kent") == [
        "warning"
    ]
    assert severities(make(plan={"next_pep_date": "2025-10-14"}), "next-pep-date") == ["error"]


def test_a_child_with_an_ehcp_has_the_annual_review_date() -> None:
    assert severities(make(education={"sen": {"status": "E"}}), "ehcp-annual-review") == ["warning"]
    dated = make(education={"sen": {"status": "E", "ehcp_annual_review_date": "2026-03-01"}})
    assert severities(dated, "ehcp-annual-review") == []
    assert severities(make(education={"sen": {"status": "K"}}), "ehcp-annual-review") == []


def test_a_child_who_did_not_attend_has_a_reason_and_how_their_views_were_gathered() -> None:
    absent = make(plan={"child_participation": "none"})
    assert {f.path for f in found(absent, "child-views")} == {
        "$.plan.child_absence_reason",
        "$.plan.views_gathered_how",
    }
    explained = make(plan={"child_participation": "none", "child_absence_reason": "Exams",
                           "views_gathered_how": "Talked with the social worker on Monday"})  # fmt: skip
    assert found(explained, "child-views") == []
    assert severities(make(views={"child": {"going_well": None}}), "child-views") == ["warning"]


def test_pupil_premium_items_link_to_real_targets_are_costed_and_within_the_allocation() -> None:
    items = [{"intervention": "Tutor", "cost": "300.00", "linked_target": 2}]
    assert found(make(pupil_premium={"allocation": "300.00", "items": items}), "pp-plus-target-link") == []
    assert found(make(pupil_premium={"allocation": "300.00", "items": items}), "pp-plus-total") == []
    linked_to_3 = [{**items[0], "linked_target": 3}]
    assert severities(make(pupil_premium={"items": linked_to_3}), "pp-plus-target-link") == ["error"]
    assert severities(
        make(pupil_premium={"items": [{"intervention": "Books", "cost": "5.00"}]}), "pp-plus-target-link"
    ) == ["warning"]
    assert severities(
        make(pupil_premium={"items": [{"intervention": "Books", "linked_target": 1}]}), "pp-plus-cost"
    ) == ["error"]
    assert severities(make(pupil_premium={"allocation": "299.99", "items": items}), "pp-plus-total") == ["error"]


def test_luton_releases_600_pounds_a_term() -> None:
    def total(cost: str) -> list[str]:
        pep = make(pupil_premium={"items": [{"intervention": "Tutor", "cost": cost, "linked_target": 1}]})
        return severities(pep, "pp-plus-total", "luton")

    assert total("600.00") == []
    assert total("600.01") == ["error"]
    assert (
        "£600.00 a term"
        in found(make(pupil_premium={"items": [{"cost": "700", "linked_target": 1}]}), "pp-plus-total", "luton")[
            0
        ].message
    )


# --- identifiers and care data -------------------------------------------------------------------------


def test_un1_is_not_the_upn_of_a_child_of_school_age() -> None:
    # At a meeting on 14 Oct 2025, a child born 31 Aug 2021 is in Reception; one born a day later is in nursery.
    reception = make(child={"upn": "UN1", "date_of_birth": "2021-08-31"})
    nursery = make(child={"upn": "UN1", "date_of_birth": "2021-09-01"})
    (finding,) = found(reception, "upn-placeholder")
    assert finding.severity == "error" and finding.path == "$.child.upn" and "Reception" in finding.message
    assert found(nursery, "upn-placeholder") == []


def test_an_sdq_score_or_reason_for_a_child_of_4_to_16() -> None:
    assert severities(make(health={"sdq": {"score": None}}), "sdq") == ["warning"]
    assert severities(make(health={"sdq": {"score": None, "no_score_reason": "SDQ2"}}), "sdq") == []
    assert severities(make(health={"sdq": {"score": None, "no_score_reason": "SDQ1"}}), "sdq") == ["warning"]
    seventeen = make(health={"sdq": {"score": None}}, child={"date_of_birth": "2008-10-14"})
    sixteen = make(health={"sdq": {"score": None}}, child={"date_of_birth": "2008-10-15"})
    assert severities(seventeen, "sdq") == [] and severities(sixteen, "sdq") == ["warning"]
    new_to_care = make(health={"sdq": {"score": None}}, care={"date_became_looked_after": "2024-10-15"})
    assert severities(new_to_care, "sdq") == []


def test_legal_status_v2_cannot_go_with_placement_p1() -> None:
    (finding,) = found(make(care={"legal_status": "V2", "placement_type": "P1"}), "legal-status-placement")
    assert finding.severity == "error" and "rule 378" in finding.source
    assert found(make(care={"legal_status": "V2", "placement_type": "U4"}), "legal-status-placement") == []


def test_southwark_flags_a_school_graded_3_or_4() -> None:
    assert severities(make(education={"setting": {"ofsted_grade": "3"}}), "ofsted-grade") == ["warning"]
    assert severities(make(education={"setting": {"ofsted_grade": "4"}}), "ofsted-grade") == ["warning"]
    assert severities(make(education={"setting": {"ofsted_grade": "2"}}), "ofsted-grade") == []
    assert severities(make(education={"setting": {"ofsted_grade": "3"}}), "ofsted-grade", "kent") == []


# --- next due ---------------------------------------------------------------------------------------


def test_next_due_for_a_child_new_to_care_is_the_initial_deadline() -> None:
    pep = make(plan={"meeting_date": None, "pep_type": None, "pep_number_in_year": None, "next_pep_date": None},
               care={"date_became_looked_after": "2026-03-30"})  # fmt: skip
    due = next_due(pep, policy="southwark", on=date(2026, 4, 1))
    assert (due.date, due.rule, due.days_left, due.status) == (
        date(2026, 4, 15),
        "initial-pep-deadline",
        14,
        "due within 14 days",
    )
    assert next_due(pep, policy="staffordshire", on=date(2026, 4, 1)).date == add_working(date(2026, 3, 30), 20)


def add_working(start: date, days: int) -> date:
    from pepdocs.rules._calendar import add_working_days

    return add_working_days(start, days)


def test_next_due_takes_the_earliest_of_new_school_cycle_and_set_date() -> None:
    moved = make(education={"setting": {"start_date": "2025-11-03"}})
    due = next_due(moved, policy="southwark", on=date(2025, 11, 4))
    assert due.rule == "new-school-deadline" and due.date == date(2025, 12, 1)
    cited = load_policy("southwark").cite["next-pep-date"]
    planned = Due(date(2026, 5, 19), "the date set at the PEP on Tue 14 Oct 2025", "next-pep-date", cited, ON)
    assert next_due(make(), policy="southwark", on=ON) == planned


def test_next_due_in_southwark_is_the_lac_review_window() -> None:
    pep = make(plan={"meeting_date": "2025-09-10", "next_pep_date": None},
               care={"next_lac_review_date": "2026-01-20", "last_lac_review_date": "2025-07-22"})  # fmt: skip
    due = next_due(pep, policy="southwark", on=date(2025, 12, 24))
    assert (due.date, due.rule, due.status) == (date(2026, 1, 6), "lac-review-window", "due within 14 days")
    assert "between Tue 9 Dec 2025 and Tue 6 Jan 2026" in due.reason
    assert next_due(pep, policy="kent", on=date(2025, 12, 24)).rule == "review-cycle"


def test_next_due_is_the_planned_meeting_when_the_meeting_is_still_to_come() -> None:
    due = next_due(make(), policy="southwark", on=date(2025, 10, 1))
    assert due.date == date(2025, 10, 14) and "planned" in due.reason and due.status == "due within 14 days"


def test_next_due_is_unknown_without_any_dates() -> None:
    pep = make(plan={"meeting_date": None, "next_pep_date": None}, care={"date_became_looked_after": None})
    due = next_due(pep, policy="southwark", on=ON)
    assert due.date is None and due.status == "unknown" and due.reason.startswith("not known")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("early-years", set()),
        ("kent-secondary", set()),
        ("no-provision", set()),
        ("post-16-neet", {("next-pep-date", "warning")}),  # Southwark: no next date after the second PEP of a year
        ("southwark-primary", set()),
        ("southwark-review", set()),
    ],
)
def test_the_examples_check_as_expected_under_southwark_on_30_november_2026(
    name: str, expected: set[tuple[str, str]]
) -> None:
    findings = check(example(name), policy="southwark", on=date(2026, 11, 30))
    assert {(f.rule, f.severity) for f in findings} == expected


def test_the_kent_example_is_clean_under_kent_and_due_on_its_set_date() -> None:
    pep = example("kent-secondary")
    assert check(pep, policy="kent", on=date(2026, 11, 30)) == []
    assert next_due(pep, policy="kent", on=date(2026, 11, 30)).date == date(2027, 2, 24)


# --- policies ---------------------------------------------------------------------------------------


def test_the_built_in_policies_ship() -> None:
    assert builtin_policies() == ["dfe", "kent", "leicester", "luton", "sefton", "southwark", "staffordshire"]
    assert (POLICY_FOLDER / "terms-england.csv").is_file()


@pytest.mark.parametrize("name", ["dfe", "kent", "leicester", "luton", "sefton", "southwark", "staffordshire"])
def test_every_policy_cites_a_source_for_each_rule_it_sets(name: str) -> None:
    policy = load_policy(name)
    assert isinstance(policy, Policy) and policy.sources
    hosts = {urlparse(source.url).netloc.removeprefix("www.") for source in policy.sources}
    titles = {source.title.split(",")[0] for source in policy.sources}
    needed = {"review-cycle", "review-overdue", "target-count", "next-pep-date"}
    needed |= {"initial-pep-deadline"} if policy.initial_deadline_days else set()
    needed |= {"new-school-deadline"} if policy.new_school_deadline_days else set()
    needed |= {"lac-review-window"} if policy.lac_review_window_weeks else set()
    needed |= {"academic-target"} if policy.min_academic_targets else set()
    needed |= {"target-horizon"} if policy.target_horizon else set()
    needed |= {"target-owner"} if policy.require_target_owner else set()
    needed |= {"ofsted-grade"} if policy.flag_ofsted_grades else set()
    needed |= {"review-form-eligibility"} if policy.review_form else set()
    needed |= {"pp-plus-total"} if policy.fund_caps else set()
    needed |= {"event-pep"} if policy.events else set()
    needed |= {"submission-deadline"} if policy.submission_deadlines else set()
    needed |= {"ehcp-alignment"} if policy.ehcp_alignment_weeks else set()
    assert needed <= set(policy.cite), needed - set(policy.cite)
    listed = hosts | titles | {"CPPCR Regulations 2010"}
    for rule, citation in policy.cite.items():
        assert any(token in citation for token in listed), f"{name}: {rule} names none of its policy's sources"


def test_no_source_a_user_sees_names_an_internal_note() -> None:
    texts = [rule.source or "" for rule in RULES.values()]
    for name in builtin_policies():
        policy = load_policy(name)
        texts += [*policy.cite.values(), *(s.title + s.url for s in policy.sources)]
        texts += [area.cite for area in (policy.qa.areas.values() if policy.qa else [])]
    for text in texts:
        assert not re.search(r"seed \d|domain\.md|\(HAR\)|\(ENF\)|\(REG-", text), text


@pytest.mark.parametrize("name", builtin_policies())
def test_every_rule_shows_a_public_source_under_every_policy(name: str) -> None:
    policy = load_policy(name)
    for rule_id in RULES:
        source = _check._source(policy, rule_id)
        assert not re.search(r"/work/|\.toml|domain\.md|seed|[A-Za-z]:\\", source, re.IGNORECASE), (rule_id, source)


def test_a_finding_past_the_term_dates_names_no_folder(tmp_path: Path) -> None:
    every = check(example("kent-secondary"), policy="kent", on=date(2029, 10, 1))
    (finding,) = [f for f in every if "term dates" in f.message]
    assert "cannot count school days: the built-in term dates: they cover 2023-09-01" in finding.message
    assert "/" not in finding.message and "\\" not in finding.message
    (tmp_path / "our-terms.csv").write_text("term,start,end\nautumn,2025-09-01,2025-12-12\n", encoding="utf-8")
    (tmp_path / "ours.toml").write_text('extends = "kent"\nterm_dates = "our-terms.csv"\n', encoding="utf-8")
    ours = [f for f in check(example("kent-secondary"), policy=tmp_path / "ours.toml", on=date(2029, 10, 1))]
    shown = [f.message for f in ours if "cannot count" in f.message]
    assert shown and all("our-terms.csv: they cover" in m and str(tmp_path) not in m for m in shown)


def test_a_rule_with_no_public_source_is_a_warning_that_says_it_is_the_authoritys_choice(tmp_path: Path) -> None:
    path = tmp_path / "ours.toml"
    path.write_text(
        'name = "ours"\ntitle = "Our authority"\nreviews_per_year = 3\nreview_windows = "terms"\n'
        "min_academic_targets = 3\n"
        '[[sources]]\nid = "A"\ntitle = "A"\nurl = "https://example.org"\n',
        encoding="utf-8",
    )
    (finding,) = found(make(), "academic-target", str(path))
    assert finding.severity == "warning"
    assert finding.source.startswith("Our authority: the authority's own rule") and str(tmp_path) not in finding.source


def test_no_rule_branches_on_an_authority() -> None:
    code = inspect.getsource(_check)
    assert "policy.name" not in code
    assert not re.search(r"""==\s*["'](southwark|kent|leicester|sefton|staffordshire|luton)""", code, re.IGNORECASE)


def test_a_users_policy_file_extends_a_built_in_one_with_its_own_term_dates(tmp_path: Path) -> None:
    (tmp_path / "terms.csv").write_text("term,start,end\nautumn,2025-09-01,2025-12-12\n", encoding="utf-8")
    path = tmp_path / "our-policy.toml"
    path.write_text(
        'extends = "southwark"\ntitle = "Our authority"\nmax_targets = 4\nterm_dates = "terms.csv"\n'
        '[severity]\nofsted-grade = "off"\n[cite]\ntarget-count = "Our PEP guidance §3 (2026)"\n',
        encoding="utf-8",
    )
    policy = load_policy(path)
    assert (policy.name, policy.title, policy.max_targets, policy.initial_deadline_days) == (
        "our-policy",
        "Our authority",
        4,
        10,
    )
    assert policy.terms.parts[-1].end == date(2025, 12, 12)
    assert check(make(targets=_targets(4)), policy=path, on=ON) == []
    assert found(make(targets=[]), "target-count", str(path))[0].source == "Our PEP guidance §3 (2026)"
    assert found(make(education={"setting": {"ofsted_grade": "4"}}), "ofsted-grade", str(path)) == []


def test_a_users_policy_can_make_a_warning_an_error(tmp_path: Path) -> None:
    path = tmp_path / "strict.toml"
    path.write_text('extends = "southwark"\n[severity]\ntarget-count = "error"\n', encoding="utf-8")
    assert severities(make(targets=_targets(4)), "target-count", str(path)) == ["error"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('extends = "southwark"\nmax_targets = "three"\n', r"bad\.toml: max_targets: "),
        ('extends = "southwark"\nmax_target = 3\n', r"bad\.toml: max_target: not a policy key"),
        (
            'extends = "southwark"\nreviews_per_year = 3\n',
            r"bad\.toml: .*reviews_per_year is 3 but review_windows gives 2",
        ),
        ('extends = "southwark"\n[cite]\nno-such-rule = "x"\n', r"bad\.toml: cite\.no-such-rule: no rule has this id"),
        ('extends = "nowhere"\n', r"unknown policy 'nowhere'"),
        ('title = "x"\nreviews_per_year = 3\nreview_windows = "terms"\n', r"bad\.toml: sources: Field required"),
        ("max_targets = [\n", r"bad\.toml: not TOML"),
    ],
)
def test_a_bad_policy_file_is_a_pepdocs_error_naming_the_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(pepdocs.PepdocsError, match=message):
        load_policy(path)


def test_an_unknown_policy_name_lists_the_built_in_ones() -> None:
    with pytest.raises(pepdocs.InputError, match="built-in policies: dfe, kent"):
        check(make(), policy="atlantis", on=ON)


def test_every_rule_has_a_stable_id_and_says_what_it_checks() -> None:
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule_id) and rule.checks for rule_id, rule in RULES.items())
    assert len(RULES) >= 20


# --- the command line -------------------------------------------------------------------------------


def test_pepdocs_check_prints_each_finding_and_exits_0_without_errors() -> None:
    file = ROOT / "examples" / "post-16-neet.json"
    result = CliRunner().invoke(main, ["check", str(file), "--policy", "southwark", "--on", "2026-11-30"])
    assert result.exit_code == 0, result.output
    expected = [
        f"{file}: {finding}" for finding in check(pepdocs.read_pep(file), policy="southwark", on=date(2026, 11, 30))
    ]
    assert result.output.splitlines() == expected
    assert result.output.startswith(f"{file}: warning next-pep-date: ")


def test_pepdocs_check_exits_1_on_an_error_and_reports_every_file(tmp_path: Path) -> None:
    bad = tmp_path / "late.json"
    bad.write_text(make(targets=[]).to_json(), encoding="utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"plan": {"meeting_date": "someday"}}), encoding="utf-8")
    good = ROOT / "examples" / "southwark-review.json"
    result = CliRunner().invoke(
        main, ["check", str(good), str(bad), str(broken), "--on", "2026-05-19", "--policy", "southwark"]
    )
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert f"{good}: ok" in lines
    assert any(
        line.startswith(f"{bad}: error target-count: 0 targets") and "[Southwark procedure" in line for line in lines
    )
    assert any(line.startswith(f"{broken}: error invalid-record:") and "$.plan.meeting_date" in line for line in lines)


def test_pepdocs_check_takes_a_policy_file_and_an_unknown_policy_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "lenient.toml"
    path.write_text('extends = "southwark"\n[severity]\ntarget-count = "off"\n', encoding="utf-8")
    file = tmp_path / "pep.json"
    file.write_text(make(targets=[]).to_json(), encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(main, ["check", str(file), "--policy", str(path), "--on", "2025-10-21"]).exit_code == 0
    result = runner.invoke(main, ["check", str(file), "--policy", "atlantis"])
    assert result.exit_code == 1 and result.output.count("\n") == 1 and "unknown policy 'atlantis'" in result.output
