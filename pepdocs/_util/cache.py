"""A folder of compiled templates kept between runs, each checked before use: any doubt means compiling again."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from pepdocs._errors import InputError
from pepdocs._util.files import write_atomically

ENV = "PEPDOCS_CACHE"
"""The cache folder; empty turns the cache off. Default: $XDG_CACHE_HOME/pepdocs, else ~/.cache/pepdocs."""


def cache_dir() -> Path | None:
    """The cache folder, or None when caching is off."""
    chosen = os.environ.get(ENV)
    if chosen is not None:
        return Path(chosen) if chosen.strip() else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "pepdocs"


def _trusted(path: Path) -> bool:
    """Whether only this user can have written `path` (where the system says who owns files)."""
    if not hasattr(os, "getuid"):
        return True
    try:
        stat = path.stat()
    except OSError:
        return False
    return stat.st_uid == os.getuid() and not stat.st_mode & 0o022


def load(name: str, key: str) -> bytes | None:
    """What was stored under `name` for `key`; None when absent, not ours, or not exactly as stored."""
    folder = cache_dir()
    if folder is None:
        return None
    path = folder / f"{name}-{key}.bin"
    if not (_trusted(folder) and _trusted(path)):
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    digest, payload = data[:32], data[32:]
    return payload if hashlib.sha256(payload).digest() == digest else None


def store(name: str, key: str, payload: bytes) -> None:
    """Keep `payload` under `name` for `key`; a cache that cannot be written is no error."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _trusted(folder):
            return
        for old in folder.glob(f"{name}-*.bin"):  # one version of each template is kept
            old.unlink(missing_ok=True)
        write_atomically(folder / f"{name}-{key}.bin", hashlib.sha256(payload).digest() + payload, sync=False)
    except (OSError, InputError):
        pass
