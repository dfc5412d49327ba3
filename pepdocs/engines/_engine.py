"""What every format engine does: render a form's answers to bytes, read untrusted bytes, find a form's answers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from pepdocs._errors import RenderError
from pepdocs.forms._answers import Answers
from pepdocs.forms._assemble import Found
from pepdocs.forms._spec import Form


@dataclass(frozen=True)
class RenderOptions:
    """How one document is rendered, beyond the form and its answers."""

    title: str
    properties: Mapping[str, str] = field(default_factory=dict)
    """pepdocs' own document properties: form id, version, audience, sections."""
    footer_name: str = ""
    """The child's name, printed in the footer of every page."""
    sections: frozenset[str] | None = None
    """Only these sections are printed (None: the whole form)."""
    flatten: bool = False
    password: str | None = None
    archive: bool = False
    """An archival copy: flattened, as PDF/A-2b."""


class Content(Protocol):
    """What an engine read from a document; each engine's own shape, with pepdocs' document properties."""

    @property
    def properties(self) -> Mapping[str, str]: ...


class Engine(Protocol):
    """One file format: DOCX, PDF, or any other registered in `pepdocs.engines`."""

    format: str
    """The format's name, as `render(format=...)` and the command line spell it."""
    suffix: str
    """The file name suffix of its documents and templates, with the dot."""
    options: frozenset[str]
    """The RenderOptions it honours beyond title, properties, footer and sections: "flatten", "password", "archive"."""

    def sniff(self, data: bytes) -> bool:
        """Whether `data` looks like a file of this format."""
        ...

    def render(self, form: Form, answers: Answers, options: RenderOptions) -> bytes:
        """A document of `form` showing `answers`."""
        ...

    def open(self, data: bytes, file: str, password: str | None) -> Content:
        """Read an untrusted document; a DocumentError naming `file` when it cannot be read."""
        ...

    def identify(self, content: Any) -> tuple[Form | None, float]:
        """The form a document most looks like, with a score, when its properties do not say."""
        ...

    def locate(self, form: Form, content: Any, sections: frozenset[str] | None) -> Found:
        """Every answer of `form` found in a document, and what it holds besides, unmapped."""
        ...

    def load(self, form: Form) -> None:
        """Load the form's template once in this process, so the first render does not pay for it."""
        ...

    def build(self, form: Form) -> bytes:
        """The form's template of this format, built from its spec (offline, by `python -m pepdocs.build`)."""
        ...


@lru_cache(maxsize=32)  # a form's document, read again when it changes; a few forms' worth kept, not every version
def _read_template(path: Path, mtime: float) -> bytes:
    return path.read_bytes()


def council_template(form: Form) -> bytes:
    """The blank document of a council's own form (`form.template` in its folder), which answers are written into."""
    path = form.folder / form.template
    try:
        return _read_template(path, path.stat().st_mtime)
    except OSError:
        raise RenderError(f"form {form.id} has no readable template document at {form.template}") from None
