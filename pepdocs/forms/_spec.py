"""Form specs: each form's declarative TOML spec, loaded and checked against the model.

A spec (`templates/<folder>/form.toml`) is the single source of truth for a form: its sections,
who fills them in, labels, model paths, value codecs and table row counts. The DOCX and PDF
templates are built from it and checked against it.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from enum import Enum
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from pepdocs._errors import FormError
from pepdocs.forms._codecs import code_label
from pepdocs.model._paths import Slot, slot

ROLES = ("school", "social_worker", "meeting", "child", "carer", "virtual_school")
IDENTITY = {
    "child.full_name": "Child's name",
    "child.date_of_birth": "Born",
    "child.person_id": "Person ID",
    "child.upn": "Pupil no. (UPN)",
}
"""What identifies the child on every form and every part of one, with the name band's labels (unlike any
section's label, so a form read by its labels never takes one for the other).

The name band at the top of every form carries these (the UPN only where the form asks for it), so a
returned part can be checked against the record it is merged into."""
YEARS = {"N1": -2, "N2": -1, "R": 0, **{str(n): n for n in range(1, 15)}}
_added: list[Path] = []


@cache
def templates_dir() -> Path:
    """Where the form folders are: inside the installed package, or beside it in a checkout."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "templates", package.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise FormError("the templates folder is missing from this installation of pepdocs")


_NOT_WORD = re.compile(r"[^\w]+")


@lru_cache(maxsize=8192)  # labels come back in every document read
def _normal(label: str) -> str:
    """A label as compared when finding it again: case, spacing and punctuation ignored."""
    return _NOT_WORD.sub(" ", label.casefold()).strip()


@dataclass(frozen=True)
class Field:
    """One answer on a form: where it lives in the model and how it is written."""

    id: str
    label: str
    slot: Slot
    widget: str = "text"  # text, boxes
    options: tuple[Enum | bool, ...] = ()
    lines: int = 1
    place: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    """Where the answer stands in a council's own document (forms pepdocs did not make)."""

    @property
    def path(self) -> str:
        return self.slot.path

    @property
    def derived(self) -> bool:
        return self.slot.derived

    @property
    def sensitive(self) -> bool:
        """Whether the model marks this field as staying in the social worker's record."""
        return self.path in _sensitive()

    def readable_options(self) -> tuple[Enum | bool, ...]:
        """Every choice a box answer may tick: the printed boxes and any other code of the list."""
        if self.slot.enum is None:
            return self.options
        return self.options + tuple(m for m in self.slot.enum if m not in self.options)


def option_label(option: Enum | bool) -> str:
    """The words beside a tick box."""
    return ("Yes" if option else "No") if isinstance(option, bool) else code_label(option)


@dataclass(frozen=True)
class Block:
    """A part of a section: a label/value grid, narrative boxes, a table of rows or a fixed matrix.

    kind "fields": `fields` as label/value pairs, `pairs` to a row.
    kind "text": `fields` as a label above a tall answer box.
    kind "table": list items at `path`, one row each, `columns` as fields of an item, `rows` printed.
    kind "grid": fixed rows (`row_labels`, `row_paths`) by `columns`; each cell is a field.
    """

    kind: str
    id: str
    heading: str = ""
    note: str = ""
    fields: tuple[Field, ...] = ()
    pairs: int = 1
    path: str = ""
    columns: tuple[Field, ...] = ()
    widths: tuple[float, ...] = ()
    rows: int = 0
    row_labels: tuple[str, ...] = ()
    years: tuple[int, int] | None = None
    place: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def cells(self) -> Iterator[Field]:
        """Every answer the block holds, including the cells of a grid."""
        yield from self.fields
        if self.kind == "grid":
            yield from self.columns

    @property
    def sensitive(self) -> bool:
        """Whether every answer in the block is sensitive, so copies for others leave the block out."""
        answers = [*self.cells(), *(self.columns if self.kind == "table" else ())]
        return bool(answers) and all(f.sensitive for f in answers)

    @property
    def conditional(self) -> bool:
        """Whether the block is shown only to some children or audiences."""
        return self.years is not None or self.sensitive


@dataclass(frozen=True)
class Section:
    """A numbered section of a form and who fills it in: `roles` for choosing parts, `filled_by` in words."""

    key: str
    title: str
    filled_by: str
    note: str
    blocks: tuple[Block, ...]
    years: tuple[int, int] | None = None
    roles: tuple[str, ...] = ()
    new_page: bool = False  # printed from the top of a new page, where the council's own form does so

    @property
    def id(self) -> str:
        return f"s{self.key}".lower()


@dataclass(frozen=True)
class Applies:
    """When a form is the one to use: schools in these LAs, these year groups, no provision, a review."""

    la: tuple[str, ...] = ()
    years: tuple[int, int] | None = None
    no_provision: bool = False
    review: bool = False
    reason: str = ""


@dataclass(frozen=True)
class Form:
    """A form as its spec declares it."""

    id: str
    title: str
    authority: str
    authority_la: str
    version: str
    folder: Path
    sections: tuple[Section, ...]
    short_title: str = ""
    intro: str = ""
    title_fields: tuple[Field, ...] = ()
    required: tuple[str, ...] = ()
    review_cycle: str = ""
    applies: Applies = Applies()
    template: str = ""
    """A council's own document the form fills (`original.docx`); empty for the forms pepdocs draws."""

    @property
    def foreign(self) -> bool:
        """Whether the form is a council's own document rather than one pepdocs draws from its spec."""
        return bool(self.template)

    @property
    def formats(self) -> tuple[str, ...]:
        """The formats the form comes in: its council document's, else those its folder has a built template for."""
        if self.foreign:
            return (Path(self.template).suffix[1:].casefold(),)
        return tuple(sorted(path.suffix[1:] for path in self.folder.glob("form.*") if path.suffix != ".toml"))

    @property
    def paths(self) -> list[str]:
        """Model paths the form carries (derived values left out), `[]` marking list items."""
        return [f.path for f in self.fields() if not f.derived]

    def fields(self, sections: frozenset[str] | None = None) -> Iterator[Field]:
        """Every field and table column of the form, or of the named sections."""
        for section in self.sections:
            if sections is None or section.key in sections:
                for block in section.blocks:
                    yield from block.cells()
                    if block.kind == "table":
                        yield from block.columns

    def blocks(self, sections: frozenset[str] | None = None) -> Iterator[tuple[Section, Block]]:
        for section in self.sections:
            if sections is None or section.key in sections:
                for block in section.blocks:
                    yield section, block

    def section(self, key: str) -> Section:
        """The section with this key, found whatever its case ("b" finds "B")."""
        for section in self.sections:
            if section.key.casefold() == str(key).strip().casefold():
                return section
        raise FormError(f"form {self.id} has no section {key!r}; it has {', '.join(s.key for s in self.sections)}")


@cache
def _sensitive() -> frozenset[str]:
    from pepdocs.model._pep import sensitive_paths

    return frozenset(sensitive_paths())


def _field_id(path: str) -> str:
    """A field id safe as a bookmark name and a Jinja name: at most 40 characters."""
    name = "f_" + re.sub(r"[^0-9a-zA-Z]+", "_", path.replace("[]", "")).strip("_")
    if len(name) > 40:
        import hashlib

        name = name[:31] + "_" + hashlib.sha1(path.encode()).hexdigest()[:8]
    return name


def _field(raw: dict[str, Any], where: str, prefix: str = "", foreign: bool = False) -> Field:
    unknown = set(raw) - {"path", "label", "widget", "options", "lines", "width", "place", "confidence"}
    if unknown:
        raise FormError(f"{where}: unknown keys {sorted(unknown)}")
    try:
        path, label = prefix + raw["path"], raw["label"]
    except KeyError as missing:
        raise FormError(f"{where}: a field needs {missing}") from None
    try:
        found = slot(path)
    except KeyError:
        raise FormError(f"{where}: the model has no path {path!r}") from None
    if found.kind == "model":
        raise FormError(f"{where}: {path!r} is a group, not a value")
    place = raw.get("place", {})
    if not isinstance(place, dict) or (foreign and not place):
        raise FormError(f"{where}: a field of a council's own form needs a place table")
    # A council's own form ticks its own boxes (see place.choices); its answers are read as words.
    default = "boxes" if found.kind in ("bool", "codes") and not foreign else "text"
    widget = raw.get("widget", default)
    options: tuple[Enum | bool, ...] = ()
    if widget == "boxes":
        if found.kind == "bool":
            options = (True, False)
        elif found.enum is not None:
            wanted = raw.get("options")
            try:
                options = tuple(found.enum(o) for o in wanted) if wanted else tuple(found.enum)
            except ValueError as error:
                raise FormError(f"{where}: {error}") from None
        else:
            raise FormError(f"{where}: boxes need a yes/no or code-list field, {path!r} is {found.kind}")
    elif widget != "text":
        raise FormError(f"{where}: widget must be text or boxes, not {widget!r}")
    return Field(_field_id(path), label, found, widget, options, int(raw.get("lines", 1)), place)


def _years(raw: dict[str, Any], where: str) -> tuple[int, int] | None:
    years = raw.get("years")
    if years is None:
        return None
    if not (isinstance(years, list) and len(years) == 2 and all(isinstance(y, int) for y in years)):
        raise FormError(f"{where}: years must be [first, last] year groups")
    return (years[0], years[1])


def _block(raw: dict[str, Any], where: str, number: int, foreign: bool = False) -> Block:
    kind = raw.get("type")
    common = {
        "heading": raw.get("heading", ""),
        "note": raw.get("note", ""),
        "years": _years(raw, where),
    }
    if kind in ("fields", "text"):
        fields = tuple(
            _field(f, f"{where} field {i + 1}", foreign=foreign) for i, f in enumerate(raw.get("fields", []))
        )
        return Block(kind, f"b{number}", fields=fields, pairs=int(raw.get("pairs", 1)), **common)
    if kind == "table":
        path = raw.get("path", "")
        if slot_kind(path) != "model" or "[]" in path:
            raise FormError(f"{where}: table path {path!r} must name a list of items")
        columns = tuple(
            _field(c, f"{where} column {i + 1}", prefix=f"{path}[].", foreign=foreign)
            for i, c in enumerate(raw.get("columns", []))
        )
        return Block(
            kind,
            f"t{number}_" + re.sub(r"\W+", "_", path),
            path=path,
            columns=columns,
            widths=tuple(float(c.get("width", 1)) for c in raw.get("columns", [])),
            rows=int(raw.get("rows", 3)),
            place=raw.get("place", {}),
            **common,
        )
    if kind == "grid":
        rows = raw.get("rows", [])
        cells = tuple(
            _field(c, f"{where} row {r['label']!r}", prefix=f"{r['path']}.")
            for r in rows
            for c in raw.get("columns", [])
        )
        return Block(
            kind,
            f"g{number}",
            columns=cells,
            row_labels=tuple(r["label"] for r in rows),
            widths=tuple(float(c.get("width", 1)) for c in raw.get("columns", [])),
            fields=(),
            pairs=len(raw.get("columns", [])),
            **common,
        )
    raise FormError(f"{where}: block type must be fields, text, table or grid, not {kind!r}")


def _roles(raw: dict[str, Any], where: str) -> tuple[str, ...]:
    roles = raw.get("roles")
    if isinstance(roles, str):
        roles = [roles]
    if not (isinstance(roles, list) and roles and all(isinstance(r, str) for r in roles)):
        raise FormError(f"{where}: roles must list who completes the section, from {', '.join(ROLES)}")
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise FormError(f"{where}: unknown roles {unknown}; roles are {', '.join(ROLES)}")
    return tuple(roles)


def _year(value: Any, where: str) -> int:
    if str(value).upper() not in YEARS:
        raise FormError(f"{where}: year groups are N1, N2, R or 1 to 14, not {value!r}")
    return YEARS[str(value).upper()]


def _applies(raw: Any, where: str) -> Applies:
    if not isinstance(raw, dict):
        raise FormError(f"{where}: applies must be a table")
    unknown = set(raw) - {"la", "years", "no_provision", "review", "reason"}
    if unknown:
        raise FormError(f"{where}: unknown keys {sorted(unknown)}")
    la = raw.get("la", [])
    if isinstance(la, str):
        la = [la]
    if not (isinstance(la, list) and all(isinstance(c, str) and re.fullmatch(r"\d{3}", c) for c in la)):
        raise FormError(f'{where}: la must be three-digit LA codes, e.g. ["886"]')
    years = raw.get("years")
    span = None
    if years is not None:
        if not (isinstance(years, list) and len(years) == 2):
            raise FormError(f'{where}: years must be [first, last] year groups, e.g. ["N1", "R"] or [12, 14]')
        span = (_year(years[0], where), _year(years[1], where))
    flags = {key: raw.get(key, False) for key in ("no_provision", "review")}
    for key, value in flags.items():
        if not isinstance(value, bool):
            raise FormError(f"{where}: {key} must be true or false")
    reason = raw.get("reason", "")
    if not isinstance(reason, str):
        raise FormError(f"{where}: reason must be text")
    return Applies(tuple(la), span, flags["no_provision"], flags["review"], reason)


def _name_band(raw: list[dict[str, Any]], sections: list[Section], where: str) -> tuple[Field, ...]:
    """The name band: the spec's title fields, then each identity item it lacks; printed only, read back by parse.

    Band fields are ids `n_...` and derived (printed, never an answer), so they never clash with a section's field.
    """
    declared = [_field(f, where) for f in raw]
    for f in declared:
        if not f.derived and f.path not in IDENTITY:
            raise FormError(f"{where}: {f.path} must be derived or identify the child; answers belong in sections")
    carried = {f.path for s in sections for b in s.blocks for f in (*b.cells(), *b.columns)}
    have = {f.path for f in declared}
    for path, label in IDENTITY.items():
        if path not in have and (path != "child.upn" or path in carried):
            declared.append(_field({"path": path, "label": label}, where))
    return tuple(
        replace(f, id="n" + f.id[1:], slot=replace(f.slot, derived=True), widget="text", options=()) for f in declared
    )


def _flag(raw: dict[str, Any], key: str, where: str) -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        raise FormError(f"{where}: {key} must be true or false")
    return value


def slot_kind(path: str) -> str:
    try:
        return slot(path).kind
    except KeyError:
        return ""


def load_form(path: Path) -> Form:
    """A form from its spec file; FormError says what is wrong and where."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError) as error:
        raise FormError(f"{path}: not a readable form spec ({error.__class__.__name__}: {error})") from None
    where = str(path)
    template = raw.get("template", "")
    if template and (not isinstance(template, str) or "/" in template or "\\" in template or template.startswith(".")):
        raise FormError(f"{where}: template must be the name of a file beside form.toml")
    sections = []
    number = 0
    for s in raw.get("sections", []):
        blocks: list[Block] = []
        for b in s.get("blocks", []):
            number += 1
            blocks.append(_block(b, f"{where} section {s.get('key')} block {len(blocks) + 1}", number, bool(template)))
        sections.append(
            Section(
                key=str(s["key"]),
                title=s["title"],
                filled_by=s.get("filled_by", ""),
                note=s.get("note", ""),
                blocks=tuple(blocks),
                years=_years(s, f"{where} section {s.get('key')}"),
                roles=_roles(s, f"{where} section {s.get('key')}"),
                new_page=_flag(s, "new_page", f"{where} section {s.get('key')}"),
            )
        )
    try:
        form = Form(
            id=raw["id"],
            title=raw["title"],
            authority=raw["authority"],
            authority_la=raw.get("authority_la", ""),
            version=str(raw["version"]),
            folder=path.parent,
            sections=tuple(sections),
            short_title=raw.get("short_title", raw["title"]),
            intro=raw.get("intro", ""),
            title_fields=_name_band(raw.get("title_fields", []), sections, f"{where} title field"),
            required=tuple(raw.get("required", [])),
            review_cycle=raw.get("review_cycle", ""),
            applies=_applies(raw.get("applies", {}), f"{where} [applies]"),
            template=template,
        )
    except KeyError as missing:
        raise FormError(f"{where}: the spec needs {missing}") from None
    _check(form)
    return form


def _check(form: Form) -> None:
    """Refuse a spec where one path or one label would be read back as two answers."""
    carried = set(form.paths)
    for path in form.required:
        if path not in carried:
            raise FormError(f"form {form.id}: required path {path} is not on the form")
    seen_paths: dict[str, str] = {}
    seen_labels: dict[str, str] = {}
    for _section, block in form.blocks():
        for f in block.fields:
            if not f.derived:
                if f.path in seen_paths:
                    raise FormError(f"form {form.id}: {f.path} appears twice")
                seen_paths[f.path] = f.label
            key = _normal(f.label)
            if key in seen_labels and not form.foreign:
                raise FormError(f"form {form.id}: label {f.label!r} appears twice; labels must tell fields apart")
            seen_labels[key] = f.path
        for f in block.columns:
            if f.path in seen_paths:
                raise FormError(f"form {form.id}: {f.path} appears twice")
            seen_paths[f.path] = f.label


def part_sections(form: Form, part: str) -> frozenset[str]:
    """The keys of the sections `part` (a role) completes; FormError when the role is unknown or has none."""
    if part not in ROLES:
        raise FormError(f"part must be one of {', '.join(ROLES)}, not {part!r}")
    keys = frozenset(s.key for s in form.sections if part in s.roles)
    if not keys:
        raise FormError(f"form {form.id} has no section completed by {part.replace('_', ' ')}")
    return keys


def add_forms(folder: str | os.PathLike[str]) -> None:
    """Add a folder of your own form folders (each with a form.toml) to the forms pepdocs knows."""
    path = Path(folder)
    if not path.is_dir():
        raise FormError(f"{path}: not a folder of forms")
    if path not in _added:
        _added.append(path)
    _forms_in.cache_clear()


def form_folders() -> tuple[Path, ...]:
    """The folders forms are found in: the built-in ones, then PEPDOCS_FORMS, then those added."""
    return _distinct(os.environ.get("PEPDOCS_FORMS", ""), tuple(_added))


@cache
def _distinct(from_env: str, added: tuple[Path, ...]) -> tuple[Path, ...]:
    """Each folder once (one named by PEPDOCS_FORMS and --forms is read once); cached, as every get_form asks."""
    folders: dict[Path, Path] = {}
    for folder in (templates_dir(), *(Path(p) for p in from_env.split(os.pathsep) if p.strip()), *added):
        folders.setdefault(folder.resolve(), folder)
    return tuple(folders.values())


@cache
def _forms_in(folders: tuple[Path, ...]) -> dict[str, Form]:
    forms: dict[str, Form] = {}
    for root in folders:
        if not root.is_dir():
            raise FormError(f"{root}: the forms folder does not exist")
        for spec in sorted(root.glob("*/form.toml")):
            form = load_form(spec)
            if form.id in forms:
                raise FormError(f"form id {form.id!r} is used twice: in {forms[form.id].folder} and in {form.folder}")
            forms[form.id] = form
    return forms


def _all_forms() -> dict[str, Form]:
    return _forms_in(form_folders())


def list_forms() -> list[Form]:
    """Every form pepdocs can render and read: the built-in ones and those in your form folders."""
    return list(_all_forms().values())


def get_form(form_id: str | Form) -> Form:
    """The form with this id; FormError lists the ids there are."""
    if isinstance(form_id, Form):
        return form_id
    forms = _all_forms()
    if form_id in forms:
        return forms[form_id]
    for known, form in forms.items():  # "Kent" finds "kent"
        if isinstance(form_id, str) and known.casefold() == form_id.strip().casefold():
            return form
    raise FormError(f"unknown form {form_id!r}; the forms are {', '.join(forms)}")
