"""Code lists: each member's value is its official code and `.label` its meaning."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any


class Code(StrEnum):
    """A code-list member: `value` is the code stored in JSON, `label` the words a person reads."""

    label: str

    def __new__(cls, code: str, label: str) -> Code:
        member = str.__new__(cls, code)
        member._value_ = code
        member.label = label
        return member

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def _missing_(cls, value: Any) -> Code | None:
        if isinstance(value, str):
            wanted = value.strip().casefold()
            for member in cls:
                if wanted in (member.value.casefold(), member.label.casefold()):
                    return member
            legacy = _LEGACY.get(cls.__name__, {}).get(value.strip().upper())
            if legacy is not None:
                return cls(legacy)  # type: ignore[call-arg]
        return None


# Codes older forms and exports still carry, read as their current equivalent.
_LEGACY: dict[str, dict[str, str]] = {
    "Gender": {"1": "M", "2": "F", "0": "U", "9": "U"},
    "SenStatus": {"S": "E", "A": "K", "P": "K"},
    "SenNeed": {"BESD": "SEMH", "AUT": "ASD"},
}


class Gender(Code):
    MALE = ("M", "Male")
    FEMALE = ("F", "Female")
    UNKNOWN = ("U", "Not known or not stated")


class Ethnicity(Code):
    """The 20 main DfE/SSDA903 ethnicity codes."""

    WBRI = ("WBRI", "White British")
    WIRI = ("WIRI", "White Irish")
    WOTH = ("WOTH", "Any other White background")
    WIRT = ("WIRT", "Traveller of Irish heritage")
    WROM = ("WROM", "Gypsy/Roma")
    MWBC = ("MWBC", "White and Black Caribbean")
    MWBA = ("MWBA", "White and Black African")
    MWAS = ("MWAS", "White and Asian")
    MOTH = ("MOTH", "Any other mixed background")
    AIND = ("AIND", "Indian")
    APKN = ("APKN", "Pakistani")
    ABAN = ("ABAN", "Bangladeshi")
    AOTH = ("AOTH", "Any other Asian background")
    BCRB = ("BCRB", "Black Caribbean")
    BAFR = ("BAFR", "Black African")
    BOTH = ("BOTH", "Any other Black background")
    CHNE = ("CHNE", "Chinese")
    OOTH = ("OOTH", "Any other ethnic group")
    REFU = ("REFU", "Refused")
    NOBT = ("NOBT", "Information not yet obtained")


class LegalStatus(Code):
    """SSDA903 legal status (LS)."""

    C1 = ("C1", "Interim care order")
    C2 = ("C2", "Full care order")
    D1 = ("D1", "Freeing order granted")
    E1 = ("E1", "Placement order granted")
    V2 = ("V2", "Single period of accommodation under section 20")
    V3 = ("V3", "Short-term breaks, individual episodes")
    V4 = ("V4", "Short-term breaks, agreement recorded")
    J1 = ("J1", "Remanded to LA or youth detention accommodation")
    J2 = ("J2", "Placed in LA accommodation under PACE")
    J3 = ("J3", "Sentenced to a Youth Rehabilitation Order with residence or intensive fostering requirement")
    L1 = ("L1", "Under police protection in LA accommodation")
    L2 = ("L2", "Emergency protection order")
    L3 = ("L3", "Child assessment order, in LA accommodation")


class PlacementType(Code):
    """SSDA903 placement type (PLACE), every code valid in some collection year since 2022-23."""

    U1 = ("U1", "Foster placement with relative or friend, long term")
    U2 = ("U2", "Foster placement with relative or friend who is an approved adopter")
    U3 = ("U3", "Foster placement with relative or friend, other")
    U4 = ("U4", "Foster placement with other foster carer, long term")
    U5 = ("U5", "Foster placement with other foster carer who is an approved adopter")
    U6 = ("U6", "Foster placement with other foster carer, other")
    A3 = ("A3", "Placed for adoption with consent, with current foster carer")
    A4 = ("A4", "Placed for adoption with consent, not with current foster carer")
    A5 = ("A5", "Placed for adoption with placement order, with current foster carer")
    A6 = ("A6", "Placed for adoption with placement order, not with current foster carer")
    K1 = ("K1", "Secure children's home")
    K2 = ("K2", "Children's home")
    K3 = ("K3", "Registered supported accommodation")
    H5 = ("H5", "Semi-independent accommodation")
    R1 = ("R1", "Residential care home")
    R2 = ("R2", "NHS or health trust establishment")
    R3 = ("R3", "Family centre or mother and baby unit")
    R5 = ("R5", "Young offender institution")
    S1 = ("S1", "Residential school")
    P1 = ("P1", "Placed with own parent or person with parental responsibility")
    P2 = ("P2", "Independent living")
    P3 = ("P3", "Residential employment")
    T0 = ("T0", "Temporary move")
    T1 = ("T1", "Temporary: hospital")
    T2 = ("T2", "Temporary: child's holiday")
    T3 = ("T3", "Temporary: while carer is on holiday")
    T4 = ("T4", "Temporary accommodation of seven days or less")
    Z1 = ("Z1", "Other placement")
    # From 2025-26 Z1 is split into Z11 to Z14. The validator that carries the code list (rule 146) gives no
    # meanings, so the labels say only what is known: an "other placement" code, in use from 2025-26.
    Z11 = ("Z11", "Other placement, code Z11 (from 2025-26, in place of Z1)")
    Z12 = ("Z12", "Other placement, code Z12 (from 2025-26, in place of Z1)")
    Z13 = ("Z13", "Other placement, code Z13 (from 2025-26, in place of Z1)")
    Z14 = ("Z14", "Other placement, code Z14 (from 2025-26, in place of Z1)")


PLACEMENT_TYPE_YEARS: dict[str, tuple[int, int | None]] = {
    "K3": (2024, None),
    "H5": (2022, 2024),
    "P2": (2022, 2024),
    "Z1": (2022, 2024),
    "Z11": (2025, None),
    "Z12": (2025, None),
    "Z13": (2025, None),
    "Z14": (2025, None),
}
"""Placement types valid only in some SSDA903 collection years: (first, last) by the year each starts (2024 = 2024-25).

From the valid PLACE lists of SSDA903 validation rule 146 for 2022-23, 2024-25 and 2025-26 (data-to-insight,
csc-validator-be-903, lac_validator/rules/lac20YY_YY/rule_146.py): K3 added in 2024-25; H5, P2 and Z1 dropped
and Z11 to Z14 added in 2025-26. Codes not listed here are valid in every year since 2022-23.
"""


def collection_year(day: date) -> int:
    """The SSDA903 collection year (1 April to 31 March) a day falls in, by the year it starts."""
    return day.year if day.month >= 4 else day.year - 1


def placement_type_note(code: PlacementType, day: date) -> str | None:
    """Why a placement type is not valid in the collection year of `day`, or None when it is."""
    first, last = PLACEMENT_TYPE_YEARS.get(code.value, (2022, None))
    year = collection_year(day)
    if last is not None and year > last:
        return f"placement type {code.value} was retired after the {last}-{(last + 1) % 100:02d} collection year"
    if year < first:
        return f"placement type {code.value} is valid from the {first}-{(first + 1) % 100:02d} collection year"
    return None


class PlacementProvider(Code):
    PR0 = ("PR0", "Parent or person with parental responsibility")
    PR1 = ("PR1", "Own local authority")
    PR2 = ("PR2", "Other local authority")
    PR3 = ("PR3", "Other public provision")
    PR4 = ("PR4", "Private provision")
    PR5 = ("PR5", "Voluntary or third sector")


class CategoryOfNeed(Code):
    N1 = ("N1", "Abuse or neglect")
    N2 = ("N2", "Child's disability")
    N3 = ("N3", "Parental illness or disability")
    N4 = ("N4", "Family in acute stress")
    N5 = ("N5", "Family dysfunction")
    N6 = ("N6", "Socially unacceptable behaviour")
    N7 = ("N7", "Low income")
    N8 = ("N8", "Absent parenting")


class PepType(Code):
    INITIAL = ("initial", "Initial PEP (new to care)")
    TERMLY = ("termly", "Full termly PEP")
    REVIEW = ("review", "Review of PEP")
    NEW_SCHOOL = ("new_school", "New school PEP")
    NEW_PLACEMENT = ("new_placement", "New placement PEP")
    TRANSITION = ("transition", "Key stage transition PEP")


class Term(Code):
    AUTUMN = ("autumn", "Autumn")
    SPRING = ("spring", "Spring")
    SUMMER = ("summer", "Summer")


class Participation(Code):
    ALL = ("all", "Attended all of the meeting")
    PART = ("part", "Attended part of the meeting")
    NONE = ("none", "Did not attend")


class Phase(Code):
    """School census phase codes."""

    NURSERY = ("NS", "Nursery")
    PRIMARY = ("PS", "Primary")
    MIDDLE_PRIMARY = ("MP", "Middle deemed primary")
    MIDDLE_SECONDARY = ("MS", "Middle deemed secondary")
    SECONDARY = ("SS", "Secondary")
    ALL_THROUGH = ("AT", "All-through")
    SPECIAL = ("SP", "Special")
    PRU = ("PR", "Pupil referral unit or alternative provision")
    EARLY_YEARS = ("EY", "Early years setting")
    FURTHER_EDUCATION = ("FE", "Further education or sixth-form college")
    TRAINING = ("TP", "Training provider")


class OfstedGrade(Code):
    OUTSTANDING = ("1", "Outstanding")
    GOOD = ("2", "Good")
    REQUIRES_IMPROVEMENT = ("3", "Requires improvement")
    INADEQUATE = ("4", "Inadequate")
    NOT_INSPECTED = ("0", "Not yet inspected")


class AttendancePattern(Code):
    FULL_TIME = ("full_time", "Full time")
    PART_TIME = ("part_time", "Part time")


class ExclusionKind(Code):
    SUSPENSION = ("suspension", "Suspension (fixed term)")
    PERMANENT = ("permanent", "Permanent exclusion")
    INTERNAL = ("internal", "Internal exclusion")


class SenStatus(Code):
    """School census SEN provision; legacy S reads as E, A and P as K."""

    EHCP = ("E", "Education, health and care plan")
    SUPPORT = ("K", "SEN support")
    NONE = ("N", "No special educational need")


class SenNeed(Code):
    SPLD = ("SPLD", "Specific learning difficulty")
    MLD = ("MLD", "Moderate learning difficulty")
    SLD = ("SLD", "Severe learning difficulty")
    PMLD = ("PMLD", "Profound and multiple learning difficulty")
    SEMH = ("SEMH", "Social, emotional and mental health")
    SLCN = ("SLCN", "Speech, language and communication needs")
    HI = ("HI", "Hearing impairment")
    VI = ("VI", "Vision impairment")
    MSI = ("MSI", "Multi-sensory impairment")
    PD = ("PD", "Physical disability")
    ASD = ("ASD", "Autistic spectrum disorder")
    DS = ("DS", "Down syndrome")
    OTH = ("OTH", "Other difficulty or disability")
    NSA = ("NSA", "SEN support but no specialist assessment of type of need")


class SdqInformant(Code):
    CARER = ("carer", "Carer")
    TEACHER = ("teacher", "Teacher")
    SELF = ("self", "Young person")


class SdqReason(Code):
    """SSDA903 reasons no SDQ score was recorded."""

    SDQ1 = ("SDQ1", "Under 4 or over 16")
    SDQ2 = ("SDQ2", "Carer refused")
    SDQ3 = ("SDQ3", "Severity of disability")
    SDQ4 = ("SDQ4", "Other")
    SDQ5 = ("SDQ5", "Young person refused")


class TargetArea(Code):
    ENGLISH = ("english", "English and literacy")
    MATHS = ("maths", "Maths and numeracy")
    SCIENCE = ("science", "Science")
    OTHER_SUBJECT = ("subject", "Another subject")
    EYFS_COMMUNICATION = ("eyfs_cl", "EYFS: communication and language")
    EYFS_PHYSICAL = ("eyfs_pd", "EYFS: physical development")
    EYFS_PERSONAL = ("eyfs_psed", "EYFS: personal, social and emotional development")
    EYFS_LITERACY = ("eyfs_l", "EYFS: literacy")
    EYFS_MATHS = ("eyfs_m", "EYFS: mathematics")
    EYFS_WORLD = ("eyfs_uw", "EYFS: understanding the world")
    EYFS_ARTS = ("eyfs_ead", "EYFS: expressive arts and design")
    ATTENDANCE = ("attendance", "Attendance")
    BEHAVIOUR = ("behaviour", "Behaviour for learning")
    SOCIAL = ("social", "Social and emotional")
    WELLBEING = ("wellbeing", "Health and wellbeing")
    INDEPENDENCE = ("independence", "Independence and life skills")
    EET = ("eet", "Education, employment or training")
    OTHER = ("other", "Other")

    @property
    def academic(self) -> bool:
        """Whether a target in this area counts as academic (Southwark procedure §7)."""
        return self in _ACADEMIC


_ACADEMIC = frozenset(
    {
        TargetArea.ENGLISH,
        TargetArea.MATHS,
        TargetArea.SCIENCE,
        TargetArea.OTHER_SUBJECT,
        TargetArea.EYFS_COMMUNICATION,
        TargetArea.EYFS_LITERACY,
        TargetArea.EYFS_MATHS,
        TargetArea.EYFS_WORLD,
        TargetArea.EYFS_ARTS,
    }
)


class TargetTerm(Code):
    SHORT = ("short", "Short term")
    MEDIUM = ("medium", "Medium term")
    LONG = ("long", "Long term")


class Outcome(Code):
    ACHIEVED = ("achieved", "Achieved")
    PARTLY = ("partly", "Partly achieved")
    NOT_ACHIEVED = ("not_achieved", "Not achieved")


class ActionStatus(Code):
    OPEN = ("open", "Open")
    DONE = ("done", "Done")
    PARTLY = ("partly", "Partly done")
    NOT_DONE = ("not_done", "Not done")


class Judgement(Code):
    """Progress against age-related expectations."""

    BELOW = ("below", "Below")
    ON = ("on", "On track")
    ABOVE = ("above", "Above")


class EetStatus(Code):
    EDUCATION = ("education", "Full-time education")
    APPRENTICESHIP = ("apprenticeship", "Apprenticeship")
    TRAINEESHIP = ("traineeship", "Traineeship or supported internship")
    EMPLOYMENT_WITH_TRAINING = ("employment_training", "Employment with training")
    EMPLOYMENT = ("employment", "Employment without training")
    NEET_SEEKING = ("neet_seeking", "NEET: seeking education, employment or training")
    NEET_NOT_AVAILABLE = ("neet_unavailable", "NEET: not available (illness, pregnancy, parenting)")
    CUSTODY = ("custody", "In custody")


class CourseLevel(Code):
    ENTRY = ("E", "Entry level")
    LEVEL_1 = ("1", "Level 1")
    LEVEL_2 = ("2", "Level 2")
    LEVEL_3 = ("3", "Level 3")
    LEVEL_4 = ("4", "Level 4 or above")


class CoreSubjectStatus(Code):
    """Where a young person stands on post-16 English or maths."""

    ACHIEVED = ("achieved", "GCSE grade 4 or above achieved")
    RESITTING = ("resitting", "Resitting GCSE")
    FUNCTIONAL_SKILLS = ("functional_skills", "Studying functional skills")
    EXEMPT = ("exempt", "Exempt")
    NOT_STUDYING = ("not_studying", "Not studying")


class NoProvisionReason(Code):
    PERMANENT_EXCLUSION = ("permanent_exclusion", "Permanently excluded")
    AWAITING_ADMISSION = ("awaiting_admission", "Awaiting in-year admission")
    PLACEMENT_MOVE = ("placement_move", "New to the area or moved placement out of area")
    NEW_ARRIVAL = ("new_arrival", "Newly arrived in the UK or unaccompanied asylum seeker")
    AWAITING_SEN_PLACEMENT = ("awaiting_sen", "Awaiting EHCP placement or SEN panel")
    MEDICAL = ("medical", "Medical needs")
    SCHOOL_AVOIDANCE = ("school_avoidance", "Emotionally based school avoidance")
    CUSTODY = ("custody", "In custody")
    OTHER = ("other", "Other")


class InterimKind(Code):
    TUITION = ("tuition", "Tuition")
    ALTERNATIVE_PROVISION = ("alternative_provision", "Alternative provision")
    HOSPITAL_SCHOOL = ("hospital", "Hospital or medical tuition")
    ONLINE = ("online", "Online learning")
    OTHER = ("other", "Other")


class ReportCardGrade(Code):
    """Ofsted report-card grades (school inspections from November 2025), best first."""

    EXCEPTIONAL = ("exceptional", "Exceptional")
    STRONG = ("strong", "Strong standard")
    EXPECTED = ("expected", "Expected standard")
    NEEDS_ATTENTION = ("needs_attention", "Needs attention")
    URGENT_IMPROVEMENT = ("urgent_improvement", "Urgent improvement")


class Fund(Code):
    """Which money pays for a support item."""

    PP_PLUS = ("pp_plus", "Pupil Premium Plus")
    EYPP = ("eypp", "Early Years Pupil Premium")
    POST16_BURSARY = ("post16_bursary", "16 to 19 bursary")
    SCHOOL = ("school", "School's own budget")
    EHCP = ("ehcp", "EHCP or high-needs funding")
    OTHER = ("other", "Other")


class EalStage(Code):
    """Proficiency in English, the DfE's five-point scale (A to E) schools used in the census."""

    A = ("A", "New to English")
    B = ("B", "Early acquisition")
    C = ("C", "Developing competence")
    D = ("D", "Competent")
    E = ("E", "Fluent")


class UpnPlaceholder(Code):
    """SSDA903 placeholders that stand where a child has no UPN."""

    UN1 = ("UN1", "Not of school age and has no UPN yet")
    UN2 = ("UN2", "Never attended a maintained school in England")
    UN3 = ("UN3", "Educated outside England")
    UN4 = ("UN4", "Newly looked after and UPN not yet known")
    UN5 = ("UN5", "Sources disagree about the UPN")


LOCAL_AUTHORITIES: dict[str, str] = {
    "210": "Southwark",
    "886": "Kent",
    "860": "Staffordshire",
    "343": "Sefton",
    "856": "Leicester",
    "821": "Luton",
    "202": "Camden",
    "203": "Greenwich",
    "208": "Lambeth",
    "209": "Lewisham",
    "306": "Croydon",
    "305": "Bromley",
    "937": "Warwickshire",
    "938": "West Sussex",
    "845": "East Sussex",
    "936": "Surrey",
    "887": "Medway",
}
"""DfE three-digit local-authority numbers pepdocs names (Southwark 210, Kent 886, ...)."""
