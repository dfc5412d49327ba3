"""Running a risky job (reading an untrusted file) in a child process with time and memory limits."""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from pepdocs._errors import DocumentError, LimitError, PepdocsError

T = TypeVar("T")
log = logging.getLogger(__name__)

TIME_LIMIT = 5.0
MEMORY_LIMIT = 500 * 1024 * 1024


def _child(
    send: Connection, memory: int, job: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    try:
        import resource

        # The child starts with its parent's address space; the limit is what it may add to that.
        held = address_space()
        resource.setrlimit(resource.RLIMIT_AS, (held + memory, held + memory))
    except (ImportError, ValueError, OSError):  # pragma: no cover - not on Linux
        pass
    try:
        outcome: tuple[str, Any] = ("ok", job(*args, **kwargs))
    except PepdocsError as error:
        outcome = ("error", error)
    except MemoryError:
        outcome = ("memory", None)
    except Exception as error:  # an unexpected failure is still reported, never a crash; its text may hold values
        outcome = ("crash", type(error).__name__)
    try:
        send.send_bytes(pickle.dumps(outcome))
    except MemoryError:
        send.send_bytes(pickle.dumps(("memory", None)))
    finally:
        send.close()


def outcome(
    job: Callable[..., Any], *args: Any, seconds: float = TIME_LIMIT, memory: int = MEMORY_LIMIT, **kwargs: Any
) -> tuple[str, Any]:
    """How `job(*args, **kwargs)` ends in a child process limited to `seconds` and `memory` bytes of address space.

    ("ok", result), ("error", the PepdocsError), ("memory", None), ("crash", the exception's type name),
    ("timeout", None) or ("died", None).
    """
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(send, memory, job, args, kwargs), daemon=True)  # type: ignore[attr-defined]
    process.start()
    send.close()
    try:
        if not receive.poll(seconds):
            return "timeout", None
        try:
            return pickle.loads(receive.recv_bytes())  # type: ignore[no-any-return]
        except EOFError:
            return "died", None
    finally:
        if process.is_alive():
            process.kill()
        process.join(1)
        receive.close()


def address_space() -> int:
    """The bytes of address space this process holds now (0 where it cannot be told)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):  # pragma: no cover - not on Linux
        return 0


def isolated(
    job: Callable[..., T],
    *args: Any,
    file: str = "",
    seconds: float = TIME_LIMIT,
    memory: int = MEMORY_LIMIT,
    **kwargs: Any,
) -> T:
    """`job(*args, **kwargs)` run in a child process that may use at most `seconds` and `memory` bytes."""
    kind, value = outcome(job, *args, seconds=seconds, memory=memory, **kwargs)
    if kind == "timeout":
        log.warning("reader stopped limit=time seconds=%g", seconds)
        raise LimitError(
            f"reading took longer than {seconds:g} seconds; the file may be built to exhaust readers", file
        )
    if kind == "died":
        log.warning("reader stopped limit=crash-or-memory")
        raise LimitError("the reader stopped without an answer (it ran out of memory or crashed)", file)
    if kind == "ok":
        return value  # type: ignore[no-any-return]
    if kind == "error":
        raise value
    if kind == "memory":
        log.warning("reader stopped limit=memory megabytes=%d", memory // 2**20)
        raise LimitError(
            f"reading needed more than {memory // 2**20} MB; the file may be built to exhaust readers", file
        )
    raise DocumentError(f"could not be read ({value})", file)


def cpu_count() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover
        return os.cpu_count() or 1
