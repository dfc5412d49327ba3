"""PDF objects and files written from Python values: names, strings, dictionaries, streams, the cross-reference table.

Knows PDF syntax only, nothing of forms or pepdocs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import deflate


def flate(data: bytes, level: int = 9) -> bytes:
    """Data compressed for /FlateDecode, by libdeflate: smaller than zlib's at the same level and no slower.

    Levels 10 to 12 search for the cheapest encoding rather than the longest match: on the object stream of
    a filled form that is a sixth smaller than zlib's best, for three times the CPU.
    """
    return bytes(deflate.zlib_compress(data, level))


def number(value: float) -> bytes:
    """A number as PDF writes it: at most two decimals, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return (text if text not in ("-0", "") else "0").encode()


def tenth(value: float) -> bytes:
    """A position to a tenth of a point, closer than anyone can see, and shorter to write."""
    return number(round(value, 1))


class Name(str):
    """A PDF name (written /Name)."""

    __slots__ = ()


@dataclass(frozen=True)
class Ref:
    """A reference to an indirect object."""

    num: int


@dataclass
class Stream:
    """A stream object: its dictionary and data, compressed when written unless told not to."""

    entries: dict[str, Any]
    data: bytes
    compress: bool = True


_NAME_SAFE = re.compile(rb"[^!-~]|[#()<>\[\]{}/%]")


def name_bytes(name: str) -> bytes:
    """A PDF name, escaping what a name cannot hold as #xx."""
    return b"/" + _NAME_SAFE.sub(lambda m: b"#%02X" % m[0][0], name.encode("utf-8"))


_LITERAL = re.compile(r"[ -~\n\t]*")


def string_bytes(text: str) -> bytes:
    """A PDF text string: a literal for plain ASCII, else UTF-16BE with a byte order mark, in hex."""
    if _LITERAL.fullmatch(text):
        escaped = (
            text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").replace("\n", "\\n").replace("\t", "\\t")
        )
        return b"(" + escaped.encode("ascii") + b")"
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode("ascii") + b">"


def serialize(value: Any) -> bytes:
    """A Python value as PDF syntax: dicts, lists, names, references, strings, numbers, streams."""
    if isinstance(value, Name):
        return name_bytes(value)
    if isinstance(value, Ref):
        return b"%d 0 R" % value.num
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, int):
        return b"%d" % value
    if isinstance(value, float):
        return number(value)
    if isinstance(value, str):
        return string_bytes(value)
    if isinstance(value, bytes):
        return value  # already PDF syntax
    if value is None:
        return b"null"
    if isinstance(value, list | tuple):
        return b"[" + b" ".join(serialize(v) for v in value) + b"]"
    if isinstance(value, dict):
        return b"<<" + b"".join(name_bytes(k) + b" " + serialize(v) for k, v in value.items()) + b">>"
    if isinstance(value, Stream):
        data = flate(value.data) if value.compress else value.data
        entries = dict(value.entries)
        if value.compress:
            entries["Filter"] = Name("FlateDecode")
        entries["Length"] = len(data)
        return serialize(entries) + b"\nstream\n" + data + b"\nendstream"
    raise TypeError(f"cannot write {type(value).__name__} as PDF")


HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"


def write_file(objects: Iterable[tuple[int, bytes]], size: int, trailer: bytes) -> bytes:
    """A whole PDF file from numbered object bodies (in ascending order), with a cross-reference table."""
    out = [HEADER]
    position = len(HEADER)
    offsets = [b"0000000000 65535 f \n"] * size
    for num, body in objects:
        chunk = b"%d 0 obj\n%s\nendobj\n" % (num, body)
        offsets[num] = b"%010d 00000 n \n" % position
        out.append(chunk)
        position += len(chunk)
    out.append(b"xref\n0 %d\n" % size)
    out.extend(offsets)
    out.append(b"trailer\n%s\nstartxref\n%d\n%%%%EOF\n" % (trailer, position))
    return b"".join(out)


PACK = 4000  # objects per object stream: one or two for a form, whose offset tables compress best together
_STREAM_HEAD = re.compile(rb"/Length \d+")


def _compressed(body: bytes) -> bytes:
    """A stream object's body, its data compressed when it was written plain."""
    at = body.find(b"\nstream\n")
    head = body[:at]
    if b"/Filter" in head or at < 0:
        return body
    plain = body[at + 8 : -10]
    data = flate(plain, 6)
    if len(data) + 20 >= len(plain):
        return body  # a short stream, smaller as it is
    return (
        _STREAM_HEAD.sub(b"/Length %d/Filter/FlateDecode" % len(data), head, count=1)
        + b"\nstream\n"
        + data
        + b"\nendstream"
    )


def write_packed(
    objects: Iterable[tuple[int, bytes]], size: int, root: int, info: int, ids: tuple[bytes, bytes]
) -> bytes:
    """A whole PDF file whose dictionaries are packed into compressed object streams, with a cross-reference
    stream: a form's hundreds of field and structure dictionaries take a tenth of the room."""
    out = [HEADER]
    position = len(HEADER)
    entries: dict[int, bytes] = {}
    packed: list[tuple[int, bytes]] = []
    for num, body in objects:
        if body.endswith(b"endstream"):
            chunk = b"%d 0 obj\n%s\nendobj\n" % (num, _compressed(body))
            entries[num] = b"\x01" + position.to_bytes(4, "big") + b"\x00\x00"
            out.append(chunk)
            position += len(chunk)
        else:
            packed.append((num, body))
    for start in range(0, len(packed), PACK):
        group = packed[start : start + PACK]
        stream_num = size
        size += 1
        offsets, data = [], []
        at = 0
        for index, (num, body) in enumerate(group):
            entries[num] = b"\x02" + stream_num.to_bytes(4, "big") + index.to_bytes(2, "big")
            offsets.append(b"%d %d" % (num, at))
            data.append(body)
            at += len(body) + 1
        head = b" ".join(offsets) + b"\n"
        stream = flate(head + b"\n".join(data) + b"\n", 10)
        chunk = (
            b"%d 0 obj\n<</Type/ObjStm/N %d/First %d/Filter/FlateDecode/Length %d>>\nstream\n%s\nendstream\nendobj\n"
            % (stream_num, len(group), len(head), len(stream), stream)
        )
        entries[stream_num] = b"\x01" + position.to_bytes(4, "big") + b"\x00\x00"
        out.append(chunk)
        position += len(chunk)
    xref_num = size
    size += 1
    entries[xref_num] = b"\x01" + position.to_bytes(4, "big") + b"\x00\x00"
    free = b"\x00\x00\x00\x00\x00\xff\xff"
    table = flate(_up(entries.get(num, free) for num in range(size)))
    out.append(
        b"%d 0 obj\n<</Type/XRef/Size %d/W[1 4 2]/Root %d 0 R/Info %d 0 R/ID[<%s><%s>]/Filter/FlateDecode"
        b"/DecodeParms<</Predictor 12/Columns 7>>/Length %d>>\nstream\n%s\nendstream\nendobj\n"
        % (xref_num, size, root, info, ids[0].hex().encode(), ids[1].hex().encode(), len(table), table)
    )
    out.append(b"startxref\n%d\n%%%%EOF\n" % position)
    return b"".join(out)


def _up(rows: Iterable[bytes]) -> bytes:
    """Rows of a cross-reference stream, each given as its difference from the row above (the PNG Up filter):
    offsets that grow a little each row become runs of small bytes, which compress to a sixth of the size."""
    out = bytearray()
    above = bytes(7)
    for row in rows:
        out.append(2)
        out.extend((b - a) & 0xFF for a, b in zip(above, row, strict=True))
        above = row
    return bytes(out)


def trailer(size: int, root: int, info: int, ids: tuple[bytes, bytes]) -> bytes:
    return b"<</Size %d/Root %d 0 R/Info %d 0 R/ID[<%s><%s>]>>" % (
        size,
        root,
        info,
        ids[0].hex().encode(),
        ids[1].hex().encode(),
    )


class Objects:
    """Numbered objects being written: reserve a number, then put its value."""

    def __init__(self) -> None:
        self.bodies: dict[int, bytes] = {}
        self.next = 1

    def reserve(self) -> int:
        self.next += 1
        return self.next - 1

    def put(self, num: int, value: Any) -> Ref:
        self.bodies[num] = serialize(value)
        return Ref(num)

    def add(self, value: Any) -> Ref:
        return self.put(self.reserve(), value)
