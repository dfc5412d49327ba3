"""A zip package written directly from pre-deflated entries, so parts shared by every document are compressed once."""

from __future__ import annotations

import struct
import zlib


class ZipEntry:
    """One member of a zip package, deflated once, ready to copy into any number of packages.

    `level` 3 for a part deflated for every document: half the time of 6, a fifth larger.
    """

    __slots__ = ("crc", "data", "name", "size")

    def __init__(self, name: str, raw: bytes, level: int = 6) -> None:
        self.name = name.encode("utf-8")
        self.crc = zlib.crc32(raw)
        self.size = len(raw)
        packer = zlib.compressobj(level, zlib.DEFLATED, -15)
        self.data = packer.compress(raw) + packer.flush()

    @classmethod
    def deflated(cls, name: str, crc: int, size: int, data: bytes) -> ZipEntry:
        """An entry deflated before (kept in a cache)."""
        entry = cls.__new__(cls)
        entry.name, entry.crc, entry.size, entry.data = name.encode("utf-8"), crc, size, data
        return entry


_DOS_DATE = (2025 - 1980) << 9 | 1 << 5 | 1  # 1 January 2025, midnight: outputs do not say when they were made


def zip_package(entries: list[ZipEntry]) -> bytes:
    """A zip package of deflated entries, written directly so unchanged parts are never compressed again."""
    out = bytearray()
    directory = bytearray()
    for entry in entries:
        offset = len(out)
        fields = (20, 0, 8, 0, _DOS_DATE, entry.crc, len(entry.data), entry.size, len(entry.name))
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields, 0) + entry.name + entry.data
        directory += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fields, 0, 0, 0, 0, 0, offset) + entry.name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(directory), len(out), 0)
    return bytes(out + directory + end)
