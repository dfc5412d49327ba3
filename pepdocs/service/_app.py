"""The HTTP API and the page for returned forms: a thin skin over the public `pepdocs` API."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import re
from importlib.resources import files
from typing import Annotated, Any, Literal

from fastapi import Body, FastAPI, File, Query, Request, UploadFile
from fastapi import Form as FormField
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from starlette.exceptions import HTTPException

import pepdocs
from pepdocs.service._guard import Guard, Settings, problem

MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
POLICY_NAME = r"^[A-Za-z][A-Za-z0-9_-]{0,63}$"
"""A built-in policy's name: never a path, so a caller cannot make the server read a file."""

_plain = TypeAdapter(Any)


class Problem(BaseModel):
    """An error as RFC 9457 problem details; `errors` locate each problem by model path or field, never by value."""

    type: str
    title: str
    status: int
    detail: str = ""
    instance: str = ""
    file: str | None = None
    errors: list[dict[str, str]] = Field(default_factory=list)


class SectionSummary(BaseModel):
    key: str
    title: str
    filled_by: str


class FormSummary(BaseModel):
    """A form the service renders and reads."""

    id: str
    title: str
    short_title: str
    authority: str
    authority_la: str
    version: str
    formats: list[str]
    review_cycle: str
    home: bool = Field(description="Whether this is the home authority's form the page offers first")
    sections: list[SectionSummary]


class FieldInfo(BaseModel):
    label: str
    path: str
    sensitive: bool


class BlockInfo(BaseModel):
    kind: str
    heading: str
    path: str
    fields: list[FieldInfo]


class SectionInfo(SectionSummary):
    blocks: list[BlockInfo]


class FormDetail(FormSummary):
    """A form with every block and field, as model paths."""

    intro: str
    sections: list[SectionInfo]  # type: ignore[assignment]


class Note(BaseModel):
    """A warning about one answer, located by model path."""

    message: str
    path: str


class Kept(BaseModel):
    """Something the document held that has no place on the form or in the model; never dropped."""

    label: str
    text: str
    path: str
    where: str


class Answer(BaseModel):
    label: str
    path: str
    text: str


class BlockRead(BaseModel):
    """What was read from one part of a section: answers by their labels, or a table's rows as written."""

    heading: str
    path: str
    answers: list[Answer]
    columns: list[str]
    rows: list[list[str]]


class SectionRead(BaseModel):
    """What was read from one section, in the form's own words."""

    key: str
    title: str
    blocks: list[BlockRead]


class ParseResult(BaseModel):
    """A completed form read back."""

    file: str
    form: str
    form_title: str
    authority: str
    format: str
    sections: list[str] | None = Field(description="The sections the document holds; null for the whole form")
    record: dict[str, Any] = Field(description="The PEP record (its JSON Schema is at GET /schema)")
    warnings: list[Note]
    unmapped: list[Kept]
    read: list[SectionRead]


class Change(BaseModel):
    kind: str
    path: str
    label: str
    source: str
    target: str
    note: str


class ConvertResult(BaseModel):
    """A completed form turned into another authority's form."""

    source_form: str
    target_form: str
    filename: str
    media_type: str
    document: str = Field(description="The target form's bytes, base64-encoded")
    record: dict[str, Any]
    changes: list[Change]
    lines: list[str] = Field(description="The report as a person reads it")


class Conflict(BaseModel):
    path: str
    record: Any
    returned: Any


class MergeResult(BaseModel):
    """A returned form taken into a record."""

    form: str
    prefer: str
    record: dict[str, Any]
    conflicts: list[Conflict]
    taken: list[str]
    warnings: list[Note]
    unmapped: list[Kept]


class FindingOut(BaseModel):
    rule: str
    severity: str
    message: str
    path: str
    source: str


class DueOut(BaseModel):
    date: dt.date | None
    reason: str
    rule: str
    source: str


class CheckResult(BaseModel):
    """A record checked against an authority's policy."""

    policy: str
    on: dt.date
    errors: int
    findings: list[FindingOut]
    next_due: DueOut


class AreaOut(BaseModel):
    area: str
    title: str
    rating: Literal["red", "amber", "green"]
    reason: str
    source: str


class QaResult(BaseModel):
    """A record rated red, amber or green, area by area, as a virtual school's quality assurance does."""

    policy: str
    on: dt.date
    rating: Literal["red", "amber", "green"]
    reason: str
    areas: list[AreaOut]
    source: str = Field(description="Where the criteria come from")


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    auth: bool = Field(description="Whether API calls need a key")


def _record(pep: pepdocs.PEP) -> dict[str, Any]:
    return json.loads(pep.to_json())  # type: ignore[no-any-return]


def _summary(form: pepdocs.Form, home: str) -> dict[str, Any]:
    return {
        "id": form.id, "title": form.title, "short_title": form.short_title or form.title, "authority": form.authority,
        "authority_la": form.authority_la, "version": form.version, "formats": list(form.formats),
        "review_cycle": form.review_cycle, "home": form.id == home,
        "sections": [{"key": s.key, "title": s.title, "filled_by": s.filled_by} for s in form.sections],
    }  # fmt: skip


def _detail(form: pepdocs.Form, home: str) -> dict[str, Any]:
    sections = []
    for section in form.sections:
        blocks = []
        for block in section.blocks:
            cells = [*block.cells(), *(block.columns if block.kind == "table" else ())]
            fields = [{"label": f.label, "path": f.path, "sensitive": f.sensitive} for f in cells if not f.derived]
            blocks.append({"kind": block.kind, "heading": block.heading, "path": block.path, "fields": fields})
        sections.append({"key": section.key, "title": section.title, "filled_by": section.filled_by, "blocks": blocks})
    return {**_summary(form, home), "intro": form.intro, "sections": sections}


def _read_block(block: Any, texts: dict[str, str]) -> dict[str, Any] | None:
    """What was read from one block of a form, or None when nothing was."""
    answers: list[dict[str, str]] = []
    columns: list[str] = []
    rows: list[list[str]] = []
    if block.kind == "grid":  # fixed rows by columns: a table with the rows' own labels
        width = block.pairs
        columns = ["", *(f.label for f in block.columns[:width])]
        for i, label in enumerate(block.row_labels):
            row = [texts.get(f"$.{f.path}", "") for f in block.columns[i * width : (i + 1) * width]]
            if any(row):
                rows.append([label, *row])
    else:
        for f in block.cells():
            text = texts.get(f"$.{f.path}")
            if text is not None and not f.derived:
                answers.append({"label": f.label, "path": f"$.{f.path}", "text": text})
    if block.kind == "table":
        names = [c.path.split("[].", 1)[1] for c in block.columns]
        columns = [c.label for c in block.columns]
        for index in range(len(texts)):
            row = [texts.get(f"$.{block.path}[{index}].{name}", "") for name in names]
            if not any(row):
                break
            rows.append(row)
    if not answers and not rows:
        return None
    return {
        "heading": block.heading,
        "path": f"$.{block.path}" if block.path else "",
        "answers": answers,
        "columns": columns,
        "rows": rows,
    }


def _read(parsed: pepdocs.Parsed) -> list[dict[str, Any]]:
    """What was read from each section, block by block, labelled as the form labels it, as it was written."""
    form = pepdocs.get_form(parsed.form)
    out = []
    for section in form.sections:
        if parsed.sections is None or section.key in parsed.sections:
            blocks = [b for b in (_read_block(block, parsed.texts) for block in section.blocks) if b is not None]
            out.append({"key": section.key, "title": section.title, "blocks": blocks})
    return out


def _notes(parsed: pepdocs.Parsed) -> dict[str, Any]:
    return {
        "warnings": [{"message": w.message, "path": w.path} for w in parsed.warnings],
        "unmapped": [dataclasses.asdict(u) for u in parsed.unmapped],
    }


def _located(issue: pepdocs.Issue) -> dict[str, Any]:
    """An issue as its message and every place it names (path, form field, spreadsheet column and row)."""
    places = {"path": issue.path or "$", "field": issue.field, "column": issue.column, "row": issue.row}
    return {"message": issue.message} | {name: place for name, place in places.items() if place not in ("", None)}


def _upload_name(upload: UploadFile) -> str:
    """The uploaded file's own name, without any folder a browser sent, as error messages name it."""
    name = re.split(r"[\\/]", upload.filename or "")[-1].strip()
    return name[:200] or "upload"


async def _bytes(upload: UploadFile) -> bytes:
    return await upload.read()


def _renamed(error: pepdocs.PepdocsError, name: str) -> pepdocs.PepdocsError:
    """The error naming the upload instead of `<bytes>`, which is all the library is given."""
    if isinstance(error, pepdocs.DocumentError) and error.file in ("", "<bytes>"):
        error.file = name
        text = str(error)
        error.args = (f"{name}: {text.removeprefix('<bytes>: ')}" if not text.startswith(name) else text,)
    return error


def _parse(data: bytes, name: str, form: str | None, password: str | None) -> pepdocs.Parsed:
    try:
        return pepdocs.parse(data, form=form, password=password or None, isolated=True)
    except pepdocs.PepdocsError as error:
        raise _renamed(error, name) from None


def _validation_problems(error: ValidationError | RequestValidationError, where: str = "") -> list[dict[str, str]]:
    """Each validation problem as a model path (body) or a parameter name, with a message that holds no value."""
    out = []
    for item in error.errors():
        loc = tuple(item.get("loc", ()))
        message = str(item.get("msg", "invalid")).removeprefix("Value error, ")
        if item.get("type") == "extra_forbidden":
            message = "not a PEP field"
        if (loc and loc[0] == "body") or where:
            path = "$"
            for part in loc[1:] if not where else loc:
                path += f"[{part}]" if isinstance(part, int) else f".{part}"
            out.append({"path": path, "message": message} | ({"field": where} if where else {}))
        else:
            out.append(
                {
                    "field": ".".join(str(p) for p in loc[1:]) or str(loc[0] if loc else ""),
                    "in": str(loc[0] if loc else ""),
                    "message": message,
                }
            )
    return out


def create_app(settings: Settings | None = None) -> FastAPI:
    """The service: the JSON and document API, `/openapi.json`, and the page for returned forms at `/`."""
    settings = settings or Settings.from_env()
    home = pepdocs.get_form(settings.home_form).id  # an unknown home form is a FormError now, not on first use
    app = FastAPI(
        title="pepdocs",
        version=pepdocs.__version__,
        summary="Personal Education Plans for children in care: every authority's form, rendered and read back.",
        description=(
            "Render a PEP record onto an authority's form, read completed forms back, convert between authorities' "
            "forms, merge a returned form into a record, and check a record against a policy. Errors are RFC 9457 "
            "problem details naming the field or model path, never a value. When the server has API keys, send one "
            "as `Authorization: Bearer KEY` or `X-API-Key: KEY`."
        ),
        license_info={"name": "MIT", "identifier": "MIT"},
        docs_url=None,  # the interactive docs load scripts from a CDN; the page must work offline
        redoc_url=None,
    )

    @app.exception_handler(pepdocs.PepdocsError)
    async def library_error(request: Request, error: pepdocs.PepdocsError) -> Response:
        kind = re.sub(r"(?<!^)(?=[A-Z])", "-", type(error).__name__).lower()
        status = 404 if isinstance(error, pepdocs.FormError) and request.url.path.startswith("/forms/") else 422
        issues = [_located(issue) for issue in getattr(error, "issues", [])]
        if isinstance(error, pepdocs.FieldValueError):
            issues.append({"path": error.path or "$", "field": error.field, "message": "the form value cannot be read"})
        file = getattr(error, "file", None) or None
        return problem(
            status,
            f"urn:pepdocs:problem:{kind}",
            _TITLES.get(kind, "The request cannot be done"),
            str(error),
            request.url.path,
            file=file,
            errors=issues,
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        errors = _validation_problems(error)
        named = ", ".join(e.get("path") or e.get("field", "") for e in errors[:5])
        return problem(
            422,
            "urn:pepdocs:problem:invalid-request",
            "The request is not valid",
            f"{len(errors)} problem{'s' if len(errors) != 1 else ''}: {named}",
            request.url.path,
            errors=errors,
        )

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        return problem(error.status_code, "about:blank", str(error.detail), "", request.url.path, headers=error.headers)

    errors: dict[int | str, dict[str, Any]] = {
        code: {"model": Problem, "content": {"application/problem+json": {}}, "description": text}
        for code, text in ((401, "No API key or an unknown one"), (413, "The upload is too large"),
                           (422, "Bad input, named by field or model path"), (503, "Too busy; try again"))
    }  # fmt: skip

    @app.get("/healthz", response_model=Health, tags=["service"])
    def healthz() -> dict[str, Any]:
        """Whether the service is up, its version, and whether calls need an API key."""
        return {"status": "ok", "version": pepdocs.__version__, "auth": bool(settings.api_keys)}

    @app.get("/forms", response_model=list[FormSummary], tags=["forms"], responses=errors)
    def forms() -> list[dict[str, Any]]:
        """The forms the service renders and reads, with their sections."""
        return [_summary(form, home) for form in pepdocs.list_forms()]

    @app.get(
        "/forms/{form_id}",
        response_model=FormDetail,
        tags=["forms"],
        responses={**errors, 404: errors[422] | {"description": "No such form"}},
    )
    def form_detail(form_id: str) -> dict[str, Any]:
        """One form: its sections, blocks and fields, each with the model path it fills."""
        return _detail(pepdocs.get_form(form_id), home)

    @app.get("/schema", tags=["forms"], responses=errors)
    def record_schema() -> dict[str, Any]:
        """The JSON Schema of a PEP record."""
        return pepdocs.schema()

    @app.post(
        "/render",
        tags=["documents"],
        responses={
            **errors,
            200: {
                "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in MEDIA_TYPES.values()},
                "description": "The filled form",
            },
        },
        response_class=Response,
    )
    def render(
        pep: Annotated[pepdocs.PEP, Body(description="The PEP record")],
        form: Annotated[str, Query(description="Form id (GET /forms)")],
        format: Annotated[pepdocs.Format, Query()] = "docx",
        sections: Annotated[str | None, Query(description="Only these sections, comma-separated, e.g. 3")] = None,
        part: Annotated[
            pepdocs.Part | None, Query(description="Only the sections this role completes, e.g. school")
        ] = None,
        audience: Annotated[
            pepdocs.Audience,
            Query(description="school and child copies leave out every sensitive field"),
        ] = "record",
        flatten: Annotated[bool, Query(description="PDF only: answers drawn in, no fillable field left")] = False,
        password: Annotated[
            str | None, Query(description="PDF only: encrypt with AES-256 (kept out of the server's logs)")
        ] = None,
    ) -> Response:
        """A form filled in from a PEP record, as DOCX or PDF bytes."""
        keys = [key.strip() for key in sections.split(",") if key.strip()] if sections else None
        data = pepdocs.render(
            pep, form, format, sections=keys, part=part, audience=audience, flatten=flatten, password=password or None
        )
        chosen = pepdocs.get_form(form)
        return Response(
            data,
            media_type=MEDIA_TYPES[format],
            headers={"Content-Disposition": f'attachment; filename="{chosen.id}.{format}"'},
        )

    @app.post("/parse", response_model=ParseResult, tags=["documents"], responses=errors)
    async def parse(
        file: Annotated[UploadFile, File(description="A completed form, DOCX or PDF")],
        form: Annotated[str | None, FormField(description="Form id, when the document does not say")] = None,
        password: Annotated[str | None, FormField(description="Opens an encrypted PDF")] = None,
    ) -> dict[str, Any]:
        """A completed form read back into a PEP record, in a child process with time and memory limits."""
        name, data = _upload_name(file), await _bytes(file)
        parsed = await _in_thread(_parse, data, name, form or None, password)
        chosen = pepdocs.get_form(parsed.form)
        return {
            "file": name, "form": parsed.form, "form_title": chosen.short_title or chosen.title,
            "authority": chosen.authority, "format": parsed.format, "sections": parsed.sections,
            "record": _record(parsed.pep), **_notes(parsed), "read": _read(parsed),
        }  # fmt: skip

    @app.post("/convert", response_model=ConvertResult, tags=["documents"], responses=errors)
    async def convert(
        file: Annotated[UploadFile, File(description="A completed form, DOCX or PDF")],
        to: Annotated[str | None, Query(description="Target form id; default the home authority's form")] = None,
        format: Annotated[pepdocs.Format, Query()] = "docx",
        form: Annotated[str | None, Query(description="Source form id, when the document does not say")] = None,
    ) -> dict[str, Any]:
        """Another authority's completed form as the target form, with the record and a field-by-field report."""
        name, data = _upload_name(file), await _bytes(file)
        target = pepdocs.get_form(to or home)

        def job() -> pepdocs.Converted:
            try:
                return pepdocs.convert(data, target, format, form=form or None, isolated=True)
            except pepdocs.PepdocsError as error:
                raise _renamed(error, name) from None

        converted = await _in_thread(job)
        report = converted.report
        stem = re.sub(r"\.(docx|pdf)$", "", name, flags=re.IGNORECASE)
        return {
            "source_form": report.source_form, "target_form": report.target_form,
            "filename": f"{stem}-{target.id}.{format}", "media_type": MEDIA_TYPES[format],
            "document": base64.b64encode(converted.document).decode("ascii"), "record": _record(converted.pep),
            "changes": [dataclasses.asdict(c) for c in report.changes], "lines": report.lines(),
        }  # fmt: skip

    @app.post("/merge", response_model=MergeResult, tags=["documents"], responses=errors)
    async def merge(
        record: Annotated[UploadFile, File(description="The PEP record the form was sent from (JSON)")],
        file: Annotated[UploadFile, File(description="The returned form, DOCX or PDF")],
        prefer: Annotated[pepdocs.Prefer, Query(description="Whose value wins where they differ")] = "record",
        password: Annotated[str | None, FormField(description="Opens an encrypted PDF")] = None,
        allow_unidentified: Annotated[
            bool, Query(description="Take in a form that does not say which child it is about")
        ] = False,
    ) -> dict[str, Any]:
        """A returned form (the school's part, say) taken into a record; every conflict listed.

        A form about another child is refused (422, identity-error), naming the items that differ.
        """
        record_name, name = _upload_name(record), _upload_name(file)
        try:
            pep = pepdocs.PEP.model_validate_json(await _bytes(record))
        except ValidationError as error:
            problems = _validation_problems(error, where=record_name)
            raise pepdocs.ModelError([pepdocs.Issue(p["message"], p["path"]) for p in problems], record_name) from None
        parsed = await _in_thread(_parse, await _bytes(file), name, None, password)
        merged = pepdocs.merge(pep, parsed, prefer=prefer, allow_unidentified=allow_unidentified)
        conflicts = [
            {
                "path": c.path,
                "record": _plain.dump_python(c.record, mode="json"),
                "returned": _plain.dump_python(c.returned, mode="json"),
            }
            for c in merged.conflicts
        ]
        return {
            "form": parsed.form,
            "prefer": prefer,
            "record": _record(merged.pep),
            "conflicts": conflicts,
            "taken": merged.taken,
            **_notes(parsed),
        }

    @app.post("/check", response_model=CheckResult, tags=["records"], responses=errors)
    def check(
        pep: Annotated[pepdocs.PEP, Body(description="The PEP record")],
        policy: Annotated[
            str,
            Query(
                pattern=POLICY_NAME, description="A built-in policy: dfe (the national default), southwark, kent, ..."
            ),
        ] = "dfe",
        on: Annotated[dt.date | None, Query(description="Judge as on this day; default today")] = None,
    ) -> dict[str, Any]:
        """A record checked against an authority's rules: every finding, and when the next PEP is due."""
        day = on or dt.date.today()
        chosen = pepdocs.load_policy(policy)
        findings = pepdocs.check(pep, policy=chosen, on=day)
        due = pepdocs.next_due(pep, policy=chosen, on=day)
        return {
            "policy": policy, "on": day, "errors": sum(f.severity == "error" for f in findings),
            "findings": [dataclasses.asdict(f) for f in findings],
            "next_due": {"date": due.date, "reason": due.reason, "rule": due.rule, "source": due.source},
        }  # fmt: skip

    @app.post("/qa", response_model=QaResult, tags=["records"], responses=errors)
    def quality(
        pep: Annotated[pepdocs.PEP, Body(description="The PEP record")],
        policy: Annotated[
            str, Query(pattern=POLICY_NAME, description="A built-in policy whose [qa] criteria rate the record")
        ] = "dfe",
        on: Annotated[dt.date | None, Query(description="Judge as on this day; default today")] = None,
    ) -> dict[str, Any]:
        """A record rated red, amber or green, area by area, with the reason for each rating."""
        day = on or dt.date.today()
        report = pepdocs.qa(pep, policy=pepdocs.load_policy(policy), on=day)
        return {
            "policy": policy, "on": day, "rating": report.rating, "reason": report.reason,
            "areas": [dataclasses.asdict(area) for area in report.areas], "source": report.source,
        }  # fmt: skip

    static = files("pepdocs.service") / "static"
    page = (static / "index.html").read_text(encoding="utf-8")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> HTMLResponse:
        return HTMLResponse(page)

    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    app.add_middleware(Guard, settings=settings)
    return app


_TITLES = {
    "model-error": "The PEP record is not valid",
    "form-error": "No such form, or a form that does not hold together",
    "render-error": "The record cannot be drawn on that form",
    "document-error": "The file cannot be read as a completed form",
    "not-a-pep-form-error": "The file is no PEP form pepdocs knows",
    "template-version-error": "The form is newer than this pepdocs",
    "limit-error": "Reading the file went past the time or memory allowed",
    "field-value-error": "A form value cannot be read",
    "input-error": "Bad input",
    "usage-error": "An argument the call does not take",
}


async def _in_thread(job: Any, *args: Any) -> Any:
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(job, *args)
