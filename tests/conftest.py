"""Shared test helpers: examples, what a form carries of a PEP, and real office software."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any, NoReturn
from xml.sax.saxutils import escape, quoteattr

import pytest
from hypothesis import settings
from pypdf import PdfReader, PdfWriter

import pepdocs
from pepdocs.forms._spec import Form
from pepdocs.model._paths import get

# CI explores the same cases every run, so a submission never fails on a new random draw; local runs
# keep exploring (and keep what they find in .hypothesis/).
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))


def example(name: str) -> pepdocs.PEP:
    return pepdocs.read_pep(ROOT / "examples" / f"{name}.json")


def _empty(item: Any, names: list[str]) -> bool:
    return all(get(item, name) in (None, []) for name in names)


def carried(
    pep: pepdocs.PEP, form: Form, sections: frozenset[str] | None = None, *, like: pepdocs.PEP | None = None
) -> dict[str, Any]:
    """What `form` carries of `pep`: each path's value, list items as lists (items with nothing on the form left out).

    Blocks shown only for some year groups count as they were shown for `like` (the PEP that was rendered).
    """
    from pepdocs.forms._answers import value_at

    out: dict[str, Any] = {}
    lists: dict[str, list[str]] = {}
    shown = (like or pep).year_group
    for _section, block in form.blocks(sections):
        if block.years and shown is not None and not block.years[0] <= shown <= block.years[1]:
            continue
        for field in block.cells():
            if not field.derived:
                out[field.path] = value_at(pep, form, field.path)
        if block.kind == "table":
            lists.setdefault(block.path, []).extend(c.path.split("[].", 1)[1] for c in block.columns)
    for path, names in lists.items():
        items = [item for item in (get(pep, path) or []) if not _empty(item, names)]
        for name in names:
            out[f"{path}[].{name}"] = [get(item, name) for item in items]
    return out


def office(tool: str) -> str:
    """The path of an office tool; tests that need one fail in CI and skip elsewhere when it is missing."""
    found = shutil.which(tool)
    if found is None:
        _missing(tool)
    return found


def uno_python() -> str:
    """Debian's own Python with python3-uno, which drives LibreOffice (the rule of `office` when it is missing)."""
    python = "/usr/bin/python3"
    if not Path(python).exists() or subprocess.run([python, "-c", "import uno"], capture_output=True).returncode:
        _missing("python3-uno")
    return python


def _missing(tool: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"{tool} is not installed; .ci/run installs it")
    pytest.skip(f"{tool} is not installed")


def libreoffice_convert(sources: list[Path], target: str, outdir: Path, *, timeout: float = 180) -> None:
    """Files opened by LibreOffice and saved as `target` (a --convert-to filter) into `outdir`, in one run."""
    soffice = office("soffice")
    with tempfile.TemporaryDirectory() as work:  # a profile of its own, so runs never wait on each other's lock
        command = [soffice, f"-env:UserInstallation=file://{work}/profile", "--headless", "--convert-to", target,
                   "--outdir", str(outdir), *map(str, sources)]  # fmt: skip
        subprocess.run(command, check=True, capture_output=True, timeout=timeout)


def libreoffice_resave(docx: bytes) -> bytes:
    """A DOCX opened and saved again by LibreOffice, as a school's office suite would."""
    with tempfile.TemporaryDirectory() as work:
        source = Path(work, "in", "form.docx")
        source.parent.mkdir()
        source.write_bytes(docx)
        libreoffice_convert([source], "docx:MS Word 2007 XML", Path(work, "out"))
        return Path(work, "out", "form.docx").read_bytes()


def write_xlsx(path: Path, headers: list[str], rows: list[list[Any]]) -> Path:
    """A small workbook as a case system might export it."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def acroform(pdf: PdfReader | PdfWriter) -> Any:
    """A PDF's AcroForm dictionary, as loosely typed as pypdf's objects are."""
    root: Any = pdf.trailer["/Root"] if isinstance(pdf, PdfReader) else pdf._root_object
    return root["/AcroForm"]


def xfdf(values: dict[str, str]) -> bytes:
    """XFDF for pdftk: full field names joined by dots, nested as parent then kid."""
    tree: dict[str, Any] = {}
    for name, value in values.items():
        node = tree
        *parents, last = name.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value

    def fields(node: dict[str, Any]) -> str:
        out = []
        for key, value in node.items():
            inner = fields(value) if isinstance(value, dict) else f"<value>{escape(value)}</value>"
            out.append(f"<field name={quoteattr(key)}>{inner}</field>")
        return "".join(out)

    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<xfdf xmlns="http://ns.adobe.com/xfdf/" xml:space="preserve">'
        f"<fields>{fields(tree)}</fields></xfdf>"
    ).encode()
