"""Pupil and school identifiers: UPN, ULN, URN and LAESTAB, with their check algorithms."""

from __future__ import annotations

import re
from datetime import date

from pepdocs.model._codes import UpnPlaceholder

UPN_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"
"""The 23 letters a UPN may use (I, O and S left out); a letter's value is its index."""

_UPN_SHAPE = re.compile(r"[A-Z][0-9]{11}[0-9A-Z]")
TEMPORARY_ULN = "9999999999"


def upn_check_letter(upn: str) -> str:
    """The check letter for characters 2 to 13 of a UPN (DfE algorithm: weights 2..13, mod 23)."""
    total = 0
    for position, char in enumerate(upn[1:13], start=2):
        total += (int(char) if char.isdigit() else UPN_ALPHABET.index(char)) * position
    return UPN_ALPHABET[total % 23]


def validate_upn(value: str) -> str:
    """Return a valid UPN or placeholder (UN1 to UN5) in upper case; raise ValueError otherwise."""
    upn = value.strip().upper()
    if upn in UpnPlaceholder._value2member_map_:
        return upn
    if len(upn) != 13:
        raise ValueError(f"UPN must be 13 characters or UN1 to UN5, not {len(upn)} characters")
    if not _UPN_SHAPE.fullmatch(upn):
        raise ValueError("UPN must be a letter, 11 digits and a final digit or letter")
    if upn[0] not in UPN_ALPHABET or (upn[12].isalpha() and upn[12] not in UPN_ALPHABET):
        raise ValueError("UPN letters I, O and S are never used")
    expected = upn_check_letter(upn)
    if upn[0] != expected:
        raise ValueError("UPN check letter is wrong")
    return upn


def validate_uln(value: str) -> str:
    """Return a valid ULN (10 digits, ESFA check digit) or the temporary 9999999999."""
    uln = value.strip()
    if not re.fullmatch(r"[0-9]{10}", uln):
        raise ValueError("ULN must be 10 digits")
    if uln == TEMPORARY_ULN:
        return uln
    remainder = sum(int(d) * (10 - i) for i, d in enumerate(uln[:9])) % 11
    if remainder == 0 or 10 - remainder != int(uln[9]):
        raise ValueError("ULN check digit is wrong")
    return uln


def validate_urn(value: str) -> str:
    """Return a school URN: six digits."""
    urn = value.strip()
    if not re.fullmatch(r"[0-9]{6}", urn):
        raise ValueError("URN must be 6 digits")
    return urn


def validate_laestab(value: str) -> str:
    """Return a LAESTAB (DfE number): 3-digit LA number and 4-digit establishment, '/' allowed."""
    laestab = value.strip().replace("/", "")
    if not re.fullmatch(r"[1-9][0-9]{6}", laestab):
        raise ValueError("LAESTAB must be 7 digits: LA number then establishment number")
    return laestab


def validate_la(value: str) -> str:
    """Return a DfE local-authority number: three digits."""
    la = value.strip()
    if not re.fullmatch(r"[1-9][0-9]{2}", la):
        raise ValueError("local authority number must be 3 digits")
    return la


def academic_year_start(on: date) -> int:
    """The calendar year in which the academic year containing `on` began (1 September)."""
    return on.year if on.month >= 9 else on.year - 1


def academic_year_label(on: date) -> str:
    """The academic year containing `on`, written as schools write it: '2025-26'."""
    start = academic_year_start(on)
    return f"{start}-{(start + 1) % 100:02d}"


def age(born: date, on: date) -> int:
    """Whole years from `born` to `on`: a child's age, or how long something has lasted."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def nc_year(date_of_birth: date, on: date) -> int:
    """National Curriculum year by age on `on`: Reception 0, Year 1 1, nursery negative."""
    cutoff = date(academic_year_start(on), 8, 31)
    age = cutoff.year - date_of_birth.year - ((cutoff.month, cutoff.day) < (date_of_birth.month, date_of_birth.day))
    return age - 4


def key_stage(ncy: int) -> str:
    """The key stage of a National Curriculum year: EYFS, KS1 to KS4, or KS5 (post-16)."""
    if ncy <= 0:
        return "EYFS"
    if ncy <= 2:
        return "KS1"
    if ncy <= 6:
        return "KS2"
    if ncy <= 9:
        return "KS3"
    if ncy <= 11:
        return "KS4"
    return "KS5"


def year_group_label(ncy: int) -> str:
    """How a form writes a National Curriculum year: 'Nursery', 'Reception', 'Year 7'."""
    if ncy < 0:
        return "Nursery" if ncy == -1 else f"Nursery ({ncy})"
    if ncy == 0:
        return "Reception"
    return f"Year {ncy}"
