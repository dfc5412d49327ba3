"""Merging a returned form (a school's Section 3, say) into the record it was sent from."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from pepdocs._errors import IdentityError
from pepdocs._types import PREFERS, Prefer, option
from pepdocs.forms._assemble import Parsed
from pepdocs.model._paths import get
from pepdocs.model._pep import PEP
from pepdocs.model._records import pep_from_data

ITEMS = {"child.full_name": "name", "child.date_of_birth": "date of birth", "child.person_id": "person ID",
         "child.upn": "UPN"}  # fmt: skip
"""Each identity item as messages name it."""

# How list items are recognised as the same item in the record and in a returned form.
IDENTITY: dict[str, tuple[str, ...]] = {
    "targets": ("description",),
    "previous_targets": ("description",),
    "actions": ("description",),
    "previous_actions": ("description",),
    "plan.attendees": ("name",),
    "care.carers": ("name",),
    "education.setting_history": ("name", "start_date"),
    "education.exclusions": ("start_date", "kind"),
    "education.attainment": ("subject",),
    "education.key_stage_results": ("key_stage", "subject"),
    "education.interventions": ("description",),
    "pupil_premium.items": ("intervention",),
    "post16.courses": ("title",),
    "no_provision.interim": ("provider", "start_date"),
    "no_provision.applications": ("provider", "date_applied"),
}

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Conflict:
    """A value the returned form gives differently from the record."""

    path: str
    record: Any
    returned: Any


@dataclass
class Merged:
    """The record with the returned values taken in, and the conflicts found on the way."""

    pep: PEP
    conflicts: list[Conflict] = field(default_factory=list)
    taken: list[str] = field(default_factory=list)


def _key(item: dict[str, Any], names: tuple[str, ...]) -> tuple[Any, ...] | None:
    values = tuple(" ".join(str(item.get(n)).casefold().split()) if item.get(n) is not None else None for n in names)
    return None if all(v is None for v in values) else values


class _Merger:
    def __init__(self, prefer: Prefer) -> None:
        self.prefer = prefer
        self.conflicts: list[Conflict] = []
        self.taken: list[str] = []

    def value(self, path: str, record: Any, returned: Any) -> Any:
        if returned in (None, "", [], {}):
            return record
        if isinstance(returned, dict) and isinstance(record, dict):
            return self.mapping(path, record, returned)
        if isinstance(returned, list) and isinstance(record, list) and returned and isinstance(returned[0], dict):
            return self.items(path, record, returned)
        if record in (None, "", [], {}):
            self.taken.append(path)
            return returned
        if record != returned:
            self.conflicts.append(Conflict(path, record, returned))
            return returned if self.prefer == "returned" else record
        return record

    def mapping(self, path: str, record: dict[str, Any], returned: dict[str, Any]) -> dict[str, Any]:
        out = dict(record)
        for name, value in returned.items():
            out[name] = self.value(f"{path}.{name}", record.get(name), value)
        return out

    def items(self, path: str, record: list[Any], returned: list[Any]) -> list[Any]:
        names = IDENTITY.get(path.removeprefix("$.").replace("[]", ""), ())
        out = [dict(item) for item in record]
        keys = {_key(item, names): i for i, item in enumerate(out)} if names else {}
        for position, item in enumerate(returned):
            key = _key(item, names) if names else None
            index = keys.get(key) if key is not None else (position if not names and position < len(out) else None)
            if index is None:
                self.taken.append(f"{path}[{len(out)}]")
                out.append(item)
                if key is not None:
                    keys[key] = len(out) - 1
            else:
                out[index] = self.mapping(f"{path}[{index}]", out[index], item)
        return out


def identity(pep: PEP | Parsed) -> dict[str, Any]:
    """Who a record or a returned form is about: name, date of birth, person ID, UPN, as far as it says.

    A returned form's name band speaks first; its sections fill in what the band lacks.
    """
    return {k: v for claim in reversed(_claims(pep)) for k, v in claim.items()}


def _claims(pep: PEP | Parsed) -> list[dict[str, Any]]:
    """What a record says of who it is about; for a returned form, its name band's word and its sections', apart."""
    if isinstance(pep, Parsed):
        band = {path: v for path, v in pep.identity.items() if path in ITEMS and v not in (None, "")}
        return [band, *_claims(pep.pep)]
    found = {path: get(pep, path) for path in ITEMS}
    return [{path: value for path, value in found.items() if value not in (None, "")}]


def _same(mine: Any, theirs: Any) -> bool:
    if isinstance(mine, str) and isinstance(theirs, str):
        return " ".join(mine.casefold().split()) == " ".join(theirs.casefold().split())
    return bool(mine == theirs)


def check_identity(record: PEP, returned: Parsed | PEP, *, allow_unidentified: bool = False) -> None:
    """Refuse a returned form about another child, or one that says nothing of who it is about.

    The name band and the form's own sections must each agree with the record: a band naming this
    child above sections about another is another child's form. IdentityError names the items that
    differ (name, date of birth, person ID, UPN), never their values.
    """
    mine, claims = identity(record), _claims(returned)
    shared = [path for path in ITEMS if path in mine and any(path in claim for claim in claims)]
    differ = [
        ITEMS[path] for path in shared if any(path in claim and not _same(mine[path], claim[path]) for claim in claims)
    ]
    if differ:
        raise IdentityError(
            f"the returned form is about another child: its {_listed(differ)} "
            f"{'differs' if len(differ) == 1 else 'differ'} from the record's; nothing was merged",
            differ,
        )
    if not shared and not allow_unidentified:
        raise IdentityError(
            "the returned form does not say who it is about (no name, date of birth, person ID or UPN "
            "to compare with the record); check it is this child's and pass allow_unidentified=True "
            "(--allow-unidentified) to take it in",
            [],
        )


def _listed(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def merge(
    record: PEP, returned: Parsed | PEP, *, prefer: Prefer = "record", allow_unidentified: bool = False
) -> Merged:
    """Take the returned form's values into the record: empty record values are filled, differing ones listed.

    A conflict keeps the record's value unless `prefer="returned"`. List items (targets, attainment rows,
    attendees, ...) are matched by what identifies them, not by their position. A returned form about
    another child is an IdentityError; one that does not say who it is about is too, unless
    `allow_unidentified`.
    """
    option("prefer", prefer, PREFERS)
    check_identity(record, returned, allow_unidentified=allow_unidentified)
    incoming = returned.pep if isinstance(returned, Parsed) else returned
    merger = _Merger(prefer)
    mine = _data(record)
    theirs = _data(incoming)
    merged = merger.mapping("$", mine, theirs)
    pep = pep_from_data(merged, "merged record")
    log.debug("merged prefer=%s taken=%d conflicts=%d", prefer, len(merger.taken), len(merger.conflicts))
    return Merged(pep, merger.conflicts, merger.taken)


def _data(pep: BaseModel) -> dict[str, Any]:
    return pep.model_dump(exclude_defaults=True, exclude_computed_fields=True)
