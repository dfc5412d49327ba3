"""The pepdocs exception hierarchy: one root, errors that carry data.

PepdocsError
├── ModelError            a PEP that breaks the model's rules (.issues)
├── FormError             an unknown form id or a broken form spec
├── RenderError           a PEP that cannot be drawn on a form
├── UsageError            a bad argument: an unknown format, audience, prefer or section
├── IdentityError         a returned form about another child, or about no child it says (.items)
├── DocumentError         a file that cannot be read (.file)
│   ├── NotAPepFormError  a readable document that is no PEP form
│   └── FieldValueError   a value the form's codec cannot read (.field, .path)
└── InputError            bad CLI or spreadsheet input (.file, .row)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Issue:
    """One problem found in a PEP, a document or a spreadsheet, and where: model path, form field, column, row."""

    message: str
    path: str = ""
    field: str = ""
    """The form field's label."""
    column: str = ""
    """The spreadsheet column: its letter and header, as `D "Date of Birth"`."""
    row: int | None = None
    """The spreadsheet row number."""

    def where(self, *, row: bool = True) -> str:
        """Where the problem is, as a person reads it; empty when nothing narrower than the whole is known."""
        parts = (
            f"row {self.row}" if row and self.row is not None else "",
            f"column {self.column}" if self.column else "",
            f'field "{self.field}"' if self.field else "",
            self.path,
        )
        return ", ".join(part for part in parts if part)

    def describe(self, *, row: bool = True) -> str:
        """The problem as one line, `message @ where` (`row=False` where the row is already said)."""
        where = self.where(row=row)
        return f"{self.message} @ {where}" if where else self.message

    def __str__(self) -> str:
        return self.describe()


class PepdocsError(Exception):
    """Root of every error pepdocs raises."""


class PepdocsWarning(UserWarning):
    """Something pepdocs changed or could not keep, e.g. a control character dropped."""


class ModelError(PepdocsError, ValueError):
    """A PEP that breaks the model's rules; `.issues` lists every problem with its path."""

    def __init__(self, issues: list[Issue], source: str = "") -> None:
        self.issues = issues
        self.source = source
        head = f"{source}: " if source else ""
        super().__init__(head + "; ".join(str(issue) for issue in issues))


class FormError(PepdocsError, LookupError):
    """An unknown form id, or a form spec that does not hold together."""


class RenderError(PepdocsError):
    """A PEP that cannot be drawn on the requested form or format."""


class UsageError(PepdocsError, ValueError):
    """A bad argument to a pepdocs call or command: an unknown format, audience, prefer or section.

    `.cli` says the same in the command line's words (`--format pdf`, not `format='pdf'`), where they differ.
    """

    def __init__(self, message: str, cli: str = "") -> None:
        self.cli = cli or message
        super().__init__(message)


class IdentityError(PepdocsError, ValueError):
    """A returned form whose child is not the record's: `.items` names what differs (name, date of birth...).

    Empty `.items`: the form says nothing of who it is about. Values are never in the message.
    """

    def __init__(self, message: str, items: list[str]) -> None:
        self.items = items
        super().__init__(message)


class DocumentError(PepdocsError):
    """A file that cannot be read as a completed form; `.file` names it."""

    def __init__(self, message: str, file: str = "") -> None:
        self.file = file
        super().__init__(f"{file}: {message}" if file else message)


class NotAPepFormError(DocumentError):
    """A readable document that is not a PEP form pepdocs knows."""


class TemplateVersionError(DocumentError):
    """A form made from a newer template version than this pepdocs knows."""


class LimitError(DocumentError):
    """Reading a file went past the time or memory allowed for it."""


class FieldValueError(DocumentError):
    """A form value that its codec cannot read."""

    def __init__(self, message: str, file: str = "", field: str = "", path: str = "") -> None:
        self.field = field
        self.path = path
        where = " ".join(part for part in (f'field "{field}"' if field else "", f"@ {path}" if path else "") if part)
        super().__init__(f"{message} ({where})" if where else message, file)


class InputError(PepdocsError):
    """Bad input to a command or a batch: `.file` and `.row` say where."""

    def __init__(self, message: str, file: str = "", row: int | None = None) -> None:
        self.file = file
        self.row = row
        where = ", ".join(part for part in (file, f"row {row}" if row is not None else "") if part)
        super().__init__(f"{where}: {message}" if where else message)
