"""Compiled DOCX templates kept between runs: used only when exactly as stored and only this user's; else compiled."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import pepdocs
from pepdocs.engines.docx import _render

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = (ROOT / "templates" / "southwark" / "form.docx").read_bytes()


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PEPDOCS_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def rendered(template: _render.CompiledTemplate) -> bytes:
    pep = pepdocs.read_pep(ROOT / "examples" / "southwark-primary.json")
    form = pepdocs.get_form("southwark-full")
    from pepdocs.forms._answers import answers

    context = _render.docx_context(form, answers(pep, form), "title", "footer")
    return _render.render_docx(template, context, {"pepdocs.form": form.id})


def compiles(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = _render.compile_template

    def counted(docx: bytes) -> _render.CompiledTemplate:
        calls.append(1)
        return real(docx)

    monkeypatch.setattr(_render, "compile_template", counted)
    return calls


def test_a_second_load_comes_from_the_cache_and_renders_the_same(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = compiles(monkeypatch)
    first = _render.cached_template(TEMPLATE, "docx-test")
    second = _render.cached_template(TEMPLATE, "docx-test")
    assert len(calls) == 1 and rendered(first) == rendered(second)
    assert len(list(folder.iterdir())) == 1
    if hasattr(os, "getuid"):
        assert folder.stat().st_mode & 0o777 == 0o700


@pytest.mark.parametrize("damage", ["flipped byte", "cut short", "valid digest, not a template"])
def test_a_damaged_cache_file_is_compiled_again(folder: Path, monkeypatch: pytest.MonkeyPatch, damage: str) -> None:
    good = rendered(_render.cached_template(TEMPLATE, "docx-test"))
    (stored,) = folder.iterdir()
    data = bytearray(stored.read_bytes())
    if damage == "flipped byte":
        data[len(data) // 2] ^= 0xFF
    elif damage == "cut short":
        del data[len(data) // 3 :]
    else:
        import hashlib

        payload = b"\x00not marshal data"
        data = bytearray(hashlib.sha256(payload).digest() + payload)
    stored.write_bytes(bytes(data))
    calls = compiles(monkeypatch)
    assert rendered(_render.cached_template(TEMPLATE, "docx-test")) == good and len(calls) == 1
    assert rendered(_render.cached_template(TEMPLATE, "docx-test")) == good and len(calls) == 1  # stored afresh


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="file owners and modes are POSIX")
def test_a_cache_file_others_could_have_written_is_not_used(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _render.cached_template(TEMPLATE, "docx-test")
    (stored,) = folder.iterdir()
    stored.chmod(0o666)
    calls = compiles(monkeypatch)
    _render.cached_template(TEMPLATE, "docx-test")
    assert len(calls) == 1


def test_another_template_or_no_cache_folder_compiles(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _render.cached_template(TEMPLATE, "docx-test")
    calls = compiles(monkeypatch)
    other = (ROOT / "templates" / "kent" / "form.docx").read_bytes()
    _render.cached_template(other, "docx-test")  # same name, another template: its own key
    monkeypatch.setenv("PEPDOCS_CACHE", "")
    _render.cached_template(TEMPLATE, "docx-test")
    assert len(calls) == 2 and len(list(folder.iterdir())) == 1
