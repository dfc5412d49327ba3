"""The `pepdocs` command: each command is one library call; errors become one line and exit 1."""

from __future__ import annotations

import dataclasses
import json
import sys
import warnings
from collections.abc import Callable, Sequence
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

import pepdocs
from pepdocs._errors import LimitError, ModelError, PepdocsError, UsageError
from pepdocs._types import AUDIENCES, PARTS, PREFERS, Audience, Format, Part, Prefer
from pepdocs._util.files import VALUES_NOTE, write_atomically

# `pepdocs.X` loads X on first use, so that `pepdocs --help` and `--version` load no model, engine or
# library behind them.

F = TypeVar("F", bound=Callable[..., Any])


def _one_line_errors(command: F) -> F:
    """Turn any PepdocsError into a one-line message on stderr and exit status 1."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except PepdocsError as error:
            click.echo(f"pepdocs: {error.cli if isinstance(error, UsageError) else error}", err=True)
            sys.exit(_status(error))

    return run  # type: ignore[return-value]


def _status(error: PepdocsError) -> int:
    """The exit status for an error: 3 when a limit was hit, 2 for a usage mistake, 1 for bad input."""
    return 3 if isinstance(error, LimitError) else 2 if isinstance(error, UsageError) else 1


def _json_line(data: Any) -> None:
    """One JSON document on one line: the whole answer, or one line of JSON lines when there are several files."""
    click.echo(json.dumps(data, ensure_ascii=False, default=str, separators=(",", ":")))


def _issues(issues: Sequence[Any]) -> list[dict[str, Any]]:
    return [dataclasses.asdict(issue) for issue in issues]


def _failure(file: Path, error: PepdocsError) -> dict[str, Any]:
    """A file's JSON line when the command could not do its work on it."""
    issues = _issues(error.issues) if isinstance(error, ModelError) else []
    failure = {"type": type(error).__name__, "message": str(error), "issues": issues}
    return {"file": str(file), "ok": False, "error": failure}


_json_option = click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print JSON: one object, or one object per line (JSON lines) for several files.",
)


def _add_forms(_ctx: click.Context, _param: click.Parameter, folders: tuple[Path, ...]) -> None:
    try:
        for folder in folders:
            pepdocs.add_forms(folder)
    except PepdocsError as error:
        raise click.BadParameter(str(error)) from None


_forms_option = click.option(
    "--forms",
    "form_folders",
    multiple=True,
    type=click.Path(path_type=Path),
    callback=_add_forms,
    expose_value=False,
    is_eager=True,
    help="A folder of your own form folders (each with a form.toml); may be repeated. Also PEPDOCS_FORMS.",
)
_audience_option = click.option(
    "--audience", type=click.Choice(AUDIENCES, case_sensitive=False), default="record", show_default=True,
    help="school and child copies leave out every sensitive field.",
)  # fmt: skip


class _Formats(click.Choice[str]):
    """The formats of the registered engines, read when a command first needs them (the engines load late)."""

    def __init__(self) -> None:
        super().__init__((), case_sensitive=False)  # like form ids and section keys: PDF is pdf

    @property  # type: ignore[override]  # click's attribute, here read from the engines
    def choices(self) -> Sequence[str]:
        from pepdocs.engines import formats

        return formats()

    @choices.setter
    def choices(self, _value: Sequence[str]) -> None:
        """Click sets the choices once; they come from the engines instead."""


_format_option = click.option("--format", "fmt", type=_Formats(), default="docx", show_default=True)
_part_option = click.option(
    "--part",
    type=click.Choice(PARTS, case_sensitive=False),
    default=None,
    help="Only the sections this role completes (e.g. school).",
)

_mkdir_option = click.option(
    "--mkdir", is_flag=True, help="Create the folder of an output file when it does not exist."
)


def _outputs(mkdir: bool, *paths: Path | None) -> None:
    """Refuse, before any work, to write into a folder that does not exist (a mistyped path), unless --mkdir."""
    for path in paths:
        if path is not None and not path.parent.exists():
            if not mkdir:
                raise UsageError(f"{path.parent}: the folder does not exist; create it or pass --mkdir")
            path.parent.mkdir(parents=True, exist_ok=True)


_allow_unidentified_option = click.option(
    "--allow-unidentified", is_flag=True,
    help="Take in a returned form that does not say who it is about (no name, date of birth, person ID or UPN).",
)  # fmt: skip


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=pepdocs.__version__, prog_name="pepdocs")
def main() -> None:
    """Personal Education Plans: render every authority's form, read completed forms back.

    Exit status:

    \b
    - 0: done
    - 1: findings (an invalid record, an error-level check) or bad input (a file that cannot be read)
    - 2: usage: an unknown option or form part, a missing argument, a choice that does not exist
    - 3: a limit was hit: a file took more time or memory to read than allowed (it may be hostile)

    With --json, validate, check, qa, forms, parse and convert print JSON: one object, or one object per
    line (JSON lines) when given several files.
    """
    warnings.showwarning = _show_warning


def _show_warning(message: Warning | str, *_: Any, **__: Any) -> None:
    """A warning as one line of the command's own words, not Python's (which names a source file and line)."""
    click.echo(f"pepdocs: warning: {message}", err=True)


@main.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of a PEP record."""
    click.echo(json.dumps(pepdocs.schema(), indent=2, ensure_ascii=False))


@main.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@_json_option
def validate_command(files: tuple[Path, ...], as_json: bool) -> None:
    """Check PEP records (JSON); print every problem as `message @ path` (--json: file, ok, issues)."""
    failed = 0
    for file in files:
        try:
            pepdocs.read_pep(file)
        except ModelError as error:
            failed += 1
            if as_json:
                _json_line({"file": str(file), "ok": False, "issues": _issues(error.issues)})
            for issue in error.issues if not as_json else ():
                click.echo(f"{file}: {issue}")
        else:
            _json_line({"file": str(file), "ok": True, "issues": []}) if as_json else click.echo(f"{file}: ok")
    if failed:
        click.echo(f"{failed} of {len(files)} files have problems", err=True)
        sys.exit(1)


@main.group("forms", invoke_without_command=True)
@click.option("--paths", "show_paths", is_flag=True, help="Also list the model paths each form carries.")
@_json_option
@_forms_option
@click.pass_context
@_one_line_errors
def forms_command(ctx: click.Context, show_paths: bool, as_json: bool) -> None:
    """List the forms pepdocs renders and reads (`forms build DIR` builds one form folder's templates)."""
    if ctx.invoked_subcommand is not None:
        return
    from pepdocs.forms._spec import templates_dir

    if as_json:
        _json_line([_form_data(form, show_paths) for form in pepdocs.list_forms()])
        return
    for form in pepdocs.list_forms():
        sections = ", ".join(f"{s.key} {s.title} ({', '.join(s.roles)})" for s in form.sections)
        click.echo(f"{form.id:18} {form.authority}: {form.title} [{'/'.join(form.formats) or 'not built'}]")
        click.echo(f"{'':18} sections: {sections}")
        if form.folder.parent != templates_dir():
            click.echo(f"{'':18} from {form.folder}")
        if show_paths:
            for path in form.paths:
                click.echo(f"{'':18}   {path}")


def _form_data(form: pepdocs.Form, with_paths: bool) -> dict[str, Any]:
    sections = [
        {"key": s.key, "title": s.title, "roles": list(s.roles), "filled_by": s.filled_by} for s in form.sections
    ]
    data = {
        "id": form.id, "title": form.title, "authority": form.authority, "authority_la": form.authority_la,
        "version": form.version, "formats": list(form.formats), "folder": str(form.folder), "sections": sections,
    }  # fmt: skip
    return data | ({"paths": form.paths} if with_paths else {})


@forms_command.command("build")
@click.argument("folder", type=click.Path(path_type=Path))
@_one_line_errors
def forms_build_command(folder: Path) -> None:
    """Build form.docx and form.pdf in a form folder from its form.toml."""
    from pepdocs.build import build_form
    from pepdocs.forms._spec import load_form

    form = load_form(folder / "form.toml")
    written = build_form(form)
    click.echo(f"{form.id}: " + (", ".join(f"wrote {path.name}" for path in written) or "templates up to date"))


@forms_command.command("scaffold")
@click.argument("document", type=click.Path(path_type=Path))
@click.option("--id", "form_id", required=True, help="An id for the form, e.g. northshire (lower case, hyphens).")
@click.option("-o", "--out", "out_dir", required=True, type=click.Path(path_type=Path), help="Your forms folder.")
@click.option("--vocabulary", type=click.Path(path_type=Path), help="A TOML of your own labels for model paths.")
@click.option("--force", is_flag=True, help="Replace a form folder of that id.")
@_one_line_errors
def forms_scaffold_command(document: Path, form_id: str, out_dir: Path, vocabulary: Path | None, force: bool) -> None:
    """Onboard a council's own DOCX or PDF form: write OUT/ID/form.toml mapping its places to the model."""
    from pepdocs.workflows._scaffold import scaffold_form

    scaffold = scaffold_form(document, form_id, out_dir, vocabulary_file=vocabulary, overwrite=force, isolated=True)
    # Counts only: a completed form's words could be a child's answers; form.toml marks each place to review.
    click.echo(scaffold.summary())


@main.command("render")
@click.argument("case", type=click.Path(path_type=Path))
@click.option("--form", "form_id", required=True, help="Form id (see `pepdocs forms`).")
@_format_option
@click.option("--sections", default=None, help="Only these sections, comma-separated (e.g. 3).")
@_part_option
@_audience_option
@click.option("--flatten", is_flag=True, help="PDF only: draw the answers in and leave no fillable field.")
@click.option("--password", default=None, help="PDF only: encrypt with AES-256.")
@click.option("--archive", is_flag=True, help="PDF only: a flattened PDF/A-2b for the child's file.")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="File to write.")
@click.option("--report", "show_report", is_flag=True, help="List each value of the record the form leaves out.")
@_mkdir_option
@_forms_option
@_one_line_errors
def render_command(
    case: Path, form_id: str, fmt: Format, sections: str | None, part: Part | None, audience: Audience,
    flatten: bool, password: str | None, archive: bool, output: Path, show_report: bool, mkdir: bool,
) -> None:  # fmt: skip
    """Fill a form from a PEP record (JSON); say how many of the record's values the form leaves out."""
    _outputs(mkdir, output)
    pep = pepdocs.read_pep(case)
    keys = sections.split(",") if sections else None
    data = pepdocs.render(
        pep, form_id, fmt, sections=keys, part=part, audience=audience, flatten=flatten, password=password,
        archive=archive,
    )  # fmt: skip
    write_atomically(output, data)
    click.echo(f"wrote {output} ({len(data):,} bytes)")
    left_out = pepdocs.render_report(pep, form_id, sections=keys, part=part, audience=audience)
    if left_out:
        hint = "" if show_report else " (--report lists them)"
        click.echo(f"{_count(len(left_out), 'value')} of the record left out of the form{hint}")
    if show_report:
        for omission in left_out:
            click.echo(f"  {omission.describe()}")


def _count(n: int, noun: str) -> str:
    """`1 value`, `3 values`."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


@main.command("parse")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--form", "form_id", default=None, help="Form id, when the document does not say.")
@click.option("--password", default=None, help="Opens an encrypted PDF.")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None, help="Write the PEP here (JSON).")
@_json_option
@_mkdir_option
@_forms_option
@_one_line_errors
def parse_command(
    files: tuple[Path, ...], form_id: str | None, password: str | None, output: Path | None, as_json: bool,
    mkdir: bool,
) -> None:  # fmt: skip
    """Read a completed form (DOCX or PDF) back into a PEP record; warnings go to stderr.

    With --json, each file is one line: file, form, format, sections, record, warnings and unmapped
    (or its error); several files need --json.
    """
    if len(files) > 1 and (not as_json or output is not None):
        raise click.UsageError("several files need --json, and no -o: each file's record is a line of JSON lines")
    _outputs(mkdir, output)
    if as_json:
        status = 0
        for file in files:
            try:
                parsed = pepdocs.parse(file, form=form_id, password=password, isolated=True)
            except PepdocsError as error:
                status = max(status, _status(error))
                click.echo(f"pepdocs: {error}", err=True)
                _json_line(_failure(file, error))
                continue
            record = json.loads(parsed.pep.to_json())
            if output is not None:
                write_atomically(output, parsed.pep.to_json().encode("utf-8"))
            _json_line({
                "file": str(file), "ok": True, "form": parsed.form, "format": parsed.format,
                "sections": parsed.sections,
                **({"output": str(output)} if output is not None else {"record": record}),
                "warnings": _issues(parsed.warnings), "unmapped": [dataclasses.asdict(u) for u in parsed.unmapped],
            })  # fmt: skip
        sys.exit(status)
    (file,) = files
    parsed = pepdocs.parse(file, form=form_id, password=password, isolated=True)
    for warning in parsed.warnings:
        click.echo(f"{file}: warning: {warning}", err=True)
    from pepdocs.forms._wording import shown_label

    form = pepdocs.get_form(parsed.form)
    for item in parsed.unmapped:
        label = shown_label(form, item.label)  # words the form prints; anything else typed may be a value
        label = f'"{label}" ' if label else ""
        click.echo(f"{file}: kept without a place: {label}{item.where or item.path}", err=True)
    text = parsed.pep.to_json()
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomically(output, text.encode("utf-8"))
        click.echo(f"{file}: {parsed.form} read into {output}", err=True)


@main.command("convert")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--to", "to", required=True, help="Target form id (see `pepdocs forms`).")
@_format_option
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None, help="Target form to write.")
@click.option("--record", type=click.Path(path_type=Path), default=None, help="Also write the PEP record (JSON).")
@click.option("--report", "report_path", type=click.Path(path_type=Path), default=None, help="Write the report (JSON).")
@_allow_unidentified_option
@_mkdir_option
@_json_option
@_forms_option
@_one_line_errors
def convert_command(
    source: Path,
    to: str,
    fmt: Format,
    output: Path | None,
    record: Path | None,
    report_path: Path | None,
    as_json: bool,
    allow_unidentified: bool,
    mkdir: bool,
) -> None:
    """Turn another authority's completed form into the target form; print what changed, field by field.

    With --json, one object: file, source and target form, the files written, and the report's changes.
    `--record` over an existing record is refused when the form is about another child (or says of no child).
    """
    _outputs(mkdir, output, record, report_path)
    converted = pepdocs.convert(source, to, fmt, isolated=True)
    if record is not None and record.exists():
        from pepdocs.workflows._merge import check_identity

        check_identity(pepdocs.read_pep(record), converted.parsed, allow_unidentified=allow_unidentified)
    if output is not None:
        write_atomically(output, converted.document)
    if record is not None:
        write_atomically(record, converted.pep.to_json().encode("utf-8"))
    if report_path is not None:
        text = json.dumps(
            {"note": VALUES_NOTE, **converted.report.to_dict()}, indent=2, ensure_ascii=False, default=str
        )
        write_atomically(report_path, text.encode("utf-8"))
    if as_json:
        written = {"output": output, "record": record, "report": report_path}
        _json_line({
            "file": str(source), "ok": True, **converted.report.to_dict(), "format": fmt,
            "written": {name: str(path) for name, path in written.items() if path is not None},
        })  # fmt: skip
        return
    for line in converted.report.lines():
        click.echo(line)
    if output is None:
        click.echo(f"no {converted.report.target_form} form was written: give -o FILE to write it", err=True)


@main.command("merge")
@click.argument("record", type=click.Path(path_type=Path))
@click.argument("returned", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="Merged record to write (JSON).")
@click.option(
    "--prefer",
    type=click.Choice(PREFERS, case_sensitive=False),
    default="record",
    show_default=True,
    help="Whose value wins where they differ.",
)
@click.option(
    "--report", "report_path", type=click.Path(path_type=Path), default=None,
    help="Write the conflicts with both values (JSON); the terminal gets their paths only.",
)  # fmt: skip
@_allow_unidentified_option
@_mkdir_option
@_forms_option
@_one_line_errors
def merge_command(
    record: Path, returned: Path, output: Path, prefer: Prefer, report_path: Path | None, allow_unidentified: bool,
    mkdir: bool,
) -> None:  # fmt: skip
    """Take a returned form (e.g. the school's Section 3) into a PEP record; list every conflict by its path.

    A form about another child is refused, and one that does not say who it is about unless --allow-unidentified.
    """
    _outputs(mkdir, output, report_path)
    returned_form = pepdocs.parse(returned, isolated=True)
    merged = pepdocs.merge(
        pepdocs.read_pep(record), returned_form, prefer=prefer, allow_unidentified=allow_unidentified
    )
    write_atomically(output, merged.pep.to_json().encode("utf-8"))
    kept = "returned" if prefer == "returned" else "record"
    if report_path is not None:
        conflicts = [dataclasses.asdict(conflict) | {"kept": kept} for conflict in merged.conflicts]
        data = {"note": VALUES_NOTE, "record": record.name, "returned": returned.name, "prefer": prefer,
                "taken": merged.taken, "conflicts": conflicts}  # fmt: skip
        write_atomically(report_path, json.dumps(data, indent=2, ensure_ascii=False, default=str).encode("utf-8"))
    taken, conflicts_count = _count(len(merged.taken), "value"), _count(len(merged.conflicts), "conflict")
    wrote = f"wrote {output}" + (f" and {report_path}" if report_path is not None else "")
    click.echo(f"{taken} taken, {conflicts_count}; {wrote}")
    for conflict in merged.conflicts:
        click.echo(f"  conflict @ {conflict.path} (kept {kept})")
    if merged.conflicts and report_path is None:
        click.echo("  (--report FILE writes both values of each conflict)")


_DATE = click.DateTime(formats=["%Y-%m-%d"])


@main.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--policy", default="dfe", show_default=True, help="Built-in policy name or a policy TOML file.")
@click.option("--on", "on", type=_DATE, default=None, help="Judge as on this day (YYYY-MM-DD); default today.")
@_json_option
@_one_line_errors
def check_command(files: tuple[Path, ...], policy: str, on: Any, as_json: bool) -> None:
    """Check PEP records against an authority's rules (default: the national dfe policy).

    Prints `file: severity rule: message @ path [source]`; exit 1 on errors. With --json, each file is
    one line: file, policy, on, ok, findings, next_due (or the record's issues).
    """
    import datetime as dt

    chosen = pepdocs.load_policy(policy)
    day = on.date() if on is not None else dt.date.today()
    errors = 0
    for file in files:
        try:
            pep = pepdocs.read_pep(file)
            findings = pepdocs.check(pep, policy=chosen, on=day)
        except ModelError as error:
            errors += 1
            _invalid_record(file, chosen.name, day, error, as_json)
            continue
        errors += sum(1 for finding in findings if finding.severity == "error")
        if as_json:
            due = dataclasses.asdict(pepdocs.next_due(pep, policy=chosen, on=day))
            ok = not any(finding.severity == "error" for finding in findings)
            findings_data = [dataclasses.asdict(finding) for finding in findings]
            checked = {"file": str(file), "policy": chosen.name, "on": day, "ok": ok}
            _json_line(checked | {"findings": findings_data, "next_due": due})
            continue
        for finding in findings:
            click.echo(f"{file}: {finding}")
        if not findings:
            click.echo(f"{file}: ok")
    if errors:
        click.echo(f"{_count(errors, 'error')} in {_count(len(files), 'file')}", err=True)
        sys.exit(1)


def _invalid_record(file: Path, policy: str, day: Any, error: ModelError, as_json: bool) -> None:
    """Report a record the model refuses, as `check` and `qa` both do: a JSON line or one line per issue."""
    if as_json:
        invalid = {"file": str(file), "policy": policy, "on": day, "ok": False}
        _json_line(invalid | {"issues": _issues(error.issues)})
        return
    for issue in error.issues:
        click.echo(f"{file}: error invalid-record: {issue}")


@main.command("qa")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--policy", default="dfe", show_default=True, help="Built-in policy name or a policy TOML file.")
@click.option("--on", "on", type=_DATE, default=None, help="Judge as on this day (YYYY-MM-DD); default today.")
@_json_option
@_one_line_errors
def qa_command(files: tuple[Path, ...], policy: str, on: Any, as_json: bool) -> None:
    """Rate PEP records red, amber or green, area by area, with the reason for each; exit 1 when any is red.

    With --json, each file is one line: file, policy, on, ok, rating, reason, areas (each with its rating,
    reason and source) and the criteria's source, or the record's issues.
    """
    import datetime as dt

    chosen = pepdocs.load_policy(policy)
    day = on.date() if on is not None else dt.date.today()
    reds, source = 0, ""
    for file in files:
        try:
            report = pepdocs.qa(pepdocs.read_pep(file), policy=chosen, on=day)
        except ModelError as error:
            reds += 1
            _invalid_record(file, chosen.name, day, error, as_json)
            continue
        reds += report.rating == "red"
        if as_json:
            rated = {"file": str(file), "policy": chosen.name, "on": day, "ok": report.rating != "red"}
            areas = [dataclasses.asdict(area) for area in report.areas]
            rating = {"rating": report.rating, "reason": report.reason, "areas": areas, "source": report.source}
            _json_line(rated | rating)
            continue
        source = report.source
        click.echo(f"{file}: {report.rating} ({report.reason})")
        for area in report.areas:
            click.echo(f"  {area}")
    if source:
        click.echo(f"criteria: {source}")
    if reds:
        click.echo(f"{reds} of {len(files)} PEPs rated red", err=True)
        sys.exit(1)


@main.command("tracker")
@click.argument("source", type=click.Path(path_type=Path))
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), required=True, help="Tracker workbook to write (XLSX)."
)
@click.option("--policy", default="dfe", show_default=True, help="Built-in policy name or a policy TOML file.")
@click.option("--on", "on", type=_DATE, default=None, help="Judge as on this day (YYYY-MM-DD); default today.")
@_mkdir_option
@_forms_option
@_one_line_errors
def tracker_command(source: Path, output: Path, policy: str, on: Any, mkdir: bool) -> None:
    """Write a tracker workbook from a folder of PEP records or a case-data XLSX/CSV.

    It says when each child's next PEP is due, and what the checks found.
    """
    from pepdocs.workflows._tracker import write_tracker

    _outputs(mkdir, output)
    report = write_tracker(source, output, policy=policy, on=on.date() if on is not None else None)
    for record in report.problems:
        what = "not tracked" if record.pep is None else "left out"
        for issue in record.issues:
            click.echo(f"{record.name}: {what}: {issue}", err=True)
    children = f"{report.children} {'child' if report.children == 1 else 'children'}"
    click.echo(f"wrote {output}: {children}, {_count(report.findings, 'finding')} ({_count(report.errors, 'error')})")


@main.command("batch")
@click.argument("cases", type=click.Path(path_type=Path))
@click.option(
    "--out", "out_dir", required=True, type=click.Path(path_type=Path), help="Folder for the forms and the report."
)
@click.option("--form", "form_id", default=None, help="One form for every child (default: chosen per child).")
@_format_option
@click.option(
    "--workers", type=click.IntRange(min=1), default=None, help="Processes to render with (default: one per CPU)."
)
@click.option("--force", is_flag=True, help="Render every form again, even those up to date or changed since.")
@click.option(
    "--mapping",
    type=click.Path(path_type=Path),
    default=None,
    help='Other headers\' model paths, TOML or JSON: {"Their Header": "child.upn"}.',
)
@click.option("--sections", default=None, help="Only these sections, comma-separated (default: the whole form).")
@_part_option
@_audience_option
@click.option("--policy", required=True, help="Policy naming the home authority's forms, e.g. southwark.")
@click.option("--strict", is_flag=True, help="Exit 1 when any row had a problem, not only when a form failed.")
@_forms_option
@_one_line_errors
def batch_command(
    cases: Path, out_dir: Path, form_id: str | None, fmt: Format, workers: int | None, force: bool,
    mapping: Path | None, sections: str | None, part: Part | None, audience: Audience, policy: str, strict: bool,
) -> None:  # fmt: skip
    """Pre-fill a form for every child in a case-data workbook (XLSX or CSV).

    Each child gets the form(s) their age, school and PEP call for, filled with the case data and
    left blank for the meeting, as OUT/{person_id}_{form}_{date}.docx; batch-report.xlsx and
    batch-report.json say what was done for each row and why. Running again skips forms that are up
    to date.

    Exit status: 0 when every row was done, skipped as up to date, or written with its problems named
    in the report; 1 when a form could not be rendered for some row (every other row is still
    written), when the batch could not start, or with --strict when any row had a problem.
    """
    report = pepdocs.batch(
        cases, out_dir, form=form_id, format=fmt, workers=workers, force=force, mapping=mapping,
        sections=sections.split(",") if sections else None, part=part, audience=audience, policy=policy,
        progress=sys.stdout.isatty(),
    )  # fmt: skip
    for note in report.notes:
        click.echo(f"{cases}: {note}", err=True)
    for row in report.rows:
        for problem in row.problems:
            click.echo(f"{cases} row {row.row}: {problem.describe(row=False)}", err=True)
    click.echo(report.summary())
    if report.counts["failed"] or (strict and not report.ok):
        sys.exit(1)


@main.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; off loopback, PEPDOCS_API_KEYS must be set.",
)
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True)
@click.option(
    "--home",
    "home_form",
    default="southwark-full",
    show_default=True,
    help="The home authority's form the page offers first.",
)
@click.option(
    "--max-upload-mb",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Largest request the service takes in.",
)
@click.option(
    "--workers", "concurrency", type=click.IntRange(min=1), default=2, show_default=True,
    help="Documents rendered or read at once; more calls wait.",
)  # fmt: skip
@_one_line_errors
def serve_command(host: str, port: int, home_form: str, max_upload_mb: int, concurrency: int) -> None:
    """Serve the HTTP API and the page for returned forms (needs `pip install "pepdocs[service]"`).

    The page is at http://HOST:PORT/ and the API description at /openapi.json. API keys come from the
    environment variable PEPDOCS_API_KEYS (comma-separated), never from the command line; they are
    required unless HOST is a loopback address. Request bodies and query strings are never logged.
    """
    try:
        from pepdocs.service import Settings, serve
    except ImportError:
        raise click.UsageError('the service needs its extra: pip install "pepdocs[service]"') from None
    serve(host, port, Settings.from_env(home_form=home_form, max_upload=max_upload_mb * 2**20, concurrency=concurrency))
