"""The canonical Personal Education Plan: one model for every form, authority and age.

The model knows nothing about forms. Fields whose values must stay in the social worker's
record carry `sensitive` in their JSON-schema metadata; `sensitive_paths()` lists them.
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    computed_field,
    model_validator,
)

from pepdocs.model._codes import (
    ActionStatus,
    AttendancePattern,
    CategoryOfNeed,
    CoreSubjectStatus,
    CourseLevel,
    EalStage,
    EetStatus,
    Ethnicity,
    ExclusionKind,
    Fund,
    Gender,
    InterimKind,
    Judgement,
    LegalStatus,
    NoProvisionReason,
    OfstedGrade,
    Outcome,
    Participation,
    PepType,
    Phase,
    PlacementProvider,
    PlacementType,
    ReportCardGrade,
    SdqInformant,
    SdqReason,
    SenNeed,
    SenStatus,
    TargetArea,
    TargetTerm,
    Term,
)
from pepdocs.model._identifiers import (
    academic_year_label,
    key_stage,
    nc_year,
    validate_la,
    validate_laestab,
    validate_uln,
    validate_upn,
    validate_urn,
)

SCHEMA_VERSION = "1.0"


_SURROGATE = re.compile("[\ud800-\udfff]")


def _whole(value: str) -> str:
    """The string, unless it is not text: JSON can escape half a surrogate pair ("\\ud800"); no file can hold it."""
    if _SURROGATE.search(value):
        raise ValueError("not text: it holds half of a UTF-16 surrogate pair")
    return value


MAX_ANSWER = 100_000
"""Characters in one free-text answer: a PEP's longest run to a few thousand, and a form's cell must hold it."""


def _clean_text(value: Any) -> Any:
    """Read '' as absent and write every line break as '\\n'; refuse what is not text, or is longer than any answer."""
    if isinstance(value, str):
        if value == "":
            return None
        if len(value) > MAX_ANSWER:
            raise ValueError(f"longer than {MAX_ANSWER:,} characters; a PEP answer is far shorter")
        return _whole(value).replace("\r\n", "\n").replace("\r", "\n")
    return value


Text = Annotated[str | None, BeforeValidator(_clean_text)]
"""Free text; an empty string means nothing was given."""
Whole = Annotated[str, AfterValidator(_whole)]

Upn = Annotated[str, AfterValidator(validate_upn)]
Uln = Annotated[str, AfterValidator(validate_uln)]
Urn = Annotated[str, AfterValidator(validate_urn)]
Laestab = Annotated[str, AfterValidator(validate_laestab)]
LaNumber = Annotated[str, AfterValidator(validate_la)]
Money = Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=2)]
Percent = Annotated[Decimal, Field(ge=0, le=100, decimal_places=2)]
Hours = Annotated[Decimal, Field(ge=0, le=168, decimal_places=2)]
Count = Annotated[int, Field(ge=0, le=999)]
NcYear = Annotated[int, Field(ge=-3, le=14)]

SENSITIVE: dict[str, Any] = {"sensitive": True}


def sensitive(description: str) -> Any:
    """A field that must not leave the social worker's record."""
    return Field(default=None, description=description, json_schema_extra=SENSITIVE)


class Part(BaseModel):
    """Base of every part of the PEP: unknown keys are errors, assignment is validated."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, use_enum_values=False)

    @model_validator(mode="before")
    @classmethod
    def _ignore_derived(cls, data: Any) -> Any:
        """Accept a full dump: derived values are recomputed, never read."""
        if isinstance(data, dict) and cls.model_computed_fields:
            return {key: value for key, value in data.items() if key not in cls.model_computed_fields}
        return data


# --- people -------------------------------------------------------------------------------


class Contact(Part):
    """A professional or carer and how to reach them."""

    name: Text = None
    role: Text = None
    organisation: Text = Field(default=None, description="Team, school, service or agency")
    phone: Text = None
    email: Text = None


class Attendee(Part):
    """Someone invited to the PEP meeting."""

    name: Text = None
    role: Text = None
    invited: bool | None = None
    attended: bool | None = None
    copy_sent: bool | None = None


class People(Part):
    """The professionals around the child."""

    social_worker: Contact = Field(default_factory=Contact)
    team_manager: Contact = Field(default_factory=Contact)
    designated_teacher: Contact = Field(default_factory=Contact)
    virtual_school_officer: Contact = Field(default_factory=Contact)
    senco: Contact = Field(default_factory=Contact)
    personal_adviser: Contact = Field(default_factory=Contact)


# --- the plan -----------------------------------------------------------------------------


class Discussion(Part):
    """What the meeting discussed, heading by heading (Southwark procedure §6)."""

    progress: Text = Field(default=None, description="Progress against national expectations, how far behind, why")
    catch_up: Text = Field(default=None, description="Catch-up support, one-to-one or home tuition")
    friendships: Text = Field(default=None, description="Relationships, friendships and bullying")
    behaviour: Text = Field(default=None, description="Behaviour, triggers, strategies and exclusions")
    homework: Text = Field(default=None, description="Homework and equipment")
    wellbeing: Text = Field(default=None, description="Emotional and health issues affecting learning")
    other: Text = None


class Signature(Part):
    """One person's sign-off: who, in what role, when, and whether they signed."""

    name: Text = None
    role: Text = None
    signed_on: date | None = None
    signature: Text = Field(default=None, description="The signature, typed or written by hand on the page")
    signed: bool | None = None


class SignOff(Part):
    """Who agreed the PEP: the designated teacher, social worker, child or young person and virtual school."""

    designated_teacher: Signature = Field(default_factory=Signature)
    social_worker: Signature = Field(default_factory=Signature)
    young_person: Signature = Field(default_factory=Signature)
    virtual_school: Signature = Field(default_factory=Signature)


class Plan(Part):
    """The PEP meeting and the plan it records."""

    pep_type: PepType | None = None
    pep_number_in_year: Annotated[int, Field(ge=1, le=6)] | None = Field(
        default=None, description="1 for the first PEP of the academic year, 2 for the second, ..."
    )
    meeting_date: date | None = None
    meeting_venue: Text = None
    academic_year: Annotated[str, Field(pattern=r"^[0-9]{4}-[0-9]{2}$")] | None = None
    term: Term | None = None
    chair: Contact = Field(default_factory=Contact)
    attendees: list[Attendee] = Field(default_factory=list)
    child_participation: Participation | None = None
    child_absence_reason: Text = Field(default=None, description="Why the child did not attend all of it")
    views_gathered_how: Text = Field(default=None, description="How the child's views were gathered")
    discussion: Discussion = Field(default_factory=Discussion)
    planned_changes: Text = Field(
        default=None, description="Planned changes to provision and how disruption is minimised"
    )
    long_term_plans: Text = None
    next_pep_date: date | None = None
    home_authority: LaNumber | None = Field(
        default=None, description="DfE number of the authority looking after the child"
    )
    completed_by: Text = None
    completed_on: date | None = Field(default=None, description="When the PEP document was completed")
    submitted_on: date | None = Field(default=None, description="When it was submitted to the virtual school")
    previous_pep_date: date | None = Field(default=None, description="Date of the PEP meeting before this one")
    working_well: Text = Field(default=None, description="What is working well")
    worried_about: Text = Field(default=None, description="What are we worried about")
    sign_off: SignOff = Field(default_factory=SignOff)

    @model_validator(mode="after")
    def _academic_year_from_meeting(self) -> Plan:
        if self.meeting_date is not None and self.academic_year is None:
            object.__setattr__(self, "academic_year", academic_year_label(self.meeting_date))
        return self


# --- the child ----------------------------------------------------------------------------


class Child(Part):
    """Who the child is."""

    first_name: Text = Field(default=None, description="Legal first name")
    middle_names: Text = None
    last_name: Text = Field(default=None, description="Legal surname")
    preferred_name: Text = None
    date_of_birth: date | None = None
    gender: Gender | None = None
    ethnicity: Ethnicity | None = None
    first_language: Text = None
    interpreter_needed: bool | None = None
    uasc: bool | None = Field(default=None, description="Unaccompanied asylum-seeking child")
    religion: Text = None
    person_id: Text = Field(default=None, description="Case-system person ID (Mosaic, Liquidlogic)")
    upn: Upn | None = None
    uln: Uln | None = None
    ncy_actual: NcYear | None = Field(
        default=None, description="National Curriculum year the child is taught in, where not their age group"
    )
    address: Text = sensitive("Where the child lives")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def full_name(self) -> str | None:
        """Legal names in order, or None when none is known."""
        parts = [p for p in (self.first_name, self.middle_names, self.last_name) if p]
        return " ".join(parts) if parts else None


# --- care ---------------------------------------------------------------------------------


class DelegatedAuthority(Part):
    """Who may sign and attend for the child day to day."""

    school_trips: Text = Field(default=None, description="Signs consent for trips and activities")
    photographs: Text = Field(default=None, description="Signs consent for photographs")
    parents_evenings: Text = Field(default=None, description="Attends parents' evenings")
    school_reports: Text = Field(default=None, description="Receives school reports and letters")
    medical_consent: Text = Field(default=None, description="Consents to medical treatment and vaccinations")
    emergency_contact: Text = Field(default=None, description="First emergency contact for the setting")


class Carer(Part):
    """A carer: foster carer, kinship carer, residential key worker or parent placed with."""

    name: Text = None
    relationship: Text = None
    phone: Text = None
    email: Text = None


class PlacementRecord(Part):
    """An earlier placement in this period of care."""

    placement_type: PlacementType | None = None
    start_date: date | None = None
    end_date: date | None = None
    reason_changed: Text = Field(default=None, description="Why the placement changed")


class Care(Part):
    """The child's care: legal status, placement and the people with a say."""

    legal_status: LegalStatus | None = None
    legal_status_date: date | None = None
    date_became_looked_after: date | None = None
    category_of_need: CategoryOfNeed | None = sensitive("SSDA903 category of need")
    placement_type: PlacementType | None = None
    placement_provider: PlacementProvider | None = None
    placement_start_date: date | None = None
    placement_authority: LaNumber | None = Field(
        default=None, description="DfE number of the authority the child lives in"
    )
    placement_address: Text = sensitive("Address of the placement")
    carers: list[Carer] = Field(default_factory=list)
    placement_history: list[PlacementRecord] = Field(default_factory=list)
    placement_moves: Count | None = Field(default=None, description="Placements since entering care")
    school_moves: Count | None = Field(default=None, description="School moves since entering care")
    parental_responsibility: Text = sensitive("Who holds parental responsibility")
    contact_arrangements: Text = sensitive("Family time and contact arrangements")
    no_contact: Text = sensitive("Who must not have contact with or collect the child")
    delegated_authority: DelegatedAuthority = Field(default_factory=DelegatedAuthority)
    pre_care_history: Text = sensitive("Relevant pre-care history and care plan summary")
    legal_history: Text = sensitive("Court proceedings and earlier legal orders")
    safeguarding_concerns: Text = sensitive(
        "Safeguarding or exploitation concerns (criminal or sexual exploitation, going missing)"
    )
    iro: Contact = Field(default_factory=Contact)
    next_lac_review_date: date | None = None
    last_lac_review_date: date | None = None


# --- education ----------------------------------------------------------------------------


class ReportCard(Part):
    """An Ofsted report card (school inspections from November 2025): a grade for each evaluation area."""

    inclusion: ReportCardGrade | None = None
    curriculum_teaching: ReportCardGrade | None = None
    achievement: ReportCardGrade | None = None
    attendance_behaviour: ReportCardGrade | None = None
    personal_development_wellbeing: ReportCardGrade | None = None
    leadership_governance: ReportCardGrade | None = None
    early_years: ReportCardGrade | None = None
    sixth_form: ReportCardGrade | None = None
    safeguarding_met: bool | None = None


class Inspection(Part):
    """The setting's latest Ofsted inspection, dated: a single grade (to August 2024), the 2024-25 sub-judgements
    (September 2024 to November 2025) or a report card (from November 2025)."""

    inspected_on: date | None = None
    overall: OfstedGrade | None = Field(default=None, description="Overall effectiveness, inspections to August 2024")
    quality_of_education: OfstedGrade | None = None
    behaviour_attitudes: OfstedGrade | None = None
    personal_development: OfstedGrade | None = None
    leadership_management: OfstedGrade | None = None
    report_card: ReportCard = Field(default_factory=ReportCard)


class Setting(Part):
    """A school, nursery, college or other education provider."""

    name: Text = None
    urn: Urn | None = None
    laestab: Laestab | None = None
    la: LaNumber | None = Field(default=None, description="DfE number of the setting's local authority")
    phase: Phase | None = None
    ofsted_grade: OfstedGrade | None = Field(default=None, description="Single overall grade, undated (older records)")
    inspection: Inspection = Field(default_factory=Inspection)
    start_date: date | None = None
    attendance_pattern: AttendancePattern | None = None
    hours_per_week: Hours | None = Field(default=None, description="Hours a week where not full time")
    alternative_provision: Text = Field(default=None, description="Alternative provision: who, what and when")
    address: Text = None
    phone: Text = None

    @model_validator(mode="after")
    def _la_from_laestab(self) -> Setting:
        if self.laestab is not None and self.la is None:
            object.__setattr__(self, "la", self.laestab[:3])
        return self


class PreviousSetting(Part):
    """A setting the child attended before, and why they left."""

    name: Text = None
    urn: Urn | None = None
    la: LaNumber | None = None
    start_date: date | None = None
    end_date: date | None = None
    reason_left: Text = None


class Attendance(Part):
    """Attendance this academic year."""

    percent: Percent | None = None
    sessions_possible: Count | None = None
    authorised_absences: Count | None = Field(default=None, description="Authorised absence, in sessions")
    unauthorised_absences: Count | None = Field(default=None, description="Unauthorised absence, in sessions")
    late_sessions: Count | None = None
    as_at: date | None = None
    concerns: Text = None
    previous_year_percent: Percent | None = Field(default=None, description="Attendance over the last academic year")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def persistent_absence(self) -> bool | None:
        """Persistently absent: missing 10 per cent or more of sessions (DfE)."""
        return None if self.percent is None else self.percent <= 90


class Exclusion(Part):
    """A suspension, permanent exclusion or internal exclusion."""

    kind: ExclusionKind | None = None
    start_date: date | None = None
    days: Annotated[Decimal, Field(ge=0, le=365, decimal_places=1)] | None = None
    reason: Text = None


class Attainment(Part):
    """Attainment in one subject."""

    subject: Text = None
    current: Text = Field(default=None, description="Current working level or grade")
    expected: Text = Field(default=None, description="Age-related expectation or target")
    predicted: Text = Field(default=None, description="Predicted end-of-key-stage outcome")
    on_track: bool | None = None


class KeyStageResult(Part):
    """A result at the end of a key stage (KS1 phonics, KS2 SATs, GCSE)."""

    key_stage: Text = None
    subject: Text = None
    result: Text = None
    year: Annotated[str, Field(pattern=r"^[0-9]{4}(-[0-9]{2})?$")] | None = None


class Sen(Part):
    """Special educational needs."""

    status: SenStatus | None = None
    legacy_status: Literal["S", "A", "P"] | None = Field(
        default=None, description="The pre-2014 code a form gave (S, A or P), kept when read as E or K"
    )
    primary_need: SenNeed | None = None
    secondary_need: SenNeed | None = None
    support_plan: Text = Field(default=None, description="SEN support plan or IEP targets")
    ehcp_la: LaNumber | None = Field(default=None, description="Authority maintaining the EHCP")
    ehcp_annual_review_date: date | None = None
    other_agencies: Text = None

    @model_validator(mode="before")
    @classmethod
    def _read_legacy_status(cls, data: Any) -> Any:
        if isinstance(data, dict):
            code = data.get("status")
            if isinstance(code, str) and code.strip().upper() in ("S", "A", "P"):
                data = {**data, "legacy_status": code.strip().upper()}
        return data

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ehcp(self) -> bool | None:
        """Whether the child has an education, health and care plan."""
        return None if self.status is None else self.status is SenStatus.EHCP


class Intervention(Part):
    """Extra help the setting gives."""

    description: Text = None
    frequency: Text = None
    staff: Text = None
    start_date: date | None = None
    impact: Text = None


class Education(Part):
    """Where and how the child learns, and how it is going."""

    setting: Setting = Field(default_factory=Setting)
    setting_history: list[PreviousSetting] = Field(default_factory=list)
    disruption_before_care: Text = None
    attendance: Attendance = Field(default_factory=Attendance)
    exclusions: list[Exclusion] = Field(default_factory=list)
    attainment: list[Attainment] = Field(default_factory=list)
    key_stage_results: list[KeyStageResult] = Field(default_factory=list)
    sen: Sen = Field(default_factory=Sen)
    interventions: list[Intervention] = Field(default_factory=list)
    strengths: Text = None
    interests: Text = Field(default=None, description="Leisure interests and hobbies")
    achievements: Text = None
    subjects_enjoyed: Text = None
    subjects_disliked: Text = None
    extra_curricular: Text = None
    options_and_careers: Text = Field(default=None, description="Key stage 4 options, coursework and careers guidance")
    transition: Text = Field(default=None, description="Transition plans: new school, key stage or provider")
    transition_date: date | None = Field(
        default=None, description="When the planned move to a new school or provider happens"
    )
    reading_age: Text = Field(default=None, description="Reading age, and when it was assessed")
    phonics: Text = Field(default=None, description="Phonics phase or screening check result")
    eal_stage: EalStage | None = Field(default=None, description="Proficiency in English (A to E) for EAL pupils")


# --- health -------------------------------------------------------------------------------


class Sdq(Part):
    """Strengths and Difficulties Questionnaire."""

    score: Annotated[int, Field(ge=0, le=40)] | None = None
    informant: SdqInformant | None = None
    completed_on: date | None = None
    no_score_reason: SdqReason | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def band(self) -> str | None:
        """DfE band of the total difficulties score: normal, borderline or concern."""
        if self.score is None:
            return None
        return "normal" if self.score <= 13 else "borderline" if self.score <= 16 else "concern"


class Health(Part):
    """Health and wellbeing as they bear on learning."""

    wellbeing: Text = Field(default=None, description="Health and emotional wellbeing")
    needs: Text = Field(default=None, description="Health needs and medication the setting must know")
    support: Text = Field(default=None, description="Therapeutic or mental-health support (CAMHS and others)")
    sdq: Sdq = Field(default_factory=Sdq)


# --- views --------------------------------------------------------------------------------


class ChildViews(Part):
    """What the child says."""

    going_well: Text = None
    finding_hard: Text = None
    worries: Text = None
    want_to_achieve: Text = Field(default=None, description="What I want to achieve in the next six months")
    aspirations: Text = Field(default=None, description="What I want to do later: college, career")
    help_wanted: Text = Field(default=None, description="What would help me")
    speaks_for_me: Text = Field(default=None, description="Who I want to speak for me at the meeting")
    wants_copy: bool | None = None


class Views(Part):
    """Everyone's views of the child's education."""

    child: ChildViews = Field(default_factory=ChildViews)
    carer: Text = Field(default=None, description="Carer's views and their role in supporting learning")
    parents: Text = None
    school: Text = None
    social_worker: Text = None


# --- targets and actions ------------------------------------------------------------------


class Target(Part):
    """A SMART target, new or reviewed."""

    description: Text = None
    area: TargetArea | None = None
    term: TargetTerm | None = None
    success_measure: Text = None
    who_helps: Text = None
    how: Text = None
    how_often: Text = None
    owner: Text = Field(default=None, description="The professional the target is assigned to")
    due_date: date | None = None
    outcome: Outcome | None = None
    evidence: Text = Field(default=None, description="Evidence of the outcome")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def academic(self) -> bool | None:
        """Whether the target is academic, by its area."""
        return None if self.area is None else self.area.academic


class Action(Part):
    """An action for a carer or professional."""

    description: Text = None
    owner: Text = None
    due_date: date | None = None
    status: ActionStatus | None = None
    comment: Text = None


class PupilPremiumItem(Part):
    """One planned (or, for last term, used) item of support and the fund that pays for it."""

    intervention: Text = None
    fund: Fund | None = Field(default=None, description="Which money pays: PP+, EYPP, bursary, school, EHCP, other")
    cost: Money | None = None
    linked_target: Annotated[int, Field(ge=1, le=20)] | None = Field(
        default=None, description="Number of the target it serves"
    )
    provider: Text = None
    duration: Text = None
    impact: Text = Field(default=None, description="Intended impact")
    actual_impact: Text = Field(default=None, description="Impact seen, for last term's items")
    released: bool | None = Field(default=None, description="Whether the virtual school released the money")


class PupilPremium(Part):
    """Pupil Premium Plus for this term."""

    allocation: Money | None = None
    term: Term | None = None
    financial_year: Annotated[str, Field(pattern=r"^[0-9]{4}-[0-9]{2}$")] | None = None
    items: list[PupilPremiumItem] = Field(default_factory=list)
    previous_items: list[PupilPremiumItem] = Field(default_factory=list, description="Last term's items, reviewed")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def total(self) -> Decimal | None:
        """Sum of the costed items."""
        costs = [item.cost for item in self.items if item.cost is not None]
        return sum(costs, Decimal("0.00")) if costs else None


# --- early years --------------------------------------------------------------------------


class AreaJudgement(Part):
    """Progress in one EYFS area."""

    judgement: Judgement | None = None
    comment: Text = None


class Eyfs(Part):
    """The seven areas of the Early Years Foundation Stage."""

    personal_social_emotional: AreaJudgement = Field(default_factory=AreaJudgement)
    communication_language: AreaJudgement = Field(default_factory=AreaJudgement)
    physical: AreaJudgement = Field(default_factory=AreaJudgement)
    literacy: AreaJudgement = Field(default_factory=AreaJudgement)
    mathematics: AreaJudgement = Field(default_factory=AreaJudgement)
    understanding_world: AreaJudgement = Field(default_factory=AreaJudgement)
    expressive_arts: AreaJudgement = Field(default_factory=AreaJudgement)


class ProgressCheck(Part):
    """The progress check at age two (prime areas)."""

    completed_on: date | None = None
    completed_by: Text = None
    personal_social_emotional: Judgement | None = None
    communication_language: Judgement | None = None
    physical: Judgement | None = None
    concerns: Text = None
    shared_with_health_visitor: bool | None = None


class EarlyYears(Part):
    """What an early-years PEP adds."""

    funded_hours: Hours | None = Field(default=None, description="Funded hours a week (15 or 30)")
    days_attended: Text = None
    second_setting: Text = None
    key_person: Contact = Field(default_factory=Contact)
    area_senco: Contact = Field(default_factory=Contact)
    health_visitor: Contact = Field(default_factory=Contact)
    speech_language_referral: bool | None = None
    eyfs: Eyfs = Field(default_factory=Eyfs)
    progress_check: ProgressCheck = Field(default_factory=ProgressCheck)
    eypp_eligible: bool | None = None
    eypp_amount: Money | None = None
    eypp_spend: Text = None
    school_applied_for: Text = None
    reception_start_date: date | None = None
    transition_plan: Text = None


# --- post-16 ------------------------------------------------------------------------------


class Course(Part):
    """A course of study or training."""

    title: Text = None
    level: CourseLevel | None = None
    qualification: Text = None
    start_date: date | None = None
    end_date: date | None = None
    predicted_grade: Text = None


class Post16(Part):
    """What a post-16 PEP adds."""

    eet_status: EetStatus | None = None
    provider_ukprn: Annotated[str, Field(pattern=r"^1[0-9]{7}$")] | None = None
    courses: list[Course] = Field(default_factory=list)
    english_status: CoreSubjectStatus | None = None
    maths_status: CoreSubjectStatus | None = None
    bursary_applied: bool | None = None
    bursary_awarded: bool | None = None
    bursary_amount: Money | None = None
    pathway_plan_date: date | None = None
    careers_guidance_date: date | None = None
    careers_plan: Text = Field(default=None, description="Careers, UCAS and higher-education plans")
    accommodation_plan: Text = Field(default=None, description="Accommodation and staying-put plans")
    neet_since: date | None = None
    neet_barriers: Text = None
    neet_support: Text = Field(default=None, description="NEET action plan: support to re-engage")


# --- no provision -------------------------------------------------------------------------


class InterimProvision(Part):
    """Education in place while the child has no school."""

    provider: Text = None
    kind: InterimKind | None = None
    hours_per_week: Hours | None = None
    start_date: date | None = None
    full_time: bool | None = None


class Application(Part):
    """An application or referral for a school place or provision."""

    provider: Text = None
    la: LaNumber | None = None
    date_applied: date | None = None
    outcome: Text = None
    outcome_date: date | None = None


def _in_list_order(codes: list[NoProvisionReason]) -> list[NoProvisionReason]:
    """Reasons are a set: kept once each, in the code list's order."""
    return [code for code in NoProvisionReason if code in codes]


class NoProvision(Part):
    """What a PEP for a child with no educational provision adds."""

    reasons: Annotated[list[NoProvisionReason], AfterValidator(_in_list_order)] = Field(default_factory=list)
    reason_detail: Text = None
    date_last_attended: date | None = None
    date_off_roll: date | None = None
    interim: list[InterimProvision] = Field(default_factory=list)
    applications: list[Application] = Field(default_factory=list)
    health_barriers: Text = None
    early_review_date: date | None = None


# --- the whole ----------------------------------------------------------------------------


class PEP(Part):
    """A Personal Education Plan for a child in care, as one record."""

    model_config = ConfigDict(
        extra="forbid",
        validate_assignment=True,
        json_schema_extra={"title": "Personal Education Plan"},
    )

    schema_version: Literal["1.0"] = "1.0"
    plan: Plan = Field(default_factory=Plan)
    child: Child = Field(default_factory=Child)
    care: Care = Field(default_factory=Care)
    people: People = Field(default_factory=People)
    education: Education = Field(default_factory=Education)
    health: Health = Field(default_factory=Health)
    views: Views = Field(default_factory=Views)
    previous_targets: list[Target] = Field(default_factory=list)
    previous_actions: list[Action] = Field(default_factory=list)
    targets: list[Target] = Field(default_factory=list)
    actions: list[Action] = Field(default_factory=list)
    pupil_premium: PupilPremium = Field(default_factory=PupilPremium)
    early_years: EarlyYears = Field(default_factory=EarlyYears)
    post16: Post16 = Field(default_factory=Post16)
    no_provision: NoProvision = Field(default_factory=NoProvision)
    extensions: dict[Whole, dict[Whole, Whole]] = Field(
        default_factory=dict, description="Values a form holds that have no canonical home, keyed by form id"
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def year_group(self) -> int | None:
        """National Curriculum year: the actual one if given, else by age at the meeting date."""
        if self.child.ncy_actual is not None:
            return self.child.ncy_actual
        if self.child.date_of_birth is None or self.plan.meeting_date is None:
            return None
        return nc_year(self.child.date_of_birth, self.plan.meeting_date)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def key_stage(self) -> str | None:
        """Key stage of the year group: EYFS, KS1 to KS4, or KS5."""
        return None if self.year_group is None else key_stage(self.year_group)

    def to_json(self) -> str:
        """The PEP as JSON, leaving out what is empty or derived."""
        data = self.model_dump(mode="json", exclude_defaults=True, exclude_computed_fields=True)
        return json.dumps({"schema_version": self.schema_version, **data}, indent=2, ensure_ascii=False) + "\n"


def sensitive_paths(model: type[BaseModel] = PEP, prefix: str = "") -> list[str]:
    """Dotted model paths (`[]` for list items) of every field marked sensitive."""
    found: list[str] = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        extra = info.json_schema_extra
        if isinstance(extra, dict) and extra.get("sensitive"):
            found.append(path)
            continue
        inner = _submodel(info.annotation)
        if inner is not None:
            kind, sub = inner
            found.extend(sensitive_paths(sub, f"{path}[]." if kind == "list" else f"{path}."))
    return found


def _submodel(annotation: Any) -> tuple[str, type[BaseModel]] | None:
    """('one' or 'list', model) when an annotation holds a nested part."""
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "one", annotation
    if typing.get_origin(annotation) is list:
        (arg,) = typing.get_args(annotation)
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return "list", arg
    return None
