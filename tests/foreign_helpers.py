"""Helpers for the tests of councils' own forms: the built-in forms stripped of pepdocs' marks, as foreign forms."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pepdocs
from pepdocs.engines.docx._places import label_of
from pepdocs.forms._match import normal
from pepdocs.forms._spec import Form
from pepdocs.workflows._scaffold import Scaffold


def score(scaffold: Scaffold, expected: list[tuple[str, str]]) -> tuple[int, int, int, list[str], list[str]]:
    """(places, right, review, wrong mappings used, places missed) for one scaffold against its true mapping.

    Places are matched by label in document order, so a heading used twice ("By when") pairs up in turn.
    """
    found: dict[str, list[tuple[str, bool]]] = {}
    for key, path, sure, _confidence in scaffold.places():
        found.setdefault(_key(key), []).append((path, sure))
    right = review = 0
    wrong: list[str] = []
    missed: list[str] = []
    # A value printed twice (the name band's date of birth above Section 1's) can be mapped at one place only,
    # since a spec maps each path once: one place mapped and its twin left for review is right for both.
    twice = {path for path in (p for _, p in expected) if path and sum(q == path for _, q in expected) > 1}
    mapped_once = {
        path for path in twice if sum(1 for rest in found.values() for used, sure in rest if sure and used == path) == 1
    }
    for label, path in expected:
        got = found.get(_key(label), [])
        if not got:
            missed.append(label)
            review += 1
            continue
        used, sure = got.pop(0)
        if path in mapped_once and (not sure or used == path):
            right += 1
            continue
        if sure and used and used != path:
            wrong.append(f"{label} -> {used} (true: {path or 'nothing'})")
        elif (sure and used == path) or (not path and not (sure and used)):
            right += 1
        else:
            review += 1
    for key, rest in found.items():
        for path, sure in rest:
            if sure and path:
                wrong.append(f"{key} -> {path} (not a place in the true mapping)")
    return len(expected), right, review, wrong, missed


def _key(label: str) -> str:
    return normal(label_of(label))


def true_mapping(form: Form) -> list[tuple[str, str]]:
    """A built-in form's places in order, as the scaffolder names them (label, column heading, grid row + column)."""
    out: list[tuple[str, str]] = [(field.label, field.path) for field in form.title_fields]
    for _section, block in form.blocks():
        if block.kind in ("fields", "text"):
            for field in block.fields:
                out.append((field.label, field.path))
        elif block.kind == "table":
            for column in block.columns:
                out.append((column.label, column.path))
        else:
            per = len(block.columns) // max(1, len(block.row_labels))
            for r, row in enumerate(block.row_labels):
                for column in block.columns[r * per : (r + 1) * per]:
                    out.append((f"{row} {column.label}", column.path))
    return out


def strip_docx(docx: bytes) -> bytes:
    """A DOCX without pepdocs' bookmarks and custom properties: what a council would have had if it drew the form."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/custom.xml":
                continue
            if info.filename == "word/document.xml":
                data = re.sub(rb"<w:bookmark(Start|End)\b[^>]*/>", b"", data)
            if info.filename == "[Content_Types].xml":
                data = re.sub(rb'<Override PartName="/docProps/custom.xml"[^>]*/>', b"", data)
            if info.filename == "_rels/.rels":
                data = re.sub(rb'<Relationship [^>]*Target="docProps/custom.xml"/>', b"", data)
            target.writestr(info, data)
    return out.getvalue()


def built_in_as_foreign(work: Path) -> list[tuple[str, Path, list[tuple[str, str]]]]:
    """Each built-in form's blank DOCX, stripped, written under `work`, with its true mapping."""
    out = []
    for form in pepdocs.list_forms():
        if form.foreign:
            continue
        path = work / f"{form.id}.docx"
        path.write_bytes(strip_docx(pepdocs.render(pepdocs.PEP(), form.id)))
        out.append((f"{form.id} (docx)", path, true_mapping(form)))
        if "pdf" in form.formats:
            pdf, paths = strip_pdf((form.folder / "form.pdf").read_bytes())
            path = work / f"{form.id}.pdf"
            path.write_bytes(pdf)
            out.append((f"{form.id} (pdf)", path, list(paths.items())))
    return out


def _kind(path: str) -> str:
    from pepdocs.model._paths import slot

    try:
        return slot(path).kind
    except KeyError:
        return ""


def strip_pdf(pdf: bytes) -> tuple[bytes, dict[str, str]]:
    """A PDF form renamed as LiveCycle names fields (`Subform3[0].TextField12[0]`), pepdocs' properties removed.

    Tooltips and printed words stay: they are what a council's own form has. Returns the PDF and each new
    full field name -> the model path its old name spelt.
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    counts = {"sub": 0, "/Tx": 0, "/Btn": 0, "/Ch": 0}
    paths: dict[str, str] = {}

    def rename(node: DictionaryObject, old: str, new: str, inherited: str | None) -> None:
        kids = [k.get_object() for k in node.get("/Kids") or []]
        named = [k for k in kids if "/T" in k]
        kind = str(node.get("/FT", inherited or ""))
        if named:
            counts["sub"] += 1
            label = f"Subform{counts['sub']}[0]"
            node[NameObject("/T")] = TextStringObject(label)
            for kid in named:
                rename(kid, f"{old}.{kid['/T']}", f"{new}.{label}" if new else label, kind or inherited)
            return
        counts[kind] = counts.get(kind, 0) + 1
        word = {"/Tx": "TextField", "/Btn": "CheckBox", "/Ch": "DropDownList"}.get(kind, "Field")
        label = f"{word}{counts[kind]}[0]"
        node[NameObject("/T")] = TextStringObject(label)
        path = re.sub(r"\.\d+\.", "[].", old.removeprefix("derived."))
        if _kind(path) == "" and _kind(path.rsplit(".", 1)[0]) == "codes":
            path = path.rsplit(".", 1)[0]  # one box of a tick-all-that-apply list: `reasons.medical`
        paths[f"{new}.{label}" if new else label] = path

    root: Any = writer._root_object
    for top in root["/AcroForm"]["/Fields"]:
        node = top.get_object()
        rename(node, str(node["/T"]), "", None)
        # rename() set the top node's own /T; its full name is its new /T
    info: Any = writer._info.get_object() if writer._info is not None else None
    if info is not None:
        for key in [k for k in info if str(k).startswith("/pepdocs")]:
            del info[key]
        info[NameObject("/Producer")] = TextStringObject("Designer 6.5")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), paths
