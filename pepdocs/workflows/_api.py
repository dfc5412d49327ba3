"""The verbs: render a PEP onto a form, parse a completed form back into a PEP."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from pathlib import Path

from pepdocs._errors import (
    DocumentError,
    FieldValueError,
    FormError,
    Issue,
    NotAPepFormError,
    PepdocsError,
    RenderError,
    TemplateVersionError,
    UsageError,
)
from pepdocs._types import AUDIENCES, PARTS, Audience, Format, Part, option
from pepdocs._util.collector import collector_paused
from pepdocs._util.isolate import isolated as run_isolated
from pepdocs._util.quiet import quiet_libraries
from pepdocs.engines import RenderOptions, all_engines, formats, get_engine, sniff
from pepdocs.forms._answers import answers
from pepdocs.forms._assemble import Parsed, Unmapped, assemble
from pepdocs.forms._omitted import Omission, omitted
from pepdocs.forms._spec import Form, get_form, list_forms, part_sections
from pepdocs.forms._wording import partial_title
from pepdocs.model._pep import PEP


def _sections(form: Form, sections: Iterable[str | int] | None, part: Part | None = None) -> frozenset[str] | None:
    """The keys of the sections asked for by key (any case) or by `part`, the role that completes them."""
    if part is not None:
        if sections is not None:
            raise UsageError("give sections or part, not both", "give --sections or --part, not both")
        option("part", part, PARTS)
        try:
            return part_sections(form, part)
        except FormError as error:
            raise UsageError(str(error)) from None
    if sections is None:
        return None
    if isinstance(sections, str | bytes):
        raise UsageError("sections must be a list of section keys, e.g. ['3'], not one string")
    try:
        return frozenset(form.section(str(key)).key for key in sections)
    except FormError as error:  # it names the sections there are
        raise UsageError(str(error)) from None


log = logging.getLogger(__name__)
"""Events and counts only: never a value, a file name or a child's name."""


def render(
    pep: PEP,
    form: str | Form,
    format: Format = "docx",
    *,
    sections: Iterable[str | int] | None = None,
    part: Part | None = None,
    audience: Audience = "record",
    flatten: bool = False,
    password: str | None = None,
    archive: bool = False,
    on: date | None = None,
) -> bytes:
    """The form filled in from `pep`, as the bytes of a DOCX or a PDF.

    `sections` limits it to those sections (keys in any case); `part` to the sections a role completes
    ("school", "social_worker", "meeting", "child", "carer", "virtual_school"), whatever their numbers.
    `audience` "school" or "child" leaves out every field the model marks sensitive, for copies that
    leave the social worker's record. `flatten` (PDF only) draws
    every answer into the pages and leaves no fillable field or field value in the file. `password`
    (PDF only) encrypts the PDF with AES-256 for emailing. `archive` (PDF only) writes a flattened
    PDF/A-2b for the record kept on the child's file (it cannot also have a password: PDF/A forbids it).
    `on`: the day the year group and key stage are worked out for when the PEP has no meeting date yet
    (a pre-filled form); otherwise the meeting's.
    """
    chosen = get_form(form)
    if not isinstance(pep, PEP):
        raise RenderError(f"render needs a pepdocs.PEP, not {type(pep).__name__}")
    option("format", format, formats())
    option("audience", audience, AUDIENCES)
    engine = get_engine(format)
    if (flatten and "flatten" not in engine.options) or (password is not None and "password" not in engine.options):
        able = [e.format for e in all_engines() if {"flatten", "password"} <= e.options]
        only = f"only a {' or '.join(f.upper() for f in able)} can be flattened or given a password"
        raise UsageError(f"{only}; use format={able[0] if able else ''!r}", f"{only}; use --format {able[0]}")
    if archive and "archive" not in engine.options:
        able = [e.format for e in all_engines() if "archive" in e.options]
        only = f"only a {' or '.join(f.upper() for f in able)} can be an archival copy"
        raise UsageError(f"{only}; use format={able[0] if able else ''!r}", f"{only}; use --format {able[0]}")
    if archive and password is not None:
        raise UsageError(
            "an archival copy (PDF/A) cannot be encrypted: give archive or a password, not both",
            "an archival copy (PDF/A) cannot be encrypted: give --archive or --password, not both",
        )
    if chosen.foreign and not chosen.template.endswith(get_engine(format).suffix):
        own = chosen.template.rsplit(".", 1)[-1]
        raise UsageError(
            f"form {chosen.id} is a council's own {own.upper()}; render it with format={own!r}",
            f"form {chosen.id} is a council's own {own.upper()}; render it with --format {own}",
        )
    keys = _sections(chosen, sections, part)
    filled = answers(pep, chosen, keys, audience, on)
    title = partial_title(chosen, keys)
    name = pep.child.full_name or ""
    properties = {"pepdocs.form": chosen.id, "pepdocs.version": chosen.version, "pepdocs.audience": audience}
    if keys:
        properties["pepdocs.sections"] = ",".join(sorted(keys))
    options = RenderOptions(title, properties, name, keys, flatten, password, archive)
    with quiet_libraries():  # pypdf logs the words it cannot draw in a council's own PDF, and they are a child's
        document = engine.render(chosen, filled, options)
    log.debug(
        "rendered form=%s format=%s sections=%d audience=%s encrypted=%s bytes=%d",
        chosen.id, engine.format, len(keys) if keys else len(chosen.sections), audience,
        password is not None, len(document),
    )  # fmt: skip
    return document


def render_report(
    pep: PEP,
    form: str | Form,
    *,
    sections: Iterable[str | int] | None = None,
    part: Part | None = None,
    audience: Audience = "record",
    on: date | None = None,
) -> list[Omission]:
    """Every value of `pep` that `render` with these options leaves out, with its JSON path and why.

    Why: the form has no place for it, its section is not in the part drawn, the form shows it only for
    other year groups, or the audience's copy leaves it out. Values themselves are never in the report.
    """
    chosen = get_form(form)
    option("audience", audience, AUDIENCES)
    return omitted(pep, chosen, _sections(chosen, sections, part), audience, on)


def _read_source(source: str | os.PathLike[str] | bytes) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray):
        return bytes(source), "<bytes>"
    path = Path(source)
    try:
        return path.read_bytes(), str(path)
    except OSError as error:
        raise DocumentError(f"cannot read the file ({error.strerror or error.__class__.__name__})", str(path)) from None


def parse(
    source: str | os.PathLike[str] | bytes,
    *,
    form: str | Form | None = None,
    password: str | None = None,
    isolated: bool = False,
    strict: bool = False,
) -> Parsed:
    """A completed form (DOCX or PDF) read back into a PEP; the form is recognised from the document unless given.

    `password` opens an encrypted PDF. `isolated` reads the file in a child process limited to 5 seconds
    and 500 MB, for files from outside (the command line always does). A value that cannot be read is
    a warning (and kept in `unmapped`), or with `strict` a FieldValueError naming the field and path.
    """
    if isolated:
        name = "<bytes>" if isinstance(source, bytes | bytearray) else str(source)
        parsed = run_isolated(_parse, source, form=form, password=password, strict=strict, file=name)
    else:
        with collector_paused():
            parsed = _parse(source, form=form, password=password, strict=strict)
    log.debug(
        "read form=%s format=%s sections=%s answers=%d warnings=%d unmapped=%d isolated=%s",
        parsed.form, parsed.format, len(parsed.sections) if parsed.sections else "all", len(parsed.texts),
        len(parsed.warnings), len(parsed.unmapped), isolated,
    )  # fmt: skip
    return parsed


def _parse(
    source: str | os.PathLike[str] | bytes, *, form: str | Form | None, password: str | None, strict: bool
) -> Parsed:
    data, name = _read_source(source)
    if not data:
        raise DocumentError("the file is empty", name)
    engine = sniff(data, name)
    with quiet_libraries():  # their log lines may quote the file's bytes
        try:
            content = engine.open(data, name, password)
            chosen, keys, warnings = _which_form(name, form, content.properties, lambda: engine.identify(content)[0])
            found = engine.locate(chosen, content, keys)
            # Words written outside any place (a comment in the margin, a typed-on text box), as an engine found them.
            found.unmapped += [Unmapped("", words, where=where) for where, words in getattr(content, "notes", ())]
        except (PepdocsError, MemoryError):  # memory is the guard's to report (a LimitError when isolated)
            raise
        except Exception as error:  # a library failing on a damaged file in a way its engine did not foresee
            raise DocumentError(f"cannot be read ({type(error).__name__})", name) from error
    parsed = assemble(chosen, found, engine.format, keys)
    if strict and parsed.warnings:
        first = parsed.warnings[0]
        raise FieldValueError(first.message, name, field=first.field, path=first.path)
    parsed.warnings[:0] = [*warnings, *getattr(content, "warnings", ())]  # e.g. answers read from printed text
    return parsed


def _which_form(
    name: str, form: str | Form | None, properties: Mapping[str, str], identify_form: Callable[[], Form | None]
) -> tuple[Form, frozenset[str] | None, list[Issue]]:
    """The form a document is, which of its sections it holds, and what to warn about its template version."""
    warnings: list[Issue] = []
    chosen = get_form(form) if form is not None else None
    claimed = properties.get("pepdocs.form")
    if chosen is None and claimed:
        try:
            chosen = get_form(claimed)
        except FormError:
            # The property is the file's own text, so it is named, not quoted.
            warnings.append(Issue("the document's pepdocs.form property names a form pepdocs does not know"))
    if chosen is None:
        chosen = identify_form()
    if chosen is None:
        raise NotAPepFormError("is not a PEP form pepdocs knows: no form's labels or fields were found in it", name)
    version = properties.get("pepdocs.version")
    if version and version != chosen.version:
        if _version_key(version) > _version_key(chosen.version):
            raise TemplateVersionError(
                f"was made from {chosen.id} template version {version}, newer than this pepdocs knows "
                f"({chosen.version}); upgrade pepdocs to read it",
                name,
            )
        warnings.append(
            Issue(f"made from {chosen.id} template version {version}; read as version {chosen.version} by its labels")
        )
    keys = None
    if claimed == chosen.id and properties.get("pepdocs.sections"):
        named = [key.strip() for key in properties["pepdocs.sections"].split(",")]
        known = {section.key.casefold(): section.key for section in chosen.sections}
        if all(key.casefold() in known for key in named):
            keys = frozenset(known[key.casefold()] for key in named)
        else:
            warnings.append(
                Issue(f"the document names sections form {chosen.id} does not have; the whole form was read")
            )
    return chosen, keys, warnings


def _version_key(version: str) -> tuple[int, ...]:
    """A template version as numbers for comparing: '2025.1' -> (2025, 1)."""
    return tuple(int(part) if part.isascii() and part.isdecimal() else 0 for part in version.split(".")[:8])


__all__ = ["get_form", "list_forms", "parse", "render", "render_report"]
