"""Hostile and broken files give a clear PepdocsError quickly; fuzzed forms never crash the reader."""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pepdocs
from pepdocs._isolate import LimitError, isolated

from .conftest import example

RENDERED = pepdocs.render(example("southwark-primary"), "southwark-full")


def with_part(docx: bytes, name: str, data: bytes, compress: int = zipfile.ZIP_DEFLATED) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compress) as target:
        for item in source.infolist():
            if item.filename != name:
                target.writestr(item.filename, source.read(item.filename))
        target.writestr(name, data)
    return out.getvalue()


def quick(call: object, seconds: float = 5.0) -> None:
    started = time.perf_counter()
    with pytest.raises(pepdocs.PepdocsError) as raised:
        call()  # type: ignore[operator]
    assert time.perf_counter() - started < seconds
    assert "<bytes>" in str(raised.value) or ".docx" in str(raised.value)


def test_a_zip_bomb_is_refused_before_it_inflates() -> None:
    bomb = with_part(RENDERED, "word/document.xml", b"<" + b" " * (200 * 2**20))
    assert len(bomb) < 2 * 2**20
    quick(lambda: pepdocs.parse(bomb))


def test_billion_laughs_is_refused() -> None:
    lol = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i else b"&lol;") * 10) for i in range(1, 10))
        + b']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">&lol9;</w:document>'
    )
    quick(lambda: pepdocs.parse(with_part(RENDERED, "word/document.xml", lol)))


def test_an_external_entity_in_the_custom_properties_is_refused() -> None:
    xxe = b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]><Properties>&x;</Properties>'
    quick(lambda: pepdocs.parse(with_part(RENDERED, "docProps/custom.xml", xxe)))


def test_a_macro_enabled_document_is_refused() -> None:
    types = zipfile.ZipFile(io.BytesIO(RENDERED)).read("[Content_Types].xml").replace(
        b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml"
    )
    with pytest.raises(pepdocs.DocumentError, match="macro"):
        pepdocs.parse(with_part(RENDERED, "[Content_Types].xml", types))


def test_a_part_that_is_not_xml_is_a_clear_error() -> None:
    quick(lambda: pepdocs.parse(with_part(RENDERED, "word/document.xml", b"\x00\x01 not xml")))


def _sleep_forever() -> None:
    while True:
        time.sleep(0.05)


def _eat_memory() -> bytes:
    return b"x" * (2 * 2**30)


def test_an_isolated_reader_that_runs_too_long_is_stopped() -> None:
    started = time.perf_counter()
    with pytest.raises(LimitError, match=r"longer than 1 seconds"):
        isolated(_sleep_forever, file="slow.docx", seconds=1)
    assert time.perf_counter() - started < 4


def test_an_isolated_reader_that_needs_too_much_memory_is_stopped() -> None:
    with pytest.raises(LimitError, match=r"more than 500 MB|ran out of memory"):
        isolated(_eat_memory, file="big.docx")


def test_an_isolated_parse_gives_the_same_answer() -> None:
    assert isolated(pepdocs.parse, RENDERED).pep == pepdocs.parse(RENDERED).pep


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(data=st.data())
def test_fuzzed_forms_give_a_pep_or_a_pepdocs_error_never_a_crash(data: st.DataObject) -> None:
    package = zipfile.ZipFile(io.BytesIO(RENDERED))
    xml = bytearray(package.read("word/document.xml"))
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(xml) - 1))
        action = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        if action == "flip":
            xml[at] = data.draw(st.integers(0, 255))
        elif action == "cut":
            del xml[at : at + data.draw(st.integers(1, 400))]
        else:
            xml[at:at] = data.draw(st.sampled_from([b"<w:tc>", b"</w:tr>", b"&amp;", b"\xff\xfe", b"<!--", b"]]>"]))
    mutated = with_part(RENDERED, "word/document.xml", bytes(xml))
    if data.draw(st.booleans()):
        cut = data.draw(st.integers(0, len(mutated)))
        mutated = mutated[:cut]
    try:
        parsed = pepdocs.parse(mutated)
    except pepdocs.PepdocsError:
        return
    assert isinstance(parsed.pep, pepdocs.PEP)
