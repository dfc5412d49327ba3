"""Which form or forms a child needs, and why: the policy names the home forms, each spec says when it applies."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pepdocs._errors import FormError
from pepdocs.forms._spec import Form, get_form, list_forms
from pepdocs.model._pep import PEP
from pepdocs.rules._policy import Policy, load_policy
from pepdocs.rules._review_form import review_form_allowed


@dataclass(frozen=True)
class FormChoice:
    """A form a child needs, with the reason in words a social worker would give."""

    form: str
    reason: str


def has_no_provision(pep: PEP) -> bool:
    """Whether the child has no school or other educational provision (of any age from Year 1).

    A setting known by its name, URN, LAESTAB or LA is a school the child attends.
    """
    setting = pep.education.setting
    if pep.no_provision.reasons:
        return True
    known = (setting.name, setting.urn, setting.laestab, setting.la, setting.alternative_provision)
    return all(part is None for part in known) and (pep.year_group or 0) >= 1


def school_form(pep: PEP, home_la: str) -> Form | None:
    """The form of the authority the school is in, when pepdocs knows one and it serves the child's year group."""
    setting = pep.education.setting
    la = setting.la or (setting.laestab or "")[:3] or None
    if la is None or la == home_la:
        return None
    year = pep.year_group
    for form in list_forms():
        span = form.applies.years
        if la in form.applies.la and (span is None or year is None or span[0] <= year <= span[1]):
            return form
    return None


def stage_name(year: int) -> str:
    """A year group in words: nursery, Reception, Year 1 ..."""
    return f"Year {year}" if year >= 1 else "Reception" if year == 0 else "nursery"


def _by_years(form: Form, year: int | None) -> FormChoice | None:
    span = form.applies.years
    if span is None or year is None or not span[0] <= year <= span[1]:
        return None
    return FormChoice(form.id, f"in {stage_name(year)}: {form.applies.reason or form.short_title}")


def _record(pep: PEP, policy: Policy, record: Form, review: Form | None) -> FormChoice:
    """The home authority's record: its review form when the child may have one, else its full form."""
    rule = policy.review_form
    verdict = None if review is None or rule is None else review_form_allowed(pep, rule)
    if review is not None and verdict is not None and verdict.allowed:
        return FormChoice(review.id, f"{review.applies.reason or review.short_title}: {verdict.reason}")
    reason = (
        policy.forms.record_reason if policy.forms else None
    ) or f"{record.short_title}, the home authority's record"
    if verdict is not None and rule is not None and pep.plan.pep_number_in_year == rule.pep_number:
        reason += f" ({verdict.reason})"
    if pep.year_group is None:
        reason += "; the year group is not known"
    return FormChoice(record.id, reason)


def home_forms(policy: str | Path | Policy) -> dict[str, Form]:
    """The forms a policy's `[forms]` table names, by when each is used (record, review, post_16, ...)."""
    chosen = load_policy(policy)
    if chosen.forms is None:
        raise FormError(
            f'policy {chosen.name!r} names no forms; give it a [forms] table with at least record = "form id"'
        )
    named = chosen.forms.model_dump(exclude={"also_record"})
    return {kind: get_form(form_id) for kind, form_id in named.items() if form_id}


def select_form(pep: PEP, *, policy: str | Path | Policy) -> list[FormChoice]:
    """The form or forms this child needs under the home authority's `policy`, each with its reason; the record last.

    The policy's `[forms]` table names the home forms; each form spec's `[applies]` says when it is
    used. A school in another authority whose form pepdocs knows gets that form first.
    """
    chosen = load_policy(policy)
    home = home_forms(chosen)
    mine = _home_choice(pep, chosen, home)
    theirs = school_form(pep, home["record"].authority_la)
    if theirs is None:
        return [mine]
    reason = (
        theirs.applies.reason
        or f"the school is in LA {theirs.applies.la[0]}, whose schools use {theirs.authority}'s form"
    )
    also = chosen.forms.also_record if chosen.forms is not None else ""
    return [FormChoice(theirs.id, reason), FormChoice(mine.form, f"{also}; {mine.reason}")]


def _home_choice(pep: PEP, policy: Policy, home: dict[str, Form]) -> FormChoice:
    """The home authority's own form for this child: by phase, no provision, review, else the record."""
    year = pep.year_group
    for kind in ("post_16", "early_years"):
        by_years = _by_years(home[kind], year) if kind in home else None
        if by_years is not None:
            return by_years
    if "no_provision" in home and home["no_provision"].applies.no_provision and has_no_provision(pep):
        form = home["no_provision"]
        return FormChoice(form.id, form.applies.reason or form.short_title)
    return _record(pep, policy, home["record"], home.get("review"))
