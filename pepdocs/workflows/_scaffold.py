"""Onboarding a council's own form: find where its answers go, map each to a model path, write a form folder."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pepdocs._errors import DocumentError, FormError, LimitError
from pepdocs._util.isolate import isolated as run_isolated
from pepdocs._util.quiet import quiet_libraries
from pepdocs.forms._match import POSSIBLE, SURE, Match, Spot, Vocabulary, normal, similarity, vocabulary
from pepdocs.model._paths import slot

MAX_PLACES = 1000
"""Places for answers in one form: pepdocs' own forms have about 200, a table of rows counting as one."""

_CHOICE_KINDS = {
    "checkbox": frozenset({"bool"}),
    "sdt-check": frozenset({"bool"}),
    "dropdown": frozenset({"code", "bool"}),
    "sdt-drop": frozenset({"code", "bool"}),
    "ticks": frozenset({"code", "codes", "bool"}),
    "radio": frozenset({"code", "bool"}),
    "combo": frozenset({"code", "bool"}),
    "boxes": frozenset({"code", "codes", "bool"}),
    "list": frozenset({"code", "codes"}),
}


@dataclass
class Mapping:
    """One place and what the scaffolder made of it: a path when sure, a suggestion for review, or nothing."""

    spot: Spot
    path: str = ""
    confidence: float = 0.0
    matched: str = ""
    sure: bool = False
    reason: str = ""
    choices: dict[str, tuple[str, float]] = field(default_factory=dict)
    columns: list[Match | None] = field(default_factory=list)


@dataclass
class Scaffold:
    """What `scaffold_form` wrote and found: the folder, every mapping, and the counts it prints."""

    folder: Path
    form_id: str
    mappings: list[Mapping]
    notes: list[str] = field(default_factory=list)
    """What a person should know about the document: a hybrid XFA form is filled through its AcroForm."""

    def places(self) -> list[tuple[str, str, bool, float]]:
        """Every place as (key, path, used without review, confidence); a table gives one per column."""
        out = []
        for m in self.mappings:
            if m.spot.control == "table":
                # A PDF table names every cell's field; a Word table's columns are named by their headings.
                for keys in m.spot.place.get("keys", [m.spot.keys]):
                    for key, column in zip(keys, m.columns, strict=True):
                        sure = m.sure and column is not None and column.score >= SURE
                        out.append((key, column.path if column else "", sure, column.score if column else 0.0))
            elif m.spot.control == "boxes":
                out += [(key, m.path, m.sure, m.confidence) for key in m.spot.keys]
            else:
                out.append((m.spot.key, m.path, m.sure, m.confidence))
        return out

    def review_lines(self) -> list[str]:
        """Each place left for a person: its label and why (never a value: a blank form has none)."""
        out = []
        for m in self.mappings:
            if not m.sure or not m.path:
                guess = f" (perhaps {m.path}, {round(m.confidence)}%)" if m.path else ""
                out.append(f"{m.spot.label!r}: {m.reason or 'not sure'}{guess}")
            elif m.spot.control == "table":
                out += [
                    f"{header!r} in table {m.spot.label!r}: not sure"
                    for header, column in zip(m.spot.headers, m.columns, strict=True)
                    if column is None or column.score < SURE
                ]
        return out

    def summary(self) -> str:
        places = self.places()
        mapped = sum(1 for _, path, sure, _ in places if sure and path)
        review = len(places) - mapped
        line = (
            f"{self.form_id}: {len(places)} places found, {mapped} mapped, {review} left for review "
            f"in {self.folder / 'form.toml'}"
        )
        return "\n".join([line, *(f"  note: {note}" for note in self.notes)])


def _named_by(section: str, path: str, words: Vocabulary) -> bool:
    """Whether the heading a place stands under names a group its path is in ("Signatures": plan.sign_off)."""
    heading = normal(section)
    if not heading:
        return False
    steps = path.replace("[]", "").split(".")
    for end in range(1, len(steps)):
        prefix = ".".join(steps[:end])
        if f" {steps[end - 1].replace('_', ' ')} " in f" {heading} " and len(steps[end - 1]) >= 4:
            return True
        names = (*words.groups.get(prefix, ()), *words.paths.get(prefix, ()))
        if any(similarity(heading, normal(name)) >= SURE for name in names):
            return True
    return False


def _decide(spot: Spot, candidates: list[Match], words: Vocabulary) -> Mapping:
    if not candidates:
        return Mapping(spot, reason="no model path looks like this label")
    best = candidates[0]
    close = [c for c in candidates if c.score > best.score - 4]
    if len(close) > 1:
        # Labels that fit two paths ("Designated teacher: Role"): the heading they stand under decides.
        named = [c for c in close if _named_by(spot.section, c.path, words)]
        if len(named) == 1:
            best = named[0]
            return Mapping(spot, best.path, best.score, f"{best.matched} under {spot.section!r}", best.score >= SURE)
    runner = next((c for c in candidates[1:] if c.path != best.path), None)
    clear = runner is None or best.score - runner.score >= 4 or (best.score == 100 and runner.score < 100)
    if best.score < POSSIBLE:
        return Mapping(spot, best.path, best.score, best.matched, reason="weak match")
    sure = best.score >= SURE and clear
    reason = "" if sure else ("close to " + runner.path if runner is not None and not clear else "not sure")
    return Mapping(spot, best.path, best.score, best.matched, sure, reason)


def _map_field(spot: Spot, words: Vocabulary) -> Mapping:
    if any(words.ignored(label) for label in [spot.label, *spot.alternatives]):
        return Mapping(spot, reason="names nothing a PEP records")
    kinds = _CHOICE_KINDS.get(spot.control)
    if spot.control == "ticks" and {o.casefold() for o in spot.options} <= {"yes", "no", "y", "n"}:
        kinds = frozenset({"bool"})
    candidates = {m.path: m for m in words.candidates(spot.label, spot.heading, kinds)}
    if not any(m.score >= SURE for m in candidates.values()):
        # The label says too little: the printed words beside the field and its name may say more.
        for label in spot.alternatives:
            for match in words.candidates(label, spot.heading, kinds):
                if match.path not in candidates or candidates[match.path].score < match.score:
                    candidates[match.path] = match
    mapping = _decide(spot, sorted(candidates.values(), key=lambda m: (-m.score, m.path)), words)
    if kinds is not None and mapping.path and spot.options:
        mapping.choices = {option: words.choice(mapping.path, option) for option in spot.options}
        if not any(score >= SURE for _, score in mapping.choices.values()):
            mapping.sure = False
            mapping.reason = "its options match no code of the list"
    if mapping.path and slot(mapping.path).derived and mapping.sure:
        mapping.reason = "derived: printed, never read back"
    return mapping


def _map_table(spot: Spot, words: Vocabulary) -> list[Mapping]:
    list_path, columns, score = words.table(spot.headers, spot.heading)
    used = [c for c in columns if c is not None]
    if list_path and score >= POSSIBLE and (spot.rows > 1 or len(used) == len(columns)):
        sure = score >= SURE - 8 and any(c.score >= SURE for c in used)
        for i, (place, column) in enumerate(zip(spot.columns, columns, strict=True)):
            options = place.get("options")
            if options is None:
                continue
            place = {k: v for k, v in place.items() if k != "options"}
            if column is not None:
                picked = {o: words.choice(column.path, o) for o in options}
                place["choices"] = {o: v for o, (v, s) in picked.items() if v and s >= SURE}
                if len(place["choices"]) < len(options):
                    columns[i] = Match(column.path, min(column.score, SURE - 1), column.matched)
            spot.columns[i] = place
        return [Mapping(spot, list_path, score, spot.heading, sure, "" if sure else "not sure", columns=columns)]
    if spot.rows == 1 and spot.below:
        # One empty row under a row of labels: label-above answers, not a table.
        out = []
        for header, place in zip(spot.headers, spot.below, strict=True):
            single = Spot(
                header, place, header, place.get("control", "text"), heading=spot.heading, section=spot.section
            )
            out.append(_map_field(single, words))
        return out
    return [
        Mapping(spot, list_path, score, spot.heading, False, "no list in the model has these columns", columns=columns)
    ]


def map_spots(spots: list[Spot], words: Vocabulary) -> list[Mapping]:
    """A mapping for every place; a path claimed twice keeps its best place and sends the rest for review."""
    mappings: list[Mapping] = []
    for spot in spots:
        if spot.control == "table":
            mappings.extend(_map_table(spot, words))
        else:
            mappings.append(_map_field(spot, words))
    best: dict[str, Mapping] = {}
    for m in mappings:
        if m.sure and m.spot.control != "table":
            if m.path in best:
                loser = min(m, best[m.path], key=lambda x: x.confidence)
                loser.sure, loser.reason = False, "another place maps to the same path"
                best[m.path] = max(m, best[m.path], key=lambda x: x.confidence)
            else:
                best[m.path] = m
    # Two tables may share a list (a wide list printed as two tables), as long as no column is printed twice.
    columns: set[str] = set()
    for m in mappings:
        if m.spot.control == "table" and m.sure:
            paths = {c.path for c in m.columns if c is not None}
            if paths & columns:
                m.sure, m.reason = False, "another table has the same columns"
            columns |= paths
    return mappings


# --- writing the spec --------------------------------------------------------------------------


def _toml(value: Any) -> str:
    """A value as an inline TOML literal."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(round(value)) if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_toml(v)}" for k, v in value.items()) + " }"
    raise TypeError(type(value).__name__)


def _key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else json.dumps(name, ensure_ascii=False)


def _field_line(m: Mapping, indent: str) -> str:
    place = dict(m.spot.place)
    if m.choices:
        place["choices"] = {o: v for o, (v, s) in m.choices.items() if v and s >= SURE}
    entry: dict[str, Any] = {"path": m.path or "?", "label": m.spot.label}
    if m.path:
        entry["confidence"] = round(m.confidence)
    entry["place"] = place
    line = f"{indent}{_toml(entry)},"
    if m.sure:
        note = f'  # matched "{m.matched}"' if m.confidence < 100 else ""
        return line + note
    why = m.reason or "not sure"
    unsure = [f"{o!r} -> {v or '?'} ({round(s)})" for o, (v, s) in m.choices.items() if s < SURE]
    extra = f"; options to check: {', '.join(unsure)}" if unsure else ""
    return f"{indent}# REVIEW ({why}{extra}): {_toml(entry)},"


def _table_block(m: Mapping) -> list[str]:
    lines = []
    head = "" if m.sure else "# "
    if not m.sure:
        lines.append(f"  # REVIEW table ({m.reason}): confirm the list path and columns, then remove the '# '")
    lines.append(f"  {head}[[sections.blocks]]")
    lines.append(f'  {head}type = "table"')
    if m.spot.heading:
        lines.append(f"  {head}heading = {_toml(m.spot.heading)}")
    lines.append(f"  {head}path = {_toml(m.path or '?')}")
    lines.append(f"  {head}rows = {m.spot.rows}")
    lines.append(f"  {head}confidence = {round(m.confidence)}")
    lines.append(f"  {head}place = {_toml(m.spot.place)}")
    lines.append(f"  {head}columns = [")
    for header, column, place in zip(m.spot.headers, m.columns, m.spot.columns, strict=True):
        entry: dict[str, Any] = {"path": column.path.split("[].", 1)[1] if column else "?", "label": header}
        if column is not None:
            entry["confidence"] = round(column.score)
        entry["place"] = place
        if column is not None and slot(column.path).kind in ("bool", "code", "codes"):
            entry["widget"] = "text"
        ok = column is not None and column.score >= SURE
        lines.append(f"  {head}  {'' if ok else '# REVIEW: '}{_toml(entry)},")
    lines.append(f"  {head}]")
    return lines


def write_spec(form_id: str, title: str, fmt: str, template: str, mappings: list[Mapping], source: str) -> str:
    """The text of a scaffolded form.toml: sure mappings live, the rest commented out for a person to confirm."""
    lines = [
        f"# Scaffolded by `pepdocs forms scaffold` from {source}. Every mapping carries the label it came from",
        "# and a confidence (0-100). Lines marked REVIEW were not sure enough to use: check each, fix its path,",
        "# and remove the '# ' to use it. `place` says where the answer stands in the document; leave it as it is.",
        f"id = {_toml(form_id)}",
        f"title = {_toml(title or form_id)}",
        'authority = ""  # the council whose form this is',
        'version = "1"',
        f"formats = [{_toml(fmt)}]",
        'source = "foreign"',
        f"template = {_toml(template)}",
    ]
    sections: list[tuple[str, list[Mapping]]] = []
    for m in mappings:
        heading = m.spot.section
        if not sections or sections[-1][0] != heading:
            sections.append((heading, []))
        sections[-1][1].append(m)
    for number, (heading, group) in enumerate(sections, start=1):
        lines += [
            "",
            "[[sections]]",
            f'key = "{number}"',
            f"title = {_toml(heading or 'Form')}",
            'roles = ["school", "social_worker", "meeting"]  # who completes it: check',
        ]
        pending: list[Mapping] = []
        for item in [*group, None]:
            if (item is None or item.spot.control == "table") and pending:
                lines.extend(["", "  [[sections.blocks]]", '  type = "fields"', "  fields = ["])
                lines.extend(_field_line(p, "    ") for p in pending)
                lines.append("  ]")
                pending = []
            if item is not None and item.spot.control == "table":
                lines.append("")
                lines.extend(_table_block(item))
            elif item is not None:
                pending.append(item)
    return "\n".join(lines) + "\n"


# --- the verb ----------------------------------------------------------------------------------


def find_spots(data: bytes, name: str) -> tuple[str, str, list[Spot]]:
    """The format, title and places of a form pepdocs did not make."""
    if data[:2] == b"PK":
        from pepdocs.engines.docx._original import spots_of_docx

        title, spots = spots_of_docx(data, name)
        return "docx", title, spots
    if b"%PDF-" in data[:1024]:
        from pepdocs.engines.pdf._places import spots_of_pdf

        title, spots = spots_of_pdf(data, name)
        return "pdf", title, spots
    raise DocumentError("not a DOCX or PDF file", name)


def _read_places(data: bytes, name: str) -> tuple[str, str, list[Spot], list[str]]:
    """A council document's format, title, places for answers, and notes on it for its spec."""
    notes = []
    with quiet_libraries():  # their log lines may quote the file's bytes
        fmt, title, spots = find_spots(data, name)
        if fmt == "pdf":
            from pepdocs.engines.pdf._places import hybrid

            if hybrid(data, name):
                notes.append(
                    "a hybrid XFA form: pepdocs fills and reads its AcroForm fields, which every PDF reader uses"
                )
    return fmt, title, spots, notes


def scaffold_form(
    source: str | os.PathLike[str],
    form_id: str,
    folder: str | os.PathLike[str],
    *,
    vocabulary_file: str | os.PathLike[str] | None = None,
    overwrite: bool = False,
    isolated: bool = False,
) -> Scaffold:
    """Onboard a council's own form: write `folder/form_id/` with its `form.toml` and the document kept unchanged.

    Places mapped with confidence are used; the rest are written commented out for a person to confirm.
    `isolated` reads the document in a child process limited in time and memory, as `parse` does (the command
    line always does).
    """
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,62}", form_id):
        raise FormError(f"form id {form_id!r} must be lower-case letters, digits and hyphens")
    path = Path(source)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DocumentError(f"cannot read the file ({error.strerror or error.__class__.__name__})", str(path)) from None
    if isolated:
        fmt, title, spots, notes = run_isolated(_read_places, data, path.name, file=path.name)
    else:
        fmt, title, spots, notes = _read_places(data, path.name)
    if not spots:
        raise DocumentError(
            "no place for an answer was found in it: no form fields, empty cells or answer lines", path.name
        )
    if len(spots) > MAX_PLACES:  # each is matched against every path of the model
        raise LimitError(f"has more than {MAX_PLACES:,} places for answers; a PEP form has a few hundred", path.name)
    words = vocabulary(Path(vocabulary_file) if vocabulary_file else None)
    mappings = map_spots(spots, words)
    target = Path(folder) / form_id
    spec = target / "form.toml"
    if spec.exists() and not overwrite:
        raise FormError(f"{spec} exists; pass overwrite=True (--force) to replace it")
    target.mkdir(parents=True, exist_ok=True)
    template = f"original.{fmt}"
    (target / template).write_bytes(data)
    text = write_spec(form_id, title, fmt, template, mappings, path.name)
    text = "".join(f"# Note: {note}.\n" for note in notes) + text
    spec.write_text(text, encoding="utf-8")
    return Scaffold(target, form_id, mappings, notes)
