"""Hypothesis strategies for pepdocs: hostile free text, valid identifiers and whole PEP records.

`peps()` is built by walking the pydantic model, so a field added to the model is generated
without touching this file; a field of a type it does not know raises TypeError at import.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any

import annotated_types
from hypothesis import strategies as st
from pydantic import AfterValidator, BaseModel
from pydantic.fields import FieldInfo

from pepdocs.model._codes import LOCAL_AUTHORITIES, UpnPlaceholder
from pepdocs.model._identifiers import (
    TEMPORARY_ULN,
    UPN_ALPHABET,
    academic_year_label,
    upn_check_letter,
    validate_la,
    validate_laestab,
    validate_uln,
    validate_upn,
    validate_urn,
)
from pepdocs.model._pep import PEP, Plan, Setting

DIGITS = "0123456789"

XML_ILLEGAL = "".join(chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20))) + "\ufffe\uffff"
"""Characters XML 1.0 cannot hold: C0 controls other than tab, line feed and carriage return, and U+FFFE/U+FFFF."""

FRAGMENTS: tuple[str, ...] = (
    # names and scripts
    "Zoë",
    "Łucja Żółć",
    "Łukasz Wiśniewski",
    "Nguyễn Thị Mai",
    "محمد سعيد",
    "مرحباً بالعالم ١٢٣",
    "שָׁלוֹם",
    "Ελένη Παπαδοπούλου",
    "Жанна Иванова",
    "Ærøskøbing Straße",
    "O'Brien-Reid",
    "中文 日本語 한국어",
    "हिन्दी",
    "e\u0301",
    "ﬁnancial",
    "😀",
    "👩🏽‍🏫",
    "🇬🇧",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    # invisible and direction marks
    "\u00a0",
    "\u200b",
    "\u200e",
    "\u200f",
    "\u202e",
    "\u2066x\u2069",
    "\ufeff",
    "\u2028",
    "\x85",
    # XML specials
    "&",
    "<",
    ">",
    '"',
    "'",
    "&amp;",
    "&lt;b&gt;",
    "<w:t>x</w:t>",
    "<![CDATA[",
    "]]>",
    # template syntax
    "{{ x }}",
    "{{",
    "}}",
    "{% if %}",
    "{% endif %}",
    "{%- for row in rows -%}",
    "{%p if x %}",
    "{{r x }}",
    "{#",
    "#}",
    "{_{",
    "}_}",
    "{{ '{{' }}",
    # layout
    "\n",
    "\n\n",
    "\t",
    " ",
    "   ",
    # odds and ends
    "%s",
    "{0}",
    "\\",
    "$1",
    "£2,570.00",
    "50%",
)
"""Short strings that break naive document code: scripts, marks, XML and Jinja syntax, spacing."""

CONTROL_FRAGMENTS: tuple[str, ...] = (
    "\x00",
    "\x01",
    "\x08",
    "\x0b",
    "\x0c",
    "\x0e",
    "\x1b",
    "\x1f",
    "\ufffe",
    "\uffff",
)
"""XML-illegal characters, for `hostile_text(control=True)`."""


def rarely(rare: st.SearchStrategy[Any], common: st.SearchStrategy[Any], one_in: int = 40) -> st.SearchStrategy[Any]:
    """`rare` about once in `one_in` draws, else `common`; shrinks towards `common`."""
    return st.integers(0, one_in - 1).flatmap(lambda i: rare if i == one_in - 1 else common)


def _characters(control: bool) -> st.SearchStrategy[str]:
    """Any code point but surrogates and carriage return; XML-illegal ones only with `control`."""
    excluded = "\r" if control else "\r" + XML_ILLEGAL
    return st.characters(exclude_categories=["Cs"], exclude_characters=excluded)


@cache
def hostile_text(*, control: bool = False) -> st.SearchStrategy[str]:
    """Non-empty free text meant to break renderers and parsers.

    Mixes any Unicode (RTL, combining marks, emoji), XML specials, Jinja syntax, tabs, leading and
    trailing space and several paragraphs joined by '\\n'; now and then up to 10,000 characters.
    Values are already what the model stores: never '' and never '\\r'. With `control=True`
    it may also hold XML-illegal control characters.
    """
    chars = _characters(control)
    fragment = st.sampled_from(FRAGMENTS + CONTROL_FRAGMENTS) if control else st.sampled_from(FRAGMENTS)
    run = st.text(chars, min_size=1, max_size=12)
    line = st.lists(st.one_of(fragment, run), min_size=1, max_size=6).map("".join)
    paragraphs = st.tuples(st.lists(line, min_size=2, max_size=5), st.sampled_from(["\n", "\n\n", "\n \n"])).map(
        lambda parts: parts[1].join(parts[0])
    )
    padded = st.tuples(
        st.sampled_from(["", " ", "  ", "\t", "\n"]),
        st.one_of(line, paragraphs),
        st.sampled_from(["", " ", "\t", "\n", " \n"]),
    ).map("".join)
    long = st.tuples(line, st.integers(2_000, 10_000)).map(lambda t: (t[0] * (t[1] // len(t[0]) + 1))[: t[1]])
    common = st.one_of(line, st.text(chars, min_size=1, max_size=30), paragraphs, padded, fragment)
    return rarely(long, common).filter(bool)


# --- identifiers --------------------------------------------------------------------------


def _with_upn_check(body: str) -> str:
    """A UPN from its characters 2 to 13."""
    return upn_check_letter("?" + body) + body


def _uln_remainder(body: str) -> int:
    return sum(int(d) * (10 - i) for i, d in enumerate(body)) % 11


@cache
def upns(*, placeholders: bool = True) -> st.SearchStrategy[str]:
    """Valid UPNs: permanent, temporary (final letter) and, unless told not to, UN1 to UN5."""
    permanent = st.text(DIGITS, min_size=12, max_size=12).map(_with_upn_check)
    temporary = st.tuples(st.text(DIGITS, min_size=11, max_size=11), st.sampled_from(UPN_ALPHABET)).map(
        lambda t: _with_upn_check(t[0] + t[1])
    )
    options = [permanent, temporary]
    if placeholders:
        options.append(st.sampled_from([member.value for member in UpnPlaceholder]))
    return st.one_of(options)


@cache
def ulns() -> st.SearchStrategy[str]:
    """Valid ULNs (ESFA check digit) and now and then the temporary 9999999999."""
    body = st.text(DIGITS, min_size=9, max_size=9).filter(lambda b: _uln_remainder(b) != 0)
    return st.one_of(body.map(lambda b: b + str(10 - _uln_remainder(b))), st.just(TEMPORARY_ULN))


@cache
def la_numbers() -> st.SearchStrategy[str]:
    """DfE local-authority numbers: the ones pepdocs names, or any three digits not starting with 0."""
    return st.one_of(st.sampled_from(sorted(LOCAL_AUTHORITIES)), st.from_regex(r"[1-9][0-9]{2}", fullmatch=True))


@cache
def urns() -> st.SearchStrategy[str]:
    """School URNs: six digits."""
    return st.from_regex(r"[0-9]{6}", fullmatch=True)


@cache
def laestabs() -> st.SearchStrategy[str]:
    """LAESTAB numbers: a local-authority number and four digits."""
    return st.tuples(la_numbers(), st.from_regex(r"[0-9]{4}", fullmatch=True)).map("".join)


def school_years() -> st.SearchStrategy[str]:
    """Year labels like '2025-26' (academic or financial year)."""
    return st.integers(1990, 2040).map(lambda y: f"{y}-{(y + 1) % 100:02d}")


IDENTIFIERS: dict[Callable[[str], str], Callable[[], st.SearchStrategy[str]]] = {
    validate_upn: upns,
    validate_uln: ulns,
    validate_urn: urns,
    validate_laestab: laestabs,
    validate_la: la_numbers,
}
"""The validator an identifier type carries, and the strategy for its valid values."""

PATTERNS: dict[str, Callable[[], st.SearchStrategy[str]]] = {
    r"^[0-9]{4}-[0-9]{2}$": school_years,
    r"^1[0-9]{7}$": lambda: st.from_regex(r"1[0-9]{7}", fullmatch=True),
    r"^[0-9]{4}(-[0-9]{2})?$": lambda: st.one_of(st.integers(1990, 2040).map(str), school_years()),
}
"""Realistic values for the string patterns the model uses (written with `\\d` or `[0-9]`);
other patterns fall back to from_regex."""


# --- walking the model --------------------------------------------------------------------


class _Constraints:
    """The constraints found in a field's metadata (annotated_types and pydantic's own)."""

    def __init__(self, metadata: Sequence[Any]) -> None:
        self.ge: Any = None
        self.le: Any = None
        self.gt: Any = None
        self.lt: Any = None
        self.pattern: str | None = None
        self.decimal_places: int | None = None
        self.max_digits: int | None = None
        self.identifier: Callable[[], st.SearchStrategy[str]] | None = None
        for item in metadata:
            self.add(item)

    def add(self, item: Any) -> None:
        if isinstance(item, FieldInfo):
            for inner in item.metadata:
                self.add(inner)
        elif isinstance(item, annotated_types.Ge):
            self.ge = item.ge
        elif isinstance(item, annotated_types.Le):
            self.le = item.le
        elif isinstance(item, annotated_types.Gt):
            self.gt = item.gt
        elif isinstance(item, annotated_types.Lt):
            self.lt = item.lt
        elif isinstance(item, AfterValidator) and item.func in IDENTIFIERS:
            self.identifier = IDENTIFIERS[item.func]
        else:
            for name in ("pattern", "decimal_places", "max_digits"):
                value = getattr(item, name, None)
                if value is not None:
                    setattr(self, name, value)


def _integers(c: _Constraints) -> st.SearchStrategy[int]:
    low = c.ge if c.ge is not None else (c.gt + 1 if c.gt is not None else -1000)
    high = c.le if c.le is not None else (c.lt - 1 if c.lt is not None else 1000)
    return st.integers(int(low), int(high))


def _decimals(c: _Constraints) -> st.SearchStrategy[Decimal]:
    step = Decimal(1).scaleb(-c.decimal_places) if c.decimal_places is not None else Decimal("0.01")
    low = Decimal(c.ge) if c.ge is not None else (Decimal(c.gt) + step if c.gt is not None else Decimal(-1000))
    if c.le is not None:
        high = Decimal(c.le)
    elif c.lt is not None:
        high = Decimal(c.lt) - step
    elif c.max_digits is not None:
        high = Decimal(10) ** (c.max_digits - (c.decimal_places or 0)) - step
    else:
        high = Decimal(10_000)
    return st.decimals(low, high, places=c.decimal_places, allow_nan=False, allow_infinity=False)


def _strings(c: _Constraints) -> st.SearchStrategy[str]:
    if c.identifier is not None:
        return c.identifier()
    if c.pattern is not None:
        known = PATTERNS.get(c.pattern.replace(r"\d", "[0-9]"))
        if known is not None:
            return known()
        return st.from_regex(c.pattern, fullmatch=True, alphabet=st.characters(codec="ascii"))
    return hostile_text()


def _keys() -> st.SearchStrategy[str]:
    """Dictionary keys: short identifiers, as form ids and field names are."""
    return st.from_regex(r"[a-z][a-z0-9_]{0,11}", fullmatch=True)


def strategy_for(annotation: Any, metadata: Sequence[Any] = (), *, nullable: bool = True) -> st.SearchStrategy[Any]:
    """A strategy for valid input to a field of this annotation and metadata (None only if `nullable`)."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return strategy_for(args[0], (*metadata, *annotation.__metadata__), nullable=nullable)
    if origin in (typing.Union, types.UnionType):
        present = [arg for arg in args if arg is not type(None)]
        inner = st.one_of([strategy_for(arg, metadata) for arg in present])
        return st.one_of(st.none(), inner) if nullable and len(present) < len(args) else inner
    if origin is typing.Literal:
        return st.sampled_from(args)
    if origin is list:
        (item,) = args
        if isinstance(item, type) and issubclass(item, Enum):
            return st.lists(st.sampled_from(list(item)), max_size=len(item), unique=True)
        return st.lists(strategy_for(item), max_size=8)
    if origin is dict:
        _key, value = args
        return st.dictionaries(_keys(), strategy_for(value), max_size=3)
    constraints = _Constraints(metadata)
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return model_dicts(annotation)
        if issubclass(annotation, Enum):
            return st.sampled_from(list(annotation))
        if annotation is bool:
            return st.booleans()
        if annotation is int:
            return _integers(constraints)
        if annotation is Decimal:
            return _decimals(constraints)
        if annotation is datetime:
            return st.datetimes(datetime(1990, 1, 1), datetime(2040, 12, 31))
        if annotation is date:
            return st.dates(date(1990, 1, 1), date(2040, 12, 31))
        if annotation is str:
            return _strings(constraints)
    raise TypeError(f"tests/strategies.py has no strategy for {annotation!r}")


def _plan_consistent(data: dict[str, Any]) -> dict[str, Any]:
    """Make an explicit academic year the one containing the meeting date."""
    if data.get("meeting_date") is not None and data.get("academic_year") is not None:
        data["academic_year"] = academic_year_label(data["meeting_date"])
    return data


def _setting_consistent(data: dict[str, Any]) -> dict[str, Any]:
    """Make an explicit local authority the one in the LAESTAB."""
    if data.get("laestab") is not None and data.get("la") is not None:
        data["la"] = data["laestab"][:3]
    return data


CONSISTENT: dict[type[BaseModel], Callable[[dict[str, Any]], dict[str, Any]]] = {
    Plan: _plan_consistent,
    Setting: _setting_consistent,
}
"""Fix-ups that keep fields real records tie together consistent (the model derives them when absent)."""


@cache
def model_dicts(model: type[BaseModel]) -> st.SearchStrategy[dict[str, Any]]:
    """Input dictionaries for a part of the PEP: required fields always, each other one half the time.

    An optional field is left out rather than set to None (the model reads both the same way).
    """
    fields: list[tuple[str, bool, st.SearchStrategy[Any]]] = []
    for name, info in model.model_fields.items():
        required = info.is_required()
        nullable = required or info.default is not None
        fields.append((name, required, strategy_for(info.annotation, info.metadata, nullable=nullable)))

    @st.composite
    def draw_dict(draw: st.DrawFn) -> dict[str, Any]:
        data = {name: draw(strategy) for name, required, strategy in fields if required or draw(st.booleans())}
        fix = CONSISTENT.get(model)
        return fix(data) if fix is not None else data

    return draw_dict()


def peps() -> st.SearchStrategy[PEP]:
    """Valid PEP records with any field set or not, hostile text and valid identifiers."""
    return model_dicts(PEP).map(PEP.model_validate)
