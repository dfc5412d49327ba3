"""Which form or forms a child needs, and why (Southwark procedure §4, §8, §9; domain.md §5 rule 13)."""

from __future__ import annotations

from dataclasses import dataclass

from pepdocs._errors import FormError
from pepdocs.model._pep import PEP
from pepdocs.rules._review_form import review_form_allowed

KENT = "886"
SOUTHWARK = "210"


@dataclass(frozen=True)
class FormChoice:
    """A form a child needs, with the reason in words a social worker would give."""

    form: str
    reason: str


def has_no_provision(pep: PEP) -> bool:
    """Whether the child has no school or other educational provision (of any age from Year 1)."""
    setting = pep.education.setting
    if pep.no_provision.reasons:
        return True
    return setting.name is None and setting.alternative_provision is None and (pep.year_group or 0) >= 1


def select_form(pep: PEP, *, home: str = "southwark") -> list[FormChoice]:
    """The form or forms this child needs, each with its reason; the home authority's record form last."""
    if home.casefold() != "southwark":
        raise FormError(f"pepdocs chooses forms for home authority 'southwark' only, not {home!r}")
    year = pep.year_group
    if year is not None and year >= 12:
        neet = " (its NEET section covers having no provision)" if has_no_provision(pep) else ""
        return [FormChoice("post-16", f"in Year {year}: a post-16 PEP{neet}")]
    if year is not None and year <= 0:
        stage = "Reception" if year == 0 else "nursery"
        return [FormChoice("early-years", f"in {stage}: an early-years PEP")]
    if has_no_provision(pep):
        return [FormChoice("no-provision", "of school age and in no school or alternative provision (procedure §8)")]
    setting = pep.education.setting
    la = setting.la or (setting.laestab or "")[:3] or None
    review, why = review_form_allowed(pep)
    record = (
        FormChoice("southwark-review", f"the review form may be used: {why}")
        if review
        else FormChoice(
            "southwark-full",
            "Southwark's full PEP" + (f" ({why})" if pep.plan.pep_number_in_year == 2 else "")
            + ("" if year is not None else "; the year group is not known"),
        )
    )
    if la == KENT:
        kent = FormChoice("kent", "the school is in Kent (886), whose schools must use Kent's form (procedure §9)")
        return [kent, FormChoice(record.form, "Southwark's record must also be made (procedure §9); " + record.reason)]
    return [record]
