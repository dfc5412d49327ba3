"""Writing output files so that a reader never sees half of one."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from pathlib import Path

from pepdocs._errors import InputError

_serial = itertools.count()

VALUES_NOTE = "This report holds values from a child's record: keep it as you keep the record."
"""The header note of every report file that holds values (the terminal is told only paths and counts)."""


def write_atomically(
    path: Path, data: bytes, *, sync: bool = True, before_rename: Callable[[Path], None] | None = None
) -> None:
    """Write `data` to `path` through a temporary file in the same folder and an atomic rename.

    `sync` False leaves the data to be made durable later, many files at once, by `sync_folder`.
    `before_rename` is called with the temporary file, complete, just before it takes `path`'s place.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        while True:  # a name no other writer uses, made as an ordinary new file (mkstemp's costs ten times more)
            temporary = str(path.parent / f".{path.name}.{os.getpid()}.{next(_serial)}.part")
            try:
                handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
                break
            except FileExistsError:
                continue
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                if sync:
                    out.flush()
                    os.fsync(out.fileno())
            if before_rename is not None:
                before_rename(Path(temporary))
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise InputError(f"cannot write the file ({error.strerror or error.__class__.__name__})", str(path)) from None


def sync_folder(folder: Path) -> None:
    """Make everything written in `folder` durable: its filesystem's data (one syncfs on Linux), then the folder."""
    if not hasattr(os, "sync"):  # Windows: renames there are written through
        return
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        import ctypes

        syncfs = getattr(ctypes.CDLL(None, use_errno=True), "syncfs", None)
        if syncfs is None or syncfs(handle) != 0:
            os.sync()
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
