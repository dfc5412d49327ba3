"""The batch: a pre-filled form for every child in a case-data file, with a report, resumable.

Each row's forms come from `select_form` (or one form for all). Outputs are named
`{person_id}_{form}_{date}.{ext}` and written atomically; a journal in the output folder
(`.pepdocs-batch.jsonl`) records what was written from which input, so a second run skips what is up
to date and never overwrites a file someone has changed since. Rows are streamed and rendered in
chunks by worker processes, so memory stays flat however long the file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import IO, Any

from pepdocs._errors import FormError, InputError, Issue, PepdocsError, RenderError, UsageError
from pepdocs._types import AUDIENCES, PARTS, Audience, Format, Part, option
from pepdocs._util.files import VALUES_NOTE, sync_folder, write_atomically
from pepdocs._util.isolate import isolated
from pepdocs._util.memory import TreeSampler, tree_rss_mb
from pepdocs.engines import formats, get_engine
from pepdocs.forms._spec import add_forms, form_folders, get_form, part_sections
from pepdocs.model._pep import PEP
from pepdocs.rules._policy import Policy
from pepdocs.workflows._api import render
from pepdocs.workflows._cases import CaseReader, CaseRow, RowBuilder, read_cases
from pepdocs.workflows._select import FormChoice, home_forms, select_form

STATE_FILE = ".pepdocs-batch.jsonl"
REPORT_XLSX = "batch-report.xlsx"
REPORT_JSON = "batch-report.json"
STATUSES = ("done", "skipped", "no part", "problem", "failed")
"""Row statuses: every form written; every form already up to date; none of the row's forms has a section the
part asked for (`part`), so there is nothing to send; the row has problems (its usable values are still filled
in where it could be named); a form could not be rendered."""
CHUNK = 32
CHECKPOINT = 500
"""Files written between syncs of the output folder and journal (a file is renamed into place whole, unsynced)."""
_UNSAFE_NAME = re.compile(r"[^0-9A-Za-z._-]+")

log = logging.getLogger(__name__)


# --- what the batch reports -----------------------------------------------------------------


@dataclass
class RowReport:
    """One row of the batch report."""

    row: int
    person_id: str | None
    name: str
    status: str = "done"
    forms: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    problems: list[Issue] = field(default_factory=list)
    written: int = 0


@dataclass
class BatchReport:
    """What a batch did: a RowReport per row, counts, timing and where the reports were written."""

    source: str
    out_dir: Path
    run_date: date
    format: Format
    rows: list[RowReport] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    written: int = 0
    up_to_date: int = 0
    seconds: float = 0.0
    workers: int = 1
    peak_rss_mb: float = 0.0
    """The largest peak resident memory of one process of the batch."""
    peak_tree_mb: float = 0.0
    """The largest resident memory of the batch's processes together: this process and its workers, summed
    as sampled every 50 ms (Linux; 0 elsewhere), or, if larger, this process and the read-through check."""
    cpu_seconds: float = 0.0
    """CPU time of the batch process and every process it started."""
    main_cpu_seconds: float = 0.0
    """CPU time of the batch process alone (reading, journaling, reporting)."""
    part: str | None = None

    @property
    def counts(self) -> dict[str, int]:
        """Rows by status."""
        counts = dict.fromkeys(STATUSES, 0)
        for row in self.rows:
            counts[row.status] += 1
        return counts

    @property
    def ok(self) -> bool:
        """Whether every row was done or skipped as up to date."""
        return all(row.status in ("done", "skipped", "no part") for row in self.rows)

    @property
    def ms_per_document(self) -> float | None:
        """Wall time per document written, in milliseconds."""
        return self.seconds * 1000 / self.written if self.written else None

    def summary(self) -> str:
        """A few lines for a person: rows by status, files written, time."""
        counts = self.counts
        per = f" ({self.ms_per_document:.1f} ms per document)" if self.ms_per_document is not None else ""
        return "\n".join(
            [
                f"{len(self.rows)} rows: {counts['done']} done, {counts['skipped']} skipped (up to date), "
                + (f"{counts['no part']} with no {self.part.replace('_', ' ')} part, " if self.part else "")
                + f"{counts['problem']} with problems, {counts['failed']} failed",
                f"{self.written} files written, {self.up_to_date} already up to date, "
                f"in {self.seconds:.1f} s with {self.workers} worker{'s' if self.workers != 1 else ''}{per}",
                f"report: {self.out_dir / REPORT_XLSX} and {REPORT_JSON}",
            ]
        )

    def as_dict(self, rows: bool = True) -> dict[str, Any]:
        """The report as JSON data (without its rows, if not `rows`)."""
        data = {
            "note": VALUES_NOTE,
            "pepdocs": _version(),
            "source": Path(self.source).name,  # names the file, not the folders of this machine it is in
            "run_date": self.run_date.isoformat(),
            "format": self.format,
            "counts": self.counts,
            "files_written": self.written,
            "files_up_to_date": self.up_to_date,
            "seconds": round(self.seconds, 3),
            "ms_per_document": None if self.ms_per_document is None else round(self.ms_per_document, 2),
            "workers": self.workers,
            "cpu_seconds": round(self.cpu_seconds, 3),
            "main_cpu_seconds": round(self.main_cpu_seconds, 3),
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            "peak_tree_mb": round(self.peak_tree_mb, 1),
            "notes": self.notes,
            "rows": [
                {
                    "row": row.row,
                    "person_id": row.person_id,
                    "name": row.name,
                    "status": row.status,
                    "forms": row.forms,
                    "reasons": row.reasons,
                    "files": row.files,
                    "problems": [asdict(problem) for problem in row.problems],
                }
                for row in sorted(self.rows, key=_row_order)
            ]
            if rows
            else [],
        }
        return data


def _row_order(row: RowReport) -> int:
    return row.row


@cache
def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pepdocs")
    except PackageNotFoundError:
        return "0+unknown"


# --- naming and the journal -----------------------------------------------------------------


def file_stem(person_id: str) -> str:
    """A person ID made safe as the start of a file name on any system; unique for good.

    Where making it safe changed it (`Zoë/7` -> `Zo-7`), a short hash of the ID as typed follows, so two IDs
    never share a file name, in this run or any other.
    """
    typed = person_id.strip()
    stem = _UNSAFE_NAME.sub("-", typed).strip(".-")[:64] or "id"
    if stem != typed:
        stem += "-" + hashlib.sha256(typed.encode("utf-8")).hexdigest()[:8]
    return stem


def output_name(person_id: str, form: str, on: date, format: str) -> str:
    """The file a child's form is written to: `{person_id}_{form}_{date}.{ext}`."""
    return f"{file_stem(person_id)}_{form}_{on.isoformat()}{get_engine(format).suffix}"


@cache
def _template_hash(form: str, format: str) -> str:
    path = get_form(form).folder / f"form{get_engine(format).suffix}"
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except OSError:
        return "missing"


def input_key(
    pep: PEP,
    form: str,
    format: str,
    sections: tuple[str, ...] | None,
    audience: str = "record",
    source: bytes | None = None,
) -> str:
    """A hash of everything an output depends on: the row's PEP, the form, its template and pepdocs.

    `source` stands for the PEP when given: the row's cells and columns, from which it was built.
    """
    spec = get_form(form)
    digest = hashlib.sha256()
    parts = [_version(), form, spec.version, _template_hash(form, format), format, ",".join(sections or ())]
    if audience != "record":  # so the keys of whole-record outputs written before audiences stay as they were
        parts.append(audience)
    for part in parts:
        digest.update(part.encode() + b"\0")
    digest.update(b"row\0" + source if source is not None else pep.model_dump_json(exclude_defaults=True).encode())
    return digest.hexdigest()[:32]


@dataclass(frozen=True)
class Written:
    """The journal's record of an output file: the input it came from, and the file as written."""

    key: str
    size: int
    mtime_ns: int
    sha256: str

    def line(self, file: str) -> str:
        """The journal's line for `file` written so."""
        return json.dumps({"file": file, "key": self.key, "size": self.size, "mtime_ns": self.mtime_ns,
                           "sha256": self.sha256}) + "\n"  # fmt: skip

    def changed(self, path: Path, stat: os.stat_result) -> bool:
        """Whether the file is no longer what was written (a copy with a new time is still the same)."""
        if (stat.st_size, stat.st_mtime_ns) == (self.size, self.mtime_ns):
            return False
        try:
            return stat.st_size != self.size or hashlib.sha256(path.read_bytes()).hexdigest() != self.sha256
        except OSError:
            return True


class Journal:
    """The output folder's record of what each file was written from; one JSON line per file written."""

    def __init__(self, out_dir: Path, *, read: bool = True) -> None:
        self.path = out_dir / STATE_FILE
        self.entries: dict[str, Written] = {}
        self._out: IO[str] | None = None
        if not read:
            return
        try:
            with self.path.open(encoding="utf-8") as lines:
                for line in lines:
                    try:
                        item = json.loads(line)
                        self.entries[item["file"]] = Written(
                            str(item["key"]), int(item["size"]), int(item["mtime_ns"]), str(item["sha256"])
                        )
                    except (ValueError, KeyError, TypeError, RecursionError):
                        continue  # a line cut short when a run was killed, or garbled
        except FileNotFoundError:
            pass
        except OSError as error:
            raise InputError(f"cannot read the batch journal ({error.strerror})", str(self.path)) from None

    def open(self, *, lock: bool = True) -> None:
        try:
            self._out = self.path.open("a", encoding="utf-8")
        except OSError as error:
            raise InputError(f"cannot write in the output folder ({error.strerror})", str(self.path)) from None
        if not lock:
            return
        try:
            import fcntl

            fcntl.flock(self._out.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:
            pass
        except OSError:
            self._out.close()
            raise InputError("another batch is writing to this folder", str(self.path.parent)) from None

    def record(self, file: str, written: Written) -> None:
        """Journal a file before it is renamed into place, so a batch killed just after the rename still knows
        the file as written, and a rerun never overwrites it once someone has edited it."""
        if self._out is not None:
            self._out.write(written.line(file))
            self._out.flush()  # to the system, which keeps it if the process is killed

    def checkpoint(self) -> None:
        """Make the files written so far, then the journal's lines for them, durable (one sync of the folder)."""
        sync_folder(self.path.parent)

    def compact(self) -> None:
        """Rewrite the journal with one line per output file that still exists."""
        out_dir = self.path.parent
        lines = [entry.line(name) for name, entry in sorted(self.entries.items()) if (out_dir / name).exists()]
        write_atomically(self.path, "".join(lines).encode())

    def close(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None


# --- rendering, in this process or a worker -------------------------------------------------


@dataclass(frozen=True)
class Job:
    """One form to render for one row."""

    row: int
    pep: PEP
    form: str
    file: str
    key: str
    sections: tuple[str, ...] | None = None
    audience: Audience = "record"
    on: date | None = None
    """The run date, for the year group and key stage of a child with no meeting date yet."""


@dataclass(frozen=True)
class Result:
    """What became of a job: the file's size and time when written, or the error."""

    row: int
    file: str
    key: str
    size: int = 0
    mtime_ns: int = 0
    sha256: str = ""
    error: str | None = None


def _render_one(job: Job, out_dir: Path, format: Format, journal: Journal) -> Result:
    """Render and write one job, journalled before it is renamed into place; any error is returned, never raised,
    so no row stops the batch.

    The file is renamed into place whole but not synced: the run syncs its folder at checkpoints.
    """
    path = out_dir / job.file
    try:
        data = render(job.pep, job.form, format, sections=job.sections, audience=job.audience, on=job.on)
        sha256 = hashlib.sha256(data).hexdigest()

        written: list[Written] = []

        def ahead(temporary: Path) -> None:
            stat = temporary.stat()  # a rename keeps the size and time
            written.append(Written(job.key, stat.st_size, stat.st_mtime_ns, sha256))
            journal.record(job.file, written[0])

        write_atomically(path, data, sync=False, before_rename=ahead)
    except PepdocsError as error:  # the file's name holds the person ID: the row and the form say which file it is
        return Result(job.row, job.file, job.key, error=str(error).removeprefix(f"{path}: "))
    except Exception as error:  # a bug must fail its row, not the thousands after it; its text may hold values
        return Result(job.row, job.file, job.key, error=f"an unexpected {error.__class__.__name__}")
    return Result(job.row, job.file, job.key, written[0].size, written[0].mtime_ns, sha256)


@dataclass(frozen=True)
class Plan:
    """How every row is turned into files; each worker is given it once."""

    out_dir: Path
    format: Format
    form: str | None
    sections: tuple[str, ...] | None
    part: Part | None
    audience: Audience
    policy: str | Path | Policy
    force: bool
    today: date
    builder: RowBuilder | None
    written: dict[str, Written]
    """The journal as the run began: what each existing output was written from."""


@dataclass(frozen=True)
class Item:
    """One row sent to be done: as read from the file (or a CaseRow), and what the reading process knows of it."""

    row: int
    cells: tuple[Any, ...] | CaseRow
    formulas: dict[int, str] | None = None
    person_id: str | None = None
    first: int | None = None
    """The earlier row with this person ID: this one is refused."""
    taken: int | None = None
    """The earlier row whose person ID makes the same file names: this one writes none."""


Outcome = tuple[RowReport, list[Result], int]
"""A row done: its report, its files written (or not), and how many of its files were already up to date."""


def do_row(plan: Plan, item: Item, journal: Journal) -> Outcome:
    """Read a row, choose its forms, and render and write each one not up to date; never raises."""
    try:
        if isinstance(item.cells, CaseRow):
            case = item.cells
        else:
            assert plan.builder is not None
            case = plan.builder.build(item.row, item.cells, item.formulas)
            if item.first is not None:
                case = plan.builder.duplicate(case, item.first)
        row = RowReport(case.row, case.person_id, case.name, problems=list(case.problems))
        if case.person_id != item.person_id and case.pep is not None:
            message = "the person ID could not be read the same way twice, so the row was not filed"
            row.problems.append(Issue(message, row=case.row))
            return row, [], 0
        source = None
        if plan.builder is not None and case.pep is not None and not isinstance(item.cells, CaseRow):
            # The PEP is the cells read through the columns; the run date only adds a year group that differs.
            columns = [(column.index, column.path) for column in plan.builder.columns]
            made = (columns, item.cells, item.formulas, case.pep.child.ncy_actual)
            source = repr(made).encode("utf-8", "backslashreplace")
        jobs, up_to_date = _jobs(plan, case, row, item.taken, source)
    except Exception as error:  # a bug must fail its row, not the thousands after it
        row = RowReport(item.row, item.person_id, "", status="failed")
        row.problems.append(Issue(f"the row could not be read ({error.__class__.__name__})", row=item.row))
        return row, [], 0
    results = [_render_one(job, plan.out_dir, plan.format, journal) for job in jobs]
    for job, result in zip(jobs, results, strict=True):
        if result.error is not None:
            row.problems.append(Issue(f"its {job.form} file could not be written: {result.error}", row=result.row))
            row.status = "failed"
    return row, results, up_to_date


def _jobs(
    plan: Plan, case: CaseRow, row: RowReport, taken: int | None, source: bytes | None = None
) -> tuple[list[Job], int]:
    """A row's forms to render, and how many are already up to date; the rest are problems on `row`."""
    if case.pep is None or case.person_id is None:
        return [], 0
    pep = case.pep
    try:
        choices = (
            [FormChoice(plan.form, "the form chosen for the whole batch")]
            if plan.form is not None
            else select_form(_dated(pep, plan.today), policy=plan.policy)
        )
    except PepdocsError as error:
        row.problems.append(Issue(f"no form could be chosen: {error}", row=case.row))
        return [], 0
    when = pep.plan.meeting_date or plan.today
    jobs = []
    up_to_date = 0
    for choice in choices:
        row.forms.append(choice.form)
        row.reasons.append(f"{choice.form}: {choice.reason}")
        try:
            keys = _keys(plan, choice.form)
        except FormError as error:
            row.problems.append(Issue(f"{choice.form} not written: {error}", row=case.row))
            continue
        if keys == ():  # the form has no section this part completes: nothing to send, not a problem
            row.reasons[-1] += f"; it has no {str(plan.part).replace('_', ' ')} part, so nothing is written"
            continue
        name = output_name(case.person_id, choice.form, when, plan.format)
        if taken is not None:
            message = f"its {choice.form} file would take the name row {taken}'s has; person IDs must differ"
            row.problems.append(Issue(message, row=case.row))
            continue
        row.files.append(name)
        key = input_key(pep, choice.form, plan.format, keys, plan.audience, source)
        kept = _kept(plan, name, key, row, choice.form)
        if kept == "up to date":
            up_to_date += 1
        if kept is None:
            jobs.append(Job(case.row, pep, choice.form, name, key, keys, plan.audience, plan.today))
    return jobs, up_to_date


def _keys(plan: Plan, form_id: str) -> tuple[str, ...] | None:
    """The sections of this form to render: by exact key (any case), by the part's role, or all."""
    form = get_form(form_id)
    if plan.part is not None:
        return tuple(s.key for s in form.sections if plan.part in s.roles)
    if plan.sections is None:
        return None
    return tuple(form.section(key).key for key in plan.sections)


def _kept(plan: Plan, name: str, key: str, row: RowReport, form: str) -> str | None:
    """Why an output is left as it is ("up to date", or "changed" by someone since it was written), else None."""
    if plan.force:
        return None
    entry = plan.written.get(name)
    if entry is None:
        return None
    try:
        stat = (plan.out_dir / name).stat()
    except OSError:
        return None
    if entry.key == key:
        return "up to date"
    if entry.changed(plan.out_dir / name, stat):  # the name holds the person ID: the form says which file
        message = (
            f"its {form} file was changed after pepdocs wrote it, so it was not overwritten with the new case data "
            "(use --force to overwrite it)"
        )
        row.problems.append(Issue(message, row=row.row))
        return "changed"
    return None


_plan: Plan | None = None
"""A worker's plan, given when it starts."""
_journal: Journal | None = None
"""A worker's own handle on the run's journal, which it adds a line to before each file takes its place."""


def _start(plan: Plan, forms: tuple[str, ...], format: Format, folders: tuple[Path, ...]) -> None:
    """A worker's start: its plan, the journal opened to add to, and the forms' templates loaded once."""
    global _plan, _journal
    _plan = plan
    _journal = Journal(plan.out_dir, read=False)
    _journal.open(lock=False)  # the batch process holds the lock for the run
    _warm(forms, format, folders)


def _do_rows(items: list[Item], builder: RowBuilder | None) -> tuple[list[Outcome], int, float]:
    """A worker's task: a chunk of rows done; their outcomes, the worker's process ID and peak memory in MB."""
    assert _plan is not None and _journal is not None
    plan = replace(_plan, builder=builder)
    return [do_row(plan, item, _journal) for item in items], os.getpid(), peak_rss_mb()


def _warm(forms: tuple[str, ...], format: Format, folders: tuple[Path, ...] = ()) -> None:
    """Load the forms' specs and templates once in this process (a worker's start-up), with the user's forms."""
    for folder in folders:
        add_forms(folder)
    engine = get_engine(format)
    for form in forms:
        try:
            engine.load(get_form(form))
        except PepdocsError:
            pass  # the render reports it, row by row


def _ready() -> float:
    """A worker's first task: nothing, so that every worker is started at once."""
    return peak_rss_mb()


def _children_peak_mb() -> float:
    """The largest peak memory of this process's children that have ended (the reader's, before any worker)."""
    try:
        import resource

        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
    except ImportError:
        return 0.0


def peak_rss_mb() -> float:
    """This process's peak resident memory, in MB."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    try:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
    except ImportError:
        return 0.0


def start_workers(
    workers: int, plan: Plan, forms: tuple[str, ...], folders: tuple[Path, ...] = ()
) -> ProcessPoolExecutor:
    """Worker processes, all started now, each with the forms' templates loaded once.

    Where fork is safe (Linux, and this process runs no other thread yet) the templates are loaded
    here and every worker shares them; otherwise workers start clean (forkserver, else spawn) and
    load them themselves.
    """
    import multiprocessing
    import threading

    methods = multiprocessing.get_all_start_methods()
    context: multiprocessing.context.BaseContext
    if "fork" in methods and sys.platform.startswith("linux") and threading.active_count() == 1:
        _warm(forms, plan.format, folders)
        context = multiprocessing.get_context("fork")
    elif "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["pepdocs.workflows._batch"])
    else:
        context = multiprocessing.get_context("spawn")
    executor = ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start, initargs=(plan, forms, plan.format, folders)
    )
    try:
        wait([executor.submit(_ready) for _ in range(workers)])
    except BaseException:
        executor.shutdown(wait=False, cancel_futures=True)
        raise
    return executor


# --- the batch ------------------------------------------------------------------------------


class _Progress:
    """A progress bar on the terminal (rich), or nothing."""

    def __init__(self, show: bool, total: int | None) -> None:
        self._bar: Any = None
        if show:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._bar = Progress(
                TextColumn("pre-filling forms"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                transient=True,
            )
            self._task = self._bar.add_task("rows", total=total)
            self._bar.start()

    def advance(self) -> None:
        if self._bar is not None:
            self._bar.advance(self._task)

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()


READ_SECONDS = 300.0
READ_MEMORY = 1024 * 1024 * 1024


def _read_through(
    cases: str | os.PathLike[str], mapping: str | os.PathLike[str] | dict[str, str] | None, on: date
) -> int:
    """Read every row's cells once, to show the file is safe to read (run in a child process with limits)."""
    with read_cases(cases, mapping, on=on) as rows:
        return sum(1 for _ in rows.raw())


def batch(
    cases: str | os.PathLike[str] | Iterable[CaseRow],
    out_dir: str | os.PathLike[str],
    *,
    form: str | None = None,
    format: Format = "docx",
    workers: int | None = None,
    force: bool = False,
    sections: Iterable[str | int] | None = None,
    part: Part | None = None,
    audience: Audience = "record",
    policy: str | Path | Policy,
    mapping: str | os.PathLike[str] | dict[str, str] | None = None,
    run_date: date | None = None,
    progress: bool = False,
    on_row: Callable[[RowReport], None] | None = None,
) -> BatchReport:
    """Pre-fill a form for every child in a case-data file (XLSX or CSV) into `out_dir`, and report.

    Each row gets the forms `select_form` chooses (or `form` for every row); only the case data is
    filled, the rest is left for the meeting. `sections` limits the forms to those sections (keys in
    any case); `part` to the sections a role completes on each form ("school": the school's part,
    whatever its numbering); a row none of whose forms has such a section is "no part", nothing written.
    `audience` "school" or "child" leaves out sensitive fields; `policy` names the home forms.
    Outputs are `{person_id}_{form}_{date}.{ext}` (date: the planned meeting date, else `run_date`,
    default today). Outputs already up to date are skipped unless `force`. `workers` processes render
    (default: one per CPU; 1 renders in this process; a script that uses more must call batch under
    `if __name__ == "__main__":`, as worker processes import it). A bad row is reported and never stops
    the batch; the report is also written to `batch-report.xlsx` and `batch-report.json` in `out_dir`.
    `on_row` is called with each row's report as it is finished; `progress` draws a bar on stdout.
    A case-data file is first read through in a child process limited in time and memory, so a file
    built to exhaust readers stops the batch before anything is written.
    """
    started, cpu = time.perf_counter(), os.times()
    today = run_date or date.today()
    option("format", format, formats())
    keys = tuple(str(key) for key in sections) if sections is not None else None
    if keys is not None and part is not None:
        raise UsageError("give sections or part, not both", "give --sections or --part, not both")
    if part is not None:
        option("part", part, PARTS)
    option("audience", audience, AUDIENCES)
    if form is not None:
        chosen = get_form(form)
        for key in keys or ():
            try:
                chosen.section(key)  # before anything is written
            except FormError as error:
                raise UsageError(str(error)) from None
        if part is not None:
            try:
                part_sections(chosen, part)
            except FormError as error:
                raise UsageError(str(error)) from None
    else:
        home_forms(policy)  # an unknown policy or form is an error before anything is written
    workers = max(1, workers if workers is not None else (os.cpu_count() or 1))
    if mapping is not None and not isinstance(cases, str | os.PathLike):
        raise InputError("a mapping applies to a case-data file, not to rows already read")
    out = Path(out_dir)
    reading_mb = 0.0
    if isinstance(cases, str | os.PathLike):
        isolated(_read_through, cases, mapping, today, file=str(cases), seconds=READ_SECONDS, memory=READ_MEMORY)
        reading_mb = tree_rss_mb() + _children_peak_mb()  # this process and the reader's peak, now it has ended
    with ExitStack() as stack:
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise InputError(f"cannot make the output folder ({error.strerror})", str(out)) from None
        journal = Journal(out)
        journal.open()
        stack.callback(journal.close)
        for stale in out.glob(".*.part"):  # a file half-written by a run that was killed
            stale.unlink(missing_ok=True)
        plan = Plan(out, format, form, keys, part, audience, policy, force, today, None, dict(journal.entries))
        # Workers start before the file is opened (so they do not each hold a copy of its cells), and
        # before the progress bar's thread, so that they may be forked.
        forms = (form,) if form else tuple(f.id for f in home_forms(policy).values())
        folders = form_folders()[1:]
        executor = start_workers(workers, plan, forms, folders) if workers > 1 else None
        if executor is not None:
            stack.callback(executor.shutdown, wait=False, cancel_futures=True)
        memory = stack.enter_context(TreeSampler())  # a thread, so only once the workers are forked
        if isinstance(cases, str | os.PathLike):
            rows: Iterable[CaseRow] = stack.enter_context(read_cases(cases, mapping, on=today))
            source = str(cases)
        else:
            rows, source = cases, "<rows>"
        report = BatchReport(source, out, today, format, workers=workers, part=part)
        if isinstance(rows, CaseReader):
            report.notes += rows.notes
            plan = replace(plan, builder=rows.builder)
        run = _Run(report, journal, plan, on_row)
        stack.push(run.discard_on_error)
        bar = _Progress(progress, rows.total if isinstance(rows, CaseReader) else None)
        stack.callback(bar.stop)
        run.advance = bar.advance
        if executor is None:
            run.in_process(rows)
        else:
            run.in_pool(rows, executor, workers)
    try:
        journal.checkpoint()  # the outputs are durable before the journal that names them is rewritten
        journal.compact()
        report.rows.sort(key=_row_order)
        report.seconds = time.perf_counter() - started
        now = os.times()
        report.main_cpu_seconds = now.user + now.system - cpu.user - cpu.system
        report.cpu_seconds = report.main_cpu_seconds + now.children_user + now.children_system
        report.cpu_seconds -= cpu.children_user + cpu.children_system
        own = peak_rss_mb()
        report.peak_rss_mb = max([own, *run.peaks.values()])
        report.peak_tree_mb = max(memory.peak_mb, reading_mb, own)
        if run.stopped is not None:
            report.notes.append(f"stopped early: {run.stopped}")
        write_reports(report, run.finish_book())
    finally:
        run.book.discard()
    counts = report.counts
    log.info(
        "batch rows=%d done=%d skipped=%d problem=%d failed=%d written=%d seconds=%.1f workers=%d",
        len(report.rows), counts["done"], counts["skipped"], counts["problem"], counts["failed"], report.written,
        report.seconds, report.workers,
    )  # fmt: skip
    if run.stopped is not None:
        raise run.stopped
    return report


class _Run:
    """The reading side of one batch: rows sent out in order, outcomes journaled and reported as they come back."""

    def __init__(
        self, report: BatchReport, journal: Journal, plan: Plan, on_row: Callable[[RowReport], None] | None
    ) -> None:
        self.report = report
        self.journal = journal
        self.plan = plan
        self.on_row = on_row
        self.seen: dict[str, int] = {}
        self.stems: dict[str, tuple[str, int]] = {}
        self.peaks: dict[int, float] = {}
        """Each worker's peak memory in MB, by process ID."""
        self.unsynced = 0
        self.stopped: InputError | None = None
        self.advance: Callable[[], None] = lambda: None
        self.book = ReportBook(report.out_dir)
        self.sent: deque[int] = deque()
        """Rows sent out and not yet in the report workbook, in the order they were read."""
        self.back: dict[int, list[RowReport]] = {}
        """Rows finished but not yet in the workbook, waiting for one read before them."""

    def items(self, rows: Iterable[CaseRow]) -> Iterator[Item]:
        """The rows to do, in order, each marked when its person ID, or the file names it makes, came before."""
        for item in self._items(rows):
            self.sent.append(item.row)
            yield item

    def _items(self, rows: Iterable[CaseRow]) -> Iterator[Item]:
        if isinstance(rows, CaseReader):
            builder = rows.builder
            for number, cells, formulas in rows.raw():
                person_id = builder.person_id(cells)
                first = self.seen.setdefault(person_id, number) if person_id is not None else number
                if first != number:
                    yield Item(number, cells, formulas, person_id, first=first)
                else:
                    yield Item(number, cells, formulas, person_id, taken=self._taken(person_id, number))
        else:
            for case in rows:
                yield Item(case.row, case, person_id=case.person_id, taken=self._taken(case.person_id, case.row))

    def _taken(self, person_id: str | None, row: int) -> int | None:
        if person_id is None:
            return None
        other, first = self.stems.setdefault(file_stem(person_id), (person_id, row))
        return first if other != person_id else None

    def take(self, outcome: Outcome) -> None:
        """A row done: journal its files, count them, and report the row."""
        row, results, up_to_date = outcome
        for result in results:
            if result.error is None:  # journalled by its writer already, before the rename
                self.journal.entries[result.file] = Written(result.key, result.size, result.mtime_ns, result.sha256)
                row.written += 1
                self.report.written += 1
                self.unsynced += 1
        if self.unsynced >= CHECKPOINT:
            self.journal.checkpoint()
            self.unsynced = 0
        self.report.up_to_date += up_to_date
        if row.status != "failed":
            if row.problems:
                row.status = "problem"
            elif self.plan.part is not None and row.forms and not row.files:
                row.status = "no part"
            elif row.written == 0:
                row.status = "skipped"
        self.report.rows.append(row)
        self.back.setdefault(row.row, []).append(row)
        while self.sent and self.sent[0] in self.back:
            self.book.add(self._pop(self.sent.popleft()))
        self.advance()
        if self.on_row is not None:
            self.on_row(row)

    def _pop(self, number: int) -> RowReport:
        waiting = self.back[number]
        row = waiting.pop(0)
        if not waiting:
            del self.back[number]
        return row

    def discard_on_error(self, kind: type[BaseException] | None, *_: object) -> None:
        """Delete the report rows written so far if the batch stops with an error."""
        if kind is not None:
            self.book.discard()

    def finish_book(self) -> ReportBook:
        """The report workbook with every row in it, rows that never came back (none should) last, in order."""
        for number in sorted(self.back):
            for row in self.back[number]:
                self.book.add(row)
        self.back.clear()
        self.sent.clear()
        return self.book

    def in_process(self, rows: Iterable[CaseRow]) -> None:
        try:
            for item in self.items(rows):
                self.take(do_row(self.plan, item, self.journal))
        except InputError as error:  # the file cannot be read further: keep what was done, then say so
            self.stopped = error

    def in_pool(self, rows: Iterable[CaseRow], executor: ProcessPoolExecutor, workers: int) -> None:
        """Rows sent to worker processes as they are read, a chunk at a time, a few chunks in flight per worker."""
        running: set[Future[tuple[list[Outcome], int, float]]] = set()

        def collect(block: bool) -> None:
            finished, _ = wait(running, return_when=FIRST_COMPLETED) if block else (
                {f for f in running if f.done()}, None
            )  # fmt: skip
            for future in finished:
                running.discard(future)
                try:
                    outcomes, pid, peak = future.result()
                except BrokenProcessPool as error:
                    raise RenderError(
                        f"a worker process stopped unexpectedly ({error}); run the batch again to carry on "
                        "where it stopped, or with one worker"
                    ) from error
                self.peaks[pid] = peak
                for outcome in outcomes:
                    self.take(outcome)

        try:
            chunk: list[Item] = []
            try:
                for item in self.items(rows):
                    chunk.append(item)
                    if len(chunk) == CHUNK:
                        running.add(executor.submit(_do_rows, chunk, self.plan.builder))
                        chunk = []
                        collect(block=len(running) >= 3 * workers)
            except InputError as error:  # the file cannot be read further: finish what was started
                self.stopped = error
            if chunk:
                running.add(executor.submit(_do_rows, chunk, self.plan.builder))
            while running:
                collect(block=True)
        except BaseException:
            executor.shutdown(wait=False, cancel_futures=True)
            raise
        executor.shutdown()


def _dated(pep: PEP, today: date) -> PEP:
    """The PEP as forms are chosen for it: with the run date standing in for a meeting not yet planned."""
    if pep.plan.meeting_date is not None:
        return pep
    return pep.model_copy(update={"plan": pep.plan.model_copy(update={"meeting_date": today})})


# --- the report files -----------------------------------------------------------------------


REPORT_COLUMNS = (
    ("Row", 6), ("Person ID", 14), ("Name", 24), ("Status", 10), ("Forms", 22), ("Reasons", 60),
    ("Files", 44), ("Problems", 80),
)  # fmt: skip


class ReportBook:
    """The batch report as an XLSX workbook, written a row at a time as rows finish (write-only: memory stays
    flat), then a summary sheet: a row per child, in the order the rows were read."""

    def __init__(self, folder: Path | None = None) -> None:
        from openpyxl.styles import Alignment
        from openpyxl.worksheet._writer import ALL_TEMP_FILES, WorksheetWriter

        from pepdocs._util.xlsx import frame, style_header, workbook

        self._book = workbook(write_only=True)
        self._sheet = self._book.create_sheet("Rows")
        frame(self._sheet, [width for _, width in REPORT_COLUMNS], 1)  # the filter's last row is set at the end
        if folder is not None:
            # The rows wait in the output folder, beside the forms they name, not in the system's temporary
            # folder; a run killed before the end leaves them as a .part file, which the next run deletes.
            rows = str(folder / f".{REPORT_XLSX}.rows.part")
            ALL_TEMP_FILES.append(rows)  # openpyxl deletes it once saved (and at exit)
            self._sheet._writer = WorksheetWriter(self._sheet, out=rows)
            self._sheet._writer.write_top()
        self._finished = False
        self._wrap = Alignment(wrap_text=True, vertical="top")
        self._sheet.append([style_header(self._cell(title)) for title, _ in REPORT_COLUMNS])
        self.rows = 1

    def _cell(self, value: Any = None) -> Any:
        from openpyxl.cell import WriteOnlyCell

        from pepdocs._util.xlsx import put

        return put(WriteOnlyCell(self._sheet), value)

    def add(self, row: RowReport) -> None:
        """A row's line."""
        values: list[Any] = [
            row.row,
            row.person_id or "",
            row.name,
            row.status,
            "\n".join(row.forms),
            "\n".join(row.reasons),
            "\n".join(row.files),
            "\n".join(problem.describe(row=False) for problem in row.problems),
        ]
        cells = [self._cell(value) for value in values]
        for cell in cells:
            cell.alignment = self._wrap
        self._sheet.append(cells)
        self.rows += 1

    def finish(self, report: BatchReport) -> bytes:
        """The workbook, with the summary of `report`."""
        import io

        from openpyxl.cell import WriteOnlyCell
        from openpyxl.utils import get_column_letter

        from pepdocs._util.xlsx import put

        self._sheet.auto_filter.ref = f"A1:{get_column_letter(len(REPORT_COLUMNS))}{self.rows}"
        summary = self._book.create_sheet("Summary")
        summary.column_dimensions["A"].width = 24
        summary.column_dimensions["B"].width = 80
        data = report.as_dict(rows=False)
        lines: list[tuple[str, Any]] = [("Note", VALUES_NOTE), ("Source", data["source"]),
                                        ("Run date", data["run_date"]), ("Format", data["format"]),
                                        ("pepdocs", data["pepdocs"])]  # fmt: skip
        lines += [(f"Rows {status}", count) for status, count in report.counts.items()]
        lines += [("Files written", report.written), ("Files up to date", report.up_to_date),
                  ("Seconds", data["seconds"]), ("ms per document", data["ms_per_document"]),
                  ("Workers", report.workers)]  # fmt: skip
        lines += [("Note", note) for note in report.notes]
        for label, value in lines:
            summary.append([put(WriteOnlyCell(summary), label), put(WriteOnlyCell(summary), value)])
        buffer = io.BytesIO()
        self._book.save(buffer)
        self._finished = True
        return buffer.getvalue()

    def discard(self) -> None:
        """Close and delete the rows written so far, unless the workbook was finished."""
        if not self._finished:
            self._finished = True
            self._sheet.close()
            self._sheet._writer.cleanup()


def report_xlsx(report: BatchReport) -> bytes:
    """The batch report as an XLSX workbook: a row per child, then a summary sheet."""
    book = ReportBook()
    for row in sorted(report.rows, key=_row_order):
        book.add(row)
    return book.finish(report)


def write_reports(report: BatchReport, book: ReportBook | None = None) -> None:
    """Write `batch-report.xlsx` and `batch-report.json` into the output folder, atomically (the XLSX from
    `book`, if its rows were written as they finished)."""
    write_atomically(
        report.out_dir / REPORT_JSON, (json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n").encode()
    )
    write_atomically(report.out_dir / REPORT_XLSX, book.finish(report) if book is not None else report_xlsx(report))
