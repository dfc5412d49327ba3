"""The HTTP service against the app itself: each call is the library's, errors are problem details without values."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import io
import json
import logging
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, get_args

import httpx2
import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate

import pepdocs
from pepdocs.service import Settings, create_app
from pepdocs.service._guard import Guard
from tests.conftest import ROOT, example

RECORD = json.loads((ROOT / "examples/kent-secondary.json").read_text(encoding="utf-8"))
MARKER = "Zebedee-Quillfeather-7Q"
"""A value that must never come back in an error, a log line or a header."""


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(Settings()))


@pytest.fixture(scope="module")
def kent_docx() -> bytes:
    return pepdocs.render(example("kent-secondary"), "kent")


def _problem(response: httpx2.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["type"]
    return body


def test_openapi_is_valid_openapi_3_and_describes_the_record_and_the_problems(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["version"] == pepdocs.__version__
    schemas = spec["components"]["schemas"]
    assert any(name.startswith("PEP") for name in schemas) and "Problem" in schemas
    assert {
        "/render",
        "/parse",
        "/convert",
        "/merge",
        "/check",
        "/qa",
        "/forms",
        "/forms/{form_id}",
        "/schema",
        "/healthz",
    } <= set(spec["paths"])
    assert "application/problem+json" in spec["paths"]["/parse"]["post"]["responses"]["422"]["content"]


def test_health_forms_and_schema(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "version": pepdocs.__version__, "auth": False}
    forms = client.get("/forms").json()
    assert [f["id"] for f in forms] == [f.id for f in pepdocs.list_forms()]
    assert [f["id"] for f in forms if f["home"]] == ["southwark-full"]
    kent = client.get("/forms/kent").json()
    assert [s["key"] for s in kent["sections"]] == [s.key for s in pepdocs.get_form("kent").sections]
    paths = {f["path"] for s in kent["sections"] for b in s["blocks"] for f in b["fields"]}
    assert paths == set(pepdocs.get_form("kent").paths)
    assert client.get("/schema").json() == pepdocs.schema()


def test_an_unknown_form_is_a_404_problem(client: TestClient) -> None:
    body = _problem(client.get("/forms/nope"), 404)
    assert body["type"] == "urn:pepdocs:problem:form-error" and "nope" in body["detail"]


@pytest.mark.parametrize("fmt", get_args(pepdocs.Format))
def test_render_gives_the_bytes_the_library_gives(client: TestClient, fmt: pepdocs.Format) -> None:
    response = client.post(f"/render?form=kent&format={fmt}&sections=B&audience=school", json=RECORD)
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == f'attachment; filename="kent.{fmt}"'
    expected = pepdocs.render(example("kent-secondary"), "kent", fmt, sections=["B"], audience="school")
    if fmt == "docx":
        assert response.content == expected
    else:  # a PDF carries its own creation stamp and id; what it holds is compared by reading it back
        assert pepdocs.parse(response.content).pep == pepdocs.parse(expected).pep


def test_render_gives_a_role_s_part_whatever_its_section_numbers(client: TestClient) -> None:
    for form in ("kent", "southwark-full"):
        response = client.post(f"/render?form={form}&part=school", json=RECORD)
        assert response.status_code == 200, response.text
        assert response.content == pepdocs.render(example("kent-secondary"), form, part="school")
        parsed = client.post("/parse", files={"file": ("part.docx", response.content)}).json()
        school = [s.key for s in pepdocs.get_form(form).sections if "school" in s.roles]
        assert parsed["sections"] == sorted(school) and [s["key"] for s in parsed["read"]] == school


def test_render_with_a_password_encrypts_and_the_password_is_never_logged(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="pepdocs"):
        response = client.post(f"/render?form=kent&format=pdf&password={MARKER}", json=RECORD)
    assert response.status_code == 200
    with pytest.raises(pepdocs.DocumentError):
        pepdocs.parse(response.content)
    assert pepdocs.parse(response.content, password=MARKER).pep.child == example("kent-secondary").child
    assert any("path=/render status=200" in r.getMessage() for r in caplog.records)
    assert MARKER not in caplog.text


def test_a_bad_record_is_a_problem_naming_each_path_and_no_value(client: TestClient) -> None:
    bad = json.loads(json.dumps(RECORD))
    bad["child"]["date_of_birth"] = MARKER
    bad["child"]["upn"] = "A12345678901X"
    bad["child"]["shoe_size"] = MARKER
    body = _problem(client.post("/render?form=kent&format=odt", json=bad), 422)
    assert body["type"] == "urn:pepdocs:problem:invalid-request"
    located = {e.get("path") or e.get("field") for e in body["errors"]}
    assert located == {"format", "$.child.date_of_birth", "$.child.upn", "$.child.shoe_size"}
    assert MARKER not in json.dumps(body) and "A12345678901X" not in json.dumps(body)


def test_a_body_that_is_no_json_is_a_problem(client: TestClient) -> None:
    body = _problem(
        client.post("/render?form=kent", content=b"{not json", headers={"content-type": "application/json"}), 422
    )
    assert body["errors"][0]["path"].startswith("$")


def test_an_unknown_form_or_policy_is_a_problem(client: TestClient) -> None:
    assert "unknown form 'x'" in _problem(client.post("/render?form=x", json=RECORD), 422)["detail"]
    body = _problem(client.post("/check?policy=../../etc/passwd", json=RECORD), 422)
    assert body["errors"][0]["field"] == "policy"
    assert "built-in policies" in _problem(client.post("/check?policy=atlantis", json=RECORD), 422)["detail"]


def test_an_argument_the_call_does_not_take_is_a_usage_problem(client: TestClient) -> None:
    body = _problem(client.post("/render?form=kent&sections=Z", json=RECORD), 422)
    assert body["type"] == "urn:pepdocs:problem:usage-error" and "no section 'Z'" in body["detail"]
    body = _problem(client.post("/render?form=kent&format=docx&flatten=true", json=RECORD), 422)
    assert body["type"] == "urn:pepdocs:problem:usage-error" and "PDF" in body["detail"]


def test_parse_reads_the_form_section_by_section_in_its_own_words(client: TestClient, kent_docx: bytes) -> None:
    response = client.post("/parse", files={"file": ("returned kent.docx", kent_docx)})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["file"], body["form"], body["form_title"], body["format"]) == (
        "returned kent.docx",
        "kent",
        "Kent PEP",
        "docx",
    )
    assert body["record"] == json.loads(pepdocs.parse(kent_docx).pep.to_json())
    assert [s["key"] for s in body["read"]] == [s.key for s in pepdocs.get_form("kent").sections]
    child = next(b for b in body["read"][0]["blocks"] if b["heading"] == "The child")
    assert {a["label"]: a["text"] for a in child["answers"]}["Legal surname"] == RECORD["child"]["last_name"]
    targets = [b for s in body["read"] for b in s["blocks"] if b["path"] == "$.targets"]
    assert targets and targets[0]["rows"][0][0] == RECORD["targets"][0]["description"]
    assert len(targets[0]["rows"]) == len(RECORD["targets"])
    people = next(b for b in body["read"][0]["blocks"] if b["heading"] == "Professionals")
    assert people["columns"][:2] == ["", "Name"] and people["rows"][0][:2] == [
        "Social worker",
        RECORD["people"]["social_worker"]["name"],
    ]
    assert body["warnings"] == [] and body["unmapped"] == []


def _with_text_replaced(docx: bytes, old: str, new: str) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/document.xml":
                assert old.encode() in data
                data = data.replace(old.encode(), new.encode())  # the name band and the section alike
            target.writestr(item, data)
    return out.getvalue()


def test_parse_names_every_warning_and_keeps_what_has_no_place(client: TestClient, kent_docx: bytes) -> None:
    born = dt.date.fromisoformat(RECORD["child"]["date_of_birth"])
    returned = _with_text_replaced(kent_docx, born.strftime("%d/%m/%Y"), f"31/02/{born.year}")
    body = client.post("/parse", files={"file": ("k.docx", returned)}).json()
    assert [w["path"] for w in body["warnings"]] == ["$.child.date_of_birth"]
    assert body["unmapped"] == [
        {"label": "Date of birth", "text": f"31/02/{born.year}", "path": "$.child.date_of_birth", "where": ""}
    ]
    assert "date_of_birth" not in body["record"]["child"]


def test_a_file_that_is_no_form_is_a_problem_naming_the_upload(client: TestClient) -> None:
    body = _problem(client.post("/parse", files={"file": ("C:\\Users\\someone\\notes.docx", b"hello")}), 422)
    assert body["type"] == "urn:pepdocs:problem:document-error"
    assert body["file"] == "notes.docx" and body["detail"] == "notes.docx: not a DOCX or PDF file"
    body = _problem(
        client.post("/parse", files={"file": ("blank.docx", pepdocs.render(pepdocs.PEP(), "kent")[:500])}), 422
    )
    assert body["file"] == "blank.docx"


def test_convert_gives_the_target_form_the_record_and_the_report(client: TestClient, kent_docx: bytes) -> None:
    response = client.post("/convert?to=southwark-full", files={"file": ("kent.docx", kent_docx)})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["source_form"], body["target_form"], body["filename"]) == (
        "kent",
        "southwark-full",
        "kent-southwark-full.docx",
    )
    converted = pepdocs.convert(kent_docx, "southwark-full")
    document = base64.b64decode(body["document"])
    assert pepdocs.parse(document).form == "southwark-full"
    assert pepdocs.parse(document).pep == pepdocs.parse(converted.document).pep
    assert body["lines"] == converted.report.lines()
    assert {c["kind"] for c in body["changes"]} >= {"no-place", "left-empty"}


def test_merge_takes_the_returned_form_into_the_record_and_lists_conflicts(
    client: TestClient, kent_docx: bytes
) -> None:
    record = json.loads(json.dumps(RECORD))
    record["child"]["preferred_name"] = "Luke"
    del record["child"]["religion"]
    files = {"record": ("rec.json", json.dumps(record).encode()), "file": ("back.docx", kent_docx)}
    body = client.post("/merge?prefer=record", files=files).json()
    assert body["conflicts"] == [
        {"path": "$.child.preferred_name", "record": "Luke", "returned": RECORD["child"]["preferred_name"]}
    ]
    assert "$.child.religion" in body["taken"]
    assert (
        body["record"]["child"]["preferred_name"] == "Luke"
        and body["record"]["child"]["religion"] == RECORD["child"]["religion"]
    )
    returned = client.post("/merge?prefer=returned", files=files).json()
    assert returned["record"]["child"]["preferred_name"] == RECORD["child"]["preferred_name"]


def test_merge_with_a_bad_record_names_the_file_and_paths_not_values(client: TestClient, kent_docx: bytes) -> None:
    record = json.loads(json.dumps(RECORD))
    record["plan"]["meeting_date"] = MARKER
    body = _problem(
        client.post(
            "/merge", files={"record": ("rec.json", json.dumps(record).encode()), "file": ("b.docx", kent_docx)}
        ),
        422,
    )
    assert body["type"] == "urn:pepdocs:problem:model-error"
    assert body["errors"] == [{"path": "$.plan.meeting_date", "message": body["errors"][0]["message"]}]
    assert body["detail"].startswith("rec.json: ") and MARKER not in json.dumps(body)


def test_check_gives_the_library_s_findings_and_next_due(client: TestClient) -> None:
    record = json.loads(json.dumps(RECORD))
    record["targets"] = []
    pep = pepdocs.PEP.model_validate(record)
    assert pep.plan.meeting_date is not None
    day = pep.plan.meeting_date - dt.timedelta(days=40)
    body = client.post(f"/check?policy=kent&on={day}", json=record).json()
    findings = pepdocs.check(pep, policy="kent", on=day)
    assert findings and [f["rule"] for f in body["findings"]] == [f.rule for f in findings]
    assert body["errors"] == sum(f.severity == "error" for f in findings)
    assert body["next_due"]["date"] == str(pepdocs.next_due(pep, policy="kent", on=day).date)


def test_qa_gives_the_library_s_ratings(client: TestClient) -> None:
    body = client.post("/qa?policy=dfe&on=2026-11-30", json=RECORD).json()
    report = pepdocs.qa(example("kent-secondary"), policy="dfe", on=dt.date(2026, 11, 30))
    assert (body["rating"], body["reason"], body["source"]) == (report.rating, report.reason, report.source)
    assert [(a["area"], a["rating"], a["reason"]) for a in body["areas"]] == [
        (a.area, a.rating, a.reason) for a in report.areas
    ]


def test_api_keys_guard_every_call_but_the_page_and_health() -> None:
    client = TestClient(create_app(Settings(api_keys=frozenset({"k-one", "k-two"}))))
    body = _problem(client.get("/forms"), 401)
    assert client.get("/forms").headers["www-authenticate"].startswith("Bearer")
    assert "key" in body["detail"]
    _problem(client.get("/forms", headers={"Authorization": "Bearer wrong"}), 401)
    assert client.get("/forms", headers={"Authorization": "Bearer k-two"}).status_code == 200
    assert client.get("/forms", headers={"X-API-Key": "k-one"}).status_code == 200
    assert client.get("/healthz").json()["auth"] is True
    assert client.get("/").status_code == 200 and client.get("/static/page.js").status_code == 200
    assert client.get("/openapi.json").status_code == 200


def test_an_upload_over_the_limit_is_refused_whether_or_not_it_says_its_length(kent_docx: bytes) -> None:
    client = TestClient(create_app(Settings(max_upload=30_000)))
    body = _problem(client.post("/parse", files={"file": ("big.docx", kent_docx)}), 413)
    assert "at most" in body["detail"]

    def chunks() -> Any:
        for start in range(0, len(kent_docx), 4096):
            yield kent_docx[start : start + 4096]

    _problem(client.post("/render?form=kent", content=chunks(), headers={"content-type": "application/json"}), 413)
    assert client.post("/render?form=kent", json=RECORD).status_code == 200  # the record is within it


def test_calls_past_the_concurrency_limit_wait_then_get_503() -> None:
    entered, release = asyncio.Event(), asyncio.Event()

    async def slow(scope: Any, receive: Any, send: Any) -> None:
        if scope["path"] == "/parse":
            entered.set()
            await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"done"})

    async def run() -> tuple[int, int, int]:
        guard = Guard(slow, Settings(concurrency=1, queue_seconds=0.2))
        async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=guard), base_url="http://service") as client:
            first = asyncio.create_task(client.post("/parse"))
            await entered.wait()
            second = await client.post("/parse")
            light = await client.get("/healthz")  # not a document call: it never waits for a slot
            release.set()
            return (await first).status_code, second.status_code, light.status_code

    first, second, light = asyncio.run(run())
    assert (first, second, light) == (200, 503, 200)


def test_responses_carry_security_headers_and_are_not_cached(client: TestClient) -> None:
    headers = client.get("/forms").headers
    assert headers["cache-control"] == "no-store" and headers["x-content-type-options"] == "nosniff"
    assert "default-src 'self'" in headers["content-security-policy"]


def test_no_log_line_carries_a_value_or_a_body(
    client: TestClient, kent_docx: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    record = json.loads(json.dumps(RECORD))
    record["child"]["preferred_name"] = MARKER
    with caplog.at_level(logging.DEBUG):
        docx = client.post("/render?form=kent", json=record).content
        client.post("/parse", files={"file": ("k.docx", docx)})
        client.post("/convert", files={"file": ("k.docx", docx)})
        client.post("/render?form=kent", json={"child": {"upn": MARKER}})
    assert MARKER not in caplog.text
    lines = [r.getMessage() for r in caplog.records if r.name == "pepdocs.service"]
    assert len(lines) == 4 and all(
        re.fullmatch(r"request method=POST path=/\w+ status=\d+ bytes_out=\d+ ms=\d+", line) for line in lines
    )


class _Labels(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.controls: list[str] = []
        self.labelled: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in ("input", "select", "textarea"):
            self.controls.append(found.get("id") or "")
        if tag == "label" and found.get("for"):
            self.labelled.add(found["for"] or "")
        for name in ("src", "href"):
            if found.get(name):
                self.links.append(found[name] or "")


def test_the_page_labels_every_control_and_loads_nothing_from_elsewhere(client: TestClient) -> None:
    html = client.get("/").text
    page = _Labels()
    page.feed(html)
    assert page.controls and all(control in page.labelled for control in page.controls)
    assert all(link.startswith(("/", "#")) for link in page.links)
    static = Path(pepdocs.__file__).parent / "service" / "static"
    for name in ("index.html", "page.css", "page.js"):
        text = (static / name).read_text(encoding="utf-8")
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", text), f"{name} loads something from elsewhere"
        assert client.get(f"/static/{name}").status_code == 200
    assert "innerHTML" not in (static / "page.js").read_text(encoding="utf-8")


@settings(max_examples=15, deadline=None)
@given(data=st.binary(max_size=2048))
def test_any_bytes_uploaded_are_read_or_refused_with_a_problem(client: TestClient, data: bytes) -> None:
    response = client.post("/parse", files={"file": ("upload.docx", data)})
    assert response.status_code in (200, 422), response.text
    if response.status_code == 422:
        assert response.json()["type"].startswith("urn:pepdocs:problem:")


@pytest.mark.parametrize("fmt", get_args(pepdocs.Format))
def test_a_truncated_form_is_a_problem_naming_the_upload(client: TestClient, fmt: pepdocs.Format) -> None:
    whole = pepdocs.render(example("kent-secondary"), "kent", fmt)
    for cut in (len(whole) // 3, len(whole) // 2, len(whole) - 100):
        response = client.post("/parse", files={"file": (f"cut.{fmt}", whole[:cut])})
        if response.status_code != 200:  # a PDF cut near its end may still be read: that is no error
            body = _problem(response, 422)
            assert body["file"] == f"cut.{fmt}" and body["type"].startswith("urn:pepdocs:problem:")


def test_an_unexpected_failure_is_a_500_problem_and_the_log_names_only_its_kind(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> None:
        raise RuntimeError(f"a message quoting a value: {MARKER}")

    monkeypatch.setattr(pepdocs, "schema", broken)
    with caplog.at_level(logging.DEBUG):
        response = TestClient(create_app(Settings())).get("/schema")
    body = _problem(response, 500)
    assert MARKER not in response.text and MARKER not in caplog.text
    assert "failed method=GET path=/schema error=RuntimeError" in caplog.text and "Traceback" not in caplog.text
    assert body["title"] == "Internal Server Error"
