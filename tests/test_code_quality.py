"""The code and its tests stay typed (mypy strict) and lint-clean (ruff), as part of the test run."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


CODE = ["pepdocs", "tests", "benchmarks", "examples"]


@pytest.mark.parametrize("tool", [["mypy"], ["ruff", "check", *CODE], ["ruff", "format", "--check", *CODE]])
def test_the_code_passes(tool: list[str]) -> None:
    if shutil.which(tool[0]) is None and not Path(sys.executable).with_name(tool[0]).exists():
        pytest.skip(f"{tool[0]} is not installed")
    result = subprocess.run([sys.executable, "-m", *tool], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
