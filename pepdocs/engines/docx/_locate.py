"""Finding a form's answers in a completed DOCX: by bookmark, else by label and table layout."""

from __future__ import annotations

from dataclasses import dataclass

from pepdocs._util.memo import per_object
from pepdocs.engines.docx._read import Cell, DocxContent
from pepdocs.forms._assemble import Found, Unmapped
from pepdocs.forms._spec import Block, Field, Form, _normal, list_forms
from pepdocs.forms._wording import block_header, printed_words, static_texts


@dataclass(frozen=True)
class _Labels:
    """A form's printed words as `locate` compares them, normalised once per form, not per document."""

    statics: frozenset[str]
    """Fixed wording outside answer cells."""
    title: str
    columns: dict[str, dict[str, Field]]
    """Each table block's columns by their normalised labels, by block id."""
    headers: dict[str, list[str]]
    """Each table or grid block's normalised column labels, by block id."""
    rows: dict[str, list[tuple[str, dict[str, Field]]]]
    """Each grid block's normalised row labels, each with its fields by their normalised labels, by block id."""
    printed: frozenset[str]
    """Everything the form prints besides its answers, normalised."""


@per_object
def _labels(form: Form) -> _Labels:
    columns: dict[str, dict[str, Field]] = {}
    headers: dict[str, list[str]] = {}
    rows: dict[str, list[tuple[str, dict[str, Field]]]] = {}
    for _, block in form.blocks():
        if block.kind in ("fields", "text"):
            continue
        headers[block.id] = [_normal(label) for label in block_header(block)]
        columns[block.id] = {_normal(c.label): c for c in block.columns}
        if block.kind == "grid":
            rows[block.id] = [
                (_normal(label), {_normal(f.label): f for f in block.columns[r * block.pairs : (r + 1) * block.pairs]})
                for r, label in enumerate(block.row_labels)
            ]
    statics = frozenset(_normal(text) for text in static_texts(form))
    return _Labels(statics, _normal(form.title), columns, headers, rows, printed_words(form))


class _Index:
    """The cells of a document, findable by their normalised text."""

    def __init__(self, content: DocxContent) -> None:
        self.content = content
        self._by_text: dict[str, list[Cell]] | None = None
        self.used: set[int] = set()

    @property
    def by_text(self) -> dict[str, list[Cell]]:
        """The cells by their normalised text, worked out the first time a label has no bookmark to find it by."""
        if self._by_text is None:
            self._by_text = {}
            for cell in self.content.cells():
                key = _normal(cell.text) if cell.text else ""
                if key:
                    self._by_text.setdefault(key, []).append(cell)
        return self._by_text

    def row(self, cell: Cell) -> list[Cell]:
        return self.content.tables[cell.table][cell.row]

    def label_cell(self, name: str, label: str) -> Cell | None:
        cell = self.content.bookmarks.get(name)
        if cell is None:
            matches = [c for c in self.by_text.get(_normal(label), []) if id(c) not in self.used]
            cell = matches[0] if matches else None
        return cell

    def value_cell(self, label: Cell) -> Cell | None:
        """The answer beside a label, or below it when the label fills its row."""
        row = self.row(label)
        if label.column + 1 < len(row):
            return row[label.column + 1]
        table = self.content.tables[label.table]
        if label.row + 1 < len(table) and table[label.row + 1]:
            return table[label.row + 1][0]
        return None

    def header_row(self, block: Block, wanted: list[str]) -> list[Cell] | None:
        """The header row of a table or grid block: by bookmark, else by its normalised column labels `wanted`."""
        marked = self.content.bookmarks.get(block.id)
        if marked is not None:
            return self.row(marked)
        best, best_score = None, 0.0
        for table in self.content.tables:
            for row in table:
                if any(id(cell) in self.used for cell in row):
                    continue
                texts = [_normal(cell.text) for cell in row]
                hits = sum(1 for w in wanted if w and w in texts)
                score = hits / max(1, sum(1 for w in wanted if w))
                if score > best_score and score >= 0.6:
                    best, best_score = row, score
        return best

    def use(self, *cells: Cell | None) -> None:
        self.used.update(id(cell) for cell in cells if cell is not None)


def _field_value(index: _Index, field: Field, found: Found, band: bool = False) -> None:
    label = index.label_cell(field.id, field.label)
    if label is None:
        return
    value = index.value_cell(label)
    index.use(label, value)
    if value is not None and (band or not field.derived):
        found.values[field.id] = value.text
    if label.text != field.label and _normal(label.text) != _normal(field.label):  # found by its bookmark, retyped
        where = f"table {label.table + 1} row {label.row + 1} column {label.column + 1}: the label's own cell"
        found.unmapped.append(Unmapped(field.label, label.text, where=where))


def _table(index: _Index, block: Block, found: Found, labels: _Labels) -> None:
    header = index.header_row(block, labels.headers[block.id])
    if header is None:
        return
    index.use(*header)
    by_label = labels.columns[block.id]
    columns = [by_label.get(_normal(cell.text)) for cell in header]
    for cell in header:  # a heading retyped or added: its words kept, even over a column with nothing in it
        if cell.text.strip() and _normal(cell.text) not in labels.printed:
            where = f"table {cell.table + 1} row {cell.row + 1} column {cell.column + 1}: a column heading"
            found.unmapped.append(Unmapped("", cell.text, where=where))
    if block.kind == "table" and not any(columns[1:]) and len(header) == len(block.columns):
        columns = list(block.columns)  # headers retyped beyond recognition: trust the order
    table = index.content.tables[header[0].table]
    rows: list[dict[str, str]] = []
    headings = [_normal(cell.text) for cell in header] if block.kind == "grid" else []
    for row in table[header[0].row + 1 :]:
        if block.kind == "grid":
            _grid_row(index, labels.rows[block.id], row, headings, found)
            continue
        values: dict[str, str] = {}
        index.use(*row)
        for position, cell in enumerate(row):
            column = columns[position] if position < len(columns) else None
            if column is not None:
                values[column.id] = cell.text
            elif cell.text.strip():
                heading = header[position].text if position < len(header) else ""
                found.unmapped.append(
                    Unmapped(
                        heading, cell.text, where=f"table {cell.table + 1} row {cell.row + 1} column {position + 1}"
                    )
                )
        rows.append(values)
    if block.kind == "table":
        found.rows[block.id] = rows


def _grid_row(
    index: _Index, rows: list[tuple[str, dict[str, Field]]], row: list[Cell], headings: list[str], found: Found
) -> None:
    """The answers of one row of a grid; `headings`: its header row's words, normalised."""
    if not row:
        return
    key = _normal(row[0].text)
    by_label = next((fields for label, fields in rows if label == key), None)  # the first row of that label
    if by_label is None:
        return
    index.use(*row)
    for position, cell in enumerate(row):
        heading = headings[position] if position < len(headings) else ""
        field = by_label.get(heading)
        if field is not None:
            found.values[field.id] = cell.text


def locate(form: Form, content: DocxContent, sections: frozenset[str] | None) -> Found:
    """Every answer of `form` found in a DOCX, and everything else it holds as unmapped."""
    index = _Index(content)
    found = Found()
    labels = _labels(form)
    for field in form.title_fields:
        _field_value(index, field, found, band=True)
    for _, block in form.blocks(sections):
        if block.kind in ("fields", "text"):
            for field in block.fields:
                _field_value(index, field, found)
        else:
            _table(index, block, found, labels)
    statics = labels.statics
    for cell in content.cells():
        if id(cell) in index.used or not cell.text.strip() or _normal(cell.text) in statics:
            continue
        row = index.row(cell)
        label = row[0].text if row[0] is not cell and cell.column > 0 else ""
        where = f"table {cell.table + 1} row {cell.row + 1} column {cell.column + 1}"
        found.unmapped.append(Unmapped(label, cell.text, where=where))
    for number, text in enumerate(content.paragraphs, start=1):
        key = _normal(text)
        if key and key not in statics and not key.startswith(labels.title):
            found.unmapped.append(Unmapped("", text, where=f"paragraph {number}"))
    return found


def identify(content: DocxContent) -> tuple[Form | None, float]:
    """The form a DOCX most looks like, by how many of each form's labels it holds."""
    texts = {_normal(cell.text) for cell in content.cells()}
    best: Form | None = None
    best_score = 0.0
    for form in list_forms():
        labels = {_normal(f.label) for f in form.fields() if f.label}
        labels |= {_normal(text) for _, block in form.blocks() for text in block_header(block) if text}
        hits = len(labels & texts)
        # Most labels found wins; of equals, the form the document covers more of.
        score = hits + hits / max(1, len(labels))
        if hits >= 5 and score > best_score:
            best, best_score = form, score
    return best, best_score
