"""Reading a completed PDF form that came from outside, finding a form's answers in its fields, and locking a PDF.

Reading never trusts the file: it is read with qpdf (through pikepdf), and every exception becomes a
DocumentError naming the file.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pikepdf
from pypdf import PdfReader
from pypdf.errors import DependencyError

from pepdocs._errors import DocumentError, FormError, Issue, LimitError, PepdocsError, PepdocsWarning, RenderError
from pepdocs.engines.pdf._build import (
    RADIO,
    cell_name,
    field_name,
    is_multi,
    state_of,
)
from pepdocs.forms._assemble import MAX_ROWS, Found, Unmapped
from pepdocs.forms._spec import Block, Field, Form, get_form, list_forms, option_label

MAX_FIELDS = 20_000
MAX_DEPTH = 32


# --- reading ---------------------------------------------------------------------------------


@dataclass
class PdfFields:
    """What a PDF form holds: text by full field name, box states by full field name, document information."""

    text: dict[str, str]
    states: dict[str, str]
    info: dict[str, str]
    by_appearance: list[str] = field(default_factory=list)
    """Box fields with no value (/V) whose state was read from their widgets' appearance (/AS)."""
    notes: list[tuple[str, str]] = field(default_factory=list)
    """Words written on the pages outside any field (a typed-on text box, a comment), each with where it is."""

    @property
    def properties(self) -> dict[str, str]:
        """The document information, where pepdocs keeps its own properties."""
        return self.info


class NoFieldsError(DocumentError):
    """A readable PDF with no form fields: read by its printed text instead."""

    def __init__(self, message: str, file: str, info: dict[str, str], notes: list[tuple[str, str]]) -> None:
        super().__init__(message, file)
        self.info = info
        self.notes = notes


def read_pdf(data: bytes, file: str, password: str | None = None) -> PdfFields:
    """The fields of a completed PDF form by full (parent.kid) name; DocumentError when it cannot be read."""
    if b"%PDF-" not in data[:1024]:
        raise DocumentError("not a PDF file", file)
    if b"%%EOF" not in data[-2048:]:
        raise DocumentError("the PDF is truncated or damaged: it has no end-of-file marker", file)
    try:
        with open_pdf(data, file, password) as pdf:
            return _fields(pdf, file)
    except PepdocsError:
        raise
    except Exception as error:  # qpdf raises many kinds on damaged files; its text may quote the file's bytes
        raise DocumentError(f"the PDF is damaged and cannot be read ({type(error).__name__})", file) from error


def open_pdf(data: bytes, file: str, password: str | None = None) -> pikepdf.Pdf:
    """A PDF opened by qpdf (C++, objects read as they are asked for), unlocked with `password` if it is encrypted."""
    try:
        return pikepdf.open(io.BytesIO(data), password=password or "")
    except pikepdf.PasswordError as error:
        if password is None:
            raise DocumentError(
                "the PDF is encrypted: a password is needed to open it (pass password=...)", file
            ) from error
        raise DocumentError("the PDF is encrypted and the password given does not open it", file) from error
    except pikepdf.PdfError as error:  # its text may quote the file's bytes
        raise DocumentError(f"the PDF is damaged and cannot be read ({type(error).__name__})", file) from error


def _fields(pdf: pikepdf.Pdf, file: str) -> PdfFields:
    info: dict[str, str] = {}
    raw_info = pdf.trailer.get("/Info")
    if isinstance(raw_info, pikepdf.Dictionary):
        for key, value in raw_info.items():
            if isinstance(value, pikepdf.String | pikepdf.Name):
                info[key[1:]] = str(value)
    acroform = pdf.Root.get("/AcroForm")
    if not isinstance(acroform, pikepdf.Dictionary):
        acroform = None
    fields = acroform.get("/Fields") if acroform is not None else None
    out = PdfFields({}, {}, info)
    if isinstance(fields, pikepdf.Array):
        for name, kind, node, kids in field_tree(fields, ("/FT", "/Ff", "/V"), MAX_FIELDS, own=("/V",)):
            _terminal(node, name, kind, kids, out)
    out.notes = _notes(pdf, file)
    if acroform is not None and acroform.get("/XFA") is not None:
        if not out.text and not out.states:
            raise DocumentError(
                "is an XFA (LiveCycle) form, which pepdocs cannot read; save or print it as an ordinary PDF form", file
            )
        # A hybrid form carries its answers twice; the AcroForm copy is the one every PDF reader fills.
        warnings.warn(PepdocsWarning(f"{file}: a hybrid XFA form, read through its AcroForm fields"), stacklevel=2)
    if not out.text and not out.states:
        claimed = info.get("pepdocs.form")
        hint = f"; it is a flattened copy of form {claimed}: parse the fillable original" if claimed else ""
        raise NoFieldsError(f"the PDF has no fillable fields{hint}", file, info, out.notes)
    return out


# Annotations that hold no words of their own: the fields' widgets, links, and the pop-ups that show a note's words.
_NOT_NOTES = frozenset({"/Widget", "/Link", "/Popup"})


def _notes(pdf: pikepdf.Pdf, file: str) -> list[tuple[str, str]]:
    """Words written on the pages outside any field: a text box typed on (FreeText), a comment, a marked-up note."""
    notes: list[tuple[str, str]] = []
    for number, page in enumerate(pdf.pages, start=1):
        annotations = page.obj.get("/Annots")
        if not isinstance(annotations, pikepdf.Array):
            continue
        for annotation in annotations:
            if len(notes) >= MAX_FIELDS:
                raise LimitError(f"holds more than {MAX_FIELDS:,} notes and comments; a PEP holds far fewer", file)
            if not isinstance(annotation, pikepdf.Dictionary) or annotation.get("/Subtype") in _NOT_NOTES:
                continue
            words = annotation.get("/Contents")
            if isinstance(words, pikepdf.String) and str(words).strip():
                kind = str(annotation.get("/Subtype", "/Annotation"))[1:]
                notes.append((f"page {number}: a {kind} annotation, outside any field", _text_value(words)))
    return notes


Terminal = tuple[str, dict[str, Any], Any, list[Any]]


def field_tree(fields: Any, keys: tuple[str, ...], limit: int, own: tuple[str, ...] = ()) -> Iterator[Terminal]:
    """Every terminal field of an AcroForm field tree (pikepdf objects), walked once: its full name, its
    attributes `keys` (its own, else its parents'; those in `own` never come from a parent), its dictionary
    and its kids (the widgets). At most `limit` nodes and `MAX_DEPTH` levels; a node met again is passed over."""
    seen: set[tuple[int, int]] = set()
    count = 0

    def walk(kids: Any, prefix: str, inherited: dict[str, Any], depth: int) -> Iterator[Terminal]:
        nonlocal count
        if depth > MAX_DEPTH:
            return
        for node in kids:
            if not isinstance(node, pikepdf.Dictionary) or count > limit:
                continue
            key = node.objgen
            if key != (0, 0):
                if key in seen:
                    continue
                seen.add(key)
            count += 1
            part = node.get("/T")
            name = (f"{prefix}.{part}" if prefix else str(part)) if part is not None else prefix
            kind = dict(inherited)
            for attr in keys:
                value = node.get(attr)
                if value is not None:
                    kind[attr] = value
            kids_of = node.get("/Kids")
            children: list[Any] = list(kids_of) if isinstance(kids_of, pikepdf.Array) else []
            named = [k for k in children if isinstance(k, pikepdf.Dictionary) and "/T" in k]
            if named:
                yield from walk(named, name, {k: v for k, v in kind.items() if k not in own}, depth + 1)
            elif part is not None or prefix:
                yield name, kind, node, children

    yield from walk(fields, "", {}, 0)


def _text_value(value: Any) -> str:
    if isinstance(value, pikepdf.Array):
        return "\n".join(_text_value(v) for v in value)
    text = str(value)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _terminal(node: Any, name: str, kind: dict[str, Any], widgets: list[Any], out: PdfFields) -> None:
    field_type = str(kind.get("/FT"))
    value = kind.get("/V")
    if field_type in ("/Tx", "/Ch"):
        if value is not None:
            out.text[name] = _text_value(value)
        else:
            out.text.setdefault(name, "")
        return
    if field_type != "/Btn":
        return
    flags = int(kind.get("/Ff", 0))
    if flags & (1 << 16):  # push button
        return
    state = str(value)[1:] if value is not None and str(value).startswith("/") else ""
    if value is None or (state in ("", "Off") and not flags & RADIO):
        # Some viewers save a tick only in the widgets' appearance state (/AS), with no value.
        appearance = [node, *widgets]
        ticked = [str(w.get("/AS"))[1:] for w in appearance if str(w.get("/AS", "/Off")) not in ("/Off", "None")]
        if ticked:
            out.by_appearance.append(name)
        state = ticked[0] if ticked else "Off"
    out.states[name] = state or "Off"


# --- locating a form's answers ------------------------------------------------------------------


@dataclass(frozen=True)
class _Place:
    """Where a PDF field's value goes: a field of the form, or a cell of a table block's row."""

    field: Field
    block: Block | None = None
    section: str = ""


@dataclass
class _Names:
    """A form's PDF field names: answers by name, tables by list path, and every name the template holds."""

    scalar: dict[str, _Place]
    tables: dict[str, list[Block]]
    derived: set[str]
    expected: set[str]
    sections: dict[str, str]


@cache
def _names(form: Form) -> _Names:
    scalar: dict[str, _Place] = {}
    tables: dict[str, list[Block]] = {}
    derived = {field_name(f) for f in form.title_fields}
    expected: set[str] = set(derived)
    block_sections: dict[str, str] = {}
    for section, block in form.blocks():
        block_sections[block.id] = section.key
        for f in block.cells():
            name = field_name(f)
            if f.derived:
                derived.add(name)
            else:
                scalar[name] = _Place(f, None, section.key)
            expected.add(name)
        if block.kind == "table":
            tables.setdefault(block.path, []).append(block)
            expected.update(cell_name(block, i, c) for i in range(block.rows) for c in block.columns)
    return _Names(scalar, tables, derived, expected, block_sections)


def _ticked_text(f: Field, states: list[str]) -> str:
    """Box states as the text `decode` reads: a ticked box and the words of each chosen option."""
    by_state = {state_of(o): option_label(o) for o in f.readable_options()}
    chosen = [s for s in states if s and s != "Off"]
    if any(s not in by_state for s in chosen):
        return "\n".join(chosen)  # a state the form does not know: decode reports it
    return "\n".join(f"☒ {by_state[s]}" for s in chosen)


def locate_pdf(form: Form, fields: PdfFields, sections: frozenset[str] | None) -> Found:
    """Every answer of `form` found in a PDF's fields; any field the form does not know is kept as unmapped."""
    names = _names(form)
    found = Found()
    rows: dict[str, dict[int, dict[str, str]]] = {}
    checks: dict[str, list[str]] = {}

    def wanted(section: str) -> bool:
        return sections is None or section in sections

    def table_cell(name: str) -> tuple[Block, int, Field] | None:
        for path, blocks in names.tables.items():
            if name.startswith(path + "."):
                index, _, rest = name[len(path) + 1 :].partition(".")
                if not (index.isascii() and index.isdecimal()):
                    continue
                if len(index) > 6 or int(index) >= MAX_ROWS:
                    raise LimitError(f"PDF field {name}: row number past the {MAX_ROWS} rows pepdocs reads in a table")
                for block in blocks:
                    for column in block.columns:
                        if column.path.split("[].", 1)[1] == rest:
                            return block, int(index), column
        return None

    def unmapped(name: str, text: str) -> None:
        found.unmapped.append(Unmapped(name, text, where=f"PDF field {name}"))

    band = {field_name(f): f for f in form.title_fields}
    for name, text in fields.text.items():
        place = names.scalar.get(name)
        if name in band:
            found.values[band[name].id] = text
        if name in names.derived:
            continue
        # A box answer typed as text (a tool that made the buttons text fields) is decoded from its words.
        if place is not None and wanted(place.section):
            found.values[place.field.id] = text
            continue
        cell = table_cell(name)
        if cell is not None and wanted(names.sections[cell[0].id]):
            rows.setdefault(cell[0].id, {}).setdefault(cell[1], {})[cell[2].id] = text
            continue
        if text.strip():
            unmapped(name, text)
    for name, state in fields.states.items():
        place = names.scalar.get(name)
        if place is not None and place.field.widget == "boxes" and wanted(place.section):
            found.values[place.field.id] = _ticked_text(place.field, [state])
            continue
        cell = table_cell(name)
        if cell is not None and cell[2].widget == "boxes" and wanted(names.sections[cell[0].id]):
            rows.setdefault(cell[0].id, {}).setdefault(cell[1], {})[cell[2].id] = _ticked_text(cell[2], [state])
            continue
        parent, _, code = name.rpartition(".")
        multi = names.scalar.get(parent)
        if multi is not None and is_multi(multi.field) and wanted(multi.section):
            checks.setdefault(parent, [])
            if state != "Off":
                checks[parent].append(code)
            continue
        cell = table_cell(parent)
        if cell is not None and is_multi(cell[2]) and wanted(names.sections[cell[0].id]):
            key = f"{cell[0].id}\x00{cell[1]}\x00{cell[2].id}"
            checks.setdefault(key, [])
            if state != "Off":
                checks[key].append(code)
            continue
        if state != "Off":
            unmapped(name, state)
    for key, codes in checks.items():
        if "\x00" in key:
            block_id, index, column_id = key.split("\x00")
            block = next(b for _, b in form.blocks() if b.id == block_id)
            column = next(c for c in block.columns if c.id == column_id)
            rows.setdefault(block_id, {}).setdefault(int(index), {})[column_id] = _ticked_text(column, codes)
        else:
            f = names.scalar[key].field
            found.values[f.id] = _ticked_text(f, codes)
    for block_id, by_index in rows.items():
        found.rows[block_id] = [by_index.get(i, {}) for i in range(max(by_index) + 1)]
    for name in fields.by_appearance:
        place = names.scalar.get(name) or names.scalar.get(name.rpartition(".")[0])
        found.warnings.append(
            Issue(
                "ticked only in how the box looks (/AS), with no value (/V); read as ticked: check the answer",
                place.field.path if place else "",
                field=place.field.label if place else name,
            )
        )
    return found


def identify_pdf(fields: PdfFields) -> tuple[Form | None, float]:
    """The form a PDF is: the one its document information names, else the one whose field names it holds most."""
    claimed = fields.info.get("pepdocs.form")
    if claimed:
        try:
            return get_form(claimed), 1.0
        except FormError:
            pass
    present = set(fields.text) | set(fields.states)
    best: Form | None = None
    best_score = 0.0
    for form in list_forms():
        expected = _names(form).expected
        hits = len(expected & present) + sum(1 for n in present if n.rpartition(".")[0] in expected)
        score = hits / max(1, len(expected))
        if hits >= 5 and score > best_score:
            best, best_score = form, score
    return best, best_score


def encrypt_pdf(data: bytes, password: str) -> bytes:
    """A PDF locked with AES-256: it opens only with `password`, for sending by email."""
    from pypdf import PdfWriter

    if not password:
        raise RenderError("an empty password would not protect the PDF")
    try:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
        writer.encrypt(user_password=password, owner_password=None, algorithm="AES-256")
        out = io.BytesIO()
        writer.write(out)
    except DependencyError as error:
        raise RenderError("encrypting needs the cryptography package (pip install 'pypdf[crypto]')") from error
    return out.getvalue()
