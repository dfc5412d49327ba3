"""Helpers for the tests of councils' own forms: the built-in forms stripped of pepdocs' marks, as foreign forms."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pepdocs
from pepdocs.forms._spec import Form


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
    return out
