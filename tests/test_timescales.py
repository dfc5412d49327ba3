"""Timescales from the dates and the law (issue 15): each wrong answer the audit found, with the record that showed
it, now answered rightly; and every new rule on both sides of its boundary."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import pepdocs
from pepdocs.model._codes import LegalStatus, PlacementType
from pepdocs.rules._check import _due_dates, check, next_due
from pepdocs.rules._policy import load_policy
from pepdocs.rules._timeline import add_months, reviews
from tests.test_check import _merge, found, make, severities

NEW_TO_CARE = {
    # Mon; 10 working days end Mon 17 Nov, 20 end Mon 1 Dec
    "care": {"date_became_looked_after": "2025-11-03", "next_lac_review_date": None},
    "plan": {"pep_type": None, "pep_number_in_year": None, "next_pep_date": None, "previous_pep_date": None},
}


def new_to_care(**changes: Any) -> pepdocs.PEP:
    return make(**_merge(NEW_TO_CARE, changes))


# --- the first PEP is the first meeting on or after becoming looked after, whatever its label --------------


@pytest.mark.parametrize("label", ["termly", None])
def test_a_first_pep_20_working_days_late_is_caught_whatever_its_label(label: str | None) -> None:
    pep = new_to_care(plan={"pep_type": label, "meeting_date": "2025-12-01"})
    (finding,) = found(pep, "initial-pep-deadline", on=date(2025, 12, 5))
    assert finding.severity == "error" and "20 working days" in finding.message and "Mon 17 Nov 2025" in finding.message


def test_the_first_pep_on_day_10_is_in_time_and_day_11_late_without_a_label() -> None:
    assert found(new_to_care(plan={"meeting_date": "2025-11-17"}), "initial-pep-deadline", on=date(2025, 12, 5)) == []
    assert severities(
        new_to_care(plan={"meeting_date": "2025-11-18"}), "initial-pep-deadline", on=date(2025, 12, 5)
    ) == ["error"]


def test_an_earlier_pep_date_in_this_period_of_care_means_this_one_is_not_the_first() -> None:
    pep = new_to_care(plan={"meeting_date": "2025-12-01", "previous_pep_date": "2025-11-14"})
    assert found(pep, "initial-pep-deadline", on=date(2025, 12, 5)) == []


def test_a_new_school_pep_29_school_days_after_the_start_is_caught_untyped() -> None:
    # Started Mon 13 Apr 2026: 20 school days end Tue 12 May (4 May a bank holiday); the 29th is Mon 1 Jun,
    # after the May half-term.
    moved = {
        "education": {"setting": {"start_date": "2026-04-13"}},
        "plan": {
            "pep_type": "termly",
            "previous_pep_date": "2026-02-10",
            "pep_number_in_year": 2,
            "next_pep_date": None,
        },
    }
    late = make(**_merge(moved, {"plan": {"meeting_date": "2026-06-01"}}))
    (finding,) = found(late, "new-school-deadline", on=date(2026, 6, 3))
    assert finding.severity == "error" and "29 school days" in finding.message and "Tue 12 May 2026" in finding.message
    on_time = make(**_merge(moved, {"plan": {"meeting_date": "2026-05-12"}}))
    assert found(on_time, "new-school-deadline", on=date(2026, 6, 3)) == []


def test_an_outstanding_first_pep_with_no_meeting_is_a_finding_the_day_after_its_deadline() -> None:
    pep = new_to_care(plan={"meeting_date": None})
    assert found(pep, "initial-pep-deadline", on=date(2025, 11, 17)) == []
    (finding,) = found(pep, "initial-pep-deadline", on=date(2025, 11, 18))
    assert "no PEP meeting is recorded" in finding.message and finding.path == "$.care.date_became_looked_after"


# --- the statutory floor -------------------------------------------------------------------------------


def test_leicester_first_pep_deadline_is_capped_by_the_first_looked_after_review() -> None:
    # Became looked after Fri 25 Jul 2025: 10 school days end Tue 16 Sep, but the first review is due by
    # Fri 22 Aug (20 working days, reg 33(1)), and the PEP must be ready for it.
    pep = make(
        care={"date_became_looked_after": "2025-07-25"},
        plan={"meeting_date": None, "pep_type": None, "pep_number_in_year": None, "next_pep_date": None},
    )
    due = next_due(pep, policy="leicester", on=date(2025, 7, 28))
    assert due.date == date(2025, 8, 22) and "reg 33" in due.reason and due.rule == "initial-pep-deadline"
    held = {"plan": {"pep_type": "initial"}}
    on = date(2025, 9, 30)
    assert (
        found(
            make(
                **_merge(
                    {"care": {"date_became_looked_after": "2025-07-25"}, **held},
                    {"plan": {"meeting_date": "2025-08-22"}},
                )
            ),
            "initial-pep-deadline",
            "leicester",
            on,
        )
        == []
    )
    # Mon 25 Aug is a bank holiday: Tue 26 Aug is the 21st working day.
    late = make(
        **_merge({"care": {"date_became_looked_after": "2025-07-25"}, **held}, {"plan": {"meeting_date": "2025-08-26"}})
    )
    (finding,) = found(late, "initial-pep-deadline", "leicester", on)
    assert "Fri 22 Aug 2025" in finding.message and "looked-after review" in finding.message


def test_the_care_plan_floor_warns_where_the_local_rule_is_looser() -> None:
    on = date(2025, 12, 10)
    assert found(new_to_care(plan={"meeting_date": "2025-11-17"}), "care-plan-pep", "staffordshire", on) == []
    (finding,) = found(new_to_care(plan={"meeting_date": "2025-11-18"}), "care-plan-pep", "staffordshire", on)
    assert finding.severity == "warning" and "reg 4(2)" in finding.source
    assert found(new_to_care(plan={"meeting_date": "2025-11-18"}), "initial-pep-deadline", "staffordshire", on) == []
    # Southwark's own 10 working days already report it, as an error.
    assert found(new_to_care(plan={"meeting_date": "2025-11-18"}), "care-plan-pep", "southwark", on) == []


# --- the reg 33 review cycle, derived when review dates are not recorded --------------------------------


def test_reviews_follow_reg_33_from_the_care_start() -> None:
    dates = [review.date for review in reviews(new_to_care(), date(2026, 12, 31))]
    assert dates[:3] == [date(2025, 12, 1), date(2026, 3, 1), date(2026, 9, 1)]
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)


def test_after_an_initial_pep_southwark_wants_the_next_2_to_6_weeks_before_the_second_review() -> None:
    pep = new_to_care(plan={"pep_type": "initial", "meeting_date": "2025-11-17"})
    due = next_due(pep, policy="southwark", on=date(2025, 11, 20))
    # Two weeks before Sun 1 Mar is Sun 15 Feb: the window ends on the school day before, Fri 13 Feb.
    assert due.date == date(2026, 2, 13) and due.rule == "lac-review-window"
    assert "Sun 18 Jan 2026" in due.reason and "Fri 13 Feb 2026" in due.reason and "Sun 1 Mar 2026" in due.reason


@pytest.mark.parametrize(
    ("meeting", "warned"),
    [("2026-01-17", True), ("2026-01-18", False), ("2026-02-10", False), ("2026-02-13", False), ("2026-02-14", True)],
)
def test_a_pep_where_southwarks_2_to_6_weeks_want_it_is_in_cycle(meeting: str, warned: bool) -> None:
    pep = new_to_care(plan={"meeting_date": meeting, "previous_pep_date": "2025-11-17", "pep_type": "termly"})
    on = date(2026, 2, 20)
    assert bool(found(pep, "lac-review-window", on=on)) is warned
    assert bool(found(pep, "review-cycle", on=on)) is warned


def test_the_reg_33_chain_runs_on_to_the_date_asked_about() -> None:
    # In care since 1 May 2024, no review dates typed: reviews fall by 30 May 2024, 30 Aug 2024, then every six
    # months (28 Feb and 28 Aug); the one by Sat 28 Feb 2026 wants Southwark's PEP 2 to 6 weeks before it, as on
    # Tue 10 Feb.
    pep = new_to_care(
        care={"date_became_looked_after": "2024-05-01"},
        plan={"meeting_date": "2026-02-10", "previous_pep_date": "2025-10-07", "pep_type": "termly"},
    )
    on = date(2026, 2, 11)
    assert [r.date for r in reviews(pep, on)][-2:] == [date(2025, 8, 28), date(2026, 2, 28)]
    assert found(pep, "review-cycle", on=on) == [] and found(pep, "lac-review-window", on=on) == []
    candidates = _due_dates(pep, load_policy("southwark"), on)[0]
    (before_review,) = [due for due in candidates if due.rule == "lac-review-window"]
    assert "Fri 28 Aug 2026" in before_review.reason
    # Two weeks before the review is Fri 14 Aug, in the summer holiday: the last school day is Tue 21 Jul.
    assert before_review.date == date(2026, 7, 21) == next_due(pep, policy="southwark", on=on).date


@pytest.mark.parametrize(("label", "severity"), [("initial", "error"), ("termly", "warning"), (None, "warning")])
def test_a_first_recorded_pep_long_after_care_began_is_a_finding_whatever_its_label(
    label: str | None, severity: str
) -> None:
    pep = new_to_care(
        care={"date_became_looked_after": "2025-01-06"}, plan={"meeting_date": "2025-08-01", "pep_type": label}
    )
    (finding,) = found(pep, "initial-pep-deadline", on=date(2025, 9, 1))
    assert finding.severity == severity and "Mon 20 Jan 2025" in finding.message
    if severity == "warning":
        assert finding.message.startswith("no PEP is recorded between Mon 6 Jan 2025 and the meeting on Fri 1 Aug 2025")
    recorded = new_to_care(
        care={"date_became_looked_after": "2025-01-06"},
        plan={"meeting_date": "2025-08-01", "pep_type": label, "previous_pep_date": "2025-01-17"},
    )
    assert found(recorded, "initial-pep-deadline", on=date(2025, 9, 1)) == []


def test_recorded_review_dates_win_over_derived_ones() -> None:
    pep = new_to_care(
        care={"last_lac_review_date": "2025-11-25", "next_lac_review_date": "2026-02-20"},
        plan={"pep_type": "initial", "meeting_date": "2025-11-17"},
    )
    assert next_due(pep, policy="southwark", on=date(2025, 11, 20)).date == date(2026, 2, 6)


# --- phase-aware cycles --------------------------------------------------------------------------------


def _staffordshire_due(born: str, **changes: Any) -> pepdocs.PEP:
    return make(
        **_merge(
            {"child": {"date_of_birth": born}, "plan": {"meeting_date": "2025-10-14", "next_pep_date": None}}, changes
        )
    )


def test_staffordshire_post_16_cycle_by_year_group() -> None:
    on = date(2025, 10, 20)
    year12 = next_due(_staffordshire_due("2009-03-01"), policy="staffordshire", on=on)
    assert year12.date == date(2026, 7, 21) and "Year 12" in year12.reason  # winter (autumn) then summer
    year13 = next_due(_staffordshire_due("2008-03-01"), policy="staffordshire", on=on)
    assert year13.date == date(2026, 3, 27) and "Year 13" in year13.reason  # spring only
    neet = next_due(
        _staffordshire_due("2009-03-01", post16={"eet_status": "neet_seeking"}), policy="staffordshire", on=on
    )
    assert neet.date == date(2025, 12, 19) and "not in education" in neet.reason
    # Other policies keep their termly cycle at post-16.
    assert next_due(_staffordshire_due("2009-03-01"), policy="luton", on=on).date == date(2026, 3, 27)


@pytest.mark.parametrize(
    "inspection",
    [
        {"overall": "3", "inspected_on": "2023-05-10"},
        {"quality_of_education": "2", "leadership_management": "3", "inspected_on": "2025-02-04"},
        {
            "report_card": {"attendance_behaviour": "needs_attention", "inclusion": "expected"},
            "inspected_on": "2026-01-20",
        },
        {"report_card": {"achievement": "expected", "safeguarding_met": False}, "inspected_on": "2026-01-20"},
    ],
)
def test_half_termly_and_flagged_from_a_dated_inspection_of_any_framework(inspection: dict[str, Any]) -> None:
    pep = make(
        plan={"meeting_date": "2025-09-10", "next_pep_date": None},
        education={"setting": {"ofsted_grade": None, "inspection": inspection}},
    )
    due = next_due(pep, policy="staffordshire", on=date(2025, 9, 11))
    assert due.date == date(2025, 12, 19) and "half-term" in due.reason
    assert severities(pep, "ofsted-grade", "southwark") == ["warning"]


def test_a_school_at_the_expected_standard_keeps_the_termly_cycle() -> None:
    card = {"report_card": {"achievement": "expected", "inclusion": "strong", "safeguarding_met": True}}
    pep = make(
        plan={"meeting_date": "2025-09-10", "next_pep_date": None},
        education={"setting": {"ofsted_grade": None, "inspection": card}},
    )
    assert next_due(pep, policy="staffordshire", on=date(2025, 9, 11)).date == date(2026, 3, 27)
    assert severities(pep, "ofsted-grade", "southwark") == []


def test_staffordshire_early_years_peps_start_at_the_setting() -> None:
    nursery = {
        "child": {"date_of_birth": "2023-01-15"},
        "care": {"date_became_looked_after": "2025-09-01"},
        "plan": {"meeting_date": None, "pep_type": None, "pep_number_in_year": None, "next_pep_date": None},
        "education": {"setting": {"name": None, "start_date": None}},
    }
    waiting = make(**nursery)
    assert found(waiting, "initial-pep-deadline", "staffordshire", date(2025, 11, 30)) == []
    assert next_due(waiting, policy="staffordshire", on=date(2025, 11, 30)).date is None
    started = make(**_merge(nursery, {"education": {"setting": {"name": "Little Acorns", "start_date": "2025-10-01"}}}))
    assert next_due(started, policy="staffordshire", on=date(2025, 10, 2)).date == date(2025, 10, 29)
    assert found(started, "initial-pep-deadline", "staffordshire", date(2025, 10, 29)) == []
    assert severities(started, "initial-pep-deadline", "staffordshire", date(2025, 10, 30)) == ["error"]


# --- event-triggered PEPs ----------------------------------------------------------------------------


def test_kent_wants_a_pep_after_a_placement_move_within_20_school_days() -> None:
    # Moved Mon 5 Oct 2026; half-term 26-30 Oct; the 20th school day is Mon 9 Nov.
    year5 = {"date_of_birth": "2016-05-01"}  # no key stage starts this year
    pep = make(
        child=year5,
        care={"placement_start_date": "2026-10-05"},
        plan={"meeting_date": "2026-06-10", "next_pep_date": "2026-11-20"},
    )
    assert found(pep, "event-pep", "kent", date(2026, 11, 9)) == []
    (finding,) = found(pep, "event-pep", "kent", date(2026, 11, 10))
    assert finding.severity == "warning" and "placement move" in finding.message and "Mon 9 Nov 2026" in finding.message
    assert "pepdocs' choice" in finding.source
    moved_then_met = make(child=year5, care={"placement_start_date": "2026-10-05"}, plan={"meeting_date": "2026-11-09"})
    assert found(moved_then_met, "event-pep", "kent", date(2026, 11, 30)) == []


def test_kent_wants_a_pep_on_entering_year_7() -> None:
    # Year 7 from Thu 3 Sep 2026: 20 school days end Thu 1 Oct.
    year7 = {"child": {"date_of_birth": "2014-10-01"}, "education": {"setting": {"start_date": "2026-09-03"}}}
    last_year = make(**_merge(year7, {"plan": {"meeting_date": "2026-06-10", "next_pep_date": "2026-12-01"}}))
    (finding,) = found(last_year, "event-pep", "kent", date(2026, 11, 30))
    assert "key stage entry" in finding.message and "Thu 1 Oct 2026" in finding.message
    in_time = make(**_merge(year7, {"plan": {"meeting_date": "2026-10-01", "previous_pep_date": "2026-06-10"}}))
    assert found(in_time, "event-pep", "kent", date(2026, 11, 30)) == []


def test_staffordshire_wants_a_pep_before_a_planned_transition() -> None:
    # Moving Mon 1 Jun 2026: the 20 school days before it start Fri 24 Apr (4 May a bank holiday).
    moving = {"education": {"transition_date": "2026-06-01"}}
    planned = make(**_merge(moving, {"plan": {"meeting_date": "2026-04-24", "next_pep_date": "2026-07-10"}}))
    assert found(planned, "event-pep", "staffordshire", date(2026, 6, 2)) == []
    early = make(**_merge(moving, {"plan": {"meeting_date": "2026-04-23", "next_pep_date": "2026-07-10"}}))
    assert found(early, "event-pep", "staffordshire", date(2026, 6, 1)) == []
    (finding,) = found(early, "event-pep", "staffordshire", date(2026, 6, 2))
    assert "transition" in finding.message and "Mon 1 Jun 2026" in finding.message


def test_sefton_wants_a_new_pep_after_an_in_year_transfer_but_not_a_september_start() -> None:
    moved = make(
        education={"setting": {"start_date": "2026-01-12"}},
        plan={"meeting_date": "2025-10-14", "next_pep_date": "2026-03-20"},
    )
    assert severities(moved, "event-pep", "sefton", date(2026, 3, 1)) == ["warning"]
    september = make(education={"setting": {"start_date": "2025-09-03"}}, plan={"meeting_date": "2025-10-14"})
    assert found(september, "event-pep", "sefton", date(2026, 3, 1)) == []


# --- submission and completion -----------------------------------------------------------------------


def test_sefton_submission_dates_for_2023_24() -> None:
    autumn = {"plan": {"meeting_date": "2023-11-01", "next_pep_date": "2024-03-01", "academic_year": None}}
    assert (
        found(
            make(**_merge(autumn, {"plan": {"submitted_on": "2023-11-17"}})),
            "submission-deadline",
            "sefton",
            date(2023, 12, 1),
        )
        == []
    )
    (late,) = found(
        make(**_merge(autumn, {"plan": {"submitted_on": "2023-11-20"}})),
        "submission-deadline",
        "sefton",
        date(2023, 12, 1),
    )
    assert late.severity == "error" and "Fri 17 Nov 2023" in late.message and late.path == "$.plan.submitted_on"
    missing = make(**autumn)
    assert found(missing, "submission-deadline", "sefton", date(2023, 11, 17)) == []
    assert severities(missing, "submission-deadline", "sefton", date(2023, 11, 18)) == ["error"]
    # A year the policy holds no dates for is not judged.
    assert found(make(plan={"submitted_on": "2026-12-20"}), "submission-deadline", "sefton") == []


def test_a_users_policy_adds_submission_years(tmp_path: Path) -> None:
    path = tmp_path / "sefton-2026.toml"
    path.write_text('extends = "sefton"\n[submission_deadlines."2025-26"]\nautumn = 2025-11-21\n', encoding="utf-8")
    policy = pepdocs.load_policy(path)
    assert set(policy.submission_deadlines) == {"2023-24", "2025-26"}
    late = make(plan={"submitted_on": "2025-11-24"})
    assert severities(late, "submission-deadline", str(path), date(2025, 12, 1)) == ["error"]


def test_completion_and_submission_dates_round_trip_in_the_model() -> None:
    pep = make(plan={"completed_on": "2025-10-20", "submitted_on": "2025-10-21"})
    again = pepdocs.PEP.model_validate_json(pep.to_json())
    assert (again.plan.completed_on, again.plan.submitted_on) == (date(2025, 10, 20), date(2025, 10, 21))


# --- EHCP alignment ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("review", "warned"), [("2025-11-11", False), ("2025-11-12", True), ("2025-09-16", False), ("2025-09-15", True)]
)
def test_southwark_wants_a_pep_within_4_weeks_of_the_ehcp_annual_review(review: str, warned: bool) -> None:
    pep = make(education={"sen": {"status": "E", "ehcp_annual_review_date": review}})  # meeting Tue 14 Oct 2025
    assert bool(found(pep, "ehcp-alignment", on=date(2025, 12, 5))) is warned


# --- funds --------------------------------------------------------------------------------------------


def _items(*items: tuple[str | None, str]) -> dict[str, Any]:
    return {
        "items": [
            {"intervention": "Support", "cost": cost, "linked_target": 1, **({"fund": fund} if fund else {})}
            for fund, cost in items
        ]
    }


def test_lutons_pp_plus_cap_is_not_applied_to_a_nursery_childs_eypp() -> None:
    nursery = {"child": {"date_of_birth": "2022-01-15"}}  # Year -1 (nursery) in 2025-26
    for items in (_items(("eypp", "700")), _items((None, "700"))):
        assert found(make(**nursery, pupil_premium=items), "pp-plus-total", "luton") == []
    (finding,) = found(make(pupil_premium=_items(("pp_plus", "400"), (None, "201"))), "pp-plus-total", "luton")
    assert "Pupil Premium Plus items total £601.00" in finding.message
    assert found(make(pupil_premium=_items(("pp_plus", "400"), ("school", "900"))), "pp-plus-total", "luton") == []


@pytest.mark.parametrize(
    ("born", "capped"), [("2021-08-31", True), ("2021-09-01", False), ("2010-08-31", True), ("2009-08-31", False)]
)
def test_lutons_cap_covers_reception_to_year_11(born: str, capped: bool) -> None:
    # On Tue 14 Oct 2025: born 31 Aug 2021 is in Reception, 1 Sep 2021 in nursery; 31 Aug 2010 in Year 11,
    # 31 Aug 2009 in Year 12.
    pep = make(child={"date_of_birth": born}, pupil_premium=_items(("pp_plus", "601")))
    assert bool(found(pep, "pp-plus-total", "luton")) is capped


def test_pp_plus_for_a_nursery_child_is_flagged_and_last_terms_items_need_impact() -> None:
    nursery = make(child={"date_of_birth": "2022-01-15"}, pupil_premium=_items(("pp_plus", "100")))
    (finding,) = found(nursery, "pp-plus-years")
    assert "Early Years Pupil Premium" in finding.message
    previous = {
        "previous_items": [
            {"intervention": "Tutoring", "fund": "pp_plus", "cost": "300", "released": True},
            {"intervention": "Reading", "actual_impact": "Reading age up 8 months"},
        ]
    }
    (missing,) = found(make(pupil_premium=previous), "pp-plus-impact", "luton")
    assert missing.path == "$.pupil_premium.previous_items[0].actual_impact"
    assert make(pupil_premium=previous).pupil_premium.previous_items[0].cost == Decimal("300")


# --- codes by collection year -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "meeting", "warned"),
    [
        ("H5", "2025-03-31", False),
        ("H5", "2025-04-01", True),
        ("K3", "2024-03-31", True),
        ("K3", "2024-04-01", False),
        ("Z11", "2025-03-31", True),
        ("Z11", "2025-04-01", False),
        ("U4", "2022-06-01", False),
    ],
)
def test_placement_types_are_valid_by_collection_year(code: str, meeting: str, warned: bool) -> None:
    pep = make(care={"placement_type": code}, plan={"meeting_date": meeting})
    findings = found(pep, "placement-type-year", on=date.fromisoformat(meeting))
    assert bool(findings) is warned and all(f.severity == "warning" for f in findings)


def test_code_labels_are_the_published_ones() -> None:
    assert "intensive fostering" in LegalStatus.J3.label
    assert all("(Z1" not in code.label for code in PlacementType)


# --- no error a source does not support ----------------------------------------------------------------


@pytest.mark.parametrize("policy", ["dfe", "kent", "leicester", "luton", "sefton", "staffordshire"])
def test_no_next_pep_date_is_a_warning_where_no_source_makes_it_an_error(policy: str) -> None:
    pep = make(plan={"next_pep_date": None})
    assert severities(pep, "next-pep-date", policy) == ["warning"]
    assert not any(
        f.severity == "error" and f.rule == "next-pep-date" for f in check(pep, policy=policy, on=date(2025, 10, 21))
    )


def test_no_finding_or_due_reason_carries_a_name_from_the_record() -> None:
    pep = make(
        child={"first_name": "SECRETNAME"},
        education={"setting": {"name": "SECRETSCHOOL", "start_date": "2026-01-12"}},
        care={"placement_start_date": "2026-01-05"},
        plan={"meeting_date": "2025-10-14"},
    )
    for policy in ("southwark", "kent", "sefton", "staffordshire"):
        texts = [str(f) for f in check(pep, policy=policy, on=date(2026, 3, 1))]
        texts.append(next_due(pep, policy=policy, on=date(2026, 3, 1)).reason)
        assert texts and not any("SECRET" in text for text in texts)


def test_a_booked_first_review_is_the_first_and_the_second_follows_within_3_months() -> None:
    pep = new_to_care(care={"next_lac_review_date": "2025-11-25"})
    dates = [(review.date, review.number, review.recorded) for review in reviews(pep, date(2026, 3, 1))]
    assert dates[:2] == [(date(2025, 11, 25), 1, True), (date(2026, 2, 25), 2, False)]
    # The first PEP is then due for that review, earlier than reg 33's latest date.
    assert next_due(
        new_to_care(care={"next_lac_review_date": "2025-11-25"}, plan={"meeting_date": None}),
        policy="staffordshire",
        on=date(2025, 11, 4),
    ).date == date(2025, 11, 25)
