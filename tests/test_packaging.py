"""What a council's developers get from `pip install`: the licence, the version, the page and the forms."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

import pepdocs
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(out), str(ROOT)],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    return out


def test_the_version_is_the_one_pyproject_gives() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert pepdocs.__version__ == project["version"]
    assert project["license"] == "MIT" and "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")


def test_the_wheel_holds_the_licences_the_page_and_the_forms(dist: Path) -> None:
    (wheel,) = dist.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    licences = [n for n in names if ".dist-info/licenses/" in n]
    assert any(n.endswith("/LICENSE") and "fonts" not in n for n in licences)
    assert "pepdocs/engines/pdf/fonts/LICENSE" in names and "pepdocs/engines/pdf/fonts/DejaVuSans.ttf" in names
    assert {
        "pepdocs/service/static/index.html",
        "pepdocs/service/static/page.js",
        "pepdocs/service/static/page.css",
    } <= set(names)
    assert "pepdocs/templates/kent/form.toml" in names and "pepdocs/py.typed" in names
    assert "pepdocs/_version.py" in names  # written from pyproject's version by the build
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "Provides-Extra: service" in metadata and "License-Expression: MIT" in metadata


def test_the_sdist_holds_the_licence_changelog_and_docs(dist: Path) -> None:
    (sdist,) = dist.glob("*.tar.gz")
    names = {name.split("/", 1)[1] for name in tarfile.open(sdist).getnames() if "/" in name}
    assert {"LICENSE", "CHANGELOG.md", "SECURITY.md", "README.md", "mkdocs.yml", "docs/index.md"} <= names
