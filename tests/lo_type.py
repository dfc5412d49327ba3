#!/usr/bin/python3
"""Types answers into a DOCX form in a running LibreOffice, as a person would, and saves it as Word 2007-365.

    /usr/bin/python3 tests/lo_type.py PORT IN.docx OUT.docx < answers.json

Run it with Debian's /usr/bin/python3, the only Python that python3-uno works with; PORT is an office started
with --accept=socket,host=127.0.0.1,port=PORT;urp. answers.json is a list of what to type, in order:

    {"label": L, "text": T}                  T typed at L's answer place; each "\\n" is a press of Enter
    {"label": L, "text": T, "across": N}     T typed N cells right of the cell reading L (a grid's row)
    {"label": L, "tick": O}                  the box before the words O at L's place ticked ("" for its only box)
    {"label": L, "choose": O}                item O chosen from the drop-down at L's place
    {"headings": [H], "row": N, "cells": [T]}  the Nth row under the row reading H typed cell by cell (null: skip),
                                             rows added below the table's last row as needed

A label's answer place is the cell right of the table cell reading L (below it when it has none), or for a
paragraph reading L, a content control after L in that paragraph, else the next paragraph. Exit status: 0 saved,
1 a place was not found or could not take the answer (nothing saved), 2 no office or the file would not open.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
import unicodedata
from typing import Any

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException

BOXES = "☐□"
CHECKED = "☒"


class NotFound(Exception):
    """A place the answers name is not in the document, or cannot take the answer."""


def prop(name: str, value: Any) -> Any:
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def norm(text: str) -> str:
    """Text as a label is matched: case, spacing, curly quotes and a trailing colon ignored."""
    text = unicodedata.normalize("NFC", text).replace("\u2019", "'").replace("\u00a0", " ")
    return " ".join(text.split()).removesuffix(":").strip().casefold()


def connect(port: int, timeout: float = 60) -> Any:
    """The office's desktop, waiting for it to listen."""
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + timeout
    while True:
        try:
            ctx = resolver.resolve(f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext")
            return ctx, ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        except NoConnectException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def paragraphs(text: Any) -> list[Any]:
    """The paragraphs of a text (a cell's, or the body's with its tables left out)."""
    out = []
    walk = text.createEnumeration()
    while walk.hasMoreElements():
        element = walk.nextElement()
        if element.supportsService("com.sun.star.text.Paragraph"):
            out.append(element)
    return out


def controls(paras: list[Any]) -> list[Any]:
    """The content controls, input fields and legacy form fields in paragraphs, as (kind, object) pairs.

    A legacy text field ("formtext") is given as the (start, end) of the text between its marks.
    """
    out = []
    for para in paras:
        walk = para.createEnumeration()
        opened = None
        while walk.hasMoreElements():
            portion = walk.nextElement()
            kind = portion.TextPortionType
            if kind == "ContentControl":
                out.append(("control", portion.ContentControl))
            elif kind == "TextField" and portion.TextField.supportsService("com.sun.star.text.TextField.Input"):
                out.append(("input", portion.TextField))
            elif kind == "TextFieldStartEnd" and portion.Bookmark.FieldType.endswith("FORMCHECKBOX"):
                out.append(("formcheck", portion.Bookmark))
            elif kind == "TextFieldStartEnd" and portion.Bookmark.FieldType.endswith("FORMDROPDOWN"):
                out.append(("formdrop", portion.Bookmark))
            elif kind == "TextFieldSeparator":
                opened = portion.getEnd()
            elif kind == "TextFieldEnd" and opened is not None and portion.Bookmark.FieldType.endswith("FORMTEXT"):
                out.append(("formtext", (opened, portion.getStart())))
                opened = None
    return out


def grid(table: Any) -> list[list[Any]]:
    """A table's cells, row by row in order (LibreOffice names them A1, B1, ... and A1.1.1 once split)."""
    rows: dict[int, list[tuple[int, str]]] = {}
    for name in table.getCellNames():
        match = re.fullmatch(r"([A-Za-z]+)(\d+)", name.split(".")[0])
        assert match, name
        column = 0
        for letter in match[1]:  # A..Z then a..z
            column = column * 52 + (ord(letter) - 65 if letter.isupper() else 26 + ord(letter) - 97)
        rows.setdefault(int(match[2]), []).append((column, name))
    return [[table.getCellByName(n) for _, n in sorted(rows[r])] for r in sorted(rows)]


class Typist:
    """Moves the view cursor and types there, as keystrokes would (.uno:InsertText, .uno:InsertPara for Enter).

    Typing over a selection inside a content control keeps the text inside it; setString() would not.
    """

    def __init__(self, ctx: Any, doc: Any) -> None:
        self.doc = doc
        self.frame = doc.getCurrentController().getFrame()
        self.cursor = doc.getCurrentController().getViewCursor()
        self.dispatch = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.DispatchHelper", ctx)
        self.tables: list[tuple[Any, list[list[Any]], list[list[str]]]] = []
        self.read_tables()

    def read_tables(self) -> None:
        """Each table, its cells and their text as the form came (labels are looked up there, not in answers)."""
        tables = self.doc.getTextTables()
        self.tables = []
        for t in range(tables.getCount()):
            rows = grid(tables.getByIndex(t))
            self.tables.append((tables.getByIndex(t), rows, [[norm(cell.getString()) for cell in row] for row in rows]))

    def select(self, start: Any, end: Any) -> None:
        self.cursor.gotoRange(start, False)
        self.cursor.gotoRange(end, True)

    def type(self, text: str) -> None:
        for n, line in enumerate(text.split("\n")):
            if n:
                self.dispatch.executeDispatch(self.frame, ".uno:InsertPara", "", 0, ())
            if line:
                self.dispatch.executeDispatch(self.frame, ".uno:InsertText", "", 0, (prop("Text", line),))
            elif n == 0:
                self.dispatch.executeDispatch(self.frame, ".uno:Delete", "", 0, ())

    def place(self, label: str, across: int = 1) -> tuple[Any, list[Any]]:
        """(text, paragraphs) where the answer to `label` goes (`across` cells to its right, in a grid)."""
        want = norm(label)
        for _table, rows, texts in self.tables:
            for r, row in enumerate(rows):
                for c, _cell in enumerate(row):
                    if texts[r][c] != want:
                        continue
                    if c + across < len(row):
                        target = row[c + across]
                    elif across == 1 and r + 1 < len(rows):
                        target = rows[r + 1][min(c, len(rows[r + 1]) - 1)]
                    else:
                        continue
                    return target.getText(), paragraphs(target.getText())
        body = paragraphs(self.doc.getText())
        for n, para in enumerate(body):
            said = norm(para.getString())
            if said == want and n + 1 < len(body):
                return self.doc.getText(), [body[n + 1]]
            if said.startswith(want) and not said[len(want) :].strip(BOXES + CHECKED + " ") and controls([para]):
                return self.doc.getText(), [para]
        raise NotFound(f"no place labelled {label!r}")

    def text(self, label: str, value: str, across: int = 1) -> None:
        self.fill(self.place(label, across)[1], value)

    def fill(self, paras: list[Any], value: str) -> None:
        """Types `value` into the first control of these paragraphs, or over their text when they hold none."""
        found = controls(paras)
        if not found:
            self.select(paras[0].getStart(), paras[-1].getEnd())
            self.type(value)
            return
        kind, control = found[0]
        if kind == "input":  # a plain-text control: LibreOffice asks for its content in a dialog
            control.setPropertyValue("Content", value)
            return
        if kind == "formtext":  # a legacy text field: typed over its text, between its marks
            self.select(*control)
            self.type(value)
            return
        if kind != "control" or control.Checkbox:
            raise NotFound("a check box or drop-down takes no typing")
        self.select(control.getAnchor().getStart(), control.getAnchor().getEnd())
        self.type(value)
        if control.Date and re.fullmatch(r"\d\d/\d\d/\d{4}", value):  # the date picker sets both
            day, month, year = value.split("/")
            control.CurrentDate = f"{year}-{month}-{day}T00:00:00Z"
        control.ShowingPlaceHolder = False

    def tick(self, label: str, option: str) -> None:
        text, paras = self.place(label)
        found = [c for kind, c in controls(paras) if kind == "control" and c.Checkbox]
        legacy = [c for kind, c in controls(paras) if kind == "formcheck"]
        if legacy and not option:  # a click ticks a legacy check box
            legacy[0].getParameters().insertByName("Checkbox_Checked", True)
            return
        if found and not option:
            found[0].Checked = True
            self.select(found[0].getAnchor().getStart(), found[0].getAnchor().getEnd())
            self.type(found[0].CheckedState)
            return
        for para in paras:
            said = para.getString()
            match = re.search(rf"[{BOXES}](?=\s*{re.escape(option)}(?!\w))", said)
            if match:
                cursor = text.createTextCursorByRange(para.getStart())
                cursor.goRight(match.start(), False)
                cursor.goRight(1, True)
                assert cursor.getString() in BOXES, cursor.getString()
                self.select(cursor.getStart(), cursor.getEnd())
                self.type(CHECKED)
                return
        raise NotFound(f"no box for {option!r} at {label!r}")

    def choose(self, label: str, item: str) -> None:
        _text, paras = self.place(label)
        for kind, control in controls(paras):
            if kind == "formdrop":
                entries = list(control.getParameters().getByName("Dropdown_ListEntry"))
                if item in entries:
                    control.getParameters().replaceByName("Dropdown_Selected", entries.index(item))
                    return
            if kind != "control":
                continue
            if item in [p.Value for entry in control.ListItems for p in entry if p.Name == "DisplayText"]:
                self.select(control.getAnchor().getStart(), control.getAnchor().getEnd())
                self.type(item)
                control.ShowingPlaceHolder = False
                return
        raise NotFound(f"no drop-down offering {item!r} at {label!r}")

    def row(self, headings: list[str], number: int, cells: list[str | None]) -> None:
        """Types a table row; a row past the table's end is added first, as Table > Insert > Rows Below does."""
        want = [norm(heading) for heading in headings]
        for t, (table, rows, texts) in enumerate(self.tables):
            for r, _row in enumerate(rows):
                if texts[r] != want:
                    continue
                while r + number >= len(rows):
                    self.cursor.gotoRange(rows[-1][0].getText().getStart(), False)
                    self.dispatch.executeDispatch(self.frame, ".uno:InsertRowsAfter", "", 0, ())
                    rows = grid(table)
                    self.tables[t] = (table, rows, texts + [[""] * len(row) for row in rows[len(texts) :]])
                targets = rows[r + number]
                if len(targets) != len(cells):
                    raise NotFound(f"row {number} under {headings!r} has {len(targets)} cells")
                for cell, value in zip(targets, cells, strict=True):
                    if value is not None:
                        self.fill(paragraphs(cell.getText()), value)
                return
        raise NotFound(f"no table headed {headings!r}")


def main(argv: list[str]) -> int:
    port, source, target = int(argv[1]), argv[2], argv[3]
    answers = json.load(sys.stdin)
    ctx, desktop = connect(port)
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(source), "_blank", 0, (prop("Hidden", True),))
    if doc is None:
        print("LibreOffice could not open the file", file=sys.stderr)
        return 2
    try:
        typist = Typist(ctx, doc)
        for answer in answers:
            if "headings" in answer:
                typist.row(answer["headings"], answer["row"], answer["cells"])
            elif "tick" in answer:
                typist.tick(answer["label"], answer["tick"])
            elif "choose" in answer:
                typist.choose(answer["label"], answer["choose"])
            else:
                typist.text(answer["label"], answer["text"], answer.get("across", 1))
        doc.storeToURL(
            uno.systemPathToFileUrl(target), (prop("FilterName", "MS Word 2007 XML"), prop("Overwrite", True))
        )
    except NotFound as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        doc.close(True)
    return 0


if __name__ == "__main__":
    status = main(sys.argv)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)  # python3-uno can crash tearing its bridge down at exit, after the work is done
