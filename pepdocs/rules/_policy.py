"""Per-authority PEP policies as data: one TOML file each in pepdocs/rules/policies/, or a user's own file.

A policy says what the checker and the due-date tracker need to know about one authority: its
deadlines and the days they are counted in, its review cycle, its rules for targets, and where each of
those comes from (`sources`, and `cite` per rule). A user's file may start from a built-in one with
`extends = "southwark"`: its tables (`cite`, `severity`, `forms`) are merged, `sources` added to, other keys replaced.
"""

from __future__ import annotations

import tomllib
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from pepdocs._errors import InputError
from pepdocs.model._codes import Fund, OfstedGrade, ReportCardGrade, Term
from pepdocs.rules._calendar import TermDates, term_dates

POLICY_FOLDER = Path(__file__).resolve().parent / "policies"

Basis = Literal["working", "school"]
Severity = Literal["error", "warning"]


def _as_text(value: Any) -> Any:
    """Ofsted grades may be written 3 or "3"."""
    if isinstance(value, list):
        return [str(item) if isinstance(item, int) else item for item in value]
    return value


Grades = Annotated[list[OfstedGrade], BeforeValidator(_as_text)]


class Citation(BaseModel):
    """A public source a policy rests on: a regulation, guidance or an authority's page, with its address."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title: str
    url: str


class EventRule(BaseModel):
    """A PEP an event calls for: within `days` (working or school) of it, or, for a transition, before it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    days: Annotated[int, Field(ge=1, le=365)]
    basis: Basis = "school"
    severity: Severity = "warning"
    years: list[Annotated[int, Field(ge=-3, le=14)]] = Field(
        default_factory=list, description="For key-stage entry: the year groups that start a key stage"
    )


class FundCap(BaseModel):
    """The most one fund pays for this child a term, for the year groups it covers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fund: Fund
    amount: Annotated[Decimal, Field(ge=0, decimal_places=2)]
    years: tuple[int, int] | None = Field(
        default=None, description="Year groups covered, first and last (Reception = 0)"
    )


class QaArea(BaseModel):
    """One area a virtual school rates red, amber or green, with the thresholds for each."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str
    green_at: Annotated[float, Field(ge=0)]
    amber_at: Annotated[float, Field(ge=0)]
    cite: str
    years: list[Annotated[int, Field(ge=-3, le=14)]] = Field(
        default_factory=list, description="For transitions: the year groups whose PEP must plan the move"
    )

    @model_validator(mode="after")
    def _ordered(self) -> QaArea:
        if self.amber_at > self.green_at:
            raise ValueError("amber_at must not be above green_at")
        return self


class QaCriteria(BaseModel):
    """The red, amber and green rating of a PEP, area by area, and how the areas make the overall rating."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str
    red_overall_at: Annotated[int, Field(ge=1)] = Field(description="This many red areas make the PEP red")
    amber_overall_at: Annotated[int, Field(ge=1)] = Field(description="This many amber areas make the PEP amber")
    areas: dict[str, QaArea]


class ReviewWindow(BaseModel):
    """Months of the year in which one of the year's PEPs is held (e.g. autumn: 9 to 12)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    months: Annotated[list[Annotated[int, Field(ge=1, le=12)]], Field(min_length=1, max_length=12)]

    @model_validator(mode="after")
    def _contiguous(self) -> ReviewWindow:
        if any(after != before % 12 + 1 for before, after in zip(self.months, self.months[1:], strict=False)):
            raise ValueError("months must run on from one to the next, e.g. [9, 10, 11, 12] or [11, 12, 1]")
        return self


class ReviewFormRule(BaseModel):
    """When the home authority's simpler review form may be used instead of its full form."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pep_number: Annotated[int, Field(ge=1, le=6)] = Field(description="Which PEP of the academic year it may be")
    stable_months: Annotated[int, Field(ge=1, le=24)] = Field(
        description="Months at the same school with no placement move, suspension or exclusion"
    )
    min_attendance: Annotated[Decimal, Field(ge=0, le=100)] | None = Field(
        default=None, description="Attendance (%) below which the form is not used; a warning, not an error"
    )


class PolicyForms(BaseModel):
    """The home authority's forms by when each is used (form ids); `record` when no other applies."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    post_16: str | None = None
    early_years: str | None = None
    no_provision: str | None = None
    review: str | None = None
    record: str
    record_reason: str | None = Field(
        default=None, description="Why the record form is used, in a social worker's words; else its short title"
    )
    also_record: str = Field(
        default="the home authority's record must also be made",
        description="Why the record form is still needed when a school's own authority's form comes first",
    )


class Policy(BaseModel):
    """One authority's PEP rules, read from a TOML file; `file` is where it came from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    title: str
    sources: Annotated[list[Citation], Field(min_length=1)]
    cite: dict[str, str] = Field(default_factory=dict, description="Rule id -> where that rule comes from")
    severity: dict[str, Literal["error", "warning", "off"]] = Field(
        default_factory=dict, description="Rule id -> a severity that replaces the rule's own, or off"
    )

    initial_deadline_days: Annotated[int, Field(ge=1, le=365)] | None = None
    initial_deadline_basis: Basis = "working"
    new_school_deadline_days: Annotated[int, Field(ge=1, le=365)] | None = None
    new_school_deadline_basis: Basis = "school"

    reviews_per_year: Annotated[int, Field(ge=1, le=6)]
    review_windows: Literal["terms", "half_terms"] | list[ReviewWindow] = Field(
        description='"terms" (the school terms), "half_terms", or named windows of months'
    )
    half_termly_if_ofsted: Grades = Field(
        default_factory=list,
        description="Grades (overall or any 2024-25 sub-judgement) that make the cycle half-termly",
    )
    half_termly_if_report_card: list[ReportCardGrade] = Field(
        default_factory=list, description="Report-card grades, in any area, that make the cycle half-termly"
    )
    post16_terms: dict[str, list[Term]] = Field(
        default_factory=dict,
        description='Year group -> the terms its PEPs are held in, e.g. {"12": ["autumn", "summer"]}',
    )
    neet_cycle: Literal["terms", "half_terms"] | None = Field(
        default=None, description="The cycle for a young person not in education, employment or training"
    )
    early_years_from_setting: bool = Field(
        default=False, description="Below Reception, PEPs start when the child starts at an early-years setting"
    )
    statutory_floor: bool = Field(
        default=True, description="Cap the first-PEP deadline at the first looked-after review (reg 33)"
    )
    events: dict[Literal["placement_move", "in_year_transfer", "key_stage_entry", "transition"], EventRule] = Field(
        default_factory=dict
    )
    lac_review_window_weeks: tuple[int, int] | None = Field(
        default=None, description="The meeting falls this many weeks (at least, at most) before the next LAC review"
    )

    min_targets: Annotated[int, Field(ge=0)] = 0
    max_targets: Annotated[int, Field(ge=1)] | None = None
    max_targets_severity: Severity = "warning"
    min_academic_targets: Annotated[int, Field(ge=0)] = 0
    target_horizon: Annotated[int, Field(ge=1)] | Literal["end_of_next_term"] | None = Field(
        default=None, description="Targets fall due within this many days of the meeting, or by the end of next term"
    )
    require_target_owner: bool = False
    next_pep_date: Literal["first_of_year_only", "always"] | None = None
    submission_deadlines: dict[str, dict[Term, date]] = Field(
        default_factory=dict, description='Academic year ("2023-24") -> term -> the date the PEP must be submitted by'
    )
    ehcp_alignment_weeks: Annotated[int, Field(ge=1, le=26)] | None = Field(
        default=None, description="A PEP each year falls within this many weeks of the EHCP annual review"
    )

    fund_caps: list[FundCap] = Field(default_factory=list, description="Termly caps by fund and year group")
    flag_ofsted_grades: Grades = Field(default_factory=list, description="School grades the authority flags")
    flag_report_card: list[ReportCardGrade] = Field(
        default_factory=list, description="Report-card grades, in any area, the authority flags"
    )
    qa: QaCriteria | None = Field(
        default=None, description="Quality-assurance criteria; the national default when absent"
    )
    review_form: ReviewFormRule | None = Field(
        default=None, description="When the review form (forms.review) may be used; without it, never"
    )
    term_dates: str | None = Field(default=None, description="CSV or XLSX of term dates, relative to this file")
    forms: PolicyForms | None = Field(default=None, description="The home authority's forms, by when each is used")

    file: str = Field(default="", description="The TOML file the policy was read from")

    @model_validator(mode="after")
    def _consistent(self) -> Policy:
        windows = self.review_windows
        expected = {"terms": 3, "half_terms": 6}.get(windows) if isinstance(windows, str) else len(windows)
        if expected != self.reviews_per_year:
            raise ValueError(f"reviews_per_year is {self.reviews_per_year} but review_windows gives {expected} a year")
        if self.max_targets is not None and self.max_targets < self.min_targets:
            raise ValueError("max_targets is less than min_targets")
        if self.forms is not None and self.forms.review is not None and self.review_form is None:
            raise ValueError("forms.review needs a [review_form] table saying when the review form may be used")
        weeks = self.lac_review_window_weeks
        if weeks is not None and not 0 <= weeks[0] <= weeks[1]:
            raise ValueError(
                "lac_review_window_weeks must be [at least, at most] weeks, the first not above the second"
            )
        return self

    @property
    def terms(self) -> TermDates:
        """The term dates this policy counts school days in."""
        if self.term_dates is None:
            return term_dates(None)
        return term_dates(Path(self.file).parent / self.term_dates)

    def source_for(self, rule: str) -> str | None:
        """Where this policy says a rule comes from."""
        return self.cite.get(rule)


def builtin_policies() -> list[str]:
    """Names of the policies pepdocs ships."""
    return sorted(path.stem for path in POLICY_FOLDER.glob("*.toml"))


def load_policy(policy: str | Path | Policy) -> Policy:
    """A built-in policy by name (southwark, kent, ...) or one read from a TOML file; InputError names file and key."""
    if isinstance(policy, Policy):
        return policy
    path = _locate(policy)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = -1  # _load reports the file as unreadable
    return _load_once(str(path), stamp)


@lru_cache(maxsize=32)
def _load_once(path: str, _stamp: int) -> Policy:
    return _load(Path(path), frozenset())


def _locate(policy: str | Path) -> Path:
    text = str(policy)
    if isinstance(policy, Path) or text.endswith(".toml") or "/" in text or "\\" in text:
        return Path(policy)
    builtin = POLICY_FOLDER / f"{text.strip().casefold()}.toml"
    if not builtin.is_file():
        raise InputError(f"unknown policy {text!r}; built-in policies: {', '.join(builtin_policies())}")
    return builtin


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as error:
        raise InputError(f"cannot read the policy ({error.strerror or error.__class__.__name__})", str(path)) from None
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"not TOML: {error}", str(path)) from None
    except RecursionError:  # arrays or tables nested thousands deep: no policy is
        raise InputError("not a policy: its TOML nests too deep to read", str(path)) from None


def _load(path: Path, seen: frozenset[Path]) -> Policy:
    data = _read_toml(path)
    data.setdefault("name", path.stem)
    base_name = data.pop("extends", None)
    if base_name is not None:
        if not isinstance(base_name, str):
            raise InputError("extends: must be the name or file of another policy", str(path))
        base_path = _locate(base_name if not base_name.endswith(".toml") else str(path.parent / base_name))
        if base_path.resolve() in seen | {path.resolve()}:
            raise InputError(f"extends: {base_name!r} extends this policy again", str(path))
        base = _load(base_path, seen | {path.resolve()})
        data = _merge(base.model_dump(exclude={"file"}, exclude_none=True), data, base)
    data["file"] = str(path)
    try:
        loaded = Policy.model_validate(data)
    except ValidationError as error:
        raise InputError("; ".join(_describe(item) for item in error.errors(include_url=False)), str(path)) from None
    _known_rules(loaded)
    return loaded


def _known_rules(policy: Policy) -> None:
    """Refuse a `cite` or `severity` key that names no rule, so a typo cannot silently do nothing."""
    from pepdocs.rules._check import RULES  # the rules register themselves there, which imports this module

    for table in ("cite", "severity"):
        unknown = sorted(set(getattr(policy, table)) - set(RULES))
        if unknown:
            raise InputError(f"{table}.{unknown[0]}: no rule has this id; rules: {', '.join(RULES)}", policy.file)


def _merge(base: dict[str, Any], own: dict[str, Any], parent: Policy) -> dict[str, Any]:
    merged = {**base, **own}
    for table in ("cite", "severity", "events", "forms", "review_form"):
        if isinstance(own.get(table), dict):
            merged[table] = {**base.get(table, {}), **own[table]}
    if isinstance(own.get("submission_deadlines"), dict):
        merged["submission_deadlines"] = {**base.get("submission_deadlines", {}), **own["submission_deadlines"]}
    if isinstance(own.get("sources"), list):
        merged["sources"] = [*base["sources"], *own["sources"]]
    if parent.term_dates is not None and "term_dates" not in own:
        merged["term_dates"] = str(Path(parent.file).parent / parent.term_dates)
    return merged


def _describe(item: Any) -> str:
    key = ".".join(str(part) for part in item["loc"]) or "(top level)"
    message = str(item["msg"]).removeprefix("Value error, ")
    if item["type"] == "extra_forbidden":
        message = "not a policy key"
    return f"{key}: {message}"
