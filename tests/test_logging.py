"""pepdocs logs events and counts under "pepdocs", and never a value, a file name or a child's name."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
from pathlib import Path

import pytest

import pepdocs
from pepdocs._util.isolate import isolated
from tests.conftest import ROOT, example

NAME = "Quillon-Zebedee"
"""An invented name in every name field, and in the file name: it must appear in no log line."""


def test_events_and_counts_are_logged_without_values(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    data = json.loads((ROOT / "examples/kent-secondary.json").read_text(encoding="utf-8"))
    data["child"]["first_name"] = data["child"]["preferred_name"] = NAME
    pep = pepdocs.PEP.model_validate(data)
    file = tmp_path / f"{NAME}.docx"
    with caplog.at_level(logging.DEBUG, logger="pepdocs"):
        file.write_bytes(pepdocs.render(pep, "kent"))
        parsed = pepdocs.parse(file, isolated=True)
        pepdocs.convert(file, "southwark-full")
        pepdocs.merge(pep, parsed)
        pepdocs.check(pep, policy="kent", on=dt.date(2025, 10, 1))
        with pytest.raises(pepdocs.LimitError):
            isolated(time.sleep, 30, file=str(file), seconds=0.5)
    messages = [record.getMessage() for record in caplog.records if record.name.startswith("pepdocs")]
    events = [message.split(" ", 1)[0] for message in messages]
    assert {"rendered", "read", "converted", "merged", "checked", "reader"} <= set(events)
    assert any(
        re.fullmatch(r"read form=kent format=docx sections=all answers=\d+ warnings=0 unmapped=0 isolated=True", m)
        for m in messages
    )
    assert "reader stopped limit=time seconds=0.5" in messages
    assert not [m for m in messages if NAME in m or str(tmp_path) in m]


def test_a_program_that_does_not_configure_logging_sees_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    assert any(isinstance(h, logging.NullHandler) for h in logging.getLogger("pepdocs").handlers)
    pepdocs.render(example("kent-secondary"), "kent")
    assert capsys.readouterr().err == ""
