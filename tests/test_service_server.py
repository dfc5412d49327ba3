"""`pepdocs serve` as a real uvicorn process on a loopback port: the same calls over real HTTP."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx2
import pytest

import pepdocs
from tests._server import serving
from tests.conftest import ROOT, example

pytestmark = pytest.mark.server

RECORD = json.loads((ROOT / "examples/kent-secondary.json").read_text(encoding="utf-8"))
SECRET = "Pw-Unlikely-4417"


def test_the_server_renders_parses_and_logs_no_value_or_password() -> None:
    with serving(keys="key-a,key-b") as server, httpx2.Client(base_url=server.url, timeout=60) as client:
        assert client.get("/").status_code == 200 and "Returned PEP forms" in client.get("/").text
        assert client.get("/forms").status_code == 401
        auth = {"Authorization": "Bearer key-b"}
        pdf = client.post(f"/render?form=kent&format=pdf&password={SECRET}", json=RECORD, headers=auth)
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        docx = client.post("/render?form=kent", json=RECORD, headers=auth).content
        parsed = client.post("/parse", files={"file": ("back.docx", docx)}, headers=auth).json()
        assert (
            parsed["form"] == "kent"
            and parsed["record"]["child"] == json.loads(example("kent-secondary").to_json())["child"]
        )
        bad = client.post("/parse", files={"file": ("x.pdf", b"%PDF-1.7 nothing else")}, headers=auth)
        assert bad.status_code == 422 and bad.json()["file"] == "x.pdf"
    log = server.log_text()
    assert "request method=POST path=/parse status=200" in log
    assert SECRET not in log and RECORD["child"]["last_name"] not in log and "key-b" not in log


def test_the_server_will_not_listen_beyond_this_machine_without_api_keys() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pepdocs", "serve", "--host", "0.0.0.0", "--port", "9"],
        capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin", "PEPDOCS_API_KEYS": ""},
    )  # fmt: skip
    assert result.returncode != 0
    assert "PEPDOCS_API_KEYS" in result.stderr and "Traceback" not in result.stderr


def test_an_unknown_home_form_stops_the_server_at_start() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pepdocs", "serve", "--home", "atlantis"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0 and "unknown form 'atlantis'" in result.stderr and "Traceback" not in result.stderr


def test_convert_to_a_pdf_over_http_without_keys_on_loopback() -> None:
    with serving() as server, httpx2.Client(base_url=server.url, timeout=60) as client:
        converted = client.post(
            "/convert?to=southwark-full&format=pdf",
            files={"file": ("k.docx", pepdocs.render(example("kent-secondary"), "kent"))},
        )
        assert converted.status_code == 200, converted.text
        assert converted.json()["filename"] == "k-southwark-full.pdf"
