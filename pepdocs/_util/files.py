"""Writing output files so that a reader never sees half of one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from pepdocs._errors import InputError


def write_atomically(path: Path, data: bytes, before_rename: Callable[[Path], None] | None = None) -> None:
    """Write `data` to `path` through a temporary file in the same folder and an atomic rename.

    `before_rename` is called with the temporary file, complete on disk, just before it takes `path`'s place.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        umask = os.umask(0)
        os.umask(umask)
        try:
            os.fchmod(handle, 0o666 & ~umask)  # as an ordinary new file, not mkstemp's 0600
            with os.fdopen(handle, "wb") as out:
                out.write(data)
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
