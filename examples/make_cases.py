"""Write examples/cases.xlsx: invented children in care of every kind, as a case system exports them.

Every child is invented: names are drawn at random from lists, contact details use the ranges kept
for drama (020 7946 0xxx, 07700 900xxx) and `.example` addresses, and identifiers are random with
valid check characters. The file is the same every time (fixed seed, fixed workbook times).

    python examples/make_cases.py                      # examples/cases.xlsx, 240 children
    python examples/make_cases.py --rows 10000 --out big.xlsx

A few rows are wrong on purpose, so that the batch report has something to show: a UPN with the wrong
check letter, an impossible date of birth, an unknown legal status code, a formula with no cached
value, a date no one can read, a five-digit URN and a row with no person ID.
"""

from __future__ import annotations

import argparse
import io
import random
import re
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from pepdocs.model._identifiers import upn_check_letter

SEED = 20270111
ROWS = 240
HERE = Path(__file__).resolve().parent
FIXED = (2026, 9, 1, 0, 0, 0)
TERM_START = date(2027, 1, 11)  # spring term 2027: the next round of PEP meetings
TERM_DAYS = 74

HEADERS = [
    "Person ID", "Forename", "Surname", "Preferred Name", "DOB", "Gender", "Ethnicity", "First Language",
    "UPN", "ULN", "UASC", "Legal Status", "Legal Status Start", "CLA Start", "Placement Type", "Placement Start",
    "Placement LA", "Carer(s)", "Carer Phone", "School", "School URN", "DfE Number", "School LA", "Date Joined",
    "Year Group", "Social Worker", "SW Team", "SW Phone", "SW Email", "Team Manager", "IRO", "Last LAC Review", "Next LAC Review",
    "Designated Teacher", "Virtual School Officer", "SEN Status", "EHCP Review Date", "Last PEP Date", "PEP Date",
    "PEP Number In Year", "No Provision Reason", "Ofsted Grade", "Ofsted Inspection Date", "EET Status", "Personal Adviser", "Notes",
]  # fmt: skip

FIRST = [
    "Amara", "Tyler", "Zoë", "Łukasz", "محمد", "Aaliyah", "Kai", "Chloé", "Oluwaseun", "Siobhán", "Jayden",
    "Ruby", "Darius", "Precious", "Kacper", "Ayesha", "Leon", "Mia-Rose", "Jean-Luc", "Ifeoluwa", "Tomasz",
    "Erin", "Rhys", "Lily", "Ezekiel", "Harper", "Yusuf", "Ananya", "Nathaniel", "Skye", "Bogdan", "Fatima",
    "Reuben", "Keeley", "Mariam", "Callum", "Nia", "Dawit", "Sofía", "Jordan", "Hải", "Maximilian-Alexander",
]  # fmt: skip
LAST = [
    "O'Neill", "Nguyễn", "Wiśniewski", "Okafor", "Smith-Jones", "Mensah", "Kowalczyk", "Ahmed", "Murphy",
    "Adeyemi", "Chen", "Da Silva", "McAllister", "Taylor", "Khan", "Begum", "Ó Súilleabháin", "Brennan",
    "Haile", "Popescu", "Francis", "Ward", "Osei", "Lindqvist", "Fitzgerald-Montgomery-Bartholomew", "الحسن",
    "Petrov", "Clarke", "Yılmaz", "Achterberg", "Kaur", "Walsh",
]  # fmt: skip
LANGUAGES = ["English"] * 8 + ["Polish", "Arabic", "Vietnamese", "Yoruba", "Tigrinya", "Romanian", "Somali", "Turkish"]
ETHNICITY = ["WBRI", "White British", "WOTH", "MWBC", "Black African", "BCRB", "AOTH", "ABAN", "OOTH", "MOTH",
             "White and Black Caribbean", "CHNE", "NOBT", "WIRT", "WROM"]  # fmt: skip
LEGAL = ["C2", "C2", "C2", "C2 - Full care order", "Full care order", "C1", "Interim care order", "V2", "V2",
         "V2 - Single period of accommodation under section 20", "E1", "D1", "V3", "V4", "J1", "J2", "J3",
         "L1", "L2", "L3"]  # fmt: skip
PLACEMENTS = ["U4", "U4", "U6", "U6", "U6", "U1", "U3", "U2", "U5", "A3", "A4", "A5", "A6", "K2", "K1", "R1",
              "R2", "R3", "S1", "P1", "T0", "K3", "Foster placement with other foster carer, other"]  # fmt: skip
CARERS = ["Teresa Whitlock", "Mark Whitlock", "Janet Bankole", "Lan Pham", "Maureen O'Brien", "Dev Sharma",
          "Agnes Kamara", "Pete Holloway", "Grace Adebayo", "Hannah Lowe", "Imran Qureshi", "Sandra Price"]  # fmt: skip
SOCIAL_WORKERS = ["Rosa Delgado", "Daniel Osei", "Farah Iqbal", "Eleanor Whitcombe", "Claudette Baptiste",
                  "Dimitra Papadaki", "Abimbola Fashola", "Bernadette Quinlan", "Tom Hargreaves", "Priya Natarajan"]  # fmt: skip
TEAM_MANAGERS = ["Deborah Ashworth-Keane", "Marcus Fenwick", "Grace Obi"]
IROS = ["Helen Marchetti", "Kwame Asante", "Judith Peel", "Sarah Okonjo"]
VSOS = ["Yasmin Farouk", "Owen Pritchard", "Laura Kingsley", "Benedict Aluko"]
ADVISERS = ["Callum Everett", "Nadia Rahman", "Shaun Doyle"]


@dataclass(frozen=True)
class School:
    """An invented school, nursery or college."""

    name: str
    la: str
    urn: str
    estab: str
    phase: str
    teacher: str


def _schools() -> dict[str, list[School]]:
    rng = random.Random(SEED + 1)

    def make(names: list[str], la: str, phase: str) -> list[School]:
        return [
            School(name, la, str(rng.randint(100000, 149999)), str(rng.randint(2000, 7999)), phase,
                   f"{rng.choice(['Ms', 'Mr', 'Mrs', 'Dr'])} {rng.choice(LAST).strip()}")
            for name in names
        ]  # fmt: skip

    return {
        "southwark-primary": make(["Lantern Hill Primary School", "Kestrel Park Primary School",
                                   "Bellenden Fields Primary School", "Ropewalk Primary School",
                                   "Tanner's Yard Primary School", "St Olave's Wharf CE Primary School"], "210", "PS"),
        "southwark-secondary": make(["Harlowe Academy", "Larkspur Secondary School", "Bermondsey Lock Academy",
                                     "Peckham Vale School"], "210", "SS"),
        "kent-primary": make(["Medlar Downs Primary School", "Saltmarsh Primary School",
                              "Orchard Vale Primary School"], "886", "PS"),
        "kent-secondary": make(["Harbourside Academy", "Oast Lane Grammar School", "Wealdgate Academy",
                                "Cliffend High School"], "886", "SS"),
        "other": make(["Brixton Mill Primary School", "Ladywell Lantern School", "Norbury Brook Primary School",
                       "Beechcroft Hollow Academy", "Thamesmead Reach Academy", "Downsland Heath School",
                       "Chatham Docks Academy", "Forge Chase High School"], "", "PS"),
        "nursery": make(["Ladybird Lane Nursery", "Brambles Children's Centre Nursery", "Tadpoles Day Nursery"],
                        "210", "NS"),
        "college": make(["Southwark Riverside College", "Thames Gateway Sixth Form College",
                         "East Kent Skills College"], "210", "FE"),
    }  # fmt: skip


OTHER_LAS = ["208", "209", "306", "305", "203", "936", "887", "860"]


def upn(rng: random.Random, la: str) -> str:
    """A valid permanent UPN allocated in `la`."""
    digits = la + f"{rng.randint(0, 9999):04d}" + f"{rng.randint(10, 26):02d}" + f"{rng.randint(0, 999):03d}"
    return upn_check_letter("X" + digits) + digits


def uln(rng: random.Random) -> str:
    """A valid ULN (ESFA check digit)."""
    while True:
        body = str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(8))
        remainder = sum(int(d) * (10 - i) for i, d in enumerate(body)) % 11
        if remainder:  # 0 would need a check digit of 10
            return body + str(10 - remainder)


def born_in_year(rng: random.Random, year: int) -> date:
    """A date of birth for a child in National Curriculum year `year` in 2026-27."""
    start = date(2026 - year - 5, 9, 1)
    return start + timedelta(days=rng.randint(0, 364))


def as_text(rng: random.Random, day: date) -> Any:
    """A date as a case export may hold it: mostly a date cell, sometimes text in one of several spellings."""
    roll = rng.random()
    if roll < 0.8:
        return day
    suffix = "th" if 11 <= day.day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day.day % 10, "th")
    spellings = [f"{day:%d/%m/%Y}", f"{day.day} {day:%B %Y}", day.isoformat(), f"{day:%d-%m-%y}",
                 f"{day.day}{suffix} {day:%b %Y}"]  # fmt: skip
    return rng.choice(spellings)


def phone(rng: random.Random, mobile: bool = False) -> str:
    return f"07700 900{rng.randint(0, 999):03d}" if mobile else f"020 7946 0{rng.randint(0, 999):03d}"


def email(name: str, domain: str) -> str:
    return re.sub(r"[^a-z.-]", "", name.lower().replace(" ", ".")) + f"@{domain}.example"


KINDS = (
    ["southwark-primary"] * 50 + ["southwark-secondary"] * 40 + ["review"] * 15 + ["kent"] * 35 + ["other"] * 30
    + ["no-provision"] * 18 + ["nursery"] * 12 + ["reception"] * 12 + ["post-16"] * 16 + ["neet"] * 8
)  # fmt: skip


def child(rng: random.Random, number: int, kind: str, schools: dict[str, list[School]]) -> dict[str, Any]:
    """One invented child of `kind`, as a row of the export (header to value)."""
    meeting = TERM_START + timedelta(days=rng.randint(0, TERM_DAYS))
    while meeting.weekday() >= 5:
        meeting += timedelta(days=1)
    year = {
        "southwark-primary": rng.randint(1, 6), "southwark-secondary": rng.randint(7, 11), "review": rng.randint(2, 10),
        "kent": rng.randint(1, 11), "other": rng.randint(1, 11), "no-provision": rng.randint(2, 11),
        "nursery": -1, "reception": 0, "post-16": rng.randint(12, 13), "neet": rng.randint(12, 13),
    }[kind]  # fmt: skip
    born = born_in_year(rng, year)
    first, last = rng.choice(FIRST), rng.choice(LAST)
    if rng.random() < 0.05:
        first = f"  {first} "  # spaces a copy and paste left behind
    entered = born + timedelta(days=rng.randint(30, max(60, (meeting - born).days - 60)))
    placed = entered + timedelta(days=rng.randint(0, max(1, (meeting - entered).days - 30)))
    legal = rng.choice(LEGAL)
    placement = rng.choice(PLACEMENTS)
    worker = rng.choice(SOCIAL_WORKERS)
    couple = rng.random() < 0.4
    carers = rng.sample(CARERS, 2) if couple else [rng.choice(CARERS)]
    row: dict[str, Any] = {
        "Person ID": 1_000_000 + number * 37,
        "Forename": first,
        "Surname": last,
        "Preferred Name": rng.choice(["", "", "", "", first.split("-")[0][:4]]),
        "DOB": as_text(rng, born),
        "Gender": rng.choice(["M", "F", "Male", "Female", "M", "F", "U"]),
        "Ethnicity": rng.choice(ETHNICITY),
        "First Language": rng.choice(LANGUAGES),
        "Legal Status": legal,
        "Legal Status Start": as_text(rng, entered + timedelta(days=rng.randint(0, 200))) if rng.random() < 0.7 else None,
        "CLA Start": as_text(rng, entered),
        "Placement Type": placement,
        "Placement Start": as_text(rng, placed),
        "Placement LA": rng.choice(["210", "Southwark", "210", "886", "Kent (886)", "306", "Lewisham"]),
        "Carer(s)": "; ".join(carers) if placement[0] in "UAP" else None,
        "Carer Phone": "; ".join(phone(rng, mobile=True) for _ in carers) if placement[0] in "UAP" else None,
        "Social Worker": worker,
        "SW Team": rng.choice(["Children Looked After Team 1", "Children Looked After Team 2",
                               "Children Looked After Team 3", "Permanence Team"]),
        "SW Phone": phone(rng),
        "SW Email": email(worker, "southwark"),
        "Team Manager": rng.choice(TEAM_MANAGERS),
        "IRO": rng.choice(IROS),
        "Last LAC Review": as_text(rng, meeting - timedelta(days=rng.randint(40, 150))) if rng.random() < 0.8 else None,
        "Next LAC Review": as_text(rng, meeting + timedelta(days=rng.randint(20, 120))),
        "Virtual School Officer": rng.choice(VSOS),
        "SEN Status": rng.choice(["N", "N", "N", "K", "K", "SEN support", "E", "Education, health and care plan", ""]),
        "PEP Date": meeting if rng.random() < 0.9 else None,
        "PEP Number In Year": 2,
        "Year Group": None,
    }  # fmt: skip
    if row["SEN Status"] in ("E", "Education, health and care plan"):
        row["EHCP Review Date"] = as_text(rng, meeting + timedelta(days=rng.randint(-60, 200)))
    school: School | None = None
    joined: date | None = None
    if kind in ("southwark-primary", "southwark-secondary", "review"):
        school = rng.choice(schools["southwark-primary" if year <= 6 else "southwark-secondary"])
    elif kind == "kent":
        school = rng.choice(schools["kent-primary" if year <= 6 else "kent-secondary"])
        row["Placement LA"] = rng.choice(["886", "Kent"])
    elif kind == "other":
        school = rng.choice(schools["other"])
    elif kind in ("nursery", "reception"):
        school = rng.choice(schools["nursery"] if kind == "nursery" else schools["southwark-primary"])
    elif kind == "post-16":
        school = rng.choice(schools["college"])
    if school is not None:
        la = school.la or OTHER_LAS[schools["other"].index(school) % len(OTHER_LAS)]
        joined = max(placed - timedelta(days=rng.randint(0, 400)), born + timedelta(days=365 * 3))
        row.update({
            "School": school.name, "School URN": school.urn, "DfE Number": f"{la}{school.estab}",
            "School LA": rng.choice([la, la, ""]), "Date Joined": as_text(rng, joined),
            "Designated Teacher": school.teacher, "Ofsted Grade": rng.choice(["1", "2", "2", "3", "Good", ""]),
            "Ofsted Inspection Date": as_text(rng, date(2019, 9, 1) + timedelta(days=rng.randint(0, 1800))),
        })  # fmt: skip
    if year >= 1 or (year == 0 and rng.random() < 0.5):
        la = (school.la if school and school.la else "210") if kind != "kent" else "886"
        row["UPN"] = upn(rng, la)
    elif year < 1:
        row["UPN"] = "UN1"
    row["PEP Number In Year"] = rng.choice([1, 1, 2])
    if entered < meeting - timedelta(days=120) and rng.random() < 0.85:
        row["Last PEP Date"] = as_text(rng, meeting - timedelta(days=rng.randint(60, 110)))  # the autumn PEP
    if kind == "review":
        row["PEP Number In Year"] = 2
        row["Date Joined"] = meeting - timedelta(days=rng.randint(400, 900))
        row["Placement Start"] = meeting - timedelta(days=rng.randint(300, 900))
        row["PEP Date"] = meeting
    if kind == "no-provision":
        row["No Provision Reason"] = rng.choice(["awaiting_admission", "Permanently excluded",
                                                 "placement_move; awaiting_admission", "Medical needs",
                                                 "Emotionally based school avoidance", "new_arrival"])  # fmt: skip
        if "new_arrival" in row["No Provision Reason"]:
            row["UASC"] = "Yes"
        row["Notes"] = "Tuition 10 hours a week while a place is found"
    if kind in ("post-16", "neet"):
        row["ULN"] = uln(rng)
        row["Personal Adviser"] = rng.choice(ADVISERS)
        row["SW Team"] = "Leaving Care Team"
        row["Placement Type"] = rng.choice(["U4", "U6", "K3", "K3", "K2", "U6"])  # H5 and P2 retired in 2025-26
        row["EET Status"] = (
            rng.choice(["education", "Full-time education", "apprenticeship"]) if kind == "post-16"
            else rng.choice(["neet_seeking", "NEET: not available (illness, pregnancy, parenting)"])
        )  # fmt: skip
    if rng.random() < 0.08 and 1 <= year <= 11:
        row["Year Group"] = rng.choice([f"Year {year}", f"Y{year}", year, f"Year {max(1, year - 1)}"])
    if kind == "reception" and rng.random() < 0.5:
        row["Year Group"] = "R"
    if kind == "nursery" and rng.random() < 0.5:
        row["Year Group"] = "N"
    return row


def deliberate_mistakes(rows: list[dict[str, Any]]) -> None:
    """Spoil a few rows the way real exports are spoilt, so the report shows problems."""
    good = str(rows[7].get("UPN") or "")
    if len(good) != 13:
        good = upn(random.Random(SEED + 7), "210")
    rows[7]["UPN"] = ("B" if good[0] == "A" else "A") + good[1:]  # the check letter no longer fits
    rows[19]["DOB"] = "31/02/2014"
    rows[42]["Legal Status"] = "X9"
    rows[63]["Year Group"] = "=2+5"  # a formula saved with no cached value
    rows[88]["Placement Start"] = "next Tuesday"
    rows[131]["School URN"] = "12345"
    rows[150]["Person ID"] = None
    rows[177]["Person ID"] = " SW/2024/0177 "  # an ID with characters a file name cannot hold
    rows[201]["Forename"] = '=HYPERLINK("http://example.invalid")'  # formula text in a name


def build(count: int = ROWS) -> list[dict[str, Any]]:
    """The invented rows, the same every time."""
    rng = random.Random(SEED)
    schools = _schools()
    kinds = [KINDS[i % len(KINDS)] for i in range(count)] if count != len(KINDS) else list(KINDS)
    rng.shuffle(kinds)
    rows = [child(rng, number, kind, schools) for number, kind in enumerate(kinds, start=1)]
    if count >= 202:
        deliberate_mistakes(rows)
    return rows


def _last_column() -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(len(HEADERS))


def _fixed_zip(data: bytes) -> bytes:
    """The workbook with fixed times inside, so the same rows give the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet") and b"<dimension" not in content:
                # Excel always says how big a sheet is; readers that stream rely on it.
                rows = content.count(b"</row>")
                ref = f'<dimension ref="A1:{_last_column()}{rows}"/>'.encode()
                content = re.sub(rb"(<sheetViews|<sheetFormatPr|<cols|<sheetData)", ref + rb"\1", content, count=1)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*", rb"\g<1>2026-09-01T00:00:00Z", content)
            target.writestr(zipfile.ZipInfo(info.filename, FIXED), content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def write(path: Path, count: int = ROWS) -> Path:
    """Write `count` invented children to `path` as an XLSX export."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Children in care")
    bold = Font(bold=True)
    header = []
    for title in HEADERS:
        cell = WriteOnlyCell(sheet, title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in build(count):
        cells = []
        for title in HEADERS:
            value = row.get(title)
            cell = WriteOnlyCell(sheet, value)
            if isinstance(value, date):
                cell.number_format = "dd/mm/yyyy"
            elif isinstance(value, str) and value.startswith("=") and title != "Year Group":
                cell.data_type = "s"  # text that looks like a formula, kept as text
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(_fixed_zip(buffer.getvalue()))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS, help=f"how many children (default {ROWS})")
    parser.add_argument("--out", type=Path, default=HERE / "cases.xlsx", help="where to write the workbook")
    args = parser.parse_args()
    print(f"wrote {write(args.out, args.rows)} ({args.rows} children)")


if __name__ == "__main__":
    main()
